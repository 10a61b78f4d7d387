/**
 * What a pattern slot costs on stage, with the shipped drummers at lookahead 16 (the page's):
 *  - `plainTickMs`: a tick with nothing to recall (the steps between recalls);
 *  - `storeTickMs`: the tick that stores a slot (copies the state before the step);
 *  - `recallTickMs`: the tick a recall takes over at (keeps the state for undo, lays the slot
 *    in, generates the lookahead again from it);
 *  - `setFileBytes`: a set of eight slots as the file `saveSlots` writes.
 * A step at 120 BPM lasts 125 ms; the clock hands steps out 100 ms ahead.
 *
 *   npx tsx bench/slot-recall.ts      (writes bench/results/slot-recall.json)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelSpec } from '../src/io/model-files.js';
import { SLOT_COUNT } from '../src/music/controls.js';
import { Generator } from '../src/music/generator.js';
import { percentiles, writeResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = 200;

function timed(run: () => void): number {
  const t = performance.now();
  run();
  return performance.now() - t;
}

async function measure(model: string) {
  const spec = await loadModelSpec(join(ROOT, 'weights', model));
  const g = new Generator(spec, { seed: 3, lookahead: 16 });
  g.reports = {};
  for (let i = 0; i < 64; i++) g.tick();
  const plain: number[] = [];
  const store: number[] = [];
  const recall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    g.store((r % SLOT_COUNT) + 1);
    store.push(timed(() => g.tick()));
    for (let i = 0; i < 7; i++) plain.push(timed(() => g.tick()));
    g.recall(((r + 3) % Math.min(r + 1, SLOT_COUNT)) + 1, 'now');
    recall.push(timed(() => g.tick()));
    for (let i = 0; i < 7; i++) plain.push(timed(() => g.tick()));
  }
  return { plainTickMs: percentiles(plain), storeTickMs: percentiles(store), recallTickMs: percentiles(recall), setFileBytes: JSON.stringify(g.slotSet()).length };
}

const results: Record<string, unknown> = { bpm120StepMs: 125, lookahead: 16 };
for (const model of ['drums-expressive', 'drums-gmd']) results[model] = await measure(model);
writeResult('slot-recall', results);
