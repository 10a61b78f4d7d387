/**
 * What one model step means musically. A codec turns a MIDI file into one event per step
 * (an event holds one token per output head), turns events back into notes, and says what
 * the model reads at each step (usually the previous event, plus features such as the
 * position in the bar).
 *
 * @example
 * const codec = codecFor(spec);            // from the model's metadata
 * const { events } = codec.fromSong(song); // one event per step
 * const { notes } = codec.toNotes(events);
 */
import type { ModelSpec } from '../engine/model.js';
import type { MidiSong } from '../io/midi-read.js';
import type { NoteOut } from '../io/midi-write.js';

export interface EncodedSong {
  readonly events: number[][];
  /** Things a musician should know: dropped notes, remapped notes, quantization error. */
  readonly warnings: string[];
}

export interface Codec {
  readonly name: string;
  /** MIDI ticks per quarter of the notes `toNotes` returns. */
  readonly ticksPerQuarter: number;
  /** The event the model reads before it has produced anything. */
  startEvent(): number[];
  /**
   * Whether a song's first event is only read, never predicted (the model has no start of
   * its own that the data was trained from).
   */
  readonly firstEventIsPrimer: boolean;
  /** Fill `out` (one value per model input) for step `t`, after event `prev`. */
  inputs(prev: ArrayLike<number>, t: number, out: number[]): void;
  fromSong(song: MidiSong): EncodedSong;
  toNotes(events: readonly (readonly number[])[]): NoteOut[];
  /** One line per voice or pitch row, for a terminal. */
  grid(events: readonly (readonly number[])[]): string;
}

type CodecFactory = (spec: ModelSpec) => Codec;
const registry = new Map<string, CodecFactory>();

export function registerCodec(encoding: string, make: CodecFactory): void {
  registry.set(encoding, make);
}

/** The codec a model's metadata names (`userDefinedMetadata.pulseRnn.encoding`). */
export function codecFor(spec: ModelSpec): Codec {
  const enc = spec.meta.encoding;
  const make = typeof enc === 'string' ? registry.get(enc) : undefined;
  if (!make) {
    throw new Error(`${spec.source}: model metadata names encoding ${JSON.stringify(enc)}; known encodings: ${[...registry.keys()].join(', ')}`);
  }
  return make(spec);
}
