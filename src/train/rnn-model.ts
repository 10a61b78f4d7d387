/**
 * The training model: a stack of LSTM or GRU layers over one-hot token inputs (a drum token
 * and its position in the bar; or an event's pitch, delay, duration and velocity) with one
 * softmax head per output, in tfjs, written as a hand-made loop because tfjs-layers' `fit` is
 * far too slow here. It computes exactly what the engine computes (Keras conventions: LSTM gate
 * order i, f, c, o; GRU with the reset gate applied before the recurrent product; sigmoid
 * recurrent activation), and exports to the LayersModel format the engine loads.
 * Tested against the engine's step: test/gemm.test.ts (its loss), test/train.test.ts (its export).
 *
 * An input may be a vector of floats (`Field.vector`): its kernel rows are weighted by its
 * values and summed in the same gather, and the gradient scattered back the same way.
 *
 * A head may read the token of an earlier head (`Field.condition`): in training, the true token
 * at t (teacher forcing), its one-hot times the head's `cond` rows gathered rather than
 * multiplied. A head may be grouped (`Field.groups`): its logits are reshaped to one row per
 * group and step, each row takes its own log-softmax, and the loss sums the true class's
 * −log p over the groups that have one (a drum class not hit has target -1: a zero row of the
 * mask), weighted like every head by its step, so it is in nats per step as the others are.
 * test/heads-conditioned.test.ts checks that loss against the engine's.
 *
 * What keeps it fast:
 * - the first layer's inputs are one-hot, so their product with the kernel is a row gather;
 *   it is gathered, and its gradient scattered back, in plain JS (tfjs-wasm has no gradient
 *   for gather, and a one-hot matrix product would cost more than the whole recurrence);
 * - LSTM and GRU layers run as one op per window and every matrix product on the trainer's
 *   WebAssembly SIMD matrix-matrix kernel (gemm-ops.ts), about twice tfjs-wasm's matMul; GRU
 *   layers whose units are not a multiple of 8 (and hosts without WebAssembly SIMD, or
 *   `kernel: 'tfjs'`) run step by step in tfjs ops, whose matrix products transpose
 *   explicitly (tfjs-wasm's matMul with a transposed operand falls back to a slow loop).
 *
 * @example
 * const m = new RnnModel(drumShape(512, 16, 256, 2), 1);
 * const loss = m.trainStep(batch, { dropout: 0.3, clip: 1, rng }); // one Adam step
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/prng.js';
import type { ModelSpec, RnnLayerSpec } from '../engine/model.js';
import { GemmOps, gatherInputs, scatterInputs, type FieldValues } from './gemm-ops.js';
import { checkKeyOrderShape, keyOrderInit, keyOrderLogits, keyOrderParts, keyOrderSpec, type KeyOrderPart, type KeyOrderShape } from './nade-head.js';

export interface Field {
  /** Name in the exported model (an input layer or a head). */
  readonly name: string;
  /** Token values (the one-hot width), or a vector input's number of floats. */
  readonly vocab: number;
  /**
   * Inputs only: `vocab` floats a step rather than a token (e.g. the previous step's
   * velocities); its kernel rows are multiplied by them, not gathered.
   */
  readonly vector?: boolean;
  /** Short name of the training variable. */
  readonly key: string;
  /**
   * Heads only: the name of an earlier, ungrouped head whose token this head reads (the
   * true token at t in training; the sampled one when playing): its logits are
   * h·W + one-hot(token)·C + b, exported as a Dense over Concatenate([h, `<condition>_now`]).
   */
  readonly condition?: string;
  /**
   * Heads only: `vocab` logits as this many independent softmaxes of `vocab / groups`; the
   * targets give one class per group and step, or -1 where the group has none (a drum class
   * not hit), which costs nothing.
   */
  readonly groups?: number;
  /**
   * Heads only: `vocab` independent Bernoulli units (sigmoid), any number on in a step (a
   * piano roll's keys); the targets give 0 or 1 per unit and step, the loss is the binary
   * cross-entropy summed over the units.
   */
  readonly bernoulli?: boolean;
  /**
   * Bernoulli heads only: key k reads the true keys below it in the same step (nade-head.ts):
   * a direct term, a NADE of `hidden` units, or both. The engine draws the keys in that order.
   */
  readonly keyOrder?: KeyOrderShape;
}

