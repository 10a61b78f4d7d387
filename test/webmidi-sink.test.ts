// WebMidiSink through WEBMIDI.js in Node. WEBMIDI.js loads JZZ as its Web MIDI API there, and
// JZZ.addMidiOut / JZZ.addMidiIn register in-process ports that JZZ's requestMIDIAccess lists
// next to the system's, so a virtual port can record what the sink sends and when it arrives.
import JZZ from 'jzz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi, type Output } from 'webmidi';
import { listPorts, openInput, openOutput } from '../src/io/midi-ports.js';
import { WebMidiSink } from '../src/io/webmidi-sink.js';
import { everyOnHasItsOff, type Got } from './helpers/midi-notes.js';

/** JZZ's virtual-port calls, which its bundled typings leave out. */
const jzz = JZZ as unknown as {
  addMidiOut(name: string, widget: unknown): unknown;
  addMidiIn(name: string, widget: unknown): unknown;
  Widget(handlers?: { _receive?(msg: ArrayLike<number>): void }): unknown;
};

const OUT = 'pulse-rnn test out';
const OTHER = 'pulse-rnn test out B';
const IN = 'pulse-rnn test in';

const got: Got[] = [];
let output: Output;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Arrival can lag a timestamp by timer jitter; the training job sharing these 2 cores makes it worse. */
const LATE = 40;

const kind = (b: number[]) => (b[0] & 0xf0) === 0x90 && b[2] > 0 ? 'on' : (b[0] & 0xf0) === 0x80 || (b[0] & 0xf0) === 0x90 ? 'off' : b[0] >> 4 === 0xb && b[1] === 123 ? 'cc123' : 'other';

/** Plays the messages through a model synth and returns the keys left sounding (should be none), checking each note-off releases something. */
function stuck(msgs: readonly Got[]): string[] {
  const count = new Map<string, number>();
  for (const { bytes } of msgs) {
    const key = `${bytes[0] & 15}:${bytes[1]}`;
    const k = kind(bytes);
    if (k === 'on') count.set(key, (count.get(key) ?? 0) + 1);
    if (k === 'off') count.set(key, Math.max(0, (count.get(key) ?? 0) - 1));
  }
  return [...count].filter(([, n]) => n > 0).map(([k]) => k);
}


