/**
 * The dependency-free core: the engine and what a step means musically. No I/O, no
 * dependencies: this is what runs in AudioWorklets and Max.
 */
export { Network, type NetworkOptions } from './engine/network.js';
export { Rng } from './engine/prng.js';
export { Sampler, checkOptions, type SampleOptions } from './engine/sampling.js';
export { createKernel, wasmSimdAvailable, type Kernel, type KernelName } from './engine/kernel.js';
export { parseLayersModel, type ReadShard } from './engine/layers-model.js';
export { parseModelJson } from './engine/model-json.js';
export { drummerSpec, DRUMMER_NOTES, DRUMMER_TICKS } from './engine/drummer-format.js';
export type { ModelSpec, InputSpec, RnnLayerSpec, HeadSpec, DenseSpec, PulseMeta } from './engine/model.js';
export { codecFor, type Codec } from './music/codecs.js';
export { drumGridCodec } from './music/drum-grid.js';
export { drummerCodec } from './music/drummer-events.js';
export { DRUM_CLASSES, DEFAULT_DRUM_NOTES, drumClassOf, drumClassIndex } from './music/drum-map.js';
export { sampleEvents } from './music/sample-events.js';
export { scoreEvents, type Score } from './music/score.js';
export { Generator, copyStep, type GeneratorOptions, type StepResult, type StepCopy, type PlayedNote, type PlayedRelease, type Control, type LogEntry, type PerformanceLog, type GeneratorSnapshot } from './music/generator.js';
export { melodyGridCodec } from './music/melody-grid.js';
export { noteEventsCodec } from './music/note-events.js';