export interface RnnShape {
  readonly inputs: readonly Field[];
  readonly heads: readonly Field[];
  readonly units: number;
  readonly layers: number;
  /** 'lstm' (default) or 'gru' (reset gate before the recurrent product, as tfjs builds it). */
  readonly cell?: 'lstm' | 'gru';
}

const gatesOf = (s: RnnShape) => (s.cell === 'gru' ? 3 : 4);
/** Recurrent kernels: LSTM one [u, 4u]; GRU the z|r part [u, 2u] and the candidate part [u, u]. */
const recurrentNames = (s: RnnShape, l: number) => (s.cell === 'gru' ? [`l${l}_rec_zr`, `l${l}_rec_h`] : [`l${l}_rec`]);

/** A drum-grid model: the previous token and the position in the bar in, the token out. */
export const drumShape = (vocab: number, positions: number, units: number, layers: number): RnnShape => ({
  inputs: [{ name: 'token', vocab, key: 'tok' }, ...(positions ? [{ name: 'position', vocab: positions, key: 'pos' }] : [])],
  heads: [{ name: 'token', vocab, key: '' }],
  units,
  layers,
});

export interface Batch {
  B: number;
  L: number;
  /** Per input field, [B][L] token ids, or a vector field's [B][L][vocab] floats. */
  inputs: FieldValues[];
  /** Per head, [B][L] tokens to predict; a grouped head's are [B][L][groups], -1 for none; a Bernoulli head's [B][L][vocab] 0 or 1. */
  targets: Int32Array[];
  /** [B][L] 1 where a target is real, 0 for padding after a short sequence. */
  weights: Float32Array;
}

/** A head's kernel, bias and (conditioned) the kernel's rows for the condition token's one-hot. */
export const headKey = (s: RnnShape, h: number, part: 'kernel' | 'bias' | 'cond' | KeyOrderPart) => (s.heads.length === 1 ? `out_${part}` : `out_${s.heads[h].key}_${part}`);

/** Variable names, in a fixed order (checkpoints and the optimizer rely on it). */
export function variableNames(s: RnnShape): string[] {
  const names = [...s.inputs.map((f) => `l0_${f.key}`), ...recurrentNames(s, 0), 'l0_bias'];
  for (let l = 1; l < s.layers; l++) names.push(`l${l}_in`, ...recurrentNames(s, l), `l${l}_bias`);
  s.heads.forEach((f, h) => names.push(headKey(s, h, 'kernel'), headKey(s, h, 'bias'), ...(f.condition !== undefined ? [headKey(s, h, 'cond')] : []), ...(f.keyOrder ? keyOrderParts(f.keyOrder).map((p) => headKey(s, h, p)) : [])));
  return names;
}

/** Index of the head head `h` is conditioned on, or -1. */
export const conditionOf = (s: RnnShape, h: number): number => (s.heads[h].condition === undefined ? -1 : s.heads.findIndex((f) => f.name === s.heads[h].condition));

/** Throws, naming the head, when a condition or a group count cannot be trained or played. */
export function checkHeads(s: RnnShape): void {
  s.heads.forEach((f, h) => {
    const g = f.groups ?? 1;
    if (!(Number.isInteger(g) && g >= 1 && f.vocab % g === 0)) throw new Error(`head '${f.name}': groups ${g} must be a positive integer dividing its ${f.vocab} classes`);
    if (f.bernoulli && (g !== 1 || f.condition !== undefined)) throw new Error(`head '${f.name}': a head of Bernoulli units has neither groups nor a condition`);
    if (f.keyOrder && !f.bernoulli) throw new Error(`head '${f.name}': only a head of Bernoulli units orders its units`);
    if (f.keyOrder) checkKeyOrderShape(f.name, f.keyOrder);
    if (s.heads.some((o) => o.bernoulli && o.name === f.condition)) throw new Error(`head '${f.name}': its condition '${f.condition}' is a head of Bernoulli units; a condition is one token`);
    if (f.condition === undefined) return;
    const c = conditionOf(s, h);
    if (c < 0) throw new Error(`head '${f.name}': its condition '${f.condition}' is not a head (${s.heads.map((x) => `'${x.name}'`).join(', ')})`);
    if (c >= h) throw new Error(`head '${f.name}': its condition '${f.condition}' must come before it`);
    if ((s.heads[c].groups ?? 1) !== 1) throw new Error(`head '${f.name}': its condition '${f.condition}' is grouped; a condition is one token`);
  });
}

