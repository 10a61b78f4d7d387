// Steps go out ahead of their time only as far as the model needs: half a step for an
// expressive drum model (hits down to half a step early), nothing for a flat one. The Player
// sets the clock from its generator's codec, and again when the generator changes (the page
// loading another model while the clock runs). Fake time throughout.
import { describe, expect, it, vi } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { codecFor } from '../src/music/codecs.js';
import { Generator, type StepResult } from '../src/music/generator.js';
import type { NoteSink } from '../src/io/sink.js';
import { maxEarlyFor, type StepEvent } from '../src/time/clock.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { MidiClockFollower } from '../src/time/midi-clock-follower.js';
import { Player, type Playable } from '../src/time/player.js';
import { FakeTime } from './helpers/fake-time.js';
import { pulses, sender } from './helpers/midi-clock-source.js';
import { drumGridSpec, expressiveSpec, howlSpec, melodySpec } from './helpers/models.js';

// the page loads models by URL: here each URL names a model built in memory
const specs: Record<string, () => ModelSpec> = { flat: () => drumGridSpec(2), expressive: () => expressiveSpec(3) };
vi.mock('../src/io/model-files.js', () => ({
  loadModelSpec: async (url: string) => specs[url](),
}));
const { Stage } = await import('../src/hosts/web/stage.js');

/** Note-ons with the time they were handed over. */
class Book implements NoteSink {
  ons: { time: number; at: number }[] = [];
  constructor(private readonly now: () => number) {}
  noteOn(_n: number, _v: number, _c: number, time: number) {
    this.ons.push({ time, at: this.now() });
  }
  noteOff() {}
  allNotesOff() {}
}

/** An internal clock on fake time, with how far ahead of its time each step went out. */
function internal() {
  const ft = new FakeTime(0);
  const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
  const handed: (StepEvent & { at: number })[] = [];
  clock.onStep((e) => handed.push({ ...e, at: ft.t }));
  const ahead = (from = 0) => handed.slice(from).map((s) => s.time - s.at);
  return { ft, clock, handed, ahead };
}

/** A generator that can be swapped for another while playing, as the page's is. */
class Swappable implements Playable {
  constructor(public gen: Generator) {}
  tick(): StepResult {
    return this.gen.tick();
  }
  get step(): number {
    return this.gen.step;
  }
  locate(step: number): void {
    this.gen.locate(step);
  }
  get codec() {
    return this.gen.codec;
  }
}

