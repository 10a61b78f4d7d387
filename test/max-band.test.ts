/**
 * A Max set of several parts: `patches/max/pulse-rnn-band.maxpat`, drums and keys, one
 * `[v8 pulse-rnn.js]` each, stepped by one shared clock. The patch is read as JSON and its cords
 * followed from the clock (MIDI clock in, or the metro on Max's transport) to both scripts and
 * from each script to its own `[noteout]`; then it runs (helpers/max-parts.ts) with the built
 * script in two fake `[v8]`s, a drum model and a melody model, on one clock: their bars line
 * up, their channels differ, and after a stop every note-on has had its note-off.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MaxHost, type Atom } from './helpers/max-fake.js';
import { BandRun, melodicParts, type BandPatch, type Box, type Line, type Sounded } from './helpers/max-parts.js';
import { ROOT } from './helpers/shared.js';

const PATCH = join(ROOT, 'patches/max/pulse-rnn-band.maxpat');
const SCRIPT = join(ROOT, 'patches/max/pulse-rnn.js');
const DRUMS = join(ROOT, 'weights/drums-gmd');
/** A 16th at 120 BPM, the scripts' tempo until told. */
const STEP_MS = 125;

const patch = JSON.parse(readFileSync(PATCH, 'utf8')) as BandPatch & { patcher: Record<string, unknown> };
const boxes: Box[] = patch.patcher.boxes.map((b) => b.box);
const lines: Line[] = patch.patcher.lines.map((l) => l.patchline);
const byId = new Map(boxes.map((b) => [b.id, b]));
const withText = (re: RegExp) => boxes.filter((b) => re.test(b.text ?? ''));
const only = (text: string) => {
  const found = boxes.filter((b) => b.text === text);
  expect(found.map((b) => b.text), text).toEqual([text]);
  return found[0];
};
const from = (id: string, outlet?: number) => lines.filter((l) => l.source[0] === id && (outlet === undefined || l.source[1] === outlet)).map((l) => l.destination);
const scripts = withText(/^v8\s/);
const partOf = (b: Box) => (b.text ?? '').split(/\s+/)[2];
const script = (part: string) => scripts.find((b) => partOf(b) === part)!;

/** Every box a message leaving `src` (from `outlet`, or any) can reach along the cords, with the inlet it enters by. */
function reached(src: string, outlet?: number): Map<string, Set<number>> {
  const seen = new Map<string, Set<number>>();
  const todo = from(src, outlet);
  while (todo.length) {
    const [id, inlet] = todo.pop()!;
    const inlets = seen.get(id) ?? new Set<number>();
    if (inlets.has(inlet)) continue;
    inlets.add(inlet);
    seen.set(id, inlets);
    // a script's notes do not lead back to the clock; its state outlet leads nowhere
    todo.push(...from(id));
  }
  return seen;
}