/**
 * A grouped head's targets as a weighted one-hot mask [L·B·groups, vocab/groups], t-major:
 * each group's true class carries its step's weight; a group with no class (-1) is all zeros.
 */
function groupMask(batch: Batch, h: number, f: Field, w: Float32Array): tf.Tensor2D {
  const { B, L } = batch;
  const G = f.groups ?? 1;
  const n = f.vocab / G;
  const mask = new Float32Array(L * B * G * n);
  const tg = batch.targets[h];
  for (let t = 0; t < L; t++) {
    for (let b = 0; b < B; b++) {
      for (let g = 0; g < G; g++) {
        const c = tg[(b * L + t) * G + g];
        if (c < 0) continue;
        if (c >= n) throw new Error(`head '${f.name}': target ${c} is outside 0..${n - 1}`);
        mask[((t * B + b) * G + g) * n + c] = w[t * B + b];
      }
    }
  }
  return tf.tensor2d(mask, [L * B * G, n]);
}

/** A Bernoulli head's targets [L·B, vocab], t-major, 0 or 1. */
function bitTargets(batch: Batch, h: number, f: Field): tf.Tensor2D {
  const { B, L } = batch;
  const n = f.vocab;
  const y = new Float32Array(L * B * n);
  const tg = batch.targets[h];
  for (let t = 0; t < L; t++) {
    for (let b = 0; b < B; b++) {
      const src = (b * L + t) * n;
      const dst = (t * B + b) * n;
      for (let k = 0; k < n; k++) {
        const v = tg[src + k];
        if (v !== 0 && v !== 1) throw new Error(`head '${f.name}': target ${v} of unit ${k} is not 0 or 1`);
        y[dst + k] = v;
      }
    }
  }
  return tf.tensor2d(y, [L * B, n]);
}

/**
 * Binary cross-entropy summed over the units, each step weighted: Σ w·(max(z,0) − y·z +
 * log(1 + e^−|z|)), which is −log σ(z) or −log(1 − σ(z)) without overflow for large |z|.
 */
function bernoulliLoss(logits: tf.Tensor2D, y: tf.Tensor2D, wT: tf.Tensor2D): tf.Tensor {
  const perUnit = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.sum(tf.mul(perUnit, wT));
}

/**
 * Rows `idx` of a [vocab, cols] matrix: a one-hot times it, without the product. The gradient
 * is scattered back in plain JS (tfjs-wasm has no gradient for gather, tfjs-notes).
 */
