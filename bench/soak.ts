/**
 * A long set in real time: the shipped drum model on the internal clock at 300 BPM through
 * the Player into a WEBMIDI.js output (a JZZ virtual port) for SOAK_MINUTES (default 10).
 * Counts steps handed out late (after their start time: the lookahead did not cover the
 * wake-up) and missed (a gap in the step numbers), how far ahead of its time each step was
 * computed, when each note-on reached the port against its step time, whether every note-on
 * got its note-off, and the heap at the start and the end.
 *
 *   SOAK_MINUTES=10 node --expose-gc --import tsx bench/soak.ts   (writes bench/results/soak.json)
 */
import JZZ from 'jzz';
import { WebMidi } from 'webmidi';
import { loadModelSpec } from '../src/io/model-files.js';
import { WebMidiSink } from '../src/io/webmidi-sink.js';
import { Generator } from '../src/music/generator.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { Player } from '../src/time/player.js';
import { percentiles, writeResult } from './stats.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const PORT = 'pulse-rnn soak';
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function main(): Promise<void> {
  const arrivals: { at: number; bytes: number[] }[] = [];
  (JZZ as unknown as { addMidiOut(n: string, w: unknown): void }).addMidiOut(PORT, JZZ.Widget({ _receive: (m: ArrayLike<number>) => arrivals.push({ at: performance.now(), bytes: Array.from(m) }) }));
  await WebMidi.enable();
  const output = WebMidi.getOutputByName(PORT)!;
  const gen = new Generator(await loadModelSpec(new URL('../weights/drums-gmd', import.meta.url).pathname), { seed: 1 });
  const clock = new InternalClock({ bpm: 300 });
  const sink = new WebMidiSink(output);
  const player = new Player(clock, gen, [sink]);
  const ahead: number[] = [];
  const stepTimes = new Map<number, number>();
  let missed = 0;
  let last = -1;
  clock.onStep((e) => {
    ahead.push((e.time - clock.now()) * 1000);
    if (e.step !== last + 1) missed += Math.abs(e.step - last - 1);
    last = e.step;
    stepTimes.set(e.step, e.time * 1000);
  });
  gc();
  const heapStart = process.memoryUsage().heapUsed;
  clock.start();
  await new Promise((r) => setTimeout(r, MINUTES * 60_000));
  clock.stop();
  await new Promise((r) => setTimeout(r, 500));
  player.dispose();
  gc();
  const heapEnd = process.memoryUsage().heapUsed;
  // each note-on against the nearest step start (a drum grid's notes land on the step)
  const times = [...stepTimes.values()].sort((a, b) => a - b);
  const lateness: number[] = [];
  let open = 0;
  const sounding = new Map<string, number>();
  for (const m of arrivals) {
    const kind = m.bytes[0] & 0xf0;
    const key = `${m.bytes[0] & 15}:${m.bytes[1]}`;
    if (kind === 0x90 && m.bytes[2] > 0) {
      sounding.set(key, (sounding.get(key) ?? 0) + 1);
      // the nearest step time: a note may arrive a hair before its timestamp
      let lo = 0;
      let hi = times.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (times[mid] <= m.at) lo = mid;
        else hi = mid - 1;
      }
      const next = times[Math.min(lo + 1, times.length - 1)];
      lateness.push(Math.abs(next - m.at) < Math.abs(m.at - times[lo]) ? m.at - next : m.at - times[lo]);
    } else if (kind === 0x80 || (kind === 0x90 && m.bytes[2] === 0)) {
      const n = sounding.get(key) ?? 0;
      if (n > 0) sounding.set(key, n - 1);
    }
  }
  for (const n of sounding.values()) open += n;
  const late = ahead.filter((a) => a < 0).length;
  writeResult('soak', {
    bench: 'soak',
    date: new Date().toISOString(),
    node: process.version,
    model: 'weights/drums-gmd (2x256 LSTM)',
    bpm: 300,
    minutes: MINUTES,
    steps: ahead.length,
    expectedSteps: Math.round(MINUTES * 60 * (300 / 60) * 4),
    stepsHandedOutLate: late,
    stepsMissed: missed,
    lookaheadMs: clock.lookahead * 1000,
    stepHandedOutAheadMs: percentiles(ahead),
    noteOnArrivalAfterStepTimeMs: percentiles(lateness),
    notes: lateness.length,
    notesLeftSounding: open,
    heapMB: { start: +(heapStart / 2 ** 20).toFixed(2), end: +(heapEnd / 2 ** 20).toFixed(2) },
  });
  await WebMidi.disable();
  process.exit(late || missed || open ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
