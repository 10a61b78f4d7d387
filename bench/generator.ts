/**
 * The Generator's tick, whole: controls due, lookahead, placement, sampling, history, on the
 * shipped drum model (with and without 16 steps of lookahead), a Howl-style event model and the
 * shipped chord model (weights/chords-jsb: 88 keys drawn in order a step, a step a quarter).
 * Best and median of BENCH_ROUNDS rounds (default 5) of 20,000 ticks after 5,000 to warm up;
 * the drum model's tick is nearly all network time (see engine.json for the step alone).
 *
 *   node --import tsx bench/generator.ts      (writes bench/results/generator.json)
 */
import { loadModelSpec } from '../src/io/model-files.js';
import { Generator } from '../src/music/generator.js';
import { howlSpec } from '../test/helpers/models.js';
import { writeResult } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TICKS = 20_000;

function time(gen: Generator): { usPerTickBest: number; usPerTickMedian: number } {
  for (let i = 0; i < 5000; i++) gen.tick();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < TICKS; i++) gen.tick();
    rounds.push(Number(process.hrtime.bigint() - t0) / 1e3 / TICKS);
  }
  rounds.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return { usPerTickBest: round(rounds[0]), usPerTickMedian: round(rounds[Math.floor(rounds.length / 2)]) };
}

const drums = await loadModelSpec('weights/drums-gmd');
const result = {
  ticks: TICKS,
  rounds: ROUNDS,
  'drums-gmd, lookahead 0': time(new Generator(drums, { seed: 7 })),
  'drums-gmd, lookahead 16': time(new Generator(drums, { seed: 7, lookahead: 16 })),
  'howl events, lookahead 16': time(new Generator(howlSpec(), { seed: 7, lookahead: 16 })),
  'chords-jsb, lookahead 16': time(new Generator(await loadModelSpec('weights/chords-jsb'), { seed: 7, lookahead: 16 })),
};
writeResult('generator', result);
