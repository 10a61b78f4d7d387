/**
 * The Max script reads the control table: its messages, their argument counts and ranges,
 * its error and assist texts and the README's message list all come from
 * `src/music/controls.ts`; reading the settings (`get`, reports when they apply); what
 * carries over when another model loads; `prime` from a MIDI file read with Max's File.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { readMidi } from '../src/io/midi-read.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { CONTROLS, isNumberArg, maxName, rangeText, type NumberArg } from '../src/music/controls.js';
import { Generator, type StepResult } from '../src/music/generator.js';
import { readmeRow } from '../src/hosts/max-messages.js';
import { MaxHost, type Atom } from './helpers/max-fake.js';
import { ROOT, haveShared, sharedPath } from './helpers/shared.js';
import { END, note, smf } from './helpers/smf-bytes.js';

const PATCH = join(ROOT, 'patches/max/pulse-rnn.maxpat');
const SCRIPT = join(ROOT, 'patches/max/pulse-rnn.js');
const WEIGHTS = join(ROOT, 'weights/drums-gmd');
const README = join(ROOT, 'patches/max/README.md');
const STEP_MS = 125;
/** The messages the script answers besides the table's, and Max's own calls. */
const OWN = ['bang', 'get', 'load', 'flush'];
const MAX_CALLS = ['anything', 'msg_int', 'msg_float', 'list'];

/** `note velocity duration-ms delay-ms`: each note waits in the patch's pipe half a step plus its offset. */
const atoms = (n: { note: number; velocity: number; length: number; offset: number }): Atom[] => [n.note, n.velocity, Math.round(n.length * STEP_MS), Math.round((0.5 + n.offset) * STEP_MS * 100) / 100];
const expected = (r: StepResult): Atom[][] => r.notes.slice(0, r.count).map(atoms);
/** The script's own functions: every global function but what the fake of Max put there. */
const scriptFunctions = (host: MaxHost) => Object.keys(host.ctx).filter((k) => typeof host.ctx[k] === 'function' && !['Task', 'File', 'outlet', 'post', 'error', 'arrayfromargs', 'setinletassist', 'setoutletassist'].includes(k));

let code = '';
let spec: ModelSpec;
const tmp = mkdtempSync(join(tmpdir(), 'pulse-rnn-max-msg-'));

