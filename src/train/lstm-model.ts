/**
 * The training model: an LSTM stack over one-hot tokens (+ one-hot position in the bar) with
 * a softmax head, in tfjs, written as a hand-made loop because tfjs-layers' `fit` is far too
 * slow here. It computes exactly what the engine computes (Keras gate order i, f, c, o;
 * sigmoid recurrent activation), and exports to the LayersModel format the engine loads.
 *
 * Two things keep it fast on tfjs's wasm backend:
 * - the first layer's input is a one-hot, so its product with the kernel is a row gather; it
 *   is gathered, and its gradient scattered back, in plain JS (tfjs-wasm has no gradient for
 *   gather, and a one-hot matrix product would cost more than the whole recurrence);
 * - every matrix product's gradient transposes explicitly first (tfjs-wasm's matMul with a
 *   transposed operand falls back to a slow loop).
 *
 * @example
 * const m = new LstmModel({ vocab: 512, positions: 16, units: 256, layers: 2, seed: 1 });
 * const loss = m.trainStep(batch, { dropout: 0.3, clip: 1 }); // one Adam step
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/prng.js';
import type { ModelSpec, RnnLayerSpec } from '../engine/model.js';

export interface LstmShape {
  vocab: number;
  /** Positions in the bar fed as a second one-hot input (0: none). */
  positions: number;
  units: number;
  layers: number;
}

export interface Batch {
  /** [B][L] previous tokens (the model's input at each step). */
  inputs: Int32Array;
  /** [B][L] positions in the bar. */
  positions: Int32Array;
  /** [B][L] tokens to predict. */
  targets: Int32Array;
  /** [B][L] 1 where a target is real, 0 for padding after a short sequence. */
  weights: Float32Array;
  B: number;
  L: number;
}

/** Variable names, in a fixed order (checkpoints and the optimizer use them). */
export function variableNames(s: LstmShape): string[] {
  const names = ['l0_tok', ...(s.positions ? ['l0_pos'] : []), 'l0_rec', 'l0_bias'];
  for (let l = 1; l < s.layers; l++) names.push(`l${l}_in`, `l${l}_rec`, `l${l}_bias`);
  return [...names, 'out_kernel', 'out_bias'];
}

let modelCount = 0;

export class LstmModel {
  readonly vars = new Map<string, tf.Variable>();
  private optimizer: tf.AdamOptimizer;
  /** Registered (global) variable name of each of our names; the optimizer addresses them so. */
  private readonly registered = new Map<string, string>();

