// `pulse-rnn play`, `ports` and `replay` as a user runs them: child processes of the command
// (node --import tsx src/hosts/cli.ts, one process, so signals reach it), plus the same commands
// in-process where they need this process's JZZ virtual ports.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import JZZ from 'jzz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi } from 'webmidi';
import { LiveSession } from '../src/hosts/live-session.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { readMidi, type MidiNote } from '../src/io/midi-read.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { runCli } from './helpers/cli.js';
import { everyOnHasItsOff, isOn } from './helpers/midi-notes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODEL = join(ROOT, 'weights', 'drums-gmd');
// the tsx loader by path: the children run in a temporary folder, where no node_modules is
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const tmp = mkdtempSync(join(tmpdir(), 'pulse-cli-play-'));
const OUT = 'pulse-rnn cli-play test out';
const IN = 'pulse-rnn cli-play test in';
const got: number[][] = [];

const jzz = JZZ as unknown as {
  addMidiOut(name: string, widget: unknown): unknown;
  addMidiIn(name: string, widget: unknown): unknown;
  Widget(handlers?: { _receive?(msg: ArrayLike<number>): void }): unknown;
};

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Run the command in a child process; `onOut` sees stdout as it arrives (and may signal the child). */
function cli(args: string[], onOut?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/hosts/cli.ts'), ...args], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += String(d);
      onOut?.(out, child);
    });
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

const inProcess = runCli;

const strip = (n: MidiNote) => ({ tick: n.tick, note: n.note, velocity: n.velocity, channel: n.channel, durationTicks: n.durationTicks });
const gridLines = (out: string) => out.split('\n').filter((l) => /^(── bar |kick|snare|closed-hat|open-hat|low-tom|mid-tom|high-tom|crash|ride)/.test(l));

beforeAll(() => {
  jzz.addMidiOut(OUT, jzz.Widget({ _receive: (m) => got.push(Array.from(m)) }));
  jzz.addMidiIn(IN, jzz.Widget());
});

afterAll(async () => {
  if (WebMidi.enabled) await WebMidi.disable();
  rmSync(tmp, { recursive: true, force: true });
});

describe('pulse-rnn ports', () => {
  it('as a child process: exits 0, one port a line or says there are none', async () => {
    const r = await cli(['ports']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^(no MIDI (inputs|outputs|inputs or outputs) found|input {3}\S.*|output {2}\S.*)$/);
  }, 60_000);

  it('lists the virtual ports this process has', async () => {
    const r = await inProcess('ports');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual(expect.arrayContaining([`input   ${IN}`, `output  ${OUT}`]));
  }, 30_000);
});

describe('pulse-rnn play', () => {
  it('--steps 16 --no-repl: plays silently without --out (and says so in one line), prints the grid, exits 0', async () => {
    const r = await cli(['play', '--steps', '16', '--no-repl', '--bpm', '600', '--seed', '3']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.filter((l) => /playing silently/.test(l))).toHaveLength(1);
    expect(lines[0]).toMatch(/^no --out given and no virtual MIDI output here \(.+\): playing silently; name an output with --out/);
    expect(lines[1]).toMatch(/^playing .*drums-expressive \(drum-expressive\) silently on the internal clock at 600 BPM, seed 3, temperature 1, for 16 steps/);
    const grid = gridLines(r.out);
    expect(grid).toHaveLength(10); // one bar: its header and nine voices
    expect(grid[0]).toBe('── bar 1 · steps 0–15');
    for (const l of grid) expect(l.length).toBeLessThanOrEqual(80);
    expect(grid.slice(1).join('')).toMatch(/x/);
    expect(lines.at(-1)).toBe('stopped after 16 steps');
  }, 60_000);

  it('the same seed plays the same grid', async () => {
    const a = await cli(['play', '--steps', '16', '--no-repl', '--bpm', '600', '--seed', '5', '--temperature', '0.8']);
    const b = await cli(['play', '--steps', '16', '--no-repl', '--bpm', '600', '--seed', '5', '--temperature', '0.8']);
    expect(a.code).toBe(0);
    expect(gridLines(a.out)).toEqual(gridLines(b.out));
  }, 90_000);

  it('SIGINT and SIGTERM stop it cleanly with exit 0', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      let sent = false;
      const r = await cli(['play', '--no-repl', '--bpm', '300'], (out, child) => {
        if (!sent && out.includes('── bar 1')) {
          sent = true;
          child.kill(signal);
        }
      });
      expect(sent).toBe(true);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
      expect(r.out.trim().split('\n').at(-1)).toMatch(/^stopped after \d+ steps$/);
    }
  }, 90_000);

  it('names what is wrong with a port or a clock and exits 1', async () => {
    const noPort = await cli(['play', '--out', 'Nonexistent Synth', '--steps', '4', '--no-repl']);
    expect(noPort.code).toBe(1);
    expect(noPort.err).toMatch(/no MIDI output named "Nonexistent Synth"/);
    const badClock = await inProcess('play', '--clock', 'midi:', '--steps', '4', '--no-repl');
    expect(badClock.code).toBe(1);
    expect(badClock.err).toMatch(/--clock must be internal or midi:"Port name", got 'midi:'/);
    const noInput = await inProcess('play', '--clock', 'midi:"No Such Clock"', '--steps', '4', '--no-repl');
    expect(noInput.code).toBe(1);
    expect(noInput.err).toMatch(/no MIDI input named "No Such Clock"/);
    const badTemp = await inProcess('play', '--temperature', 'hot');
    expect(badTemp.code).not.toBe(0);
    expect(badTemp.err).toMatch(/--temperature must be a number from 0 \(always the likeliest\) to 2 \(wildest\), got 'hot'/);
  }, 60_000);

  it('--out plays to a port in-process: notes arrive and each has its note-off', async () => {
    got.length = 0;
    const r = await inProcess('play', '--out', OUT, '--steps', '16', '--no-repl', '--bpm', '600', '--seed', '2', '--no-grid');
    expect(r.code).toBe(0);
    const ons = got.filter(isOn);
    expect(ons.length).toBeGreaterThan(0);
    expect(ons.every((b) => b[0] === 0x99)).toBe(true);
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);
});

