/**
 * `pulse-rnn train`: a folder of MIDI files in, a weights folder the engine loads out.
 *
 * Every epoch: shuffled windows of the training sequences, Adam with gradient clipping, then
 * the validation NLL per step measured by the engine itself (full sequences from a zero
 * state, as the model will be played). The best model is exported; the learning rate halves
 * when validation stops improving, and training stops after `patience` epochs without gain.
 *
 * Nothing is ever half-written: the checkpoint is one file written under a temporary name and
 * renamed; the exported shard is named by its content and written before the model.json that
 * names it, which is itself renamed into place. A run killed at any moment resumes from its
 * last checkpoint (`--resume`) and continues exactly as it would have. The checkpoint lives
 * outside the model folder (see checkpoint.ts), and a new run never overwrites a model it did
 * not make: a folder that holds one is refused unless `force`, which moves that model aside.
 *
 * @example
 * await train({ data: 'grooves/', csv: 'grooves/info.csv', out: 'weights/my-drums', units: 256, layers: 2, epochs: 20 });
 */
import { appendFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BY_FILE, NO_VALIDATION } from './held-out-end.js';
import { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { buildDrumDataset } from './dataset.js';
import { buildEventsDataset, eventsTask } from './events-dataset.js';
import { buildMelodyDataset, melodyTask } from './melody-dataset.js';
import { pianoRollTask, readPianoRollData, type KeyOrderName } from './piano-roll-data.js';
import { RnnModel } from './rnn-model.js';
import { drumTask, type TrainingTask } from './task.js';
import { expressiveTask } from './expressive-task.js';
import { exportLayersModel } from './export.js';
import { removeLeftovers, writeAtomic } from '../io/atomic-file.js';
import { curvesSvg } from './curves.js';
import { CHECKPOINT, checkpointDir, encodeCheckpoint, readCheckpoint, settingConflicts, type Checkpoint, type EpochRecord, type RunSettings } from './checkpoint.js';
import { heldModel, moveAside } from './model-folder.js';
import { fitSmallFolder } from './small-data.js';
import { fineTuneDefaults, fineTuneLines, parentOf, parentMeta, type FineTune } from './fine-tune.js';
import { SHARD_NAME } from './files.js';
import { writeModelCard } from './model-card.js';
import { systemErrorLine } from '../io/system-error.js';
import { realOrResolved } from '../io/real-path.js';

export { decodeCheckpoint, readCheckpoint, checkpointDir, type EpochRecord } from './checkpoint.js';

export interface TrainOptions {
  data: string;
  /** Recurrent cell: lstm (default) or gru. */
  cell?: 'lstm' | 'gru';
  /** What a step is: drum-grid (default), melody-grid, note-events (Howl: pitch, delay, duration, velocity), or piano-roll (the keys sounding, chords). */
  encoding?: 'drum-grid' | 'drum-expressive' | 'melody-grid' | 'note-events' | 'piano-roll';
  /** Piano roll: frames per quarter (a MIDI folder: default 4; a benchmark file: as its README says, JSB 1, the others 2). */
  stepsPerQuarter?: number;
  /** Piano roll: how the keys of a frame relate (independent, direct, nade, nade+direct; default independent). */
  keyOrder?: KeyOrderName;
  /** Note events: transpose, time-warp and volume augmentation on the fly (default on). */
  augment?: boolean;
  csv?: string;
  out: string;
  units?: number;
  layers?: number;
  /** Most epochs; on `resume`, the checkpoint's budget unless given. */
  epochs?: number;
  batch?: number;
  window?: number;
  learningRate?: number;
  dropout?: number;
  clip?: number;
  seed?: number;
  patience?: number;
  /**
   * Continue the run in `out` from its checkpoint. Settings left undefined are the checkpoint's;
   * a setting given with another value than the checkpoint's is refused by name.
   */
  resume?: boolean;
  /** Start a new run even though `out` holds a model or a run (the model is moved into `out/replaced-<time>/`). */
  force?: boolean;
  /**
   * Fine-tune: start from the model in this folder, with its encoding and shape (a flag that
   * contradicts them is refused), settings suited to little data (fine-tune.ts FINE_TUNE_DEFAULTS) and
   * its weights, every one, as they are; its score on this folder's validation is epoch 0.
   */
  from?: string;
  /** Where the checkpoint is kept (default: `checkpointDir(out)`, a cache folder outside the model folder). */
  checkpointDir?: string;
  /** Stop after this many batches in total (for tests and quick trials). */
  maxBatches?: number;
  /** Checkpoint every this many batches too (default: only at the end of each epoch). */
  checkpointEvery?: number;
  backend?: 'wasm' | 'cpu';
  /** The command line that started the run, for the model card. */
  command?: string;
  /** Progress output; default a progress bar on stderr. */
  progress?: boolean;
  /**
   * Signals that stop the run after the batch in progress, with a checkpoint of that place
   * (the command passes SIGINT and SIGTERM, so Ctrl-C keeps what was trained). A second one
   * ends the process at once.
   */
  stopOn?: NodeJS.Signals[];
  log?: (line: string) => void;
}

export interface TrainResult {
  history: EpochRecord[];
  best: number;
  out: string;
  /** Whether `out` holds an exported model (a run stopped by `maxBatches` in its first epoch has none yet). */
  exported: boolean;
  /** Why the run ended: its epochs used up, `patience` epochs without gain, `maxBatches`, or a signal of `stopOn`. */
  ended: 'epochs' | 'patience' | 'maxBatches' | 'stopped';
  /** Epochs done. */
  epoch: number;
  /** Batches done in the epoch after those (a run stopped within an epoch). */
  batchInEpoch: number;
  /** The checkpoint file, for `resume`. */
  checkpoint: string;
  /** Files in each split of the data, so what is printed next scores a split that holds some. */
  files: { train: number; validation: number; test: number };
}

/**
 * Claim `o.out` for this run: resume its checkpoint, or start a new run where nothing would be
 * overwritten (or, with `force`, after moving the model there aside). Returns the checkpoint to
 * resume (null: a new run), the path checkpoints are written to, a checkpoint file an earlier
 * version left inside the model folder, to remove once the new one is written, and `claim`,
 * which moves a model aside (force) and makes the folders: called once the data has been read,
 * so a run refused for its data leaves nothing.
 */
function claimFolder(o: TrainOptions, given: Partial<RunSettings>, log: (s: string) => void): { ck: Checkpoint | null; ckptPath: string; stale: string | null; claim: () => void } {
  if (o.resume && o.force) throw new Error('--resume and --force contradict each other: --resume continues the run in --out, --force starts it over');
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) throw new Error(`${o.out}: not a folder; --out names the folder the model is written to`);
  const dir = o.checkpointDir ?? checkpointDir(o.out);
  const ckptPath = join(dir, CHECKPOINT);
  // earlier versions kept the checkpoint inside the model folder
  const legacy = join(o.out, CHECKPOINT);
  const found = existsSync(ckptPath) ? ckptPath : existsSync(legacy) ? legacy : null;
  const stale = found === legacy ? legacy : null;
  if (o.resume) {
    if (!found) throw new Error(`${o.out}: no checkpoint to resume from (looked for ${ckptPath}); start the run without --resume${o.checkpointDir ? '' : ', or name the folder its checkpoint is in with --checkpoint-dir'}`);
    const ck = readCheckpoint(found);
    const conflicts = settingConflicts(given, ck.options);
    if (conflicts.length) {
      // --data is required, so it cannot be left out like the others: the run's own folder is named
      const others = conflicts.filter((c) => !c.startsWith('--data '));
      const fix = [
        ...(others.length < conflicts.length ? [`give --data ${ck.options.data} (the folder the run was trained on)`] : []),
        ...(others.length ? [`leave ${others.length === 1 ? (others.length < conflicts.length ? `${others[0].split(' ')[0]}` : 'it') : others.length < conflicts.length ? 'the others' : 'them'} out`] : []),
      ].join(' and ');
      throw new Error(`${found}: --resume continues a run with the settings it started with, and ${conflicts.length === 1 ? 'this one differs' : `${conflicts.length} differ`}: ${conflicts.join(', ')}. ${fix[0].toUpperCase()}${fix.slice(1)} to continue the run as it was, or start a new run with --force (or another --out)`);
    }
    return { ck, ckptPath, stale, claim: () => makeFolders(o.out, dir, log, o.checkpointDir ? '--checkpoint-dir' : 'the checkpoint folder') };
  }
  if (found && !o.force) {
    // a user who deleted the model folder to start afresh finds its run's checkpoint still there
    if (!existsSync(o.out)) throw new Error(`${o.out} does not exist, but the checkpoint of a run into it does (${found}): add --force to start a new run there (that checkpoint is replaced), --resume to continue that run, or choose another --out`);
    throw new Error(`${o.out} already holds a training run (checkpoint ${found}); add --resume to continue it, --force to start it over, or choose another --out`);
  }
  const held = heldModel(o.out);
  if (held.length && !o.force) throw new Error(`${o.out} already holds a model (${held.join(', ')}) and no checkpoint of its run; train into another --out, or add --force to move that model into ${join(o.out, 'replaced-<time>')} and start a new run there`);
  const claim = () => {
    if (held.length) log(`moved the model ${o.out} held (${held.join(', ')}) to ${moveAside(o.out, held)}`);
    makeFolders(o.out, dir, log, o.checkpointDir ? '--checkpoint-dir' : 'the checkpoint folder');
  };
  return { ck: null, ckptPath, stale, claim };
}

