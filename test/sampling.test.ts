import { describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/prng.js';
import { Sampler } from '../src/engine/sampling.js';

const logits = new Float32Array([2, 1, 0.5, 0, -1, -3]);
const softmax = (l: Float32Array, T = 1) => {
  const m = Math.max(...l);
  const e = Array.from(l, (v) => Math.exp((v - m) / T));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('Sampler', () => {
  it('gives softmax with temperature, summing to 1', () => {
    const s = new Sampler(8);
    for (const T of [0.5, 1, 2]) {
      s.distribution(logits, { temperature: T });
      const ref = softmax(logits, T);
      ref.forEach((p, i) => expect(s.probs[i]).toBeCloseTo(p, 12));
    }
  });

  it('temperature 0 is argmax', () => {
    const s = new Sampler(8);
    s.distribution(logits, { temperature: 0 });
    expect(Array.from(s.probs.subarray(0, 6))).toEqual([1, 0, 0, 0, 0, 0]);
  });

  it('a mask removes tokens and renormalizes the rest', () => {
    const s = new Sampler(8);
    const mask = new Uint8Array([1, 0, 1, 0, 0, 0]);
    s.distribution(logits, { mask });
    expect(s.probs[0]).toBe(0);
    expect(s.probs[2]).toBe(0);
    const ref = softmax(new Float32Array([1, 0, -1, -3]));
    [1, 3, 4, 5].forEach((i, k) => expect(s.probs[i]).toBeCloseTo(ref[k], 12));
    expect(() => s.distribution(logits, { mask: new Uint8Array(6).fill(1) })).toThrow(/every token is masked/);
  });

  it('top-p keeps the smallest most-likely set reaching p', () => {
    const s = new Sampler(8);
    const p = softmax(logits);
    // p ≈ [.561, .206, .125, .076, .028, .004]: 0.8 needs the top three (.767 < .8 ≤ .892)
    s.distribution(logits, { topP: 0.8 });
    const kept = Array.from(s.probs.subarray(0, 6)).map((v) => v > 0);
    expect(kept).toEqual([true, true, true, false, false, false]);
    const mass = p[0] + p[1] + p[2];
    expect(s.probs[0]).toBeCloseTo(p[0] / mass, 12);
    s.distribution(logits, { topP: 0.5 });
    expect(Array.from(s.probs.subarray(0, 6)).filter((v) => v > 0).length).toBe(1);
  });

  it('a bias shifts logits', () => {
    const s = new Sampler(8);
    const bias = new Float32Array([0, 0, 0, 0, 0, 10]);
    s.distribution(logits, { bias });
    expect(s.probs[5]).toBeGreaterThan(0.9);
  });

  it('draws follow the distribution', () => {
    const s = new Sampler(8);
    const rng = new Rng(5);
    const counts = new Array(6).fill(0);
    const N = 50000;
    for (let i = 0; i < N; i++) counts[s.sample(logits, { temperature: 1 }, rng)]++;
    const p = softmax(logits);
    counts.forEach((c, i) => expect(Math.abs(c / N - p[i])).toBeLessThan(0.01));
  });

  it('logProb is log softmax', () => {
    const s = new Sampler(8);
    const p = softmax(logits);
    expect(s.logProb(logits, 2)).toBeCloseTo(Math.log(p[2]), 6);
  });

  it('rejects bad temperature and top-p with the value named', () => {
    const s = new Sampler(8);
    expect(() => s.distribution(logits, { temperature: -1 })).toThrow(/temperature must be a finite number ≥ 0, got -1/);
    expect(() => s.distribution(logits, { temperature: NaN })).toThrow(/got NaN/);
    expect(() => s.distribution(logits, { topP: 0 })).toThrow(/top-p must be in \(0, 1\], got 0/);
    expect(() => s.distribution(logits, { topP: 1.5 })).toThrow(/got 1.5/);
  });
});
