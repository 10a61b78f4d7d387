/**
 * Turning logits into a choice: softmax with temperature, an additive logit bias, a mask of
 * forbidden tokens, nucleus (top-p) truncation, and one draw from a seeded `Rng`.
 * The distribution is always renormalized over what remains, so masking keeps it proper.
 *
 * @example
 * const s = new Sampler(512);
 * const token = s.sample(net.logits[0], { temperature: 0.9, topP: 0.95 }, rng);
 * s.probs[token];                      // its probability under those settings
 * s.logProb(net.logits[0], 36);        // log p at temperature 1, no mask (for scoring)
 *
 * A grouped head's logits hold several softmaxes side by side; the `…At` forms take one
 * group's offset and length, and allocate nothing:
 * @example
 * const bin = s.sampleAt(net.logits[1], 16 * drumClass, 16, {}, rng); // 0..15, probs[0..16)
 */
import type { Rng } from './prng.js';

/**
 * Options of one shape (the same fields, in the same order) on every call keep a step free of
 * allocation: a number read from objects of several shapes may be boxed on the heap.
 */
export interface SampleOptions {
  /** > 0 scales logits by 1/T; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep the smallest set of most likely tokens whose mass reaches topP, in (0, 1]. Default 1. */
  topP?: number;
  /** Tokens with mask[i] !== 0 are never chosen. */
  mask?: Uint8Array | null;
  /** Added to the logits before temperature (e.g. a density control). */
  bias?: Float32Array | null;
  /**
   * The token that stands for silence (a drum grid's 0), or −1 for none. Temperature then
   * acts on "sound or rest" first and on which sound second: at temperature 0 silence wins only
   * when it is likelier than all sounds together, where a plain argmax would pick it whenever
   * no single one of the many drum combinations beats it. At temperature 1 nothing changes.
   */
  rest?: number;
}

export class Sampler {
  /** Probabilities of the latest `distribution`/`sample` call. */
  readonly probs: Float64Array;
  private readonly heap: Int32Array;
  private readonly u = new Float64Array(1);
  private readonly cut = new Float64Array(1);
  private readonly opts = new Float64Array(2);

  constructor(readonly maxSize: number) {
    this.probs = new Float64Array(maxSize);
    this.heap = new Int32Array(maxSize);
  }

  /** Fill `probs[0..logits.length)` with the distribution the options describe. */
  distribution(logits: Float32Array, opts: SampleOptions = {}): void {
    this.distributionAt(logits, 0, logits.length, opts);
  }

  /**
   * Fill `probs[0..n)` with the distribution over `logits[offset..offset+n)` (one group of a
   * grouped head); a mask and a bias index the group, from 0.
   */
  distributionAt(logits: Float32Array, offset: number, n: number, opts: SampleOptions = {}): void {
    // the softmax stays in a function of its own, as small as before sound-or-rest: V8 kept it
    // optimized then, and a tick allocated nothing in every run
    const tempered = this.softmax(logits, offset, n, opts);
    const rest = opts.rest ?? -1;
    const T = this.opts[0];
    if (rest >= 0 && rest < n && T !== 1 && (tempered || T === 0)) this.restFirst(logits, offset, n, rest, opts.mask, opts.bias);
    // handed over in a typed array: a float argument to a call that is not inlined is boxed
    if (tempered && this.opts[1] < 1) (this.cut[0] = this.opts[1]), this.nucleus(n);
  }

