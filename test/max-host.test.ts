/**
 * The Max host: the patch `patches/max/pulse-rnn.maxpat` and the built script
 * `patches/max/pulse-rnn.js` beside it, run in the fake of Max's `[v8]` (helpers/max-fake.ts).
 * The real weights in weights/drums-gmd are read through a File that follows Max's API.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { beforeAll, describe, expect, it } from 'vitest';
import config from '../rollup.config.js';
import type { ModelSpec } from '../src/engine/model.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { CONTROLS, maxName } from '../src/music/controls.js';
import { Generator, type StepResult } from '../src/music/generator.js';
import type { PlayedNote } from '../src/music/generator-types.js';
import { LEAD_STEPS, delayMs, noteList, releaseList } from '../src/hosts/max-notes.js';
import { MaxHost, type Atom } from './helpers/max-fake.js';
import { PatchRun } from './helpers/max-patch.js';
import { ROOT, haveShared, sharedPath } from './helpers/shared.js';

const PATCH = join(ROOT, 'patches/max/pulse-rnn.maxpat');
const SCRIPT = join(ROOT, 'patches/max/pulse-rnn.js');
const WEIGHTS = join(ROOT, 'weights/drums-gmd');
/** A 16th at the script's default 120 BPM. */
const STEP_MS = 125;
/** Every note sounds half a step after its bang, plus its offset: a hit may be half a step early. */
const LEAD_MS = STEP_MS / 2;

// ---- the Node API, for comparison --------------------------------------------------------

/** `note velocity duration-ms delay-ms`, as outlet 0 should send a note of the Node Generator. */
function atoms(n: PlayedNote, stepMs = STEP_MS): Atom[] {
  return [n.note, n.velocity, Math.round(n.length * stepMs), Math.round((stepMs / 2 + n.offset * stepMs) * 100) / 100];
}

/** What the script should send for one tick of the Node Generator. */
function expected(r: StepResult): Atom[][] {
  return r.notes.slice(0, r.count).map((n) => atoms(n));
}

// ---- reading the patch ---------------------------------------------------------------------

interface Box {
  id: string;
  maxclass: string;
  text?: string;
  numinlets: number;
  numoutlets: number;
  outlettype?: string[];
}
interface Line {
  source: [string, number];
  destination: [string, number];
}

const patch = JSON.parse(readFileSync(PATCH, 'utf8')) as { patcher: Record<string, any> };
const boxes: Box[] = patch.patcher.boxes.map((b: { box: Box }) => b.box);
const lines: Line[] = patch.patcher.lines.map((l: { patchline: Line }) => l.patchline);
const byId = new Map(boxes.map((b) => [b.id, b]));
const v8Box = boxes.find((b) => b.maxclass === 'newobj' && /^v8\s/.test(b.text ?? ''));
const boxWith = (text: string) => boxes.find((b) => b.text === text);
const into = (id: string, inlet?: number) => lines.filter((l) => l.destination[0] === id && (inlet === undefined || l.destination[1] === inlet)).map((l) => l.source);
const from = (id: string, outlet?: number) => lines.filter((l) => l.source[0] === id && (outlet === undefined || l.source[1] === outlet)).map((l) => l.destination);

/** Can a message leave `src` (from `outlet`, or any) and reach `dst` through patchlines? */
function reaches(src: string, dst: string, outlet?: number): boolean {
  const seen = new Set<string>();
  const todo = from(src, outlet).map((d) => d[0]);
  while (todo.length) {
    const id = todo.pop() as string;
    if (id === dst) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...from(id).map((d) => d[0]));
  }
  return false;
}

/**
 * Inlets, outlets and outlet types of the Max objects the patch uses, as Max 8/9 saves them
 * (read from patches saved by Max: select has one inlet and outlet per argument plus one).
 */
