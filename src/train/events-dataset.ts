/**
 * Note events for Howl-style models: every note outside the drum part becomes one event of
 * pitch, delay since the previous onset, duration and velocity, in pulses (24 per quarter),
 * each snapped to a class of the model's tables. Training windows are augmented on the fly as
 * Howl does: transposed by up to ±11 semitones, time-warped by a factor from 0.5 to 2, and played
 * 0.8 to 1 times as loud; see `randomAugment` for how a quantized piece keeps its grid and a
 * transposition the data's own pitch range.
 *
 * @example
 * const ds = buildEventsDataset({ dir: 'piano/' });
 * const task = eventsTask(ds);            // for train()
 */
import type { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import type { MidiSong } from '../io/midi-read.js';
import { melodicNotes } from '../music/drum-part.js';
import { noteEventsCodec, type HeadRole } from '../music/note-events.js';
import { isVoiceFramesFile, readVoiceFrames } from './chorale-notes.js';
import { heldOutWords, holdOutEnds, validationOrNone } from './held-out-end.js';
import { csvNotInFolder, emptyTrainingSplit, heldOutWarnings, listMidi, noMidiFiles, songsOf, splitsFromCsv, SPLITS, type SplitName } from './dataset.js';
import type { Batch, RnnShape } from './rnn-model.js';
import { logFrequencies, meanNll, windowStarts, type TrainingTask } from './task.js';

export const PULSES_PER_QUARTER = 24;

/** One note in pulses, before snapping to classes (augmentation works on these). */
export interface RawNote {
  pitch: number;
  onset: number;
  duration: number;
  velocity: number;
}

export interface EventTables {
  pitch: number[];
  delay: number[];
  duration: number[];
  velocity: number[];
}

/**
 * A piece's notes and the time grid, in pulses, its augmentation keeps to: the data's grid
 * (the finest grid of the training pieces written on one) for a piece on a grid, 1 for a
 * performance played off any grid.
 */
export interface EventsPiece {
  file: string;
  notes: RawNote[];
  grid: number;
}

export interface EventsDataset {
  readonly tables: EventTables;
  readonly splits: Record<SplitName, EventsPiece[]>;
  readonly summary: { files: number; used: Record<SplitName, number>; notes: Record<SplitName, number>; skipped: { file: string; reason: string }[]; outOfRange: number; warnings: string[]; validationFrom: string };
}

export interface EventsDatasetOptions {
  dir: string;
  csv?: string;
  seed?: number;
  minPitch?: number;
  maxPitch?: number;
  /** Longest delay and duration, in pulses (default 96: a 4/4 bar). */
  maxDelay?: number;
  maxDuration?: number;
  velocityLevels?: number;
  /** The tables whole, in place of those the options above make (a fine-tune keeps its parent's). */
  tables?: EventTables;
}

export const ROLES: readonly HeadRole[] = ['pitch', 'delay', 'duration', 'velocity'];

export function defaultTables(o: Omit<EventsDatasetOptions, 'dir'> = {}): EventTables {
  const lo = o.minPitch ?? 21;
  const hi = o.maxPitch ?? 108;
  const levels = o.velocityLevels ?? 8;
  return {
    pitch: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i),
    delay: Array.from({ length: (o.maxDelay ?? 96) + 1 }, (_, i) => i),
    duration: Array.from({ length: o.maxDuration ?? 96 }, (_, i) => i + 1),
    velocity: Array.from({ length: levels }, (_, i) => Math.round((127 * (i + 1)) / levels)),
  };
}

function rawNotes(song: MidiSong): RawNote[] {
  const k = PULSES_PER_QUARTER / song.ticksPerQuarter;
  return melodicNotes(song)
    .map((n) => ({ pitch: n.note, onset: n.tick * k, duration: n.durationTicks * k, velocity: n.velocity }))
    .sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}

