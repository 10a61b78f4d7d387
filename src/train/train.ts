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
 * last checkpoint (`--resume`) and continues exactly as it would have.
 *
 * @example
 * await train({ data: 'grooves/', csv: 'grooves/info.csv', out: 'weights/my-drums', units: 256, layers: 2, epochs: 20 });
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { buildDrumDataset } from './dataset.js';
import { buildEventsDataset, eventsTask } from './events-dataset.js';
import { buildMelodyDataset, melodyTask } from './melody-dataset.js';
import { LstmModel } from './lstm-model.js';
import { drumTask, type TrainingTask } from './task.js';
import { exportLayersModel } from './export.js';
import { removeLeftovers, writeAtomic } from '../io/atomic-file.js';
import { curvesSvg } from './curves.js';

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
  epochs?: number;
  batch?: number;
  window?: number;
  learningRate?: number;
  dropout?: number;
  clip?: number;
  seed?: number;
  patience?: number;
  resume?: boolean;
  /** Stop after this many batches in total (for tests and quick trials). */
  maxBatches?: number;
  /** Checkpoint every this many batches too (default: only at the end of each epoch). */
  checkpointEvery?: number;
  backend?: 'wasm' | 'cpu';
  /** The command line that started the run, for the model card. */
  command?: string;
  /** Progress output; default a progress bar on stderr. */
  progress?: boolean;
  log?: (line: string) => void;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationNll: number;
  learningRate: number;
  seconds: number;
  tokensPerSecond: number;
}

interface Checkpoint {
  options: Required<Pick<TrainOptions, 'units' | 'layers' | 'batch' | 'window' | 'dropout' | 'clip' | 'seed' | 'patience' | 'epochs'>> & { cell?: 'lstm' | 'gru' };
  epoch: number;
  batchInEpoch: number;
  rng: number[];
  best: number;
  badEpochs: number;
  history: EpochRecord[];
  lossSum: number;
  lossCount: number;
  elapsed: number;
  model: Awaited<ReturnType<LstmModel['state']>>;
}

const CHECKPOINT = 'checkpoint.bin';

function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const arrays: Float32Array[] = [];
  const ref = (a: Float32Array) => (arrays.push(a), arrays.length - 1);
  const json = JSON.stringify({
    ...c,
    model: { lr: c.model.lr, weights: Object.fromEntries(Object.entries(c.model.weights).map(([k, v]) => [k, ref(v)])), optimizer: c.model.optimizer.map((o) => ({ name: o.name, shape: o.shape, dtype: o.dtype, data: ref(o.data) })) },
    arrays: arrays.map((a) => a.length),
  });
  const head = new TextEncoder().encode(json);
  const total = 8 + head.length + arrays.reduce((a, x) => a + x.length * 4, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x50524e4e); // "PRNN"
  view.setUint32(4, head.length);
  out.set(head, 8);
  let o = 8 + head.length;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0) !== 0x50524e4e) throw new Error(`${file}: not a pulse-rnn checkpoint`);
  const len = view.getUint32(4);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  const arrays: Float32Array[] = [];
  let o = 8 + len;
  for (const n of meta.arrays as number[]) {
    if (o + n * 4 > bytes.length) throw new Error(`${file}: truncated (needs ${o + n * 4} bytes, has ${bytes.length})`);
    arrays.push(new Float32Array(bytes.slice(o, o + n * 4).buffer));
    o += n * 4;
  }
  meta.model.weights = Object.fromEntries(Object.entries(meta.model.weights as Record<string, number>).map(([k, i]) => [k, arrays[i]]));
  meta.model.optimizer = (meta.model.optimizer as { name: string; shape: number[]; data: number }[]).map((w) => ({ ...w, data: arrays[w.data] }));
  // JSON has no Infinity: "no best yet" comes back as null
  if (meta.best === null) meta.best = Infinity;
  return meta as Checkpoint;
}


