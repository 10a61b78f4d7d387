// The Player: a real Generator on a real clock, into sinks. First with a fake time source and
// a sink that writes down its calls (exact times), then in real time into a WEBMIDI.js output
// (JZZ virtual port) through WebMidiSink, with the internal clock and with the MIDI clock
// follower, checking that every note-on gets its note-off whatever the transport does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi, type Output } from 'webmidi';
import { WebMidiSink } from '../src/io/webmidi-sink.js';
import type { ModelSpec } from '../src/engine/model.js';
import type { NoteSink } from '../src/io/sink.js';
import { Generator, copyStep, type StepCopy } from '../src/music/generator.js';
import type { StepEvent, TransportEvent } from '../src/time/clock.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { MidiClockFollower } from '../src/time/midi-clock-follower.js';
import { Player, type Playable } from '../src/time/player.js';
import { FakeTime } from './helpers/fake-time.js';
import { ClockSource, pulses } from './helpers/midi-clock-source.js';
import { drumGridSpec, howlSpec, melodySpec } from './helpers/models.js';
import { isOff, isOn, openTestPorts, pair, type Got } from './helpers/midi-notes.js';

type Call =
  | { kind: 'on'; note: number; velocity: number; channel: number; time: number; duration: number }
  | { kind: 'off'; note: number; channel: number; time: number }
  | { kind: 'all'; time: number | undefined }
  | { kind: 'tempo'; bpm: number; time: number };

/** A NoteSink that writes down what it is asked to do. */
class Notebook implements NoteSink {
  calls: Call[] = [];
  noteOn(note: number, velocity: number, channel: number, time: number, duration: number) {
    this.calls.push({ kind: 'on', note, velocity, channel, time, duration });
  }
  noteOff(note: number, channel: number, time: number) {
    this.calls.push({ kind: 'off', note, channel, time });
  }
  allNotesOff(time?: number) {
    this.calls.push({ kind: 'all', time });
  }
  tempo(bpm: number, time: number) {
    this.calls.push({ kind: 'tempo', bpm, time });
  }
  of<K extends Call['kind']>(kind: K): Extract<Call, { kind: K }>[] {
    return this.calls.filter((c): c is Extract<Call, { kind: K }> => c.kind === kind);
  }
}

function fakeSetup(gen: Playable, bpm = 120, sinks: NoteSink[] = [new Notebook()]) {
  const ft = new FakeTime(0);
  const clock = new InternalClock({ bpm, now: ft.now, timers: ft.timers });
  const steps: StepEvent[] = [];
  clock.onStep((e) => steps.push({ ...e }));
  const player = new Player(clock, gen, sinks);
  return { ft, clock, steps, player, book: sinks[0] as Notebook };
}

/** What the same generator plays when ticked on its own. */
const offline = (spec: ModelSpec, seed: number, n: number): StepCopy[] => {
  const g = new Generator(spec, { seed });
  return Array.from({ length: n }, () => copyStep(g.tick()));
};

