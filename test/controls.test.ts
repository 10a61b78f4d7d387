import { describe, expect, it } from 'vitest';
import { CONTROLS, LOGGED_TYPES, checkLoggedControl, checkValue, control, defaults, flagName, maxName, rangeText, scaleArg, valueArg } from '../src/music/controls.js';
import { Generator } from '../src/music/generator.js';
import { drumGridSpec, howlSpec } from './helpers/models.js';

describe('the control table', () => {
  it('names each control once, with a description, an example and a moment of effect', () => {
    const names = CONTROLS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of CONTROLS) {
      expect(c.description.length, c.name).toBeGreaterThan(10);
      expect(c.example.startsWith(`${c.name}(`), c.name).toBe(true);
      expect(['next step', 'next pulse', 'after the phrase is read']).toContain(c.applies);
      if (c.pair) expect(control(c.pair).pair).toBe(c.name);
    }
    // host spellings follow a rule: Max lower case, flags kebab case
    expect(maxName(control('topP'))).toBe('topp');
    expect(maxName(control('clearEdit'))).toBe('clearedit');
    expect(flagName(control('topP'))).toBe('--top-p');
  });

  it('says each range in words and refuses values outside it, naming the control', () => {
    expect(rangeText(valueArg('temperature'))).toBe('a number from 0 (always the likeliest) to 2 (wildest)');
    expect(rangeText(valueArg('topP'))).toBe('a number above 0 (only the likeliest), up to 1 (everything)');
    expect(rangeText(valueArg('bpm'))).toBe('a number from 20 to 999 BPM');
    for (const [name, bad] of [['temperature', 2.01], ['topP', 0], ['density', -4.5], ['seed', 2 ** 32], ['seed', 1.5], ['bpm', 19]] as const) {
      expect(() => checkValue(name, bad)).toThrow(new RegExp(`^${name}: ${String(bad).replace('.', '\\.')} is (out of range|not allowed); give `));
    }
    for (const [name, good] of [['temperature', 0], ['temperature', 2], ['topP', 1], ['density', 4], ['seed', 2 ** 32 - 1], ['bpm', 999]] as const) {
      expect(() => checkValue(name, good)).not.toThrow();
    }
    expect(() => control('topp')).toThrow(/unknown control "topp"; controls are temperature, topP/);
  });

  it('defines the expressive controls: dynamics 0–2 and timing 0–1, default 1 (as the model plays), and a velocity scale per voice', () => {
    expect(defaults()).toMatchObject({ dynamics: 1, timing: 1 });
    expect(valueArg('dynamics')).toMatchObject({ min: 0, max: 2, step: 0.05, default: 1 });
    expect(valueArg('timing')).toMatchObject({ min: 0, max: 1, step: 0.05, default: 1 });
    expect(control('velocityScale')).toMatchObject({ kind: 'command', owner: 'generator', applies: 'next step', example: "velocityScale('kick', 0.8)" });
    expect(control('velocityScale').args.map((a) => a.name)).toEqual(['voice', 'scale']);
    expect(scaleArg()).toMatchObject({ min: 0, max: 2, default: 1 });
    expect(LOGGED_TYPES).toEqual(expect.arrayContaining(['dynamics', 'timing', 'velocityScale']));
    expect(flagName(control('dynamics'))).toBe('--dynamics');
    expect(maxName(control('velocityScale'))).toBe('velocityscale');
  });

  it('checks a log entry against the table', () => {
    expect(() => checkLoggedControl({ type: 'temperature', value: 1.5 })).not.toThrow();
    expect(() => checkLoggedControl({ type: 'temperature', value: 7 })).toThrow(/replay: bad log entry .*temperature: 7 is out of range/);
    expect(() => checkLoggedControl({ type: 'bpm', value: 120 })).toThrow(/the type must be one of temperature, topP/);
    expect(() => checkLoggedControl({ type: 'edit', step: -2, notes: [] })).toThrow(/step -2 is not a step number/);
    const g = new Generator(drumGridSpec(3));
    expect(() => g.replay({ format: 'pulse-rnn-performance', version: 1, options: {}, ticks: 4, entries: [{ tick: 1, control: { type: 'density', value: 50 } }] })).toThrow(/density: 50 is out of range/);
  });
});

describe('reading a control tells the truth', () => {
  it('shows the applied value and the pending one until the tick that applies it', () => {
    const g = new Generator(drumGridSpec(3), { seed: 3 });
    g.tick();
    g.setTemperature(1.2);
    g.setTopP(0.8);
    g.reseed(9);
    g.pause();
    expect(g.temperature).toBe(1);
    expect(g.applied).toMatchObject({ temperature: 1, topP: 1, seed: 3, paused: false });
    expect(g.pending).toEqual({ temperature: 1.2, temperatures: [1.2], topP: 0.8, seed: 9, paused: true });
    expect(g.settings).toMatchObject({ temperature: 1.2, topP: 0.8, seed: 9, paused: true, density: 0, muted: false });
    g.tick();
    expect(g.pending).toEqual({});
    expect(g.applied).toEqual(g.settings);
    expect(g.applied).toMatchObject({ temperature: 1.2, topP: 0.8, seed: 9, paused: true });
  });

  it('keeps per-head temperatures apart and lays later controls over earlier ones', () => {
    const g = new Generator(howlSpec(), { temperature: 0.9 });
    const heads = g.net.spec.heads.length;
    g.setTemperature(1.5, 1);
    expect(g.pending.temperatures).toEqual(Array.from({ length: heads }, (_, h) => (h === 1 ? 1.5 : 0.9)));
    g.setTemperature(0.5);
    g.resume();
    g.pause();
    expect(g.pending).toMatchObject({ temperature: 0.5, temperatures: new Array(heads).fill(0.5), paused: true });
    g.tick();
    expect(g.temperatures).toEqual(new Array(heads).fill(0.5));
  });
});

describe('locks are read from the generator', () => {
  it('lists each lock with its voice name, pattern and span once it applies, and drops it when it runs out', () => {
    const g = new Generator(drumGridSpec(3), { seed: 2 });
    for (let i = 0; i < 16; i++) g.tick();
    const pattern = Array.from({ length: 16 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    g.lock('kick', { pattern, bars: 1 });
    expect(g.locks).toEqual([]);
    g.tick();
    expect(g.locks).toEqual([{ voice: 'kick', pattern, from: 16, until: 32 }]);
    for (let i = 0; i < 16; i++) g.tick();
    expect(g.locks).toEqual([]);
  });
});
