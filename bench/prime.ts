/**
 * Priming while playing: the shipped drum model plays live on the internal clock (120 BPM,
 * 100 ms lookahead) when the performer primes it from a long drum file (a 5-minute groove,
 * 2,400 steps, and a 20,000-step file), as `prime('groove.mid')` does at the prompt. Measures
 * the longest the event loop was held up while the prime was read and took effect (the gap
 * between turns of a 1 ms timer), how far ahead of its time each step was handed out (negative:
 * late), how many steps were late, and the steps from the command to the prime taking effect.
 * Repeated BENCH_ROUNDS times (default 3) per file. The baseline is the same measurement over
 * the same time with no prime: what the machine (and other processes on it) does to the loop.
 *
 *   node --import tsx bench/prime.ts          (writes bench/results/prime.json)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveSession } from '../src/hosts/live-session.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { writeMidi } from '../src/io/midi-write.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { watchLive } from './live-watch.js';
import { percentiles, writeResult } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A drum groove of `steps` 16ths: kick, snare, hats, as a Standard MIDI File on channel 10. */
function groove(steps: number): Uint8Array {
  const notes = [];
  for (let i = 0; i < steps; i++) {
    notes.push({ tick: i * 120, note: 42, velocity: 80, channel: 9, durationTicks: 60 });
    if (i % 8 === 0) notes.push({ tick: i * 120, note: 36, velocity: 110, channel: 9, durationTicks: 60 });
    if (i % 8 === 4) notes.push({ tick: i * 120, note: 38, velocity: 100, channel: 9, durationTicks: 60 });
  }
  return writeMidi({ ticksPerQuarter: 480, bpm: 120, notes });
}

async function primeOnce(dir: string, file: string | null, seconds = 0): Promise<{ maxBlockMs: number; minAheadMs: number; late: number; stepsToEffect: number | null; commandMs: number }> {
  const spec = await loadModelSpec(join(process.cwd(), 'weights/drums-gmd'));
  const clock = new InternalClock({ bpm: 120 });
  const lines: string[] = [];
  const session = new LiveSession({ spec, clock, seed: 3, grid: false, print: (t) => lines.push(t), cwd: dir });
  session.start();
  await sleep(500);
  const watch = watchLive(clock);
  const stepAtCommand = session.generator.step;
  const t0 = performance.now();
  if (file) await session.prime(file);
  const commandMs = performance.now() - t0;
  // until it has taken effect (the message says so), and a second more
  const deadline = performance.now() + (file ? 60_000 : seconds * 1000);
  while (!lines.some((l) => /primed/.test(l)) && performance.now() < deadline) await sleep(20);
  if (file) await sleep(1000);
  const watched = watch.stop();
  const effect = lines.map((l) => /at step (\d+)$|before step (\d+)$/.exec(l)).find((m) => m);
  await session.quit();
  return {
    ...watched,
    stepsToEffect: effect ? Number(effect[1] ?? effect[2]) - stepAtCommand : null,
    commandMs: +commandMs.toFixed(1),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-prime-'));
  try {
    const files = { '5-minute groove (2,400 steps)': 2400, '20,000 steps': 20000 };
    const results: Record<string, unknown> = {};
    const baseline = [];
    for (let r = 0; r < ROUNDS; r++) baseline.push(await primeOnce(dir, null, 5));
    results['no prime (baseline, 5 s)'] = { maxBlockMs: percentiles(baseline.map((x) => x.maxBlockMs)), minAheadMs: Math.min(...baseline.map((x) => x.minAheadMs)), lateSteps: baseline.reduce((n, x) => n + x.late, 0) };
    for (const [name, steps] of Object.entries(files)) {
      const file = `groove-${steps}.mid`;
      writeFileSync(join(dir, file), groove(steps));
      const rounds = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await primeOnce(dir, file));
      results[name] = {
        steps,
        maxBlockMs: percentiles(rounds.map((x) => x.maxBlockMs)),
        minAheadMs: Math.min(...rounds.map((x) => x.minAheadMs)),
        lateSteps: rounds.reduce((n, x) => n + x.late, 0),
        stepsToEffect: rounds.map((x) => x.stepsToEffect),
        commandMs: percentiles(rounds.map((x) => x.commandMs)),
      };
    }
    writeResult('prime', { bpm: 120, lookaheadMs: 100, rounds: ROUNDS, results });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
