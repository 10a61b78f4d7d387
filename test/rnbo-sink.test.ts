// The RNBO loader's checks and the RnboSink's messages, in Node with a stand-in runtime and
// device (the real ones need a browser: test/browser-audio.test.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkRnboPatcher, loadRnboDevice, readRnboPatcher, versionWarning, type RnboDevice, type RnboPatcher, type RnboRuntime } from '../src/io/rnbo-device.js';
import { RnboSink } from '../src/io/rnbo-sink.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { Player } from '../src/time/player.js';
import { FakeTime } from './helpers/fake-time.js';

class MIDIEvent {
  constructor(
    readonly time: number,
    readonly port: number,
    readonly data: number[],
  ) {}
}
class TempoEvent {
  constructor(
    readonly time: number,
    readonly tempo: number,
  ) {}
}

const patcher = (rnboversion = '1.4.1') => ({ desc: { meta: { rnboversion }, numMidiInputPorts: 1 }, presets: [], src: [{ type: 'wasm', code: 'AA==', encoding: 'base64' }] }) as unknown as RnboPatcher;

function fakeDevice() {
  const events: (MIDIEvent | TempoEvent)[] = [];
  let presets = 0;
  const device = {
    context: { currentTime: 0 },
    scheduleEvent: (e: MIDIEvent | TempoEvent) => events.push(e),
    getPreset: async () => {
      presets++;
      return {};
    },
  };
  return { device: device as unknown as RnboDevice, events, presets: () => presets };
}

function fakeRuntime(version = '1.4.1') {
  const created: unknown[] = [];
  const { device } = fakeDevice();
  const rnbo = {
    version,
    MIDIEvent,
    TempoEvent,
    createDevice: async (p: unknown) => {
      created.push(p);
      return device;
    },
  } as unknown as RnboRuntime;
  return { rnbo, created };
}

const context = { audioWorklet: {} } as unknown as BaseAudioContext;

describe('loading an RNBO export', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('rejects JSON that is not an RNBO export, naming what it found', async () => {
    expect(() => checkRnboPatcher({ modelTopology: {}, format: 'layers-model' }, 'model.json')).toThrow(/model\.json is not an RNBO export: no "desc" or "src" .*it has "modelTopology", "format"/);
    expect(() => checkRnboPatcher({ desc: {}, src: [] }, 'x.json')).toThrow(/"src" must be a non-empty list/);
    expect(() => checkRnboPatcher([1, 2], 'y.json')).toThrow(/not a JSON object/);
    const fetch404 = (async () => new Response('nope', { status: 404, statusText: 'Not Found' })) as typeof fetch;
    await expect(readRnboPatcher('/export/patch.export.json', fetch404)).rejects.toThrow('cannot fetch the RNBO export /export/patch.export.json: HTTP 404 Not Found');
    const fetchHtml = (async () => new Response('<!doctype html>')) as typeof fetch;
    await expect(readRnboPatcher('/p.json', fetchHtml)).rejects.toThrow(/\/p\.json is not an RNBO export: not JSON/);
  });

  it('turns a version mismatch into a warning the caller gets back', async () => {
    expect(versionWarning(patcher('1.4.1'), '1.4.1')).toBeNull();
    vi.stubGlobal('isSecureContext', true);
    vi.stubGlobal('AudioWorkletNode', class {});
    const { rnbo, created } = fakeRuntime('1.4.1');
    const loaded = await loadRnboDevice(context, patcher('1.2.3'), { rnbo });
    expect(loaded.type).toBe('worklet');
    expect(loaded.warnings).toEqual(['the patcher object was exported with RNBO 1.2.3 but the runtime is @rnbo/js 1.4.1; the device may misbehave. Re-export with RNBO 1.4.1 or install "@rnbo/js": "1.2.3" (exactly that version).']);
    expect(created[0]).toMatchObject({ context, type: 'worklet' });
  });

  it('without AudioWorklet: an error that says why and how, or the ScriptProcessor fallback with a warning', async () => {
    const { rnbo } = fakeRuntime();
    // Node has no AudioWorkletNode and is not a secure context
    await expect(loadRnboDevice(context, patcher(), { rnbo })).rejects.toThrow(/AudioWorklet is not available here \(it needs a secure context: https, localhost or 127\.0\.0\.1.*allowScriptProcessor: true/);
    const loaded = await loadRnboDevice(context, patcher(), { rnbo, allowScriptProcessor: true });
    expect(loaded.type).toBe('script');
    expect(loaded.warnings[0]).toMatch(/ScriptProcessor device, which plays events one render quantum \(128 samples\) off/);
  });

  it('says how to get the runtime when there is none', async () => {
    await expect(loadRnboDevice(context, patcher())).rejects.toThrow(/no @rnbo\/js runtime: load rnbo\.webaudio\.js/);
    expect(() => new RnboSink(fakeDevice().device)).toThrow(/no @rnbo\/js runtime/);
  });

  it('wraps errors from createDevice with the export they came from', async () => {
    vi.stubGlobal('isSecureContext', true);
    vi.stubGlobal('AudioWorkletNode', class {});
    const rnbo = { ...fakeRuntime().rnbo, createDevice: async () => Promise.reject(new Error('Incompatible browser.')) } as RnboRuntime;
    await expect(loadRnboDevice(context, patcher(), { rnbo })).rejects.toThrow('cannot create the RNBO device from the patcher object: Incompatible browser.');
  });
});

