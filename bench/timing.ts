/**
 * Timing of the clocks in src/time:
 *  (a) InternalClock on a simulated time source with late, jittery timers (0–20 ms): the error
 *      of every step time against the ideal grid, at 120 and 300 BPM. Times are computed from
 *      the tempo map, so this is floating-point error only (target p99 ≤ 0.1 ms). And how far
 *      ahead steps are handed out with `maxEarly` 0 and 0.5 (the default: half a step sooner,
 *      so a hit half a step early is not late) at 20, 60, 120 and 300 BPM: what that costs.
 *  (b) MidiClockFollower fed pulses with ±2 ms uniform jitter through `receive` (the path its
 *      Input listener takes): the error of the step times it hands out against the true grid
 *      (target p99 ≤ 2 ms), next to the raw pulses' error and to Ardour's 2nd-order DLL; and
 *      the pulses it takes to re-lock (tempo within 1% and staying there) after a jump from 90
 *      to 150 BPM (target: within a beat, 24 pulses), and after a small one, 120 to 126.
 *  (c) The Node scheduler in real time with a busy worker thread on the other core: how late
 *      the wake-up timer fires against when it was due, and how far ahead of its time each
 *      step is handed out (negative would be a late step). Target: p99 lateness below the
 *      lookahead window (100 ms), no step handed out late.
 *
 *   npx tsx bench/timing.ts            (writes bench/results/timing.json)
 *   BENCH_STEPS=2000 BENCH_SECONDS=3 npx tsx bench/timing.ts   (a quick run)
 */
import { Worker } from 'node:worker_threads';
import { InternalClock } from '../src/time/internal-clock.js';
import { MidiClockFollower } from '../src/time/midi-clock-follower.js';
import type { Timers } from '../src/time/time-source.js';
import { percentiles } from './stats.js';
import { writeResult } from './stats.js';

const STEPS = Number(process.env.BENCH_STEPS ?? 10000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 500);

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A simulated time source whose timers fire late by `lateness()` seconds. */
function simulated(lateness: () => number) {
  let t = 5000; // a clock that has been up a while: absolute times are not small numbers
  const queue: { at: number; fn: () => void }[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const p = { at: t + ms / 1000 + lateness(), fn };
      queue.push(p);
      return p;
    },
    clearTimeout: (h) => {
      const i = queue.indexOf(h as (typeof queue)[number]);
      if (i >= 0) queue.splice(i, 1);
    },
  };
  const runUntil = (cond: () => boolean) => {
    while (!cond() && queue.length) {
      queue.sort((a, b) => a.at - b.at);
      const p = queue.shift()!;
      t = Math.max(t, p.at);
      p.fn();
    }
  };
  return { now: () => t, timers, runUntil };
}

// ---- (a) ------------------------------------------------------------------------------------

function internalGrid(bpm: number, maxEarly = 0.5) {
  const rand = lcg(bpm);
  const sim = simulated(() => rand() * 0.02);
  const clock = new InternalClock({ bpm, now: sim.now, timers: sim.timers, maxEarly });
  const err = new Float64Array(STEPS);
  const ahead = new Float64Array(STEPS);
  let n = 0;
  let t0 = NaN;
  const step = 60 / bpm / 4;
  clock.onStep((e) => {
    if (n >= STEPS) return;
    if (n === 0) t0 = e.time;
    err[n] = Math.abs(e.time - (t0 + e.step * step)) * 1000;
    ahead[n] = (e.time - sim.now()) * 1000;
    n++;
  });
  clock.start();
  sim.runUntil(() => n >= STEPS);
  clock.stop();
  return { bpm, steps: n, errorMs: percentiles(err), handedOutAheadMs: percentiles(ahead) };
}

// ---- (b) ------------------------------------------------------------------------------------

const noTimers: Timers = { setTimeout: () => 0, clearTimeout: () => {} };

/** Ardour's midi_clock_slave DLL, as described in the reference notes: the baseline. */
class ArdourDll {
  private t0 = NaN;
  private t1 = NaN;
  private e2 = NaN;
  private n = 0;
  private readonly b: number;
  private readonly c: number;
  constructor() {
    const omega = (2 * Math.PI * (60 / 500)) / 24;
    this.b = Math.SQRT2 * omega;
    this.c = omega * omega;
  }
  /** Returns the filtered time of this pulse. */
  add(t: number): number {
    if (this.n++ === 0) {
      this.t1 = t;
      return t;
    }
    if (this.n === 2) {
      this.e2 = t - this.t1;
      this.t0 = t;
      this.t1 = t + this.e2;
      return t;
    }
    const e = t - this.t1;
    this.t0 = this.t1;
    this.t1 += this.b * e + this.e2;
    this.e2 += this.c * e;
    return this.t0;
  }
  get bpm(): number {
    return 60 / ((this.t1 - this.t0) * 24);
  }
}