describe('Player, on a fake clock', () => {
  it('plays the generator’s notes at the step times, a step × gate long', () => {
    const spec = drumGridSpec(3);
    const { ft, clock, steps, book } = fakeSetup(new Generator(spec, { seed: 4 }));
    clock.start();
    ft.advance(4);
    clock.stop();
    const expected = offline(spec, 4, steps.length);
    const want = expected.flatMap((s, i) => s.notes.map((n) => ({ kind: 'on', note: n.note, velocity: n.velocity, channel: n.channel, time: steps[i].time, duration: 0.125 * 0.9 })));
    const ons = book.of('on');
    expect(ons.length).toBeGreaterThan(20);
    expect(ons.map((c) => ({ ...c, time: +c.time.toFixed(9), duration: +c.duration.toFixed(9) }))).toEqual(want.map((c) => ({ ...c, time: +c.time.toFixed(9), duration: +c.duration.toFixed(9) })));
    // stop: silence at the stop time, after the last note-on
    const all = book.of('all');
    expect(all).toHaveLength(1);
    expect(all[0].time).toBeGreaterThanOrEqual(ons[ons.length - 1].time);
  });

  it('event models: each note at its offset within the step; lengths in steps', () => {
    const spec = howlSpec(2);
    const { ft, clock, steps, book } = fakeSetup(new Generator(spec, { seed: 2 }), 100);
    clock.start();
    ft.advance(6);
    clock.stop();
    const expected = offline(spec, 2, steps.length);
    const want = expected.flatMap((s, i) => s.notes.map((n) => [n.note, steps[i].time + n.offset * steps[i].stepDuration, n.length * steps[i].stepDuration * 0.9]));
    const got = book.of('on').map((c) => [c.note, c.time, c.duration]);
    expect(got.length).toBe(want.length);
    expect(want.some((w) => (w[1] - steps[0].time) % 0.15 > 1e-6)).toBe(true); // some off the grid
    got.forEach((g, i) => {
      expect(g[0]).toBe(want[i][0]);
      expect(g[1]).toBeCloseTo(want[i][1], 9);
      expect(g[2]).toBeCloseTo(want[i][2], 9);
    });
  });

  it('held melody notes stay held (Infinity) until their release; pause and mute silence every sink', () => {
    const gen = new Generator(melodySpec(4), { seed: 4 });
    const other = new Notebook();
    const { ft, clock, steps, book } = fakeSetup(gen, 120, [new Notebook(), other]);
    clock.start();
    ft.advance(2);
    expect(book.of('on').some((c) => c.duration === Infinity)).toBe(true);
    const offs = book.of('off');
    expect(offs.length).toBeGreaterThan(0);
    offs.forEach((o) => expect(steps.some((s) => Math.abs(s.time - o.time) < 1e-9)).toBe(true));

    gen.pause();
    ft.advance(0.5);
    const pausedAt = steps.find((s) => book.calls.some((c) => c.kind === 'all' && Math.abs((c.time ?? -1) - s.time) < 1e-9));
    expect(pausedAt).toBeDefined();
    const onsPaused = book.of('on').filter((c) => c.time >= pausedAt!.time);
    expect(onsPaused).toEqual([]);
    expect(book.of('all')).toHaveLength(1);
    gen.resume();
    ft.advance(1);
    gen.mute();
    ft.advance(0.5);
    expect(book.of('all')).toHaveLength(2);
    const mutedAt = book.of('all')[1].time!;
    expect(book.of('on').filter((c) => c.time >= mutedAt)).toEqual([]);
    gen.unmute();
    ft.advance(0.5);
    clock.stop();
    expect(book.of('all')).toHaveLength(3);
    expect(other.calls).toEqual(book.calls); // every sink gets the same
    // no note left sounding: every Infinity note is released or silenced after it began
    const lastAll = book.of('all')[2].time!;
    for (const on of book.of('on')) expect(on.time).toBeLessThanOrEqual(lastAll);
  });

  it('the generator follows the clock’s jumps: locate, start from the top', () => {
    const gen = new Generator(drumGridSpec(1), { seed: 1 });
    const played: number[] = [];
    const tick = gen.tick.bind(gen);
    gen.tick = () => {
      const r = tick();
      played.push(r.step);
      return r;
    };
    const { ft, clock } = fakeSetup(gen);
    clock.start();
    ft.advance(0.5);
    clock.locate(32);
    ft.advance(0.5);
    clock.stop();
    clock.start();
    ft.advance(0.4);
    clock.stop();
    const jump = played.indexOf(32);
    expect(jump).toBeGreaterThan(0);
    expect(played.slice(0, jump)).toEqual(Array.from({ length: jump }, (_, i) => i));
    const top = played.lastIndexOf(0);
    expect(top).toBeGreaterThan(jump);
    expect(played.slice(jump, top)).toEqual(Array.from({ length: top - jump }, (_, i) => 32 + i));
    expect(played.slice(top)).toEqual(Array.from({ length: played.length - top }, (_, i) => i));
    expect(gen.log.entries.filter((e) => e.control.type === 'locate').map((e) => (e.control as { step: number }).step)).toEqual([32, 0]);
  });

  it('forwards tempo to sinks that take it; panic silences now; a throwing sink does not stop the others', () => {
    const errors: unknown[] = [];
    const ft = new FakeTime(0);
    const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
    const book = new Notebook();
    const bad: NoteSink = {
      noteOn() {
        throw new Error('unplugged');
      },
      noteOff() {},
      allNotesOff() {},
    };
    const player = new Player(clock, new Generator(drumGridSpec(3), { seed: 4 }), [bad, book], { onError: (e) => errors.push(e) });
    clock.start();
    clock.setTempo(140, 48);
    ft.advance(1);
    // pulse 48 is a second after the start, which is a lookahead from now (a flat drum model
    // plays nothing early, so the Player has the clock hand steps out no sooner)
    expect(book.of('tempo')).toEqual([{ kind: 'tempo', bpm: 140, time: expect.closeTo(0.1 + 1, 9) }]);
    expect(book.of('on').length).toBeGreaterThan(0);
    expect(errors.length).toBe(book.of('on').length);
    player.panic();
    const all = book.of('all');
    expect(all[0].time).toBe(ft.t);
    expect(all[all.length - 1].time).toBeGreaterThanOrEqual(book.of('on').at(-1)!.time);
    player.dispose();
    const n = book.calls.length;
    ft.advance(1);
    expect(book.calls.length).toBe(n); // no longer listening
    clock.stop();
  });

  it('a tempo change applies to the step in progress: 1 BPM then 120 a second later neither waits 15 s nor holds a 13 s note', () => {
    const gen = new Generator(drumGridSpec(3), { seed: 4 });
    gen.edit(Array.from({ length: 400 }, (_, i) => i), ['kick']); // a kick on every step, to follow
    const { ft, clock, steps, book } = fakeSetup(gen);
    clock.start();
    ft.advance(1);
    clock.setTempo(1);
    while (steps.at(-1)!.bpm !== 1) ft.advance(0.5); // a step handed out at 1 BPM: 15 s long
    const slow = steps.at(-1)!;
    expect(slow.stepDuration).toBeCloseTo(15, 6);
    const slowOn = book.of('on').at(-1)!;
    expect(slowOn.time).toBe(slow.time);
    ft.advance(1);
    const change = ft.t;
    clock.setTempo(120);
    ft.advance(1);
    const next = steps[steps.indexOf(slow) + 1];
    // the step in progress ends at the new tempo: the next one comes within a step of 120 BPM
    expect(next.time - change).toBeGreaterThanOrEqual(0);
    expect(next.time - change).toBeLessThanOrEqual(0.125 + 1e-9);
    // and the note of the slow step ends with it, not 13.5 s after it began
    const offs = book.of('off').filter((o) => o.note === slowOn.note && o.time >= slowOn.time);
    expect(offs.length).toBeGreaterThan(0);
    expect(Math.min(...offs.map((o) => o.time))).toBeLessThanOrEqual(change + 0.125);
    // steps go on at 120 BPM
    const after = steps.slice(steps.indexOf(next));
    expect(after.length).toBeGreaterThan(4);
    for (let i = 1; i < after.length; i++) expect(after[i].time - after[i - 1].time).toBeCloseTo(0.125, 9);
    clock.stop();
  });

  it('plays a generator without locate (guarded)', () => {
    const gen = new Generator(drumGridSpec(3), { seed: 4 });
    const plain: Playable = { tick: () => gen.tick(), get step() { return gen.step; } };
    const { ft, clock, book } = fakeSetup(plain);
    clock.locate(8);
    clock.continue();
    ft.advance(1);
    clock.stop();
    expect(book.of('on').length).toBeGreaterThan(0);
  });

  it('checks the gate', () => {
    const clock = new InternalClock({ bpm: 120 });
    expect(() => new Player(clock, new Generator(drumGridSpec(3)), [], { gate: 0 })).toThrow(RangeError);
  });
});

