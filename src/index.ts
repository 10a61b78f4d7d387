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
export { loadModelSpec, type LoadOptions } from './io/model-files.js';
export { readMidi, type MidiSong, type MidiNote, type ChannelSetup } from './io/midi-read.js';
export { MAX_SONG_STEPS, songSteps, checkSongLength } from './io/song-length.js';
export { findDrumPart, melodicNotes, type DrumPart } from './music/drum-part.js';
export { writeMidi, type SongOut, type NoteOut } from './io/midi-write.js';
export type { NoteSink } from './io/sink.js';
export { WebMidiSink } from './io/webmidi-sink.js';
export { MidiRecorder } from './io/recorder.js';
export { openOutput, openInput, listPorts, enableMidi } from './io/midi-ports.js';
export { InternalClock } from './time/internal-clock.js';
export { MidiClockFollower } from './time/midi-clock-follower.js';
export { ClockOut } from './time/clock-out.js';
export { Player } from './time/player.js';
export { PPQN, type Clock, type StepEvent, type TransportEvent } from './time/clock.js';