function followerJitter(bpm: number, steps: number) {
  const rand = lcg(11 + bpm);
  const follower = new MidiClockFollower(null, { now: () => 0, timers: noTimers });
  const dll = new ArdourDll();
  const period = 60000 / bpm / 24; // ms
  const warm = 24 * 4; // a bar to lock before counting
  const ours: number[] = [];
  const raw: number[] = [];
  const ardour: number[] = [];
  const tempoErr: number[] = [];
  follower.onStep((e) => {
    const truth = 1000 + (e.step * 6 + warm + 1) * period;
    ours.push(Math.abs(e.time * 1000 - truth));
    tempoErr.push((Math.abs(e.bpm - bpm) / bpm) * 100);
  });
  // pulses run from before the start: the follower starts locked, like a slave on a running master
  for (let i = 0; i <= warm; i++) {
    const at = 1000 + i * period + (rand() * 2 - 1) * 2;
    follower.receive([0xf8], at);
    dll.add(at / 1000);
  }
  follower.receive([0xfa], 1000 + (warm + 0.5) * period);
  for (let k = 0; k < steps * 6; k++) {
    const i = warm + 1 + k;
    const truth = 1000 + i * period;
    const j = (rand() * 2 - 1) * 2;
    follower.receive([0xf8], truth + j);
    const d = dll.add((truth + j) / 1000);
    if (k % 6 === 0) {
      raw.push(Math.abs(j));
      ardour.push(Math.abs(d * 1000 - truth));
    }
  }
  return { bpm, steps: ours.length, jitterMs: '±2 uniform', ours: percentiles(ours), rawPulses: percentiles(raw), ardourDll: percentiles(ardour), tempoErrorPercent: percentiles(tempoErr) };
}

/** Pulses after the jump until the estimate is within 1% of the new tempo and stays there (16 beats). */
function relock(from: number, to: number, trials: number) {
  const oursPulses: number[] = [];
  const dllPulses: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const rand = lcg(1000 + trial);
    const follower = new MidiClockFollower(null, { now: () => 0, timers: noTimers });
    const dll = new ArdourDll();
    let t = 1000;
    const feed = (bpm: number, n: number, out?: { ours: number[]; dll: number[] }) => {
      const period = 60000 / bpm / 24;
      for (let i = 0; i < n; i++) {
        const at = t + (rand() * 2 - 1) * 2;
        follower.receive([0xf8], at);
        dll.add(at / 1000);
        out?.ours.push(follower.bpm);
        out?.dll.push(dll.bpm);
        t += period;
      }
    };
    follower.receive([0xfa], 999);
    feed(from, 24 * 8 + Math.floor(rand() * 24)); // jump anywhere in the beat
    const out = { ours: [] as number[], dll: [] as number[] };
    feed(to, 24 * 16, out);
    const settle = (xs: number[]) => {
      const ok = xs.map((x) => Math.abs(x - to) / to < 0.01);
      for (let i = 0; i < ok.length; i++) if (ok.slice(i).every(Boolean)) return i + 1; // pulses after the jump
      return Infinity;
    };
    oursPulses.push(settle(out.ours));
    dllPulses.push(settle(out.dll));
  }
  return { from, to, trials, withinPercent: 1, oursPulses: percentiles(oursPulses), ardourDllPulses: percentiles(dllPulses) };
}

// ---- (c) ------------------------------------------------------------------------------------

async function wallClock(seconds: number) {
  const load = new Worker('let x = 0; for (;;) { x = Math.sqrt(x + Math.random()); }', { eval: true });
  await new Promise((r) => setTimeout(r, 200)); // let it spin up
  const now = () => performance.now() / 1000;
  const lateness: number[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const due = now() + ms / 1000;
      return setTimeout(() => {
        lateness.push((now() - due) * 1000);
        fn();
      }, ms);
    },
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  const clock = new InternalClock({ bpm: 300, timers });
  const ahead: number[] = [];
  // the main thread has work too: a step costs what a mid-size model's tick costs
  clock.onStep((e) => {
    ahead.push((e.time - clock.now()) * 1000);
    const until = performance.now() + 0.3;
    while (performance.now() < until) {
      // busy
    }
  });
  clock.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clock.stop();
  await load.terminate();
  const late = ahead.filter((a) => a < 0).length;
  return {
    bpm: 300,
    seconds,
    load: 'a worker thread spinning on the other core, 0.3 ms of work per step on this one, plus whatever else runs on the machine',
    lookaheadMs: clock.lookahead * 1000,
    intervalMs: clock.interval * 1000,
    wakes: lateness.length,
    timerLatenessMs: percentiles(lateness),
    stepHandedOutAheadMs: percentiles(ahead),
    stepsHandedOutLate: late,
    steps: ahead.length,
  };
}

async function main(): Promise<void> {
  console.error('(a) internal clock grid');
  const grid = [internalGrid(120), internalGrid(300)];
  // the cost of handing steps out half a step sooner (for hits up to half a step early): how
  // much further ahead each step goes out, so how much later a control applies
  const earlyReach = [20, 60, 120, 300].map((bpm) => ({ bpm, halfAStepMs: 7500 / bpm, maxEarly0AheadMs: internalGrid(bpm, 0).handedOutAheadMs, maxEarlyHalfAheadMs: internalGrid(bpm, 0.5).handedOutAheadMs }));
  console.error('(b) follower jitter and re-lock');
  const jitter = [followerJitter(120, STEPS), followerJitter(90, STEPS), followerJitter(150, STEPS)];
  const lock = relock(90, 150, TRIALS);
  const small = relock(120, 126, TRIALS); // under the gate: the drift rule's case
  console.error(`(c) wall clock for ${SECONDS} s under load`);
  const wall = await wallClock(SECONDS);
  const out = {
    bench: 'timing',
    date: new Date().toISOString(),
    node: process.version,
    targets: { internalP99Ms: 0.1, followerP99Ms: 2, relockPulses: 24, wallP99LatenessBelowLookaheadMs: 100 },
    internalClock: grid,
    earlyReach,
    follower: { jitter, relock: lock, relockSmallChange: small },
    wallClock: wall,
    met: {
      internal: grid.every((g) => g.errorMs.p99 <= 0.1),
      follower: jitter.every((j) => j.ours.p99 <= 2),
      relock: lock.oursPulses.max <= 24,
      wallClock: wall.timerLatenessMs.p99 < wall.lookaheadMs && wall.stepsHandedOutLate === 0,
    },
  };
  writeResult('timing', out);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
