/**
 * Note events: one model event per note, with categorical heads for the note's pitch, its
 * delay after the previous note, and optionally its duration and velocity (Howl's shape), or
 * just (note, delay) (the RNN-Drummer's). Each head chooses from a table of values kept in
 * the model's metadata; delays and durations are in ticks of `ticksPerQuarter` (24 for
 * models trained on the clock's pulses, 480 for the Drummer).
 *
 * Reading MIDI: onsets in time order, re-timed to the codec's ticks, each value snapped to
 * the nearest entry of its table. Notes without a pitch entry are dropped (after an optional
 * remap) and reported.
 *
 * @example
 * const codec = noteEventsCodec({ heads: { pitch: [60, 62, 64], delay: [0, 6, 12, 24] }, ticksPerQuarter: 24 });
 * codec.toNotes([[0, 3], [2, 2]]); // C4 at tick 24, E4 at tick 36
 */
import type { ModelSpec } from '../engine/model.js';
import type { MidiNote, MidiSong } from '../io/midi-read.js';
import { melodyPart } from './drum-part.js';
import type { NoteOut } from '../io/midi-write.js';
import { checkSongLength, MAX_SONG_STEPS } from '../io/song-length.js';
import { registerCodec, type Codec, type EncodedSong, type PlayOptions } from './codec.js';

export type HeadRole = 'pitch' | 'delay' | 'duration' | 'velocity';

export interface NoteEventsOptions extends PlayOptions {
  /** Value tables, in the order of the model's heads (and inputs). pitch and delay are required. */
  heads: Partial<Record<HeadRole, readonly number[]>>;
  /** Head order when it is not pitch, delay, duration, velocity. */
  order?: readonly HeadRole[];
  ticksPerQuarter: number;
  stepsPerQuarter?: number;
  /** Default duration (ticks) when there is no duration head: a 16th. */
  durationTicks?: number;
  /** Maps a MIDI note the pitch table lacks to one it has (undefined: drop). */
  remap?: (note: number) => number | undefined;
  /** The first event of a song is read, never predicted. */
  firstEventIsPrimer?: boolean;
  /** The event fed first when generating, as table values (e.g. {pitch: 36, delay: 0}). */
  start?: Partial<Record<HeadRole, number>>;
  /** The notes of a song this codec reads (default: all of them), and what a musician should know about the choice. */
  part?: (song: MidiSong) => readonly MidiNote[] | { notes: readonly MidiNote[]; warning: string | null };
  /** Delays of the very first note are counted from tick −1 (files from the Drummer's own writer). */
  firstDelayFrom?: (song: MidiSong) => number;
  name?: string;
}

function nearest(table: readonly number[], v: number): number {
  let best = 0;
  for (let i = 1; i < table.length; i++) if (Math.abs(table[i] - v) < Math.abs(table[best] - v)) best = i;
  return best;
}

