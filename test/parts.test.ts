// Several parts in one live performance, in real time on a JZZ virtual MIDI port: drums and a
// melodic part on one clock, each on its channel, steered at the prompt by name, recorded and
// replayed note for note, stored and recalled together. Assertions are on what arrived and in
// which order, never on how long anything took.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi, type Output } from 'webmidi';
import type { ModelSpec } from '../src/engine/model.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { replayToMidi, replayToPort } from '../src/hosts/replay.js';
import { runReplay } from '../src/hosts/play.js';
import { performanceParts } from '../src/hosts/part-flags.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { readMidi } from '../src/io/midi-read.js';
import { WebMidiSink } from '../src/io/webmidi-sink.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { steps } from './helpers/clock-steps.js';
import { drumGridSpec, melodySpec } from './helpers/models.js';
import { everyOnHasItsOff, isOn, openTestPorts, type Got } from './helpers/midi-notes.js';
import { typedPrompt } from './helpers/typed-prompt.js';

const OUT = 'pulse-rnn parts test out';
const got: Got[] = [];
let output: Output;
const tmp = mkdtempSync(join(tmpdir(), 'pulse-parts-'));

/** A melody model that steps once a quarter: four bars of it are four of the drums' 16ths a step. */
const quarterSpec = (seed: number): ModelSpec => {
  const s = melodySpec(seed);
  return { ...s, meta: { ...s.meta, stepsPerQuarter: 1 } };
};

function twoParts(keys: ModelSpec, extra: Partial<ConstructorParameters<typeof LiveSession>[0]> = {}) {
  const lines: string[] = [];
  const clock = new InternalClock({ bpm: 480 });
  const sink = new WebMidiSink(output);
  const s = new LiveSession({ spec: drumGridSpec(3), clock, sinks: [sink], seed: 7, grid: false, print: (t) => lines.push(t), cwd: tmp, parts: [{ name: 'keys', spec: keys, channel: 2, sinks: [sink], seed: 11 }], ...extra });
  return { s, clock, lines };
}

/** Every step each part sent, with the clock time it starts at. */
function stepsByPart(s: LiveSession): { part: string; step: number; time: number; notes: number[] }[] {
  const seen: { part: string; step: number; time: number; notes: number[] }[] = [];
  s.watch({ step: (r, e, part) => seen.push({ part: part ?? '?', step: r.step, time: e.time, notes: r.notes.slice(0, r.count).map((n) => n.note) }) });
  return seen;
}

beforeAll(async () => {
  ({ output } = await openTestPorts(OUT, 'pulse-rnn parts test clock', got));
});

