/**
 * A tick with voices left out and voices at densities of their own allocates nothing: the mask
 * is filled in place each step, and the bias table is made once, when a control applies.
 */
import { describe, expect, it } from 'vitest';
import { Generator } from '../src/music/generator.js';
import { warmAllocations } from './helpers/heap-sampling.js';
import { drumGridSpec, expressiveSpec } from './helpers/models.js';

const WATCHED_TICKS = 20000;

describe('per-voice density and leave-out on the tick path', () => {
  it.each([
    ['drum-grid', () => drumGridSpec(3)],
    ['drum-expressive', () => expressiveSpec(3)],
  ])('%s: a tick with a voice left out and two voice densities allocates nothing', async (_name, spec) => {
    const g = new Generator(spec(), { seed: 1, lookahead: 8, density: 0.5 });
    g.leaveOut('snare');
    g.setVoiceDensity('kick', 1.5);
    g.setVoiceDensity('closed-hat', -1);
    let played = 0;
    const ticks = (n: number) => {
      for (let i = 0; i < n; i++) played += g.tick().count;
    };
    const { bytes, report } = await warmAllocations(ticks, WATCHED_TICKS);
    expect(played).toBeGreaterThan(0);
    expect(bytes, report).toBeLessThan(WATCHED_TICKS);
  }, 300_000);
});
