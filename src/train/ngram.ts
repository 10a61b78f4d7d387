/**
 * Interpolated modified Kneser-Ney n-gram language model over integer token sequences: the
 * count-based baseline the trained RNNs have to beat (Chen & Goodman 1998, "An empirical study
 * of smoothing techniques for language modeling", section 3 and 4.1.6).
 *
 * For a context h of length k-1 and its shortened context h' (oldest token dropped):
 *
 *   P_k(w | h) = max(a(hw) - D_k(a(hw)), 0) / a(h•) + gamma(h) · P_{k-1}(w | h')
 *   gamma(h)   = (D_k,1 · N1(h•) + D_k,2 · N2(h•) + D_k,3+ · N3+(h•)) / a(h•)
 *   P_0(w)     = 1 / vocab
 *
 * where a(h•) = Σ_w a(hw), N_i(h•) counts the words with a(hw) = i (N3+: ≥ 3), and a contexts
 * never seen in training skips its level (P_k = P_{k-1}). The adjusted count a is the raw count
 * at the highest order and for n-grams that start with the begin-of-sequence symbol (nothing can
 * precede it, so a continuation count would be 1 whatever the data), and otherwise the
 * continuation count: how many distinct tokens (BOS included) precede the n-gram in training.
 * The discounts are estimated per order from the count-of-counts n1..n4 of the adjusted counts:
 * Y = n1 / (n1 + 2 n2), D1 = 1 - 2Y n2/n1, D2 = 2 - 3Y n3/n2, D3+ = 3 - 4Y n4/n3. This is what
 * KenLM's lmplz builds (with unigrams interpolated with the uniform distribution).
 *
 * A sequence's history is one BOS symbol (id `vocab`) followed by its tokens: contexts stop at
 * BOS, since a run of several BOS symbols carries no more information than one.
 *
 * Storage is a trie of contexts read backwards from the predicted position, so the contexts of
 * all orders for one position lie on one path from the root and scoring a token is one walk.
 * Trie edges and n-grams live in exact open-addressing hash tables over integer pairs (no string
 * keys, no hash collisions in the semantics), which keeps a 12-gram model of 300k tokens at a few
 * hundred bytes per n-gram.
 */

/** Options of {@link KneserNey.fit}.
 *
 * @example
 * const opts: NgramOptions = { order: 5, vocab: 512 }; // modified KN, discounts from the data
 * const fixed: NgramOptions = { order: 3, vocab: 512, discount: 0.75 }; // one D for every count and order
 */
export interface NgramOptions {
  /** n: the model conditions on up to n-1 previous tokens. */
  order: number;
  /** Tokens are 0..vocab-1; id `vocab` is reserved for begin-of-sequence. */
  vocab: number;
  /**
   * 'auto' (default): modified KN discounts D1, D2, D3+ per order from the count-of-counts
   * (Chen & Goodman); an estimate that is undefined or out of [0, i] for D_i (tiny or degenerate
   * data) falls back to KenLM's defaults 0.5, 1, 1.5. A number in [0, 1]: that single discount
   * for every count and order (0 gives unseen tokens zero probability).
   */
  discount?: number | 'auto';
}

/** Fallback discounts D1, D2, D3+ when the count-of-counts cannot estimate them (as KenLM). */
const FALLBACK_DISCOUNTS = [0.5, 1, 1.5] as const;

/**
 * Exact hash map from pairs of non-negative int32 (a, b) to dense ids 0, 1, 2, … in insertion
 * order, so per-entry data lives in flat typed arrays indexed by id. Linear probing, load ≤ 1/2.
 */
class PairIndex {
  a: Int32Array;
  b: Int32Array;
  /** A per-entry int the owner uses (trie: depth; n-grams: count). */
  v: Int32Array;
  size = 0;
  /** Whether the last `add` created its entry: fitting needs "first time seen" for continuation counts. */
  added = false;
  private slots: Int32Array; // id + 1; 0 is empty
  private mask: number;

  constructor(capacity = 1 << 12) {
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    const n = capacity >>> 1;
    this.a = new Int32Array(n);
    this.b = new Int32Array(n);
    this.v = new Int32Array(n);
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    h = Math.imul(h, 0x297a2d39);
    return h ^ (h >>> 15);
  }

