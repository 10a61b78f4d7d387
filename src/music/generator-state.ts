/**
 * Everything a Generator changes as it plays, in one record of plain data: the settings, the
 * human's edits and locks, the lookahead ring, where the last event sits, the step and tick,
 * the placer's own state, the note a melody holds, the history, the log, the controls waiting
 * and the prime being read. Only the network's state and the random stream live outside it
 * (in the engine's objects), and a snapshot takes those two by name.
 *
 * Because the record is plain data, `deepCopy` copies it whole: snapshot, restore and fork
 * name no field, so a field added here is carried by all three without another line.
 */
import type { Codec, PlayState } from './codec.js';
import { emptyQueue, type Waiting } from './control-queue.js';
import type { LogEntry } from './generator-types.js';
import type { History } from './history.js';
import { emptyRing, type Ring } from './ring.js';
import type { Placer, PlacerState } from './placer.js';
import type { PrimeJob } from './prime-reader.js';
import { SLOT_COUNT } from './controls.js';
import type { Cue, SlotState } from './slots.js';

/** The value controls as they apply now. */
export interface Values {
  /** One per head. */
  temps: number[];
  topP: number;
  density: number;
  /** How far velocities stray from the codec's flat velocity (see step-result.ts). */
  dynamics: number;
  /** How far notes sit from their nearest step line. */
  timing: number;
  /** One velocity factor per codec voice. */
  scales: number[];
  /** One bias per codec voice over density (voice-bias.ts). */
  voiceDensity: number[];
  /** One per codec voice: the model plays without it. */
  leftOut: boolean[];
  seed: number;
  paused: boolean;
  muted: boolean;
}

/** A voice held to a pattern, from step `from` until step `until` (null: until unlocked). */
export interface Lock {
  voice: number;
  /** One 0/1 per step of the bar. */
  pattern: Uint8Array;
  from: number;
  until: number | null;
  /**
   * Codecs with `voiceHeads`: per conditioned head, per step of the bar, the bin the voice's hit
   * plays (its velocity and its offset, as it played in the bar before the lock); −1 where the
   * model draws it (a pattern given by hand, a hit the bar before did not play). Empty otherwise.
   */
  bins: Int32Array;
}

/** The last event generated: what the model reads next. */
export interface Cursor {
  event: Int32Array;
  /** Its time, in codec ticks. */
  time: number;
  /** Events generated since the start (event models read it as the position). */
  index: number;
  /** Head-0 tokens of the last events, newest first (`event`'s own first), 0 before the start: the codec's `lookback`. */
  back: Int32Array;
}

/** Push `token` onto a lookback, newest first; the oldest falls off. */
export function pushBack(back: Int32Array, token: number): void {
  if (back.length === 0) return;
  back.copyWithin(1, 0, back.length - 1);
  back[0] = token;
}

export interface GeneratorState extends Waiting {
  values: Values;
  /** Steps a human wrote, by step number. */
  edits: Map<number, (number | string)[]>;
  locks: Lock[];
  /** Events generated ahead of the step playing. */
  ring: Ring;
  last: Cursor;
  /** The next step to play. */
  step: number;
  /** Ticks played (paused ones too). */
  tick: number;
  placer: PlacerState;
  play: PlayState;
  history: History;
  /** The performance log's entries. */
  entries: LogEntry[];
  prime: PrimeJob | null;
  /** After a count-in, until the first tick settles it: the random stream as it was before it (count-in.ts). */
  countedIn: Uint32Array | null;
  /**
   * Codecs with `voiceHeads` or `frameKeys`: the event last played at each step of the bar, by
   * position in the bar (`stepsPerBar` events end to end), so a lock keeps its voice's bins, or a
   * chord part's rows and frames (held-keys.ts). Empty otherwise.
   */
  lastBar: Int32Array;
  /** Pattern slots by number (slots.ts); index 0 is unused. */
  slots: (SlotState | null)[];
  /** A recall of a pattern slot waiting for the step it takes over at. */
  cue: Cue | null;
  /** The performance just before the last recall, for its undo. */
  beforeRecall: SlotState | null;
}

/** What a snapshot holds: the state record, and the network's state and the random stream beside it. */
export type SnapshotData = GeneratorState & { readonly network: Float32Array; readonly rng: Uint32Array };

/** A complete copy of a generator's musical state (not its model), for `restore` and `fork`. */
export interface GeneratorSnapshot {
  readonly data: SnapshotData;
}

/** A generator's state before its first tick. */
export function initialState(values: Values, codec: Codec, placer: Placer): GeneratorState {
  return {
    values,
    edits: new Map(),
    locks: [],
    ring: emptyRing(),
    last: { event: Int32Array.from(codec.startEvent()), time: placer.startTime(0), index: 0, back: new Int32Array(codec.lookback ?? 0) },
    step: 0,
    tick: 0,
    placer: placer.initialState(),
    play: codec.frameKeys ? { sounding: -1, keys: new Uint8Array(128) } : { sounding: -1 },
    history: { steps: [], start: 0 },
    entries: [],
    ...emptyQueue(),
    prime: null,
    countedIn: null,
    lastBar: new Int32Array(codec.voiceHeads || codec.frameKeys ? codec.stepsPerBar * codec.startEvent().length : 0),
    slots: new Array<SlotState | null>(SLOT_COUNT + 1).fill(null),
    cue: null,
    beforeRecall: null,
  };
}
