/**
 * What the training loop needs from a kind of model, so one loop trains them all: the model's
 * shape, the windows of an epoch, batches (augmented on the fly where the task augments),
 * token frequencies to start the heads from, the validation score under the engine, and the
 * metadata the exported model carries.
 *
 * @example
 * const task = drumTask(buildDrumDataset({ dir: 'grooves/' }));
 * const batch = task.batch(task.windows(64, 0).slice(0, 32), 64, rng);
 */
import type { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { drumGridCodec } from '../music/drum-grid.js';
import { scoreEvents } from '../music/score.js';
import type { Codec } from '../music/codec.js';
import { formatSummary, type Dataset, type Sequence, type SplitName } from './dataset.js';
import { drumShape, type Batch, type RnnShape } from './rnn-model.js';
import { validationOrNone } from './held-out-end.js';
import { DRUM_COUNT_IN } from '../music/count-in.js';

export interface TrainingTask {
  readonly encoding: string;
  /** The dataset summary, for the terminal. */
  readonly summary: string;
  shape(units: number, layers: number): RnnShape;
  /** (sequence, start) of every window of an epoch, shuffled by (seed, epoch). */
  windows(L: number, seed: number, epoch: number): [number, number][];
  /** A batch of windows; `rng` draws augmentation (it is checkpointed with the run). */
  batch(wins: [number, number][], L: number, rng: Rng): Batch;
  /** Log-frequencies of each head's tokens in the training data. */
  logFrequencies(head: number): Float32Array;
  /** NLL per step on the validation split, measured by the engine (each sequence from a zero state): what early stopping follows; NaN when there is none (`validationFrom` NO_VALIDATION). */
  validationNll(net: Network): number;
  /** A model of several heads: each head's NLL per step on the validation split, by head (logged beside the training parts). */
  validationParts?(net: Network): Record<string, number>;
  /** Names of the heads' parts of the loss, in head order, for the log (a model of several heads). */
  readonly partNames?: readonly string[];
  /** A split as the engine scores it: per sequence, its events (one token per head). */
  sequences(split: SplitName): number[][][];
  meta(): Record<string, unknown>;
  /** How the validation split was chosen (by file, or the held-out end of each training file), for the log and the model card. */
  readonly validationFrom?: string;
}

const sizeCache = new WeakMap<TrainingTask, Record<SplitName, { files: number; size: number }>>();

/**
 * Files and steps (notes, frames) of each split, counted once per task: the small-folder
 * settings, the model card and the log read the same counts.
 */
export function splitSizes(task: TrainingTask): Record<SplitName, { files: number; size: number }> {
  let s = sizeCache.get(task);
  if (!s) {
    const count = (split: SplitName) => {
      const seqs = task.sequences(split);
      return { files: seqs.length, size: seqs.reduce((a, q) => a + q.length, 0) };
    };
    s = { train: count('train'), validation: count('validation'), test: count('test') };
    sizeCache.set(task, s);
  }
  return s;
}

/** Window starts: every sequence cut into windows from a random offset, then shuffled. */
export function windowStarts(lengths: readonly number[], L: number, seed: number, epoch: number): [number, number][] {
  const rng = new Rng((seed * 1000003 + epoch) >>> 0);
  const out: [number, number][] = [];
  lengths.forEach((n, i) => {
    const offset = n > L ? rng.int(L) : 0;
    for (let start = n > L ? offset - L : 0; start < n; start += L) out.push([i, Math.max(0, start)]);
  });
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function logFrequencies(vocab: number, seqs: Iterable<ArrayLike<number>>): Float32Array {
  const counts = new Float64Array(vocab).fill(0.1);
  for (const s of seqs) for (let i = 0; i < s.length; i++) counts[s[i]]++;
  const total = counts.reduce((a, b) => a + b, 0);
  return Float32Array.from(counts, (c) => Math.log(c / total));
}

/** NLL per step of event sequences under the engine, each sequence from a zero state. */
export function meanNll(net: Network, codec: Codec, sequences: Iterable<readonly (readonly number[])[]>): number {
  let total = 0;
  let steps = 0;
  for (const events of sequences) {
    const r = scoreEvents(net, codec, events);
    total -= r.total;
    steps += r.perStep.length;
  }
  return total / steps;
}

/**
 * A batch of grid windows: the previous token (`first` before a sequence's first step) and the
 * position in the bar in, the token out. `moveFor` may map a window's tokens (transposition).
 */
export function gridBatch(seqs: readonly Sequence[], wins: [number, number][], L: number, stepsPerBar: number, first: number, moveFor?: (tokens: Int32Array, start: number) => (t: number) => number): Batch {
  const B = wins.length;
  const prev = new Int32Array(B * L);
  const pos = new Int32Array(B * L);
  const next = new Int32Array(B * L);
  const weights = new Float32Array(B * L);
  wins.forEach(([si, start], b) => {
    const tok = seqs[si].tokens;
    const move = moveFor ? moveFor(tok, start) : (t: number) => t;
    for (let t = 0; t < L; t++) {
      const k = start + t;
      const i = b * L + t;
      pos[i] = k % stepsPerBar;
      if (k < tok.length) {
        prev[i] = k > 0 ? move(tok[k - 1]) : first;
        next[i] = move(tok[k]);
        weights[i] = 1;
      }
    }
  });
  return { B, L, inputs: [prev, pos], targets: [next], weights };
}

/** Drum grid: the previous token and the position in the bar in, the token out. */
export function drumTask(ds: Dataset): TrainingTask {
  const train = ds.splits.train;
  return {
    encoding: 'drum-grid',
    summary: formatSummary(ds.summary),
    validationFrom: ds.summary.validationFrom,
    shape: (units, layers) => drumShape(ds.vocab, ds.stepsPerBar, units, layers),
    windows: (L, seed, epoch) => windowStarts(train.map((s) => s.tokens.length), L, seed, epoch),
    // silence before the first step
    batch: (wins, L) => gridBatch(train, wins, L, ds.stepsPerBar, 0),
    logFrequencies: () => logFrequencies(ds.vocab, train.map((s) => s.tokens)),
    validationNll(net) {
      const codec = drumGridCodec({ stepsPerQuarter: ds.stepsPerQuarter, positionInput: true });
      const seqs = validationOrNone(ds.splits.validation);
      if (!seqs) return NaN;
      return meanNll(net, codec, seqs.map((s) => Array.from(s.tokens, (t) => [t])));
    },
    sequences: (split) => ds.splits[split].map((s) => Array.from(s.tokens, (t) => [t])),
    meta: () => ({
      encoding: 'drum-grid',
      stepsPerQuarter: ds.stepsPerQuarter,
      stepsPerBar: ds.stepsPerBar,
      countIn: DRUM_COUNT_IN,
      inputs: [
        { name: 'token', onehot: true },
        { name: 'position', onehot: true },
      ],
    }),
  };
}