  get(a: number, b: number): number {
    const { slots, mask } = this;
    const A = this.a;
    const B = this.b;
    for (let i = PairIndex.hash(a, b) & mask; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === 0) return -1;
      if (A[s - 1] === a && B[s - 1] === b) return s - 1;
    }
  }

  add(a: number, b: number): number {
    const { slots, mask } = this;
    let i = PairIndex.hash(a, b) & mask;
    for (; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === 0) break;
      if (this.a[s - 1] === a && this.b[s - 1] === b) {
        this.added = false;
        return s - 1;
      }
    }
    const id = this.size++;
    slots[i] = id + 1;
    this.a[id] = a;
    this.b[id] = b;
    this.added = true;
    if (this.size === this.a.length) this.grow();
    return id;
  }

  /** Drop the spare capacity of the per-entry arrays once no more entries will be added. */
  trim(): void {
    this.a = this.a.slice(0, this.size);
    this.b = this.b.slice(0, this.size);
    this.v = this.v.slice(0, this.size);
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let id = 0; id < this.size; id++) {
      let i = PairIndex.hash(this.a[id], this.b[id]) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
    const widen = (x: Int32Array): Int32Array => {
      const y = new Int32Array(capacity >>> 1);
      y.set(x);
      return y;
    };
    this.a = widen(this.a);
    this.b = widen(this.b);
    this.v = widen(this.v);
  }
}

const ROOT = 0;

/**
 * An interpolated modified Kneser-Ney model; build it with {@link KneserNey.fit}.
 *
 * @example
 * const train = [Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3])];
 * const lm = KneserNey.fit(train, { order: 3, vocab: 4 });
 * lm.logProb(Int32Array.from([0, 1, 2]), 2); // log P(2 | 0 1), close to 0
 * lm.nll(train); // mean nats per token
 */
export class KneserNey {
  readonly order: number;
  readonly vocab: number;
  /**
   * Discounts [D1, D2, D3+] actually used at each order, index k-1 for order k (the highest
   * order last); kept so a surprising score can be traced to its discounts.
   */
  readonly discounts: readonly (readonly [number, number, number])[];
  /** Number of distinct n-grams of all orders kept by the model. */
  readonly size: number;

  private constructor(
    opts: { order: number; vocab: number; discounts: [number, number, number][] },
    /** Trie of backward contexts: (parent node, previous token) → node; node 0 is the empty context. */
    private readonly contexts: PairIndex,
    /** (context node, token) → n-gram id. */
    private readonly grams: PairIndex,
    /** Discounted adjusted count over the context total: the n-gram's own share of P_k. */
    private readonly alpha: Float64Array,
    /** Backoff weight of each context node: the mass its discounts hand to the lower order. */
    private readonly gamma: Float64Array,
  ) {
    this.order = opts.order;
    this.vocab = opts.vocab;
    this.discounts = opts.discounts;
    this.size = grams.size;
  }

  /**
   * Count every n-gram of orders 1..`order` in `sequences` and estimate the smoothed model.
   *
   * @example
   * const lm = KneserNey.fit([Int32Array.from([5, 7, 5, 7])], { order: 2, vocab: 8 });
   */
  static fit(sequences: readonly Int32Array[], opts: NgramOptions): KneserNey {
    const { order, vocab } = opts;
    const discount = opts.discount ?? 'auto';
    checkFitOptions(order, vocab, discount);
    const { contexts, grams } = countNgrams(sequences, order, vocab);
    const discounts = estimateDiscounts(contexts, grams, order, discount);
    const { alpha, gamma } = smooth(contexts, grams, discounts);
    grams.v = new Int32Array(0); // counts are folded into alpha
    return new KneserNey({ order, vocab, discounts }, contexts, grams, alpha, gamma);
  }

