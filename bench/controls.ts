/**
 * A burst of controls at the prompt: the shipped drum model plays live on the internal clock
 * (120 BPM, 100 ms lookahead) with the REPL on streams, and one line runs ten thousand
 * commands (`temperature`, then `lock('kick')`). Measures the longest the event loop was held
 * up from the line to a second after it (the gap between turns of a 1 ms timer), how far ahead
 * of its time each step was handed out (negative: late), and the writes the line's messages
 * took. BENCH_ROUNDS rounds (default 3) of each. The REPL writes to a stream here; a terminal
 * that writes each message synchronously costs more per write.
 *
 *   node --import tsx bench/controls.ts       (writes bench/results/controls.json)
 */
import { PassThrough } from 'node:stream';
import { LiveSession } from '../src/hosts/live-session.js';
import { startRepl } from '../src/hosts/repl.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { watchLive } from './live-watch.js';
import { percentiles, writeResult } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function burst(line: string): Promise<{ maxBlockMs: number; minAheadMs: number; late: number; writes: number }> {
  const spec = await loadModelSpec('weights/drums-gmd');
  const clock = new InternalClock({ bpm: 120 });
  const session = new LiveSession({ spec, clock, seed: 3, grid: false });
  const input = new PassThrough();
  const output = new PassThrough();
  let writes = 0;
  output.on('data', () => writes++);
  startRepl(session, { input, output, terminal: false });
  session.start();
  await sleep(500);
  const watch = watchLive(clock);
  writes = 0;
  if (line) input.write(`${line}\n`);
  await sleep(1500);
  const watched = watch.stop();
  await session.quit();
  return { ...watched, writes };
}

async function main(): Promise<void> {
  const lines = {
    'nothing (baseline)': '',
    '10,000 temperature()': 'for (let i = 0; i < 10000; i++) temperature(1 + (i % 5) / 10)',
    "10,000 lock('kick')": "for (let i = 0; i < 10000; i++) lock('kick')",
  };
  const results: Record<string, unknown> = {};
  for (const [name, line] of Object.entries(lines)) {
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await burst(line));
    results[name] = {
      maxBlockMs: percentiles(rounds.map((x) => x.maxBlockMs)),
      minAheadMs: Math.min(...rounds.map((x) => x.minAheadMs)),
      lateSteps: rounds.reduce((n, x) => n + x.late, 0),
      writes: percentiles(rounds.map((x) => x.writes)),
    };
  }
  writeResult('controls', { bpm: 120, lookaheadMs: 100, rounds: ROUNDS, results });
}

await main();
