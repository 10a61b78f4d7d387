/**
 * What one model event means musically. A codec turns a MIDI file into model events (an
 * event holds one token per output head), turns events back into notes, and says what the
 * model reads before each event (usually the previous event, plus features such as the
 * position in the bar).
 *
 * Two kinds:
 * - `grid`: one event per clock step (drum grid, melody grid);
 * - `events`: each event carries its own delay (RNN-Drummer, Howl-style pitch/delay/duration/
 *   velocity); the generator places events on the clock's steps by their times.
 *
 * @example
 * const codec = codecFor(spec);            // from the model's metadata
 * const { events } = codec.fromSong(song); // one event per step (grid) or per note (events)
 * const notes = codec.toNotes(events);
 */
import type { ModelSpec } from '../engine/model.js';
import type { MidiSong } from '../io/midi-read.js';
import type { NoteOut } from '../io/midi-write.js';

export interface EncodedSong {
  readonly events: number[][];
  /** Things a musician should know: dropped notes, remapped notes, quantization error. */
  readonly warnings: string[];
}

/** Where notes go when an event is played. Times are in ticks of the codec. */
export interface NoteTarget {
  /**
   * A note of known length (`lengthTicks`), or held until `release` when lengthTicks is Infinity;
   * `lateTicks` (default 0) plays it that far from its event's place, negative = early.
   */
  noteOn(note: number, velocity: number, channel: number, lengthTicks: number, lateTicks?: number): void;
  release(note: number, channel: number): void;
}

/**
 * What a codec may read besides the previous event: the model's vector inputs to fill
 * (`Network.vectors`) and the head-0 tokens of the events before, newest first (`back[0]` is
 * the previous event's), as many as the codec's `lookback`, 0 before the start.
 */
export interface InputContext {
  readonly vectors: readonly (Float32Array | null)[];
  readonly back: Int32Array;
}

/** Per-performance state a codec keeps while playing (e.g. the note a melody holds). */
export interface PlayState {
  sounding: number;
  /** Chord codecs (`frameKeys`): 1 for each MIDI note held, by note (128); absent otherwise. */
  keys?: Uint8Array;
}