  constructor(readonly shape: LstmShape, seed = 1, learningRate = 2e-3) {
    const rng = new Rng(seed);
    const { vocab, positions, units, layers } = shape;
    const g = 4 * units;
    // Glorot-uniform kernels, orthogonal-free recurrent init (scaled uniform), forget bias 1
    const uniform = (rows: number, cols: number, fanIn = rows, fanOut = cols) => {
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * lim), [rows, cols]);
    };
    const bias = () => {
      const b = new Float32Array(g);
      b.fill(1, units, 2 * units);
      return tf.tensor1d(b);
    };
    // tfjs variable names are global: a per-model prefix lets several models coexist
    const prefix = `pulse${modelCount++}`;
    const add = (name: string, t: tf.Tensor) => {
      const v = tf.variable(t, true, `${prefix}_${name}`);
      this.vars.set(name, v);
      this.registered.set(name, v.name);
    };
    add('l0_tok', uniform(vocab, g, vocab + positions));
    if (positions) add('l0_pos', uniform(positions, g, vocab + positions));
    add('l0_rec', uniform(units, g));
    add('l0_bias', bias());
    for (let l = 1; l < layers; l++) {
      add(`l${l}_in`, uniform(units, g));
      add(`l${l}_rec`, uniform(units, g));
      add(`l${l}_bias`, bias());
    }
    add('out_kernel', uniform(units, vocab));
    add('out_bias', tf.zeros([vocab]));
    this.optimizer = tf.train.adam(learningRate);
  }

  get learningRate(): number {
    return (this.optimizer as unknown as { learningRate: number }).learningRate;
  }
  set learningRate(v: number) {
    (this.optimizer as unknown as { learningRate: number }).learningRate = v;
  }

  /**
   * One optimizer step on a batch; returns the mean cross-entropy (nats per token) before
   * the step. `dropout` applies between layers and before the head.
   */
  trainStep(batch: Batch, o: { dropout: number; clip: number; rng: Rng }): number {
    const { B, L } = batch;
    const { units, layers, vocab, positions } = this.shape;
    const g = 4 * units;
    // first layer's input: gathered rows of the token and position kernels, plus the bias
    const tok = this.vars.get('l0_tok')!.dataSync();
    const pos = positions ? this.vars.get('l0_pos')!.dataSync() : null;
    const b0 = this.vars.get('l0_bias')!.dataSync();
    const xs: tf.Tensor2D[] = [];
    for (let t = 0; t < L; t++) {
      const x = new Float32Array(B * g);
      for (let b = 0; b < B; b++) {
        const i = b * L + t;
        const tr = batch.inputs[i] * g;
        const o2 = b * g;
        for (let j = 0; j < g; j++) x[o2 + j] = tok[tr + j] + b0[j];
        if (pos) {
          const pr = batch.positions[i] * g;
          for (let j = 0; j < g; j++) x[o2 + j] += pos[pr + j];
        }
      }
      xs.push(tf.tensor2d(x, [B, g]));
    }
    // targets as a one-hot mask, t-major to match the stacked outputs
    const targetIdx = new Int32Array(B * L);
    const w = new Float32Array(B * L);
    let wsum = 0;
    for (let t = 0; t < L; t++) {
      for (let b = 0; b < B; b++) {
        targetIdx[t * B + b] = batch.targets[b * L + t];
        w[t * B + b] = batch.weights[b * L + t];
        wsum += batch.weights[b * L + t];
      }
    }
    // padding positions weigh nothing; the loss is the mean over real targets
    for (let i = 0; i < w.length; i++) w[i] /= wsum || 1;
    // tfjs-wasm's oneHot in float32 is wrong; as int then cast it is right (tfjs-notes)
    const oneHot = tf.tidy(() => tf.mul(tf.oneHot(tf.tensor1d(targetIdx, 'int32'), vocab).toFloat(), tf.tensor2d(w, [B * L, 1])));
    // dropout masks drawn from our own seeded stream, so a resumed run repeats exactly
    const keep = 1 - o.dropout;
    const mask = (n: number) => {
      if (o.dropout <= 0) return null;
      const m = new Float32Array(n);
      for (let i = 0; i < n; i++) m[i] = o.rng.next() < keep ? 1 / keep : 0;
      return m;
    };
    // one [B, units] mask per layer and step (slicing one big mask copies it whole on wasm)
    const dropMasks: tf.Tensor2D[][] = [];
    for (let l = 0; l < layers && o.dropout > 0; l++) {
      const perStep: tf.Tensor2D[] = [];
      for (let t = 0; t < L; t++) perStep.push(tf.tensor2d(mask(B * units) as Float32Array, [B, units]));
      dropMasks.push(perStep);
    }
    const names = variableNames(this.shape).filter((n) => n !== 'l0_tok' && n !== 'l0_pos' && n !== 'l0_bias');
    const params = names.map((n) => this.vars.get(n)!);
    const f = (...args: tf.Tensor[]) => {
      const inputs = args.slice(0, L) as tf.Tensor2D[];
      const p = new Map(names.map((n, i) => [n, args[L + i] as tf.Tensor2D]));
      let seq: tf.Tensor2D[] = inputs;
      for (let l = 0; l < layers; l++) {
        const U = p.get(`l${l}_rec`)!;
        const W = l > 0 ? p.get(`l${l}_in`)! : null;
        const bias = l > 0 ? p.get(`l${l}_bias`)! : null;
        let h = tf.zeros([B, units]) as tf.Tensor2D;
        let c = tf.zeros([B, units]) as tf.Tensor2D;
        const out: tf.Tensor2D[] = [];
        for (let t = 0; t < L; t++) {
          let z = tf.add(W ? tf.add(mm(seq[t], W), bias!) : seq[t], mm(h, U)) as tf.Tensor2D;
          const [zi, zf, zc, zo] = tf.split(z, 4, 1);
          c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as tf.Tensor2D;
          h = tf.mul(tf.sigmoid(zo), tf.tanh(c)) as tf.Tensor2D;
          z = h;
          out.push(h);
        }
        const dm = dropMasks[l];
        seq = dm ? out.map((x, t) => tf.mul(x, dm[t]) as tf.Tensor2D) : out;
      }
      const H = tf.concat(seq, 0); // [L*B, units], t-major
      const logits = tf.add(mm(H, p.get('out_kernel')!), p.get('out_bias')!);
      return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)))) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)([...xs, ...params]);
    const loss = value.dataSync()[0];
    // gradient of the gathered rows back into the token/position kernels and the bias
    const dTok = new Float32Array(vocab * g);
    const dPos = positions ? new Float32Array(positions * g) : null;
    const dB = new Float32Array(g);
    for (let t = 0; t < L; t++) {
      const d = grads[t].dataSync();
      for (let b = 0; b < B; b++) {
        const i = b * L + t;
        const tr = batch.inputs[i] * g;
        const pr = dPos ? batch.positions[i] * g : 0;
        const o2 = b * g;
        for (let j = 0; j < g; j++) {
          const v = d[o2 + j];
          dTok[tr + j] += v;
          dB[j] += v;
          if (dPos) dPos[pr + j] += v;
        }
      }
    }
    const byName: Record<string, tf.Tensor> = { l0_tok: tf.tensor2d(dTok, [vocab, g]), l0_bias: tf.tensor1d(dB) };
    if (dPos) byName.l0_pos = tf.tensor2d(dPos, [positions, g]);
    names.forEach((n, i) => (byName[n] = grads[L + i]));
    // Adam keeps its moments by position: always hand them over in one fixed order
    const all: Record<string, tf.Tensor> = {};
    for (const n of variableNames(this.shape)) all[this.registered.get(n) as string] = byName[n];
    // clip by global norm
    const norm = Math.sqrt(Object.values(all).reduce((a, t) => a + tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0]), 0));
    const scale = norm > o.clip ? o.clip / norm : 1;
    const scaled: Record<string, tf.Tensor> = {};
    for (const [n, t] of Object.entries(all)) scaled[n] = scale === 1 ? t : tf.mul(t, scale);
    this.optimizer.applyGradients(scaled as unknown as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
    tf.dispose([...xs, oneHot, value, ...grads, ...Object.values(all), ...Object.values(scaled), ...dropMasks.flat()]);
    return loss;
  }

  setOutputBias(bias: Float32Array): void {
    const v = this.vars.get('out_bias') as tf.Variable;
    if (bias.length !== v.size) throw new Error(`output bias needs ${v.size} values, got ${bias.length}`);
    v.assign(tf.tensor1d(bias));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.optimizer.dispose();
  }

  /** The weights as an engine ModelSpec (for evaluation without a file round trip). */
  toSpec(meta: Record<string, unknown>): ModelSpec {
    const { vocab, positions, units, layers } = this.shape;
    const g = 4 * units;
    const d = (n: string) => this.vars.get(n)!.dataSync() as Float32Array;
    const kernel0 = new Float32Array((vocab + positions) * g);
    kernel0.set(d('l0_tok'), 0);
    if (positions) kernel0.set(d('l0_pos'), vocab * g);
    const rnn: RnnLayerSpec[] = [];
    for (let l = 0; l < layers; l++) {
      rnn.push({
        cell: 'lstm',
        name: `lstm${l + 1}`,
        units,
        inputSize: l === 0 ? vocab + positions : units,
        kernel: l === 0 ? kernel0 : d(`l${l}_in`).slice(),
        recurrentKernel: d(`l${l}_rec`).slice(),
        bias: d(`l${l}_bias`).slice(),
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
      });
    }
    return {
      source: 'training model',
      inputs: [{ kind: 'token', name: 'token', vocab }, ...(positions ? [{ kind: 'token' as const, name: 'position', vocab: positions }] : [])],
      layers: rnn,
      heads: [{ name: 'token', size: vocab, layers: [{ name: 'token', inputSize: units, units: vocab, kernel: d('out_kernel').slice(), bias: d('out_bias').slice(), activation: 'softmax' }] }],
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
      const saved = await Promise.all([...this.vars].map(async ([n, v]) => [n, v.dataSync().slice()] as const));
      this.optimizer.applyGradients(zero as unknown as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
      for (const [n, data] of saved) this.vars.get(n)!.assign(tf.tensor(data, this.vars.get(n)!.shape));
      await this.optimizer.setWeights(s.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape, (w.dtype ?? 'float32') as 'float32' | 'int32') })));
      tf.dispose(Object.values(zero));
    }
    this.learningRate = s.lr;
  }
}

/** A matrix product whose gradient transposes explicitly (fast on tfjs-wasm). */
const mm = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(saved[1])), tf.matMul(tf.transpose(saved[0]), dy)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
