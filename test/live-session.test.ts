// The live session in real time on JZZ virtual MIDI ports (WEBMIDI.js lists them in Node): an
// output port this test listens to, and an input fed with MIDI clock bytes. Assertions are on
// what arrived and in which order, never on how long anything took.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import JZZ from 'jzz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi, type Input, type Output } from 'webmidi';
import type { ModelSpec } from '../src/engine/model.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { startRepl } from '../src/hosts/repl.js';
import { replaySteps, replayToMidi } from '../src/hosts/replay.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { StepDisplay, noteName, parseNoteName } from '../src/hosts/step-display.js';
import { readMidi } from '../src/io/midi-read.js';
import { WebMidiSink } from '../src/io/webmidi-sink.js';
import { Generator } from '../src/music/generator.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { steps } from './helpers/clock-steps.js';
import { MidiClockFollower } from '../src/time/midi-clock-follower.js';
import { FakeTime } from './helpers/fake-time.js';
import { ClockSource, pulses } from './helpers/midi-clock-source.js';
import { drumGridSpec, howlSpec, melodySpec } from './helpers/models.js';
import { everyOnHasItsOff, isOn } from './helpers/midi-notes.js';

const jzz = JZZ as unknown as {
  addMidiOut(name: string, widget: unknown): unknown;
  Widget(handlers?: { _receive?(msg: ArrayLike<number>): void }): unknown;
};

const OUT = 'pulse-rnn live session test out';
const CLOCK_IN = 'pulse-rnn live session test clock';
const got: number[][] = [];
let output: Output;
let input: Input;
let source: ClockSource;
const tmp = mkdtempSync(join(tmpdir(), 'pulse-live-'));



function session(spec: ModelSpec, extra: Partial<ConstructorParameters<typeof LiveSession>[0]> = {}) {
  const lines: string[] = [];
  const clock = new InternalClock({ bpm: 480 });
  const s = new LiveSession({ spec, clock, sinks: [new WebMidiSink(output)], seed: 7, grid: false, print: (t) => lines.push(t), cwd: tmp, ...extra });
  return { s, clock, lines };
}

beforeAll(async () => {
  jzz.addMidiOut(OUT, jzz.Widget({ _receive: (m) => got.push(Array.from(m)) }));
  source = new ClockSource(CLOCK_IN);
  await WebMidi.enable();
  output = WebMidi.getOutputByName(OUT)!;
  input = WebMidi.getInputByName(CLOCK_IN)!;
  expect(output).toBeTruthy();
  expect(input).toBeTruthy();
});

afterAll(async () => {
  await WebMidi.disable();
  rmSync(tmp, { recursive: true, force: true });
});

