/**
 * pulse-rnn: a real-time LSTM/GRU note generator.
 *
 * @example
 * import { loadModelSpec, Network, codecFor, sampleEvents, Rng } from 'pulse-rnn';
 * const spec = await loadModelSpec('weights/drums-gmd');
 * const net = new Network(spec);
 * const events = sampleEvents(net, codecFor(spec), 32, new Rng(1), { temperature: 0.9 });
 */
export * from './core.js';
export { loadModelSpec } from './io/model-files.js';
export { readMidi, type MidiSong, type MidiNote } from './io/midi-read.js';
export { writeMidi, type SongOut, type NoteOut } from './io/midi-write.js';