beforeAll(async () => {
  code = readFileSync(SCRIPT, 'utf8');
  spec = await loadModelSpec(WEIGHTS);
}, 60000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function loaded(): Promise<MaxHost> {
  const host = new MaxHost(code, { patchFile: PATCH });
  await host.load();
  return host;
}

describe("the Max script's messages are the control table's", () => {
  it('has one handler per control, named by maxName, plus its own, and says so when a message is unknown', () => {
    const host = new MaxHost(code);
    const names = CONTROLS.map(maxName);
    expect(names).toContain('topp');
    expect(names).toContain('primerandom');
    expect(scriptFunctions(host).sort()).toEqual([...names, ...OWN, ...MAX_CALLS].sort());
    host.send('cowbell', 1);
    expect(host.errors.at(-1)).toBe(`pulse-rnn: cowbell 1: unknown message; messages are bang, ${names.join(', ')}, get, load, flush\n`);
    // the inlet's assist names every message; the state outlet's names each setting it reports
    expect(host.assist[0]).toBe(`in 0: bang: one 16th of the clock; ${names.join(', ')}, get, load, flush`);
    for (const c of CONTROLS.filter((x) => x.kind === 'value' && x.owner === 'generator')) expect(host.assist[2]).toContain(`${maxName(c)} ${(c.args[0] as NumberArg).type === 'integer' ? 'i' : 'f'}`);
  });

  it("refuses a number outside each control's range with the table's words, and takes its ends", async () => {
    const host = await loaded();
    const numeric = CONTROLS.filter((c) => c.args[0] && isNumberArg(c.args[0]));
    expect(numeric.map(maxName).sort()).toEqual(['bpm', 'density', 'dynamics', 'locate', 'recall', 'reseed', 'seed', 'store', 'swing', 'temperature', 'timing', 'topp']);
    for (const c of numeric) {
      const a = c.args[0] as NumberArg;
      const label = a.name === 'value' ? c.name : `${c.name}: ${a.name}`;
      const below = a.minExclusive ? a.min : a.min - 1;
      const outside = a.max === Number.MAX_SAFE_INTEGER ? [below] : [below, a.max + 1];
      for (const v of outside) {
        host.send(maxName(c), v);
        expect(host.errors.at(-1)).toBe(`pulse-rnn: ${maxName(c)} ${v}: ${label}: ${v} is out of range; give ${rangeText(a)}\n`);
      }
      const errors = host.errors.length;
      host.send(maxName(c), a.minExclusive ? a.step : a.min);
      host.send(maxName(c), a.max === Number.MAX_SAFE_INTEGER ? 0 : a.max);
      expect(host.errors.slice(errors), maxName(c)).toEqual([]);
    }
    // counts come from the table too
    host.send('primerandom', 1);
    expect(host.errors.at(-1)).toBe('pulse-rnn: primerandom 1: takes no values\n');
    host.send('clearedit');
    expect(host.errors.at(-1)).toBe('pulse-rnn: clearedit: takes 1 value(s), got 0\n');
  }, 60000);

  it('dynamics, timing and velocityscale play as the Generator does; velocityscale refuses a scale outside the table', async () => {
    const host = await loaded();
    const gen = new Generator(spec);
    host.send('velocityscale', 'kick', 3);
    expect(host.errors.at(-1)).toBe(`pulse-rnn: velocityscale kick 3: velocityScale: scale: 3 is out of range; give ${rangeText(CONTROLS.find((c) => c.name === 'velocityScale')!.args[1] as NumberArg)}\n`);
    host.send('dynamics', 2.5);
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn: dynamics 2\.5: dynamics: 2\.5 is out of range; give a number from 0 \(flat\) to 2/);
    const errors = host.errors.length;
    host.send('velocityscale', 'kick', 0.5);
    host.send('dynamics', 0.5);
    host.send('timing', 0);
    gen.setVelocityScale('kick', 0.5);
    gen.setDynamics(0.5);
    gen.setTiming(0);
    const kicks: Atom[] = [];
    for (let i = 0; i < 32; i++) {
      const notes = host.bang();
      expect(notes).toEqual(expected(gen.tick()));
      for (const n of notes) if (n[0] === 36) kicks.push(n[1]);
    }
    expect(kicks.length).toBeGreaterThan(0);
    expect(new Set(kicks)).toEqual(new Set([50]));
    expect(host.state).toContainEqual(['dynamics', 0.5]);
    expect(host.state).toContainEqual(['timing', 0]);
    expect(host.errors.length).toBe(errors);
  }, 60000);

  it('reseed picks a new random seed, or the one given, and the model plays on from where it is', async () => {
    const host = await loaded();
    const gen = new Generator(spec);
    host.send('seed', 3);
    gen.reseed(3);
    for (let i = 0; i < 12; i++) expect(host.bang()).toEqual(expected(gen.tick()));
    const seeds = new Set<Atom>();
    for (let round = 0; round < 3; round++) {
      host.send('reseed');
      const notes = host.bang();
      const seed = host.state.filter((s) => s[0] === 'seed').at(-1)![1] as number;
      seeds.add(seed);
      gen.reseed(seed);
      expect(notes).toEqual(expected(gen.tick()));
      for (let i = 0; i < 8; i++) expect(host.bang()).toEqual(expected(gen.tick()));
    }
    expect(seeds.size).toBe(3);
    // not a reset: a reset from the same seed plays otherwise
    const reset = new Generator(spec, { seed: 9 });
    const played = (g: Generator) => Array.from({ length: 32 }, () => expected(g.tick()));
    host.send('reseed', 9);
    gen.reseed(9);
    const max = Array.from({ length: 32 }, () => host.bang());
    expect(max).toEqual(played(gen));
    expect(max).not.toEqual(played(reset));
    host.send('reset');
    expect(host.errors).toEqual([]);
  }, 60000);

  it('lock takes a pattern and bars by name, edit takes +N for steps ahead', async () => {
    const host = await loaded();
    const gen = new Generator(spec);
    const both = (msg: string, args: Atom[], node: () => void) => {
      host.send(msg, ...args);
      node();
    };
    const play = (n: number) => Array.from({ length: n }, () => {
      const notes = host.bang();
      expect(notes).toEqual(expected(gen.tick()));
      return notes;
    });
    play(5);
    both('edit', ['+3', 'crash'], () => gen.edit(gen.step + 3, ['crash']));
    expect(play(4)[3].map((n) => n[0])).toEqual([49]);
    const pattern = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0];
    both('lock', ['kick', ...pattern, 'bars', 1], () => gen.lock('kick', { pattern, bars: 1 }));
    both('lock', ['snare', 'bars', 2], () => gen.lock('snare', { bars: 2 }));
    both('temperature', [1.5], () => gen.setTemperature(1.5));
    const bar = play(16);
    const kicks = bar.map((n, i) => (n.some((x) => x[0] === 36) ? 1 : 0));
    const from = gen.step - 16;
    expect(kicks).toEqual(Array.from({ length: 16 }, (_, i) => pattern[(from + i) % 16]));
    play(24);
    host.send('lock', 'kick', 'bars');
    expect(host.errors.at(-1)).toBe('pulse-rnn: lock kick bars: bars needs a value after it\n');
    host.send('edit', '+5000', 'kick');
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn: edit \+5000 kick: edit: step \d+ is more than 4096 steps ahead/);
    expect(host.errors).toHaveLength(2);
  }, 60000);

  it("patches/max/README.md lists every control's message with its arguments and range as the table says", () => {
    const readme = readFileSync(README, 'utf8');
    const rows = readme.split('\n').filter((l) => /^\| `/.test(l));
    const named = (l: string) => l.slice(3).split(/[ `]/)[0];
    expect(rows.map(named).sort()).toEqual([...CONTROLS.map(maxName), ...OWN].sort());
    for (const c of CONTROLS) {
      const row = rows.find((l) => named(l) === maxName(c))!;
      for (const a of c.args.filter(isNumberArg)) expect(row, maxName(c)).toContain(`${a.name}: ${rangeText(a)}`);
      expect(row, `the README's row for ${maxName(c)} differs from the table; it should read\n${CONTROLS.map(readmeRow).join('\n')}\n`).toBe(readmeRow(c));
    }
  });
});

