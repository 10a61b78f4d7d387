// A drum grid's silence is one token among 512 sound combinations: the likeliest single token
// even when sound is far likelier than silence. With `rest`, temperature acts on "sound or rest"
// first: at 1 nothing changes, at 0 silence wins only when likelier than all sounds together, and
// in between the step moves smoothly from one to the other.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/prng.js';
import { Sampler } from '../src/engine/sampling.js';

// rest (token 0) alone at 0.4 beats each sound, while sounds together hold 0.6
const probs = [0.4, 0.2, 0.15, 0.15, 0.1];
const logits = Float32Array.from(probs, Math.log);
const dist = (s: Sampler, T: number, extra: object = {}) => {
  s.distribution(logits, { temperature: T, rest: 0, ...extra });
  return Array.from(s.probs.subarray(0, probs.length));
};

describe('sound or rest first', () => {
  it('changes nothing at temperature 1, to the last bit', () => {
    const s = new Sampler(8);
    const plain = (s.distribution(logits, { temperature: 1 }), Array.from(s.probs.subarray(0, 5)));
    expect(dist(s, 1)).toEqual(plain);
    const a = new Rng(3);
    const b = new Rng(3);
    for (let i = 0; i < 200; i++) expect(s.sample(logits, { rest: 0 }, a)).toBe(s.sample(logits, {}, b));
  });

  it('at temperature 0 plays the likeliest sound when sound is likelier than silence, and silence when it is not', () => {
    const s = new Sampler(8);
    expect(dist(s, 0)).toEqual([0, 1, 0, 0, 0]);
    s.distribution(logits, { temperature: 0 });
    expect(s.probs[0]).toBe(1); // a plain argmax rests
    const quiet = Float32Array.from([0.55, 0.2, 0.15, 0.05, 0.05], Math.log);
    s.distribution(quiet, { temperature: 0, rest: 0 });
    expect(Array.from(s.probs.subarray(0, 5))).toEqual([1, 0, 0, 0, 0]);
  });

  it('moves smoothly from temperature 1 to 0: the chance of silence falls, the sounds keep their order', () => {
    const s = new Sampler(8);
    let last = Infinity;
    for (const T of [1, 0.8, 0.6, 0.4, 0.2, 0.1, 0.05, 0.01]) {
      const p = dist(s, T);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(p[0]).toBeLessThan(last);
      last = p[0];
      expect(p[1]).toBeGreaterThan(p[2]);
      expect(p[2]).toBeCloseTo(p[3], 12);
      // the chance of rest is r^(1/T) / (r^(1/T) + (1 − r)^(1/T))
      const r = 0.4;
      expect(p[0]).toBeCloseTo(r ** (1 / T) / (r ** (1 / T) + (1 - r) ** (1 / T)), 6);
    }
    expect(last).toBeLessThan(1e-12);
  });

  it('keeps a mask, a bias and top-p: a masked sound is never drawn, and a masked rest leaves the plain rule', () => {
    const s = new Sampler(8);
    const mask = new Uint8Array([0, 1, 0, 0, 0]);
    const p = dist(s, 0, { mask });
    expect(p[1]).toBe(0);
    expect(p.indexOf(1)).toBe(2);
    const only = dist(s, 0.5, { mask: new Uint8Array([0, 1, 1, 1, 1]) });
    expect(only).toEqual([1, 0, 0, 0, 0]);
    const noRest = dist(s, 0, { mask: new Uint8Array([1, 0, 0, 0, 0]) });
    expect(noRest).toEqual([0, 1, 0, 0, 0]);
    const biased = dist(s, 0, { bias: new Float32Array([3, 0, 0, 0, 0]) });
    expect(biased[0]).toBe(1);
    const nucleus = dist(s, 0.5, { topP: 0.5 });
    expect(nucleus.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(nucleus.filter((x) => x > 0).length).toBeLessThan(5);
  });
});
