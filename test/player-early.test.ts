// Early hits: an expressive drum model plays hits up to half a step before their step
// (offset -0.5). A fake generator plays, every step, a kick half a step early, a snare a tenth
// early and a hat 0.3 late; the internal clock runs on fake time.
import { describe, expect, it } from 'vitest';
import { MidiVoices } from '../src/io/midi-voices.js';
import { readMidi } from '../src/io/midi-read.js';
import { MidiRecorder } from '../src/io/recorder.js';
import type { NoteSink } from '../src/io/sink.js';
import type { StepResult } from '../src/music/generator.js';
import type { StepEvent } from '../src/time/clock.js';
import { InternalClock, type InternalClockOptions } from '../src/time/internal-clock.js';
import { Player, type Playable } from '../src/time/player.js';
import { FakeTime } from './helpers/fake-time.js';

const EXACT = 1e-9;
const KICK = 36;
const SNARE = 38;
const HAT = 42;
/** note → offset in steps, the order the generator plays them in */
const HITS: readonly [number, number][] = [
  [KICK, -0.5],
  [SNARE, -0.1],
  [HAT, 0.3],
];

/** Plays HITS every step, a step long (the Player's gate shortens it); pause and mute as a Generator does. */
class EarlyHits implements Playable {
  step = 0;
  paused = false;
  muted = false;
  private readonly r: StepResult = { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: false, muted: false };

  tick(): StepResult {
    const r = this.r;
    r.step = this.paused ? -1 : this.step;
    r.tick++;
    r.paused = this.paused;
    r.muted = this.muted;
    r.notes.length = 0;
    if (!this.paused && !this.muted) r.notes.push(...HITS.map(([note, offset]) => ({ note, velocity: 90, channel: 9, length: 1, offset })));
    r.count = r.notes.length;
    this.step++;
    return r;
  }

  locate(step: number): void {
    this.step = step;
  }
}

interface On {
  note: number;
  time: number;
  duration: number;
  /** fake time when the sink was told */
  at: number;
}

/** Writes down note-ons, with the moment it was told of each. */
class Book implements NoteSink {
  ons: On[] = [];
  constructor(private readonly now: () => number) {}
  noteOn(note: number, _v: number, _c: number, time: number, duration: number) {
    this.ons.push({ note, time, duration, at: this.now() });
  }
  noteOff() {}
  allNotesOff() {}
}

/** A timestamping MIDI device: what the sink's bookkeeping sends, played back in time order. */
class Device implements NoteSink {
  readonly sent: { bytes: number[]; ms: number; order: number }[] = [];
  private readonly voices: MidiVoices;
  constructor(now: () => number) {
    this.voices = new MidiVoices((bytes, ms) => this.sent.push({ bytes, ms, order: this.sent.length }), { now: () => now() * 1000, holdBeyond: 200, releaseLead: 1 });
  }
  noteOn(note: number, velocity: number, channel: number, time: number, duration: number) {
    this.voices.noteOn(note, velocity, channel, time * 1000, duration === Infinity ? Infinity : (time + duration) * 1000);
  }
  noteOff(note: number, channel: number, time: number) {
    this.voices.noteOff(note, channel, time * 1000);
  }
  allNotesOff(time?: number) {
    this.voices.allNotesOff(time === undefined ? undefined : time * 1000);
  }
  /** Keys sounding once every message has landed, and how many note-ons landed. */
  stuck(): { keys: string[]; ons: number } {
    const on = new Map<string, number>();
    let ons = 0;
    for (const { bytes } of [...this.sent].sort((a, b) => a.ms - b.ms || a.order - b.order)) {
      const type = bytes[0] & 0xf0;
      const key = `${bytes[0] & 15}:${bytes[1]}`;
      if (type === 0x90 && bytes[2] > 0) {
        on.set(key, (on.get(key) ?? 0) + 1);
        ons++;
      } else if (type === 0x80 || type === 0x90) on.set(key, Math.max(0, (on.get(key) ?? 0) - 1));
      else if (type === 0xb0 && bytes[1] === 123) for (const k of on.keys()) if (k.startsWith(`${bytes[0] & 15}:`)) on.set(k, 0);
    }
    return { keys: [...on].filter(([, n]) => n > 0).map(([k]) => k), ons };
  }
}

function setup(options: Omit<InternalClockOptions, 'now' | 'timers'>, more: (ft: FakeTime) => NoteSink[] = () => [], lateness?: () => number) {
  const ft = new FakeTime(100, lateness);
  const clock = new InternalClock({ ...options, now: ft.now, timers: ft.timers });
  const steps: StepEvent[] = [];
  clock.onStep((e) => steps.push({ ...e }));
  const gen = new EarlyHits();
  const book = new Book(ft.now);
  const player = new Player(clock, gen, [book, ...more(ft)]);
  return { ft, clock, steps, gen, book, player };
}