describe('the clock hands steps out as early as the model needs', () => {
  it('half a step for drum-expressive, nothing for drum-grid, melodies and note events', () => {
    expect(maxEarlyFor(codecFor(expressiveSpec()))).toBe(0.5);
    for (const spec of [drumGridSpec(), melodySpec(), howlSpec()]) expect(maxEarlyFor(codecFor(spec)), spec.meta.encoding as string).toBe(0);
    // the earliest note the expressive codec plays is inside that bound
    const g = new Generator(expressiveSpec(), { seed: 5 });
    let earliest = 0;
    for (let i = 0; i < 200; i++) {
      const r = g.tick();
      for (let k = 0; k < r.count; k++) earliest = Math.min(earliest, r.notes[k].offset);
    }
    expect(earliest).toBeLessThan(-0.3);
    expect(earliest).toBeGreaterThanOrEqual(-maxEarlyFor(g.codec));
  });

  it('a flat model on the internal clock: each step goes out a lookahead ahead, not half a step more', () => {
    const { ft, clock, ahead } = internal();
    new Player(clock, new Generator(drumGridSpec(2), { seed: 1 }), []);
    expect(clock.maxEarly).toBe(0);
    clock.start();
    ft.advance(2);
    expect(Math.max(...ahead())).toBeLessThanOrEqual(clock.lookahead + 1e-9);
  });

  it('a flat model, a tempo change at once from 20 to 900 BPM: no step of the new tempo goes out after its time', () => {
    for (let wait = 0.003; wait < 3; wait += 0.0173) {
      const { ft, clock, handed } = internal();
      const book = new Book(ft.now);
      const player = new Player(clock, new Generator(drumGridSpec(2, 1.5), { seed: 1, density: 2 }), [book]);
      clock.setTempo(20);
      clock.start();
      ft.advance(wait);
      clock.setTempo(900);
      ft.advance(0.5);
      expect(handed.length).toBeGreaterThan(20);
      for (const s of handed) expect(s.time, `step ${s.step} after ${wait} s`).toBeGreaterThanOrEqual(s.at);
      expect(player.lateNotes).toBe(0);
    }
  });

  it('an expressive model on the internal clock: each step goes out half a step more ahead, and no early hit is late', () => {
    const { ft, clock, ahead } = internal();
    const book = new Book(ft.now);
    const player = new Player(clock, new Generator(expressiveSpec(3), { seed: 1 }), [book]);
    expect(clock.maxEarly).toBe(0.5);
    clock.start();
    ft.advance(2);
    expect(Math.min(...ahead())).toBeGreaterThan(0.0625);
    expect(book.ons.length).toBeGreaterThan(10);
    expect(player.lateNotes).toBe(0);
  });

  it('another model while the internal clock runs: the lead follows it from the next step, each step once', () => {
    const { ft, clock, handed, ahead } = internal();
    const book = new Book(ft.now);
    const playable = new Swappable(new Generator(drumGridSpec(2), { seed: 1 }));
    const player = new Player(clock, playable, [book]);
    clock.start();
    ft.advance(1);
    const flat = handed.length;
    playable.gen = new Generator(expressiveSpec(3), { seed: 1 });
    ft.advance(1);
    const switched = handed.length;
    expect(clock.maxEarly).toBe(0.5);
    expect(Math.min(...ahead(flat + 2))).toBeGreaterThan(0.0625);
    playable.gen = new Generator(drumGridSpec(2), { seed: 1 });
    ft.advance(1);
    expect(clock.maxEarly).toBe(0);
    expect(Math.max(...ahead(switched + 3))).toBeLessThanOrEqual(clock.lookahead + 1e-9);
    expect(handed.map((s) => s.step)).toEqual(handed.map((_, i) => i));
    // the first expressive steps may come before the lead has grown: their early hits count as late
    expect(player.lateNotes).toBeLessThan(8);
  });

  it('the MIDI clock follower: steps at their pulse for a flat model, ahead for an expressive one, and back', () => {
    const ft = new FakeTime(0);
    const clock = new MidiClockFollower(null, { now: ft.now, timers: ft.timers });
    const handed: (StepEvent & { at: number })[] = [];
    clock.onStep((e) => handed.push({ ...e, at: ft.t }));
    const playable = new Swappable(new Generator(drumGridSpec(2), { seed: 1 }));
    new Player(clock, playable, []);
    expect(clock.maxEarly).toBe(0);
    const send = sender(clock, ft);
    const a = pulses(1000, 120, 6 * 16);
    send([0xfa], 999);
    for (const m of a.messages) send(m.bytes, m.at);
    // each on its own pulse: handed out when it arrives
    for (const s of handed) expect(s.time).toBeCloseTo(s.at, 9);
    const flat = handed.length;
    playable.gen = new Generator(expressiveSpec(3), { seed: 1 });
    const b = pulses(a.end, 120, 6 * 16);
    for (const m of b.messages) send(m.bytes, m.at);
    expect(clock.maxEarly).toBe(0.5);
    const expressive = handed.length;
    for (const s of handed.slice(flat + 2)) expect(s.time - s.at).toBeGreaterThan(0.0625);
    playable.gen = new Generator(drumGridSpec(2), { seed: 1 });
    const c = pulses(b.end, 120, 6 * 16);
    for (const m of c.messages) send(m.bytes, m.at);
    expect(clock.maxEarly).toBe(0);
    for (const s of handed.slice(expressive + 2)) expect(s.time).toBeCloseTo(s.at, 9);
    expect(handed.map((s) => s.step)).toEqual(handed.map((_, i) => i));
    expect(handed.length).toBe(48);
  });

  it('the page: its clock follows each model it loads, and a new clock takes the model playing', async () => {
    const stage = new Stage({ onError: (e) => { throw e; } });
    const { ft, clock, handed, ahead } = internal();
    stage.useClock(Object.assign(clock, { kind: 'internal' as const, label: 'Internal', dispose: () => clock.stop() }));
    await stage.loadModel('expressive');
    clock.start();
    ft.advance(1);
    expect(clock.maxEarly).toBe(0.5);
    expect(Math.min(...ahead(1))).toBeGreaterThan(0.0625);
    await stage.loadModel('flat');
    const loaded = handed.length;
    ft.advance(1);
    expect(clock.maxEarly).toBe(0);
    expect(Math.max(...ahead(loaded + 3))).toBeLessThanOrEqual(clock.lookahead + 1e-9);
    // another clock, chosen with the flat model loaded, starts as late as it can
    const other = internal();
    stage.useClock(Object.assign(other.clock, { kind: 'internal' as const, label: 'Internal', dispose: () => other.clock.stop() }));
    expect(other.clock.maxEarly).toBe(0);
  });
});