describe('LiveSession on a virtual MIDI port', () => {
  it('plays to the port; each control applies at the next step; same seed and controls give the notes of a Generator driven directly', async () => {
    got.length = 0;
    const spec = drumGridSpec(5, 1.5);
    const { s, clock, lines } = session(spec);
    const gen = s.generator;
    const at: Record<string, number> = {};
    s.start();
    await steps(clock, 8);
    at.temperature = gen.ticks;
    s.temperature(1.5);
    await steps(clock, 6);
    at.seed = gen.ticks;
    s.seed(42);
    s.density(0.8);
    const editStep = gen.step + 3;
    s.edit('+3', ['kick', 'snare']);
    await steps(clock, 10);
    at.lock = gen.ticks;
    s.lock('kick');
    await steps(clock, 20);
    await s.quit();

    expect(lines.filter((l) => /^\w+: /.test(l))).toEqual([]); // no command reported a problem
    // applied at the start of the tick that followed each call
    const applied = gen.log.entries.map((e) => [e.control.type, e.tick]);
    expect(applied).toEqual([
      ['temperature', at.temperature],
      ['seed', at.seed],
      ['density', at.seed],
      ['edit', at.seed],
      ['lock', at.lock],
    ]);
    expect(gen.temperature).toBe(1.5);
    expect(gen.seed).toBe(42);

    // the same performance, from the Generator's own API
    const direct = new Generator(spec, { seed: 7, temperature: 1 });
    const directNotes: number[][] = [];
    for (let t = 0; t < gen.ticks; t++) {
      if (t === at.temperature) direct.setTemperature(1.5);
      if (t === at.seed) {
        direct.reseed(42);
        direct.setDensity(0.8);
        direct.edit(editStep, ['kick', 'snare']);
      }
      if (t === at.lock) direct.lock('kick');
      const r = direct.tick();
      directNotes.push(r.notes.slice(0, r.count).map((n) => n.note));
    }
    const played = gen.played();
    expect(played.map((p) => p.notes.map((n) => n.note))).toEqual(directNotes.slice(-played.length));
    expect(directNotes[editStep].sort()).toEqual([36, 38]);

    // what reached the port: the same notes, each ended
    const onPort = got.filter(isOn).map((b) => b[1]);
    expect(onPort.length).toBeGreaterThan(20);
    expect([...onPort].sort()).toEqual(directNotes.flat().sort());
    expect(got.filter(isOn).every((b) => b[0] === 0x99)).toBe(true); // GM drums, channel 10
    expect(everyOnHasItsOff(got)).toBe(true);
    expect(lines.at(-1)).toBe(`stopped after ${gen.ticks} steps`);
  }, 60_000);

  it('bad values print one clear line naming the value, change nothing, and the music keeps playing', async () => {
    got.length = 0;
    const { s, clock, lines } = session(drumGridSpec(2));
    const gen = s.generator;
    s.start();
    await steps(clock, 4);
    const bad: [() => unknown, RegExp][] = [
      [() => s.temperature(Number.NaN), /^temperature: NaN is not a number; give a number from 0/],
      [() => s.temperature(Infinity), /^temperature: Infinity is out of range/],
      [() => s.temperature(-1), /^temperature: -1 is out of range/],
      [() => s.temperature('abc'), /^temperature: 'abc' is not a number/],
      [() => s.temperature(1e308), /^temperature: 1e\+308 is out of range/],
      [() => s.temperature({ t: 1 }), /^temperature: \{"t":1\} is not a number/],
      [() => s.temperature(1, 2), /^temperature: too many arguments \(2\); usage: temperature\(1\.2\)/],
      [() => s.topP(0), /^topP: 0 is out of range; give a number above 0 \(only the likeliest\), up to 1 \(everything\)$/],
      [() => s.topP(1.5), /^topP: 1\.5 is out of range/],
      [() => s.density(1e9), /^density: 1000000000 is out of range/],
      [() => s.density('lots'), /^density: 'lots' is not a number/],
      [() => s.seed(1.5), /^seed: 1\.5 is not a whole number/],
      [() => s.seed(-1), /^seed: -1 is out of range/],
      [() => s.seed(2 ** 40), /^seed: 1099511627776 is out of range/],
      [() => s.seed('x'), /^seed: 'x' is not a number/],
      [() => s.bpm(0), /^bpm: 0 is out of range; give a number from 20 to 999 BPM$/],
      [() => s.bpm(19), /^bpm: 19 is out of range; give a number from 20 to 999 BPM$/],
      [() => s.temperature(2.5), /^temperature: 2\.5 is out of range; give a number from 0 \(always the likeliest\) to 2 \(wildest\)$/],
      [() => s.density(5), /^density: 5 is out of range; give a number from -4 \(fewer notes\) to 4 \(more notes\)$/],
      [() => s.reseed(-1), /^reseed: -1 is out of range; give a whole number from 0 to 4294967295$/],
      [() => s.clearEdit('later'), /^clearEdit: step 'later' is not a step/],
      [() => s.locate(-3), /^locate: step -3 is not a step number; give a whole number from 0/],
      [() => s.bpm(1e6), /^bpm: 1000000 is out of range/],
      [() => s.bpm('fast'), /^bpm: 'fast' is not a number/],
      [() => s.lock('kik'), /^lock: unknown voice "kik"; voices are kick, snare/],
      [() => s.lock(42), /^lock: unknown voice 42/],
      [() => s.lock(null), /^lock: null is not a voice/],
      [() => s.lock('kick', 'twice'), /^lock: options 'twice' must be an object/],
      [() => s.lock('kick', { bars: 0 }), /^lock: bars: 0 is not allowed; give a whole number of bars ≥ 1/],
      [() => s.lock('kick', { bars: 1.5 }), /^lock: bars: 1\.5 is not allowed; give a whole number of bars ≥ 1/],
      [() => s.unlock('snar'), /^unlock: unknown voice "snar"/],
      [() => s.edit(-1, ['kick']), /^edit: step -1 has already played \(the next step is \d+\)/],
      [() => s.edit('+2', ['banana']), /^edit: unknown drum voice "banana"/],
      [() => s.edit(1e12, []), /^edit: step 1000000000000 is more than 4096 steps ahead/],
      [() => s.edit('soon', []), /^edit: step 'soon' is not a step/],
      [() => s.edit('+1', [Number.NaN]), /^edit: note NaN is not a MIDI note/],
      [() => s.edit('+1'), /^edit: give the notes of step \d+/],
      [() => s.prime(42), /^prime: 42 is not a file name/],
      [() => s.prime('missing.mid'), /^prime: cannot read 'missing\.mid' \(ENOENT\)/],
      [() => s.record(42), /^record: 42 is not a file name/],
      [() => s.record('no-such-folder/set.mid'), /^record: cannot write 'no-such-folder\/set\.mid': its folder .* is missing or not writable/],
      [() => s.record(), /^record: name a file to record to/],
      [() => s.stop(), /^stop: nothing is being recorded/],
      [() => s.pause('now'), /^pause: too many arguments \('now'\)/],
      [() => s.grid('yes'), /^grid: 'yes' is not true or false/],
    ];
    for (const [call, want] of bad) {
      const before = lines.length;
      const r = call();
      if (r instanceof Promise) await r;
      expect(lines.slice(before), String(want)).toHaveLength(1);
      expect(lines[before]).toMatch(want);
      expect(s.lastError).toBe(lines[before]);
    }
    const stepBefore = gen.ticks;
    await steps(clock, 8); // still playing
    expect(gen.ticks).toBeGreaterThanOrEqual(stepBefore + 8);
    expect(clock.running).toBe(true);
    expect(gen.log.entries).toEqual([]); // nothing reached the generator
    expect([gen.temperature, gen.topP, gen.density, gen.seed, clock.bpm]).toEqual([1, 1, 0, 7, 480]);
    expect(s.statusLine()).toMatch(/locked none · not recording$/);

    s.temperature(0.5); // and a good value still works
    expect(s.lastError).toBeNull();
    await steps(clock, 2);
    expect(gen.temperature).toBe(0.5);
    await s.quit();
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  it('a starting seed outside what seed() takes is refused by value, not played as another seed', () => {
    const clock = new InternalClock({ bpm: 120 });
    for (const seed of [-1, 2 ** 32, 1.5]) {
      expect(() => new LiveSession({ spec: drumGridSpec(6), clock, seed, print: () => {} })).toThrow(/^seed: .* give a whole number from 0 to 4294967295$/);
    }
    expect(() => new LiveSession({ spec: drumGridSpec(6), clock, seed: 4294967295, print: () => {} })).not.toThrow();
  });

  it('record() writes a MIDI file midi-read reads, atomically, and a log that replay reproduces note for note', async () => {
    got.length = 0;
    const spec = drumGridSpec(9, 1.5);
    const { s, clock, lines } = session(spec);
    const file = join(tmp, 'set.mid');
    s.start();
    await steps(clock, 6);
    await s.record('set.mid');
    await steps(clock, 10);
    s.temperature(1.4);
    s.bpm(400); // a tempo change inside the take
    await steps(clock, 6);
    s.mute();
    await steps(clock, 3);
    s.unmute();
    s.pause();
    await steps(clock, 3);
    s.resume();
    s.edit('+2', []);
    await steps(clock, 12);
    await s.stop();
    expect(lines.filter((l) => /^\w+: /.test(l))).toEqual([]);
    expect(lines.some((l) => l.startsWith('wrote set.mid ('))).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await steps(clock, 4); // plays on after the recording
    await s.quit();

    const song = readMidi(new Uint8Array(readFileSync(file)), file);
    const log = parseSessionLog(readFileSync(`${file}.log.json`, 'utf8'), 'set.mid.log.json');
    expect(log.session?.from).toBeGreaterThanOrEqual(6);
    expect(log.session?.tempos.map((t) => t.bpm)).toEqual([480, 400]);
    expect(log.entries.map((e) => e.control.type)).toEqual(['temperature', 'mute', 'unmute', 'pause', 'resume', 'edit']);
    expect(song.tempos.map((t) => Math.round(60e6 / t.microsecondsPerQuarter))).toEqual([480, 400]);

    // the replayed ticks of the take are the notes in the file, step for step
    const r = replaySteps(spec, log);
    const take = r.steps.slice(r.from);
    expect(take.some((t) => t.step < 0)).toBe(true); // the paused ticks are in it
    expect(song.notes.length).toBe(take.reduce((n, t) => n + t.notes.length, 0));
    expect(song.notes.length).toBeGreaterThan(10);
    const again = readMidi(replayToMidi(spec, log).bytes, 'replayed.mid');
    const strip = (n: (typeof song.notes)[number]) => ({ tick: n.tick, note: n.note, velocity: n.velocity, channel: n.channel, durationTicks: n.durationTicks });
    expect(again.notes.map(strip)).toEqual(song.notes.map(strip));
    expect(again.tempos).toEqual(song.tempos);
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  it('a melody take (note names in edits, held notes): quit() writes the recording still running, and replay matches it', async () => {
    got.length = 0;
    const spec = melodySpec(3);
    const { s, clock, lines } = session(spec, { seed: 11 });
    const file = join(tmp, 'tune.mid');
    s.start();
    await s.record(file);
    await steps(clock, 12);
    s.edit('+1', ['C4']);
    s.edit('+2', ['hold']);
    await steps(clock, 12);
    await s.quit();
    expect(lines.filter((l) => /^\w+: /.test(l))).toEqual([]);
    const song = readMidi(new Uint8Array(readFileSync(file)), file);
    const log = parseSessionLog(readFileSync(`${file}.log.json`, 'utf8'), 'tune.mid.log.json');
    expect(log.ticks).toBe(s.generator.ticks);
    const again = readMidi(replayToMidi(spec, log).bytes, 'again.mid');
    expect(again.notes.map(({ track: _t, ...n }) => n)).toEqual(song.notes.map(({ track: _t, ...n }) => n));
    expect(song.notes.some((n) => n.note === 60)).toBe(true); // the edit, as 'C4'
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  it('an event-model take (notes longer than a step, at offsets within it) cut by mute and pause: replay matches it', async () => {
    got.length = 0;
    const spec = howlSpec(4);
    const { s, clock, lines } = session(spec, { seed: 5 });
    const file = join(tmp, 'howl.mid');
    s.start();
    await steps(clock, 3);
    await s.record(file);
    await steps(clock, 10);
    s.mute();
    await steps(clock, 4);
    s.unmute();
    await steps(clock, 6);
    s.pause();
    await steps(clock, 3);
    s.resume();
    await steps(clock, 8);
    await s.stop();
    await s.quit();
    expect(lines.filter((l) => /^\w+: /.test(l))).toEqual([]);
    const song = readMidi(new Uint8Array(readFileSync(file)), file);
    const log = parseSessionLog(readFileSync(`${file}.log.json`, 'utf8'), 'howl.mid.log.json');
    const again = readMidi(replayToMidi(spec, log).bytes, 'again.mid');
    expect(song.notes.length).toBeGreaterThan(5);
    expect(song.notes.some((n) => n.tick % 120 !== 0)).toBe(true); // off the 16th grid
    expect(again.notes.map(({ track: _t, ...n }) => n)).toEqual(song.notes.map(({ track: _t, ...n }) => n));
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  it('on a fake clock: a mute and a pause cut notes still sounding, in the take and in its replay alike', async () => {
    const ft = new FakeTime(0);
    const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
    const spec = howlSpec(4);
    const lines: string[] = [];
    const s = new LiveSession({ spec, clock, seed: 5, grid: false, print: (t) => lines.push(t), cwd: tmp });
    s.start();
    await s.record('cut.mid');
    // cut right after a step that started a note two steps long or more
    const cuts: string[] = [];
    for (let i = 0; i < 400 && cuts.length < 2; i++) {
      ft.advance(0.125);
      if (!s.generator.played().at(-1)?.notes.some((n) => n.length >= 2)) continue;
      cuts.push(cuts.length === 0 ? 'mute' : 'pause');
      if (cuts.length === 1) s.mute();
      else s.pause();
      ft.advance(0.5);
      if (cuts.length === 1) s.unmute();
      else s.resume();
    }
    expect(cuts).toEqual(['mute', 'pause']);
    ft.advance(1);
    await s.stop();
    await s.quit();
    expect(lines.filter((l) => /^\w+: /.test(l))).toEqual([]);
    const song = readMidi(new Uint8Array(readFileSync(join(tmp, 'cut.mid'))), 'cut.mid');
    // durations are 0.5, 1, 2 or 4 steps × 0.9 (120 ticks a step) unless something cut them
    expect(song.notes.some((n) => ![54, 108, 216, 432].includes(n.durationTicks))).toBe(true);
    const log = parseSessionLog(readFileSync(join(tmp, 'cut.mid.log.json'), 'utf8'), 'cut.mid.log.json');
    const again = readMidi(replayToMidi(spec, log).bytes, 'again.mid');
    expect(again.notes.map(({ track: _t, ...n }) => n)).toEqual(song.notes.map(({ track: _t, ...n }) => n));
  }, 60_000);

  it('follows an external MIDI clock on a virtual input and stops after --steps', async () => {
    got.length = 0;
    const lines: string[] = [];
    const clock = new MidiClockFollower(input, { pulsesPerStep: 6 });
    const s = new LiveSession({ spec: drumGridSpec(4, 1.5), clock, sinks: [new WebMidiSink(output)], seed: 3, steps: 16, grid: true, print: (t) => lines.push(t) });
    s.start();
    expect(lines[0]).toBe('waiting for the MIDI clock to start');
    s.bpm(120);
    expect(s.lastError).toMatch(/^bpm: the tempo follows the MIDI clock/);
    const t0 = performance.now() + 20;
    const run = pulses(t0 + 1, 300, 6 * 20); // 20 steps of pulses: the session stops at 16
    await source.play([{ at: t0, bytes: [0xfa] }, ...run.messages, { at: run.end, bytes: [0xfc] }]);
    await s.done;
    expect(s.generator.ticks).toBe(16);
    expect(lines).toContain('MIDI clock start');
    expect(lines.filter((l) => l.startsWith('── bar ')).map((l) => l.split('\n')[0])).toEqual(['── bar 1 · steps 0–15']);
    expect(lines.at(-1)).toBe('stopped after 16 steps');
    expect(got.filter(isOn).length).toBeGreaterThan(0);
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);
});

describe('the REPL, driven through streams', () => {
  it('runs commands, prints errors as one line, survives them and a thrown error, completes command names, and quits', async () => {
    got.length = 0;
    const { s, clock } = session(drumGridSpec(6));
    const input = new PassThrough();
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += String(d)));
    const server = startRepl(s, { input, output: out, terminal: false });
    const until = async (re: RegExp) => {
      while (!re.test(text)) await new Promise((r) => setTimeout(r, 20));
    };
    s.start();
    await steps(clock, 2);
    input.write('temperature(1.2)\n');
    input.write("temperature('x')\n");
    input.write('noSuchThing()\n');
    input.write("lock('kick'); unlock('kick')\n");
    await until(/kick free from step/);
    const ticks = s.generator.ticks;
    await steps(clock, 4);
    expect(s.generator.ticks).toBeGreaterThan(ticks); // the music went on
    input.write('status()\n');
    await until(/temperature 1\.2 · topP 1/);
    expect(text).toMatch(/temperature 1\.2 from step \d+/);
    expect(text).toMatch(/temperature: 'x' is not a number; give a number from 0 \(always the likeliest\) to 2 \(wildest\)/);
    expect(text).toMatch(/^(pulse> )*noSuchThing is neither a command nor a name set here \(help\(\) lists the commands\)$/m);
    expect(text).not.toMatch(/^undefined$/m);

    // the REPL's own completer, as Tab calls it
    const completer = server.completer as unknown as (line: string, cb: (err: Error | null, r: [string[], string]) => void) => void;
    const complete = (line: string) => new Promise<string[]>((resolve, reject) => completer(line, (err, r) => (err ? reject(err) : resolve(r[0]))));
    expect(await complete('tem')).toContain('temperature');
    expect(await complete('rec')).toContain('record');
    expect(await complete('unl')).toContain('unlock');

    input.write("record('repl.mid')\n");
    await until(/recording to repl\.mid/);
    await steps(clock, 4);
    input.write('quit()\n');
    await s.done;
    expect(text).toMatch(/wrote repl\.mid \(\d+ notes over \d+ steps\)/);
    expect(text).toMatch(/stopped after \d+ steps/);
    expect(clock.running).toBe(false);
    expect(everyOnHasItsOff(got)).toBe(true);
    readMidi(new Uint8Array(readFileSync(join(tmp, 'repl.mid'))), 'repl.mid');
  }, 60_000);
});

describe('StepDisplay', () => {
  it('drums: a block of 9 voice rows per bar; melodies: note names; every line fits 80 columns', () => {
    const printed: string[] = [];
    const drums = new Generator(drumGridSpec(5, 1.5), { seed: 2 });
    const d = new StepDisplay(drums.codec, (t) => printed.push(t));
    for (let i = 0; i < 40; i++) d.add(drums.tick());
    d.flush();
    expect(printed).toHaveLength(3); // two bars, then the third as far as it got
    const rows = printed[0].split('\n');
    expect(rows[0]).toBe('── bar 1 · steps 0–15');
    expect(rows.slice(1).map((r) => r.slice(0, 11).trim())).toEqual(['kick', 'snare', 'closed-hat', 'open-hat', 'low-tom', 'mid-tom', 'high-tom', 'crash', 'ride']);
    // each x is a hit of that voice at that step
    const played = drums.played().slice(0, 16);
    rows.slice(1).forEach((row, v) => {
      const cells = row.slice(11).padEnd(16);
      played.forEach((p, i) => expect(cells[i] === 'x').toBe(p.notes.some((n) => n.note === [36, 38, 42, 46, 45, 48, 50, 49, 51][v])));
    });

    const tunes: string[] = [];
    const mel = new Generator(melodySpec(2), { seed: 4 });
    const m = new StepDisplay(mel.codec, (t) => tunes.push(t));
    for (let i = 0; i < 32; i++) m.add(mel.tick());
    expect(tunes).toHaveLength(2);
    expect(tunes[0]).toMatch(/^── bar 1 · steps 0–15\nnotes {6}/);
    expect(tunes.join('\n')).toMatch(/\b[A-G]#?4\b/);
    for (const line of [...printed, ...tunes].join('\n').split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    expect([noteName(60), noteName(61), noteName(0), noteName(127)]).toEqual(['C4', 'C#4', 'C-1', 'G9']);
    expect([parseNoteName('C4'), parseNoteName('f#3'), parseNoteName('Bb2'), parseNoteName('H2'), parseNoteName('G10')]).toEqual([60, 54, 46, null, null]);
  });
});
