// A long set without real time: a million generator steps with the performer's controls coming
// and going (temperature, density, edits, locks, pause and mute), the heap measured every
// 100,000 steps after a full collection. A live set that leaked would grow by megabytes here.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Generator } from '../src/music/generator.js';
import { drumGridSpec } from './helpers/models.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const STEPS = 1_000_000;
const EVERY = 100_000;

describe('soak', () => {
  it(`${STEPS.toLocaleString('en')} steps with controls: the heap does not grow`, () => {
    const gen = new Generator(drumGridSpec(5), { seed: 3, lookahead: 4 });
    const heap: number[] = [];
    let notes = 0;
    let lastStep = -1;
    for (let t = 0; t < STEPS; t++) {
      // the performer, now and then; each control lands in the performance log, so they stay few
      if (t % 50_000 === 1000) gen.setTemperature(0.8 + ((t / 50_000) % 4) * 0.1);
      if (t % 50_000 === 2000) gen.setDensity(((t / 50_000) % 3) - 1);
      if (t % 100_000 === 3000) gen.edit(gen.step + 2, [36, 38]);
      if (t % 100_000 === 5000) gen.lock('kick', { bars: 2 });
      if (t % 100_000 === 7000) gen.pause();
      if (t % 100_000 === 7016) gen.resume();
      const r = gen.tick();
      notes += r.count;
      // paused ticks play nothing (step -1); played steps count on without gaps or repeats
      if (r.step >= 0) {
        if (r.step !== lastStep + 1) throw new Error(`step ${r.step} after ${lastStep}`);
        lastStep = r.step;
      }
      if ((t + 1) % EVERY === 0) {
        gc();
        heap.push(process.memoryUsage().heapUsed);
      }
    }
    const mb = heap.map((h) => +(h / 2 ** 20).toFixed(2));
    console.log(`soak: ${STEPS} steps, ${notes} notes; heap after each 100,000 steps (MB): ${mb.join(' ')}`);
    expect(notes).toBeGreaterThan(STEPS / 10);
    expect(gen.played().length).toBeLessThan(1000);
    expect(gen.log.entries.length).toBeLessThan(200);
    // after warm-up (the first sample), growth stays under 1 MB over 900,000 steps
    expect(Math.max(...heap.slice(1)) - heap[1]).toBeLessThan(2 ** 20);
  }, 300_000);
});