function maxObject(text: string): { numinlets: number; numoutlets: number; outlettype: string[] } | null {
  const [name, ...args] = text.split(/\s+/);
  const nargs = args.filter((a) => !a.startsWith('@')).length;
  switch (name) {
    case 'rtin':
      return { numinlets: 1, numoutlets: 1, outlettype: ['int'] };
    case 'select':
    case 'sel':
      return { numinlets: nargs + 1, numoutlets: nargs + 1, outlettype: [...Array(nargs).fill('bang'), ''] };
    case 'counter':
      return { numinlets: 5, numoutlets: 4, outlettype: ['int', '', '', 'int'] };
    case 'metro':
      return { numinlets: 2, numoutlets: 1, outlettype: ['bang'] };
    case 'transport':
      return { numinlets: 2, numoutlets: 9, outlettype: ['int', 'int', 'float', 'float', 'float', '', 'int', 'float', ''] };
    case 'loadbang':
      return { numinlets: 1, numoutlets: 1, outlettype: ['bang'] };
    case 'unpack':
      return { numinlets: 1, numoutlets: nargs, outlettype: args.map(numberType) };
    case 'pipe':
      // the last argument is the delay time, in the rightmost inlet; the others are delayed
      return { numinlets: nargs, numoutlets: nargs - 1, outlettype: args.slice(0, -1).map(numberType) };
    case 'makenote':
      return { numinlets: 3, numoutlets: 2, outlettype: ['float', 'float'] };
    case 'noteout':
      return { numinlets: 3, numoutlets: 0, outlettype: [] };
    case 'ctlin':
      // a controller number and a channel as arguments leave only the value's outlet
      return { numinlets: 1, numoutlets: 3 - Math.min(nargs, 2), outlettype: Array(3 - Math.min(nargs, 2)).fill('int') };
    case 'scale':
      return { numinlets: 6, numoutlets: 1, outlettype: [''] };
    case 'round':
      return { numinlets: 2, numoutlets: 1, outlettype: [''] };
    case '>':
      return { numinlets: 2, numoutlets: 1, outlettype: ['int'] };
    case 'change':
      return { numinlets: 1, numoutlets: 3, outlettype: ['', 'int', 'int'] };
    default:
      return null;
  }
}
/** An argument with a decimal point makes that outlet a float one. */
const numberType = (arg: string) => (arg.includes('.') ? 'float' : 'int');

const UI_OBJECTS: Record<string, { numinlets: number; numoutlets: number; outlettype: string[] }> = {
  message: { numinlets: 2, numoutlets: 1, outlettype: [''] },
  comment: { numinlets: 1, numoutlets: 0, outlettype: [] },
  toggle: { numinlets: 1, numoutlets: 1, outlettype: ['int'] },
  number: { numinlets: 1, numoutlets: 2, outlettype: ['', 'bang'] },
  flonum: { numinlets: 1, numoutlets: 2, outlettype: ['', 'bang'] },
};

// ---- the built script ----------------------------------------------------------------------

let code = '';
let spec: ModelSpec;