describe('Player: hits before their step', () => {
  for (const [bpm, swing] of [
    [120, 0],
    [60, 0],
    [20, 0],
    [60, 0.3],
  ]) {
    it(`${bpm} BPM${swing ? `, swing ${swing}` : ''}: every hit at its step's time + offset × the step's duration, sent before that time, none late`, () => {
      // timers 20 ms late: within the lookahead (0.1 s) less the interval
      const { ft, clock, steps, book, player } = setup({ bpm, swing }, undefined, () => 0.02);
      clock.start();
      ft.advance(bpm === 20 ? 20 : 6);
      clock.stop();
      expect(steps.length).toBeGreaterThan(20);
      expect(book.ons).toHaveLength(steps.length * HITS.length);
      book.ons.forEach((on, i) => {
        const e = steps[Math.floor(i / HITS.length)];
        const [note, offset] = HITS[i % HITS.length];
        expect(on.note).toBe(note);
        expect(Math.abs(on.time - (e.time + offset * e.stepDuration))).toBeLessThan(EXACT);
        expect(on.time).toBeGreaterThan(on.at);
      });
      expect(player.lateNotes).toBe(0);
    });
  }

  it('a hit whose time has passed when its step is handed out goes out at once, counted in lateNotes', () => {
    // steps handed out at most a lookahead (0.1 s) ahead: a kick half a 60 BPM step (125 ms) early is past
    const { ft, clock, steps, book, player } = setup({ bpm: 60, lookahead: 0.1, maxEarly: 0 });
    clock.start();
    ft.advance(4);
    clock.stop();
    const kicks = book.ons.filter((o) => o.note === KICK);
    expect(kicks.length).toBe(steps.length);
    expect(player.lateNotes).toBe(steps.length);
    kicks.forEach((k, i) => {
      expect(k.time).toBe(k.at); // at once
      // and it ends when it would have: half a step early plus 0.9 of a step
      expect(k.time + k.duration).toBeCloseTo(steps[i].time + 0.4 * steps[i].stepDuration, 9);
    });
    // the snare, 25 ms early, was still ahead
    for (const s of book.ons.filter((o) => o.note === SNARE)) expect(s.time).toBeGreaterThan(s.at);
  });

  it('no stuck note: stop mid-bar, continue, pause, mute, a tempo change at once, locate, panic and dispose with early hits', () => {
    const box: { device?: Device } = {};
    const { ft, clock, gen, player } = setup({ bpm: 90 }, (ft) => [(box.device = new Device(ft.now))]);
    const device = box.device!;
    clock.start();
    ft.advance(1.37);
    clock.stop(); // mid-bar
    ft.advance(0.3);
    clock.continue();
    ft.advance(0.9);
    gen.paused = true;
    ft.advance(0.4);
    gen.paused = false;
    ft.advance(0.6);
    gen.muted = true;
    ft.advance(0.3);
    gen.muted = false;
    ft.advance(0.5);
    clock.setTempo(40); // a step already handed out at 90 BPM stretches
    ft.advance(1.1);
    clock.setTempo(200); // and shrinks
    ft.advance(0.7);
    clock.locate(3);
    ft.advance(0.8);
    player.panic();
    ft.advance(0.5);
    player.dispose();
    clock.stop();
    ft.advance(5);
    const { keys, ons } = device.stuck();
    expect(ons).toBeGreaterThan(60);
    expect(keys).toEqual([]);
    expect(player.lateNotes).toBe(0);
  });

  it('the recorder writes early and late hits at their own ticks, the first step’s early ones at tick 0; the file reads back to the times played', () => {
    const origin = 100 + 0.1 + 0.0625; // where start() puts step 0: now + lookahead + half a step
    // tick 0 is the first step, as a live take has it, not the first (early) hit
    const recorder = new MidiRecorder({ bpm: 120, origin });
    const rec = new MidiRecorder({ bpm: 120 });
    const { ft, clock, steps, book } = setup({ bpm: 120 }, () => [recorder, rec]);
    clock.start();
    expect(clock.timeOfStep(0)).toBeCloseTo(origin, 12);
    ft.advance(3);
    clock.stop();
    rec.close();
    recorder.close();
    const song = readMidi(recorder.toMidi(), 'early.mid');
    const perTick = 960; // ticks per second at 120 BPM, 480 per quarter
    const want = book.ons
      .map((o) => Math.max(0, Math.round((o.time - origin) * perTick)))
      .sort((a, b) => a - b);
    expect(song.notes.map((n) => n.tick)).toEqual(want);
    // step 0: kick and snare before the step, both at tick 0; the hat 0.3 of a 16th (36 ticks) late
    expect(song.notes.slice(0, 3).map((n) => [n.note, n.tick])).toEqual(expect.arrayContaining([[KICK, 0], [SNARE, 0], [HAT, 36]]));
    // step 1 (tick 120): kick 60 ticks before it, snare 12 before, hat 36 after
    const at = (note: number, k: number) => song.notes.filter((n) => n.note === note)[k].tick;
    expect([at(KICK, 1), at(SNARE, 1), at(HAT, 1)]).toEqual([60, 108, 156]);
    // back to seconds, every hit within half a tick of when it was played
    for (const n of song.notes.filter((n) => n.tick > 0)) {
      const played = book.ons.filter((o) => o.note === n.note).some((o) => Math.abs(o.time - origin - n.tick / perTick) <= 0.5 / perTick + EXACT);
      expect(played).toBe(true);
    }
    // without an origin, tick 0 is the earliest hit: the grid keeps its place relative to it
    const free = readMidi(rec.toMidi(), 'free.mid').notes;
    expect(free[0]).toMatchObject({ note: KICK, tick: 0 });
    expect(free.find((n) => n.note === HAT)!.tick).toBe(60 + 36);
    expect(steps.length).toBeGreaterThan(10);
  });
});