/** What the training kernel's memory can address: its views are given to wasm as 32-bit signed offsets. */
const KERNEL_BYTES = 2 ** 31;

/**
 * Refuse a batch too large for the training kernel before anything is allocated: a layer's
 * window pass keeps about 13 floats per unit for every step of every window of the batch
 * (gates, states, their gradients), so --window × --batch × --units sets its size.
 */
function checkKernelMemory(windows: number, o: RunSettings): void {
  const rows = Math.min(o.batch, windows);
  const bytes = 13 * 4 * o.window * rows * o.units;
  if (bytes <= KERNEL_BYTES) return;
  const gb = (n: number) => `${(n / 2 ** 30).toFixed(1)} GB`;
  throw new Error(`--window ${o.window} × --batch ${o.batch} (${rows} window${rows === 1 ? '' : 's'} a batch of this data) × --units ${o.units} needs about ${gb(bytes)} in the training kernel, which holds ${gb(KERNEL_BYTES)}; lower --window, --batch or --units`);
}


/** The model and checkpoint folders, made once the run may go ahead (a refused run leaves nothing). */
function makeFolders(out: string, dir: string, log: (s: string) => void, dirOption: string): void {
  // a refused run leaves nothing: the folders made before the one that could not be are removed
  const made: string[] = [];
  for (const [d, option] of [[out, '--out'], [dir, dirOption]]) {
    try {
      const first = mkdirSync(d, { recursive: true });
      if (first) made.push(first);
    } catch (e) {
      for (const m of made) rmSync(m, { recursive: true, force: true });
      throw new Error(`${option} ${d}: cannot make this folder: ${systemErrorLine(e) ?? (e as Error).message}`);
    }
  }
  for (const d of new Set([out, dir])) for (const f of removeLeftovers(d)) log(`removed ${join(d, f)}, left by a run that was killed while writing`);
}