interface Pieces {
  readonly pieces: { name: string; split: SplitName; notes: RawNote[] }[];
  /** Pieces (or MIDI files) found. */
  readonly found: number;
  /** The MIDI files read and their CSV split (none for a voice-frames file). */
  readonly files: string[];
  readonly fromCsv: Map<string, SplitName> | null;
}

/** Each piece's notes and split: a voice-frames file's own (see chorale-notes.ts), or a folder's MIDI files split by CSV or at random. */
function piecesOf(o: EventsDatasetOptions, skipped: { file: string; reason: string }[]): Pieces {
  if (isVoiceFramesFile(o.dir)) {
    if (o.csv) throw new Error(`${o.dir} holds its own train, valid and test split; leave out --csv ${o.csv}`);
    const set = readVoiceFrames(o.dir);
    const pieces = SPLITS.flatMap((split) => set.splits[split].map((p) => ({ name: p.file, split, notes: p.notes })));
    return { pieces, found: pieces.length, files: [], fromCsv: null };
  }
  const files = listMidi(o.dir, skipped);
  if (files.length === 0) throw noMidiFiles(o.dir, skipped);
  const fromCsv = o.csv ? splitsFromCsv(o.csv, o.dir, files) : null;
  const rng = new Rng(o.seed ?? 1);
  const pieces: Pieces['pieces'] = [];
  // one song at a time: only its notes are kept
  for (const { name, split, song } of songsOf(o.dir, files, fromCsv, rng, [0.1, 0.1], skipped)) pieces.push({ name, split, notes: rawNotes(song) });
  return { pieces, found: files.length, files, fromCsv };
}

export function buildEventsDataset(o: EventsDatasetOptions): EventsDataset {
  const tables = o.tables ?? defaultTables(o);
  const skipped: { file: string; reason: string }[] = [];
  const byFile: EventsDataset['splits'] = { train: [], validation: [], test: [] };
  let outOfRange = 0;
  const lo = tables.pitch[0];
  const hi = tables.pitch[tables.pitch.length - 1];
  const { pieces, found, files, fromCsv } = piecesOf(o, skipped);
  for (const { name, split, notes } of pieces) {
    const kept = notes.filter((n) => n.pitch >= lo && n.pitch <= hi);
    outOfRange += notes.length - kept.length;
    if (kept.length < 2) {
      skipped.push({ file: name, reason: notes.length ? `fewer than 2 notes in the range ${lo}..${hi}` : 'no notes outside the drum part' });
      continue;
    }
    byFile[split].push({ file: name, notes: kept, grid: timeGrid(kept) });
  }
  // a folder too small to give validation a file holds out the end of each training file instead
  const { splits, method: validationFrom } = holdOutEnds(byFile, (f) => f.notes.length, cutPiece);
  // a piece that happens to hold only quarters may still be halved into the data's eighths
  const dataGrid = splits.train.reduce((g, f) => (f.grid > 1 ? gcd(g, f.grid) : g), 0);
  for (const s of SPLITS) for (const f of splits[s]) f.grid = f.grid > 1 ? (dataGrid > 1 ? dataGrid : f.grid) : 1;
  // files per split as the split by file gave them (an end held out is not a file of its own)
  const used = Object.fromEntries(SPLITS.map((s) => [s, byFile[s].length])) as Record<SplitName, number>;
  const notes = Object.fromEntries(SPLITS.map((s) => [s, splits[s].reduce((a, f) => a + f.notes.length, 0)])) as Record<SplitName, number>;
  if (notes.train === 0) throw emptyTrainingSplit(o.dir, found, skipped, used.validation + used.test, o.csv, 'note-events');
  const warnings: string[] = [];
  if (notes.train < 20000) warnings.push(`only ${notes.train} training notes: a model will memorize them (overfit)`);
  if (outOfRange) warnings.push(`${outOfRange} note(s) outside the pitch range ${lo}..${hi} were dropped`);
  warnings.push(...heldOutWarnings(splits, (f) => f.notes.length, 'notes', fromCsv !== null, validationFrom));
  warnings.push(...csvNotInFolder(fromCsv, files, o.csv, o.dir));
  return { tables, splits, summary: { files: found, used, notes, skipped, outOfRange, warnings, validationFrom } };
}

