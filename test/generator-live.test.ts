// The Generator under a performer's worst moments: a control that throws as it applies, ten
// thousand controls at once, a long phrase primed while it plays. Each must leave the music
// playing step after step, and the performance log must still replay note for note.
import { describe, expect, it } from 'vitest';
import { Network } from '../src/engine/network.js';
import type { ModelSpec } from '../src/engine/model.js';
import { CONTROLS_PER_TICK, Generator, PRIME_SLICE, copyStep, type Control, type PerformanceLog, type StepCopy } from '../src/music/generator.js';
import { drumGridSpec, howlSpec } from './helpers/models.js';

const run = (g: Generator, n: number): StepCopy[] => Array.from({ length: n }, () => copyStep(g.tick()));
const notesOf = (steps: StepCopy[]) => steps.map((s) => [s.step, ...s.notes.map((n) => n.note).sort((a, b) => a - b)]);
const spec = drumGridSpec(3, 1.5);

/** Counts the network steps of every tick. */
function countSteps(g: Generator): { perTick: number[]; inputs: number[][] } {
  const out = { perTick: [] as number[], inputs: [] as number[][] };
  const step = g.net.step.bind(g.net);
  g.net.step = (tokens: ArrayLike<number>) => {
    out.inputs.push(Array.from(tokens));
    out.perTick[g.ticks] = (out.perTick[g.ticks] ?? 0) + 1;
    step(tokens);
  };
  return out;
}

function replayed(s: ModelSpec, log: PerformanceLog): StepCopy[] {
  const g = new Generator(s, log.options);
  g.reports = {};
  return g.replay(log);
}

describe('a control that throws as it applies', () => {
  it('is dropped and reported; every later tick plays; the log marks it and a replay drops it the same way', () => {
    // a hand-edited log locking a voice the model does not have: its entry throws as it applies
    const log: PerformanceLog = {
      format: 'pulse-rnn-performance',
      version: 1,
      options: { seed: 3 },
      entries: [
        { tick: 2, control: { type: 'lock', voice: 99, pattern: null, from: 0, until: null } },
        { tick: 4, control: { type: 'temperature', value: 0.5 } },
      ],
      ticks: 20,
    };
    const g = new Generator(spec, log.options);
    const dropped: [string, number, string][] = [];
    g.reports = { dropped: (c, e, tick) => dropped.push([c.type, tick, e.message]) };
    const steps = g.replay(log);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(dropped).toHaveLength(1);
    expect(dropped[0].slice(0, 2)).toEqual(['lock', 2]);
    expect(g.temperature).toBe(0.5); // the control after it applied
    expect(g.log.entries[0].dropped).toBe(dropped[0][2]);
    expect(g.log.entries[1].dropped).toBeUndefined();
  });

  it('one queued in a snapshot (a lock of a voice this model does not have): the generator plays on, and replays exactly', () => {
    const g = new Generator(spec, { seed: 5 });
    const dropped: string[] = [];
    g.reports = { dropped: (c, e) => dropped.push(`${c.type}: ${e.message}`) };
    const before = run(g, 4);
    const snap = g.snapshot();
    snap.data.pending.push({ type: 'lock', voice: 40, pattern: null, from: 4, until: null });
    g.restore(snap);
    g.setTemperature(0.8);
    const after = run(g, 12);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(/^lock: /);
    expect(after.map((s) => s.step)).toEqual(Array.from({ length: 12 }, (_, i) => 4 + i));
    expect(g.temperature).toBe(0.8);
    expect(notesOf(replayed(spec, g.log))).toEqual(notesOf([...before, ...after]));
  });
});

