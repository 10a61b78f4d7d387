// A controller steering a live session: CCs and notes sent from JZZ virtual inputs (WEBMIDI.js
// lists them like devices) reach the session's commands through the mapping; learned at the
// prompt's commands, saved and read back; a knob's change lands in the performance log as its
// control and replays note for note. Assertions are on what arrived, never on how long it took.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JZZ from 'jzz';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebMidi } from 'webmidi';
import { LiveSession } from '../src/hosts/live-session.js';
import { MidiMapper } from '../src/hosts/midi-mapper.js';
import { runPlay } from '../src/hosts/play.js';
import { replayToMidi } from '../src/hosts/replay.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { readMidi } from '../src/io/midi-read.js';
import { parseMap } from '../src/music/midi-map.js';
import type { Clock } from '../src/time/clock.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { drumGridSpec } from './helpers/models.js';
import { typedPrompt } from './helpers/typed-prompt.js';
import { runCli } from './helpers/cli.js';

const KNOBS = 'pulse-rnn map test knobs';
const PADS = 'pulse-rnn map test pads';
const tmp = mkdtempSync(join(tmpdir(), 'pulse-map-'));

/** A JZZ virtual input: what `send` sends arrives at WEBMIDI.js listeners at once. */
function virtualInput(name: string): (...bytes: number[]) => void {
  const widget = JZZ.Widget() as unknown as { send(bytes: number[]): unknown };
  (JZZ as unknown as { addMidiIn(name: string, w: unknown): void }).addMidiIn(name, widget);
  return (...bytes) => void widget.send(bytes);
}
const knobs = virtualInput(KNOBS);
const pads = virtualInput(PADS);

/** Resolves once `n` more steps have been handed out. */
const steps = (clock: Clock, n: number): Promise<void> =>
  new Promise((resolve) => {
    let left = n;
    const off = clock.onStep(() => void (--left === 0 && (off(), resolve())));
  });

function session(extra: Partial<ConstructorParameters<typeof LiveSession>[0]> = {}) {
  const lines: string[] = [];
  const clock = new InternalClock({ bpm: 480 });
  const s = new LiveSession({ spec: drumGridSpec(3), clock, seed: 7, grid: false, print: (t) => lines.push(t), cwd: tmp, ...extra });
  return { s, clock, lines };
}

function writeMap(name: string, entries: unknown[]): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify({ format: 'pulse-rnn-map', version: 1, entries }));
  return file;
}

beforeAll(async () => {
  await WebMidi.enable();
  expect(WebMidi.getInputByName(KNOBS)).toBeTruthy();
});

