/**
 * A head of independent Bernoulli units (a piano roll's 88 keys): each logit z_k gives
 * p_k = sigmoid(z_k / T), and each key is drawn on its own, in key order, from the seeded
 * stream (one `rng.next()` per key, so a performance replays exactly). Nothing is allocated:
 * the choices go into the caller's buffer.
 *
 * @example
 * const keys = new Uint8Array(88);
 * const sounding = sampleBernoulli(net.logits[0], 0, 88, 1, rng, keys); // keys[k] is 0 or 1
 * bernoulliNll(net.logits[0], 0, target, 0, 88);                         // −log p(target), nats
 */
import type { Rng } from './prng.js';

/**
 * Draw `n` units from `logits[offset..offset+n)` at temperature `T` into `out[0..n)`; returns how
 * many are on. T = 0 turns on exactly the units likelier on than off (logit > 0).
 */
export function sampleBernoulli(logits: Float32Array, offset: number, n: number, T: number, rng: Rng, out: Uint8Array): number {
  if (!(T >= 0 && T < Infinity)) throw new Error(`temperature must be a finite number ≥ 0, got ${T}`);
  if (!(offset >= 0 && offset + n <= logits.length && n <= out.length)) throw new Error(`units ${offset}..${offset + n - 1} do not fit the ${logits.length} logits or the ${out.length} outputs given`);
  let on = 0;
  for (let k = 0; k < n; k++) {
    const z = logits[offset + k];
    let bit = 0;
    if (T === 0) bit = z > 0 ? 1 : 0;
    else bit = rng.next() < 1 / (1 + Math.exp(-z / T)) ? 1 : 0;
    out[k] = bit;
    on += bit;
  }
  return on;
}

/**
 * −log p(bits) in nats for units whose logits are `logits[offset..offset+n)`, the targets
 * `bits[bitsOffset..+n)` (0 or 1): Σ softplus(z) − y·z, written so a large |z| neither
 * overflows nor loses the small term.
 */
export function bernoulliNll(logits: Float32Array, offset: number, bits: ArrayLike<number>, bitsOffset: number, n: number): number {
  let nll = 0;
  for (let k = 0; k < n; k++) {
    const z = logits[offset + k];
    nll += Math.max(z, 0) - z * bits[bitsOffset + k] + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return nll;
}