describe('a burst of controls', () => {
  it('keeps only what a later control leaves standing, applies at most CONTROLS_PER_TICK a tick, and replays exactly', () => {
    const g = new Generator(spec, { seed: 11, lookahead: 8 });
    const first = run(g, 5);
    for (let i = 0; i < 10_000; i++) {
      g.setTemperature(0.5 + (i % 7) / 10);
      g.setDensity((i % 5) / 10);
      g.lock('kick');
    }
    for (let i = 0; i < 150; i++) g.edit(g.step + 1 + i, i % 2 ? ['snare'] : []);
    g.setTopP(0.9);
    const rest = run(g, 200);
    const perTick = new Map<number, number>();
    for (const e of g.log.entries) perTick.set(e.tick, (perTick.get(e.tick) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBeLessThanOrEqual(CONTROLS_PER_TICK);
    const types = g.log.entries.map((e) => e.control.type);
    expect(types.filter((t) => t === 'temperature')).toHaveLength(1);
    expect(types.filter((t) => t === 'density')).toHaveLength(1);
    expect(types.filter((t) => t === 'lock')).toHaveLength(1);
    expect(types.filter((t) => t === 'edit')).toHaveLength(150);
    expect(types.at(-1)).toBe('topP'); // order kept
    expect(g.temperature).toBe(0.5 + (9_999 % 7) / 10);
    expect(g.density).toBe((9_999 % 5) / 10);
    expect(notesOf(replayed(spec, g.log))).toEqual(notesOf([...first, ...rest]));
  });

  it('an edit held back past its step by a burst is dropped and reported, not kept forever', () => {
    const g = new Generator(spec, { seed: 2 });
    run(g, 4);
    const dropped: string[] = [];
    g.reports = { dropped: (c, e) => dropped.push(e.message) };
    for (let i = 0; i < CONTROLS_PER_TICK; i++) g.setTemperature(0.5 + i / 1000, 0); // one head: these fold into one…
    for (let i = 0; i < CONTROLS_PER_TICK; i++) g.edit(g.step + 10 + i, ['kick']); // …these do not
    g.edit(g.step, ['snare']); // the 66th control: its step plays before its turn
    run(g, 3);
    expect(dropped).toEqual([`edit: step 4 had played before the edit's turn came (the next step is 5); edit fewer steps at once`]);
    expect(g.log.entries.filter((e) => e.dropped)).toHaveLength(1);
  });

  it('a replay drops what the log says was dropped without reporting it again', () => {
    const g = new Generator(spec, { seed: 2 });
    run(g, 4);
    g.reports = {};
    for (let k = 200; k >= 0; k--) g.edit(g.step + k, ['kick']);
    run(g, 10);
    expect(g.log.entries.filter((e) => e.dropped !== undefined).length).toBeGreaterThan(0);
    const again = new Generator(spec, g.log.options);
    const told: string[] = [];
    again.reports = { dropped: (_c, e) => told.push(e.message) };
    again.replay(g.log);
    expect(told).toEqual([]);
    expect(again.log.entries).toEqual(g.log.entries);
  });

  it('plays what the last of each setting alone would have played', () => {
    const a = new Generator(spec, { seed: 4 });
    const b = new Generator(spec, { seed: 4 });
    run(a, 3);
    run(b, 3);
    for (let i = 0; i < 1000; i++) {
      a.setTemperature(1 + (i % 3) / 4);
      a.reseed(100 + i);
      a.setTemperature(0.2 + (i % 4) / 10, 0);
    }
    b.setTemperature(1 + (999 % 3) / 4);
    b.reseed(1099);
    b.setTemperature(0.2 + (999 % 4) / 10, 0);
    expect(notesOf(run(a, 40))).toEqual(notesOf(run(b, 40)));
    expect(a.log.entries.map((e) => e.control)).toEqual(b.log.entries.map((e) => e.control));
  });

  it('folds edits, seeds and locks across unlock() and pause(), so the last edit of a burst of ten thousand reaches its step', () => {
    const g = new Generator(spec, { seed: 5 });
    const first = run(g, 4);
    const dropped: string[] = [];
    g.reports = { dropped: (_c, e) => dropped.push(e.message) };
    const at = g.step + 4;
    g.pause();
    for (let i = 0; i < 10_000; i++) {
      g.setTemperature((i % 3) * 0.5);
      g.reseed(i);
      g.lock('kick');
      g.edit(at, i % 2 ? ['snare'] : []);
      if (i % 7 === 0) g.unlock();
    }
    g.resume();
    const rest = run(g, 12);
    expect(dropped).toEqual([]);
    const controls = g.log.entries.map((e) => e.control);
    expect(controls).toEqual([
      { type: 'pause' },
      { type: 'unlock', voice: null }, // the last unlock() of all, at i = 9996: every lock before it is moot
      { type: 'temperature', value: (9_999 % 3) * 0.5 },
      { type: 'seed', value: 9_999 },
      { type: 'lock', voice: 0, pattern: null, from: expect.any(Number), until: null },
      { type: 'edit', step: at, notes: ['snare'] },
      { type: 'resume' },
    ]);
    const played = rest.find((s) => s.step === at);
    expect(played?.notes.map((n) => n.note)).toEqual([38]);
    expect(notesOf(replayed(spec, g.log))).toEqual(notesOf([...first, ...rest]));
  });

  it('an unlock of every voice overrides the locks before it, not those after it', () => {
    const g = new Generator(spec, { seed: 4 });
    g.lock('snare');
    g.unlock();
    g.lock('kick');
    g.unlock('kick');
    g.unlock();
    g.lock('closed-hat');
    g.tick();
    expect(g.log.entries.map((e) => e.control.type === 'lock' || e.control.type === 'unlock' ? `${e.control.type} ${e.control.voice}` : e.control.type)).toEqual(['unlock null', 'lock 2']);
  });

  it('does not fold a control into a later one across a control that depends on it', () => {
    const g = new Generator(spec, { seed: 4 });
    g.reseed(1);
    g.primeRandom(); // draws from the seed before it
    g.reseed(2);
    g.tick();
    expect(g.log.entries.map((e) => e.control)).toEqual([{ type: 'seed', value: 1 }, { type: 'primeRandom' }, { type: 'seed', value: 2 }]);
  });
});

describe('priming while playing', () => {
  const phrase = Array.from({ length: 1000 }, (_, i) => [i % 4 === 0 ? 1 : i % 8 === 4 ? 2 : 0]);

  it('reads a long phrase a slice a tick while every tick plays its step, and says at which step it took effect', () => {
    const g = new Generator(spec, { seed: 3, lookahead: 4 });
    const before = run(g, 21);
    const counted = countSteps(g);
    const primed: [number, number][] = [];
    g.reports = { primed: (step, tick) => primed.push([step, tick]) };
    g.prime(phrase);
    const from = g.ticks;
    const slices = Math.ceil(phrase.length / PRIME_SLICE);
    expect(slices).toBeGreaterThan(2);
    const during: StepCopy[] = [];
    let lastTickFrom = 0;
    for (let i = 0; i < slices; i++) {
      lastTickFrom = counted.inputs.length;
      during.push(copyStep(g.tick()));
      expect(g.priming).toBe(i < slices - 1);
    }
    // each tick: one slice of the phrase, plus the model's own steps (one, and the lookahead once)
    for (let t = from; t < from + slices - 1; t++) expect(counted.perTick[t]).toBeLessThanOrEqual(PRIME_SLICE + 1 + 4 + 1);
    // the last slice also reads the phrase's filling out to its bar (at most two bars)
    expect(counted.perTick[from + slices - 1]).toBeLessThanOrEqual(PRIME_SLICE + 2 * 16 + 1 + 4 + 1);
    expect(counted.perTick.slice(from, from + slices).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(phrase.length);
    expect(during.map((s) => s.step)).toEqual(Array.from({ length: slices }, (_, i) => 21 + i));
    const takesEffect = 21 + slices - 1;
    expect(primed).toEqual([[takesEffect, from + slices - 1]]);
    // the phrase was read from a zero state and a bar line: filled with rests to its last bar
    // line (1000 steps → 1008), then its last bar again up to the step it took effect at
    const read = [...phrase, ...Array.from({ length: 8 }, () => [0])];
    read.push(...read.slice(992, 992 + (takesEffect % 16)));
    const net = new Network(spec);
    for (let i = 0; i < read.length; i++) net.step([i === 0 ? 0 : read[i - 1][0], i % 16]);
    // then the model's own steps of that tick, from the phrase's last event at the effect step
    const own = counted.inputs.slice(lastTickFrom + (read.length - (slices - 1) * PRIME_SLICE));
    expect(own[0]).toEqual([read.at(-1)![0], takesEffect % 16]);
    for (const x of own) net.step(x);
    expect(Array.from(g.net.logits[0])).toEqual(Array.from(net.logits[0]));
    const after = run(g, 30);
    expect(notesOf(replayed(spec, g.log))).toEqual(notesOf([...before, ...during, ...after]));
  });

  it('reading ahead between ticks moves the work off the ticks and changes nothing else', () => {
    const play = (ahead: boolean) => {
      const g = new Generator(spec, { seed: 8, lookahead: 2 });
      g.reports = {};
      const counted = countSteps(g);
      const primed: number[] = [];
      g.reports = { primed: (step) => primed.push(step) };
      run(g, 7);
      g.prime(phrase);
      const out: StepCopy[] = [];
      for (let i = 0; i < 20; i++) {
        out.push(copyStep(g.tick()));
        if (ahead) while (g.readAhead(100)) {}
      }
      return { notes: notesOf(out), primed, perTick: counted.perTick };
    };
    const plain = play(false);
    const ahead = play(true);
    expect(ahead.notes).toEqual(plain.notes);
    expect(ahead.primed).toEqual(plain.primed);
    expect(plain.primed).toEqual([7 + Math.ceil(phrase.length / PRIME_SLICE) - 1]);
    // with the reading done between ticks, the ticks after the first step only the model
    expect(Math.max(...ahead.perTick.slice(9, 27).filter((n) => n !== undefined))).toBeLessThanOrEqual(4);
  });

  it('a short phrase takes effect at once, as before', () => {
    const g = new Generator(spec, { seed: 3 });
    run(g, 5);
    const primed: number[] = [];
    g.reports = { primed: (step) => primed.push(step) };
    g.prime(phrase.slice(0, 16));
    g.tick();
    expect(primed).toEqual([5]);
  });

  it('a new prime, reset or seed with reset while one is read replaces it; snapshots carry it', () => {
    const g = new Generator(howlSpec(2), { seed: 3 });
    run(g, 4);
    const events = Array.from({ length: 700 }, (_, i) => [i % 8, i % 3 ? 1 : 0, 1, 2]);
    const primed: number[] = [];
    g.reports = { primed: (step) => primed.push(step) };
    g.prime(events);
    g.tick();
    const snap = g.snapshot();
    const fork = g.fork();
    fork.reports = {};
    g.reset();
    run(g, 5);
    expect(primed).toEqual([]); // the reset dropped the phrase
    g.restore(snap);
    const a = run(g, 10);
    expect(primed).toHaveLength(1);
    expect(notesOf(run(fork, 10))).toEqual(notesOf(a));
    const replay = new Generator(howlSpec(2), { seed: 3 });
    replay.reports = {};
    const log = g.log;
    expect(notesOf(replay.replay(log)).slice(-10)).toEqual(notesOf(a));
  });

  it('every control type still goes through the queue in order', () => {
    const g = new Generator(spec, { seed: 1 });
    const controls: Control['type'][] = [];
    g.setTemperature(0.9);
    g.pause();
    g.resume();
    g.mute();
    g.unmute();
    g.tick();
    for (const e of g.log.entries) controls.push(e.control.type);
    expect(controls).toEqual(['temperature', 'pause', 'resume', 'mute', 'unmute']);
  });
});