afterAll(async () => {
  await WebMidi.disable();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a mapping file on the session', () => {
  it('knob sweeps land on the range ends and steps; a pad flips pause; nothing is printed but refusals', async () => {
    const { s, clock, lines } = session();
    const file = writeMap('set.json', [
      { control: 'temperature', cc: 16, input: KNOBS, range: [0.5, 1.5] },
      { control: 'density', cc: 17 },
      { control: 'velocityScale', args: ['kick'], cc: 18 },
      { control: 'pause', note: 36, input: PADS, channel: 10 },
      { control: 'bpm', cc: 19, range: [60, 180] },
    ]);
    const m = await s.midi.open({ file });
    expect(m.where).toMatch(/input\(s\):/);
    s.start();
    await steps(clock, 2);
    const temps: number[] = [];
    for (let v = 0; v <= 127; v++) {
      knobs(0xb0, 16, v);
      temps.push(s.generator.settings.temperature);
    }
    expect([temps[0], temps[127]]).toEqual([0.5, 1.5]);
    expect(temps.every((t) => Math.abs(t * 20 - Math.round(t * 20)) < 1e-9)).toBe(true);
    pads(0xb0, 16, 0); // the same CC on another input: not this knob
    expect(s.generator.settings.temperature).toBe(1.5);
    knobs(0xb3, 17, 0);
    knobs(0xb0, 18, 127);
    knobs(0xb0, 19, 127);
    expect(s.generator.settings.density).toBe(-4);
    expect(clock.bpm).toBe(180);
    await steps(clock, 2);
    expect(s.generator.temperature).toBe(1.5);
    expect(s.generator.velocityScales[0]).toBe(2);
    pads(0x99, 36, 100);
    pads(0x89, 36, 0);
    expect(s.generator.settings.paused).toBe(true);
    pads(0x99, 36, 100);
    expect(s.generator.settings.paused).toBe(false);
    expect(lines.filter((l) => !l.startsWith('stopped'))).toEqual([]);
    await s.quit();
    knobs(0xb0, 17, 127); // after quit the mapping is closed
    expect(s.generator.settings.density).toBe(-4);
  }, 30_000);

  it('a refused call says so in one line, once for a whole sweep, and the music goes on', async () => {
    const { s, clock, lines } = session();
    await s.midi.open({ file: writeMap('bad-voice.json', [{ control: 'velocityScale', args: ['cowbell'], cc: 30 }]) });
    s.start();
    for (let v = 0; v <= 127; v++) knobs(0xb0, 30, v);
    await steps(clock, 2);
    expect(lines.filter((l) => /^MIDI map: velocityScale: .*cowbell/.test(l))).toHaveLength(1);
    await s.quit();
  }, 30_000);

  it('a broken file is refused naming the file, the entry and the field, by --map before anything plays', async () => {
    const { s } = session();
    const file = writeMap('out-of-range.json', [{ control: 'density', cc: 1 }, { control: 'temperature', cc: 2, range: [1, 5] }]);
    await expect(s.midi.open({ file })).rejects.toThrow(`${file}: entries[1].range[1]: 5 is outside temperature's range`);
    const out: string[] = [];
    const io = { stdin: process.stdin, stdout: { write: (t: string) => out.push(t) } as unknown as NodeJS.WritableStream, signals: false };
    const model = join(fileURLToPath(new URL('..', import.meta.url)), 'weights', 'drums-gmd');
    await expect(runPlay({ model, bpm: 120, clock: 'internal', seed: 1, temperature: 1, repl: false, steps: 4, map: file }, io)).rejects.toThrow(`${file}: entries[1].range[1]`);
    expect(out.join('')).not.toMatch(/^playing /m);
    await s.quit();
  }, 30_000);
});

