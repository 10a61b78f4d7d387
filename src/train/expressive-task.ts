/**
 * The expressive drum model's task (`drum-expressive`): per 16th step the hit token, then each
 * hit class's velocity bin and offset bin from heads conditioned on that token. Inputs, in
 * order: the previous step's token, the position in the bar, the previous step's 9 velocities
 * (/127) and 9 offsets (fraction of a step; 0 for a class not hit), and the tokens one and two
 * bars back (0 before the start). The condition input `hits_now` (the token of the step
 * itself) is not a recurrent input: the trainer feeds the true token to the conditioned heads.
 * A class not hit has no velocity or offset target (-1), and costs nothing. The expression input
 * carries the previous step's bins' centres, as the codec (`music/expressive-grid.ts`) feeds them.
 *
 * Windows start at bar lines. No augmentation: velocities and offsets would need their own
 * (a tempo or dynamics shift), and the flat model's none either.
 *
 * @example
 * const task = expressiveTask(buildDrumDataset({ dir: 'groove/', csv: 'groove/info.csv' }));
 * const batch = task.batch(task.windows(64, 0, 0).slice(0, 32), 64, rng);
 */
import type { Network } from '../engine/network.js';
import { Sampler } from '../engine/sampling.js';
import { Rng } from '../engine/prng.js';
import { OFFSET_BINS, OFFSET_CENTRES, VELOCITY_BINS, VELOCITY_CENTRES, offsetBin, offsetOfBin, velocityBin, velocityOfBin } from '../music/expressive.js';
import { formatSummary, type Dataset, type DrumSequence, type SplitName } from './dataset.js';
import type { Batch, RnnShape } from './rnn-model.js';
import { logFrequencies, type TrainingTask } from './task.js';
import { validationOrNone } from './held-out-end.js';
import { DRUM_COUNT_IN } from '../music/count-in.js';

export const EXPRESSIVE_ENCODING = 'drum-expressive';
const CLASSES = 9;
const BAR = 16;
/** Input order of the engine's step: hits, position, expression, hits_bar1, hits_bar2. */
const EXPRESSION = 2;

export const expressiveShape = (units: number, layers: number): RnnShape => ({
  inputs: [
    { name: 'hits', vocab: 1 << CLASSES, key: 'hit' },
    { name: 'position', vocab: BAR, key: 'pos' },
    { name: 'expression', vocab: 2 * CLASSES, key: 'expr', vector: true },
    { name: 'hits_bar1', vocab: 1 << CLASSES, key: 'bar1' },
    { name: 'hits_bar2', vocab: 1 << CLASSES, key: 'bar2' },
  ],
  heads: [
    { name: 'hits', vocab: 1 << CLASSES, key: 'hits' },
    { name: 'velocity', vocab: CLASSES * VELOCITY_BINS, key: 'vel', condition: 'hits', groups: CLASSES },
    { name: 'offset', vocab: CLASSES * OFFSET_BINS, key: 'off', condition: 'hits', groups: CLASSES },
  ],
  units,
  layers,
});

/** The token inputs of step `k` of `s` (the expression vector is written apart). */
export function stepInputs(s: DrumSequence, k: number): number[] {
  const tok = (j: number) => (j >= 0 ? s.tokens[j] : 0);
  return [tok(k - 1), k % BAR, 0, tok(k - BAR), tok(k - 2 * BAR)];
}

/**
 * Step `k − 1`'s velocities / 127 then offsets into `out` (zeros at k = 0 and for classes not
 * hit), each at its bin's centre: what the codec feeds when the model plays its own bins, so
 * training sees the inputs playing does.
 */
export function expressionOf(s: DrumSequence, k: number, out: Float32Array, at = 0): void {
  const prev = k > 0 ? s.tokens[k - 1] : 0;
  for (let c = 0; c < CLASSES; c++) {
    const i = (k - 1) * CLASSES + c;
    const hit = (prev >> c) & 1;
    out[at + c] = hit ? velocityOfBin(velocityBin(s.velocities[i])) / 127 : 0;
    out[at + CLASSES + c] = hit ? offsetOfBin(offsetBin(s.offsets[i])) : 0;
  }
}

/** Step `k`'s targets: class c's velocity and offset bins, -1 where c is not hit. */
export function binTargets(s: DrumSequence, k: number, vel: Int32Array, off: Int32Array, at = 0): void {
  const tok = s.tokens[k];
  for (let c = 0; c < CLASSES; c++) {
    const hit = (tok >> c) & 1;
    vel[at + c] = hit ? velocityBin(s.velocities[k * CLASSES + c]) : -1;
    off[at + c] = hit ? offsetBin(s.offsets[k * CLASSES + c]) : -1;
  }
}

