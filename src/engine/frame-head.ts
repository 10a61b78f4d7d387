/**
 * A head that gives a whole frame of keys at once (a piano roll's 88): how a frame is drawn
 * and scored from the head's logits, whatever order the head puts on the keys. Hosts, codecs,
 * the trainer's scoring and benchmarks go through it rather than through the unit sampler, so
 * a head that makes each key depend on the keys drawn before it in the same frame plugs in
 * here. Scratch space is allocated once, in the constructor: drawing a frame allocates nothing.
 *
 * @example
 * const frame = new FrameHead(spec.heads[0]);
 * const keys = new Uint8Array(frame.size);
 * net.step(tokens);
 * const on = frame.sample(net.logits[0], 1, rng, keys); // keys[k] is 0 or 1
 * frame.nll(net.logits[0], keys);                        // −log p(keys), nats
 */
import { bernoulliNll, sampleBernoulli } from './bernoulli.js';
import type { HeadSpec } from './model.js';
import type { Rng } from './prng.js';

export class FrameHead {
  /** Keys in a frame. */
  readonly size: number;

  constructor(readonly head: HeadSpec) {
    if (!head.bernoulli) throw new Error(`head '${head.name}' is a softmax of ${head.size}, not a frame of keys`);
    this.size = head.size;
  }

  /** Draw a frame at temperature `T` into `out[0..size)`; returns how many keys are on. */
  sample(logits: Float32Array, T: number, rng: Rng, out: Uint8Array): number {
    return sampleBernoulli(logits, 0, this.size, T, rng, out);
  }

  /** −log p(bits) in nats of the frame `bits[0..size)` (0 or 1 each). */
  nll(logits: Float32Array, bits: ArrayLike<number>): number {
    return bernoulliNll(logits, 0, bits, 0, this.size);
  }
}