afterAll(async () => {
  await WebMidi.disable();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a performance of several parts', () => {
  it('parts stepping at different rates line up with the clock\'s bar; a part added or restarted mid-set begins at a bar line', async () => {
    const { s, clock } = twoParts(quarterSpec(2));
    const seen = stepsByPart(s);
    const drums = new Map<number, number>();
    s.watch({ step: (r, e, part) => void (part === 'drums' && drums.set(e.time, r.step)) });
    s.start();
    await steps(clock, 21);
    const bass = s.addPart({ name: 'bass', spec: melodySpec(5), channel: 3, sinks: [new WebMidiSink(output)] });
    await steps(clock, 40);
    // restarted at clock step 61 or so, the quarter part comes in again at the next bar line, 64
    const before = seen.length;
    const again = s.restartPart('keys');
    await steps(clock, 24);
    await s.quit();
    expect(s.parts.map((p) => p.name)).toEqual(['drums', 'keys', 'bass']);
    expect(again.clock.from % 16).toBe(0);
    const restarted = seen.slice(before).filter((x) => x.part === 'keys');
    expect(restarted[0].step * 4).toBe(again.clock.from);
    expect(drums.get(restarted[0].time)).toBe(again.clock.from);
    const keys = seen.filter((x) => x.part === 'keys');
    const bassSteps = seen.filter((x) => x.part === 'bass');
    expect(keys.length).toBeGreaterThanOrEqual(14);
    // each quarter of the keys on a drum step that begins a beat, at the same place in the bar
    for (const k of keys) expect(drums.get(k.time)).toBe(k.step * 4);
    expect(keys.map((k) => k.step % 4)).toEqual(keys.map((_, i) => i % 4));
    // the part added at clock step 21 begins at the next bar line (32), in step with the drums from then on
    expect(bassSteps[0].step).toBe(32);
    expect(drums.get(bassSteps[0].time)).toBe(32);
    for (const b of bassSteps) expect(drums.get(b.time)).toBe(b.step);
    expect(bass.clock.from).toBe(32);
  }, 60_000);

  it('the prompt has an object a part (Tab completes it); a part\'s commands steer it alone, and its errors name it', async () => {
    const { s, lines } = twoParts(melodySpec(2));
    const { type, server } = typedPrompt(s);
    expect(await type('keys.temperature(1.3)')).toMatch(/^keys: temperature 1\.3 from step \d+/);
    expect(s.parts[1].generator.settings.temperature).toBe(1.3);
    expect(s.generator.settings.temperature).toBe(1);
    expect(await type('keys.temperature(9)')).toMatch(/^keys: temperature: 9 is out of range/);
    expect(s.parts[1].generator.settings.temperature).toBe(1.3);
    expect(await type('drums.density(0.5)')).toMatch(/^drums: density 0\.5/);
    expect(await type('temperature(0.5)')).toMatch(/^temperature 0\.5/);
    expect(s.generator.settings.temperature).toBe(0.5);
    expect(s.parts[1].generator.settings.temperature).toBe(1.3);
    expect(await type('keys.bpm(90)')).toMatch(/keys\.bpm: is not a part's command; bpm\(\) is the whole performance's/);
    expect(await type('status()')).toMatch(/\n {2}drums: .*channel the model's.*\n {2}keys: .*channel 2/);
    expect(await type('help()')).toMatch(/Parts: drums, keys\. .*keys\.temperature\(1\.2\)[^]*steers the first part \(drums\)/);
    const completer = server.completer as unknown as (line: string, cb: (err: Error | null, r: [string[], string]) => void) => void;
    const complete = (line: string) => new Promise<string[]>((resolve, reject) => completer(line, (err, r) => (err ? reject(err) : resolve(r[0]))));
    expect(await complete('ke')).toContain('keys');
    expect(await complete('keys.tem')).toContain('keys.temperature');
    expect(lines.join('\n')).not.toMatch(/TypeError|ReferenceError/);
    await s.quit();
  }, 30_000);

  it('refuses a part name that is not letters and digits, a command\'s, or taken, naming it', () => {
    const clock = new InternalClock({ bpm: 120 });
    const make = (name: string) => () => new LiveSession({ spec: drumGridSpec(3), clock, grid: false, print: () => {}, parts: [{ name, spec: melodySpec(1) }] });
    expect(make('2keys')).toThrow(/part name "2keys" must be a letter then letters or digits/);
    expect(make('quit')).toThrow(/part name 'quit' is a command's name/);
    expect(make('drums')).toThrow(/part name 'drums' is taken/);
    expect(make('key-s')).toThrow(/"key-s"/);
    expect(make('console')).toThrow(/part name 'console' is a name JavaScript keeps at the prompt/);
  });

  it('sends each part on its own channel: drums on 10, keys on the one given; pausing, muting, removing a part and quitting leave no note stuck', async () => {
    got.length = 0;
    const { s, clock } = twoParts(melodySpec(2));
    s.start();
    await steps(clock, 24);
    s.partCommand('keys', 'pause', []);
    await steps(clock, 6);
    s.partCommand('keys', 'resume', []);
    s.partCommand('drums', 'mute', []);
    await steps(clock, 12);
    s.removePart('keys');
    await steps(clock, 4);
    const beforeQuit = got.length;
    await s.quit();
    const channels = new Set(got.filter((m) => isOn(m.bytes)).map((m) => (m.bytes[0] & 15) + 1));
    expect([...channels].sort((a, b) => a - b)).toEqual([2, 10]);
    expect(everyOnHasItsOff(got)).toBe(true);
    // no all-notes-off on the other part's channel: silencing a part ends only its own notes
    const cc123 = got.slice(0, beforeQuit).filter((m) => (m.bytes[0] & 0xf0) === 0xb0 && m.bytes[1] === 123).map((m) => (m.bytes[0] & 15) + 1);
    expect(cc123).not.toContain(2);
  }, 60_000);

  it('--keys: the shipped chord model beside the shipped drummer, its chords on channel 1 and the drums on 10; pausing the keys and quitting end every held key', async () => {
    got.length = 0;
    const { first, others } = performanceParts({ keys: true }, 'weights/drums-expressive', 'weights/chords-jsb');
    expect(others).toEqual([{ name: 'keys', model: 'weights/chords-jsb', channel: 1 }]);
    const clock = new InternalClock({ bpm: 480 });
    const sink = new WebMidiSink(output);
    const [drums, chords] = await Promise.all([loadModelSpec(first.model), loadModelSpec(others[0].model)]);
    const s = new LiveSession({ spec: drums, clock, sinks: [sink], seed: 7, grid: false, print: () => {}, parts: [{ ...others[0], spec: chords, sinks: [sink], seed: 8 }] });
    expect(s.parts[1].clock.every).toBe(4);
    s.start();
    await steps(clock, 40);
    s.partCommand('keys', 'pause', []);
    await steps(clock, 8);
    const paused = got.length;
    await steps(clock, 8);
    // paused: no key of the keys part starts, and none sounds on
    expect(got.slice(paused).filter((m) => isOn(m.bytes) && (m.bytes[0] & 15) === 0)).toEqual([]);
    s.partCommand('keys', 'resume', []);
    await steps(clock, 24);
    await s.quit();
    const on = got.filter((m) => isOn(m.bytes));
    expect(new Set(on.map((m) => (m.bytes[0] & 15) + 1))).toEqual(new Set([1, 10]));
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  it('record() writes a track a part and a version 2 log; the replay plays every part again note for note; an old one-part log still replays', async () => {
    got.length = 0;
    const { s, clock, lines } = twoParts(quarterSpec(4));
    s.start();
    await steps(clock, 5);
    await s.record('two.mid');
    s.partCommand('keys', 'temperature', [1.5]);
    await steps(clock, 30);
    s.partCommand('keys', 'mute', []);
    await steps(clock, 9);
    s.partCommand('keys', 'unmute', []);
    s.density(0.6);
    await steps(clock, 20);
    await s.quit();
    expect(lines.join('\n')).toMatch(/wrote two\.mid/);
    const song = readMidi(new Uint8Array(readFileSync(join(tmp, 'two.mid'))), 'two.mid');
    const text = readFileSync(join(tmp, 'two.mid.log.json'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ version: 2, parts: { first: { name: 'drums', channel: null }, others: [{ name: 'keys', channel: 2, every: 4 }] } });
    const log = parseSessionLog(text, 'two.mid.log.json');
    const tracks = new Set(song.notes.map((n) => n.track));
    expect(tracks.size).toBe(2);
    expect(new Set(song.notes.map((n) => n.channel))).toEqual(new Set([9, 1]));
    const again = readMidi(replayToMidi(drumGridSpec(3), log, { parts: [quarterSpec(4)] }).bytes, 'again.mid');
    expect(again.notes).toEqual(song.notes);
    expect(() => replayToMidi(drumGridSpec(3), log)).toThrow(/2 parts; the models of keys are needed/);
    expect(everyOnHasItsOff(got)).toBe(true);
    // to a port, in time: every part's notes on its channel, as many as the take has
    got.length = 0;
    await replayToPort(drumGridSpec(3), log, output, { parts: [quarterSpec(4)] });
    const ons = got.filter((m) => isOn(m.bytes)).map((m) => `${m.bytes[0] & 15}:${m.bytes[1]}`);
    expect(ons.sort()).toEqual(song.notes.map((n) => `${n.channel}:${n.note}`).sort());
    // pulse-rnn replay loads every part's model where the log says it was
    const onDisk = JSON.parse(text);
    onDisk.session.model = 'weights/drums-gmd';
    onDisk.parts.others[0].model = 'weights/drums-gmd';
    writeFileSync(join(tmp, 'disk.log.json'), JSON.stringify(onDisk));
    const said: string[] = [];
    await runReplay(join(tmp, 'disk.log.json'), { midi: join(tmp, 'disk.mid') }, (l) => said.push(l), { signals: false });
    expect(said.join('\n')).toMatch(/2 parts, drums, keys[^]*wrote .*disk\.mid: \d+ notes/);
    expect(new Set(readMidi(new Uint8Array(readFileSync(join(tmp, 'disk.mid'))), 'disk.mid').notes.map((n) => n.track)).size).toBe(2);
    // a version 1 log (one part) replays as it did
    const one = { ...JSON.parse(text), version: 1 };
    delete one.parts;
    writeFileSync(join(tmp, 'one.log.json'), JSON.stringify(one));
    const single = readMidi(replayToMidi(drumGridSpec(3), parseSessionLog(JSON.stringify(one), 'one.log.json')).bytes, 'one.mid');
    expect(single.notes.map(({ track: _t, ...n }) => n)).toEqual(song.notes.filter((n) => n.channel === 9).map(({ track: _t, ...n }) => n));
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  it('store(1) stores every part and recall(1) brings every part back at the bar; saveSlots writes every part and loadSlots reads it (and a one-part file)', async () => {
    const { s, clock, lines } = twoParts(melodySpec(6));
    const seen = stepsByPart(s);
    s.start();
    await steps(clock, 3);
    s.store(1);
    expect(lines.at(-1)).toMatch(/^drums: slot 1 stores .*\nkeys: slot 1 stores /);
    await steps(clock, 40);
    await s.saveSlots('both.slots.json');
    const file = JSON.parse(readFileSync(join(tmp, 'both.slots.json'), 'utf8'));
    expect(file.format).toBe('pulse-rnn-part-slots');
    expect(Object.keys(file.parts)).toEqual(['drums', 'keys']);
    s.recall(1);
    const m = /^drums: slot 1 takes over at step (\d+) .*\nkeys: slot 1 takes over at step (\d+) /.exec(lines.at(-1) ?? '');
    expect(m?.[1]).toBe(m?.[2]);
    const at = Number(m?.[1]);
    const stored = /slot 1 stores the performance before step (\d+)/.exec(lines.find((l) => l.includes('stores')) ?? '');
    const storedAt = Number(stored?.[1]);
    expect(at % 16).toBe(storedAt % 16);
    await steps(clock, at - s.generator.step + 12);
    // from the recall on, each part plays again what it played after the store, at the same place in the bar
    const run = (part: string, a: number) => seen.filter((x) => x.part === part && x.step >= a).slice(0, 10).map((x) => x.notes);
    for (const part of ['drums', 'keys']) {
      expect(run(part, at)).toHaveLength(10);
      expect(run(part, at)).toEqual(run(part, storedAt));
    }
    expect(seen.some((x) => x.part === 'keys' && x.notes.length > 0)).toBe(true);
    await s.loadSlots('both.slots.json');
    expect(lines.at(-1)).toMatch(/^drums: slots from both\.slots\.json.*\nkeys: slots from both\.slots\.json/);
    // a one-part file loads into the first part
    writeFileSync(join(tmp, 'one.slots.json'), JSON.stringify(file.parts.drums));
    await s.loadSlots('one.slots.json');
    expect(lines.at(-1)).toMatch(/^drums: slots from one\.slots\.json/);
    await s.loadSlots('nope.json');
    expect(lines.at(-1)).toMatch(/^loadSlots: cannot read 'nope\.json'/);
    await s.quit();
  }, 60_000);
});
