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
import { appendFileSync, existsSync, mkdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { buildDrumDataset } from './dataset.js';
import { buildEventsDataset, eventsTask } from './events-dataset.js';
import { buildMelodyDataset, melodyTask } from './melody-dataset.js';
import { RnnModel } from './rnn-model.js';
import { drumTask, type TrainingTask } from './task.js';
import { exportLayersModel } from './export.js';
import { removeLeftovers, writeAtomic } from '../io/atomic-file.js';
import { curvesSvg } from './curves.js';
import { CHECKPOINT, checkpointDir, encodeCheckpoint, readCheckpoint, settingConflicts, type Checkpoint, type EpochRecord, type RunSettings } from './checkpoint.js';
import { heldModel, moveAside } from './model-folder.js';
import { systemErrorLine } from '../io/system-error.js';

export { decodeCheckpoint, readCheckpoint, checkpointDir, type EpochRecord } from './checkpoint.js';

export interface TrainOptions {
  data: string;
  /** Recurrent cell: lstm (default) or gru. */
  cell?: 'lstm' | 'gru';
  /** What a step is: drum-grid (default), melody-grid, or note-events (Howl: pitch, delay, duration, velocity). */
  encoding?: 'drum-grid' | 'melody-grid' | 'note-events';
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

/** A path as the checkpoint records it: the same folder by any spelling or link is the same data. */
const realOrResolved = (p: string): string => (existsSync(p) ? realpathSync(p) : resolve(p));

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

export async function train(o: TrainOptions): Promise<TrainResult> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  // what this command sets; on resume, anything it leaves out is the checkpoint's
  const given: Partial<RunSettings> = {
    cell: o.cell,
    encoding: o.encoding,
    augment: o.augment,
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
  // the folder is checked before tfjs loads, so a refusal comes at once
  const { ck, ckptPath, stale, claim } = claimFolder(o, given, log);
  const tf = await import('@tensorflow/tfjs');
  if ((o.backend ?? 'wasm') === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(o.backend ?? 'wasm');
  await tf.ready();

  const saved: Partial<RunSettings> = ck?.options ?? {};
  const opts: RunSettings = {
    cell: o.cell ?? saved.cell ?? 'lstm',
    encoding: o.encoding ?? saved.encoding ?? 'drum-grid',
    augment: o.augment ?? saved.augment ?? true,
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
  const csv = o.csv ?? opts.csv ?? undefined;

  const task: TrainingTask =
    opts.encoding === 'drum-grid'
      ? drumTask(buildDrumDataset({ dir: o.data, csv, seed: opts.seed }))
      : opts.encoding === 'melody-grid'
        ? melodyTask(buildMelodyDataset({ dir: o.data, csv, seed: opts.seed }))
        : eventsTask(buildEventsDataset({ dir: o.data, csv, seed: opts.seed }), { augment: opts.augment });
  log(task.summary);
  checkKernelMemory(task.windows(opts.window, opts.seed, 0).length, opts);
  // folders are made, and a model moved aside, only once the data is known to be usable
  claim();
  const model = new RnnModel({ ...task.shape(opts.units, opts.layers), cell: opts.cell ?? 'lstm' }, opts.seed, opts.learningRate ?? 2e-3);
  const rng = new Rng(opts.seed);
  let epoch = 0;
  let batchInEpoch = 0;
  let best = Infinity;
  let badEpochs = 0;
  let history: EpochRecord[] = [];
  let lossSum = 0;
  let lossCount = 0;
  let elapsed = 0;
  // the only shard this run may remove: the one it exported last (a checkpoint of an earlier
  // version did not record it; its model.json, in the run's own folder, was the run's)
  let shard: string | null = ck ? (ck.shard !== undefined ? ck.shard : (heldModel(o.out).find((f) => /^weights-[0-9a-f]{12}\.bin$/.test(f)) ?? null)) : null;
  if (!ck) {
    // start the heads at the training data's token frequencies: the model begins at the
    // unigram loss instead of log(vocab), and skips a long early plateau
    model.shape.heads.forEach((_, h) => model.setOutputBias(task.logFrequencies(h), h));
  }
  if (ck) {
    try {
      await model.setState(ck.model);
    } catch (e) {
      model.dispose();
      throw new Error(`${stale ?? ckptPath}: damaged checkpoint: its weights do not fit the ${opts.layers}×${opts.units} ${opts.cell} its own settings describe (${(e as Error).message}). Start the run over with --force (without --resume), or train into another --out`);
    }
    rng.setState(ck.rng);
    ({ epoch, batchInEpoch, best, badEpochs, history, lossSum, lossCount, elapsed } = ck);
    if (shard !== null && !(existsSync(join(o.out, shard)) && existsSync(join(o.out, 'model.json')))) {
      // the model folder was emptied or deleted: the best weights are gone with it, so the next
      // validation exports whatever it has rather than waiting to beat a model no one can play
      log(`${o.out} no longer holds the model this run exported (best validation NLL ${best.toFixed(4)}); the next epoch's model is exported in its place`);
      best = Infinity;
      shard = null;
    }
    if (epoch >= opts.epochs) log(`${o.out} has trained ${epoch} epochs already, as many as --epochs ${opts.epochs} asks: nothing to do. Give a larger --epochs to train on`);
    else if (badEpochs >= opts.patience) log(`${o.out} stopped after ${badEpochs} epochs without gain (--patience ${opts.patience}): nothing to do; its best model is already exported`);
    else log(`resuming ${o.out} at epoch ${epoch + 1}, batch ${batchInEpoch}`);
  }
  const { data: _abs, csv: _absCsv, ...settings } = opts;
  // the model ships: its metadata names the data as the command did, not by this machine's paths
  const meta = { ...task.meta(), training: { data: o.data, csv: csv ?? null, command: o.command ?? null, ...settings } };
  /** Write the run's place; inside an epoch, `at` names the next batch and the seconds it has run. */
  const checkpoint = async (at: { batch: number; elapsed: number } = { batch: batchInEpoch, elapsed }) => {
    const c: Checkpoint = { options: opts, epoch, batchInEpoch: at.batch, rng: Array.from(rng.getState()), best, badEpochs, history, lossSum, lossCount, elapsed: at.elapsed, shard, model: await model.state() };
    await writeAtomic(ckptPath, encodeCheckpoint(c));
  };
  // the checkpoint is written before anything in the model folder: a run killed at any moment
  // after this leaves a run to resume, never files that a new run would refuse to overwrite
  await checkpoint();
  if (stale) {
    rmSync(stale, { force: true });
    log(`moved the checkpoint out of the model folder: ${stale} → ${ckptPath}`);
  }
  const jsonl = join(o.out, 'train-log.jsonl');
  // the log says what the checkpoint holds: a run killed after logging an epoch but before its
  // checkpoint repeats that epoch, and must not log it twice
  await writeAtomic(jsonl, history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const B = opts.batch;
  const L = opts.window;
  let totalBatches = 0;
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = o.progress === false ? null : new SingleBar({ format: 'epoch {epoch} |{bar}| {percentage}% {value}/{total} batches | loss {loss} | {speed} tok/s | ETA {eta_formatted}', etaBuffer: 20 }, Presets.shades_classic);

  let stopped: NodeJS.Signals | null = null;
  // whether the signal cut the run short (one during its last validation cuts nothing)
  let interrupted = false;
  const stop = (signal: NodeJS.Signals) => {
    stopped = signal;
    // a second signal ends the process as it would have without this handler
    for (const s of o.stopOn ?? []) process.removeListener(s, stop);
  };
  for (const s of o.stopOn ?? []) process.once(s, stop);
  try {
    while (epoch < opts.epochs && badEpochs < opts.patience) {
      const wins = task.windows(L, opts.seed, epoch);
      const batches = Math.ceil(wins.length / B);
      const t0 = performance.now();
      bar?.start(batches, batchInEpoch, { epoch: epoch + 1, loss: '-', speed: '-' });
      let tokens = 0;
      for (; batchInEpoch < batches; batchInEpoch++) {
        if (o.maxBatches !== undefined && totalBatches >= o.maxBatches) break;
        if (o.stopOn?.length) {
          // a batch runs without yielding: let a signal in between batches
          await new Promise((r) => setImmediate(r));
          if (stopped) {
            interrupted = true;
            break;
          }
        }
        const batch = task.batch(wins.slice(batchInEpoch * B, (batchInEpoch + 1) * B), L, rng);
        let loss: number;
        try {
          loss = model.trainStep(batch, { dropout: opts.dropout, clip: opts.clip, rng });
        } catch (e) {
          // the kernel's memory holds a whole batch of windows through every layer: past 4 GB it cannot grow, past 2 GB it cannot address
          if (!(e instanceof RangeError || e instanceof WebAssembly.RuntimeError)) throw e;
          throw new Error(`a batch of ${batch.B} windows of ${L} steps through ${opts.layers}×${opts.units} ${opts.cell ?? 'lstm'} layers does not fit in the training kernel's memory (${(e as Error).message}); lower --window (now ${L}) or --batch (now ${B}), then start over with --force`);
        }
        if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch + 1}, batch ${batchInEpoch + 1} (loss ${loss}); try a lower --lr`);
        lossSum += loss;
        lossCount++;
        totalBatches++;
        tokens += batch.weights.reduce((a, w) => a + w, 0);
        const secs = (performance.now() - t0) / 1000;
        bar?.update(batchInEpoch + 1, { loss: (lossSum / lossCount).toFixed(3), speed: Math.round(tokens / secs) });
        if (o.checkpointEvery && (batchInEpoch + 1) % o.checkpointEvery === 0) await checkpoint({ batch: batchInEpoch + 1, elapsed: elapsed + secs });
      }
      bar?.stop();
      const seconds = (performance.now() - t0) / 1000;
      elapsed += seconds;
      if (batchInEpoch < batches) {
        // stopped by maxBatches or a signal: keep the place
        await checkpoint();
        break;
      }
      const net = new Network(model.toSpec(meta));
      const val = task.validationNll(net);
      const rec: EpochRecord = { epoch: epoch + 1, trainLoss: +(lossSum / lossCount).toFixed(4), validationNll: +val.toFixed(4), learningRate: model.learningRate, seconds: +seconds.toFixed(1), tokensPerSecond: Math.round(tokens / seconds) };
      history.push(rec);
      appendFileSync(jsonl, `${JSON.stringify(rec)}\n`);
      log(`epoch ${rec.epoch}: train ${rec.trainLoss} nats/step, validation ${rec.validationNll} nats/step (${(rec.validationNll / Math.LN2).toFixed(3)} bits), lr ${rec.learningRate}, ${rec.tokensPerSecond} tok/s`);
      if (val < best - 1e-4) {
        best = val;
        badEpochs = 0;
        shard = await exportLayersModel(model, { ...meta, validationNll: +val.toFixed(4), epochs: epoch + 1 }, o.out, shard);
      } else {
        badEpochs++;
        model.learningRate = model.learningRate / 2;
        log(`validation did not improve: learning rate halved to ${model.learningRate}`);
      }
      await writeAtomic(join(o.out, 'curves.svg'), curvesSvg(history));
      epoch++;
      batchInEpoch = 0;
      lossSum = 0;
      lossCount = 0;
      await checkpoint();
    }
  } finally {
    for (const s of o.stopOn ?? []) process.removeListener(s, stop);
  }
  model.dispose();
  const files = { train: task.sequences('train').length, validation: task.sequences('validation').length, test: task.sequences('test').length };
  const ended = interrupted ? 'stopped' : badEpochs >= opts.patience ? 'patience' : epoch >= opts.epochs ? 'epochs' : 'maxBatches';
  return { history, best, out: o.out, exported: shard !== null, ended, epoch, batchInEpoch, checkpoint: ckptPath, files };
}