// ---- real time, real ports ---------------------------------------------------------------

const SINK = 'pulse-rnn player test sink';
const SRC = 'pulse-rnn player test clock';

const got: Got[] = [];
let output: Output;
let source: ClockSource;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe('Player into a WEBMIDI.js port', () => {
  beforeAll(async () => {
    ({ output, source } = await openTestPorts(SINK, SRC, got));
  });
  afterAll(async () => {
    await WebMidi.disable();
  });

  it('internal clock: every note-on has its note-off after stop, pause and mute; arrivals in order', async () => {
    got.length = 0;
    const gen = new Generator(melodySpec(4), { seed: 4 });
    const clock = new InternalClock({ bpm: 300, lookahead: 0.06 });
    const sink = new WebMidiSink(output);
    const player = new Player(clock, gen, [sink]);
    const scheduled: number[] = [];
    clock.onStep((e) => scheduled.push(e.time));
    clock.start();
    await sleep(400);
    gen.pause();
    await sleep(150);
    gen.resume();
    await sleep(200);
    gen.mute();
    await sleep(100);
    gen.unmute();
    await sleep(200);
    clock.stop();
    await sleep(350); // scheduled messages and held-back note-offs land
    player.dispose();

    const notes = got.filter((m) => isOn(m.bytes) || isOff(m.bytes));
    const { unpaired, pairs } = pair(notes);
    expect(pairs.length).toBeGreaterThan(5);
    expect(unpaired).toEqual([]);
    for (const [on, off] of pairs) expect(off.at).toBeGreaterThanOrEqual(on.at);
    for (let i = 1; i < got.length; i++) expect(got[i].at).toBeGreaterThanOrEqual(got[i - 1].at);
    // note-ons land at step times (arrival lags a timestamp by timer jitter only)
    for (const m of got.filter((x) => isOn(x.bytes))) {
      const nearest = Math.min(...scheduled.map((t) => Math.abs(m.at - t * 1000)));
      expect(nearest).toBeLessThan(40);
    }
    expect(sink.sounding).toBe(0);
  });

  it('MIDI clock follower: a dropout and a stop leave nothing sounding', async () => {
    got.length = 0;
    const input = WebMidi.getInputByName(SRC)!;
    const clock = new MidiClockFollower(input);
    const transport: TransportEvent[] = [];
    clock.onTransport((e) => transport.push(e));
    const gen = new Generator(drumGridSpec(3, 1.5), { seed: 6, density: 2 });
    const sink = new WebMidiSink(output);
    const player = new Player(clock, gen, [sink]);
    const t0 = performance.now() + 10;
    const a = pulses(t0 + 1, 240, 48);
    const b = pulses(a.end + 350, 240, 36);
    await source.play([{ at: t0, bytes: [0xfa] }, ...a.messages, ...b.messages, { at: b.end, bytes: [0xfc] }]);
    await sleep(250);
    player.dispose();
    clock.dispose();

    expect(transport.filter((e) => e.type !== 'tempo').map((e) => e.type)).toEqual(['start', 'dropout', 'stop']);
    const notes = got.filter((m) => isOn(m.bytes) || isOff(m.bytes));
    const { unpaired, pairs } = pair(notes);
    expect(pairs.length).toBeGreaterThan(5);
    expect(unpaired).toEqual([]);
    // nothing starts in the silence
    const quiet = got.filter((m) => isOn(m.bytes) && m.at > a.end + 5 && m.at < b.messages[0].at - 1);
    expect(quiet).toEqual([]);
    for (let i = 1; i < got.length; i++) expect(got[i].at).toBeGreaterThanOrEqual(got[i - 1].at);
    expect(sink.sounding).toBe(0);
  });
});