export function noteEventsCodec(o: NoteEventsOptions): Codec {
  const heads = headsOf(o);
  const { order, table, P, D, U, V } = heads;
  const tpq = o.ticksPerQuarter;
  const spq = o.stepsPerQuarter ?? 4;
  const ticksPerStep = tpq / spq;
  const stepsPerBar = spq * 4;
  const channel = o.channel ?? 0;
  const velocity = o.velocity ?? 100;
  const fixedDuration = o.durationTicks ?? ticksPerStep;
  // more density, shorter delays: weight −(delay in steps)
  const delayWeights = Float32Array.from(table('delay'), (d) => -d / ticksPerStep);
  const valueOf = (e: ArrayLike<number>, head: number) => table(order[head])[e[head]];
  const startEvent = order.map((r) => (o.start?.[r] !== undefined ? nearest(table(r), o.start[r] as number) : 0));
  const sound: EventSound = { P, D, U, V, valueOf, velocity, channel, fixedDuration };

  // the methods called every step (inputs, delay, play) read these constants and allocate nothing
  const codec: Codec = {
    name: o.name ?? 'note-events',
    kind: 'events',
    ticksPerQuarter: tpq,
    ticksPerStep,
    stepsPerBar,
    flatVelocity: velocity,
    firstEventIsPrimer: o.firstEventIsPrimer ?? false,
    voices: [],
    startEvent: () => startEvent.slice(),
    inputs(prev, _t, out) {
      for (let h = 0; h < order.length; h++) out[h] = prev[h];
    },
    delay: (e) => valueOf(e, D),
    play(e, _stepInBar, _state, target) {
      const v = V >= 0 ? valueOf(e, V) : velocity;
      target.noteOn(valueOf(e, P), Math.max(1, Math.min(127, Math.round(v))), channel, U >= 0 ? Math.max(1, valueOf(e, U)) : fixedDuration);
    },
    densityWeights: (head) => (head === D ? delayWeights : null),
    voiceMask() {
      throw new Error(`${codec.name} models have no voices to lock; locks are for drum-grid models`);
    },
    hasVoice: () => false,
    eventFromNotes() {
      throw new Error(`${codec.name} models place notes by their own delays; edit them by priming a phrase instead`);
    },
    notesOf: (e) => [valueOf(e, P)],
    delayHead: D,
    eventAt(note, delayTicks) {
      const pitch = typeof note === 'number' && table('pitch').includes(note) ? note : typeof note === 'number' ? o.remap?.(note) : undefined;
      if (pitch === undefined) throw new Error(`note ${JSON.stringify(note)} is not one this model plays (${table('pitch').join(' ')})`);
      const values: Record<HeadRole, number> = { pitch, delay: delayTicks, duration: fixedDuration, velocity };
      return order.map((r) => nearest(table(r), values[r]));
    },
    fromSong: (song: MidiSong): EncodedSong => eventsFromSong(song, o, heads, tpq, spq),
    toNotes: (events): NoteOut[] => notesFromEvents(events, sound),
    grid: (events) => eventsGridText(codec.toNotes(events), spq, ticksPerStep, stepsPerBar),
  };
  return codec;
}

/** Where each role's head sits in the model (−1: the model has no such head), and each role's table. */
interface Heads {
  readonly order: readonly HeadRole[];
  readonly table: (r: HeadRole) => readonly number[];
  readonly P: number;
  readonly D: number;
  readonly U: number;
  readonly V: number;
}

/** The heads `o` describes, refused unless there are pitch and delay heads and every table holds numbers. */
function headsOf(o: NoteEventsOptions): Heads {
  const order: readonly HeadRole[] = o.order ?? (['pitch', 'delay', 'duration', 'velocity'] as const).filter((r) => o.heads[r]);
  const table = (r: HeadRole) => o.heads[r] as readonly number[];
  const P = order.indexOf('pitch');
  const D = order.indexOf('delay');
  const U = order.indexOf('duration');
  const V = order.indexOf('velocity');
  if (P < 0 || D < 0) throw new Error('note events need a pitch head and a delay head');
  for (const r of order) {
    const t = table(r);
    if (!Array.isArray(t) || t.length === 0 || !t.every((x) => Number.isFinite(x))) throw new Error(`note events: the ${r} table must be a non-empty list of numbers`);
  }
  return { order, table, P, D, U, V };
}

/**
 * A song's notes as events in time order, re-timed to the codec's ticks and each value snapped
 * to its table. Notes the pitch table lacks (after `remap`) are dropped, and the warnings count
 * them and say how far delays moved, since both change what the model hears.
 */