function rowGather(idx: Int32Array, vocab: number): (W: tf.Tensor2D) => tf.Tensor2D {
  return tf.customGrad(((W: tf.Tensor2D) => {
    const cols = W.shape[1];
    return {
      value: tf.gather(W, tf.tensor1d(idx, 'int32')),
      gradFunc: (dy: tf.Tensor2D) => {
        const d = dy.dataSync();
        const out = new Float32Array(vocab * cols);
        for (let i = 0; i < idx.length; i++) {
          const o = idx[i] * cols;
          for (let j = 0; j < cols; j++) out[o + j] += d[i * cols + j];
        }
        return [tf.tensor2d(out, [vocab, cols])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (W: tf.Tensor2D) => tf.Tensor2D;
}

/** A token sequence [B][L] in the t-major order of the stacked outputs. */
function tMajor(a: Int32Array, B: number, L: number): Int32Array {
  const out = new Int32Array(B * L);
  for (let t = 0; t < L; t++) for (let b = 0; b < B; b++) out[t * B + b] = a[b * L + t];
  return out;
}

/** Per step, t-major, the weight of its target: padding weighs nothing, the loss is the mean over real steps. */
function stepWeights(batch: Batch): Float32Array {
  const { B, L } = batch;
  const w = new Float32Array(B * L);
  let wsum = 0;
  for (let t = 0; t < L; t++) for (let b = 0; b < B; b++) wsum += w[t * B + b] = batch.weights[b * L + t];
  for (let i = 0; i < w.length; i++) w[i] /= wsum || 1;
  return w;
}

/**
 * Head `h`'s targets as weighted one-hot rows, t-major to match the stacked outputs;
 * tfjs-wasm's oneHot in float32 is wrong, as int then cast it is right (tfjs-notes).
 */
function targetMask(batch: Batch, h: number, vocab: number, wT: tf.Tensor2D): tf.Tensor {
  const { B, L } = batch;
  const idx = new Int32Array(B * L);
  for (let t = 0; t < L; t++) for (let b = 0; b < B; b++) idx[t * B + b] = batch.targets[h][b * L + t];
  return tf.tidy(() => tf.mul(tf.oneHot(tf.tensor1d(idx, 'int32'), vocab).toFloat(), wT));
}

let modelCount = 0;

export class RnnModel {
  readonly vars = new Map<string, tf.Variable>();
  private optimizer: tf.AdamOptimizer;
  /** Registered (global) variable name of each of our names; the optimizer addresses them so. */
  private readonly registered = new Map<string, string>();

  /** Each head's part of the last `trainStep`'s loss (nats per step), in head order. */
  lastHeadLosses: number[] = [];

  /** The gemm kernel's ops, or null for the step-by-step tfjs path. */
  private readonly ops: GemmOps | null;

  constructor(readonly shape: RnnShape, seed = 1, learningRate = 2e-3, options: { kernel?: 'gemm' | 'tfjs' } = {}) {
    checkHeads(shape);
    this.ops = options.kernel === 'tfjs' ? null : GemmOps.create();
    const rng = new Rng(seed);
    const { units, layers } = shape;
    const g = gatesOf(shape) * units;
    const inWidth = shape.inputs.reduce((a, f) => a + f.vocab, 0);
    // Glorot-uniform kernels, orthogonal-free recurrent init (scaled uniform), forget bias 1
    const uniform = (rows: number, cols: number, fanIn = rows, fanOut = cols) => {
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * lim), [rows, cols]);
    };
    const bias = () => {
      const b = new Float32Array(g);
      if (shape.cell !== 'gru') b.fill(1, units, 2 * units); // LSTM forget gate starts open
      return tf.tensor1d(b);
    };
    const recurrent = (l: number) => {
      if (shape.cell === 'gru') {
        add(`l${l}_rec_zr`, uniform(units, 2 * units, units, g));
        add(`l${l}_rec_h`, uniform(units, units, units, g));
      } else add(`l${l}_rec`, uniform(units, g));
    };
    // tfjs variable names are global: a per-model prefix lets several models coexist
    const prefix = `pulse${modelCount++}`;
    const add = (name: string, t: tf.Tensor) => {
      const v = tf.variable(t, true, `${prefix}_${name}`);
      this.vars.set(name, v);
      this.registered.set(name, v.name);
    };
    for (const f of shape.inputs) add(`l0_${f.key}`, uniform(f.vocab, g, inWidth));
    recurrent(0);
    add('l0_bias', bias());
    for (let l = 1; l < layers; l++) {
      add(`l${l}_in`, uniform(units, g));
      recurrent(l);
      add(`l${l}_bias`, bias());
    }
    shape.heads.forEach((f, h) => {
      const c = conditionOf(shape, h);
      const fanIn = units + (c >= 0 ? shape.heads[c].vocab : 0);
      add(headKey(shape, h, 'kernel'), uniform(units, f.vocab, fanIn));
      add(headKey(shape, h, 'bias'), tf.zeros([f.vocab]));
      if (c >= 0) add(headKey(shape, h, 'cond'), uniform(shape.heads[c].vocab, f.vocab, fanIn));
      if (f.keyOrder) for (const [part, t] of keyOrderInit(f.keyOrder, f.vocab, units, rng)) add(headKey(shape, h, part), t);
    });
    this.optimizer = tf.train.adam(learningRate);
  }

  get learningRate(): number {
    return (this.optimizer as unknown as { learningRate: number }).learningRate;
  }
  set learningRate(v: number) {
    (this.optimizer as unknown as { learningRate: number }).learningRate = v;
  }

  /**
   * One optimizer step on a batch; returns the cross-entropy (nats per step, summed over
   * heads) before the step. `dropout` applies between layers and before the heads.
   */
  trainStep(batch: Batch, o: { dropout: number; clip: number; rng: Rng }): number {
    const { units, inputs: fields, heads } = this.shape;
    // the fused GRU needs units in whole kernel panels (multiples of 8); the fused LSTM takes any number
    const ops = this.shape.cell === 'gru' && units % 8 !== 0 ? null : this.ops;
    // the fused path gathers the first layer's inputs inside its recurrent op; the
    // step-by-step path gathers them here, one [B, g] tensor per step
    const xs = ops ? [] : this.gatheredInputs(batch);
    const nx = xs.length;
    const w = stepWeights(batch);
    const wT = tf.tensor2d(w, [w.length, 1]);
    const oneHots = heads.map((f, h) => (f.bernoulli ? bitTargets(batch, h, f) : (f.groups ?? 1) > 1 ? groupMask(batch, h, f, w) : targetMask(batch, h, f.vocab, wT)));
    // teacher forcing: a conditioned head reads its condition head's true token at t
    const gathers = heads.map((_, h) => {
      const c = conditionOf(this.shape, h);
      return c < 0 ? null : rowGather(tMajor(batch.targets[c], batch.B, batch.L), heads[c].vocab);
    });
    const dropMasks = this.dropoutMasks(batch, o.dropout, o.rng, ops !== null);
    const inputVars = new Set([...fields.map((f) => `l0_${f.key}`), 'l0_bias']);
    const names = variableNames(this.shape).filter((n) => ops || !inputVars.has(n));
    const params = names.map((n) => this.vars.get(n)!);
    const fast = this.ops;
    const mmFast = fast ? (a: tf.Tensor2D, b: tf.Tensor2D) => fast.matMul(a, b) as tf.Tensor2D : mm;
    const parts: tf.Tensor[] = [];
    const f = (...args: tf.Tensor[]) => {
      const inputs = args.slice(0, nx) as tf.Tensor2D[];
      const p = new Map(names.map((n, i) => [n, args[nx + i] as tf.Tensor2D]));
      const H = ops ? this.fusedLayers(ops, mmFast, p, batch, dropMasks) : this.stepLayers(inputs, p, batch, dropMasks);
      let loss: tf.Tensor = tf.scalar(0);
      parts.length = 0;
      heads.forEach((f, hd) => {
        let logits = tf.add(mmFast(H, p.get(headKey(this.shape, hd, 'kernel'))!), p.get(headKey(this.shape, hd, 'bias'))!);
        const gather = gathers[hd];
        if (gather) logits = tf.add(logits, gather(p.get(headKey(this.shape, hd, 'cond'))!));
        // teacher forcing: key k reads the true keys below it in the same step
        if (f.keyOrder) logits = tf.add(logits, keyOrderLogits(f.keyOrder, H, oneHots[hd] as tf.Tensor2D, (part) => p.get(headKey(this.shape, hd, part))!, mmFast));
        // a grouped head: one softmax per group, each row of the mask one group of one step
        const G = f.groups ?? 1;
        if (G > 1) logits = tf.reshape(logits, [-1, f.vocab / G]);
        const part = f.bernoulli ? bernoulliLoss(logits as tf.Tensor2D, oneHots[hd] as tf.Tensor2D, wT) : tf.neg(tf.sum(tf.mul(oneHots[hd], tf.logSoftmax(logits))));
        if (heads.length > 1) parts.push(tf.keep(part));
        loss = tf.add(loss, part);
      });
      return loss as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)([...xs, ...params]);
    const loss = value.dataSync()[0];
    this.lastHeadLosses = heads.length > 1 ? parts.map((t) => t.dataSync()[0]) : [loss];
    tf.dispose(parts);
    const byName: Record<string, tf.Tensor> = ops ? {} : this.gatheredGradients(grads.slice(0, nx), batch);
    names.forEach((n, i) => (byName[n] = grads[nx + i]));
    this.applyClipped(byName, o.clip);
    tf.dispose([...xs, wT, ...oneHots, value, ...grads, ...dropMasks.flat()]);
    return loss;
  }

  /** The first layer's inputs gathered from its kernels, one [B, gates·units] tensor per step. */
  private gatheredInputs(batch: Batch): tf.Tensor2D[] {
    const { B, L } = batch;
    const g = gatesOf(this.shape) * this.shape.units;
    const tables = this.shape.inputs.map((f) => this.vars.get(`l0_${f.key}`)!.dataSync() as Float32Array);
    const b0 = this.vars.get('l0_bias')!.dataSync() as Float32Array;
    const xs: tf.Tensor2D[] = [];
    for (let t = 0; t < L; t++) {
      const x = new Float32Array(B * g);
      gatherInputs(x, tables, batch.inputs, b0, B, L, g, t, t + 1);
      xs.push(tf.tensor2d(x, [B, g]));
    }
    return xs;
  }

  /** The gradient of the gathered rows, scattered back into the input kernels and the bias. */
  private gatheredGradients(dxs: tf.Tensor[], batch: Batch): Record<string, tf.Tensor> {
    const { B, L } = batch;
    const g = gatesOf(this.shape) * this.shape.units;
    const fields = this.shape.inputs;
    const dIn = fields.map((fl) => new Float32Array(fl.vocab * g));
    const dB = new Float32Array(g);
    for (let t = 0; t < L; t++) scatterInputs(dxs[t].dataSync() as Float32Array, dIn, batch.inputs, dB, B, L, g, t, t + 1);
    const byName: Record<string, tf.Tensor> = { l0_bias: tf.tensor1d(dB) };
    fields.forEach((fl, fi) => (byName[`l0_${fl.key}`] = tf.tensor2d(dIn[fi], [fl.vocab, g])));
    return byName;
  }

  /**
   * Dropout masks from our own seeded stream, so a resumed run repeats exactly; one
   * [B, units] mask per layer and step (slicing one big mask copies it whole on wasm), or
   * one [L·B, units] mask per layer for the fused path (the same numbers either way).
   */
  private dropoutMasks(batch: Batch, dropout: number, rng: Rng, fused: boolean): tf.Tensor2D[][] {
    const { B, L } = batch;
    const { units, layers } = this.shape;
    const keep = 1 - dropout;
    const masks: tf.Tensor2D[][] = [];
    for (let l = 0; l < layers && dropout > 0; l++) {
      const whole = new Float32Array(L * B * units);
      for (let i = 0; i < whole.length; i++) whole[i] = rng.next() < keep ? 1 / keep : 0;
      const n = B * units;
      masks.push(fused ? [tf.tensor2d(whole, [L * B, units])] : Array.from({ length: L }, (_, t) => tf.tensor2d(whole.subarray(t * n, (t + 1) * n), [B, units])));
    }
    return masks;
  }

  /** The recurrent layers as one op each on the gemm kernel, dropout joined per layer: [L·B, units], t-major. */
  private fusedLayers(ops: GemmOps, mmFast: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D, p: Map<string, tf.Tensor2D>, batch: Batch, dropMasks: tf.Tensor2D[][]): tf.Tensor2D {
    const { B, L } = batch;
    const gru = this.shape.cell === 'gru';
    let seq: tf.Tensor2D | null = null;
    for (let l = 0; l < this.shape.layers; l++) {
      const rec = recurrentNames(this.shape, l).map((n) => p.get(n)!);
      const tables = () => this.shape.inputs.map((fl) => p.get(`l0_${fl.key}`)!);
      const b0 = () => p.get('l0_bias')! as unknown as tf.Tensor1D;
      const x = () => tf.add(mmFast(seq!, p.get(`l${l}_in`)!), p.get(`l${l}_bias`)!) as tf.Tensor2D;
      const h: tf.Tensor2D = gru
        ? seq
          ? ops.gru(x(), rec[0], rec[1], B, L, l)
          : ops.gruTokens(tables(), b0(), rec[0], rec[1], batch.inputs, B, L)
        : seq
          ? ops.lstm(x(), rec[0], B, L, l)
          : ops.lstmTokens(tables(), b0(), rec[0], batch.inputs, B, L);
      const dm = dropMasks[l];
      seq = dm ? (tf.mul(h, dm[0]) as tf.Tensor2D) : h;
    }
    return seq!;
  }

  /** The recurrent layers step by step in tfjs ops, from the gathered inputs: [L·B, units], t-major. */
  private stepLayers(inputs: tf.Tensor2D[], p: Map<string, tf.Tensor2D>, batch: Batch, dropMasks: tf.Tensor2D[][]): tf.Tensor2D {
    const { B, L } = batch;
    const { units, layers } = this.shape;
    let seq: tf.Tensor2D[] = inputs;
    for (let l = 0; l < layers; l++) {
      const W = l > 0 ? p.get(`l${l}_in`)! : null;
      const bias = l > 0 ? p.get(`l${l}_bias`)! : null;
      let h = tf.zeros([B, units]) as tf.Tensor2D;
      let c = tf.zeros([B, units]) as tf.Tensor2D;
      const out: tf.Tensor2D[] = [];
      for (let t = 0; t < L; t++) {
        const x = W ? (tf.add(mm(seq[t], W), bias!) as tf.Tensor2D) : seq[t];
        if (this.shape.cell === 'gru') {
          // z, r from x and h; the candidate from x and the reset-gated h (tfjs's GRU)
          const [xz, xr, xh] = tf.split(x, 3, 1);
          const [hz, hr] = tf.split(mm(h, p.get(`l${l}_rec_zr`)!), 2, 1);
          const z = tf.sigmoid(tf.add(xz, hz));
          const r = tf.sigmoid(tf.add(xr, hr));
          const hh = tf.tanh(tf.add(xh, mm(tf.mul(r, h) as tf.Tensor2D, p.get(`l${l}_rec_h`)!)));
          h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D;
        } else {
          const zt = tf.add(x, mm(h, p.get(`l${l}_rec`)!)) as tf.Tensor2D;
          const [zi, zf, zc, zo] = tf.split(zt, 4, 1);
          c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as tf.Tensor2D;
          h = tf.mul(tf.sigmoid(zo), tf.tanh(c)) as tf.Tensor2D;
        }
        out.push(h);
      }
      const dm = dropMasks[l];
      seq = dm ? out.map((x, t) => tf.mul(x, dm[t]) as tf.Tensor2D) : out;
    }
    return tf.concat(seq, 0) as tf.Tensor2D;
  }

  /** One Adam step on the gradients by variable name, clipped to a global norm of `clip`. */
  private applyClipped(byName: Record<string, tf.Tensor>, clip: number): void {
    // Adam keeps its moments by position: always hand them over in one fixed order
    const all: Record<string, tf.Tensor> = {};
    for (const n of variableNames(this.shape)) all[this.registered.get(n) as string] = byName[n];
    const norm = Math.sqrt(Object.values(all).reduce((a, t) => a + tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0]), 0));
    const scale = norm > clip ? clip / norm : 1;
    const scaled: Record<string, tf.Tensor> = {};
    for (const [n, t] of Object.entries(all)) scaled[n] = scale === 1 ? t : tf.mul(t, scale);
    this.optimizer.applyGradients(scaled as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
    tf.dispose([...Object.values(all), ...Object.values(scaled)]);
  }

  /** Start head `h` at log-frequencies (the model begins at the unigram loss, not log(vocab)). */
  setOutputBias(bias: Float32Array, h = 0): void {
    const v = this.vars.get(headKey(this.shape, h, 'bias')) as tf.Variable;
    if (bias.length !== v.size) throw new Error(`output bias needs ${v.size} values, got ${bias.length}`);
    v.assign(tf.tensor1d(bias));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.optimizer.dispose();
    this.ops?.dispose();
  }

  /** The first layer's kernel over the concatenated one-hot inputs. */
  inputKernel(): Float32Array {
    const g = gatesOf(this.shape) * this.shape.units;
    const k = new Float32Array(this.shape.inputs.reduce((a, f) => a + f.vocab, 0) * g);
    let row = 0;
    for (const f of this.shape.inputs) {
      k.set(this.vars.get(`l0_${f.key}`)!.dataSync() as Float32Array, row * g);
      row += f.vocab;
    }
    return k;
  }

  /** Layer `l`'s recurrent kernel [units, gates·units] as Keras lays it out. */
  recurrentKernel(l: number): Float32Array {
    const u = this.shape.units;
    if (this.shape.cell !== 'gru') return this.vars.get(`l${l}_rec`)!.dataSync().slice() as Float32Array;
    const zr = this.vars.get(`l${l}_rec_zr`)!.dataSync();
    const hh = this.vars.get(`l${l}_rec_h`)!.dataSync();
    const out = new Float32Array(u * 3 * u);
    for (let r = 0; r < u; r++) {
      out.set(zr.subarray(r * 2 * u, (r + 1) * 2 * u), r * 3 * u);
      out.set(hh.subarray(r * u, (r + 1) * u), r * 3 * u + 2 * u);
    }
    return out;
  }

  headVars(h: number): { kernel: tf.Variable; bias: tf.Variable; cond: tf.Variable | null } {
    return { kernel: this.vars.get(headKey(this.shape, h, 'kernel'))!, bias: this.vars.get(headKey(this.shape, h, 'bias'))!, cond: this.vars.get(headKey(this.shape, h, 'cond')) ?? null };
  }

  /** Head `h`'s kernel as its Dense holds it: [units, vocab], or, conditioned, the condition's one-hot rows below: [units + condition vocab, vocab]. */
  headKernel(h: number): Float32Array {
    const { kernel, cond } = this.headVars(h);
    const k = kernel.dataSync() as Float32Array;
    if (!cond) return k.slice();
    const c = cond.dataSync() as Float32Array;
    const out = new Float32Array(k.length + c.length);
    out.set(k);
    out.set(c, k.length);
    return out;
  }

  /** The weights as an engine ModelSpec (for evaluation without a file round trip). */
  toSpec(meta: Record<string, unknown>): ModelSpec {
    const { units, layers } = this.shape;
    const d = (n: string) => this.vars.get(n)!.dataSync() as Float32Array;
    const rnn: RnnLayerSpec[] = [];
    for (let l = 0; l < layers; l++) {
      rnn.push({
        cell: this.shape.cell ?? 'lstm',
        name: `${this.shape.cell ?? 'lstm'}${l + 1}`,
        units,
        inputSize: l === 0 ? this.shape.inputs.reduce((a, f) => a + f.vocab, 0) : units,
        kernel: l === 0 ? this.inputKernel() : d(`l${l}_in`).slice(),
        recurrentKernel: this.recurrentKernel(l),
        bias: d(`l${l}_bias`).slice(),
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
        resetAfter: false,
      });
    }
    return {
      source: 'training model',
      inputs: this.shape.inputs.map((f) => (f.vector ? { kind: 'vector' as const, name: f.name, size: f.vocab } : { kind: 'token' as const, name: f.name, vocab: f.vocab })),
      layers: rnn,
      heads: this.shape.heads.map((f, h) => {
        const { kernel, bias } = this.headVars(h);
        const grouped = (f.groups ?? 1) > 1;
        const k = this.headKernel(h);
        return {
          name: f.name,
          size: f.vocab,
          ...(f.condition !== undefined ? { condition: f.condition } : {}),
          ...(grouped ? { groups: f.groups } : {}),
          ...(f.bernoulli ? { bernoulli: true } : {}),
          ...(f.keyOrder ? { keyOrder: keyOrderSpec(f.keyOrder, f.name, f.vocab, units, (part) => d(headKey(this.shape, h, part))) } : {}),
          layers: [{ name: f.name, inputSize: k.length / f.vocab, units: f.vocab, kernel: k, bias: bias.dataSync().slice() as Float32Array, activation: headActivation(f) }],
        };
      }),
      meta,
    };
  }

  /** Weights and optimizer state, for a checkpoint. */
  async state(): Promise<{ weights: Record<string, Float32Array>; optimizer: { name: string; data: Float32Array; shape: number[]; dtype: string }[]; lr: number }> {
    const weights: Record<string, Float32Array> = {};
    for (const [n, v] of this.vars) weights[n] = v.dataSync().slice() as Float32Array;
    const opt = await this.optimizer.getWeights();
    // values, not bytes: Adam's step counter is an int32 tensor
    return { weights, optimizer: opt.map((w) => ({ name: w.name, data: Float32Array.from(w.tensor.dataSync()), shape: w.tensor.shape, dtype: w.tensor.dtype })), lr: this.learningRate };
  }

  async setState(s: { weights: Record<string, Float32Array>; optimizer: { name: string; data: Float32Array; shape: number[]; dtype?: string }[]; lr: number }): Promise<void> {
    for (const [n, v] of this.vars) {
      const w = s.weights[n];
      if (!w || w.length !== v.size) throw new Error(`checkpoint: weight '${n}' is missing or has ${w?.length} values, expected ${v.size}`);
      v.assign(tf.tensor(w, v.shape));
    }
    // the optimizer's slots are created on first use: step once with zero gradients, then overwrite
    if (s.optimizer.length) {
      const zero: Record<string, tf.Tensor> = {};
      for (const n of variableNames(this.shape)) zero[this.registered.get(n) as string] = tf.zerosLike(this.vars.get(n) as tf.Variable);
      const saved = [...this.vars].map(([n, v]) => [n, v.dataSync().slice()] as const);
      this.optimizer.applyGradients(zero as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
      for (const [n, data] of saved) this.vars.get(n)!.assign(tf.tensor(data, this.vars.get(n)!.shape));
      await this.optimizer.setWeights(s.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape, (w.dtype ?? 'float32') as 'float32' | 'int32') })));
      tf.dispose(Object.values(zero));
    }
    this.learningRate = s.lr;
  }
}

/** The activation a head's Dense ends in, in the exported file and the engine's spec. */
export const headActivation = (f: Field): 'sigmoid' | 'linear' | 'softmax' => (f.bernoulli ? 'sigmoid' : (f.groups ?? 1) > 1 ? 'linear' : 'softmax');

/** A matrix product whose gradient transposes explicitly (fast on tfjs-wasm). */
const mm = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(saved[1])), tf.matMul(tf.transpose(saved[0]), dy)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