/** What this command sets; on resume, anything it leaves out is the checkpoint's. */
function givenSettings(o: TrainOptions): Partial<RunSettings> {
  return {
    cell: o.cell,
    encoding: o.encoding,
    augment: o.augment,
    stepsPerQuarter: o.stepsPerQuarter,
    keyOrder: o.keyOrder,
    units: o.units,
    layers: o.layers,
    batch: o.batch,
    window: o.window,
    dropout: o.dropout,
    clip: o.clip,
    seed: o.seed,
    patience: o.patience,
    learningRate: o.learningRate,
    data: realOrResolved(o.data),
    csv: o.csv === undefined ? undefined : realOrResolved(o.csv),
  };
}

/** A run's settings with every default filled in. */
type Settings = RunSettings & Required<Pick<RunSettings, 'cell' | 'learningRate'>>;

/** The run's settings: what the command gives, else the checkpoint's (`saved`), else the defaults. */
function runSettings(o: TrainOptions, given: Partial<RunSettings>, saved: Partial<RunSettings>): Settings {
  return {
    cell: o.cell ?? saved.cell ?? 'lstm',
    encoding: o.encoding ?? saved.encoding ?? 'drum-grid',
    augment: o.augment ?? saved.augment ?? true,
    // left out unless set: a model's metadata holds JSON values only, never undefined
    ...((o.stepsPerQuarter ?? saved.stepsPerQuarter) !== undefined ? { stepsPerQuarter: o.stepsPerQuarter ?? saved.stepsPerQuarter } : {}),
    ...((o.keyOrder ?? saved.keyOrder) !== undefined ? { keyOrder: o.keyOrder ?? saved.keyOrder } : {}),
    units: o.units ?? saved.units ?? 256,
    layers: o.layers ?? saved.layers ?? 2,
    batch: o.batch ?? saved.batch ?? 64,
    window: o.window ?? saved.window ?? 64,
    dropout: o.dropout ?? saved.dropout ?? 0.3,
    clip: o.clip ?? saved.clip ?? 1,
    seed: o.seed ?? saved.seed ?? 1,
    patience: o.patience ?? saved.patience ?? 3,
    // a resumed run keeps its budget unless told otherwise
    epochs: o.epochs ?? saved.epochs ?? 20,
    learningRate: o.learningRate ?? saved.learningRate ?? 2e-3,
    data: given.data,
    csv: given.csv ?? saved.csv ?? null,
  };
}