function eventsFromSong(song: MidiSong, o: NoteEventsOptions, h: Heads, tpq: number, spq: number): EncodedSong {
  const { order, table, D } = h;
  checkSongLength(song, spq); // before anything is laid out per step
  const warnings: string[] = [];
  const scale = tpq / song.ticksPerQuarter;
  const events: number[][] = [];
  const dropped = new Map<number, number>();
  let worst = 0;
  let prev = o.firstDelayFrom ? o.firstDelayFrom(song) : 0;
  const chosen = o.part ? o.part(song) : song.notes;
  const notes = 'notes' in chosen ? chosen.notes : chosen;
  if ('warning' in chosen && chosen.warning) warnings.push(chosen.warning);
  for (const n of notes) {
    const pitch = table('pitch').includes(n.note) ? n.note : o.remap?.(n.note);
    if (pitch === undefined) {
      dropped.set(n.note, (dropped.get(n.note) ?? 0) + 1);
      continue;
    }
    const at = Math.round(n.tick * scale);
    const values: Record<HeadRole, number> = { pitch, delay: at - prev, duration: Math.round(n.durationTicks * scale), velocity: n.velocity };
    prev = at;
    const ev = order.map((r) => nearest(table(r), values[r]));
    worst = Math.max(worst, Math.abs(table('delay')[ev[D]] - values.delay));
    events.push(ev);
  }
  for (const [note, count] of dropped) warnings.push(`${song.file}: note ${note} has no class in this model; ${count} hit(s) dropped`);
  if (worst > 0) warnings.push(`${song.file}: some delays are not in the model's table; moved by up to ${worst} ticks`);
  return { events, warnings };
}

/** How an event sounds: the value of a head, and the velocity and duration of models without those heads. */
interface EventSound extends Omit<Heads, 'order' | 'table'> {
  readonly valueOf: (e: ArrayLike<number>, head: number) => number;
  readonly velocity: number;
  readonly channel: number;
  readonly fixedDuration: number;
}

/** Each event as a note, its tick the sum of the delays so far. */
function notesFromEvents(events: readonly (readonly number[])[], s: EventSound): NoteOut[] {
  const { P, D, U, V, valueOf, velocity, channel, fixedDuration } = s;
  let tick = 0;
  return events.map((e) => {
    tick += valueOf(e, D);
    const v = V >= 0 ? valueOf(e, V) : velocity;
    return { tick, note: valueOf(e, P), velocity: Math.max(1, Math.min(127, Math.round(v))), channel, durationTicks: U >= 0 ? Math.max(1, valueOf(e, U)) : fixedDuration };
  });
}

/** One line per pitch played, highest first, over a column per step: x where a note starts. */
function eventsGridText(notes: readonly NoteOut[], spq: number, ticksPerStep: number, stepsPerBar: number): string {
  const used = [...new Set(notes.map((n) => n.note))].sort((a, b) => b - a);
  const cols = Math.ceil((notes.length ? notes[notes.length - 1].tick + 1 : 0) / ticksPerStep);
  // a model's long delays must not turn into a row of a billion cells
  if (cols > MAX_SONG_STEPS) throw new RangeError(`these events span ${cols.toLocaleString('en-US')} steps, more than the ${MAX_SONG_STEPS.toLocaleString('en-US')} a grid shows; write them to a MIDI file instead`);
  return used
    .map((note) => {
      const row: string[] = Array.from({ length: cols }, (_, c) => (c % spq === 0 ? '.' : ' '));
      for (const n of notes) if (n.note === note) row[Math.round(n.tick / ticksPerStep)] = 'x';
      return `${String(note).padEnd(11)}${row.map((ch, c) => (c > 0 && c % stepsPerBar === 0 ? '|' : '') + ch).join('')}`;
    })
    .join('\n');
}

registerCodec('note-events', (spec: ModelSpec, play: PlayOptions) => {
  const m = spec.meta as Record<string, unknown>;
  const heads = (m.tables ?? {}) as Partial<Record<HeadRole, number[]>>;
  const order = Array.isArray(m.headRoles) ? (m.headRoles as HeadRole[]) : undefined;
  return noteEventsCodec({
    heads,
    order,
    ticksPerQuarter: typeof m.ticksPerQuarter === 'number' ? m.ticksPerQuarter : 24,
    stepsPerQuarter: typeof m.stepsPerQuarter === 'number' ? m.stepsPerQuarter : 4,
    start: m.start as Partial<Record<HeadRole, number>> | undefined,
    // trained on the notes outside the drum part (events-dataset.ts), so read the same ones;
    // a file that is all drum part (a tune on channel 10) is read whole, with a warning
    part: melodyPart,
    ...play,
  });
});