  /**
   * Natural-log probability of `seq[t]` given the up to order-1 tokens before it in `seq`
   * (a history that reaches the start of `seq` ends with BOS).
   *
   * @example
   * const lm = KneserNey.fit([Int32Array.from([0, 1, 0, 1])], { order: 2, vocab: 2 });
   * Math.exp(lm.logProb(Int32Array.from([0, 1]), 1)); // P(1 | 0), large
   * Math.exp(lm.logProb(Int32Array.from([0]), 0)); // P(0 | BOS)
   */
  logProb(seq: Int32Array, t: number): number {
    if (!Number.isInteger(t) || t < 0 || t >= seq.length) throw new Error(`position ${t} is outside the sequence (length ${seq.length})`);
    return Math.log(this.prob(seq, t));
  }

  /**
   * Mean negative log-likelihood in nats per token over every token of every sequence, each
   * scored from its own start (so its first tokens see BOS).
   *
   * @example
   * const lm = KneserNey.fit(train, { order: 4, vocab: 512 });
   * lm.nll(validation); // e.g. 1.9
   */
  nll(sequences: readonly Int32Array[]): number {
    let sum = 0;
    let n = 0;
    for (const seq of sequences) {
      for (let t = 0; t < seq.length; t++) sum -= Math.log(this.prob(seq, t));
      n += seq.length;
    }
    if (n === 0) throw new Error('nll needs at least one token to score');
    return sum / n;
  }

  private prob(seq: Int32Array, t: number): number {
    const { vocab, contexts, grams, alpha, gamma } = this;
    const w = seq[t];
    if (!(w >= 0 && w < vocab)) throw new Error(`position ${t}: token ${w} is outside 0..${vocab - 1}`);
    const deepest = Math.min(this.order - 1, t + 1);
    // Interpolate from the uniform distribution upwards, one context length per step.
    let p = 1 / vocab;
    let node = ROOT;
    for (let j = 0; ; j++) {
      const g = grams.get(node, w);
      p = (g >= 0 ? alpha[g] : 0) + gamma[node] * p;
      if (j === deepest) break;
      const prev = t - 1 - j >= 0 ? seq[t - 1 - j] : vocab;
      if (!(prev >= 0 && prev < vocab) && t - 1 - j >= 0) throw new Error(`position ${t - 1 - j}: token ${prev} is outside 0..${vocab - 1}`);
      const next = contexts.get(node, prev);
      if (next < 0) break; // longer contexts were never seen either
      node = next;
    }
    return p;
  }
}

/** D1, D2 and D3+ of one order. */
type Discounts = [number, number, number];

/** Refuses an order, vocabulary or discount no model can be built with, naming the value. */
function checkFitOptions(order: number, vocab: number, discount: number | 'auto'): void {
  if (!Number.isInteger(order) || order < 1) throw new Error(`n-gram order must be an integer ≥ 1, got ${order}`);
  if (!Number.isInteger(vocab) || vocab < 1 || vocab >= 0x7fffffff) throw new Error(`vocab must be a positive integer below 2^31 - 1, got ${vocab}`);
  if (discount !== 'auto' && !(typeof discount === 'number' && discount >= 0 && discount <= 1)) {
    throw new Error(`discount must be 'auto' or a number in [0, 1], got ${String(discount)}`);
  }
}

/**
 * The trie of backward contexts (each node's `v`: its depth) and every n-gram of orders
 * 1..`order` under it (its `v`: the adjusted count: raw at the deepest level, continuation
 * below).
 */
function countNgrams(sequences: readonly Int32Array[], order: number, vocab: number): { contexts: PairIndex; grams: PairIndex } {
  const bos = vocab;
  const contexts = new PairIndex();
  contexts.add(-1, -1); // the root, so that real nodes start at 1 and the root is id 0
  const grams = new PairIndex();
  const path = new Int32Array(order);
  sequences.forEach((seq, s) => {
    for (let t = 0; t < seq.length; t++) {
      const w = seq[t];
      if (!(w >= 0 && w < vocab)) throw new Error(`sequence ${s}, position ${t}: token ${w} is outside 0..${vocab - 1}`);
      // Deepest context: order-1 tokens, or the whole history back to and including BOS.
      const deepest = Math.min(order - 1, t + 1);
      let node = ROOT;
      for (let j = 1; j <= deepest; j++) {
        node = contexts.add(node, t - j >= 0 ? seq[t - j] : bos);
        if (contexts.added) contexts.v[node] = j;
        path[j] = node;
      }
      path[0] = ROOT;
      // The deepest n-gram is highest-order or begins with BOS: both keep raw counts.
      let g = grams.add(path[deepest], w);
      grams.v[g]++;
      // A shorter n-gram's continuation count grows only when a new left extension appears,
      // i.e. when the n-gram one longer was seen for the first time.
      for (let j = deepest - 1; j >= 0 && grams.added; j--) {
        g = grams.add(path[j], w);
        grams.v[g]++;
      }
    }
  });
  contexts.trim();
  grams.trim();
  return { contexts, grams };
}