/** tfjs on the chosen backend; loaded only once the folder is claimed, so a refusal comes at once. */
async function loadBackend(backend: 'wasm' | 'cpu'): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
}

/** The data read for the run's encoding, as the steps the model learns. */
function buildTask(data: string, csv: string | undefined, opts: RunSettings, build: FineTune['record']['build'] = {}): TrainingTask {
  // a fine-tune builds its task with its parent's parameters (`build`), so the vocabularies are the parent's
  if (opts.encoding === 'drum-grid') return drumTask(buildDrumDataset({ dir: data, csv, seed: opts.seed, stepsPerQuarter: build.stepsPerQuarter }));
  if (opts.encoding === 'drum-expressive') return expressiveTask(buildDrumDataset({ dir: data, csv, seed: opts.seed }));
  if (opts.encoding === 'melody-grid') return melodyTask(buildMelodyDataset({ dir: data, csv, seed: opts.seed, minPitch: build.minPitch, maxPitch: build.maxPitch, stepsPerQuarter: build.stepsPerQuarter }));
  if (opts.encoding === 'piano-roll') return pianoRollTask(readPianoRollData({ data, csv, seed: opts.seed, stepsPerQuarter: opts.stepsPerQuarter }), opts.keyOrder as KeyOrderName | undefined);
  return eventsTask(buildEventsDataset({ dir: data, csv, seed: opts.seed, tables: build.tables }), { augment: opts.augment });
}

/** Where a run stands: what its checkpoint records beside the settings, the random stream and the weights. */
type RunPlace = Pick<Checkpoint, 'epoch' | 'batchInEpoch' | 'best' | 'badEpochs' | 'history' | 'lossSum' | 'lossCount' | 'elapsed'> & {
  /** The only shard this run may remove: the one it exported last. */
  shard: string | null;
};

/** A new run's place, with the heads started at the data's token frequencies (a fine-tune's stay its parent's). */
function startPlace(model: RnnModel, task: TrainingTask, fineTune: boolean): RunPlace {
  // the model begins at the unigram loss instead of log(vocab), and skips a long early plateau
  if (!fineTune) model.shape.heads.forEach((_, h) => model.setOutputBias(task.logFrequencies(h), h));
  return { epoch: 0, batchInEpoch: 0, best: Infinity, badEpochs: 0, history: [], lossSum: 0, lossCount: 0, elapsed: 0, shard: null };
}

