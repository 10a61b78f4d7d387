import { describe, expect, it } from 'vitest';
import type { StepEvent, TransportEvent } from '../src/time/clock.js';
import { InternalClock, type InternalClockOptions, type PulseEvent } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';

const EXACT = 1e-9; // seconds: "exact" up to floating point on the timestamps we compare

interface Seen {
  steps: (StepEvent & { at: number })[];
  pulses: PulseEvent[];
  transport: TransportEvent[];
}

/** A clock on fake time; `maxEarly` 0 unless given, so times are the lookahead's alone (the early reach has tests of its own). */
function setup(options: Omit<InternalClockOptions, 'now' | 'timers'>, lateness?: () => number) {
  const ft = new FakeTime(1000, lateness);
  const clock = new InternalClock({ maxEarly: 0, ...options, now: ft.now, timers: ft.timers });
  const seen: Seen = { steps: [], pulses: [], transport: [] };
  clock.onStep((e) => seen.steps.push({ ...e, at: ft.t }));
  clock.onPulse((e) => seen.pulses.push({ ...e }));
  clock.onTransport((e) => seen.transport.push({ ...e }));
  return { ft, clock, seen };
}

/** A seeded uniform draw in [0, 1) for jitter. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('InternalClock: exact times from loose timers', () => {
  for (const bpm of [120, 300]) {
    it(`puts every step on the grid at ${bpm} BPM, ahead of its time, however late the timers`, () => {
      const rand = lcg(bpm);
      // timers up to 60 ms late: less than lookahead − interval, so nothing may come late
      const { ft, clock, seen } = setup({ bpm, maxEarly: undefined }, () => rand() * 0.06);
      const step = 60 / bpm / 4;
      expect(clock.ahead).toBeCloseTo(clock.lookahead + step / 2, 12);
      clock.start();
      const t0 = 1000 + clock.lookahead + step / 2;
      expect(seen.transport).toEqual([{ type: 'start', time: t0 }]);
      ft.advance(30);
      expect(seen.steps.length).toBeGreaterThan(30 / step - 2);
      seen.steps.forEach((e, i) => {
        expect(e.step).toBe(i);
        expect(Math.abs(e.time - (t0 + i * step))).toBeLessThan(EXACT);
        expect(Math.abs(e.stepDuration - step)).toBeLessThan(EXACT);
        expect(e.bpm).toBeCloseTo(bpm, 9);
        // handed out more than half a step before its time (a hit half a step early is still
        // ahead), and no more than a lookahead and half a step before it
        expect(e.time - e.at).toBeGreaterThan(step / 2);
        expect(e.time - e.at).toBeLessThanOrEqual(clock.lookahead + step / 2 + EXACT);
      });
      // 6 straight pulses per step, each exact; pulses go out a lookahead ahead, steps half a
      // step sooner: at most one step is out ahead of its pulses
      const behind = seen.steps.length - Math.ceil(seen.pulses.length / 6);
      expect(behind === 0 || behind === 1).toBe(true);
      seen.pulses.forEach((p, i) => {
        expect(p.pulse).toBe(i);
        expect(Math.abs(p.time - (t0 + (i * step) / 6))).toBeLessThan(EXACT);
      });
    });
  }

  it('wakes loosely every interval and never piles up timers', () => {
    const { ft, clock } = setup({ bpm: 120 });
    clock.start();
    ft.advance(1);
    expect(ft.pending).toBe(1);
    expect(ft.fired.length).toBeGreaterThanOrEqual(39);
    expect(ft.fired.length).toBeLessThanOrEqual(41);
    clock.stop();
    expect(ft.pending).toBe(0);
  });

  it('changes tempo at a given pulse; later pulses count from the change, not from wake-ups', () => {
    const { ft, clock, seen } = setup({ bpm: 120 });
    clock.start();
    const t0 = 1000 + clock.lookahead;
    clock.setTempo(150, 96); // bar 2
    expect(seen.transport[1]).toEqual({ type: 'tempo', bpm: 150, time: t0 + 2, pulse: 96 });
    ft.advance(5);
    const s = seen.steps;
    for (let i = 0; i < 16; i++) expect(Math.abs(s[i].time - (t0 + i * 0.125))).toBeLessThan(EXACT);
    expect(Math.abs(s[15].stepDuration - 0.125)).toBeLessThan(EXACT);
    for (let i = 16; i < s.length; i++) {
      expect(Math.abs(s[i].time - (t0 + 2 + (i - 16) * 0.1))).toBeLessThan(EXACT);
      expect(s[i].bpm).toBeCloseTo(150, 9);
    }
    expect(clock.bpm).toBeCloseTo(150, 9);
  });

  it('a tempo change cannot reach back: a pulse already handed out means the next one', () => {
    const { ft, clock, seen } = setup({ bpm: 120 });
    clock.start();
    ft.advance(1);
    const last = seen.pulses[seen.pulses.length - 1];
    clock.setTempo(60, 0);
    const tempo = seen.transport.find((e) => e.type === 'tempo')!;
    expect(tempo.time).toBeCloseTo(last.time + 60 / 120 / 24, 9);
    ft.advance(3);
    const after = seen.pulses.filter((p) => p.pulse > last.pulse);
    after.forEach((p) => expect(Math.abs(p.time - (tempo.time + (p.pulse - last.pulse - 1) / 24))).toBeLessThan(EXACT));
  });

  it('a change without a pulse takes effect at once: the next pulse a new period after the last, or now, never in the past', () => {
    const { ft, clock, seen } = setup({ bpm: 120 });
    clock.start();
    ft.advance(1);
    const last = seen.pulses.at(-1)!;
    clock.setTempo(30); // the next pulse 1/12 s after the last, not 1/48 s
    expect(seen.transport.filter((e) => e.type === 'tempo')).toEqual([{ type: 'tempo', bpm: 30, time: last.time, pulse: last.pulse }]);
    ft.advance(0.5);
    expect(seen.pulses.find((p) => p.pulse === last.pulse + 1)!.time).toBeCloseTo(last.time + 1 / 12, 9);

    const { ft: ft2, clock: c2, seen: s2 } = setup({ bpm: 1 });
    c2.start();
    ft2.advance(6);
    const l2 = s2.pulses.at(-1)!;
    ft2.advance(1); // a second later, 120 BPM would have had the next pulse long ago
    c2.setTempo(120);
    const tempos = s2.transport.filter((e) => e.type === 'tempo');
    // the pulse in between takes the time it takes, as a tempo of its own; then 120 BPM
    expect(tempos.map((e) => e.type === 'tempo' && e.pulse)).toEqual([l2.pulse, l2.pulse + 1]);
    expect(tempos[1]).toMatchObject({ bpm: 120, time: ft2.t });
    ft2.advance(1);
    const next = s2.pulses.filter((p) => p.pulse > l2.pulse);
    expect(next[0].time).toBeCloseTo(ft2.t - 1, 9);
    for (let i = 1; i < next.length; i++) expect(next[i].time - next[i - 1].time).toBeCloseTo(1 / 48, 9);
    expect(c2.timeOfPulse(l2.pulse)).toBe(l2.time); // what was handed out keeps its time
  });

  it('a later change replaces one scheduled at or after its pulse', () => {
    const { ft, clock, seen } = setup({ bpm: 120 });
    clock.start();
    const t0 = 1000 + clock.lookahead;
    clock.setTempo(150, 96);
    clock.setTempo(100, 48);
    ft.advance(4);
    const at48 = seen.steps[8];
    expect(at48.time).toBeCloseTo(t0 + 1, 9);
    expect(seen.steps[20].time).toBeCloseTo(t0 + 1 + 12 * 0.15, 9);
  });

  it('swing delays every second 16th by swing × a 16th, on the tempo map', () => {
    const { ft, clock, seen } = setup({ bpm: 120, swing: 0.5 });
    clock.start();
    const t0 = 1000 + clock.lookahead;
    ft.advance(2);
    const s = seen.steps;
    for (let i = 0; i < 12; i++) {
      const straight = t0 + i * 0.125;
      expect(s[i].time).toBeCloseTo(i % 2 ? straight + 0.5 * 0.125 : straight, 9);
      expect(s[i].stepDuration).toBeCloseTo(i % 2 ? 0.0625 : 0.1875, 9);
    }
    // pulses stay straight: MIDI clock out is not swung
    seen.pulses.forEach((p) => expect(p.time).toBeCloseTo(t0 + p.pulse / 48, 9));
  });

  it('swing on 32nd steps keeps steps in order and moves only the second 16th of each 8th', () => {
    const { ft, clock, seen } = setup({ bpm: 120, pulsesPerStep: 3, swing: 0.5 });
    clock.start();
    const t0 = 1000 + clock.lookahead;
    ft.advance(1);
    const s = seen.steps;
    for (let i = 1; i < s.length; i++) expect(s[i].time).toBeGreaterThan(s[i - 1].time);
    // 32nds at pulses 0, 3, 6, 9 of each 8th → 0, 4.5, 9, 10.5 pulses
    expect([0, 1, 2, 3, 4].map((i) => (s[i].time - t0) * 48)).toEqual([0, 4.5, 9, 10.5, 12].map((x) => expect.closeTo(x, 6)));
  });

  it('stop lands on the next step not yet handed out; continue picks up from there', () => {
    const { ft, clock, seen } = setup({ bpm: 120 });
    clock.start();
    const t0 = 1000 + clock.lookahead;
    ft.advance(1.01);
    const lastStep = seen.steps[seen.steps.length - 1].step;
    clock.stop();
    const stop = seen.transport[1];
    expect(stop).toEqual({ type: 'stop', time: expect.closeTo(t0 + (lastStep + 1) * 0.125, 9) });
    expect(clock.running).toBe(false);
    expect(clock.position).toBe(lastStep + 1);
    // every pulse of the last step went out; none of the next
    expect(seen.pulses.length).toBe((lastStep + 1) * 6);
    ft.advance(5);
    expect(seen.steps.length).toBe(lastStep + 1);
    clock.stop(); // twice: nothing
    expect(seen.transport.length).toBe(2);

    clock.continue();
    const t1 = ft.t + clock.lookahead;
    expect(seen.transport[2]).toEqual({ type: 'continue', time: t1 });
    ft.advance(1);
    const resumed = seen.steps.filter((e) => e.step > lastStep);
    expect(resumed[0].step).toBe(lastStep + 1);
    resumed.forEach((e, i) => expect(e.time).toBeCloseTo(t1 + i * 0.125, 9));
    seen.pulses.forEach((p, i) => expect(p.pulse).toBe(i)); // no pulse lost or repeated
    clock.continue(); // while running: nothing
    expect(seen.transport.length).toBe(3);
  });

  it('locate while stopped sets where continue starts; start always starts from the top', () => {
    const { ft, clock, seen } = setup({ bpm: 120 });
    clock.locate(32);
    expect(seen.transport[0]).toMatchObject({ type: 'position', step: 32 });
    clock.continue();
    ft.advance(0.5);
    expect(seen.steps[0].step).toBe(32);
    expect(seen.pulses[0].pulse).toBe(192);
    clock.start(); // while running: a stop, then from the top
    const types = seen.transport.map((e) => e.type);
    expect(types).toEqual(['position', 'continue', 'stop', 'start']);
    const stopTime = seen.transport[2].time;
    expect(seen.transport[3].time).toBeGreaterThanOrEqual(stopTime);
    ft.advance(0.5);
    const fromTop = seen.steps.filter((e) => e.time >= seen.transport[3].time);
    expect(fromTop[0]).toMatchObject({ step: 0, time: seen.transport[3].time });
  });

  it('locate while running: the next step handed out is the target, at the next boundary time', () => {
    const { ft, clock, seen } = setup({ bpm: 120 });
    clock.start();
    const t0 = 1000 + clock.lookahead;
    ft.advance(0.6);
    const n = seen.steps.length;
    clock.locate(64);
    const pos = seen.transport[1];
    expect(pos).toEqual({ type: 'position', step: 64, time: expect.closeTo(t0 + n * 0.125, 9) });
    ft.advance(1);
    const after = seen.steps.slice(n);
    expect(after[0]).toMatchObject({ step: 64, time: expect.closeTo(pos.time, 9) });
    after.forEach((e, i) => {
      expect(e.step).toBe(64 + i);
      expect(e.time).toBeCloseTo(pos.time + i * 0.125, 9);
    });
    // pulses: everything up to the boundary, then the new position's pulses
    const jump = seen.pulses.findIndex((p, i) => i > 0 && p.pulse !== seen.pulses[i - 1].pulse + 1);
    expect(jump).toBe(n * 6);
    expect(seen.pulses[jump].pulse).toBe(64 * 6);
  });

  it('listeners may stop, locate or throw from inside a step without breaking the clock', () => {
    const errors: unknown[] = [];
    const ft = new FakeTime(0);
    const clock = new InternalClock({ bpm: 300, now: ft.now, timers: ft.timers, onError: (e) => errors.push(e) });
    const steps: number[] = [];
    clock.onStep((e) => {
      steps.push(e.step);
      if (e.step === 3) throw new Error('boom');
      if (e.step === 5) clock.locate(100);
      if (e.step === 102) clock.stop();
    });
    clock.start();
    ft.advance(2);
    expect(errors).toHaveLength(1);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 100, 101, 102]);
    expect(clock.running).toBe(false);
    expect(ft.pending).toBe(0);
  });

  it('checks its options', () => {
    expect(() => new InternalClock({ bpm: 0 })).toThrow(RangeError);
    expect(() => new InternalClock({ bpm: 120, swing: 0.7 })).toThrow(RangeError);
    expect(() => new InternalClock({ bpm: 120, pulsesPerStep: 0 })).toThrow(RangeError);
    expect(() => new InternalClock({ bpm: 120, interval: 0.2, lookahead: 0.1 })).toThrow(RangeError);
    const clock = new InternalClock({ bpm: 120 });
    expect(() => clock.setTempo(NaN)).toThrow(RangeError);
    expect(() => clock.locate(-1)).toThrow(RangeError);
    expect(clock.running).toBe(false);
  });

  it('runs on the real default time source (performance.now() seconds)', async () => {
    const clock = new InternalClock({ bpm: 600, lookahead: 0.05, interval: 0.01 });
    const got: StepEvent[] = [];
    clock.onStep((e) => got.push(e));
    expect(Math.abs(clock.now() - performance.now() / 1000)).toBeLessThan(0.002);
    clock.start();
    await new Promise((r) => setTimeout(r, 200));
    clock.stop();
    expect(got.length).toBeGreaterThanOrEqual(4);
    got.forEach((e, i) => expect(e.time - got[0].time).toBeCloseTo(i * 0.025, 9));
  });
});

describe('InternalClock: steps out half a step ahead of their pulses (maxEarly)', () => {
  const early = (bpm: number) => setup({ bpm, maxEarly: 0.5 });

  it('hands a step out when its time less half a step is within the lookahead; pulses still a lookahead ahead', () => {
    const { ft, clock, seen } = early(60); // a 16th 0.25 s, half of it 0.125 s
    const pulseOut: number[] = [];
    clock.onStep(() => pulseOut.push(seen.pulses.at(-1)?.pulse ?? -1));
    clock.start();
    for (let i = 0; i < 200; i++) {
      ft.advance(0.025);
      const p = seen.pulses.at(-1);
      if (p) expect(p.time - ft.t).toBeLessThanOrEqual(clock.lookahead + EXACT);
    }
    for (const e of seen.steps) expect(e.time - e.at).toBeGreaterThan(0.125 + clock.lookahead - clock.interval - EXACT);
    // each step out before its first pulse (3 pulses of 41.7 ms fit in the half step)
    seen.steps.forEach((e, i) => expect(pulseOut[i]).toBeLessThan(e.step * 6));
    expect(clock.position).toBe(seen.steps.at(-1)!.step + 1);
  });

  it('a tempo change at once keeps the time of a step already out ahead of its pulse, and moves the pulses after it', () => {
    const { ft, clock, seen } = early(20); // a 16th 0.75 s: steps go out 0.475 s ahead
    clock.start();
    ft.advance(3);
    const pulseOut = () => seen.steps.at(-1)!.step * 6 <= seen.pulses.at(-1)!.pulse;
    for (let i = 0; i < 200 && pulseOut(); i++) ft.advance(0.01);
    const out = seen.steps.at(-1)!;
    const firstPulse = out.step * 6;
    expect(seen.pulses.at(-1)!.pulse).toBeLessThan(firstPulse); // out ahead of its first pulse
    clock.setTempo(120);
    expect(clock.timeOfStep(out.step)).toBeCloseTo(out.time, 9);
    ft.advance(2);
    const pulse = seen.pulses.find((p) => p.pulse === firstPulse)!;
    expect(pulse.time).toBeCloseTo(out.time, 9);
    // from that step's first pulse on, 120 BPM: the next step a 16th (0.125 s) after it
    const next = seen.steps.find((e) => e.step === out.step + 1)!;
    expect(next.time - out.time).toBeCloseTo(0.125, 9);
    const tempo = seen.transport.filter((e) => e.type === 'tempo');
    expect(tempo).toEqual([{ type: 'tempo', bpm: 120, time: expect.closeTo(out.time, 9), pulse: firstPulse }]);
    expect(seen.steps.map((e) => e.step)).toEqual(seen.steps.map((_, i) => i));
  });

  it('a tempo change during a slow step still ends it at the new tempo when the next step is not out', () => {
    const { ft, clock, seen } = early(20);
    clock.start();
    ft.advance(clock.timeOfStep(0) - ft.t + 0.05); // step 0 has begun; step 1 (0.75 s after it) is not out
    expect(seen.steps.map((e) => e.step)).toEqual([0]);
    const change = ft.t;
    clock.setTempo(120);
    ft.advance(1);
    // the pulses out (a lookahead's worth), then the rest of the step at 120 BPM: not 0.7 s after the change
    expect(seen.steps[1].time - change).toBeLessThanOrEqual(clock.lookahead + 0.125 + EXACT);
  });

  it('stop lands on the next step not out, the pulses up to it handed out; continue and locate go on from there, no step twice', () => {
    const { ft, clock, seen } = early(60);
    clock.start();
    ft.advance(2);
    const out = seen.steps.at(-1)!;
    clock.stop();
    const stop = seen.transport.at(-1)!;
    expect(stop).toEqual({ type: 'stop', time: expect.closeTo(out.time + out.stepDuration, 9) });
    expect(seen.pulses.at(-1)!.pulse).toBe((out.step + 1) * 6 - 1);
    expect(clock.position).toBe(out.step + 1);
    ft.advance(1);
    clock.continue();
    ft.advance(1);
    clock.locate(40);
    const atLocate = seen.steps.at(-1)!;
    ft.advance(1);
    const steps = seen.steps.map((e) => e.step);
    const i = steps.indexOf(40);
    expect(steps.slice(0, i)).toEqual(Array.from({ length: i }, (_, k) => k));
    expect(steps.slice(i)).toEqual(Array.from({ length: steps.length - i }, (_, k) => 40 + k));
    // 40 at the end of the last step out before the locate
    expect(seen.steps[i].time).toBeCloseTo(atLocate.time + atLocate.stepDuration, 9);
  });
});