export async function train(o: TrainOptions): Promise<{ history: EpochRecord[]; best: number; out: string }> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const tf = await import('@tensorflow/tfjs');
  if ((o.backend ?? 'wasm') === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(o.backend ?? 'wasm');
  await tf.ready();

  mkdirSync(o.out, { recursive: true });
  for (const f of removeLeftovers(o.out)) log(`removed ${f}, left by a run that was killed while writing`);
  const ckptPath = join(o.out, CHECKPOINT);
  let ck: Checkpoint | null = null;
  if (o.resume) {
    if (!existsSync(ckptPath)) throw new Error(`${ckptPath}: no checkpoint to resume from`);
    ck = decodeCheckpoint(new Uint8Array(readFileSync(ckptPath)), ckptPath);
  } else if (existsSync(ckptPath)) {
    throw new Error(`${o.out} already holds a training run (${CHECKPOINT}); use --resume to continue it, or another --out`);
  }
  const opts = ck?.options ?? {
    cell: o.cell ?? 'lstm',
    units: o.units ?? 256,
    layers: o.layers ?? 2,
    batch: o.batch ?? 64,
    window: o.window ?? 64,
    dropout: o.dropout ?? 0.3,
    clip: o.clip ?? 1,
    seed: o.seed ?? 1,
    patience: o.patience ?? 3,
    epochs: o.epochs ?? 20,
  };
  if (ck && o.epochs) opts.epochs = o.epochs;

  const encoding = o.encoding ?? 'drum-grid';
  const task: TrainingTask =
    encoding === 'drum-grid'
      ? drumTask(buildDrumDataset({ dir: o.data, csv: o.csv, seed: opts.seed }))
      : encoding === 'melody-grid'
        ? melodyTask(buildMelodyDataset({ dir: o.data, csv: o.csv, seed: opts.seed }))
        : eventsTask(buildEventsDataset({ dir: o.data, csv: o.csv, seed: opts.seed }), { augment: o.augment });
  log(task.summary);
  const model = new LstmModel({ ...task.shape(opts.units, opts.layers), cell: opts.cell ?? 'lstm' }, opts.seed, o.learningRate ?? 2e-3);
  const rng = new Rng(opts.seed);
  let epoch = 0;
  let batchInEpoch = 0;
  let best = Infinity;
  let badEpochs = 0;
  let history: EpochRecord[] = [];
  let lossSum = 0;
  let lossCount = 0;
  let elapsed = 0;
  if (!ck) {
    // start the heads at the training data's token frequencies: the model begins at the
    // unigram loss instead of log(vocab), and skips a long early plateau
    model.shape.heads.forEach((_, h) => model.setOutputBias(task.logFrequencies(h), h));
  }
  if (ck) {
    await model.setState(ck.model);
    rng.setState(ck.rng);
    ({ epoch, batchInEpoch, best, badEpochs, history, lossSum, lossCount, elapsed } = ck);
    log(`resuming ${o.out} at epoch ${epoch + 1}, batch ${batchInEpoch}`);
  }
  const meta = { ...task.meta(), training: { data: o.data, csv: o.csv ?? null, command: o.command ?? null, ...opts, learningRate: o.learningRate ?? 2e-3 } };
  const checkpoint = async () => {
    const c: Checkpoint = { options: opts, epoch, batchInEpoch, rng: Array.from(rng.getState()), best, badEpochs, history, lossSum, lossCount, elapsed, model: await model.state() };
    await writeAtomic(ckptPath, encodeCheckpoint(c));
  };
  const jsonl = join(o.out, 'train-log.jsonl');
  // the log says what the checkpoint holds: a run killed after logging an epoch but before its
  // checkpoint repeats that epoch, and must not log it twice
  await writeAtomic(jsonl, history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const B = opts.batch;
  const L = opts.window;
  let totalBatches = 0;
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = o.progress === false ? null : new SingleBar({ format: 'epoch {epoch} |{bar}| {percentage}% {value}/{total} batches | loss {loss} | {speed} tok/s | ETA {eta_formatted}', etaBuffer: 20 }, Presets.shades_classic);

  while (epoch < opts.epochs && badEpochs < opts.patience) {
    const wins = task.windows(L, opts.seed, epoch);
    const batches = Math.ceil(wins.length / B);
    const t0 = performance.now();
    bar?.start(batches, batchInEpoch, { epoch: epoch + 1, loss: '-', speed: '-' });
    let tokens = 0;
    for (; batchInEpoch < batches; batchInEpoch++) {
      if (o.maxBatches !== undefined && totalBatches >= o.maxBatches) break;
      const batch = task.batch(wins.slice(batchInEpoch * B, (batchInEpoch + 1) * B), L, rng);
      const loss = model.trainStep(batch, { dropout: opts.dropout, clip: opts.clip, rng });
      if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch + 1}, batch ${batchInEpoch + 1} (loss ${loss}); try a lower --lr`);
      lossSum += loss;
      lossCount++;
      totalBatches++;
      tokens += batch.weights.reduce((a, w) => a + w, 0);
      const secs = (performance.now() - t0) / 1000;
      bar?.update(batchInEpoch + 1, { loss: (lossSum / lossCount).toFixed(3), speed: Math.round(tokens / secs) });
      if (o.checkpointEvery && (batchInEpoch + 1) % o.checkpointEvery === 0) {
        batchInEpoch++;
        elapsed += secs;
        await checkpoint();
        elapsed -= secs;
        batchInEpoch--;
      }
    }
    bar?.stop();
    const seconds = (performance.now() - t0) / 1000;
    elapsed += seconds;
    if (batchInEpoch < batches) {
      // stopped by maxBatches: keep the place
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
      await exportLayersModel(model, { ...meta, validationNll: +val.toFixed(4), epochs: epoch + 1 }, o.out);
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
  model.dispose();
  return { history, best, out: o.out };
}
