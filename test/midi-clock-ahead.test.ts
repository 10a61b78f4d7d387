// Steps handed out ahead of their pulse by the MIDI clock follower, predicted from its tempo
// fit, so a hit half a step early is still ahead of now; and what happens to the steps already
// handed out when the master does something else (a tempo jump, a stop, a song position, a
// dropout). Fed synthetic timestamps on fake time.
import { describe, expect, it } from 'vitest';
import type { StepEvent } from '../src/time/clock.js';
import { MidiClockFollower, type MidiClockFollowerOptions } from '../src/time/midi-clock-follower.js';
import { Player, type Playable } from '../src/time/player.js';
import type { StepResult } from '../src/music/generator.js';
import type { NoteSink } from '../src/io/sink.js';
import { FakeTime } from './helpers/fake-time.js';
import { lcg, pulses, record, sender } from './helpers/midi-clock-source.js';

const START = [0xfa];
const STOP = [0xfc];
const CONTINUE = [0xfb];
const position = (sixteenths: number) => [0xf2, sixteenths & 0x7f, sixteenths >> 7];

/** Every step with a kick half a step early, a snare a tenth early and a hat 0.3 late. */
class EarlyHits implements Playable {
  step = 0;
  private readonly r: StepResult = { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: false, muted: false };
  tick(): StepResult {
    this.r.step = this.step++;
    this.r.notes.length = 0;
    this.r.notes.push(...[-0.5, -0.1, 0.3].map((offset, i) => ({ note: 36 + i, velocity: 90, channel: 9, length: 1, offset })));
    this.r.count = 3;
    return this.r;
  }
  locate(step: number): void {
    this.step = step;
  }
}

/** Note-ons with when they were handed over. */
class Book implements NoteSink {
  ons: { note: number; time: number; at: number }[] = [];
  constructor(private readonly now: () => number) {}
  noteOn(note: number, _v: number, _c: number, time: number) {
    this.ons.push({ note, time, at: this.now() });
  }
  noteOff() {}
  allNotesOff() {}
}

function follower(options: MidiClockFollowerOptions = {}) {
  const ft = new FakeTime(0);
  const clock = new MidiClockFollower(null, { ...options, now: ft.now, timers: ft.timers });
  const handed: (StepEvent & { at: number })[] = [];
  clock.onStep((e) => handed.push({ ...e, at: ft.t }));
  const book = new Book(ft.now);
  const player = new Player(clock, new EarlyHits(), [book]);
  return { ft, clock, send: sender(clock, ft), handed, book, player, ...record(clock) };
}