  /** The tempered softmax (or the argmax at temperature 0) into `probs`; whether it was tempered. */
  private softmax(logits: Float32Array, offset: number, n: number, opts: SampleOptions): boolean {
    // through a typed array: options objects of several shapes make these loads polymorphic,
    // and a float read there into a plain local is boxed (one heap number per call)
    const o = this.opts;
    o[0] = opts.temperature ?? 1;
    o[1] = opts.topP ?? 1;
    const T = o[0];
    const topP = o[1];
    // compared inline; the call (which would box its float arguments) only for a bad value
    if (!(T >= 0 && T < Infinity && topP > 0 && topP <= 1)) checkOptions(opts.temperature ?? 1, opts.topP ?? 1);
    if (n > this.maxSize) throw new Error(`Sampler sized for ${this.maxSize} tokens, got ${n}`);
    if (!(offset >= 0 && n >= 1 && offset + n <= logits.length)) throw new Error(`logits ${offset}..${offset + n - 1} are outside the ${logits.length} given`);
    const p = this.probs;
    const mask = opts.mask;
    const bias = opts.bias;
    let max = -Infinity;
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (mask && mask[i]) continue;
      const v = bias ? logits[offset + i] + bias[i] : logits[offset + i];
      if (v > max || best < 0) (max = v), (best = i);
    }
    if (best < 0) throw new Error('every token is masked: nothing can be sampled');
    p.fill(0, 0, n);
    if (T === 0 || max === Infinity) {
      p[best] = 1;
      return false;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (mask && mask[i]) continue;
      const v = bias ? logits[offset + i] + bias[i] : logits[offset + i];
      const e = Math.exp((v - max) / T);
      p[i] = e;
      sum += e;
    }
    for (let i = 0; i < n; i++) p[i] /= sum;
    return true;
  }

  /**
   * Re-weigh `probs` (the tempered distribution, or the argmax at temperature 0) as two choices:
   * rest with the chance q = r^(1/T) / (r^(1/T) + (1 − r)^(1/T)), r its plain probability, else a
   * sound drawn from the tempered sounds. Floats stay in locals and typed arrays (no boxing).
   */
  private restFirst(logits: Float32Array, offset: number, n: number, rest: number, mask: Uint8Array | null | undefined, bias: Float32Array | null | undefined): void {
    const p = this.probs;
    if (mask && mask[rest]) return;
    let max = -Infinity;
    let loudest = -1;
    let loudestV = -Infinity;
    for (let i = 0; i < n; i++) {
      if (mask && mask[i]) continue;
      const v = bias ? logits[offset + i] + bias[i] : logits[offset + i];
      if (v > max) max = v;
      if (i !== rest && (loudest < 0 || v > loudestV)) (loudest = i), (loudestV = v);
    }
    let sum = 0;
    let restE = 0;
    for (let i = 0; i < n; i++) {
      if (mask && mask[i]) continue;
      const e = Math.exp((bias ? logits[offset + i] + bias[i] : logits[offset + i]) - max);
      sum += e;
      if (i === rest) restE = e;
    }
    const r = restE / sum;
    const T = this.opts[0];
    const a = T === 0 ? (r >= 0.5 ? 1 : 0) : Math.pow(r, 1 / T);
    const b = T === 0 ? (r >= 0.5 ? 0 : 1) : Math.pow(1 - r, 1 / T);
    const q = loudest < 0 ? 1 : a + b > 0 ? a / (a + b) : r >= 0.5 ? 1 : 0;
    // summed, not 1 − p[rest]: at a low temperature that difference loses every digit
    let sound = 0;
    for (let i = 0; i < n; i++) if (i !== rest) sound += p[i];
    if (q === 1) p.fill(0, 0, n);
    else if (!(sound > 0)) {
      // the tempered sounds all underflowed: the likeliest one stands for them
      p.fill(0, 0, n);
      p[loudest] = 1 - q;
    } else {
      for (let i = 0; i < n; i++) if (i !== rest) p[i] = (p[i] / sound) * (1 - q);
    }
    p[rest] = q;
  }

  /** Draw a token from the distribution the options describe. */
  sample(logits: Float32Array, opts: SampleOptions, rng: Rng): number {
    return this.sampleAt(logits, 0, logits.length, opts, rng);
  }

  /** Draw from one group, `logits[offset..offset+n)`: a token 0..n-1 within it. */
  sampleAt(logits: Float32Array, offset: number, n: number, opts: SampleOptions, rng: Rng): number {
    this.distributionAt(logits, offset, n, opts);
    rng.nextInto(this.u, 0);
    return this.drawAt(n);
  }

  /** Inverse CDF: the token whose cumulative probability first exceeds `u` in [0, 1). */
  draw(n: number, u: number): number {
    this.u[0] = u;
    return this.drawAt(n);
  }

  private drawAt(n: number): number {
    const u = this.u[0];
    const p = this.probs;
    let acc = 0;
    let last = -1;
    for (let i = 0; i < n; i++) {
      if (p[i] <= 0) continue;
      acc += p[i];
      last = i;
      if (u < acc) return i;
    }
    return last; // u within rounding of 1
  }

  /** Natural-log probability of `token` under plain softmax (temperature 1, no mask). */
  logProb(logits: Float32Array, token: number): number {
    return this.logProbAt(logits, 0, logits.length, token);
  }

  /** `logProb` within one group, `logits[offset..offset+n)`; `token` counts from the group's start. */
  logProbAt(logits: Float32Array, offset: number, n: number, token: number): number {
    let max = -Infinity;
    for (let i = offset; i < offset + n; i++) if (logits[i] > max) max = logits[i];
    let sum = 0;
    for (let i = offset; i < offset + n; i++) sum += Math.exp(logits[i] - max);
    return logits[offset + token] - max - Math.log(sum);
  }

  // Keep the most likely tokens until their mass reaches topP: a max-heap over indices,
  // popped in order, so the cut is exact and nothing is allocated.
  private nucleus(n: number): void {
    const topP = this.cut[0];
    const p = this.probs;
    const heap = this.heap;
    let size = 0;
    for (let i = 0; i < n; i++) if (p[i] > 0) heap[size++] = i;
    for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(heap, p, i, size);
    let mass = 0;
    while (size > 0 && mass < topP) {
      const top = heap[0];
      mass += p[top];
      heap[0] = heap[--size];
      siftDown(heap, p, 0, size);
    }
    // whatever is left in the heap falls outside the nucleus
    for (let i = 0; i < size; i++) p[heap[i]] = 0;
    for (let i = 0; i < n; i++) p[i] /= mass;
  }
}

function siftDown(heap: Int32Array, key: Float64Array, i: number, size: number): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) return;
    const r = l + 1;
    const c = r < size && key[heap[r]] > key[heap[l]] ? r : l;
    if (key[heap[c]] <= key[heap[i]]) return;
    const t = heap[i];
    heap[i] = heap[c];
    heap[c] = t;
    i = c;
  }
}

/** Throws a clear error for a temperature or top-p a sampler cannot use. */
export function checkOptions(temperature: number, topP: number): void {
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new Error(`temperature must be a finite number ≥ 0, got ${String(temperature)}`);
  }
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) {
    throw new Error(`top-p must be in (0, 1], got ${String(topP)}`);
  }
}
