/**
 * `train --from <model folder>`: what a fine-tuning run takes from its parent and how it
 * differs from a run from scratch: the parent fixes the encoding and shape (a flag that
 * contradicts them is refused, naming the flag, the parent's value and the folder), the
 * settings suit little data unless given (a quarter of the default learning rate, patience 2, at
 * most 30 epochs, the parent's own dropout), the weights start as the parent's, and the
 * model's metadata names the parent (`training.from`). A calibration fitted to the parent is
 * not carried over: the log says how to refit it.
 *
 * @example
 * const parent = await parentOf({ from: 'weights/drums-gmd', ... }, null);
 * const opts = runSettings(o, given, fineTuneDefaults(parent.record));
 * await parent.setWeights(model, opts.learningRate);
 */
import { realOrResolved } from '../io/real-path.js';
import { BY_FILE } from './held-out-end.js';
import type { Checkpoint, RunSettings } from './checkpoint.js';
import { parentConflicts, parentWeights, readParent, type ParentRecord } from './parent-model.js';
import type { RnnModel } from './rnn-model.js';
import type { TrainingTask } from './task.js';
import { shellWord } from './next-steps.js';

/**
 * What a fine-tune uses unless told otherwise: a quarter of a new run's learning rate (2e-3),
 * and an early stop, for a few files. A tenth (2e-4) stopped before it had learnt a new
 * drummer's grooves: fine-tuned on 20 of them, the held-out hit NLL fell 1.7% at 2e-4 and 4.0%
 * at 5e-4 (bench/finetune.ts, a parent that never heard the drummer).
 */
export const FINE_TUNE_DEFAULTS = { learningRate: 5e-4, patience: 2, epochs: 30 } as const;

export interface FineTune {
  record: ParentRecord;
  /** Start `model` from the parent's weights (a new run only: a resumed one has its checkpoint's). */
  setWeights(model: RnnModel, learningRate: number): Promise<void>;
  /** The parent's metadata held a calibration (fitted to it, so not carried over). */
  calibrated: boolean;
}

/** The run's parent: `o.from` read and checked against the flags given, or, on `--resume`, the one its checkpoint records. */
export async function parentOf(o: { from?: string; out: string; resume?: boolean; encoding?: string; cell?: string; units?: number; layers?: number; stepsPerQuarter?: number; keyOrder?: string }, ck: Checkpoint | null): Promise<FineTune | null> {
  if (ck) {
    const had = ck.from;
    if (o.from !== undefined && !had) throw new Error(`--from ${o.from}: the run in ${o.out} was trained from scratch, not fine-tuned; --resume continues it as it was (leave out --from), or start a fine-tune with --force (or another --out)`);
    if (o.from !== undefined && had && realOrResolved(o.from) !== had.path) throw new Error(`--from ${o.from}: the run in ${o.out} fine-tunes ${had.model} (${had.path}); --resume continues it from that parent (leave out --from, or give it), or start a fine-tune of ${o.from} with --force (or another --out)`);
    return had ? { record: had, calibrated: false, setWeights: async () => {} } : null;
  }
  if (o.from === undefined) return null;
  const parent = await readParent(o.from);
  const conflicts = parentConflicts(o, parent.record);
  if (conflicts.length) {
    throw new Error(`--from ${o.from}: a fine-tune keeps its parent's encoding and shape, and ${conflicts.length === 1 ? 'this flag contradicts it' : `${conflicts.length} flags contradict them`}: ${conflicts.join(', ')}. Leave ${conflicts.length === 1 ? 'it' : 'them'} out, or train a new model from scratch without --from`);
  }
  return {
    record: parent.record,
    calibrated: (parent.spec.meta as Record<string, unknown>).calibration !== undefined,
    async setWeights(model, learningRate) {
      const weights = parentWeights(parent, model.shape);
      await model.setState({ weights, optimizer: [], lr: learningRate });
    },
  };
}

/** A fine-tune's settings unless given: the parent's shape and dropout, and FINE_TUNE_DEFAULTS. */
export function fineTuneDefaults(p: ParentRecord): Partial<RunSettings> {
  const { encoding, cell, units, layers, dropout, stepsPerQuarter, keyOrder } = p.settings;
  return { encoding, cell, units, layers, dropout, ...FINE_TUNE_DEFAULTS, ...(stepsPerQuarter !== undefined ? { stepsPerQuarter } : {}), ...(keyOrder !== undefined ? { keyOrder } : {}) };
}

/** What the model's metadata records of its parent (`training.from`). */
export function parentMeta(p: ParentRecord): Record<string, unknown> {
  return { model: p.model, validationNll: p.validationNll, encoding: p.encoding, command: p.command };
}

/** The lines a fine-tune logs at its start: its parent, settings and validation; what the parent's range does to this folder's notes; a calibration not carried over. */
export function fineTuneLines(parent: FineTune, opts: RunSettings, task: TrainingTask, fresh: boolean, out: string, data: string): string[] {
  const p = parent.record;
  const validation = task.validationFrom && task.validationFrom !== BY_FILE ? task.validationFrom : 'held-out files (by file)';
  const lines = [`${fresh ? 'fine-tuning' : 'continuing the fine-tune of'} ${p.model} (${p.encoding}, ${opts.layers}×${opts.units} ${opts.cell}): lr ${opts.learningRate}, patience ${opts.patience}, epochs ${opts.epochs}, dropout ${opts.dropout}; validation: ${validation}`];
  const b = p.build;
  if (p.encoding === 'melody-grid') lines.push(`the parent plays pitches ${b.minPitch}..${b.maxPitch}: this folder's notes outside that range are moved by octaves into it (counted per file in the warnings above)`);
  if (p.encoding === 'note-events' && b.tables) lines.push(`the parent's tables hold pitches ${b.tables.pitch[0]}..${b.tables.pitch[b.tables.pitch.length - 1]}, delays and durations up to ${b.tables.delay[b.tables.delay.length - 1]} and ${b.tables.duration[b.tables.duration.length - 1]} pulses: notes outside the pitch range are dropped (counted in the warnings above)`);
  if (fresh && parent.calibrated) lines.push(`the parent's calibration (calibration.voiceBias) was fitted to the parent and is not carried over; refit it to the new model with: pulse-rnn calibrate --model ${shellWord(out)} --data ${shellWord(data)}`);
  return lines;
}

/** What a model's metadata says of the model it was fine-tuned from, for `eval`'s notes (none: trained from scratch). */
export function parentNotes(meta: Record<string, unknown>): string[] {
  const from = ((meta.training ?? {}) as Record<string, unknown>).from as Record<string, unknown> | undefined;
  if (!from || typeof from.model !== 'string') return [];
  const own = typeof from.validationNll === 'number' ? `, whose own validation NLL was ${from.validationNll} nats/step` : '';
  const how = typeof from.command === 'string' ? `; the parent was trained by: ${from.command}` : '';
  return [`fine-tuned from ${from.model} (${String(from.encoding)}${own})${how}`];
}