beforeAll(async () => {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run npm run build`);
  code = readFileSync(SCRIPT, 'utf8');
  spec = await loadModelSpec(WEIGHTS);
}, 60000);

describe('the Max patch', () => {
  it('is a Max 9 patcher whose ids are unique and whose patchlines fit the boxes they join', () => {
    expect(patch.patcher.appversion.major).toBe(9);
    expect(patch.patcher.classnamespace).toBe('box');
    expect(new Set(boxes.map((b) => b.id)).size).toBe(boxes.length);
    for (const b of boxes) {
      expect(Number.isInteger(b.numinlets) && Number.isInteger(b.numoutlets), b.id).toBe(true);
      expect(b.outlettype ?? [], `${b.id} ${b.text ?? b.maxclass}: outlettype`).toHaveLength(b.numoutlets);
    }
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) {
      const src = byId.get(l.source[0]);
      const dst = byId.get(l.destination[0]);
      const what = `${l.source.join(':')} → ${l.destination.join(':')}`;
      expect(src, `${what}: no source box`).toBeDefined();
      expect(dst, `${what}: no destination box`).toBeDefined();
      expect(l.source[1], `${what}: outlet of ${src?.text}`).toBeLessThan(src!.numoutlets);
      expect(l.destination[1], `${what}: inlet of ${dst?.text}`).toBeLessThan(dst!.numinlets);
    }
  });

  it('gives each Max object the inlets, outlets and outlet types Max gives it', () => {
    for (const b of boxes) {
      if (b === v8Box) continue;
      const want = b.maxclass === 'newobj' ? maxObject(b.text ?? '') : UI_OBJECTS[b.maxclass];
      expect(want, `${b.id}: ${b.maxclass} ${b.text ?? ''} is not an object this test knows`).not.toBeNull();
      expect({ numinlets: b.numinlets, numoutlets: b.numoutlets, outlettype: b.outlettype ?? [] }, `${b.id} ${b.text ?? b.maxclass}`).toEqual(want);
    }
  });

  it('runs the script beside it, with the inlets and outlets the script declares', () => {
    expect(v8Box?.text).toBe('v8 pulse-rnn.js');
    const file = join(dirname(PATCH), v8Box!.text!.split(/\s+/)[1]);
    expect(existsSync(file), file).toBe(true);
    const host = new MaxHost(readFileSync(file, 'utf8'));
    expect([v8Box!.numinlets, v8Box!.numoutlets]).toEqual([host.ctx.inlets, host.ctx.outlets]);
  });

  it('loads a weights folder that exists, relative to the patch, when the patch opens', () => {
    const load = boxes.find((b) => b.maxclass === 'message' && /^load\s/.test(b.text ?? ''));
    expect(load).toBeDefined();
    const folder = join(dirname(PATCH), load!.text!.replace(/^load\s+/, ''));
    expect(existsSync(join(folder, 'model.json')), folder).toBe(true);
    expect(into(load!.id).some(([id]) => byId.get(id)?.text === 'loadbang')).toBe(true);
    expect(from(load!.id)).toEqual([[v8Box!.id, 0]]);
    // the comment that tells where the path starts
    expect(boxes.some((b) => b.maxclass === 'comment' && /relative to this patch/.test(b.text ?? ''))).toBe(true);
  });

  it('sends the script only messages it has a handler for', () => {
    const host = new MaxHost(code);
    const senders = into(v8Box!.id).map(([id]) => byId.get(id)!);
    const messages = senders.filter((b) => b.maxclass === 'message');
    expect(messages.length).toBeGreaterThan(8);
    const names = messages.flatMap((m) => m.text!.split(',').map((part) => part.trim().split(/\s+/)[0]));
    for (const n of names) expect(typeof host.ctx[n], `message '${n}'`).toBe('function');
    expect(new Set(names)).toEqual(new Set(['reset', 'locate', 'resume', 'pause', 'bpm', 'temperature', 'density', 'seed', 'mute', 'unmute', 'edit', 'lock', 'unlock', 'load', 'dynamics', 'timing', 'reseed']));
    // the rest are bangs from the clocks
    for (const b of senders.filter((s) => s.maxclass !== 'message')) expect(b.outlettype?.[0], b.text).toBe('bang');
  });

  it('steps on every 6th MIDI clock or on a 16th-note metro, and plays into makenote and noteout 10', () => {
    const rtin = boxWith('rtin')!;
    const select = boxWith('select 248 250 251 252')!;
    const counter = boxWith('counter 0 5')!;
    expect(from(rtin.id)).toEqual([[select.id, 0]]);
    expect(from(select.id, 0)).toEqual([[counter.id, 0]]);
    expect(reaches(counter.id, v8Box!.id)).toBe(true);
    // start: the counter restarts (its third inlet sets the next count) and the model plays from step 0
    const start = from(select.id, 1).map(([id]) => byId.get(id)!);
    expect(start.map((b) => b.text).sort()).toEqual(['0', 'reset, locate 0, resume']);
    expect(from(start.find((b) => b.text === '0')!.id)).toEqual([[counter.id, 2]]);
    expect(from(select.id, 2).map(([id]) => byId.get(id)?.text)).toEqual(['resume']);
    expect(from(select.id, 3).map(([id]) => byId.get(id)?.text).sort()).toEqual(['clear', 'pause']);

    const metro = boxWith('metro 16n @quantize 16n')!;
    expect(from(metro.id)).toEqual([[v8Box!.id, 0]]);
    const toggle = into(metro.id, 0).map(([id]) => byId.get(id)!);
    expect(toggle.map((b) => b.maxclass)).toEqual(['toggle']);
    expect(reaches(toggle[0].id, boxWith('transport')!.id)).toBe(true);

    const unpack = boxWith('unpack 0 0 0 0.')!;
    const pipe = boxWith('pipe 0 0 0 0')!;
    const makenote = boxes.find((b) => /^makenote/.test(b.text ?? ''))!;
    const noteout = boxWith('noteout 10')!;
    expect(from(v8Box!.id, 0)).toEqual([[unpack.id, 0]]);
    // note, velocity and duration wait in the pipe for the delay, which sets its rightmost inlet
    expect(lines.filter((l) => l.source[0] === unpack.id).map((l) => [l.source[1], ...l.destination]).sort()).toEqual([0, 1, 2, 3].map((i) => [i, pipe.id, i]));
    expect(pipe.numinlets).toBe(4);
    expect(lines.filter((l) => l.source[0] === pipe.id).map((l) => [l.source[1], ...l.destination]).sort()).toEqual([0, 1, 2].map((i) => [i, makenote.id, i]));
    expect(from(makenote.id).sort()).toEqual([[noteout.id, 0], [noteout.id, 1]]);
    expect(boxes.filter((b) => b.maxclass === 'comment').length).toBeGreaterThanOrEqual(5);
  });
});

describe('the Max patch on a stop', () => {
  /** Start, then `steps` steps of MIDI clock at 120 BPM, stopping right after the last one's clock. */
  async function playThenStop(stop: (p: PatchRun) => void, steps: number, clocks: boolean) {
    const host = new MaxHost(code, { patchFile: PATCH });
    await host.load();
    host.out.length = 0;
    const run = new PatchRun(patch as never, host);
    if (clocks) run.rtin(250);
    else run.toggle(1);
    let waitingAtStop = 0;
    for (let s = 0; s < steps; s++) {
      // the step's first clock (or the metro's bang) plays it; the last step is stopped at once
      for (let c = 0; c < (s === steps - 1 ? 1 : 6); c++) {
        if (clocks) run.rtin(248);
        else if (c === 0) run.metroBang();
        if (s < steps - 1) run.advance(125 / 6);
      }
    }
    waitingAtStop = run.waiting;
    stop(run);
    const stoppedAt = run.now;
    run.advance(1000);
    return { run, waitingAtStop, stoppedAt };
  }

  it('MIDI stop clears the pipe: the hits of the step its last clock played never sound after it', async () => {
    // the last step plays hits (waitingAtStop says so): they wait half a step in the pipe when the stop comes
    const { run, waitingAtStop, stoppedAt } = await playThenStop((p) => p.rtin(252), 34, true);
    expect(run.played.length).toBeGreaterThan(20);
    expect(waitingAtStop).toBeGreaterThan(0);
    expect(run.played.filter((n) => n.time > stoppedAt)).toEqual([]);
    // each hit before the stop came half a 16th after its clock (a flat model: on its line)
    for (const n of run.played) expect(n.time % 125).toBeCloseTo(62.5, 6);
  }, 60000);

  it('the transport toggle turned off clears the pipe too', async () => {
    const { run, waitingAtStop, stoppedAt } = await playThenStop((p) => p.toggle(0), 34, false);
    expect(waitingAtStop).toBeGreaterThan(0);
    expect(run.played.length).toBeGreaterThan(20);
    expect(run.played.filter((n) => n.time > stoppedAt)).toEqual([]);
  }, 60000);
});

describe('the built Max script', () => {
  it('is one plain script with no import or require, and is what rollup.config.ts builds now', async () => {
    expect(code).not.toMatch(/\brequire\(|\bimport\(|^\s*import\s|^\s*export\s/m);
    const entry = (config as RollupOptions[]).find((c) => (c.output as OutputOptions).file === 'patches/max/pulse-rnn.js');
    expect(entry).toBeDefined();
    const bundle = await rollup(entry!);
    const { output } = await bundle.generate(entry!.output as OutputOptions);
    await bundle.close();
    expect(output[0].code === code, 'patches/max/pulse-rnn.js is older than its sources: run npm run build').toBe(true);
  }, 60000);

  it('declares inlets, outlets and each handler at the top level, and sets its assist texts', () => {
    expect(code).toMatch(/^inlets = /m);
    expect(code).toMatch(/^outlets = /m);
    // one per message of the control table, and the script's own
    const handlers = [...CONTROLS.map(maxName), 'bang', 'get', 'load', 'flush', 'anything', 'msg_int', 'msg_float', 'list'];
    for (const h of handlers) expect(code, h).toMatch(new RegExp(`^function ${h}\\(`, 'm'));
    const host = new MaxHost(code);
    expect([host.ctx.inlets, host.ctx.outlets]).toEqual([1, 2]);
    for (const h of handlers) expect(typeof host.ctx[h], h).toBe('function');
    // nothing of the core leaks into Max's namespace, where a message of that name would call it
    const globals = Object.keys(host.ctx).filter((k) => typeof host.ctx[k] === 'function');
    expect(globals.sort()).toEqual([...handlers, 'Task', 'File', 'outlet', 'post', 'error', 'arrayfromargs', 'setinletassist', 'setoutletassist'].sort());
    for (const k of ['require', 'process', 'Buffer', 'fetch', 'module', 'exports']) expect(typeof host.ctx[k], k).toBe('undefined');
    expect(host.assist.map((a) => a.slice(0, 6))).toEqual(['in 0: ', 'out 0:', 'out 1:']);
  });

  it('plays exactly the notes of the Node API for the same seed and controls', async () => {
    const host = new MaxHost(code, { patchFile: PATCH });
    await host.load();
    expect(host.posts.join('\n')).toMatch(/loaded .*weights\/drums-gmd \(drum-grid/);
    const gen = new Generator(spec);
    for (const [msg, v, set] of [
      ['seed', 7, () => gen.reseed(7)],
      ['temperature', 0.9, () => gen.setTemperature(0.9)],
      ['topp', 0.95, () => gen.setTopP(0.95)],
      ['density', 0.5, () => gen.setDensity(0.5)],
    ] as const) {
      host.send(msg, v);
      set();
    }
    const max = Array.from({ length: 64 }, () => host.bang());
    const node = Array.from({ length: 64 }, () => expected(gen.tick()));
    expect(max).toEqual(node);
    expect(max.flat().length).toBeGreaterThan(40);
    expect(host.errors).toEqual([]);
    // the state outlet counts the steps
    expect(host.state.filter((s) => s[0] === 'step').map((s) => s[1])).toEqual(Array.from({ length: 64 }, (_, i) => i));
    // the seed matters, so the comparison can fail: another seed, the model playing on, other notes
    host.send('reseed', 8);
    gen.reseed(8);
    const again = Array.from({ length: 64 }, () => host.bang());
    expect(again).toEqual(Array.from({ length: 64 }, () => expected(gen.tick())));
    expect(again).not.toEqual(max);
  }, 60000);

  it('follows temperature, seed, pause, resume, mute, edit, lock and reset as the Node API does', async () => {
    const host = new MaxHost(code, { patchFile: PATCH });
    await host.load();
    const gen = new Generator(spec);
    const played: { step: number; notes: Atom[][] }[] = [];
    const play = (n: number) => {
      for (let i = 0; i < n; i++) {
        const notes = host.bang();
        const r = gen.tick();
        expect(notes, `step ${r.step}`).toEqual(expected(r));
        played.push({ step: r.step, notes });
      }
    };
    const both = (msg: string, args: Atom[], node: () => void) => {
      host.send(msg, ...args);
      node();
    };
    const lastStep = () => host.state.filter((s) => s[0] === 'step').at(-1)![1] as number;
    const kicksAt = (steps: typeof played) => steps.filter((p) => p.notes.some((n) => n[0] === 36)).map((p) => p.step % 16);

    both('seed', [3], () => gen.reseed(3));
    both('temperature', [0.6], () => gen.setTemperature(0.6));
    play(16);

    const target = lastStep() + 2;
    both('edit', [target, 'kick', 'snare'], () => gen.edit(target, ['kick', 'snare']));
    play(4);
    expect(played.find((p) => p.step === target)!.notes.map((n) => n[0]).sort()).toEqual([36, 38]);

    const before = kicksAt(played.slice(-16));
    expect(before.length).toBeGreaterThan(0);
    both('lock', ['kick'], () => gen.lock('kick'));
    both('temperature', [1.3], () => gen.setTemperature(1.3));
    play(16);
    expect(kicksAt(played.slice(-16)).sort()).toEqual(before.sort());
    both('unlock', [], () => gen.unlock());
    play(4);

    both('pause', [], () => gen.pause());
    play(3);
    expect(played.slice(-3).map((p) => [p.step, p.notes.length])).toEqual([[-1, 0], [-1, 0], [-1, 0]]);
    both('resume', [], () => gen.resume());
    play(2);
    const pauses = host.state.filter((s) => s[0] === 'paused');
    expect(pauses).toEqual([['paused', 1], ['paused', 0]]);

    both('mute', [], () => gen.mute());
    play(2);
    expect(played.slice(-2).map((p) => p.notes.length)).toEqual([0, 0]);
    both('unmute', [], () => gen.unmute());
    both('reseed', [5], () => gen.reseed(5));
    play(6);
    both('reset', [], () => gen.reset());
    both('density', [2], () => gen.setDensity(2));
    both('topp', [0.8], () => gen.setTopP(0.8));
    play(8);
    both('locate', [0], () => gen.locate(0));
    play(2);
    expect(played.at(-2)!.step).toBe(0);
    expect(host.errors).toEqual([]);
  }, 60000);

  it('reports a bad value by name, keeps playing and changes nothing', async () => {
    const host = new MaxHost(code, { patchFile: PATCH });
    await host.load();
    const gen = new Generator(spec);
    host.send('seed', 4);
    gen.reseed(4);
    const first = Array.from({ length: 8 }, () => host.bang());
    expect(first).toEqual(Array.from({ length: 8 }, () => expected(gen.tick())));
    const next = 8;

    const bad: [string, Atom[], string][] = [
      ['temperature', [NaN], 'NaN'],
      ['temperature', ['abc'], 'abc'],
      ['temperature', [-1], '-1'],
      ['temperature', [], 'takes 1 to 2 values'],
      ['temperature', [0.5, 'nohead'], 'nohead'],
      ['topp', [5], '5'],
      ['topp', [0], '0'],
      ['topp', [1e9], '1000000000'],
      ['density', [1e6], '1000000'],
      ['density', [NaN], 'NaN'],
      ['seed', [2.5], '2.5'],
      ['seed', ['abc'], 'abc'],
      ['reseed', ['abc'], 'abc'],
      ['bpm', [0], '0'],
      ['bpm', [1e9], '1000000000'],
      ['bpm', ['fast'], 'fast'],
      ['edit', ['abc', 'kick'], 'abc'],
      ['edit', [-1, 'kick'], '-1'],
      ['edit', [next + 1, 'cowbell'], 'cowbell'],
      ['edit', [next + 1, 300], '300'],
      ['lock', ['cowbell'], 'cowbell'],
      ['lock', [99], '99'],
      ['lock', ['kick', 1, 0], 'pattern'],
      ['unlock', ['cowbell'], 'cowbell'],
      ['locate', [-1], '-1'],
      ['pause', [1], 'takes no values'],
      ['load', [], 'needs a weights folder'],
    ];
    for (const [msg, args, shown] of bad) {
      const outs = host.out.length;
      const errs = host.errors.length;
      host.send(msg, ...args);
      const said = `${msg} ${args.map(String).join(' ')}`;
      expect(host.errors.length, said).toBe(errs + 1);
      const text = host.errors.at(-1)!;
      expect(text, said).toMatch(/^pulse-rnn: /);
      expect(text.startsWith(`pulse-rnn: ${[msg, ...args.map(String)].join(' ')}: `), `${said} → ${text}`).toBe(true);
      expect(text.split(': ').slice(1).join(': '), said).toContain(shown);
      expect(host.out.slice(outs), said).toEqual([{ outlet: 1, atoms: ['error', text.replace(/^pulse-rnn: /, '').replace(/\n$/, '')] }]);
    }
    // a folder that is not there: reported, and the model already loaded plays on
    host.send('load', '/no/such/weights');
    expect(await host.settle()).toEqual(['error', expect.stringContaining('/no/such/weights')]);

    host.send('temperature', 0.8);
    gen.setTemperature(0.8);
    const after = Array.from({ length: 24 }, () => host.bang());
    expect(after).toEqual(Array.from({ length: 24 }, () => expected(gen.tick())));
    expect(after.flat().length).toBeGreaterThan(10);
    expect(host.state.filter((s) => s[0] === 'tempo')).toEqual([]);
    host.send('bpm', 90);
    expect(host.state.at(-1)).toEqual(['tempo', 90]);
    // durations and delays follow the tempo: a 16th at 90 BPM, and half of one
    const at90 = Array.from({ length: 8 }, () => host.bang()).flat();
    expect(at90.length).toBeGreaterThan(0);
    expect(new Set(at90.map((n) => n[2]))).toEqual(new Set([Math.round(60000 / 90 / 4)]));
    expect(new Set(at90.map((n) => n[3]))).toEqual(new Set([83.33]));
  }, 60000);

  it('sends each hit at its own velocity: a softer snare reaches the notes as the Node API plays it', async () => {
    const host = new MaxHost(code, { patchFile: PATCH });
    await host.load();
    const gen = new Generator(spec, { seed: 9 });
    host.send('seed', 9);
    host.send('velocityscale', 'snare', 0.3);
    gen.setVelocityScale('snare', 0.3);
    const max = Array.from({ length: 32 }, () => host.bang());
    expect(max).toEqual(Array.from({ length: 32 }, () => expected(gen.tick())));
    const snares = max.flat().filter((n) => n[0] === 38);
    expect(snares.length).toBeGreaterThan(2);
    expect(new Set(snares.map((n) => n[1]))).toEqual(new Set([30]));
    expect(new Set(max.flat().filter((n) => n[0] === 36).map((n) => n[1]))).toEqual(new Set([100]));
    expect(host.errors).toEqual([]);
  }, 60000);

  it('says so when it gets a message it does not know, a bare number, or a bang before any model', () => {
    const host = new MaxHost(code);
    host.send('bang');
    host.send('bang');
    expect(host.errors).toHaveLength(1);
    expect(host.errors[0]).toMatch(/bang: no model loaded yet: send load <weights folder> first/);
    host.send('temperature', 0.5);
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn: temperature 0\.5: no model loaded yet/);
    host.send('cowbell', 1, 2);
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn: cowbell 1 2: unknown message; messages are bang, temperature/);
    host.send('msg_int', 3);
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn: 3: a bare number means nothing here/);
    host.send('list', 1, 2);
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn: list 1 2: a bare list/);
    expect(host.out.filter((o) => o.outlet === 0)).toEqual([]);
  });

  it('reads a load path from the patch folder, and needs an absolute path in an unsaved patch', async () => {
    const saved = new MaxHost(code, { patchFile: PATCH });
    saved.send('load', 'my', 'models/drums'); // Max splits a path at its spaces; the script joins it again
    expect(await saved.settle()).toEqual(['error', `load my models/drums: ${join(ROOT, 'patches/max/my models/drums')}: holds neither model.json nor the Wx.bin + Wy.bin pair (or cannot be read)`]);
    saved.send('load', '../../weights/drums-gmd/');
    expect(await saved.settle()).toEqual(['loaded', WEIGHTS]);

    const unsaved = new MaxHost(code);
    unsaved.send('load', '../../weights/drums-gmd');
    expect(await unsaved.settle()).toEqual(['error', expect.stringMatching(/^load \.\.\/\.\.\/weights\/drums-gmd: \.\.\/\.\.\/weights\/drums-gmd: holds neither model\.json/)]);
    unsaved.send('load', `${WEIGHTS}/model.json`);
    expect(await unsaved.settle()).toEqual(['loaded', `${WEIGHTS}/model.json`]);
  }, 60000);

  it('loads model.json with a byte-order mark, and refuses a shard path that leaves the model folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-rnn-max-'));
    try {
      const json = JSON.parse(readFileSync(join(WEIGHTS, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
      const shard = json.weightsManifest[0].paths[0];
      mkdirSync(join(dir, 'good'));
      copyFileSync(join(WEIGHTS, shard), join(dir, 'good', shard));
      writeFileSync(join(dir, 'good', 'model.json'), `\uFEFF${JSON.stringify(json)}`);
      const host = new MaxHost(code);
      host.send('load', join(dir, 'good'));
      expect(await host.settle()).toEqual(['loaded', join(dir, 'good')]);
      mkdirSync(join(dir, 'bad'));
      json.weightsManifest[0].paths = [`../good/${shard}`];
      writeFileSync(join(dir, 'bad', 'model.json'), JSON.stringify(json));
      host.send('load', join(dir, 'bad'));
      expect(await host.settle()).toEqual(['error', expect.stringMatching(/model\.json: weightsManifest\[0\]: shard path '\.\.\/good\/.*' climbs out of the model's folder/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  it.skipIf(!haveShared('fixtures/rnn-drummer'))('plays the RNN-Drummer at once, each hit inside a step told as a longer delay for the pipe', async () => {
    const folder = sharedPath('fixtures/rnn-drummer');
    const host = new MaxHost(code);
    await host.load(folder);
    const gen = new Generator(await loadModelSpec(folder));
    host.send('seed', 11);
    gen.reseed(11);
    let inside = 0;
    for (let t = 0; t < 48; t++) {
      const now = host.bang();
      const r = gen.tick();
      const notes = r.notes.slice(0, r.count);
      expect(now).toEqual(notes.map((n) => atoms(n)));
      for (const [i, n] of notes.entries()) expect(now[i][3]).toBeCloseTo(LEAD_MS + n.offset * STEP_MS, 2);
      inside += notes.filter((n) => n.offset > 0).length;
    }
    expect(inside).toBeGreaterThan(5);
    // the script keeps no time of its own: the pipe in the patch does
    expect(host.tasks).toEqual([]);
    expect(host.errors).toEqual([]);
  }, 60000);

});

describe('the notes the Max script sends', () => {
  const note = (offset: number, velocity = 100, length = 1): PlayedNote => ({ note: 38, velocity, channel: 9, length, offset });

  it('delays each note half a step plus its offset, so a hit half a step early goes out at once', () => {
    expect(LEAD_STEPS).toBe(0.5);
    expect([-0.5, -0.1, 0, 0.3, 0.99].map((o) => delayMs(o, STEP_MS))).toEqual([0, 50, 62.5, 100, 186.25]);
    // further early than the lead (never given by a model) cannot wait a negative time
    expect(delayMs(-0.6, STEP_MS)).toBe(0);
    // at 60 BPM the lead is 125 ms
    expect(delayMs(0, 250)).toBe(125);
    // early and late hits keep their order and their distance in time after the pipe
    const times = [-0.4, -0.1, 0, 0.2].map((o) => delayMs(o, STEP_MS));
    expect(times.map((t, i) => (i ? t - times[i - 1] : 0))).toEqual([0, 37.5, 12.5, 25]);
  });

  it("carries each hit's velocity, its length in ms, and a release at its own time", () => {
    expect(noteList(note(-0.1, 30), STEP_MS)).toEqual([38, 30, 125, 50]);
    expect(noteList(note(0.25, 127, 2), STEP_MS)).toEqual([38, 127, 250, 93.75]);
    expect(noteList(note(0, 1, Infinity), STEP_MS)).toEqual([38, 1, 0, 62.5]);
    expect(releaseList({ note: 60, channel: 0, offset: 0.5 }, STEP_MS)).toEqual([60, 0, 0, 125]);
  });
});