describe('RnboSink', () => {
  const rnbo = { MIDIEvent, TempoEvent } as unknown as RnboRuntime;
  const plain = (events: (MIDIEvent | TempoEvent)[]) => events.map((e) => ('data' in e ? [e.time, e.port, ...e.data] : ['tempo', e.time, e.tempo]));

  it('schedules note-on and note-off MIDIEvents at context milliseconds, and tempo when asked', async () => {
    const { device, events, presets } = fakeDevice();
    const sink = new RnboSink(device, { rnbo, port: 1, transport: true });
    sink.tempo(96, 0.5);
    sink.noteOn(60, 100, 0, 1, 0.5);
    sink.noteOn(38, 90, 9, 1.25, 0.1);
    await sink.flush();
    expect(presets()).toBe(1);
    expect(plain(events)).toEqual([
      ['tempo', 500, 96],
      [1000, 1, 0x90, 60, 100],
      [1500, 1, 0x80, 60, 64],
      [1250, 1, 0x99, 38, 90],
      [1350, 1, 0x89, 38, 64],
    ]);
    const quiet = fakeDevice();
    new RnboSink(quiet.device, { rnbo }).tempo(120, 0); // transport off by default
    expect(quiet.events).toEqual([]);
  });

  it('allNotesOff: held and sounding notes end at its time, later ones as they start, then CC 123 per channel', () => {
    const { device, events } = fakeDevice();
    const sink = new RnboSink(device, { rnbo });
    sink.noteOn(60, 100, 0, 1, Infinity);
    sink.noteOn(64, 100, 2, 1, 5);
    sink.noteOn(67, 100, 0, 3, 0.5);
    events.length = 0;
    sink.allNotesOff(2);
    expect(plain(events)).toEqual([
      [2000, 0, 0x80, 60, 64],
      [2000, 0, 0x82, 64, 64],
      [3000, 0, 0x80, 67, 64], // at its own start: the device keeps equal times in order, so it never sounds
      [2000, 0, 0xb0, 123, 0],
      [2000, 0, 0xb2, 123, 0],
    ]);
    expect(sink.sounding).toBe(0);
  });

  it('noteOff ends a held note; a re-struck key ends the note before; close ends the rest', () => {
    const { device, events } = fakeDevice();
    const sink = new RnboSink(device, { rnbo, allNotesOffCC: false });
    sink.noteOn(60, 100, 0, 1, Infinity);
    sink.noteOff(60, 0, 1.5);
    sink.noteOn(62, 100, 0, 2, Infinity);
    sink.noteOn(62, 110, 0, 2.5, Infinity);
    (device.context as { currentTime: number }).currentTime = 3;
    sink.close();
    expect(plain(events)).toEqual([
      [1000, 0, 0x90, 60, 100],
      [1500, 0, 0x80, 60, 64],
      [2000, 0, 0x90, 62, 100],
      [2500, 0, 0x80, 62, 64],
      [2500, 0, 0x90, 62, 110],
      [3000, 0, 0x80, 62, 64], // close, at context time 3 s
    ]);
    expect(() => sink.noteOn(60, 100, 0, 3, 1)).toThrow(/closed/);
  });
});

describe('RnboSink behind a Player: early hits', () => {
  it('schedules each hit at its own time, half a step and a tenth before its step and 0.3 after, with its velocity', () => {
    const ft = new FakeTime(10);
    const { device, events } = fakeDevice();
    Object.defineProperty(device.context, 'currentTime', { get: () => ft.t });
    const sink = new RnboSink(device, { rnbo: { MIDIEvent, TempoEvent } as never });
    const clock = new InternalClock({ bpm: 60, now: ft.now, timers: ft.timers });
    const steps: { time: number; stepDuration: number }[] = [];
    clock.onStep((e) => steps.push({ ...e }));
    const hits: [number, number, number][] = [
      [36, -0.5, 30],
      [38, -0.1, 70],
      [42, 0.3, 110],
    ];
    let step = 0;
    const gen = {
      get step() {
        return step;
      },
      tick: () => ({ step: step++, tick: step, count: 3, notes: hits.map(([note, offset, velocity]) => ({ note, velocity, channel: 9, length: 1, offset })), releaseCount: 0, releases: [], paused: false, muted: false }),
    };
    const player = new Player(clock, gen, [sink]);
    clock.start();
    ft.advance(3);
    clock.stop();
    const ons = (events as MIDIEvent[]).filter((e) => e.data && (e.data[0] & 0xf0) === 0x90 && e.data[2] > 0);
    expect(ons).toHaveLength(steps.length * 3);
    ons.forEach((e, i) => {
      const s = steps[Math.floor(i / 3)];
      const [note, offset, velocity] = hits[i % 3];
      expect(e.data).toEqual([0x99, note, velocity]);
      expect(e.time).toBeCloseTo((s.time + offset * s.stepDuration) * 1000, 6);
    });
    expect(player.lateNotes).toBe(0);
  });
});