/** Inlets, outlets and outlet types of the objects the band patch uses, as Max saves them. */
function maxObject(text: string): { numinlets: number; numoutlets: number; outlettype: string[] } | null {
  const [name, ...args] = text.split(/\s+/);
  const nargs = args.filter((a) => !a.startsWith('@')).length;
  const known: Record<string, () => { numinlets: number; numoutlets: number; outlettype: string[] }> = {
    rtin: () => ({ numinlets: 1, numoutlets: 1, outlettype: ['int'] }),
    select: () => ({ numinlets: nargs + 1, numoutlets: nargs + 1, outlettype: [...Array(nargs).fill('bang'), ''] }),
    counter: () => ({ numinlets: 5, numoutlets: 4, outlettype: ['int', '', '', 'int'] }),
    metro: () => ({ numinlets: 2, numoutlets: 1, outlettype: ['bang'] }),
    transport: () => ({ numinlets: 2, numoutlets: 9, outlettype: ['int', 'int', 'float', 'float', 'float', '', 'int', 'float', ''] }),
    loadbang: () => ({ numinlets: 1, numoutlets: 1, outlettype: ['bang'] }),
    t: () => ({ numinlets: 1, numoutlets: nargs, outlettype: args.map((a) => (a === 'b' ? 'bang' : a === 'i' ? 'int' : a === 'f' ? 'float' : '')) }),
    unpack: () => ({ numinlets: 1, numoutlets: nargs, outlettype: args.map((a) => (a.includes('.') ? 'float' : 'int')) }),
    pipe: () => ({ numinlets: nargs, numoutlets: nargs - 1, outlettype: args.slice(0, -1).map((a) => (a.includes('.') ? 'float' : 'int')) }),
    '!=': () => ({ numinlets: 2, numoutlets: 1, outlettype: ['int'] }),
    '+': () => ({ numinlets: 2, numoutlets: 1, outlettype: ['int'] }),
    gate: () => ({ numinlets: 2, numoutlets: Number(args[0]), outlettype: Array(Number(args[0])).fill('') }),
    makenote: () => ({ numinlets: 3, numoutlets: 2, outlettype: ['float', 'float'] }),
    noteout: () => ({ numinlets: 3, numoutlets: 0, outlettype: [] }),
    v8: () => ({ numinlets: 1, numoutlets: 2, outlettype: ['', ''] }),
  };
  known.sel = known.select;
  return known[name]?.() ?? null;
}