/** Windows of every sequence from a random bar line, shuffled by (seed, epoch). */
export function barWindows(lengths: readonly number[], L: number, seed: number, epoch: number): [number, number][] {
  const rng = new Rng((seed * 1000003 + epoch) >>> 0);
  const bars = Math.max(1, Math.floor(L / BAR));
  const out: [number, number][] = [];
  lengths.forEach((n, i) => {
    const offset = n > L ? rng.int(bars) * BAR : 0;
    for (let start = n > L && offset > 0 ? offset - bars * BAR : 0; start < n; start += bars * BAR) out.push([i, Math.max(0, start)]);
  });
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function expressiveBatch(seqs: readonly DrumSequence[], wins: [number, number][], L: number): Batch {
  const B = wins.length;
  const ins = [0, 1, 2, 3, 4].map((f) => (f === EXPRESSION ? new Float32Array(B * L * 2 * CLASSES) : new Int32Array(B * L)));
  const hits = new Int32Array(B * L);
  const vel = new Int32Array(B * L * CLASSES).fill(-1);
  const off = new Int32Array(B * L * CLASSES).fill(-1);
  const weights = new Float32Array(B * L);
  wins.forEach(([si, start], b) => {
    const s = seqs[si];
    for (let t = 0; t < L; t++) {
      const k = start + t;
      const i = b * L + t;
      if (k >= s.tokens.length) continue;
      stepInputs(s, k).forEach((v, f) => f !== EXPRESSION && (ins[f][i] = v));
      expressionOf(s, k, ins[EXPRESSION] as Float32Array, i * 2 * CLASSES);
      hits[i] = s.tokens[k];
      binTargets(s, k, vel, off, i * CLASSES);
      weights[i] = 1;
    }
  });
  return { B, L, inputs: ins, targets: [hits, vel, off], weights };
}

/** Per step, the engine's teacher-forced NLL of each head, and its velocity/offset errors on the true hits. */
export interface ExpressiveScore {
  steps: number;
  hits: number;
  /** Share of steps whose most likely hit token is the true one. */
  hitAccuracy: number;
  velocity: number;
  offset: number;
  /** Mean |expected − true| over true hits: MIDI velocity, fraction of a step, milliseconds. */
  velocityMae: number;
  offsetMaeSteps: number;
  offsetMaeMs: number;
}

/**
 * Score sequences under the engine, each from a zero state, teacher-forced: the true token
 * conditions the velocity and offset heads. A head's value for the errors is its expected
 * value (the bins' centres weighted by their probabilities), the best single guess under
 * absolute error being the median but the mean being what a sampled bin averages to.
 */
export function scoreExpressive(net: Network, seqs: readonly DrumSequence[]): ExpressiveScore {
  const s = new Sampler(1 << CLASSES);
  const r: ExpressiveScore = { steps: 0, hits: 0, hitAccuracy: 0, velocity: 0, offset: 0, velocityMae: 0, offsetMaeSteps: 0, offsetMaeMs: 0 };
  const ins = [0, 0, 0, 0, 0];
  const expr = net.vectors[EXPRESSION] as Float32Array;
  const vel = new Int32Array(CLASSES);
  const off = new Int32Array(CLASSES);
  const probs = new Float64Array(16);
  let nHits = 0;
  const expected = (logits: Float32Array, at: number, centres: readonly number[]) => {
    let z = 0;
    let m = -Infinity;
    for (let j = 0; j < centres.length; j++) m = Math.max(m, logits[at + j]);
    for (let j = 0; j < centres.length; j++) z += probs[j] = Math.exp(logits[at + j] - m);
    let e = 0;
    for (let j = 0; j < centres.length; j++) e += (probs[j] / z) * centres[j];
    return e;
  };
  for (const seq of seqs) {
    net.resetState();
    for (let k = 0; k < seq.tokens.length; k++) {
      stepInputs(seq, k).forEach((v, f) => (ins[f] = v));
      expressionOf(seq, k, expr);
      net.step(ins);
      const tok = seq.tokens[k];
      r.hits -= s.logProb(net.logits[0], tok);
      let best = 0;
      for (let j = 1; j < net.logits[0].length; j++) if (net.logits[0][j] > net.logits[0][best]) best = j;
      if (best === tok) r.hitAccuracy++;
      net.condition(1, tok);
      net.condition(2, tok);
      binTargets(seq, k, vel, off);
      for (let c = 0; c < CLASSES; c++) {
        if (vel[c] < 0) continue;
        nHits++;
        r.velocity -= s.logProbAt(net.logits[1], c * VELOCITY_BINS, VELOCITY_BINS, vel[c]);
        r.offset -= s.logProbAt(net.logits[2], c * OFFSET_BINS, OFFSET_BINS, off[c]);
        r.velocityMae += Math.abs(expected(net.logits[1], c * VELOCITY_BINS, VELOCITY_CENTRES) - seq.velocities[k * CLASSES + c]);
        const e = Math.abs(expected(net.logits[2], c * OFFSET_BINS, OFFSET_CENTRES) - seq.offsets[k * CLASSES + c]);
        r.offsetMaeSteps += e;
        r.offsetMaeMs += e * seq.msPerStep;
      }
      r.steps++;
    }
  }
  const n = r.steps || 1;
  const h = nHits || 1;
  return { steps: r.steps, hits: r.hits / n, hitAccuracy: r.hitAccuracy / n, velocity: r.velocity / n, offset: r.offset / n, velocityMae: r.velocityMae / h, offsetMaeSteps: r.offsetMaeSteps / h, offsetMaeMs: r.offsetMaeMs / h };
}

/** The metadata the engine needs to play the model (the heads' list is the exporter's). */
export function expressiveMeta(ds: Dataset): Record<string, unknown> {
  return {
    encoding: EXPRESSIVE_ENCODING,
    stepsPerQuarter: ds.stepsPerQuarter,
    stepsPerBar: ds.stepsPerBar,
    countIn: DRUM_COUNT_IN,
    classes: CLASSES,
    velocityBins: VELOCITY_BINS,
    offsetBins: OFFSET_BINS,
    inputs: [
      { name: 'hits', onehot: true },
      { name: 'position', onehot: true },
      { name: 'expression', onehot: false },
      { name: 'hits_bar1', onehot: true },
      { name: 'hits_bar2', onehot: true },
      { name: 'hits_now', onehot: true },
    ],
  };
}

/** No validation to score (NO_VALIDATION): every figure NaN, which the trainer reads as none. */
const NO_SCORE: ExpressiveScore = { steps: 0, hits: NaN, hitAccuracy: NaN, velocity: NaN, offset: NaN, velocityMae: NaN, offsetMaeSteps: NaN, offsetMaeMs: NaN };

/**
 * Expressive drums. Early stopping follows the hit NLL on validation (hits overfit before the
 * velocity and offset heads do); `validationParts` reports all three.
 */
export function expressiveTask(ds: Dataset): TrainingTask & { validationParts(net: Network): ExpressiveScore; splitScore(net: Network, split: SplitName): ExpressiveScore } {
  const seqsOf = (split: SplitName): DrumSequence[] => ds.splits[split];
  const train = seqsOf('train');
  const held = validationOrNone(seqsOf('validation'));
  // the loop asks for the hit NLL, then the parts, of one network: score it once
  const scored = new WeakMap<Network, ExpressiveScore>();
  const heldScore = (net: Network) => (held ? scored.get(net) ?? (scored.set(net, scoreExpressive(net, held)).get(net) as ExpressiveScore) : NO_SCORE);
  return {
    encoding: EXPRESSIVE_ENCODING,
    validationFrom: ds.summary.validationFrom,
    summary: `${formatSummary(ds.summary)}\naugmentation: none`,
    shape: expressiveShape,
    windows: (L, seed, epoch) => barWindows(train.map((s) => s.tokens.length), L, seed, epoch),
    batch: (wins, L) => expressiveBatch(train, wins, L),
    logFrequencies(head) {
      if (head === 0) return logFrequencies(1 << CLASSES, train.map((s) => s.tokens));
      const n = head === 1 ? VELOCITY_BINS : OFFSET_BINS;
      const counts = new Float64Array(CLASSES * n).fill(0.1);
      const v = new Int32Array(CLASSES);
      const o = new Int32Array(CLASSES);
      for (const s of train) {
        for (let k = 0; k < s.tokens.length; k++) {
          binTargets(s, k, v, o);
          for (let c = 0; c < CLASSES; c++) if (v[c] >= 0) counts[c * n + (head === 1 ? v[c] : o[c])]++;
        }
      }
      const out = new Float32Array(CLASSES * n);
      for (let c = 0; c < CLASSES; c++) {
        let total = 0;
        for (let j = 0; j < n; j++) total += counts[c * n + j];
        for (let j = 0; j < n; j++) out[c * n + j] = Math.log(counts[c * n + j] / total);
      }
      return out;
    },
    validationNll: (net) => heldScore(net).hits,
    partNames: ['hits', 'velocity', 'offset'],
    validationParts: (net) => ({ ...heldScore(net) }),
    splitScore: (net, split) => scoreExpressive(net, seqsOf(split)),
    sequences: (split) => seqsOf(split).map((s) => Array.from(s.tokens, (t) => [t])),
    meta: () => expressiveMeta(ds),
  };
}
