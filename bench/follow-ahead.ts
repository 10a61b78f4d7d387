/**
 * Steps handed out ahead of an external MIDI clock: the MidiClockFollower predicts each step's
 * time from its tempo fit and hands it out half a step and a margin ahead, so hits played early
 * (offset down to -0.5 of a step) are not late. Fed pulses with ±2 ms uniform jitter through
 * `receive`, into a Player whose generator plays, every step, hits at offsets -0.5, -0.1, 0 and
 * 0.3; "now" is each pulse's arrival. For each scenario, next to the same pulses followed with
 * `maxEarly: 0` (each step handed out at its own pulse, as before):
 *  - how far ahead of its true pulse each step is handed out (the latency this adds: a control
 *    applies at the next step handed out, so that much later);
 *  - each hit's timing error against the true pulse times (grid + offset × the true step);
 *  - hits already past when handed out (Player.lateNotes);
 *  - after a tempo jump, the signed error of the steps around it, how many steps until the
 *    error is back within 2 ms, and how many steps went out at the time of the step before
 *    them (a jump so much faster that their pulses came before the time a step out ahead was
 *    given: steps never go back in time);
 *  - by model: how far ahead steps go out when the Player sets the follower from the model's
 *    codec (`maxEarlyFor`): an expressive one (earliest -0.5) and a flat one (earliest 0).
 *
 *   npx tsx bench/follow-ahead.ts      (writes bench/results/follow-ahead.json)
 */
import type { StepResult } from '../src/music/generator.js';
import type { NoteSink } from '../src/io/sink.js';
import { MidiClockFollower } from '../src/time/midi-clock-follower.js';
import { Player, type Playable } from '../src/time/player.js';
import { percentiles, writeResult } from './stats.js';

const OFFSETS = [-0.5, -0.1, 0, 0.3];
const noTimers = { setTimeout: () => 0, clearTimeout: () => {} };

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

class Hits implements Playable {
  step = 0;
  constructor(readonly codec: { readonly earliest?: number } | null = null) {}
  private readonly r: StepResult = { step: 0, tick: 0, count: OFFSETS.length, notes: OFFSETS.map((offset, i) => ({ note: 36 + i, velocity: 90, channel: 9, length: 1, offset })), releaseCount: 0, releases: [], paused: false, muted: false };
  tick(): StepResult {
    this.r.step = this.step++;
    return this.r;
  }
  locate(step: number): void {
    this.step = step;
  }
}

interface Hit {
  step: number;
  offset: number;
  time: number;
}

/** Pulse times (ms) for tempo segments [bpm, pulses], jittered ±2 ms; the true times too. */
function pulseTrain(segments: [number, number][], seed: number) {
  const rand = lcg(seed);
  const truth: number[] = [];
  let t = 1000;
  for (const [bpm, n] of segments) {
    for (let i = 0; i < n; i++) {
      truth.push(t);
      t += 60000 / bpm / 24;
    }
  }
  truth.push(t); // where the next pulse would be: the end of the last step
  return { truth, sent: truth.slice(0, -1).map((x) => x + (rand() * 2 - 1) * 2) };
}

/** Follow `sent` from a start; the hits played, when each step went out, and the late count. */
function follow(sent: number[], maxEarly: number, codec: { readonly earliest?: number } | null = null) {
  let now = 0;
  const clock = new MidiClockFollower(null, { now: () => now, timers: noTimers, maxEarly });
  const hits: Hit[] = [];
  const out = new Map<number, number>();
  let current = -1;
  clock.onStep((e) => {
    current = e.step;
    out.set(e.step, now * 1000);
  });
  const sink: NoteSink = {
    noteOn: (note, _v, _c, time) => hits.push({ step: current, offset: OFFSETS[note - 36], time: time * 1000 }),
    noteOff() {},
    allNotesOff() {},
  };
  const player = new Player(clock, new Hits(codec), [sink]);
  now = (sent[0] - 5) / 1000;
  clock.receive([0xfa], sent[0] - 5);
  for (const at of sent) {
    now = at / 1000;
    clock.receive([0xf8], at);
  }
  return { hits, out, late: player.lateNotes };
}

