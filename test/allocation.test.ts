/**
 * A tick allocates nothing: the Generator stepping the shipped drum model is watched by V8's
 * sampling heap profiler, and no sampled allocation may have a frame of the engine or of the
 * music room (the Generator, its codecs and placement) on its stack. A collection during a
 * performance is a pause the performer hears; the engine benchmark measures heap growth, this
 * names the line that allocates.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelSpec } from '../src/io/model-files.js';
import type { ModelSpec } from '../src/engine/model.js';
import { Generator } from '../src/music/generator.js';
import { ourAllocations, sampledWhile } from './helpers/heap-sampling.js';
import { expressiveSpec } from './helpers/models.js';
import { ROOT } from './helpers/shared.js';

const WARMUP_TICKS = 20000;
const WATCHED_TICKS = 20000;

describe('zero allocation per tick (sampling heap profiler)', () => {
  const models: [string, () => Promise<ModelSpec>][] = [
    ['weights/drums-gmd', () => loadModelSpec(join(ROOT, 'weights', 'drums-gmd'))],
    // hits, then velocity and offset bins per hit from heads conditioned on the hit, played early and late
    ['an expressive drum model', async () => expressiveSpec(3)],
  ];
  it.each(models)(`the Generator playing %s allocates nothing per tick in src/engine or src/music over ${WATCHED_TICKS} ticks`, async (_name, load) => {
    const gen = new Generator(await load(), { seed: 7, temperature: 1 });
    let played = 0;
    const ticks = (n: number): void => {
      for (let i = 0; i < n; i++) played += gen.tick().count;
    };
    // compiled code, feedback vectors and the history ring's note objects are made during the
    // first thousands of ticks, once, not per tick
    ticks(WARMUP_TICKS);
    const head = await sampledWhile(() => ticks(WATCHED_TICKS));
    expect(played, 'the model played no note: the ticks exercised nothing').toBeGreaterThan(0);
    const allocations = ourAllocations(head);
    const report = allocations.map((a) => `  ${a.bytes} sampled bytes at ${a.stack}`).join('\n');
    const bytes = allocations.reduce((a, x) => a + x.bytes, 0);
    // one 16-byte object per tick would be sampled as about 16 · WATCHED_TICKS bytes; under one
    // byte per tick leaves room only for rare one-off events (a deoptimization re-recording
    // type feedback, a history slot growing to a step with more notes than it ever held)
    expect(bytes, `a tick allocates; the allocating frames (innermost first):\n${report}`).toBeLessThan(WATCHED_TICKS);
  }, 300_000); // sampling every 64 bytes is slow and the machine may be busy: no bound on the time taken
});