describe('pulse-rnn replay', () => {
  const take = join(tmp, 'set.mid');

  beforeAll(async () => {
    // a take of the shipped model, recorded live in this process
    const clock = new InternalClock({ bpm: 600 });
    const s = new LiveSession({ spec: await loadModelSpec(MODEL), model: MODEL, clock, seed: 4, grid: false, print: () => {}, cwd: tmp });
    const steps = (n: number) =>
      new Promise<void>((done) => {
        let k = 0;
        const off = clock.onStep(() => ++k === n && (off(), done()));
      });
    s.start();
    await steps(5);
    await s.record('set.mid');
    await steps(12);
    s.temperature(1.3);
    s.lock('closed-hat');
    await steps(20);
    await s.quit();
    expect(existsSync(`${take}.log.json`)).toBe(true);
  }, 60_000);

  it('LOG --midi FILE as a child process: the recorded notes, note for note; without --midi beside the log', async () => {
    const r = await cli(['replay', `${take}.log.json`, '--midi', 'again.mid']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^wrote again\.mid: \d+ notes over \d+ steps$/);
    const recorded = readMidi(new Uint8Array(readFileSync(take)), take).notes.map(strip);
    const again = readMidi(new Uint8Array(readFileSync(join(tmp, 'again.mid'))), 'again.mid').notes.map(strip);
    expect(recorded.length).toBeGreaterThan(10);
    expect(again).toEqual(recorded);

    const d = await cli(['replay', `${take}.log.json`]);
    expect(d.code).toBe(0);
    expect(readMidi(new Uint8Array(readFileSync(join(tmp, 'set.replay.mid'))), 'set.replay.mid').notes.map(strip)).toEqual(recorded);
  }, 90_000);

  it('LOG --out PORT plays the take to a port (in-process); every note-on has its note-off', async () => {
    got.length = 0;
    const r = await inProcess('replay', `${take}.log.json`, '--out', OUT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/played \d+ steps/);
    const recorded = readMidi(new Uint8Array(readFileSync(take)), take).notes;
    const ons = got.filter(isOn);
    expect(ons.map((b) => b[1]).sort()).toEqual(recorded.map((n) => n.note).sort());
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  it('names a missing or broken log and exits 1', async () => {
    const missing = await inProcess('replay', join(tmp, 'nope.log.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.log\.json: no such file or folder \(ENOENT\); check the path/);
    const bad = join(tmp, 'bad.log.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(bad, '{"format":"something else"}'));
    const broken = await inProcess('replay', bad);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/bad\.log\.json: not a pulse-rnn performance log/);
  }, 30_000);

  it('the take named instead of its log replays the log beside it, and says so; a MIDI file with no log says what to name', async () => {
    const r = await inProcess('replay', take, '--midi', join(tmp, 'from-take.mid'));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${take} is a MIDI file: replaying its log, ${take}.log.json`);
    const recorded = readMidi(new Uint8Array(readFileSync(take)), take).notes.map(strip);
    expect(readMidi(new Uint8Array(readFileSync(join(tmp, 'from-take.mid'))), 'from-take.mid').notes.map(strip)).toEqual(recorded);
    const lone = join(tmp, 'lone.mid');
    await import('node:fs/promises').then((fs) => fs.copyFile(take, lone));
    const none = await inProcess('replay', lone);
    expect(none.code).toBe(1);
    expect(none.err).toContain(`${lone} is a MIDI file, not a performance log; name the log record() wrote beside its take (TAKE.mid.log.json)`);
  }, 30_000);
});
