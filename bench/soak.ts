/**
 * A long set in real time: the shipped drum model on the internal clock at 300 BPM through
 * the Player into a WEBMIDI.js output (a JZZ virtual port) for SOAK_MINUTES (default 10).
 * Counts steps handed out late (after their start time: the lookahead did not cover the
 * wake-up), notes sent late (Player.lateNotes: a time already past when its step came) and
 * missed steps (a gap in the step numbers), how far ahead of its time each step was
 * computed, when each note-on reached the port against its step time, whether every note-on
 * got its note-off, and the heap after a full collection at the start, every minute and the end.
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
  // what the port receives is measured as it arrives, into buffers allocated up front, so the
  // heap figures are the player's, the generator's and the sink's, not this benchmark's record
  const maxNotes = Math.ceil(MINUTES * 60 * 20 * 9) + 1000;
  const lateness = new Float64Array(maxNotes);
  let notes = 0;
  let dropped = 0;
  const sounding = new Int32Array(16 * 128);
  // the start times of the last 64 steps, by step number
  const recent = new Float64Array(64).fill(NaN);
  let newest = -1;
  const receive = (m: ArrayLike<number>) => {
    const at = performance.now();
    const kind = m[0] & 0xf0;
    const key = (m[0] & 15) * 128 + m[1];
    if (kind === 0x90 && m[2] > 0) {
      sounding[key]++;
      // the nearest recent step start: a note may arrive a hair before its timestamp
      let best = NaN;
      for (let s = Math.max(0, newest - 63); s <= newest; s++) {
        const t = recent[s % 64];
        if (Number.isNaN(best) || Math.abs(at - t) < Math.abs(at - best)) best = t;
      }
      if (notes < maxNotes) lateness[notes++] = at - best;
      else dropped++;
    } else if ((kind === 0x80 || (kind === 0x90 && m[2] === 0)) && sounding[key] > 0) sounding[key]--;
  };
  (JZZ as unknown as { addMidiOut(n: string, w: unknown): void }).addMidiOut(PORT, JZZ.Widget({ _receive: receive }));
  await WebMidi.enable();
  const output = WebMidi.getOutputByName(PORT)!;
  const gen = new Generator(await loadModelSpec(new URL('../weights/drums-gmd', import.meta.url).pathname), { seed: 1 });
  const clock = new InternalClock({ bpm: 300 });
  const sink = new WebMidiSink(output);
  const player = new Player(clock, gen, [sink]);
  const ahead = new Float64Array(Math.ceil(MINUTES * 60 * 20) + 100);
  let steps = 0;
  let missed = 0;
  let last = -1;
  clock.onStep((e) => {
    if (steps < ahead.length) ahead[steps] = (e.time - clock.now()) * 1000;
    steps++;
    if (e.step !== last + 1) missed += Math.abs(e.step - last - 1);
    last = e.step;
    recent[e.step % 64] = e.time * 1000;
    newest = e.step;
  });
  gc();
  const heapStart = process.memoryUsage().heapUsed;
  clock.start();
  // the heap once a minute, after a full collection
  const heapByMinute: number[] = [];
  for (let m = 0; m < MINUTES; m++) {
    await new Promise((r) => setTimeout(r, Math.min(1, MINUTES - m) * 60_000));
    gc();
    heapByMinute.push(+(process.memoryUsage().heapUsed / 2 ** 20).toFixed(2));
  }
  clock.stop();
  await new Promise((r) => setTimeout(r, 500));
  player.dispose();
  gc();
  const heapEnd = process.memoryUsage().heapUsed;
  const open = sounding.reduce((a, b) => a + b, 0);
  const aheadMs = ahead.subarray(0, Math.min(steps, ahead.length));
  const late = aheadMs.filter((a) => a < 0).length;
  writeResult('soak', {
    bench: 'soak',
    date: new Date().toISOString(),
    node: process.version,
    model: 'weights/drums-gmd (2x256 LSTM)',
    bpm: 300,
    minutes: MINUTES,
    steps,
    expectedSteps: Math.round(MINUTES * 60 * (300 / 60) * 4),
    stepsHandedOutLate: late,
    notesSentLate: player.lateNotes,
    stepsMissed: missed,
    lookaheadMs: clock.lookahead * 1000,
    stepHandedOutAheadMs: percentiles(aheadMs),
    noteOnArrivalAfterStepTimeMs: percentiles(lateness.subarray(0, notes)),
    notes: notes + dropped,
    notesLeftSounding: open,
    heapMB: { start: +(heapStart / 2 ** 20).toFixed(2), byMinute: heapByMinute, end: +(heapEnd / 2 ** 20).toFixed(2) },
  });
  await WebMidi.disable();
  process.exit(late || player.lateNotes || missed || open ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
