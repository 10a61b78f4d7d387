import { describe, expect, it } from 'vitest';
import { KneserNey, tuneOrder } from '../src/train/ngram.js';

/** Small deterministic PRNG (mulberry32) so the corpora are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seqs = (...xs: number[][]): Int32Array[] => xs.map((x) => Int32Array.from(x));

/** Σ_v P(v | seq[0..t-1]) over the whole vocabulary. */
function mass(lm: KneserNey, seq: Int32Array, t: number): number {
  const probe = Int32Array.from(seq.subarray(0, t + 1));
  let sum = 0;
  for (let v = 0; v < lm.vocab; v++) {
    probe[t] = v;
    sum += Math.exp(lm.logProb(probe, t));
  }
  return sum;
}

describe('Kneser-Ney n-gram model', () => {
  it('gives every conditional distribution total mass 1 and every token nonzero probability (orders 1..5)', () => {
    const r = rng(1);
    const vocab = 7;
    // skewed so count-of-counts vary by order and some tokens are rare
    const draw = () => Math.min(vocab - 1, Math.floor(vocab * r() * r() * 1.6));
    const train = Array.from({ length: 12 }, () => Int32Array.from({ length: 5 + Math.floor(r() * 40) }, draw));
    // histories seen in training, a novel one, and sequence starts (BOS)
    const probes = [train[0], train[3], Int32Array.from({ length: 30 }, () => Math.floor(r() * vocab)), seqs([6, 6, 6, 6, 6, 6])[0]];
    for (const discount of ['auto', 0.3, 1] as const) {
      for (let order = 1; order <= 5; order++) {
        const lm = KneserNey.fit(train, { order, vocab, discount });
        for (const seq of probes) {
          for (const t of [0, 1, 2, 4, seq.length - 1]) {
            expect(Math.abs(mass(lm, seq, t) - 1)).toBeLessThan(1e-9);
            expect(Number.isFinite(lm.logProb(seq, t))).toBe(true);
          }
        }
      }
    }
    // the empty model is the uniform distribution
    const empty = KneserNey.fit([], { order: 3, vocab });
    expect(empty.logProb(seqs([1, 2, 3])[0], 2)).toBeCloseTo(-Math.log(vocab), 12);
  });

  it('predicts a periodic sequence almost surely at order 3', () => {
    const period = (n: number, phase: number) => Int32Array.from({ length: n }, (_, i) => (i + phase) % 4);
    const lm = KneserNey.fit([period(200, 0), period(150, 2)], { order: 3, vocab: 16 });
    const test = period(40, 1);
    for (let t = 2; t < test.length; t++) expect(Math.exp(lm.logProb(test, t))).toBeGreaterThan(0.9);
    // with no repetition to learn, a unigram spreads its mass over the four tokens
    const uni = KneserNey.fit([period(200, 0)], { order: 1, vocab: 16 });
    expect(Math.exp(uni.logProb(test, 5))).toBeLessThan(0.3);
  });

  it('uses long contexts when the data has long-range structure, and tuneOrder finds that', () => {
    // x_t = x_{t-1} + x_{t-3} (mod 5) with 10% noise: needs 3 tokens of history
    const vocab = 5;
    const corpus = (seed: number, n: number) => {
      const r = rng(seed);
      return Array.from({ length: n }, () => {
        const x = new Int32Array(60);
        for (let t = 0; t < x.length; t++) {
          x[t] = t < 3 || r() < 0.1 ? Math.floor(r() * vocab) : (x[t - 1] + x[t - 3]) % vocab;
        }
        return x;
      });
    };
    const train = corpus(2, 200);
    const valid = corpus(3, 40);
    const res = tuneOrder(train, valid, vocab, [1, 2, 3, 4, 5, 6, 7]);
    const nll = Object.fromEntries(res.validation.map((v) => [v.order, v.nll]));
    // orders 1..3 see no signal (x_t is uniform given two previous tokens), order 4 sees it all
    expect(res.validation.map((v) => v.order)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(nll[4]).toBeLessThan(nll[3] - 0.5);
    expect(res.order).toBeGreaterThanOrEqual(4);
    expect(res.model.order).toBe(res.order);
    expect(nll[res.order]).toBe(Math.min(...res.validation.map((v) => v.nll)));
    expect(res.model.nll(valid)).toBeCloseTo(nll[res.order], 12);
  });

  it('matches a hand computation at order 2 with a fixed discount', () => {
    // vocab 3 (tokens 0,1,2; BOS = B), D = 1/2 everywhere.
    // Train [0,1,0,1,1] and [1,0]. Bigrams (raw counts, highest order):
    //   B→0: 1, B→1: 1 | 0→1: 2 | 1→0: 2, 1→1: 1
    // Unigram continuation counts (distinct left tokens, BOS included):
    //   0: {B,1} = 2, 1: {0,1,B} = 3, 2: 0; total 5.
    // P1(w) = max(a-1/2, 0)/5 + gamma·1/3, gamma = (1/2·2 seen)/5 = 1/5
    //   P1(0) = 1.5/5 + 1/15 = 11/30, P1(1) = 2.5/5 + 1/15 = 17/30, P1(2) = 1/15
    // Context 1: total 3, two seen words → gamma = (1/2·2)/3 = 1/3
    //   P(0|1) = 1.5/3 + 1/3·11/30 = 28/45, P(1|1) = 0.5/3 + 1/3·17/30 = 16/45, P(2|1) = 1/45
    // Context B: total 2, gamma = 1/2: P(2|B) = 1/2·1/15 = 1/30
    // Context 2 never seen: P(w|2) = P1(w).
    const lm = KneserNey.fit(seqs([0, 1, 0, 1, 1], [1, 0]), { order: 2, vocab: 3, discount: 0.5 });
    const p = (seq: number[]) => Math.exp(lm.logProb(Int32Array.from(seq), seq.length - 1));
    expect(p([1, 0])).toBeCloseTo(28 / 45, 12);
    expect(p([1, 1])).toBeCloseTo(16 / 45, 12);
    expect(p([1, 2])).toBeCloseTo(1 / 45, 12);
    expect(p([2])).toBeCloseTo(1 / 30, 12);
    expect(p([2, 0])).toBeCloseTo(11 / 30, 12);
    expect(p([2, 2])).toBeCloseTo(1 / 15, 12);
  });

  it('matches a hand computation at order 2 with modified KN discounts estimated from the data', () => {
    // vocab 5 (token 4 never occurs; BOS = B). One training sequence:
    //   0 3 0 3 2 0 3 2 1 0 2 1 0 1 1 1 1 1
    // Bigram raw counts: B→0 1 | 0→1 1, 0→2 1, 0→3 3 | 1→0 2, 1→1 4 | 2→0 1, 2→1 2 | 3→0 1, 3→2 2
    //   count-of-counts n1 = 5 (B0 01 02 20 30), n2 = 3 (10 21 32), n3 = 1 (03), n4 = 1 (11)
    //   Y = 5/(5+2·3) = 5/11; D1 = 1 - 2Y·3/5 = 5/11; D2 = 2 - 3Y·1/3 = 17/11; D3+ = 3 - 4Y·1/1 = 13/11
    // Unigram continuation counts: 0 ← {B,1,2,3} = 4, 1 ← {0,1,2} = 3, 2 ← {0,3} = 2, 3 ← {0} = 1; total 10
    //   n1 = n2 = n3 = n4 = 1 → Y = 1/3; D1 = 1/3, D2 = 1, D3+ = 5/3
    //   backoff mass 5/3 + 5/3 + 1 + 1/3 = 14/3 → gamma = 7/15; uniform 1/5 → 7/75 = 14/150 each
    //   P1(0) = (4-5/3)/10 + 14/150 = 49/150, P1(1) = (3-5/3)/10 + 14/150 = 34/150,
    //   P1(2) = (2-1)/10 + 14/150 = 29/150, P1(3) = (1-1/3)/10 + 14/150 = 24/150, P1(4) = 14/150
    // Context 1 (total 6): gamma = (17/11 + 13/11)/6 = 5/11
    //   P(0|1) = (2-17/11)/6 + 5/11·49/150 = 74/330, P(1|1) = (4-13/11)/6 + 5/11·34/150 = 189/330,
    //   P(2|1) = 29/330, P(3|1) = 24/330, P(4|1) = 14/330
    // Context 0 (total 5): gamma = (5/11 + 5/11 + 13/11)/5 = 23/55
    //   P(3|0) = (3-13/11)/5 + 23/55·24/150 = 592/1375
    // Context B (total 1): P(0|B) = (1-5/11) + 5/11·49/150 = 229/330
    // Context 4 never seen: P(2|4) = P1(2) = 29/150
    const train = seqs([0, 3, 0, 3, 2, 0, 3, 2, 1, 0, 2, 1, 0, 1, 1, 1, 1, 1]);
    const lm = KneserNey.fit(train, { order: 2, vocab: 5 });
    expect(lm.discounts[0][0]).toBeCloseTo(1 / 3, 12);
    expect(lm.discounts[0][1]).toBeCloseTo(1, 12);
    expect(lm.discounts[0][2]).toBeCloseTo(5 / 3, 12);
    expect(lm.discounts[1][0]).toBeCloseTo(5 / 11, 12);
    expect(lm.discounts[1][1]).toBeCloseTo(17 / 11, 12);
    expect(lm.discounts[1][2]).toBeCloseTo(13 / 11, 12);
    const p = (seq: number[]) => Math.exp(lm.logProb(Int32Array.from(seq), seq.length - 1));
    expect(p([1, 0])).toBeCloseTo(74 / 330, 12);
    expect(p([1, 1])).toBeCloseTo(189 / 330, 12);
    expect(p([1, 2])).toBeCloseTo(29 / 330, 12);
    expect(p([1, 4])).toBeCloseTo(14 / 330, 12);
    expect(p([0, 3])).toBeCloseTo(592 / 1375, 12);
    expect(p([0])).toBeCloseTo(229 / 330, 12);
    expect(p([4, 2])).toBeCloseTo(29 / 150, 12);
    // nll is the mean of -logProb over every position:
    //   P(1|0) = (1-5/11)/5 + 23/55·34/150 = 841/4125; P(4|B) = 5/11·14/150 = 14/330
    expect(p([0, 1])).toBeCloseTo(841 / 4125, 12);
    const test = seqs([0, 1, 1], [4, 2]);
    const want = -[229 / 330, 841 / 4125, 189 / 330, 14 / 330, 29 / 150].reduce((s, x) => s + Math.log(x), 0) / 5;
    expect(lm.nll(test)).toBeCloseTo(want, 12);
  });

  it('rejects tokens outside the vocabulary and bad options', () => {
    expect(() => KneserNey.fit(seqs([0, 3]), { order: 2, vocab: 3 })).toThrow(/token 3 is outside 0..2/);
    expect(() => KneserNey.fit([], { order: 0, vocab: 3 })).toThrow(/order/);
    expect(() => KneserNey.fit([], { order: 2, vocab: 3, discount: 1.5 })).toThrow(/discount/);
    const lm = KneserNey.fit(seqs([0, 1]), { order: 2, vocab: 3 });
    expect(() => lm.logProb(Int32Array.from([0, 3]), 1)).toThrow(/outside/);
    expect(() => lm.logProb(Int32Array.from([0, 1]), 2)).toThrow(/outside the sequence/);
    expect(() => lm.nll([])).toThrow(/at least one token/);
  });
});