describe('WebMidiSink on a JZZ virtual port', () => {
  beforeAll(async () => {
    jzz.addMidiOut(OUT, jzz.Widget({ _receive: (msg: ArrayLike<number>) => got.push({ at: performance.now(), bytes: Array.from(msg) }) }));
    jzz.addMidiOut(OTHER, jzz.Widget({ _receive: () => {} }));
    jzz.addMidiIn(IN, jzz.Widget());
    output = await openOutput(OUT);
  });
  afterAll(async () => {
    await WebMidi.disable();
  });

  it('WEBMIDI.js lists the virtual ports', async () => {
    const ports = await listPorts();
    expect(ports.outputs).toEqual(expect.arrayContaining([OUT, OTHER]));
    expect(ports.inputs).toContain(IN);
    expect((await openInput('PULSE-RNN TEST IN')).name).toBe(IN);
  });

  it('unknown and ambiguous names fail with the ports that exist', async () => {
    await expect(openOutput('Nonexistent Synth')).rejects.toThrow(`no MIDI output named "Nonexistent Synth"; available outputs: "${OUT}", "${OTHER}"`);
    await expect(openOutput('pulse-rnn')).rejects.toThrow(/ambiguous: it matches "pulse-rnn test out", "pulse-rnn test out B"/);
    await expect(openInput('nope')).rejects.toThrow(`available inputs: "${IN}"`);
    expect((await openOutput('out b')).name).toBe(OTHER); // a unique part, any case
    expect((await openOutput(OUT)).name).toBe(OUT); // exact beats partial
  });

  it('notes arrive at their timestamps, each with its note-off', async () => {
    got.length = 0;
    const sink = new WebMidiSink(output);
    const t0 = performance.now() / 1000 + 0.08;
    const plan = [
      { note: 36, vel: 110, ch: 9, t: 0, d: 0.05 },
      { note: 42, vel: 70, ch: 9, t: 0.06, d: 0.03 },
      { note: 60, vel: 90, ch: 0, t: 0.1, d: 0.4 }, // note-off beyond the horizon: held, sent later
      { note: 38, vel: 100, ch: 9, t: 0.15, d: 0.05 },
    ];
    for (const p of plan) sink.noteOn(p.note, p.vel, p.ch, t0 + p.t, p.d);
    await sleep(700);
    const expected = plan
      .flatMap((p) => [
        { bytes: [0x90 | p.ch, p.note, p.vel], at: (t0 + p.t) * 1000 },
        { bytes: [0x80 | p.ch, p.note, 64], at: (t0 + p.t + p.d) * 1000 - 1 }, // sent 1 ms early
      ])
      .sort((a, b) => a.at - b.at);
    expect(got.map((g) => g.bytes)).toEqual(expected.map((e) => e.bytes));
    const lateness = got.map((g, i) => g.at - expected[i].at);
    console.info(`WebMidiSink via JZZ: arrival minus timestamp ${Math.min(...lateness).toFixed(2)}..${Math.max(...lateness).toFixed(2)} ms`);
    // JZZ turns a timestamp into a setTimeout, and Node's timers count whole milliseconds from a cached loop time
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(-1.5);
    expect(Math.max(...lateness)).toBeLessThan(LATE);
    expect(everyOnHasItsOff(got)).toBe(true);
    expect(sink.sounding).toBe(0);
    sink.close();
  });

  it('allNotesOff mid-note ends held, long and not-yet-started notes, then sends CC 123 on the channels used', async () => {
    got.length = 0;
    const sink = new WebMidiSink(output);
    const t0 = performance.now() / 1000 + 0.1;
    sink.noteOn(60, 100, 0, t0, Infinity); // held
    sink.noteOn(64, 100, 0, t0, 0.6); // long: its note-off is still held by the sink
    sink.noteOn(36, 100, 9, t0, 0.05); // short: over before the panic
    sink.noteOn(67, 100, 1, t0 + 0.35, 0.1); // already handed to the port, starts after the panic
    await sleep(40);
    const stop = t0 + 0.15; // still ahead: the call gives the time, as the Player does
    sink.allNotesOff(stop);
    await sleep(1000);
    expect(stuck(got)).toEqual([]);
    expect(everyOnHasItsOff(got)).toBe(true);
    const offs = got.filter((g) => kind(g.bytes) === 'off').map((g) => ({ key: g.bytes[1], at: g.at - stop * 1000 }));
    expect(offs.map((o) => o.key).sort()).toEqual([36, 60, 64, 67]); // one each: 64's original note-off never went out
    for (const o of offs.filter((o) => o.key === 60 || o.key === 64)) expect(Math.abs(o.at)).toBeLessThan(LATE);
    const cc = got.filter((g) => kind(g.bytes) === 'cc123');
    expect(cc.map((g) => g.bytes[0] & 15)).toEqual([0, 1, 9]);
    // 67 was never playable by then: its note-off follows its note-on at once
    const on67 = got.findIndex((g) => g.bytes[0] === 0x91 && g.bytes[1] === 67);
    expect(kind(got[on67 + 1].bytes)).toBe('off');
    expect(got[on67 + 1].bytes[1]).toBe(67);
    expect(sink.sounding).toBe(0);
    sink.close();
  });

  it('a re-struck key ends the note it interrupts, whose own later note-off is never sent', async () => {
    got.length = 0;
    const sink = new WebMidiSink(output);
    const t0 = performance.now() / 1000 + 0.05;
    sink.noteOn(62, 80, 0, t0, 0.5);
    sink.noteOn(62, 90, 0, t0 + 0.1, 0.1);
    await sleep(700);
    expect(got.map((g) => g.bytes)).toEqual([
      [0x90, 62, 80],
      [0x80, 62, 64],
      [0x90, 62, 90],
      [0x80, 62, 64],
    ]);
    expect(got[1].at).toBeLessThan(got[2].at + 0.5);
    expect(got[3].at - t0 * 1000).toBeGreaterThan(199 - 1);
    sink.close();
  });

  it('noteOff ends a held note; close ends what still sounds and refuses new notes', async () => {
    got.length = 0;
    const sink = new WebMidiSink(output);
    const t0 = performance.now() / 1000 + 0.03;
    sink.noteOn(48, 100, 2, t0, Infinity);
    sink.noteOn(50, 100, 2, t0, Infinity);
    sink.noteOff(48, 2, t0 + 0.05);
    await sleep(120);
    expect(sink.sounding).toBe(1);
    const closedAt = performance.now();
    sink.close();
    await sleep(20);
    expect(stuck(got)).toEqual([]);
    expect(everyOnHasItsOff(got)).toBe(true);
    const off50 = got.find((g) => g.bytes[0] === 0x82 && g.bytes[1] === 50)!;
    expect(off50.at - closedAt).toBeLessThan(LATE);
    expect(got.at(-1)!.bytes).toEqual([0xb2, 123, 0]);
    expect(() => sink.noteOn(60, 100, 0, t0, 0.1)).toThrow(/closed/);
    sink.allNotesOff(); // harmless after close
  });

  it('checks its arguments', () => {
    const sink = new WebMidiSink({ send: () => {} });
    expect(() => sink.noteOn(128, 100, 0, 0, 1)).toThrow(/note 128/);
    expect(() => sink.noteOn(60, 100, 16, 0, 1)).toThrow(/channel 16/);
    expect(() => sink.noteOn(60, 100, 0, Number.NaN, 1)).toThrow(/time NaN/);
    sink.close();
  });

  it('maps clock seconds to the port through toDeviceTime', () => {
    const sent: [number[], number | undefined][] = [];
    const sink = new WebMidiSink({ send: (m, o) => sent.push([m, o?.time]) }, { toDeviceTime: (s) => 5000 + s * 1000, releaseHorizon: Infinity, releaseLead: 0, schedule: 'port' });
    sink.noteOn(60, 0, 0, 1, 0.25); // velocity 0 would read as a note-off: sent as 1
    expect(sent).toEqual([
      [[0x90, 60, 1], 6000],
      [[0x80, 60, 64], 6250],
    ]);
    sink.close();
  });

  it("in Node, holds each message until it is due and sends it then; a port that throws is reported, never thrown", async () => {
    const sent: { bytes: number[]; at: number; time: number | undefined }[] = [];
    let broken = false;
    const errors: unknown[] = [];
    const port = {
      send: (m: number[], o?: { time?: number }) => {
        if (broken) throw new Error('Port is not connected');
        sent.push({ bytes: m, at: performance.now(), time: o?.time });
      },
    };
    const sink = new WebMidiSink(port, { onError: (e) => errors.push(e) });
    const t = performance.now() / 1000;
    sink.noteOn(36, 100, 9, t + 0.03, 0.02);
    sink.noteOn(38, 100, 9, t + 0.03, 0.5);
    expect(sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    // both note-ons at their time, untimed, in the order given; the kick's note-off after them
    expect(sent.map((m) => m.bytes)).toEqual([
      [0x99, 36, 100],
      [0x99, 38, 100],
      [0x89, 36, 64],
    ]);
    for (const m of sent) expect(m.time).toBeUndefined();
    expect(sent[0].at).toBeGreaterThanOrEqual((t + 0.03) * 1000 - 1);
    // the port goes away: later sends fail into onError; close still tries to release the snare
    broken = true;
    sink.noteOn(42, 90, 9, performance.now() / 1000 + 0.01, 0.1);
    await new Promise((r) => setTimeout(r, 40));
    expect(() => sink.close()).not.toThrow();
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(String(errors[0])).toMatch(/not connected/);
  });
});

describe('WebMidiSink timestamps for early hits', () => {
  it('sends each note-on stamped with the time it is given, before its step or after, in the order given', () => {
    const sent: { bytes: number[]; time?: number }[] = [];
    const sink = new WebMidiSink({ send: (bytes, o) => sent.push({ bytes, time: o?.time }) }, { schedule: 'port', releaseHorizon: 10 });
    const t = performance.now() / 1000 + 0.5;
    const step = 0.125;
    // two steps of a kick half a step early, a snare a tenth early and a hat 0.3 late
    for (const k of [0, 1]) {
      sink.noteOn(36, 30, 9, t + k * step - 0.5 * step, 0.1);
      sink.noteOn(38, 70, 9, t + k * step - 0.1 * step, 0.1);
      sink.noteOn(42, 110, 9, t + k * step + 0.3 * step, 0.1);
    }
    const ons = sent.filter((m) => (m.bytes[0] & 0xf0) === 0x90 && m.bytes[2] > 0);
    expect(ons.map((m) => [m.bytes[1], m.bytes[2]])).toEqual([
      [36, 30],
      [38, 70],
      [42, 110],
      [36, 30],
      [38, 70],
      [42, 110],
    ]);
    const want = [0, 1].flatMap((k) => [-0.5, -0.1, 0.3].map((o) => (t + k * step + o * step) * 1000));
    ons.forEach((m, i) => expect(m.time).toBeCloseTo(want[i], 6));
    sink.close();
  });
});
