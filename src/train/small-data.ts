/**
 * Settings that fit a musician's small folder, picked where the command left them out and
 * said in the log, from what `bench/finetune.ts` measured (one Groove MIDI Dataset drummer's
 * files as the folder, the rest of that drummer's files held out; `bench/results/finetune.json`):
 *
 * - From scratch, a folder under `SMALL_FOLDER_STEPS` gives a 2×256 model with a 64-window
 *   batch only a few batches an epoch, and it scored worst on the held-out files. A 1×64 LSTM
 *   with dropout 0.5 scored better (held-out hit NLL 2.40 against 2.90–3.06 on 40 files, 2.92
 *   against 3.08 on 20); the batch shrinks until an epoch holds `MIN_BATCHES` of them (never
 *   under 8), patience grows to 4 and the epochs to 60, since every such run was still
 *   improving at 20. The smaller model is picked for drum folders, where it was measured;
 *   every setting the command gives is kept.
 *   A drum, chord or note-event folder this small learns far more as a fine-tune of the
 *   shipped model of its encoding (1.30 against 2.40), so the log proposes that command.
 * - A fine-tune whose validation is the held-out end of the very files it trains on keeps
 *   improving there long after it stops improving on the musician's other files: it trains
 *   `HELD_OUT_END_EPOCHS` epochs unless told otherwise.
 *
 * @example
 * const fit = fitSmallFolder(opts, given, task, { fineTune: false, data: 'my-grooves', out: 'my-model' });
 * fit.lines.forEach(log); opts = fit.opts;
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../io/package-root.js';
import type { RunSettings } from './checkpoint.js';
import { HELD_OUT_END } from './held-out-end.js';
import { shellWord } from './next-steps.js';
import { splitSizes, type TrainingTask } from './task.js';

/** Under this many training steps (notes, frames) a folder is small. */
export const SMALL_FOLDER_STEPS = 20_000;
/** Batches an epoch should hold at least, from scratch on a small folder. */
export const MIN_BATCHES = 16;
/** The smallest batch picked. */
export const MIN_BATCH = 8;
/** Patience picked for a small folder from scratch. */
export const SMALL_PATIENCE = 4;
/** Most epochs for a small folder from scratch (patience stops it first). */
export const SMALL_EPOCHS = 60;
/** The model a small folder trains from scratch: one layer of 64 units, dropout 0.5. */
export const SMALL_MODEL = { units: 64, layers: 1, dropout: 0.5 } as const;
/** Epochs of a fine-tune whose validation is the end of its own training files. */
export const HELD_OUT_END_EPOCHS = 5;

/** The shipped model of each encoding a small folder can be fine-tuned from. */
const SHIPPED: Record<string, string> = {
  'drum-grid': 'drums-gmd',
  'drum-expressive': 'drums-expressive',
  'piano-roll': 'chords-jsb',
  'note-events': 'keys-chorales-events',
};

/** What the command gave: a setting given is never changed. */
type Given = Partial<Record<'batch' | 'patience' | 'epochs' | 'units' | 'layers' | 'dropout', number | undefined>>;

export interface SmallFolderFit {
  opts: RunSettings;
  /** Log lines saying what was picked and why, and the fine-tune to try. */
  lines: string[];
}

/** A power of two from `MIN_BATCH` to `batch` that gives an epoch of `windows` at least `MIN_BATCHES` batches, where one can. */
function smallBatch(windows: number, batch: number): number {
  let b = batch;
  // halving stops where it no longer adds a batch (a folder of a few windows gains nothing)
  while (b > MIN_BATCH && Math.ceil(windows / b) < MIN_BATCHES && Math.ceil(windows / (b / 2)) > Math.ceil(windows / b)) b /= 2;
  return Math.max(MIN_BATCH, Math.min(batch, b));
}

/**
 * The run's settings fitted to a small folder: only settings the command left out change, and
 * only for a new run (a resumed run keeps its checkpoint's).
 */
export function fitSmallFolder(opts: RunSettings, given: Given, task: TrainingTask, o: { fineTune: boolean; data: string; out: string }): SmallFolderFit {
  const lines: string[] = [];
  const out = { ...opts };
  if (o.fineTune) {
    if (task.validationFrom === HELD_OUT_END && given.epochs === undefined) {
      out.epochs = Math.min(out.epochs, HELD_OUT_END_EPOCHS);
      lines.push(`--epochs ${out.epochs}: validation is the end of the files this fine-tune trains on, which keeps improving after the model stops improving on other grooves (give --epochs to change it)`);
    }
    return { opts: out, lines };
  }
  const steps = splitSizes(task).train.size;
  if (steps >= SMALL_FOLDER_STEPS) return { opts: out, lines };
  const picked: string[] = [];
  const windows = task.windows(out.window, out.seed, 0).length;
  if (given.batch === undefined) {
    const b = smallBatch(windows, out.batch);
    if (b !== out.batch) {
      out.batch = b;
      picked.push(`--batch ${b} (${Math.ceil(windows / b)} batches an epoch)`);
    }
  }
  // the smaller model was measured on drum folders; other encodings keep their size
  const drums = task.encoding === 'drum-grid' || task.encoding === 'drum-expressive';
  for (const k of ['units', 'layers', 'dropout'] as const) {
    if (drums && given[k] === undefined && out[k] !== SMALL_MODEL[k]) {
      out[k] = SMALL_MODEL[k];
      picked.push(`--${k} ${SMALL_MODEL[k]}`);
    }
  }
  if (given.patience === undefined && out.patience < SMALL_PATIENCE) {
    out.patience = SMALL_PATIENCE;
    picked.push(`--patience ${SMALL_PATIENCE}`);
  }
  if (given.epochs === undefined && out.epochs < SMALL_EPOCHS) {
    out.epochs = SMALL_EPOCHS;
    picked.push(`--epochs ${SMALL_EPOCHS}`);
  }
  lines.push(`a small folder (${steps} training steps, under ${SMALL_FOLDER_STEPS}): ${picked.length ? `picked ${picked.join(', ')}, which scored better on held-out files than the 2×256 defaults (bench/finetune.ts); give any of them to change it` : 'kept the settings given'}`);
  const shipped = task.encoding in SHIPPED ? join(packageRoot(), 'weights', SHIPPED[task.encoding]) : null;
  if (shipped && existsSync(join(shipped, 'model.json'))) {
    lines.push(`a folder this small learns far more as a fine-tune of the shipped ${SHIPPED[task.encoding]} model than from scratch (bench/finetune.ts): pulse-rnn train --from ${shellWord(shipped)} --data ${shellWord(o.data)} --out ${shellWord(o.out)}`);
  }
  return { opts: out, lines };
}