describe('the band patch: one [v8] per part on one clock', () => {
  it('is a Max 9 patcher whose ids are unique, whose boxes have the inlets and outlets Max gives them, and whose cords fit them', () => {
    expect(patch.patcher.appversion).toMatchObject({ major: 9 });
    expect(patch.patcher.classnamespace).toBe('box');
    expect(new Set(boxes.map((b) => b.id)).size).toBe(boxes.length);
    for (const b of boxes.filter((x) => x.maxclass === 'newobj')) {
      const want = maxObject(b.text ?? '');
      expect(want, `[${b.text}] is an object this test knows`).not.toBeNull();
      // Max leaves out the outlet types of a box with no outlets
      expect({ numinlets: b.numinlets, numoutlets: b.numoutlets, outlettype: b.outlettype ?? [] }, b.text).toEqual(want);
    }
    for (const l of lines) {
      const s = byId.get(l.source[0])!;
      const d = byId.get(l.destination[0])!;
      expect(s && d, JSON.stringify(l)).toBeTruthy();
      expect(l.source[1], `${s.text} outlet`).toBeLessThan(s.numoutlets);
      expect(l.destination[1], `${d.text} inlet`).toBeLessThan(d.numinlets);
    }
  });

  it('has a script per part, drums and keys, each the built script beside the patch, loading a model that exists', () => {
    expect(scripts.map(partOf).sort()).toEqual(['drums', 'keys']);
    for (const s of scripts) {
      expect(s.text).toMatch(/^v8 pulse-rnn\.js \w+$/);
      expect(existsSync(join(dirname(PATCH), 'pulse-rnn.js'))).toBe(true);
      const loads = boxes.filter((b) => b.maxclass === 'message' && /^load\s/.test(b.text ?? '') && from(b.id).some(([id]) => id === s.id));
      expect(loads.length, partOf(s)).toBe(1);
      const folder = join(dirname(PATCH), loads[0].text!.replace(/^load\s+/, ''));
      expect(existsSync(join(folder, 'model.json')), folder).toBe(true);
      // loaded when the patch opens
      expect(reached(only('loadbang').id).has(loads[0].id)).toBe(true);
    }
  });

  it('bangs both scripts from one clock: every 6th MIDI clock or the 16th-note metro, through one shared [t b b]', () => {
    const select = only('select 248 250 251 252');
    const metro = only('metro 16n @quantize 16n');
    const counter = only('counter 0 5');
    expect(from(only('rtin').id)).toEqual([[select.id, 0]]);
    expect(from(select.id, 0)).toEqual([[counter.id, 0]]);
    // the one box every bang to a script passes through
    const clocks = [reached(select.id, 0), reached(metro.id)];
    const shared = boxes.filter((b) => /^t b b$/.test(b.text ?? '') && clocks.every((r) => r.has(b.id)));
    expect(shared).toHaveLength(1);
    expect(from(shared[0].id).map(([id, inlet]) => [partOf(byId.get(id)!), inlet]).sort()).toEqual([['drums', 0], ['keys', 0]]);
    for (const s of scripts) for (const r of clocks) expect(r.get(s.id), partOf(s)).toEqual(new Set([0]));
    // nothing else bangs a script: its other senders are message boxes
    for (const s of scripts) {
      const senders = lines.filter((l) => l.destination[0] === s.id).map((l) => byId.get(l.source[0])!);
      expect(senders.filter((b) => b.maxclass !== 'message').map((b) => b.id)).toEqual([shared[0].id]);
    }
  });

  it('starts every part at step 0 together and stops them together, clearing both pipes and flushing both scripts', () => {
    const select = only('select 248 250 251 252');
    const said = (src: string, outlet?: number) => {
      const r = reached(src, outlet);
      return (part: string) => boxes.filter((b) => b.maxclass === 'message' && r.has(b.id) && from(b.id).some(([id]) => id === script(part).id)).map((b) => b.text);
    };
    for (const part of ['drums', 'keys']) {
      expect(said(select.id, 1)(part), `start: ${part}`).toEqual(['reset, locate 0, resume']);
      expect(said(select.id, 2)(part), `continue: ${part}`).toEqual(['resume']);
      expect(said(select.id, 3)(part), `stop: ${part}`).toEqual(['pause, flush']);
    }
    const pipes = withText(/^pipe /);
    expect(pipes).toHaveLength(2);
    const toggle = boxes.find((b) => b.maxclass === 'toggle')!;
    for (const stop of [reached(select.id, 3), reached(toggle.id)]) for (const p of pipes) expect(stop.get(p.id)).toContain(0);
    const toggled = said(toggle.id);
    for (const part of ['drums', 'keys']) expect(toggled(part).sort(), part).toEqual(['flush', 'locate 0, resume']);
    // the toggle rewinds the transport to tick 0 (its right inlet) and starts it
    const transport = only('transport');
    expect(reached(toggle.id).get(transport.id)).toEqual(new Set([0, 1]));
  });

  it("sends each script's notes to its own [noteout], drums on channel 10 and keys on channel 1, held notes straight and timed ones through [makenote]", () => {
    const channels = scripts.map((s) => {
      const outs = [...reached(s.id, 0).keys()].map((id) => byId.get(id)!).filter((b) => /^noteout /.test(b.text ?? ''));
      expect(outs, partOf(s)).toHaveLength(1);
      expect(reached(s.id, 0).get(outs[0].id)).toEqual(new Set([0, 1]));
      return [partOf(s), Number(outs[0].text!.split(' ')[1])];
    });
    expect(Object.fromEntries(channels)).toEqual({ drums: 10, keys: 1 });
    for (const s of scripts) {
      const r = reached(s.id, 0);
      expect([...r.keys()].map((id) => byId.get(id)!.text?.split(' ')[0]).sort(), partOf(s)).toEqual(['!=', '+', 'gate', 'makenote', 'noteout', 'pipe', 'unpack']);
    }
  });

  it("gives each part its own controls: its load, temperature, seed, mute, lock and edit reach its script alone", () => {
    const messages = (s: Box) => lines.filter((l) => l.destination[0] === s.id).map((l) => byId.get(l.source[0])!).filter((b) => b.maxclass === 'message');
    // the transport's messages go to every part; the rest to one
    const everyPart = messages(scripts[0]).filter((b) => messages(scripts[1]).includes(b));
    expect(everyPart.map((b) => b.text).sort()).toEqual(['bpm $1', 'flush', 'locate 0, resume', 'pause, flush', 'reset, locate 0, resume', 'resume']);
    for (const s of scripts) {
      const own = messages(s).filter((b) => !everyPart.includes(b));
      const names = own.map((b) => b.text!.split(/\s+/)[0]);
      for (const n of ['load', 'temperature', 'seed', 'mute', 'unmute', 'pause', 'resume', 'reseed', 'lock', 'unlock', 'edit']) expect(names, `${partOf(s)}: ${n}`).toContain(n);
      for (const b of own) expect(from(b.id).map(([id]) => id), `${partOf(s)}: [${b.text}(`).toEqual([s.id]);
    }
  });

  it('sends the scripts only messages they have a handler for', () => {
    const host = new MaxHost(readFileSync(SCRIPT, 'utf8'));
    for (const s of scripts) {
      const messages = lines.filter((l) => l.destination[0] === s.id).map((l) => byId.get(l.source[0])!).filter((b) => b.maxclass === 'message');
      for (const m of messages.flatMap((b) => b.text!.split(',').map((p) => p.trim().split(/\s+/)[0]))) expect(typeof host.ctx[m], `${partOf(s)}: ${m}`).toBe('function');
    }
  });
});