describe('pulse-rnn play --map', () => {
  it('plays with the file (on the input named), and refuses a broken one naming its entry and field', async () => {
    const good = writeMap('cli.json', [{ control: 'density', cc: 40 }]);
    // play prints to stdout itself, not through console.log
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (printed.push(String(s)), true));
    const ok = await runCli('play', '--map', good, '--map-input', KNOBS, '--steps', '4', '--bpm', '600', '--no-repl', '--no-grid').finally(() => write.mockRestore());
    expect(ok.code, ok.err).toBe(0);
    expect(printed.join('')).toContain(`MIDI map ${good}: 1 control on input "${KNOBS}"`);
    const bad = writeMap('cli-bad.json', [{ control: 'prime', note: 1 }]);
    const refused = await runCli('play', '--map', bad, '--steps', '4', '--no-repl');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${bad}: entries[0].control: prime cannot be mapped`);
    await WebMidi.enable();
  }, 60_000);
});

describe('learn, map, unmap and saveMap at the prompt', () => {
  it('learns the next knob, relearns, lists, removes and saves a file that --map reads', async () => {
    const { s, clock, lines } = session();
    s.start();
    await s.learn('density');
    expect(lines.at(-1)).toMatch(/^density: move a knob or fader on .*learn\(\) cancels$/);
    knobs(0xb2, 21, 0);
    expect(lines.at(-1)).toBe(`learned density ← CC 21 (ch 3, ${KNOBS})`);
    knobs(0xb2, 21, 127);
    expect(s.generator.settings.density).toBe(4);
    await s.learn('density');
    knobs(0xb0, 22, 64);
    expect(lines.at(-1)).toBe(`learned density ← CC 22 (ch 1, ${KNOBS}) (instead of density ← CC 21 (ch 3, ${KNOBS}))`);
    await s.learn('mute');
    pads(0x99, 38, 90);
    expect(lines.at(-1)).toBe(`learned mute ← note 38 (ch 10, ${PADS}), a press flips it`);
    await s.learn('edit');
    expect(lines.at(-1)).toMatch(/^learn: edit cannot be mapped/);
    expect(s.lastError).toMatch(/^learn: edit cannot be mapped/);
    await s.map();
    expect(lines.at(-1)).toContain('density ← CC 22');
    expect(lines.at(-1)).toContain('mute ← note 38');
    await s.saveMap('learned.json');
    expect(lines.at(-1)).toBe('wrote learned.json: 2 entries; --map learned.json plays with it');
    const saved = parseMap(readFileSync(join(tmp, 'learned.json'), 'utf8'), 'learned.json');
    expect(saved).toEqual([
      { control: 'density', input: KNOBS, channel: 1, cc: 22 },
      { control: 'mute', input: PADS, channel: 10, note: 38 },
    ]);
    await s.unmap('density');
    expect(lines.at(-1)).toMatch(/^unmapped density ← CC 22/);
    await s.unmap('density');
    expect(lines.at(-1)).toBe('unmap: density is not mapped; map() lists what is');
    knobs(0xb0, 22, 0);
    expect(s.generator.settings.density).toBe(4);
    await steps(clock, 1);
    await s.quit();
  }, 30_000);
});

describe('the prompt', () => {
  it('types learn(), map() and saveMap() as commands, and help() lists them', async () => {
    const { s, clock } = session();
    const { type } = typedPrompt(s);
    s.start();
    expect(await type('help()')).toMatch(/^learn\('temperature'\) +map the next knob moved/m);
    expect(await type("learn('timing')")).toMatch(/^timing: move a knob or fader on /);
    knobs(0xb0, 25, 127);
    expect(await type('map()')).toContain(`timing ← CC 25 (ch 1, ${KNOBS})`);
    expect(await type("saveMap('typed.json')")).toBe('wrote typed.json: 1 entry; --map typed.json plays with it');
    expect(await type('lern()')).toMatch(/did you mean learn\('temperature'\)\?/);
    await steps(clock, 1);
    await type('quit()');
    await s.done;
  }, 30_000);
});

describe('a mapped change in the performance log', () => {
  it('appears as its control at the step it applied, and the take replays note for note', async () => {
    const spec = drumGridSpec(3);
    const { s, clock, lines } = session({ spec });
    await s.midi.open({ file: writeMap('take.json', [{ control: 'temperature', cc: 16 }, { control: 'mute', note: 40 }, { control: 'velocityScale', args: ['snare'], cc: 17 }]) });
    s.start();
    await s.record('knob.mid');
    await steps(clock, 6);
    knobs(0xb0, 16, 127);
    await steps(clock, 4);
    knobs(0xb0, 17, 32);
    knobs(0x90, 40, 100);
    await steps(clock, 3);
    knobs(0x90, 40, 100);
    await steps(clock, 6);
    await s.stop();
    await s.quit();
    expect(lines.filter((l) => /^[\w ]+: /.test(l) && !l.startsWith('recording'))).toEqual([]);
    const log = parseSessionLog(readFileSync(join(tmp, 'knob.mid.log.json'), 'utf8'), 'knob.mid.log.json');
    expect(log.entries.map((e) => e.control)).toEqual([
      { type: 'temperature', value: 2 },
      { type: 'velocityScale', voice: 1, value: 0.5 },
      { type: 'mute' },
      { type: 'unmute' },
    ]);
    const song = readMidi(new Uint8Array(readFileSync(join(tmp, 'knob.mid'))), 'knob.mid');
    const again = readMidi(replayToMidi(spec, log).bytes, 'again.mid');
    const strip = (n: (typeof song.notes)[number]) => ({ tick: n.tick, note: n.note, velocity: n.velocity, durationTicks: n.durationTicks });
    expect(song.notes.length).toBeGreaterThan(5);
    expect(again.notes.map(strip)).toEqual(song.notes.map(strip));
  }, 30_000);
});

describe('learning with no input connected', () => {
  it('says that no input is connected and that one plugged in is heard, naming the control', async () => {
    const { s } = session();
    const mapper = new MidiMapper(s, []);
    const line = mapper.learn(['temperature']);
    expect(line).toMatch(/^temperature: no MIDI input is connected yet; plug a controller in and move a knob or fader/);
    expect(mapper.learn(['mute'])).toMatch(/^mute: no MIDI input is connected yet; plug a controller in and press a pad/);
    mapper.listen(WebMidi.getInputByName(KNOBS) as unknown as Parameters<MidiMapper['listen']>[0]);
    expect(mapper.learn(['temperature'])).toMatch(/^temperature: move a knob or fader on 1 input\(s\): "pulse-rnn map test knobs"/);
    mapper.close();
    await s.quit();
  });
});
