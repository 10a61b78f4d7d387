/**
 * The lookahead as it will sound (`Generator.upcomingNotes`): what a display draws ahead of the
 * play head is what the ticks then play, velocities and offsets included, at the performer's
 * dynamics, timing and velocity scales, for every kind of model.
 */
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { Generator, type StepCopy } from '../src/music/generator.js';
import { copyStep } from '../src/music/step-result.js';
import { ourAllocations, sampledWhile } from './helpers/heap-sampling.js';
import { drumGridSpec, expressiveSpec, howlSpec, melodySpec } from './helpers/models.js';

const KITS: [string, () => ModelSpec][] = [
  ['drum-expressive', () => expressiveSpec()],
  ['drum-grid', () => drumGridSpec()],
  ['melody-grid', () => melodySpec()],
  ['note-events', () => howlSpec()],
];

/** The steps ahead, copied (a read's steps are reused by the next). */
const ahead = (g: Generator): StepCopy[] => g.upcomingNotes().map(copyStep);

describe('Generator.upcomingNotes', () => {
  for (const [name, spec] of KITS) {
    it(`${name}: the steps ahead, as read, are the steps then played, at dynamics 0.5, timing 0.5 and a velocity scale`, () => {
      const g = new Generator(spec(), { seed: 3, lookahead: 16, dynamics: 0.5, timing: 0.5 });
      if (g.codec.voices.length > 0) g.setVelocityScale(0, 0.5);
      for (let i = 0; i < 20; i++) g.tick();
      const shown = ahead(g);
      expect(shown[0].step).toBeGreaterThanOrEqual(g.step);
      const played = Array.from({ length: 16 }, () => copyStep(g.tick())).filter((s) => s.notes.length + s.releases.length > 0);
      expect(played.length).toBeGreaterThan(3);
      const shownByStep = new Map(shown.map((s) => [s.step, s]));
      for (const s of played) expect(shownByStep.get(s.step), `step ${s.step}`).toEqual(s);
    });
  }

  it('drum-expressive: each hit ahead carries the velocity and the (early or late) offset it will play at', () => {
    const g = new Generator(expressiveSpec(), { seed: 3, lookahead: 32 });
    g.tick();
    const hits = ahead(g).flatMap((s) => s.notes);
    expect(hits.length).toBeGreaterThan(10);
    expect(new Set(hits.map((h) => h.velocity)).size).toBeGreaterThan(4);
    expect(hits.some((h) => h.offset < 0)).toBe(true);
    expect(hits.some((h) => h.offset > 0)).toBe(true);
  });

  it('a setting waiting for the next tick shows once it applies; a read reuses the last one\'s steps', () => {
    const g = new Generator(expressiveSpec(), { seed: 3, lookahead: 16 });
    g.tick();
    const first = g.upcomingNotes();
    const before = first.map(copyStep);
    g.setDynamics(0);
    expect(g.upcomingNotes().map(copyStep)).toEqual(before);
    g.tick();
    const again = g.upcomingNotes();
    expect(again[0]).toBe(first[0]);
    expect(new Set(again.flatMap((s) => s.notes.slice(0, s.count).map((n) => n.velocity)))).toEqual(new Set([100]));
  });

  it.each([KITS[0], KITS[1]])('%s: a read allocates nothing once the lookahead is full (sampling heap profiler)', async (_name, spec) => {
    const g = new Generator(spec(), { seed: 7, lookahead: 16, dynamics: 0.7, timing: 0.5 });
    let seen = 0;
    const play = (n: number): void => {
      for (let i = 0; i < n; i++) {
        g.tick();
        const ahead = g.upcomingNotes();
        for (let k = 0; k < ahead.length; k++) seen += ahead[k].count;
      }
    };
    play(5000);
    const reads = ourAllocations(await sampledWhile(() => play(5000))).filter((a) => a.stack.includes('upcoming-notes.ts'));
    expect(seen).toBeGreaterThan(0);
    // one 16-byte object per read would be sampled as about 16 · 5000 = 80,000 bytes; under a
    // quarter of that leaves room for V8's own rare work (a deoptimization re-recording type
    // feedback sampled 9,800 bytes once on a loaded machine)
    expect(reads.reduce((a, x) => a + x.bytes, 0), reads.map((a) => `${a.bytes} sampled bytes at ${a.stack}`).join('\n')).toBeLessThan(20000);
  }, 300_000);
});