/** A resumed run's place, its weights, optimizer and random stream as the checkpoint left them. */
async function restorePlace(ck: Checkpoint, file: string, model: RnnModel, rng: Rng, opts: RunSettings, out: string, log: (s: string) => void): Promise<RunPlace> {
  // a checkpoint of an earlier version did not record its shard; its model.json, in the run's own folder, was the run's
  let shard = ck.shard !== undefined ? ck.shard : (heldModel(out).find((f) => SHARD_NAME.test(f)) ?? null);
  try {
    await model.setState(ck.model);
  } catch (e) {
    model.dispose();
    throw new Error(`${file}: damaged checkpoint: its weights do not fit the ${opts.layers}×${opts.units} ${opts.cell} its own settings describe (${(e as Error).message}). Start the run over with --force (without --resume), or train into another --out`);
  }
  rng.setState(ck.rng);
  let { best } = ck;
  const { epoch, batchInEpoch, badEpochs, history, lossSum, lossCount, elapsed } = ck;
  if (shard !== null && !(existsSync(join(out, shard)) && existsSync(join(out, 'model.json')))) {
    // the model folder was emptied or deleted: the best weights are gone with it, so the next
    // validation exports whatever it has rather than waiting to beat a model no one can play
    log(`${out} no longer holds the model this run exported (best validation NLL ${best.toFixed(4)}); the next epoch's model is exported in its place`);
    best = Infinity;
    shard = null;
  }
  if (epoch >= opts.epochs) log(`${out} has trained ${epoch} epochs already, as many as --epochs ${opts.epochs} asks: nothing to do. Give a larger --epochs to train on`);
  else if (badEpochs >= opts.patience) log(`${out} stopped after ${badEpochs} epochs without gain (--patience ${opts.patience}): nothing to do; its best model is already exported`);
  else log(`resuming ${out} at epoch ${epoch + 1}, batch ${batchInEpoch}`);
  return { epoch, batchInEpoch, best, badEpochs, history, lossSum, lossCount, elapsed, shard };
}

interface ProgressBar {
  start(total: number, value: number, payload: object): void;
  update(value: number, payload: object): void;
  stop(): void;
}

/** What the steps of a run share: its settings, data, model, random stream and place. */
interface Run {
  o: TrainOptions;
  opts: Settings;
  task: TrainingTask;
  model: RnnModel;
  rng: Rng;
  place: RunPlace;
  /** The exported model's metadata. */
  meta: Record<string, unknown>;
  /** The epoch log in the model folder, one JSON record a line. */
  jsonl: string;
  /** A fine-tune's parent, else null. */
  parent: FineTune | null;
  /** Per head, the sum of its part of the loss over this epoch's batches since the run (re)started, and their count. */
  partSums: number[];
  partCount: number;
  bar: ProgressBar | null;
  log: (s: string) => void;
  /** Write the run's place; inside an epoch, `at` names the next batch and the seconds it has run. */
  checkpoint(at?: { batch: number; elapsed: number }): Promise<void>;
}

/**
 * Call `stopped()` between batches: whether one of `signals` came. A second one ends the
 * process as it would have without this listener; `release()` stops listening.
 */
function listenForStop(signals: NodeJS.Signals[]): { stopped: () => boolean; release: () => void } {
  let came = false;
  const stop = () => {
    came = true;
    for (const s of signals) process.removeListener(s, stop);
  };
  for (const s of signals) process.once(s, stop);
  return { stopped: () => came, release: () => signals.forEach((s) => process.removeListener(s, stop)) };
}