describe('reading the settings from Max', () => {
  it('reports each setting on outlet 1 when it applies, and get answers what plays now', async () => {
    const host = await loaded();
    const said = () => host.state.length;
    host.send('get');
    expect(host.state).toContainEqual(['loaded', WEIGHTS]);
    expect(host.state.slice(-10)).toEqual([['temperature', 1], ['topp', 1], ['density', 0], ['dynamics', 1], ['timing', 1], ['seed', 1], ['tempo', 120], ['swing', 0], ['paused', 0], ['muted', 0]]);
    host.send('temperature', 1.3);
    host.send('topp', 0.7);
    host.send('seed', 5);
    const before = said();
    host.send('get', 'temperature', 'topp');
    // not applied yet: get tells what plays now
    expect(host.state.slice(before)).toEqual([['temperature', 1], ['topp', 1]]);
    const atBang = said();
    host.bang();
    expect(host.state.slice(atBang)).toEqual([['temperature', 1.3], ['topp', 0.7], ['seed', 5], ['step', 0]]);
    // unchanged settings are not told again
    const quiet = said();
    host.send('density', 0);
    host.bang();
    expect(host.state.slice(quiet)).toEqual([['step', 1]]);
    host.send('get', 'topp');
    expect(host.state.at(-1)).toEqual(['topp', 0.7]);
    host.send('get', 'cowbell');
    expect(host.errors.at(-1)).toBe('pulse-rnn: get cowbell: cowbell is not a setting; give one of temperature, topp, density, dynamics, timing, seed, bpm, swing, paused, muted\n');
  }, 60000);

  it('get without a model answers the tempo and says a model is needed for the rest', () => {
    const host = new MaxHost(code);
    host.send('get', 'bpm');
    expect(host.state).toEqual([['tempo', 120]]);
    host.send('get', 'seed');
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn: get seed: no model loaded yet/);
  });
});

