// The MIDI clock follower at the edges: a clock at 5 BPM, one slowing down to it, a flood of
// SysEx between pulses that holds up the event loop, timestamps that are not numbers. First
// through `receive` on a fake time source (exact), then through a real WEBMIDI.js input on a
// JZZ virtual port, where the flood really passes through JZZ and WEBMIDI.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi, type Input } from 'webmidi';
import { MidiClockFollower, type MidiClockFollowerOptions } from '../src/time/midi-clock-follower.js';
import { FakeTime } from './helpers/fake-time.js';
import { AT_PULSE, ClockSource, pulses, record, sender, type Timed } from './helpers/midi-clock-source.js';

function follow(options: MidiClockFollowerOptions = {}, input: Input | null = null) {
  const ft = new FakeTime(0);
  const errors: string[] = [];
  const clock = new MidiClockFollower(input, { ...AT_PULSE, onError: (e) => errors.push((e as Error).message), ...(input ? {} : { now: ft.now, timers: ft.timers }), ...options });
  return { ft, clock, errors, send: sender(clock, ft), ...record(clock) };
}

describe('MidiClockFollower at the edges (fake time)', () => {
  it('locks to a 5 BPM clock: no pulse is a dropout, every step goes out, the tempo is 5', () => {
    const { clock, steps, send, types } = follow();
    send([0xfa], 0);
    for (let i = 0; i < 60; i++) send([0xf8], 10 + i * 500); // 5 BPM: 0.5 s a pulse
    expect(types()).toEqual(['start']);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(clock.locked).toBe(true);
    expect(clock.bpm).toBeCloseTo(5, 6);
    expect(steps.at(-1)!.stepDuration).toBeCloseTo(3, 6);
    expect(clock.state).toBe('running');
  });

  it('a 5 BPM clock that then stops is a dropout after 3 of its periods', () => {
    const { ft, clock, send, types } = follow();
    send([0xfa], 0);
    for (let i = 0; i < 30; i++) send([0xf8], 10 + i * 500);
    ft.advance(1.4);
    expect(clock.state).toBe('running'); // 1.4 s < 1.5 s
    ft.advance(0.2);
    expect(types()).toEqual(['start', 'dropout']);
  });

  it.each([1.06, 1.3])('a clock slowing down from 160 to 3 BPM, each pulse %s× the one before, is followed, never dropped', (factor) => {
    const { clock, steps, send, types } = follow();
    send([0xfa], 0);
    let t = 10;
    let period = 60000 / 160 / 24;
    let n = 0;
    while (period < 60000 / 3 / 24) {
      send([0xf8], t);
      t += period;
      period *= factor;
      n++;
    }
    expect(types()).toEqual(['start']);
    expect(steps).toHaveLength(Math.ceil(n / 6));
    expect(clock.bpm).toBeLessThan(10);
  });

  it('a pulse stamped NaN or Infinity is refused (reported once); other messages with one are taken at now()', () => {
    const { ft, clock, steps, send, errors, types, transport } = follow();
    send([0xfa], 0);
    for (let i = 0; i < 48; i++) {
      send([0xf8], 10 + i * 20.8);
      if (i % 5 === 0) clock.receive([0xf8], i % 2 ? Number.NaN : Number.POSITIVE_INFINITY);
    }
    expect(steps).toHaveLength(8);
    for (const s of steps) {
      expect(Number.isFinite(s.time)).toBe(true);
      expect(Number.isFinite(s.stepDuration)).toBe(true);
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^MIDI clock: a message stamped (NaN|Infinity) ms was refused; timestamps must be finite milliseconds/);
    clock.receive([0xfc], Number.NaN); // a stop still stops, at now()
    expect(types()).toEqual(['start', 'stop']);
    expect(clock.state).toBe('stopped');
    expect(transport.at(-1)).toEqual({ type: 'stop', time: ft.t });
    expect(errors).toHaveLength(1);
  });

  it('a gap the follower could not watch (its timer held up as long: a blocked event loop) is not a dropout', () => {
    const { ft, clock, steps, send, types } = follow();
    send([0xfa], 0);
    for (let i = 0; i < 30; i++) send([0xf8], 10 + i * 20.8);
    // the event loop is blocked for 0.6 s: time passes, no timer fires; the held-up pulses then come at once
    ft.t += 0.6;
    const late = ft.t * 1000;
    for (let i = 0; i < 24; i++) clock.receive([0xf8], late + i * 0.01);
    for (let i = 0; i < 24; i++) send([0xf8], late + 5 + i * 20.8);
    expect(types()).toEqual(['start']);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 13 }, (_, i) => i)); // every pulse counted
    expect(Math.abs(clock.bpm - 120)).toBeLessThan(1);
    // and a real silence, watched, still is one
    ft.advance(0.3);
    expect(types()).toEqual(['start', 'dropout']);
  });
});

describe('MidiClockFollower on a WEBMIDI.js input (JZZ virtual port)', () => {
  const SRC = 'pulse-rnn extreme clock source';
  let source: ClockSource;
  let input: Input;
  beforeAll(async () => {
    source = new ClockSource(SRC);
    await WebMidi.enable();
    input = WebMidi.getInputByName(SRC)!;
    expect(input).toBeTruthy();
  });
  afterAll(async () => {
    await WebMidi.disable();
  });

  it('a flood of SysEx between pulses (20 × 64 KB per two) is not a dropout; every pulse is counted; the input never sees the SysEx', async () => {
    const { clock, steps, types } = follow({}, input);
    let sysex = 0;
    const count = (e: { message: { rawData: Uint8Array } }) => e.message.rawData[0] === 0xf0 && sysex++;
    input.addListener('midimessage', count);
    const big = [0xf0, ...new Array(64 * 1024 - 2).fill(0x11), 0xf7];
    const t0 = performance.now() + 20;
    const p = pulses(t0, 120, 12);
    const messages: Timed[] = [{ at: t0 - 5, bytes: [0xfa] }];
    p.messages.forEach((m, i) => {
      messages.push(m);
      if (i % 2 === 0 && i < p.messages.length - 1) for (let k = 0; k < 20; k++) messages.push({ at: m.at + 1, bytes: big });
    });
    await source.play(messages);
    input.removeListener('midimessage', count);
    clock.dispose();
    expect(types()).toEqual(['start']);
    expect(steps.map((s) => s.step)).toEqual([0, 1]);
    expect(sysex).toBe(0); // opened without SysEx: WEBMIDI.js is never handed one
  }, 120_000);

  it('locks to a 5 BPM clock through the port', async () => {
    const { clock, steps, types } = follow({}, input);
    const t0 = performance.now() + 20;
    const p = pulses(t0, 5, 8);
    await source.play([{ at: t0 - 5, bytes: [0xfa] }, ...p.messages]);
    clock.dispose();
    expect(types()).toEqual(['start']);
    expect(steps.map((s) => s.step)).toEqual([0, 1]);
    expect(clock.bpm).toBeGreaterThan(4.5);
    expect(clock.bpm).toBeLessThan(5.5);
  }, 30_000);
});