const numbers = (steps: readonly StepEvent[]) => steps.map((s) => s.step);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('MidiClockFollower: steps ahead of their pulse', () => {
  it('steady 120 BPM ±2 ms: each step goes out more than half a step and the margin ahead of its pulse, once, at the pulse’s time; only step 0’s early hits are late', () => {
    const { clock, send, handed, book, player } = follower();
    const p = pulses(1000, 120, 24 * 32, 2, lcg(7));
    send(START, 999);
    for (const m of p.messages) send(m.bytes, m.at);
    const stepMs = 125;
    expect(numbers(handed)).toEqual(range(0, handed.length));
    // the pulses cover steps 0..127; step 128 went out ahead of a pulse that has not come yet
    expect(handed.length).toBe(129);
    for (const s of handed.slice(1)) {
      const ahead = p.grid[s.step * 6] - s.at * 1000;
      if (s.step * 6 >= p.grid.length) continue;
      expect(ahead).toBeGreaterThan(stepMs / 2 + clock.margin * 1000 - 2.5); // ±2 ms jitter of the pulse it went out on
      expect(ahead).toBeLessThan(stepMs / 2 + clock.margin * 1000 + 125 / 6 + 2.5); // and at most a pulse more
    }
    const err = handed.slice(8, 128).map((s) => Math.abs(s.time * 1000 - p.grid[s.step * 6]));
    expect(Math.max(...err)).toBeLessThan(2);
    // step 0 went out on its own pulse (no tempo yet): its kick and snare were past
    expect(player.lateNotes).toBe(2);
    for (const on of book.ons.slice(3)) expect(on.time).toBeGreaterThan(on.at);
  });

  for (const [from, to] of [
    [120, 90],
    [90, 140],
  ]) {
    it(`a tempo jump from ${from} to ${to}: steps already out keep their times, each step once, later steps follow the new tempo within 2 beats`, () => {
      const { send, handed } = follower();
      const rand = lcg(from + to);
      const a = pulses(1000, from, 24 * 8, 2, rand);
      const b = pulses(a.end, to, 24 * 8, 2, rand);
      send(START, 999);
      for (const m of [...a.messages, ...b.messages]) send(m.bytes, m.at);
      const grid = [...a.grid, ...b.grid];
      expect(numbers(handed)).toEqual(range(0, handed.length));
      for (let i = 1; i < handed.length; i++) expect(handed[i].time).toBeGreaterThanOrEqual(handed[i - 1].time);
      const jump = (24 * 8) / 6; // the first step at the new tempo
      // steps out before the jump was seen are off by up to their lead × the change
      const off = handed.filter((s) => s.step >= jump - 1 && s.step < jump + 8).map((s) => s.time * 1000 - grid[s.step * 6]);
      expect(Math.max(...off.map(Math.abs))).toBeGreaterThan(5);
      // from two beats after the jump the steps are back on the pulses
      const settled = handed.filter((s) => s.step >= jump + 8 && s.step * 6 < grid.length);
      expect(settled.length).toBeGreaterThan(20);
      for (const s of settled) expect(Math.abs(s.time * 1000 - grid[s.step * 6])).toBeLessThan(2.5);
    });
  }

  it('stop mid-bar, continue: the step out ahead of the stop is not handed out again, none is skipped', () => {
    const { send, handed, player, types } = follower();
    const a = pulses(1000, 120, 6 * 9 + 3); // stops inside step 9, pulse 56 the last: step 10 (pulse 60) is already out
    send(START, 999);
    for (const m of a.messages) send(m.bytes, m.at);
    send(STOP, a.end);
    expect(numbers(handed)).toEqual(range(0, 11));
    const b = pulses(a.end + 300, 120, 6 * 8); // pulses while stopped: tempo only
    for (const m of b.messages) send(m.bytes, m.at);
    expect(handed.length).toBe(11);
    send(CONTINUE, b.end);
    const c = pulses(b.end + 2, 120, 6 * 8);
    for (const m of c.messages) send(m.bytes, m.at);
    // 57..59 finish step 9, 60 would start step 10 (already out): on from 11
    expect(numbers(handed)).toEqual(range(0, handed.length));
    expect(handed.length).toBeGreaterThan(17);
    expect(types()).toEqual(['start', 'stop', 'continue']);
    // the steps after the continue land on its pulses: step 11 is pulse 66, the continue's 10th
    const s11 = handed.find((s) => s.step === 11)!;
    expect(Math.abs(s11.time * 1000 - c.grid[66 - 57])).toBeLessThan(0.5);
    expect(player.lateNotes).toBe(2);
  });

  it('a song position to where the count is (as masters send on stop) changes nothing; to elsewhere, steps go on from there', () => {
    const { send, handed } = follower();
    const a = pulses(1000, 120, 6 * 8);
    send(START, 999);
    for (const m of a.messages) send(m.bytes, m.at);
    send(STOP, a.end);
    send(position(8), a.end + 1); // step 8: where it stopped (8 went out ahead)
    send(CONTINUE, a.end + 100);
    const b = pulses(a.end + 102, 120, 6 * 4);
    for (const m of b.messages) send(m.bytes, m.at);
    const n = handed.length;
    expect(numbers(handed)).toEqual(range(0, n)); // 8 once
    send(STOP, b.end);
    send(position(32), b.end + 1);
    send(CONTINUE, b.end + 400);
    const c = pulses(b.end + 402, 120, 6 * 4);
    for (const m of c.messages) send(m.bytes, m.at);
    expect(numbers(handed.slice(n))).toEqual(range(32, 32 + handed.length - n));
    // after a silence the tempo is not known: 32 goes out on its own pulse, the next ahead
    expect(handed[n].time * 1000).toBeCloseTo(c.grid[0], 6);
    expect(handed[n + 1].at * 1000).toBeLessThan(c.grid[6] - 62.5);
  });

  it('a song position while running: the step out ahead keeps its notes, the next ones come from the new place', () => {
    const { send, handed, book } = follower();
    const a = pulses(1000, 120, 6 * 8);
    send(START, 999);
    for (const m of a.messages) send(m.bytes, m.at);
    send(position(0), a.end - 1); // a loop jump back to the top, sent before pulse 48
    const b = pulses(a.end, 120, 6 * 6);
    for (const m of b.messages) send(m.bytes, m.at);
    const n = numbers(handed);
    expect(n.slice(0, 9)).toEqual(range(0, 9)); // 8 went out before the jump
    expect(n.slice(9)).toEqual(range(0, n.length - 9));
    // step 0 again is on the first pulse after the jump, and the notes of 8 were not taken back
    expect(handed[9].time * 1000).toBeCloseTo(b.grid[0], 3);
    expect(book.ons.filter((o) => o.note === 36).length).toBe(handed.length);
  });

  it('a dropout: steps out ahead are not handed out again; after it steps go out at their pulses until the fit has three, then ahead', () => {
    const { ft, send, handed, types } = follower();
    const a = pulses(1000, 120, 6 * 8 + 1);
    send(START, 999);
    for (const m of a.messages) send(m.bytes, m.at);
    ft.advance(1); // silence: a dropout
    expect(types()).toEqual(['start', 'dropout']);
    const out = handed.length;
    expect(numbers(handed)).toEqual(range(0, out)); // 0..9: 9 went out ahead
    const b = pulses(ft.t * 1000 + 1, 120, 6 * 6);
    for (const m of b.messages) send(m.bytes, m.at);
    expect(numbers(handed)).toEqual(range(0, handed.length));
    // pulses 49.. counted on: 54 would start 9 (out already); the next at their pulse or ahead
    const next = handed[out];
    expect(next.step).toBe(out);
    expect(next.at * 1000).toBeLessThan(b.grid[next.step * 6 - 49] - 60);
  });

  it('maxEarly 0 hands every step out on its own pulse, as before; bad options are refused', () => {
    const { send, handed } = follower({ maxEarly: 0 });
    const a = pulses(1000, 120, 6 * 8);
    send(START, 999);
    for (const m of a.messages) send(m.bytes, m.at);
    expect(handed.map((s) => s.at * 1000)).toEqual(range(0, 8).map((i) => a.grid[i * 6]));
    expect(() => new MidiClockFollower(null, { maxEarly: 2 })).toThrow(/maxEarly/);
    expect(() => new MidiClockFollower(null, { margin: -1 })).toThrow(/margin/);
  });
});
