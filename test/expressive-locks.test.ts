/**
 * A performer's hand on the expressive drummer (`drum-expressive`) through the Generator: a
 * voice locked as it played keeps each hit's velocity and offset bin, not only the hit, and the
 * model reads them back as the next step's expression input (velocity / 127, then offsets).
 */
import { describe, expect, it } from 'vitest';
import { Generator } from '../src/music/generator.js';
import type { StepCopy } from '../src/music/generator-types.js';
import { copyStep } from '../src/music/step-result.js';
import { expressiveSpec } from './helpers/models.js';

const KICK = 36;
const CLASSES = 9;
const run = (g: Generator, n: number): StepCopy[] => Array.from({ length: n }, () => copyStep(g.tick()));
/** The kick of each step, by step. */
const kicks = (steps: StepCopy[]) => new Map(steps.flatMap((s) => s.notes.filter((n) => n.note === KICK).map((n) => [s.step, n] as const)));
/** What the model read as the expression of the step before the one it generated last: [velocity / 127, offset] per class. */
const heard = (g: Generator, c: number): [number, number] => {
  const x = g.net.vectors[2] as Float32Array;
  return [x[c], x[CLASSES + c]];
};

describe('drum-expressive: a voice locked as it played', () => {
  it('keeps each hit of the bar before the lock at its velocity and offset, the model hears them, and a fork and a replay agree', () => {
    const g = new Generator(expressiveSpec(), { seed: 6 });
    const live = run(g, 20);
    const bar = kicks(live.slice(-16));
    // a bar worth locking: several kicks, not all alike
    expect(bar.size).toBeGreaterThan(2);
    expect(new Set([...bar.values()].map((n) => `${n.velocity} ${n.offset}`)).size).toBeGreaterThan(1);
    const byPosition = new Map([...bar].map(([step, n]) => [step % 16, n]));
    g.lock('kick');
    let fork: Generator | null = null;
    for (let i = 0; i < 40; i++) {
      if (i === 10) fork = g.fork();
      const s = copyStep(g.tick());
      live.push(s);
      // this step's model read the step before as it played
      const was = byPosition.get((s.step + 15) % 16);
      const [v, o] = heard(g, 0);
      if (i > 0) expect([v * 127, o], `step ${s.step} heard`).toEqual([expect.closeTo(was?.velocity ?? 0, 3), expect.closeTo(was?.offset ?? 0, 6)]);
      const kick = s.notes.find((n) => n.note === KICK);
      const now = byPosition.get(s.step % 16);
      expect(kick !== undefined, `step ${s.step}`).toBe(now !== undefined);
      if (!kick || !now) continue;
      expect(kick.velocity, `step ${s.step}`).toBe(now.velocity);
      expect(kick.offset, `step ${s.step}`).toBeCloseTo(now.offset, 9);
    }
    // the bins held are part of the state and follow from the log
    expect(run(fork as Generator, 30)).toEqual(live.slice(-30));
    expect(new Generator(expressiveSpec(), { seed: 6 }).replay(g.log)).toEqual(live);
  });

  it('with lookahead, dynamics and timing: the held bins are shaped as any hit is', () => {
    const g = new Generator(expressiveSpec(), { seed: 6 });
    const bar = kicks(run(g, 20).slice(-16));
    const byPosition = new Map([...bar].map(([step, n]) => [step % 16, n]));
    const h = new Generator(expressiveSpec(), { seed: 6, dynamics: 0.5, timing: 0.5, lookahead: 16 });
    run(h, 20);
    h.lock('kick');
    const shaped = kicks(run(h, 32));
    expect(shaped.size).toBe(2 * bar.size);
    for (const [step, n] of shaped) {
      const was = byPosition.get(step % 16)!;
      expect(n.velocity, `step ${step}`).toBe(Math.round(100 + 0.5 * (was.velocity - 100)));
      expect(n.offset, `step ${step}`).toBeCloseTo(0.5 * was.offset, 9);
    }
  });
});