export interface Codec {
  readonly name: string;
  readonly kind: 'grid' | 'events';
  /** MIDI ticks per quarter of the codec's times and of the notes `toNotes` returns. */
  readonly ticksPerQuarter: number;
  /** Ticks per clock step (a 16th unless the model says otherwise). */
  readonly ticksPerStep: number;
  readonly stepsPerBar: number;
  /**
   * The velocity it plays when the model gives none (`PlayOptions.velocity` or its own
   * default): the centre the dynamics control spreads velocities around.
   */
  readonly flatVelocity: number;
  /** The event the model reads before it has produced anything. */
  startEvent(): number[];
  /**
   * Whether a song's first event is only read, never predicted (the model has no start of
   * its own that the data was trained from).
   */
  readonly firstEventIsPrimer: boolean;
  /** Fill `out` (one value per model input) for event `t` (grid: step t), after event `prev`. */
  inputs(prev: ArrayLike<number>, t: number, out: number[], ctx?: InputContext): void;
  /**
   * Chord codecs: the keys of a frame. Each event is then one 0/1 per key, drawn whole from
   * head 0 through `FrameHead` (density shifts every key's logit), not one token per head.
   */
  readonly frameKeys?: number;
  /** Past head-0 tokens `inputs` reads from `InputContext.back` (0: none). */
  readonly lookback?: number;
  /**
   * Grouped heads conditioned on head 0's token, one group per voice: the event holds, after
   * the token, each such head's bin per voice, in this order (−1 where the voice is not hit).
   */
  readonly voiceHeads?: readonly number[];
  /**
   * Head 0's token for a step where nothing sounds (a drum grid's 0). Sampling then decides
   * sound or rest before which sound (`SampleOptions.rest`), so a cold start at temperature 0
   * plays instead of resting for ever.
   */
  readonly restToken?: number;
  /**
   * A fixed logit bias on head 0's tokens when the model plays (its calibration, see
   * `calibration.ts`); the performer's density adds to it. Scoring never uses it.
   */
  readonly tokenBias?: Float32Array | null;
  /**
   * The earliest a note can sound before its step's grid line, as an offset in steps (≤ 0;
   * absent: 0, no note before its line). A clock hands each step out that much sooner.
   */
  readonly earliest?: number;
  /** Ticks from the previous event to this one (grid codecs: one step). */
  delay(event: ArrayLike<number>): number;
  /** Sound one event: notes on (and releases) into `target`. `stepInBar` allows accents. */
  play(event: ArrayLike<number>, stepInBar: number, state: PlayState, target: NoteTarget): void;
  fromSong(song: MidiSong): EncodedSong;
  toNotes(events: readonly (readonly number[])[]): NoteOut[];
  /** One line per voice or pitch row, for a terminal. */
  grid(events: readonly (readonly number[])[]): string;
  /**
   * Token weights for the density control, per head (null: the head is not affected).
   * The generator adds density × weight to each logit: positive density, more notes.
   */
  densityWeights(head: number): Float32Array | null;
  /** Voices a performer can lock (drum classes); empty when the encoding has none. */
  readonly voices: readonly string[];
  /** Set mask[token] = 1 for every head-0 token whose `voice` is not `hit`. */
  voiceMask(voice: number, hit: boolean, mask: Uint8Array): void;
  /** Whether head-0 token `token` sounds `voice`. */
  hasVoice(token: number, voice: number): boolean;
  /**
   * The event for one step written by a human: MIDI notes (drum notes or a pitch), or
   * voice names for drums. Grid codecs only; throws with the reason for notes it cannot hold.
   */
  eventFromNotes(notes: readonly (number | string)[]): number[];
  /** The notes of an event, for displays and the performance log. */
  notesOf(event: ArrayLike<number>): number[];
  /** Event codecs: the head that holds the delay. */
  readonly delayHead?: number;
  /** Event codecs: the event that sounds `note` `delayTicks` after the previous one (snapped to the tables). */
  eventAt?(note: number | string, delayTicks: number): number[];
}

/** Playback choices a performer may override; each codec documents its defaults. */
export interface PlayOptions {
  /** Velocity of notes from models without a velocity head. */
  velocity?: number;
  /** Drums: louder on beats, softer on off-beat 16ths. */
  accent?: boolean;
  /** Drums: the note each drum class plays. */
  drumNotes?: readonly number[];
  /** Zero-based MIDI channel. */
  channel?: number;
  /** Grid models: steps in a bar (e.g. 12 for 3/4 in 16ths); at most the model's position inputs. */
  stepsPerBar?: number;
}

type CodecFactory = (spec: ModelSpec, play: PlayOptions) => Codec;
const registry = new Map<string, CodecFactory>();

export function registerCodec(encoding: string, make: CodecFactory): void {
  registry.set(encoding, make);
}

/** The codec a model's metadata names (`userDefinedMetadata.pulseRnn.encoding`). */
export function codecFor(spec: ModelSpec, play: PlayOptions = {}): Codec {
  const enc = spec.meta.encoding;
  const make = typeof enc === 'string' ? registry.get(enc) : undefined;
  if (!make) {
    throw new Error(`${spec.source}: model metadata names encoding ${JSON.stringify(enc)}; known encodings: ${[...registry.keys()].join(', ')}`);
  }
  return make(spec, play);
}

/** Steps per bar for a grid model, checked against the position input it was trained with. */
export function stepsPerBarFor(spec: ModelSpec, bar: number): number {
  const pos = spec.inputs[1];
  const max = pos && pos.kind === 'token' ? pos.vocab : Infinity;
  if (!(Number.isInteger(bar) && bar >= 1 && bar <= max)) throw new Error(`steps per bar must be a whole number from 1 to ${max} for this model, got ${bar}`);
  return bar;
}