/** One optimizer step on the windows `wins`; its loss, or an error naming what to change. */
function trainBatch(run: Run, wins: ReturnType<TrainingTask['windows']>): { loss: number; tokens: number } {
  const { opts, place } = run;
  const batch = run.task.batch(wins, opts.window, run.rng);
  let loss: number;
  try {
    loss = run.model.trainStep(batch, { dropout: opts.dropout, clip: opts.clip, rng: run.rng });
  } catch (e) {
    // the kernel's memory holds a whole batch of windows through every layer: past 4 GB it cannot grow, past 2 GB it cannot address
    if (!(e instanceof RangeError || e instanceof WebAssembly.RuntimeError)) throw e;
    throw new Error(`a batch of ${batch.B} windows of ${opts.window} steps through ${opts.layers}×${opts.units} ${opts.cell} layers does not fit in the training kernel's memory (${(e as Error).message}); lower --window (now ${opts.window}) or --batch (now ${opts.batch}), then start over with --force`);
  }
  if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${place.epoch + 1}, batch ${place.batchInEpoch + 1} (loss ${loss}); try a lower --lr`);
  return { loss, tokens: batch.weights.reduce((a, w) => a + w, 0) };
}

/**
 * The epoch's batches from `place.batchInEpoch` on, until the epoch ends, `budget` batches are
 * trained, or `stopped()` says a signal came. `cut` says which of the last two ended it early.
 */
async function trainEpoch(run: Run, budget: number, stopped: () => boolean): Promise<{ trained: number; tokens: number; seconds: number; complete: boolean; cut: 'budget' | 'signal' | null }> {
  const { o, opts, place, bar } = run;
  const B = opts.batch;
  const wins = run.task.windows(opts.window, opts.seed, place.epoch);
  const batches = Math.ceil(wins.length / B);
  const t0 = performance.now();
  bar?.start(batches, place.batchInEpoch, { epoch: place.epoch + 1, loss: '-', speed: '-' });
  let tokens = 0;
  let trained = 0;
  let cut: 'budget' | 'signal' | null = null;
  for (; place.batchInEpoch < batches; place.batchInEpoch++) {
    if (trained >= budget) {
      cut = 'budget';
      break;
    }
    if (o.stopOn?.length) {
      // a batch runs without yielding: let a signal in between batches
      await new Promise((r) => setImmediate(r));
      if (stopped()) {
        cut = 'signal';
        break;
      }
    }
    const step = trainBatch(run, wins.slice(place.batchInEpoch * B, (place.batchInEpoch + 1) * B));
    place.lossSum += step.loss;
    place.lossCount++;
    run.model.lastHeadLosses.forEach((l, h) => (run.partSums[h] = (run.partSums[h] ?? 0) + l));
    run.partCount++;
    trained++;
    tokens += step.tokens;
    const secs = (performance.now() - t0) / 1000;
    bar?.update(place.batchInEpoch + 1, { loss: (place.lossSum / place.lossCount).toFixed(3), speed: Math.round(tokens / secs) });
    if (o.checkpointEvery && (place.batchInEpoch + 1) % o.checkpointEvery === 0) await run.checkpoint({ batch: place.batchInEpoch + 1, elapsed: place.elapsed + secs });
  }
  bar?.stop();
  return { trained, tokens, seconds: (performance.now() - t0) / 1000, complete: place.batchInEpoch >= batches, cut };
}

/**
 * The end of a whole epoch: the validation NLL measured by the engine, logged; a better model
 * exported, else the learning rate halved; then the next epoch's place checkpointed.
 */
async function endEpoch(run: Run, tokens: number, seconds: number): Promise<void> {
  const { o, model, place, log } = run;
  const net = new Network(model.toSpec(run.meta));
  const val = run.task.validationNll(net);
  const rec: EpochRecord = { epoch: place.epoch + 1, trainLoss: +(place.lossSum / place.lossCount).toFixed(4), validationNll: +val.toFixed(4), learningRate: model.learningRate, seconds: +seconds.toFixed(1), tokensPerSecond: Math.round(tokens / seconds) };
  const parts = epochParts(run, net);
  if (parts) rec.parts = parts;
  place.history.push(rec);
  appendFileSync(run.jsonl, `${JSON.stringify(rec)}\n`);
  // with no validation, every epoch's model is exported in turn and the learning rate is kept
  const none = run.task.validationFrom === NO_VALIDATION;
  log(`epoch ${rec.epoch}: train ${rec.trainLoss} nats/step, ${none ? 'no validation' : `validation ${rec.validationNll} nats/step (${(rec.validationNll / Math.LN2).toFixed(3)} bits)`}, lr ${rec.learningRate}, ${rec.tokensPerSecond} tok/s`);
  if (parts) log(`  ${Object.keys(parts.validation).map((k) => `${k} NLL train ${parts.train[k] ?? '-'}${none ? '' : ` validation ${parts.validation[k]}`}`).join('; ')} nats/step${none ? '' : ` (early stopping follows validation ${run.task.partNames?.[0] ?? 'NLL'})`}`);
  if (none || val < place.best - 1e-4) {
    if (!none) place.best = val;
    place.badEpochs = 0;
    place.shard = await exportLayersModel(model, { ...run.meta, ...(none ? {} : { validationNll: +val.toFixed(4) }), epochs: place.epoch + 1 }, o.out, place.shard);
    await writeModelCard(run);
  } else {
    place.badEpochs++;
    model.learningRate = model.learningRate / 2;
    log(`validation did not improve: learning rate halved to ${model.learningRate}`);
  }
  await writeAtomic(join(o.out, 'curves.svg'), curvesSvg(place.history));
  place.epoch++;
  place.batchInEpoch = 0;
  place.lossSum = 0;
  place.lossCount = 0;
  run.partSums = [];
  run.partCount = 0;
  await run.checkpoint();
}

/** A fine-tune's epoch 0: its parent as is on this folder's validation, logged and exported as the model a trained epoch must beat. */
async function parentEpoch(run: Run): Promise<void> {
  const { o, model, place, log } = run;
  const t0 = performance.now();
  const net = new Network(model.toSpec(run.meta));
  const val = run.task.validationNll(net);
  if (!Number.isFinite(val)) {
    // nothing to score the parent on: the epochs' models are the run's to export
    log(`epoch 0: the parent as is: this folder leaves no validation to score it on, so no epoch has a score to beat`);
    return;
  }
  const rec: EpochRecord = { epoch: 0, trainLoss: null, validationNll: +val.toFixed(4), learningRate: model.learningRate, seconds: +((performance.now() - t0) / 1000).toFixed(1), tokensPerSecond: 0 };
  const parts = epochParts(run, net);
  if (parts) rec.parts = parts;
  place.history.push(rec);
  appendFileSync(run.jsonl, `${JSON.stringify(rec)}\n`);
  const own = run.parent?.record.validationNll;
  log(`epoch 0: the parent as is, validation ${rec.validationNll} nats/step (${(rec.validationNll / Math.LN2).toFixed(3)} bits) on this folder${own != null ? ` (on its own data's validation: ${own})` : ''}; an epoch must beat it to be exported`);
  if (parts) log(`  ${Object.keys(parts.validation).map((k) => `${k} NLL validation ${parts.validation[k]}`).join('; ')} nats/step`);
  place.best = val;
  // a fine-tune that only gets worse leaves its parent's weights as the model
  place.shard = await exportLayersModel(model, { ...run.meta, validationNll: rec.validationNll, epochs: 0 }, o.out, place.shard);
  await writeModelCard(run);
  await writeAtomic(join(o.out, 'curves.svg'), curvesSvg(place.history));
  await run.checkpoint();
}

/** Each head's part of the epoch's training loss and of the validation NLL, for a task of several heads. */
function epochParts(run: Run, net: Network): EpochRecord['parts'] | null {
  const names = run.task.partNames;
  if (!names || !run.task.validationParts) return null;
  const round = (x: number) => +x.toFixed(4);
  const all = run.task.validationParts(net);
  const validation = Object.fromEntries(names.map((n) => [n, round(all[n])]));
  const train = run.partCount ? Object.fromEntries(names.map((n, h) => [n, round(run.partSums[h] / run.partCount)])) : {};
  return { train, validation };
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const given = givenSettings(o);
  // the folder is checked before tfjs loads, so a refusal comes at once
  const { ck, ckptPath, stale, claim } = claimFolder(o, given, log);
  // the parent is read, and flags that contradict it refused, before tfjs loads too
  const parent = await parentOf(o, ck);
  await loadBackend(o.backend ?? 'wasm');
  const opts = runSettings(o, given, ck?.options ?? (parent ? fineTuneDefaults(parent.record) : {}));
  const csv = o.csv ?? opts.csv ?? undefined;
  const task = buildTask(o.data, csv, opts, parent?.record.build);
  log(task.summary);
  // a new run's settings fitted to a small folder (a resumed one keeps its checkpoint's); said in the log
  let smallFolderLines: string[] = [];
  if (!ck) {
    const fit = fitSmallFolder(opts, o, task, { fineTune: parent !== null, data: o.data, out: o.out });
    Object.assign(opts, fit.opts);
    smallFolderLines = fit.lines;
  }
  if (parent) for (const line of fineTuneLines(parent, opts, task, !ck, o.out, o.data)) log(line);
  for (const line of smallFolderLines) log(line);
  // after the small-folder settings, which may raise the epochs it runs
  if (task.validationFrom === NO_VALIDATION) log(`no validation to stop early on: training runs all ${opts.epochs} epochs (--epochs) without early stopping or learning-rate halving, and exports the last epoch's model`);
  checkKernelMemory(task.windows(opts.window, opts.seed, 0).length, opts);
  // folders are made, and a model moved aside, only once the data is known to be usable
  claim();
  const model = new RnnModel({ ...task.shape(opts.units, opts.layers), cell: opts.cell }, opts.seed, opts.learningRate);
  const rng = new Rng(opts.seed);
  const place = ck ? await restorePlace(ck, stale ?? ckptPath, model, rng, opts, o.out, log) : startPlace(model, task, parent !== null);
  if (parent && !ck) await parent.setWeights(model, opts.learningRate);
  const { data: _abs, csv: _absCsv, ...settings } = opts;
  // the model ships: its metadata names the data as the command did, not by this machine's paths
  const meta = { ...task.meta(), training: { data: o.data, csv: csv ?? null, command: o.command ?? null, validation: task.validationFrom ?? BY_FILE, ...settings, ...(parent ? { from: parentMeta(parent.record) } : {}) } };
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = o.progress === false ? null : new SingleBar({ format: 'epoch {epoch} |{bar}| {percentage}% {value}/{total} batches | loss {loss} | {speed} tok/s | ETA {eta_formatted}', etaBuffer: 20 }, Presets.shades_classic);
  const run: Run = {
    o,
    opts,
    task,
    model,
    rng,
    place,
    meta,
    bar,
    log,
    jsonl: join(o.out, 'train-log.jsonl'),
    parent,
    partSums: [],
    partCount: 0,
    async checkpoint(at = { batch: place.batchInEpoch, elapsed: place.elapsed }) {
      const { epoch, best, badEpochs, history, lossSum, lossCount, shard } = place;
      const c: Checkpoint = { options: opts, epoch, batchInEpoch: at.batch, rng: Array.from(rng.getState()), best, badEpochs, history, lossSum, lossCount, elapsed: at.elapsed, shard, ...(parent ? { from: parent.record } : {}), model: await model.state() };
      await writeAtomic(ckptPath, encodeCheckpoint(c));
    },
  };
  // the checkpoint is written before anything in the model folder: a run killed at any moment
  // after this leaves a run to resume, never files that a new run would refuse to overwrite
  await run.checkpoint();
  if (stale) {
    rmSync(stale, { force: true });
    log(`moved the checkpoint out of the model folder: ${stale} → ${ckptPath}`);
  }
  // the log says what the checkpoint holds: a run killed after logging an epoch but before its
  // checkpoint repeats that epoch, and must not log it twice
  await writeAtomic(run.jsonl, place.history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  // a fine-tune's parent, scored as is on this folder's validation, is the model to beat
  if (parent && !ck) await parentEpoch(run);
  let totalBatches = 0;
  // whether a signal cut the run short (one during its last validation cuts nothing)
  let interrupted = false;
  const signals = listenForStop(o.stopOn ?? []);
  try {
    while (place.epoch < opts.epochs && place.badEpochs < opts.patience) {
      const e = await trainEpoch(run, (o.maxBatches ?? Infinity) - totalBatches, signals.stopped);
      totalBatches += e.trained;
      place.elapsed += e.seconds;
      if (!e.complete) {
        // stopped by maxBatches or a signal: keep the place
        interrupted = e.cut === 'signal';
        await run.checkpoint();
        break;
      }
      await endEpoch(run, e.tokens, e.seconds);
    }
  } finally {
    signals.release();
  }
  model.dispose();
  const files = { train: task.sequences('train').length, validation: task.sequences('validation').length, test: task.sequences('test').length };
  const ended = interrupted ? 'stopped' : place.badEpochs >= opts.patience ? 'patience' : place.epoch >= opts.epochs ? 'epochs' : 'maxBatches';
  return { history: place.history, best: place.best, out: o.out, exported: place.shard !== null, ended, epoch: place.epoch, batchInEpoch: place.batchInEpoch, checkpoint: ckptPath, files };
}
