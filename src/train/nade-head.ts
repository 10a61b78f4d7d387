/**
 * The trainer's side of a key order (`src/engine/nade.ts`): its variables, their start, the
 * teacher-forced logits and the engine's `KeyOrderSpec` made from them. Trained with the true
 * frame's keys as the keys below (teacher forcing), every key of every step in one op:
 *
 *   direct: Y · (D ⊙ U), U[j,k] = 1 for j < k: one masked matrix product;
 *   NADE:   a_k = c(h) + Σ_{j<k} Y[j]·W[j,:] (an exclusive cumulative sum over the keys), then
 *           V[k,:]·σ(a_k), walked key by key in plain loops with its own gradient.
 *
 * V and D start at zero, so an untrained order adds nothing and the head starts as the
 * independent one did (its loss equal to the per-key baseline when its bias is set so).
 *
 * @example
 * const shape = pianoRollShape(128, 1, { order: 'nade', hidden: 32 });
 * new RnnModel(shape, 1).trainStep(batch, o); // the loss is the engine's frame NLL
 */
import * as tf from '@tensorflow/tfjs';
import type { DenseSpec, KeyOrderSpec } from '../engine/model.js';
import type { Rng } from '../engine/prng.js';

/** What a head's key order holds: a direct term, a NADE of `hidden` units, or both. */
export interface KeyOrderShape {
  readonly direct?: boolean;
  readonly hidden?: number;
}

/** The variables' short names, in a fixed order (checkpoints and the optimizer rely on it). */
export const KEY_ORDER_PARTS = ['direct', 'nade_ck', 'nade_cb', 'nade_w', 'nade_v'] as const;
export type KeyOrderPart = (typeof KEY_ORDER_PARTS)[number];

/** The parts an order of this shape has. */
export function keyOrderParts(o: KeyOrderShape): KeyOrderPart[] {
  return KEY_ORDER_PARTS.filter((p) => (p === 'direct' ? o.direct === true : (o.hidden ?? 0) > 0));
}

/** Throws, naming the head, when an order cannot be trained. */
export function checkKeyOrderShape(name: string, o: KeyOrderShape): void {
  const H = o.hidden ?? 0;
  if (!(Number.isInteger(H) && H >= 0 && H <= 4096)) throw new Error(`head '${name}': key order hidden size ${o.hidden} is not a whole number from 0 to 4096`);
  if (!o.direct && H === 0) throw new Error(`head '${name}': a key order needs a direct term or a NADE hidden size`);
}

/** Each part's starting values: W and c(h)'s kernel Glorot-uniform, the rest zero (an untrained order adds nothing). */
export function keyOrderInit(o: KeyOrderShape, keys: number, units: number, rng: Rng): [KeyOrderPart, tf.Tensor][] {
  const H = o.hidden ?? 0;
  const uniform = (rows: number, cols: number) => {
    const lim = Math.sqrt(6 / (rows + cols));
    return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => (rng.next() * 2 - 1) * lim), [rows, cols]);
  };
  const init: Record<KeyOrderPart, () => tf.Tensor> = {
    direct: () => tf.zeros([keys, keys]),
    nade_ck: () => uniform(units, H),
    nade_cb: () => tf.zeros([H]),
    nade_w: () => uniform(keys, H),
    nade_v: () => tf.zeros([keys, H]),
  };
  return keyOrderParts(o).map((p) => [p, init[p]()]);
}

/** U[j,k] = 1 for j < k: key k reads only the keys below it. */
function below(n: number): tf.Tensor2D {
  const u = new Float32Array(n * n);
  for (let j = 0; j < n; j++) u.fill(1, j * n + j + 1, (j + 1) * n);
  return tf.tensor2d(u, [n, n]);
}

/**
 * What the order adds to the logits [N, keys] of N steps whose top-layer output is `h` [N,
 * units] and whose true keys are `y` [N, keys] (0 or 1).
 */
export function keyOrderLogits(o: KeyOrderShape, h: tf.Tensor2D, y: tf.Tensor2D, v: (p: KeyOrderPart) => tf.Tensor, mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  const n = y.shape[1];
  const terms: tf.Tensor2D[] = [];
  if (o.direct) terms.push(mm(y, tf.mul(v('direct'), below(n)) as tf.Tensor2D));
  const H = o.hidden ?? 0;
  if (H > 0) {
    const c = tf.add(mm(h, v('nade_ck') as tf.Tensor2D), v('nade_cb')) as tf.Tensor2D;
    terms.push(nadeTerm(c, y, v('nade_w') as tf.Tensor2D, v('nade_v') as tf.Tensor2D));
  }
  return terms.length === 1 ? terms[0] : (tf.add(terms[0], terms[1]) as tf.Tensor2D);
}

/**
 * The NADE's term [N, keys] from c(h) [N, hidden], the true keys y [N, keys] and W, V [keys,
 * hidden], with its gradient, in plain loops: a key's σ(a) changes only where a key below it
 * is on (four or so a frame), so a step walks the keys as the engine does. The same sums as
 * tfjs ops (a cumsum and broadcasts over an [N, hidden, keys] tensor) ran three times slower.
 */
