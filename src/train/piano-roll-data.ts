/**
 * Piano-roll training data: each step the set of piano keys sounding, from either
 * - a folder of MIDI files: frames at `stepsPerQuarter` (default 4), each note sounding in every
 *   frame it covers (`framesOfSong`), the drum part skipped; split by a CSV or at random by file;
 * - one of the polyphonic benchmark JSON files (`polyphonic-data.ts`): its own train / valid /
 *   test splits, at the resolution its README gives (JSB Chorales: quarter notes, 1 step per
 *   quarter; Nottingham, Piano-midi.de, MuseData: eighths, 2), unless `stepsPerQuarter` says.
 *
 * @example
 * const task = pianoRollTask(readPianoRollData({ data: '../shared/data/polyphonic/jsb_chorales.json' }));
 * task.meta().stepsPerQuarter; // 1
 */
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import type { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { framesOfSong, LOWEST_KEY, PIANO_KEYS } from '../music/piano-roll-codec.js';
import { csvNotInFolder, heldOutWarnings, listMidi, noMidiFiles, songsOf, splitsFromCsv, SPLITS, type SplitName } from './dataset.js';
import { framesNll, keyLogits, PIANO_ROLL_META, pianoRollBatch, pianoRollShape, type KeyOrderOption } from './piano-roll.js';
import { heldOutWords, holdOutEnds, validationOrNone } from './held-out-end.js';
import { readPolyphonic, type Piece } from './polyphonic-data.js';
import { windowStarts, type TrainingTask } from './task.js';

export interface PianoRollDataOptions {
  /** A folder of MIDI files, or a polyphonic benchmark's JSON file. */
  data: string;
  csv?: string;
  seed?: number;
  stepsPerQuarter?: number;
}

export interface PianoRollData {
  readonly splits: Record<SplitName, Piece[]>;
  readonly stepsPerQuarter: number;
  /** What the data was: 'benchmark' (a JSON file of the polyphonic sets) or 'midi' (a folder). */
  readonly kind: 'benchmark' | 'midi';
  readonly skipped: { file: string; reason: string }[];
  readonly warnings: string[];
  /** How the validation split was chosen: by file (a benchmark's own splits too), or the held-out end of each training file. */
  readonly validationFrom?: string;
}

/**
 * Steps per quarter of a benchmark file, as its README gives them: JSB Chorales' frames are
 * quarter notes, the other sets' eighths.
 */
export function benchmarkStepsPerQuarter(file: string): number {
  return /jsb/i.test(basename(file)) ? 1 : 2;
}

export function readPianoRollData(o: PianoRollDataOptions): PianoRollData {
  let isFile = false;
  try {
    isFile = statSync(o.data).isFile();
  } catch {
    // a missing path is reported by listMidi, naming it
  }
  if (isFile) {
    if (o.csv) throw new Error(`--csv ${o.csv}: ${o.data} is a benchmark file with its own splits; a CSV splits a folder of MIDI files`);
    const set = readPolyphonic(o.data);
    const spq = o.stepsPerQuarter ?? benchmarkStepsPerQuarter(o.data);
    return { splits: { train: set.train, validation: set.valid, test: set.test }, stepsPerQuarter: spq, kind: 'benchmark', skipped: [], warnings: [] };
  }
  return midiFolder(o);
}

/** A folder of MIDI files as frames, each file one piece. */
function midiFolder(o: PianoRollDataOptions): PianoRollData {
  const spq = o.stepsPerQuarter ?? 4;
  const skipped: { file: string; reason: string }[] = [];
  const files = listMidi(o.data, skipped);
  if (files.length === 0) throw noMidiFiles(o.data, skipped);
  const warnings: string[] = [];
  const byFile: Record<SplitName, Piece[]> = { train: [], validation: [], test: [] };
  const fromCsv = o.csv ? splitsFromCsv(o.csv, o.data, files) : null;
  for (const { name, split, song } of songsOf(o.data, files, fromCsv, new Rng(o.seed ?? 1), [0.1, 0.1], skipped)) {
    let frames: number[][];
    try {
      const encoded = framesOfSong(song, spq);
      frames = encoded.events;
      warnings.push(...encoded.warnings);
    } catch (e) {
      skipped.push({ file: name, reason: (e as Error).message.replace(`${name}: `, '') });
      continue;
    }
    if (!frames.some((f) => f.includes(1))) {
      skipped.push({ file: name, reason: 'no notes outside the drum part' });
      continue;
    }
    byFile[split].push(frames.map(pitchesOf));
  }
  if (byFile.train.length === 0) {
    const held = byFile.validation.length + byFile.test.length;
    throw new Error(`${o.data}: the training split is empty: ${files.length} file(s), ${skipped.length} skipped (${skipped.slice(0, 3).map((s) => `${s.file}: ${s.reason}`).join('; ') || 'none'}), ${held} in validation/test`);
  }
  // a folder too small to give validation a file holds out the end of each training file instead
  const { splits, method: validationFrom } = holdOutEnds(byFile, (p) => p.length, (p, at) => [p.slice(0, at), p.slice(at)]);
  warnings.unshift(...heldOutWarnings(splits, (p) => p.length, 'frames', fromCsv !== null, validationFrom), ...csvNotInFolder(fromCsv, files, o.csv, o.data));
  return { splits, stepsPerQuarter: spq, kind: 'midi', skipped, warnings, validationFrom };
}

/** A frame of 0/1 keys as its sounding pitches. */
const pitchesOf = (bits: readonly number[]): number[] => {
  const out: number[] = [];
  for (let k = 0; k < PIANO_KEYS; k++) if (bits[k] === 1) out.push(LOWEST_KEY + k);
  return out;
};

/** A piece as the codec's events: one 0/1 per key a frame. */
export const pieceEvents = (piece: Piece): number[][] =>
  piece.map((f) => {
    const e = new Array<number>(PIANO_KEYS).fill(0);
    for (const p of f) e[p - LOWEST_KEY] = 1;
    return e;
  });

/** How the keys of a frame relate, as `train --key-order` names it. */
export const KEY_ORDERS = ['independent', 'direct', 'nade', 'nade+direct'] as const;
export type KeyOrderName = (typeof KEY_ORDERS)[number];

/** Units of the NADE that `--key-order nade` trains. */
export const NADE_UNITS = 32;

/** The trainer's option for a key order's name; a name it does not know is refused, naming the choices. */
export function keyOrderOption(name: string): KeyOrderOption {
  if (name === 'independent') return {};
  if (name === 'direct') return { order: 'direct' };
  if (name === 'nade' || name === 'nade+direct') return { order: 'nade', hidden: NADE_UNITS, direct: name === 'nade+direct' };
  throw new Error(`--key-order must be one of ${KEY_ORDERS.join(', ')}, got '${name}'`);
}

/**
 * The training task: the previous frame's keys in, the frame's keys out (88 Bernoulli units,
 * independent or in an order inside the frame, `keyOrder`).
 */
export function pianoRollTask(ds: PianoRollData, keyOrder: KeyOrderName = 'independent'): TrainingTask {
  const order = keyOrderOption(keyOrder);
  const train = ds.splits.train;
  const frames = (s: SplitName) => ds.splits[s].reduce((a, p) => a + p.length, 0);
  return {
    encoding: 'piano-roll',
    validationFrom: ds.validationFrom,
    summary: [
      `dataset: piano roll, ${ds.stepsPerQuarter} step(s) per quarter (${ds.kind === 'benchmark' ? 'a benchmark file, its own splits' : 'MIDI files'}); pieces ${SPLITS.map((s) => `${ds.splits[s].length} ${s}`).join(', ')}; ${ds.skipped.length} skipped`,
      `frames: ${SPLITS.map((s) => `${frames(s)} ${s}`).join(', ')}`,
      ...(heldOutWords(ds.validationFrom) ? [heldOutWords(ds.validationFrom) as string] : []),
      ...ds.skipped.slice(0, 10).map((s) => `skipped ${s.file}: ${s.reason}`),
      ...ds.warnings.slice(0, 10).map((w) => `warning: ${w}`),
    ].join('\n'),
    shape: (units, layers) => pianoRollShape(units, layers, order),
    windows: (L, seed, epoch) => windowStarts(train.map((p) => p.length), L, seed, epoch),
    batch: (wins, L) => pianoRollBatch(train, wins, L),
    // the head starts from each key's training frequency: the per-key baseline
    logFrequencies: () => keyLogits(train),
    validationNll(net: Network) {
      const valid = validationOrNone(ds.splits.validation);
      if (!valid) return NaN;
      return framesNll(net, valid).nll;
    },
    sequences: (split) => ds.splits[split].map(pieceEvents),
    meta: () => ({ ...PIANO_ROLL_META, stepsPerQuarter: ds.stepsPerQuarter, stepsPerBar: ds.stepsPerQuarter * 4, inputs: [{ name: 'keys', vector: true }] }),
  };
}