const trueTime = (truth: number[], step: number, offset: number) => {
  const p = step * 6;
  return truth[p] + offset * (truth[p + 6] - truth[p]);
};

function steady(bpm: number) {
  const { truth, sent } = pulseTrain([[bpm, 24 * 64]], bpm);
  const result = (maxEarly: number) => {
    const { hits, out, late } = follow(sent, maxEarly);
    const known = (s: number) => (s + 1) * 6 < truth.length;
    const lead = [...out].filter(([s]) => s >= 1 && known(s)).map(([s, at]) => truth[s * 6] - at);
    const byOffset = Object.fromEntries(OFFSETS.map((o) => [String(o), percentiles(hits.filter((h) => h.offset === o && h.step >= 4 && known(h.step)).map((h) => Math.abs(h.time - trueTime(truth, h.step, o))))]));
    return { handedOutAheadMs: percentiles(lead), hitErrorMs: byOffset, lateNotes: late, hits: hits.length };
  };
  return { bpm, steps: 24 * 64 / 6, ahead: result(0.5), atPulse: result(0) };
}

function jump(from: number, to: number) {
  const before = 24 * 8;
  const { truth, sent } = pulseTrain(
    [
      [from, before],
      [to, 24 * 8],
    ],
    from * 7 + to,
  );
  const first = before / 6; // the first step at the new tempo
  const result = (maxEarly: number) => {
    const { hits, late } = follow(sent, maxEarly);
    const known = (s: number) => (s + 1) * 6 < truth.length;
    const err = (s: number, o: number) => {
      const h = hits.find((x) => x.step === s && x.offset === o);
      return h ? +(h.time - trueTime(truth, s, o)).toFixed(2) : null;
    };
    const around = Array.from({ length: 12 }, (_, i) => first - 2 + i).map((s) => ({ step: s, errorMs: err(s, 0), errorMsOfHitHalfAStepEarly: err(s, -0.5) }));
    let settled = first;
    for (let s = first; known(s); s++) {
      const e = Math.abs(err(s, 0) ?? Infinity);
      if (e > 2) settled = s + 1;
    }
    const afterBeats = hits.filter((h) => h.step >= first + 8 && known(h.step)).map((h) => Math.abs(h.time - trueTime(truth, h.step, h.offset)));
    const stepTimes = [...new Set(hits.map((h) => h.step))].sort((a, b) => a - b).map((st) => hits.find((h) => h.step === st && h.offset === 0)!.time);
    const stacked = stepTimes.filter((t, i) => i > 0 && t === stepTimes[i - 1]).length;
    return { around, stepsUntilWithin2ms: settled - first, hitErrorFromTwoBeatsAfterMs: percentiles(afterBeats), stepsAtTheTimeOfTheStepBefore: stacked, lateNotes: late };
  };
  return { from, to, firstStepAtNewTempo: first, ahead: result(0.5), atPulse: result(0) };
}

const out = {
  bench: 'follow-ahead',
  date: new Date().toISOString(),
  node: process.version,
  jitterMs: '±2 uniform',
  offsets: OFFSETS,
  steady: [60, 90, 120, 200].map(steady),
  jumps: [jump(120, 90), jump(90, 140), jump(90, 150), jump(140, 90), jump(40, 300)],
  byModel: [
    { model: 'drum-expressive (earliest -0.5)', codec: { earliest: -0.5 } },
    { model: 'flat: drum-grid, melodies, note events (earliest 0)', codec: {} },
  ].map(({ model, codec }) => {
    const { truth, sent } = pulseTrain([[120, 24 * 32]], 5);
    const { out } = follow(sent, 0.5, codec);
    const lead = [...out].filter(([s]) => s >= 1 && (s + 1) * 6 < truth.length).map(([s, at]) => truth[s * 6] - at);
    return { model, bpm: 120, handedOutAheadOfTruePulseMs: percentiles(lead) };
  }),
};
writeResult('follow-ahead', out);
