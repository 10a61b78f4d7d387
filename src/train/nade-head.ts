/**
 * The trainer's side of a key order (`src/engine/nade.ts`): its variables, their start, the
 * teacher-forced logits in tfjs and the engine's `KeyOrderSpec` made from them. Trained with
 * the true frame's keys as the keys below (teacher forcing), every key of every step at once:
 *
 *   direct: Y · (D ⊙ U), U[j,k] = 1 for j < k: one masked matrix product;
 *   NADE:   a = c(h) + exclusive cumsum over keys of Y[k]·W[k,:], then Σ_i V[k,i]·σ(a_ik).
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
  const [N, n] = y.shape;
  const terms: tf.Tensor2D[] = [];
  if (o.direct) terms.push(mm(y, tf.mul(v('direct'), below(n)) as tf.Tensor2D));
  const H = o.hidden ?? 0;
  if (H > 0) {
    const c = tf.add(mm(h, v('nade_ck') as tf.Tensor2D), v('nade_cb'));
    // keys on the last axis: tfjs's gradient of a cumsum along another axis has the wrong shape
    const yw = tf.mul(tf.reshape(y, [N, 1, n]), tf.reshape(tf.transpose(v('nade_w')), [1, H, n]));
    const a = tf.add(tf.cumsum(yw, 2, true), tf.reshape(c, [N, H, 1]));
    terms.push(tf.sum(tf.mul(tf.sigmoid(a), tf.reshape(tf.transpose(v('nade_v')), [1, H, n])), 1) as tf.Tensor2D);
  }
  return terms.length === 1 ? terms[0] : (tf.add(terms[0], terms[1]) as tf.Tensor2D);
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