/** D1, D2, D3+ per order (index k-1 for order k): the fixed `discount`, or estimated from the count-of-counts. */
function estimateDiscounts(contexts: PairIndex, grams: PairIndex, order: number, discount: number | 'auto'): Discounts[] {
  const depth = contexts.v;
  // count-of-counts n1..n4 of the adjusted counts, per order
  const coc = Array.from({ length: order }, () => [0, 0, 0, 0, 0]);
  for (let g = 0; g < grams.size; g++) {
    const c = grams.v[g];
    if (c <= 4) coc[depth[grams.a[g]]][c]++;
  }
  return coc.map((n): Discounts => {
    if (discount !== 'auto') return [discount, discount, discount];
    const y = n[1] / (n[1] + 2 * n[2]);
    return [1, 2, 3].map((i) => {
      const d = i - (i + 1) * y * (n[i + 1] / n[i]);
      return Number.isFinite(d) && d >= 0 && d <= i ? d : FALLBACK_DISCOUNTS[i - 1];
    }) as Discounts;
  });
}

/**
 * Each n-gram's discounted count over its context's total (alpha), and each context's backoff
 * weight: the mass its discounts hand down to the lower order (gamma).
 */
function smooth(contexts: PairIndex, grams: PairIndex, discounts: Discounts[]): { alpha: Float64Array; gamma: Float64Array } {
  const depth = contexts.v;
  const gramCtx = grams.a;
  const count = grams.v;
  const total = new Float64Array(contexts.size);
  const backoff = new Float64Array(contexts.size);
  const kept = new Float64Array(grams.size);
  for (let g = 0; g < grams.size; g++) {
    const ctx = gramCtx[g];
    const c = count[g];
    const d = discounts[depth[ctx]][Math.min(c, 3) - 1];
    total[ctx] += c;
    // with D_i ≤ i the discount never exceeds the count, so the mass moved down is exactly D
    backoff[ctx] += d;
    kept[g] = c - d;
  }
  const alpha = kept;
  for (let g = 0; g < grams.size; g++) alpha[g] /= total[gramCtx[g]];
  const gamma = backoff;
  // Only the root of an empty training set has no counts: it passes everything to uniform.
  for (let ctx = 0; ctx < contexts.size; ctx++) gamma[ctx] = total[ctx] > 0 ? backoff[ctx] / total[ctx] : 1;
  return { alpha, gamma };
}

/**
 * Fit one model per order on `train` and keep the one with the lowest NLL on `validation`
 * (ties go to the smaller order). Models are fitted one after another and only the best is kept.
 *
 * @example
 * const { model, order, validation } = tuneOrder(train, valid, 512, [1, 2, 3, 4, 6, 8, 12]);
 * validation; // [{ order: 1, nll: 3.1 }, { order: 2, nll: 2.4 }, …]
 * model.nll(test);
 */
export function tuneOrder(
  train: readonly Int32Array[],
  validation: readonly Int32Array[],
  vocab: number,
  orders: readonly number[],
): { model: KneserNey; order: number; validation: { order: number; nll: number }[] } {
  if (orders.length === 0) throw new Error('tuneOrder needs at least one order');
  let best: KneserNey | undefined;
  let bestNll = Infinity;
  const scores: { order: number; nll: number }[] = [];
  for (const order of orders) {
    const model = KneserNey.fit(train, { order, vocab });
    const nll = model.nll(validation);
    scores.push({ order, nll });
    if (best === undefined || nll < bestNll || (nll === bestNll && order < best.order)) {
      best = model;
      bestNll = nll;
    }
  }
  return { model: best!, order: best!.order, validation: scores };
}
