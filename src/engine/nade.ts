/**
 * An autoregressive order over the keys of one frame: key k's logit reads the keys below it
 * in the same frame, given the network's top hidden state h. Two terms, either or both:
 *
 *   direct (a fully visible sigmoid belief net):  + Σ_{j<k} D[j,k]·v_j
 *   NADE (Larochelle & Murray 2011; the RNN-NADE of Boulanger-Lewandowski et al. 2012):
 *     a_k = c(h) + Σ_{j<k} W[j,:]·v_j,           + V[k,:]·σ(a_k)
 *
 * added to the head's own logit z_k(h). A frame is walked key by key, low to high: each key
 * costs one dot product of the NADE's hidden width, and a key that turns on adds its row of W
 * to `a` (and its row of D to the later keys' sums). So a frame costs O(keys · hidden) however
 * it is drawn or scored, and allocates nothing: every buffer is made in the constructor.
 *
 * @example
 * const order = new KeyOrder(head.keyOrder, 88, net.hidden(net.spec.layers.length - 1));
 * net.step(tokens);
 * order.sample(net.logits[0], 1, rng, keys);      // keys[k] drawn given keys 0..k-1
 * order.nll(net.logits[0], keys);                 // −log p(keys), nats
 */
import type { KeyOrderSpec } from './model.js';
import type { Rng } from './prng.js';

export class KeyOrder {
  /** Hidden units of the NADE part (0 without one). */
  readonly hidden: number;
  private readonly direct: Float32Array | null;
  /** Σ_{j<k, on} D[j,k] for every key k, as keys turn on. */
  private readonly sums: Float32Array;
  private readonly a: Float32Array;
  /** σ(a), recomputed only when a key turns on. */
  private readonly act: Float32Array;
  /** A key's terms: a number returned from a call that is not inlined is boxed, one allocation a key. */
  private readonly t = new Float64Array(1);

  constructor(
    readonly spec: KeyOrderSpec,
    readonly size: number,
    /** The top recurrent layer's h (a live view), which the NADE's c(h) reads; needed only with a NADE part. */
    private readonly top: Float32Array | null = null,
  ) {
    this.direct = spec.direct ?? null;
    this.hidden = spec.nade ? spec.nade.hidden : 0;
    if (spec.nade && !top) throw new Error(`a NADE key order reads the network's top layer: give its h`);
    if (spec.nade && top && top.length !== spec.nade.context.inputSize) throw new Error(`the NADE context reads ${spec.nade.context.inputSize} units, the top layer has ${top.length}`);
    this.sums = new Float32Array(size);
    this.a = new Float32Array(this.hidden);
    this.act = new Float32Array(this.hidden);
  }

  /** Start a frame: c(h) from the top layer as it stands now, and no key on yet. */
  private begin(): void {
    this.sums.fill(0);
    const nade = this.spec.nade;
    if (!nade) return;
    const H = this.hidden;
    const a = this.a;
    const ctx = nade.context;
    if (ctx.bias) a.set(ctx.bias);
    else a.fill(0);
    const h = this.top as Float32Array;
    const K = ctx.kernel;
    for (let r = 0; r < h.length; r++) {
      const x = h[r];
      if (x === 0) continue;
      const row = r * H;
      for (let i = 0; i < H; i++) a[i] += x * K[row + i];
    }
    this.activate();
  }

  /**
   * Draw a frame from the head's logits `z` at temperature `T` (checked by the caller) into
   * `out[0..size)`, low key first, one `rng.next()` a key (none at T = 0); returns how many are on.
   * Written out in one loop: a helper returning each key's logit would box it, an allocation a key.
   */
  sample(z: Float32Array, T: number, rng: Rng, out: Uint8Array): number {
    this.begin();
    let on = 0;
    for (let k = 0; k < this.size; k++) {
      this.terms(k);
      const x = z[k] + this.t[0];
      const bit = T === 0 ? (x > 0 ? 1 : 0) : rng.next() < 1 / (1 + Math.exp(-x / T)) ? 1 : 0;
      out[k] = bit;
      if (bit === 1) {
        this.on(k);
        on++;
      }
    }
    return on;
  }

  /** −log p(bits) in nats of a frame `bits[0..size)` (0 or 1 each) given the head's logits `z`. */
  nll(z: Float32Array, bits: ArrayLike<number>): number {
    this.begin();
    let nll = 0;
    for (let k = 0; k < this.size; k++) {
      this.terms(k);
      const x = z[k] + this.t[0];
      const y = bits[k];
      nll += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
      if (y) this.on(k);
    }
    return nll;
  }

  /** What the keys below k add to its logit, into `t[0]`: the direct sum and V[k,:]·σ(a). */
  private terms(k: number): void {
    let s = this.direct ? this.sums[k] : 0;
    const nade = this.spec.nade;
    if (nade) {
      const H = this.hidden;
      const V = nade.V;
      const act = this.act;
      const row = k * H;
      for (let i = 0; i < H; i++) s += V[row + i] * act[i];
    }
    this.t[0] = s;
  }

  /** Key k is on: the keys above it read it. */
  private on(k: number): void {
    const D = this.direct;
    const n = this.size;
    if (D) {
      const row = k * n;
      for (let j = k + 1; j < n; j++) this.sums[j] += D[row + j];
    }
    const nade = this.spec.nade;
    if (nade) {
      const H = this.hidden;
      const W = nade.W;
      const row = k * H;
      for (let i = 0; i < H; i++) this.a[i] += W[row + i];
      this.activate();
    }
  }

  private activate(): void {
    const a = this.a;
    const act = this.act;
    for (let i = 0; i < this.hidden; i++) act[i] = 1 / (1 + Math.exp(-a[i]));
  }
}