describe('the band patch playing: drums and a melody on one clock', () => {
  const parts = melodicParts(SCRIPT);

  async function band(keysModel: string) {
    const drums = new MaxHost(parts.code, { patchFile: PATCH });
    const keys = new MaxHost(parts.code, { patchFile: PATCH });
    await drums.load(DRUMS);
    await keys.load(keysModel);
    drums.out.length = 0;
    keys.out.length = 0;
    const run = new BandRun(patch, { [script('drums').id]: drums, [script('keys').id]: keys });
    const steps = (part: string) => run.states.get(script(part).id)!.filter((s) => s[0] === 'step').map((s) => s[1] as number);
    return { run, drums, keys, steps };
  }

  /** `n` 16ths of MIDI clock at 120 BPM (6 clocks each). */
  const clocks = (run: BandRun, n: number) => {
    for (let i = 0; i < n * 6; i++) {
      run.rtin(248);
      run.advance(STEP_MS / 6);
    }
  };
  const onChannel = (sounded: Sounded[], ch: number) => sounded.filter((s) => s.channel === ch);

  it('MIDI start: both parts play step for step, bar for bar, each on its channel; stop leaves no note sounding', async () => {
    const { run, drums, keys, steps } = await band(parts.melody);
    run.rtin(250);
    clocks(run, 37);
    expect(steps('drums')).toEqual(Array.from({ length: 37 }, (_, i) => i));
    expect(steps('keys')).toEqual(steps('drums'));
    const drumNotes = onChannel(run.sounded, 10);
    const keyNotes = onChannel(run.sounded, 1);
    expect(drumNotes.filter((s) => s.velocity > 0).length).toBeGreaterThan(20);
    expect(keyNotes.filter((s) => s.velocity > 0).length).toBeGreaterThan(10);
    expect(run.sounded.every((s) => s.channel === 10 || s.channel === 1)).toBe(true);
    for (const s of keyNotes) expect(s.note >= 60 && s.note <= 71, `${s.note}`).toBe(true);
    // on the same 16ths: every note-on of either part lands half a 16th after a clock
    for (const s of run.sounded.filter((x) => x.velocity > 0)) expect(s.time % STEP_MS).toBeCloseTo(62.5, 6);
    // the keys held notes across steps: a note-off came more than a 16th after its note-on
    const heldLong = keyNotes.filter((s, i) => s.velocity > 0 && keyNotes.slice(i + 1).find((o) => o.note === s.note)!?.time - s.time > STEP_MS);
    expect(heldLong.length).toBeGreaterThan(0);
    // the stop comes right after a clock: notes of that step wait in the pipes, and a held note sounds
    run.rtin(248);
    expect(run.open().length).toBeGreaterThan(0);
    run.rtin(252);
    run.advance(2000);
    expect(run.open()).toEqual([]);
    expect(drums.errors.concat(keys.errors)).toEqual([]);
    // continue: both go on from the step after the last
    run.rtin(251);
    clocks(run, 2);
    expect(steps('keys').slice(-2)).toEqual([38, 39]);
    expect(steps('drums').slice(-2)).toEqual([38, 39]);
  }, 60000);

  it("Max's transport: the toggle starts both at step 0, a chord part of quarters steps on every 4th 16th, on the drums' beats; off leaves nothing on", async () => {
    const { run, keys, steps } = await band(parts.chords);
    run.toggle(1);
    const keySteps: [number, number][] = [];
    for (let i = 0; i < 33; i++) {
      const before = steps('keys').length;
      run.metroBang();
      if (steps('keys').length > before) keySteps.push([steps('drums').at(-1)!, steps('keys').at(-1)!]);
      run.advance(STEP_MS);
    }
    // keys step k plays with drum step 4k: bar lines and beats together
    expect(keySteps).toEqual(Array.from({ length: 9 }, (_, k) => [4 * k, k]));
    const chordsOn = onChannel(run.sounded, 1).filter((s) => s.velocity > 0);
    expect(chordsOn.length).toBeGreaterThan(4);
    for (const s of chordsOn) expect(s.time % (4 * STEP_MS)).toBeCloseTo(62.5, 6);
    // the toggle turned off a moment after a bang: the chord held, the pipes waiting
    run.metroBang();
    run.advance(10);
    expect(run.open().some((k) => k.startsWith('1:'))).toBe(true);
    run.toggle(0);
    run.advance(2000);
    expect(run.open()).toEqual([]);
    expect(keys.errors).toEqual([]);
  }, 60000);

  it('a part loaded into a running set comes in on the bar the others are playing', async () => {
    const { run, keys, steps } = await band(parts.melody);
    run.rtin(250);
    clocks(run, 5);
    const from = steps('keys').length;
    // the keys take a chord model of quarters mid-bar: it waits for the next beat, its step that beat's
    await new Promise<void>((resolve) => {
      keys.send('load', parts.chords);
      void keys.settle().then(() => resolve());
    });
    // what the script said as the load finished goes down its cords then, as in Max: the melody's held note ends
    run.deliver();
    clocks(run, 11);
    const joined = steps('keys').slice(from);
    expect(joined).toEqual([2, 3]);
    const drumSteps = steps('drums');
    expect(drumSteps.slice(-11)).toEqual(Array.from({ length: 11 }, (_, i) => 5 + i));
    run.rtin(252);
    run.advance(2000);
    expect(run.open()).toEqual([]);
    expect(keys.errors).toEqual([]);
  }, 60000);

  it("plays the patch's own models as it opens them: the expressive drummer and the JSB chords, a bar in step; a stop leaves nothing on", async () => {
    const drums = new MaxHost(parts.code, { patchFile: PATCH });
    const keys = new MaxHost(parts.code, { patchFile: PATCH });
    const run = new BandRun(patch, { [script('drums').id]: drums, [script('keys').id]: keys });
    run.loadbang();
    expect((await Promise.all([drums.settle(), keys.settle()])).map((s) => s[0])).toEqual(['loaded', 'loaded']);
    run.deliver();
    expect(keys.posts.join('\n')).toMatch(/chords-jsb \(piano-roll/);
    run.rtin(250);
    clocks(run, 31);
    const steps = (part: string) => run.states.get(script(part).id)!.filter((s) => s[0] === 'step').map((s) => s[1]);
    expect(steps('drums')).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(steps('keys')).toEqual(Array.from({ length: 8 }, (_, i) => i));
    const chordsOn = onChannel(run.sounded, 1).filter((s) => s.velocity > 0);
    expect(chordsOn.length).toBeGreaterThan(4);
    for (const s of chordsOn) expect(s.time % (4 * STEP_MS)).toBeCloseTo(62.5, 6);
    run.rtin(248);
    run.rtin(252);
    run.advance(2000);
    expect(run.open()).toEqual([]);
    expect(drums.errors.concat(keys.errors)).toEqual([]);
  }, 60000);
});