describe('loading another model keeps what the performer set', () => {
  it('carries values sent since the last bang, pause and mute to the new model', async () => {
    const host = await loaded();
    for (let i = 0; i < 4; i++) host.bang();
    host.send('temperature', 1.3);
    host.send('topp', 0.7);
    host.send('density', 0.5);
    host.send('seed', 21);
    host.send('dynamics', 0.5);
    host.send('timing', 0);
    host.send('velocityscale', 'kick', 0.5);
    await host.load();
    const gen = new Generator(spec, { temperature: 1.3, topP: 0.7, density: 0.5, seed: 21, dynamics: 0.5, timing: 0 });
    gen.setVelocityScale('kick', 0.5);
    // it comes in where the clock is: the 5th 16th
    gen.locate(4);
    const max = Array.from({ length: 48 }, () => host.bang());
    expect(max).toEqual(Array.from({ length: 48 }, () => expected(gen.tick())));
    expect(max.flat().length).toBeGreaterThan(20);
    expect(max.flat().some((n) => n[0] === 36 && n[1] === 50)).toBe(true);
    host.send('get', 'temperature', 'topp', 'density', 'seed', 'dynamics', 'timing');
    expect(host.state.slice(-6)).toEqual([['temperature', 1.3], ['topp', 0.7], ['density', 0.5], ['seed', 21], ['dynamics', 0.5], ['timing', 0]]);

    host.send('pause');
    host.send('mute');
    await host.load();
    host.bang();
    host.send('get', 'paused', 'muted');
    expect(host.state.slice(-2)).toEqual([['paused', 1], ['muted', 1]]);
    expect(host.errors).toEqual([]);
  }, 60000);

  it.skipIf(!haveShared('fixtures/rnn-drummer'))('keeps per-head temperatures for a model with the same heads, else the first head’s', async () => {
    const folder = sharedPath('fixtures/rnn-drummer');
    const host = new MaxHost(code);
    await host.load(folder);
    host.send('seed', 4);
    host.send('temperature', 0.5, 'note');
    host.bang();
    host.send('temperature', 1.7, 'tick');
    await host.load(folder);
    const gen = new Generator(await loadModelSpec(folder), { seed: 4, temperature: 0.5 });
    gen.setTemperature(1.7, 'tick');
    gen.locate(1);
    const reported = host.state.length;
    let inside = 0;
    for (let i = 0; i < 32; i++) {
      const now = host.bang();
      const r = gen.tick();
      expect(now).toEqual(expected(r));
      inside += r.count;
    }
    expect(inside).toBeGreaterThan(10);
    // the head set alone applies at the new model's first step, and is reported then
    expect(host.state.slice(reported).filter((x) => x[0] === 'temperature')).toEqual([['temperature', 1.7, 'tick']]);
    host.send('get', 'temperature');
    expect(host.state.slice(-2)).toEqual([['temperature', 0.5, 'note'], ['temperature', 1.7, 'tick']]);
    await host.load(WEIGHTS);
    host.send('get', 'temperature');
    expect(host.state.at(-1)).toEqual(['temperature', 0.5]);
    expect(host.errors).toEqual([]);
  }, 60000);
});

describe('prime from a MIDI file', () => {
  /** Two bars of a rock beat on channel 10: a kick, snare or hat on each 16th. */
  const beat = () => {
    const hits = [36, 42, 42, 42, 38, 42, 42, 42, 36, 42, 36, 42, 38, 42, 42, 42];
    const track = [...hits, ...hits].flatMap((p, i) => note(i === 0 ? 0 : 60, p, 60, 9));
    return smf([[...track, ...END]], { ticksPerQuarter: 480 });
  };

  it('reads the file with File, relative to the patch or absolute, and plays on from it as the Node API does', async () => {
    const file = join(tmp, 'beat.mid');
    writeFileSync(file, beat());
    const host = await loaded();
    const gen = new Generator(spec);
    for (const [msg, v] of [['seed', 6], ['temperature', 0.9]] as const) host.send(msg, v);
    gen.reseed(6);
    gen.setTemperature(0.9);
    for (let i = 0; i < 8; i++) expect(host.bang()).toEqual(expected(gen.tick()));
    host.send('prime', file);
    gen.prime(gen.codec.fromSong(readMidi(new Uint8Array(readFileSync(file)), file)).events);
    const primedAt = host.state.length;
    const after = Array.from({ length: 32 }, () => host.bang());
    expect(after).toEqual(Array.from({ length: 32 }, () => expected(gen.tick())));
    expect(host.state.slice(primedAt).filter((s) => s[0] === 'primed')).toEqual([['primed', 8]]);
    expect(host.posts.at(-1)).toMatch(/^pulse-rnn: priming from .*beat\.mid \(32 notes\)/);
    expect(host.errors).toEqual([]);
    // a path relative to the patch, split at its spaces as Max does
    host.send('prime', '../../no', 'such.mid');
    expect(host.errors.at(-1)).toBe(`pulse-rnn: prime ../../no such.mid: ${join(ROOT, 'no such.mid')}: cannot open\n`);
    writeFileSync(join(tmp, 'not.mid'), 'hello');
    host.send('prime', join(tmp, 'not.mid'));
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn: prime .*not\.mid: .*not\.mid/);
    host.send('prime');
    expect(host.errors.at(-1)).toBe('pulse-rnn: prime: takes at least 1 value(s), got 0\n');
  }, 60000);
});