/** A piece's notes before note `at` and from it; the end keeps its first note's delay after the note before it. */
function cutPiece(f: EventsPiece, at: number): [EventsPiece, EventsPiece] {
  const from = f.notes[at - 1].onset;
  return [
    { ...f, notes: f.notes.slice(0, at) },
    { ...f, file: `${f.file} (end)`, notes: f.notes.slice(at).map((n) => ({ ...n, onset: n.onset - from })) },
  ];
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The coarsest grid, in pulses, that every onset and duration of the notes lies on (at the
 * model's resolution, whole pulses): 6 for a piece written in 16ths, 8 in 16th triplets, 2 for
 * 16ths mixed with triplets, 1 for a performance played off any grid.
 *
 * @example
 * timeGrid([{ pitch: 60, onset: 0, duration: 12, velocity: 90 }, { pitch: 62, onset: 12, duration: 6, velocity: 90 }]); // 6
 */
export function timeGrid(notes: readonly RawNote[]): number {
  let g = 0;
  for (const n of notes) {
    g = gcd(g, Math.round(n.onset));
    g = gcd(g, Math.round(n.duration));
    if (g === 1) return 1;
  }
  return Math.max(1, g);
}

const nearest = (table: readonly number[], v: number): number => {
  // tables are sorted: binary search, then the closer neighbour
  let a = 0;
  let b = table.length - 1;
  while (a < b) {
    const m = (a + b) >> 1;
    if (table[m] < v) a = m + 1;
    else b = m;
  }
  return a > 0 && Math.abs(table[a - 1] - v) <= Math.abs(table[a] - v) ? a - 1 : a;
};

export interface Augment {
  transpose: number;
  warp: number;
  volume: number;
}
export const NO_AUGMENT: Augment = { transpose: 0, warp: 1, volume: 1 };

/** Class indices [pitch, delay, duration, velocity] of notes[from..to), the first delay from notes[from-1]. */
export function encodeEvents(notes: readonly RawNote[], from: number, to: number, tables: EventTables, aug: Augment, out: Int32Array[], at = 0): void {
  for (let i = from; i < to; i++) {
    const n = notes[i];
    const prevOnset = i > 0 ? notes[i - 1].onset : 0;
    const j = at + i - from;
    out[0][j] = nearest(tables.pitch, n.pitch + aug.transpose);
    out[1][j] = nearest(tables.delay, Math.round((n.onset - prevOnset) * aug.warp));
    out[2][j] = nearest(tables.duration, Math.round(n.duration * aug.warp));
    out[3][j] = nearest(tables.velocity, n.velocity * aug.volume);
  }
}

/** The event a model reads before the first note. */
export const startValues = { pitch: 60, delay: 0, duration: 6, velocity: 96 };

export function eventsTask(ds: EventsDataset, o: { augment?: boolean } = {}): TrainingTask {
  const { tables } = ds;
  const train = ds.splits.train;
  const vocab = ROLES.map((r) => tables[r].length);
  const start = ROLES.map((r) => nearest(tables[r], startValues[r]));
  const bounds = augmentBounds(ds);
  const meta = { encoding: 'note-events', ticksPerQuarter: PULSES_PER_QUARTER, stepsPerQuarter: 4, tables, headRoles: ROLES, start: startValues, inputs: ROLES.map((r) => ({ name: r, onehot: true })) };
  const codec = noteEventsCodec({ heads: tables, order: ROLES, ticksPerQuarter: PULSES_PER_QUARTER, start: startValues });
  const augmentFor = (f: EventsPiece, from: number, to: number, rng: Rng): Augment => (o.augment === false ? NO_AUGMENT : randomAugment(f.notes, from, to, f.grid, bounds, rng));
  return {
    encoding: 'note-events',
    summary: eventsSummary(ds),
    validationFrom: ds.summary.validationFrom,
    shape: (units: number, layers: number): RnnShape => ({
      inputs: ROLES.map((r, i) => ({ name: r, vocab: vocab[i], key: r })),
      heads: ROLES.map((r, i) => ({ name: r, vocab: vocab[i], key: r })),
      units,
      layers,
    }),
    windows: (L, seed, epoch) => windowStarts(train.map((f) => f.notes.length), L, seed, epoch),
    batch(wins, L, rng): Batch {
      return eventsBatch({ train, tables, start, augmentFor }, wins, L, rng);
    },
    logFrequencies(h) {
      const seqs = train.map((f) => {
        const ev = ROLES.map(() => new Int32Array(f.notes.length));
        encodeEvents(f.notes, 0, f.notes.length, tables, NO_AUGMENT, ev);
        return ev[h];
      });
      return logFrequencies(vocab[h], seqs);
    },
    validationNll(net: Network) {
      const files = validationOrNone(ds.splits.validation);
      if (!files) return NaN;
      return meanNll(net, codec, files.map((f) => eventsOf(f, tables)));
    },
    sequences: (split) => ds.splits[split].map((f) => eventsOf(f, tables)),
    meta: () => meta,
  };
}

/** The dataset in a few lines for the training log: files and notes per split, the first files skipped, the warnings. */
function eventsSummary(ds: EventsDataset): string {
  return [
    `dataset: note events from ${ds.summary.files} files; used ${ds.summary.used.train} train, ${ds.summary.used.validation} validation, ${ds.summary.used.test} test; ${ds.summary.skipped.length} skipped`,
    ...(heldOutWords(ds.summary.validationFrom) ? [heldOutWords(ds.summary.validationFrom) as string] : []),
    `notes: ${ds.summary.notes.train} train, ${ds.summary.notes.validation} validation, ${ds.summary.notes.test} test`,
    ...ds.summary.skipped.slice(0, 10).map((s) => `skipped ${s.file}: ${s.reason}`),
    ...ds.summary.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}

/** What a window's augmentation keeps to: the training data's pitch range, the tables' longest delay and duration, and whether the data's notes differ in loudness. */
export interface AugmentBounds {
  lo: number;
  hi: number;
  maxDelay: number;
  maxDuration: number;
  loudness: boolean;
}

/** The bounds of a dataset: its training notes' lowest and highest pitch, its tables' ends, whether its velocities vary. */
export function augmentBounds(ds: EventsDataset): AugmentBounds {
  let lo = Infinity;
  let hi = -Infinity;
  const velocities = new Set<number>();
  for (const f of ds.splits.train) for (const n of f.notes) (lo = Math.min(lo, n.pitch)), (hi = Math.max(hi, n.pitch)), velocities.add(n.velocity);
  const { delay, duration } = ds.tables;
  return { lo, hi, maxDelay: delay[delay.length - 1], maxDuration: duration[duration.length - 1], loudness: velocities.size > 1 };
}

/**
 * A random augmentation of notes[from..to) as Howl draws it: a transposition of up to ±11
 * semitones, a time warp from 0.5 to 2 (as likely slower as faster), a volume from 0.8 to 1.
 *
 * The transposition keeps the window inside the pitches the training data plays (not the
 * whole table): it teaches that a tune means the same in another key, not registers no piece
 * uses. A performance (grid 1) takes Howl's warp as drawn. A piece on a grid takes the draw
 * rounded to a power of two (log-uniform 0.5–2 rounds to ½ a quarter of the time, 1 half, 2 a
 * quarter), and 1 where that would leave the grid or the tables: halving only when every delay
 * and duration of the window is an even number of grid steps, doubling only while every value
 * stays within the tables. Halving or doubling every value keeps each rhythm as written, a
 * score in other note values; a continuous factor would move values off the grid (a 16th at
 * 1.3 is 8 pulses, a value quantized music never holds) and snapping back would rewrite the
 * rhythm (four even 16ths at 1.25 snap to 6, 6, 12 and 6 pulses).
 *
 * Data whose notes all have one velocity (a score, voice frames) holds no loudness: its volume
 * stays 1. Scaled, each window would play at a level of its own that the data never plays, and
 * the model, which reads the previous note's level, would learn everything else under a
 * loudness that changes from window to window (on the chorales that cost more than the warp and
 * the transposition together).
 */
export function randomAugment(notes: readonly RawNote[], from: number, to: number, grid: number, b: AugmentBounds, rng: Rng): Augment {
  let pmin = Infinity;
  let pmax = -Infinity;
  for (let i = from; i < to; i++) (pmin = Math.min(pmin, notes[i].pitch)), (pmax = Math.max(pmax, notes[i].pitch));
  const down = Math.max(-11, b.lo - pmin);
  const up = Math.min(11, b.hi - pmax);
  const transpose = up >= down ? down + rng.int(up - down + 1) : 0;
  const howl = Math.exp((rng.next() * 2 - 1) * Math.log(2));
  const warp = grid > 1 ? gridWarp(notes, from, to, grid, 2 ** Math.round(Math.log2(howl)), b) : howl;
  const volume = 0.8 + 0.2 * rng.next();
  return { transpose, warp, volume: b.loudness ? volume : 1 };
}

/** `factor` (½, 1 or 2) if every delay and duration of the window stays on the grid and the tables under it, else 1. */
function gridWarp(notes: readonly RawNote[], from: number, to: number, grid: number, factor: number, b: AugmentBounds): number {
  if (factor === 1) return 1;
  const fits = (v: number, max: number) => (factor < 1 ? v % (2 * grid) === 0 : v > max || v * factor <= max);
  for (let i = from; i < to; i++) {
    const delay = Math.round(notes[i].onset - (i > 0 ? notes[i - 1].onset : 0));
    if (!fits(delay, b.maxDelay) || !fits(Math.round(notes[i].duration), b.maxDuration)) return 1;
  }
  return factor;
}

/** A file's notes as events, one token per head, without augmentation. */
function eventsOf(f: { notes: RawNote[] }, tables: EventTables): number[][] {
  const ev = ROLES.map(() => new Int32Array(f.notes.length));
  encodeEvents(f.notes, 0, f.notes.length, tables, NO_AUGMENT, ev);
  return Array.from({ length: f.notes.length }, (_, i) => ROLES.map((_, h) => ev[h][i]));
}

/** What training windows are cut from: the training files, the tables, the start event and each window's augmentation. */
interface WindowSource {
  readonly train: readonly EventsPiece[];
  readonly tables: EventTables;
  readonly start: readonly number[];
  readonly augmentFor: (piece: EventsPiece, from: number, to: number, rng: Rng) => Augment;
}

/**
 * Training windows of L notes, each augmented on its own: the input at a step is the event
 * before it (the start event at a file's first note), the target the event itself; steps past
 * a file's end weigh 0.
 */
function eventsBatch(w: WindowSource, wins: [number, number][], L: number, rng: Rng): Batch {
  const { train, tables, start } = w;
  const B = wins.length;
  const inputs = ROLES.map(() => new Int32Array(B * L));
  const targets = ROLES.map(() => new Int32Array(B * L));
  const weights = new Float32Array(B * L);
  const ev = ROLES.map(() => new Int32Array(L + 1));
  wins.forEach(([fi, startAt], b) => {
    const notes = train[fi].notes;
    const from = Math.max(0, startAt - 1); // one note before the window: the first input
    const to = Math.min(notes.length, startAt + L);
    const aug = w.augmentFor(train[fi], from, to, rng);
    encodeEvents(notes, from, to, tables, aug, ev);
    for (let t = 0; t < L; t++) {
      const k = startAt + t;
      if (k >= notes.length) break;
      const i = b * L + t;
      for (let h = 0; h < ROLES.length; h++) {
        inputs[h][i] = k === 0 ? start[h] : ev[h][k - 1 - from];
        targets[h][i] = ev[h][k - from];
      }
      weights[i] = 1;
    }
  });
  return { B, L, inputs, targets, weights };
}
