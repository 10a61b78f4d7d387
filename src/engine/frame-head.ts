/**
 * A head that gives a whole frame of keys at once (a piano roll's 88): how a frame is drawn
 * and scored from the head's logits, whatever order the head puts on the keys. Hosts, codecs,
 * the trainer's scoring and benchmarks go through it rather than through the unit sampler.
 * Scratch space is allocated once, in the constructor: drawing a frame allocates nothing.
 *
 * Two kinds of head: independent Bernoulli keys, and keys in an autoregressive order
 * (`HeadSpec.keyOrder`, see `nade.ts`), where key k reads the keys below it drawn in the same
 * frame. A NADE order also reads the network's top hidden state, so give the constructor the
 * `Network` the logits come from (its top layer's h is read, as it stands, by `sample` and
 * `nll`: call them after the step whose logits they are given). Both kinds draw the keys low to
 * high, one `rng.next()` per key (none at T = 0), so a performance replays exactly;
 * temperature divides each key's whole logit; T = 0 turns each key on exactly when its logit,
 * given the keys below it, is above 0.
 *
 * @example
 * const frame = new FrameHead(spec.heads[0], net);
 * const keys = new Uint8Array(frame.size);
 * net.step(tokens);
 * const on = frame.sample(net.logits[0], 1, rng, keys); // keys[k] is 0 or 1
 * frame.nll(net.logits[0], keys);                        // −log p(keys), nats
 */
import { bernoulliNll, sampleBernoulli } from './bernoulli.js';
import type { HeadSpec } from './model.js';
import { KeyOrder } from './nade.js';
import type { Network } from './network.js';
import type { Rng } from './prng.js';

export class FrameHead {
  /** Keys in a frame. */
  readonly size: number;
  /** The head's order over the keys, or null when they are independent. */
  private readonly order: KeyOrder | null;

  constructor(
    readonly head: HeadSpec,
    net?: Pick<Network, 'hidden' | 'spec'>,
  ) {
    if (!head.bernoulli) throw new Error(`head '${head.name}' is a softmax of ${head.size}, not a frame of keys`);
    this.size = head.size;
    const o = head.keyOrder;
    if (o?.nade && !net) throw new Error(`head '${head.name}' orders its keys with a NADE that reads the network's top layer: construct FrameHead(head, net)`);
    this.order = o ? new KeyOrder(o, head.size, net && o.nade ? net.hidden(net.spec.layers.length - 1) : null) : null;
  }

  /** Draw a frame at temperature `T` into `out[0..size)`; returns how many keys are on. */
  sample(logits: Float32Array, T: number, rng: Rng, out: Uint8Array): number {
    const order = this.order;
    if (!order) return sampleBernoulli(logits, 0, this.size, T, rng, out);
    if (!(T >= 0 && T < Infinity)) throw new Error(`temperature must be a finite number ≥ 0, got ${T}`);
    if (!(this.size <= logits.length && this.size <= out.length)) throw new Error(`a frame of ${this.size} keys does not fit the ${logits.length} logits or the ${out.length} outputs given`);
    return order.sample(logits, T, rng, out);
  }

  /** −log p(bits) in nats of the frame `bits[0..size)` (0 or 1 each). */
  nll(logits: Float32Array, bits: ArrayLike<number>): number {
    return this.order ? this.order.nll(logits, bits) : bernoulliNll(logits, 0, bits, 0, this.size);
  }
}
