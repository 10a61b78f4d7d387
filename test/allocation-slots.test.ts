/**
 * Pattern slots on the tick path: with every slot holding a groove and a recall played, a tick
 * allocates nothing (a recall allocates when it applies, never on the steps between).
 */
import { describe, expect, it } from 'vitest';
import { SLOT_COUNT } from '../src/music/controls.js';
import { Generator } from '../src/music/generator.js';
import { warmAllocations } from './helpers/heap-sampling.js';
import { drumGridSpec, expressiveSpec } from './helpers/models.js';

const WATCHED_TICKS = 20000;

describe('pattern slots on the tick path', () => {
  it.each([
    ['drum-grid', () => drumGridSpec(3)],
    ['drum-expressive', () => expressiveSpec(3)],
  ])('%s: a tick with eight slots stored and a recall played allocates nothing', async (_name, spec) => {
    const g = new Generator(spec(), { seed: 1, lookahead: 8 });
    let played = 0;
    const ticks = (n: number) => {
      for (let i = 0; i < n; i++) played += g.tick().count;
    };
    for (let slot = 1; slot <= SLOT_COUNT; slot++) {
      g.store(slot);
      ticks(5);
    }
    g.recall(3, 'now');
    ticks(1);
    expect(g.slots).toMatchObject({ filled: [1, 2, 3, 4, 5, 6, 7, 8], cue: null, canUndo: true });
    const { bytes, report } = await warmAllocations(ticks, WATCHED_TICKS);
    expect(played).toBeGreaterThan(0);
    expect(bytes, report).toBeLessThan(WATCHED_TICKS);
  }, 300_000);
});