export const nadeTerm = tf.customGrad(((c: tf.Tensor2D, y: tf.Tensor2D, W: tf.Tensor2D, V: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([c, y, W, V]);
  const [N, n] = y.shape;
  const H = c.shape[1];
  const out = new Float32Array(N * n);
  const Vv = V.dataSync() as Float32Array;
  walkKeys(c.dataSync() as Float32Array, y.dataSync() as Float32Array, W.dataSync() as Float32Array, N, n, H, (row, k, s) => {
    let z = 0;
    for (let i = 0; i < H; i++) z += Vv[k * H + i] * s[i];
    out[row + k] = z;
  });
  return {
    value: tf.tensor2d(out, [N, n]),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => nadeGrads(dy, saved as tf.Tensor2D[]),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (c: tf.Tensor2D, y: tf.Tensor2D, W: tf.Tensor2D, V: tf.Tensor2D) => tf.Tensor2D;

/** For each step and key, σ(a) as it stands at that key (before the key itself counts): `visit(row, k, σ)`. */
function walkKeys(c: Float32Array, y: Float32Array, W: Float32Array, N: number, n: number, H: number, visit: (row: number, k: number, s: Float64Array) => void): void {
  const a = new Float64Array(H);
  const s = new Float64Array(H);
  for (let b = 0; b < N; b++) {
    for (let i = 0; i < H; i++) s[i] = 1 / (1 + Math.exp(-(a[i] = c[b * H + i])));
    for (let k = 0; k < n; k++) {
      visit(b * n, k, s);
      if (y[b * n + k] === 0) continue;
      for (let i = 0; i < H; i++) s[i] = 1 / (1 + Math.exp(-(a[i] += W[k * H + i])));
    }
  }
}

/** dc, dy (none: the keys are data), dW, dV of the NADE's term, given its gradient `dy` [N, keys]. */
function nadeGrads(dy: tf.Tensor2D, [c, y, W, V]: tf.Tensor2D[]): tf.Tensor[] {
  const [N, n] = y.shape;
  const H = c.shape[1];
  const g = dy.dataSync() as Float32Array;
  const yv = y.dataSync() as Float32Array;
  const Wv = W.dataSync() as Float32Array;
  const Vv = V.dataSync() as Float32Array;
  const dc = new Float32Array(N * H);
  const dW = new Float64Array(n * H);
  const dV = new Float64Array(n * H);
  // da_k = g_k·V_k⊙σ'(a_k); dW[j] = y_j·Σ_{k>j} da_k and dc = Σ_k da_k, summed from the top key down
  const da = new Float64Array(n * H);
  const acc = new Float64Array(H);
  walkKeys(c.dataSync() as Float32Array, yv, Wv, N, n, H, (row, k, s) => {
    const gk = g[row + k];
    for (let i = 0; i < H; i++) {
      dV[k * H + i] += gk * s[i];
      da[k * H + i] = gk * Vv[k * H + i] * s[i] * (1 - s[i]);
    }
    if (k < n - 1) return;
    const b = row / n;
    acc.fill(0);
    for (let j = n - 1; j >= 0; j--) {
      if (yv[row + j] !== 0) for (let i = 0; i < H; i++) dW[j * H + i] += acc[i];
      for (let i = 0; i < H; i++) acc[i] += da[j * H + i];
    }
    for (let i = 0; i < H; i++) dc[b * H + i] = acc[i];
  });
  return [tf.tensor2d(dc, [N, H]), tf.zerosLike(y), tf.tensor2d(Float32Array.from(dW), [n, H]), tf.tensor2d(Float32Array.from(dV), [n, H])];
}

/** The engine's key order from the trained values (`data(part)`), for a head of `keys` units over `units` top-layer units. */
export function keyOrderSpec(o: KeyOrderShape, name: string, keys: number, units: number, data: (p: KeyOrderPart) => Float32Array): KeyOrderSpec {
  const H = o.hidden ?? 0;
  const context: DenseSpec | null = H > 0 ? { name: `${name}_context`, inputSize: units, units: H, kernel: data('nade_ck').slice(), bias: data('nade_cb').slice(), activation: 'linear' } : null;
  return {
    ...(o.direct ? { direct: data('direct').slice() } : {}),
    ...(context ? { nade: { hidden: H, context, W: data('nade_w').slice(), V: data('nade_v').slice() } } : {}),
  };
}

/**
 * The key order's tensors as the model file holds them, beside its head's Dense `dense`
 * (`<dense>/key_direct`, `key_context_kernel`, `key_context_bias`, `key_w`, `key_v`), which
 * the engine's loader reads back (layers-model.ts).
 */
export function keyOrderTensors(spec: KeyOrderSpec, dense: string, keys: number): { name: string; shape: number[]; data: Float32Array }[] {
  const out: { name: string; shape: number[]; data: Float32Array }[] = [];
  if (spec.direct) out.push({ name: `${dense}/key_direct`, shape: [keys, keys], data: spec.direct });
  const m = spec.nade;
  if (m) {
    out.push(
      { name: `${dense}/key_context_kernel`, shape: [m.context.inputSize, m.hidden], data: m.context.kernel },
      { name: `${dense}/key_context_bias`, shape: [m.hidden], data: m.context.bias ?? new Float32Array(m.hidden) },
      { name: `${dense}/key_w`, shape: [keys, m.hidden], data: m.W },
      { name: `${dense}/key_v`, shape: [keys, m.hidden], data: m.V },
    );
  }
  return out;
}
