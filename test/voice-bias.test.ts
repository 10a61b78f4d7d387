/**
 * Per-voice density and leave-out (voice-bias.ts): a voice left out is never drawn, unlike a
 * muted one the model goes on choosing; a voice's own density moves its rate and not much else;
 * both are logged and replayed exactly, refuse bad voices and values naming them, and refuse
 * models without drum voices.
 */
import { describe, expect, it } from 'vitest';
import { checkLoggedControl, control, rangeText, valueArg, voiceDensityArg } from '../src/music/controls.js';
import { Generator } from '../src/music/generator.js';
import type { ModelSpec } from '../src/engine/model.js';
import { drumGridSpec, expressiveSpec, howlSpec, melodySpec } from './helpers/models.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';

const KITS: [string, () => ModelSpec][] = [
  ['drum-grid', () => drumGridSpec(3)],
  ['drum-expressive', () => expressiveSpec(3)],
];

/** Steps in `steps` (as notes per step) whose notes hit `note`. */
const stepsWith = (steps: readonly { notes: readonly number[] }[], note: number) => steps.filter((s) => s.notes.includes(note)).length;

/** Hits of each voice over `n` ticks, from what the ticks played. */
function rates(g: Generator, n: number): number[] {
  const notes = g.codec.voices.map((v) => g.codec.notesOf(g.codec.eventFromNotes([v]))[0]);
  const count = new Array<number>(notes.length).fill(0);
  for (let i = 0; i < n; i++) {
    const r = g.tick();
    for (let k = 0; k < r.count; k++) {
      const v = notes.indexOf(r.notes[k].note);
      if (v >= 0) count[v]++;
    }
  }
  return count;
}

describe.each(KITS)('%s: leaving a voice out', (_name, spec) => {
  it('the model never draws the snare left out, while a muted model still chooses snares it does not sound', () => {
    const snare = (g: Generator) => g.codec.notesOf(g.codec.eventFromNotes(['snare']))[0];
    const left = new Generator(spec(), { seed: 5, lookahead: 16, temperature: 1.2 });
    left.leaveOut('snare');
    const muted = new Generator(spec(), { seed: 5, lookahead: 16, temperature: 1.2 });
    muted.mute();
    let drawnLeft = 0;
    let drawnMuted = 0;
    let sounded = 0;
    for (let i = 0; i < 1500; i++) {
      const r = left.tick();
      for (let k = 0; k < r.count; k++) if (r.notes[k].note === snare(left)) sounded++;
      drawnLeft += stepsWith(left.upcoming(), snare(left));
      expect(muted.tick().count).toBe(0);
      drawnMuted += stepsWith(muted.upcoming(), snare(muted));
    }
    expect(sounded).toBe(0);
    expect(drawnLeft).toBe(0);
    expect(drawnMuted).toBeGreaterThan(100);
    expect(left.applied.leftOut[left.codec.voices.indexOf('snare')]).toBe(true);
  });

  it('bringBack lets the model play the voice again; other voices play on while it is out', () => {
    const g = new Generator(spec(), { seed: 9, temperature: 1.2 });
    const snare = g.codec.voices.indexOf('snare');
    g.leaveOut('snare');
    expect(g.pending.leftOut?.[snare]).toBe(true);
    const out = rates(g, 800);
    expect(out[snare]).toBe(0);
    expect(out.reduce((a, b) => a + b, 0)).toBeGreaterThan(400);
    g.bringBack('snare');
    expect(rates(g, 800)[snare]).toBeGreaterThan(50);
  });

  it('a voice left out stays out where a lock would play it', () => {
    const g = new Generator(spec(), { seed: 2 });
    g.lock('snare', { pattern: new Array(g.codec.stepsPerBar).fill(1) });
    g.leaveOut('snare');
    expect(rates(g, 200)[g.codec.voices.indexOf('snare')]).toBe(0);
  });
});

describe.each(KITS)('%s: a voice\'s own density', (_name, spec) => {
  it('raises and lowers that voice\'s rate, in density\'s range', () => {
    const at = (amount: number) => {
      const g = new Generator(spec(), { seed: 11 });
      g.setVoiceDensity('closed-hat', amount);
      return rates(g, 1500);
    };
    const hat = new Generator(spec()).codec.voices.indexOf('closed-hat');
    const [low, mid, high] = [at(-2), at(0), at(2)];
    expect(low[hat]).toBeLessThan(mid[hat] * 0.6);
    expect(high[hat]).toBeGreaterThan(mid[hat] * 1.3);
    expect({ min: voiceDensityArg().min, max: voiceDensityArg().max }).toEqual({ min: valueArg('density').min, max: valueArg('density').max });
  });

  it('is logged and replayed exactly, with leave-out, as they applied', () => {
    const g = new Generator(spec(), { seed: 4, lookahead: 4 });
    const played: unknown[] = [];
    for (let i = 0; i < 120; i++) {
      if (i === 10) g.setVoiceDensity('kick', 2.5);
      if (i === 30) g.leaveOut('closed-hat');
      if (i === 31) g.setVoiceDensity(1, -3);
      if (i === 70) g.bringBack('closed-hat');
      if (i === 90) g.setVoiceDensity('kick', 0);
      const r = g.tick();
      played.push(r.notes.slice(0, r.count).map((n) => ({ ...n })));
    }
    const log = g.log;
    expect(log.entries.map((e) => e.control)).toEqual([
      { type: 'voiceDensity', voice: 0, value: 2.5 },
      { type: 'leaveOut', voice: g.codec.voices.indexOf('closed-hat') },
      { type: 'voiceDensity', voice: 1, value: -3 },
      { type: 'bringBack', voice: g.codec.voices.indexOf('closed-hat') },
      { type: 'voiceDensity', voice: 0, value: 0 },
    ]);
    const again = new Generator(spec(), log.options).replay(JSON.parse(JSON.stringify(log)));
    expect(again.map((s) => s.notes)).toEqual(played);
  });
});

describe('the prompt', () => {
  it("voiceDensity('snare', -1), leaveOut('snare') and bringBack reach the generator; status() shows them; bad input is one line", () => {
    const lines: string[] = [];
    const ft = new FakeTime(1000);
    const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
    const s = new LiveSession({ spec: drumGridSpec(2), clock, seed: 3, grid: false, print: (t) => lines.push(t) });
    s.voiceDensity('snare', -1);
    expect(lines.at(-1)).toBe('snare density -1 from step 0');
    s.leaveOut('closed-hat');
    expect(lines.at(-1)).toBe("closed-hat left out from step 0; bringBack('closed-hat') lets the model play it again");
    s.status();
    expect(lines.at(-1)).toContain(' · left out closed-hat · voice density snare -1 · ');
    s.bringBack('closed-hat');
    expect(s.generator.pending).toMatchObject({ voiceDensities: [0, -1, 0, 0, 0, 0, 0, 0, 0], leftOut: new Array(9).fill(false) });
    s.voiceDensity('cowbell', 1);
    expect(lines.at(-1)).toMatch(/^voiceDensity: unknown voice "cowbell"; voices are kick, snare/);
    s.voiceDensity('snare', 9);
    expect(lines.at(-1)).toBe(`voiceDensity: amount: 9 is out of range; give ${rangeText(voiceDensityArg())}`);
    s.leaveOut();
    expect(lines.at(-1)).toMatch(/^leaveOut: name a voice, e\.g\. leaveOut\('snare'\); voices are kick/);
  });

  it('a melodic model refuses them at the prompt in one line', () => {
    const lines: string[] = [];
    const ft = new FakeTime(1000);
    const s = new LiveSession({ spec: melodySpec(), clock: new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers }), seed: 3, grid: false, print: (t) => lines.push(t) });
    s.leaveOut('snare');
    expect(lines.at(-1)).toBe('leaveOut: melody-grid models have no drum voices; per-voice density and leave-out are for drum-grid and drum-expressive models');
  });
});

describe('bad input to the per-voice controls', () => {
  it('names the control, the voice and the voices, or the range', () => {
    const g = new Generator(drumGridSpec(3));
    expect(() => g.setVoiceDensity('cowbell', 1)).toThrow(/^voiceDensity: unknown voice "cowbell"; voices are kick, snare/);
    expect(() => g.leaveOut('cowbell')).toThrow(/^leaveOut: unknown voice "cowbell"; voices are kick, snare/);
    expect(() => g.bringBack(42)).toThrow(/^bringBack: unknown voice 42; voices are kick/);
    expect(() => g.setVoiceDensity('kick', 5)).toThrow(`voiceDensity: amount: 5 is out of range; give ${rangeText(voiceDensityArg())}`);
    expect(() => g.setVoiceDensity('kick', Number.NaN)).toThrow(/voiceDensity: amount: NaN is not allowed/);
    expect(g.pending).toEqual({});
    expect(() => checkLoggedControl({ type: 'voiceDensity', voice: 0, value: 9 })).toThrow(/replay: bad log entry .*voiceDensity: amount: 9 is out of range/);
    expect(() => checkLoggedControl({ type: 'leaveOut', voice: 'snare' })).toThrow(/voice "snare" is not a voice number/);
  });

  it('a log naming a voice this model lacks drops it as it applies, and the music goes on', () => {
    const g = new Generator(drumGridSpec(3));
    g.reports = {};
    const steps = g.replay({ format: 'pulse-rnn-performance', version: 1, options: {}, ticks: 3, entries: [{ tick: 1, control: { type: 'leaveOut', voice: 40 } }] });
    expect(steps).toHaveLength(3);
    expect(g.log.entries[0].dropped).toMatch(/unknown voice 40/);
  });

  it('melodic and event models refuse them, saying which models take them', () => {
    for (const spec of [melodySpec(), howlSpec()]) {
      const g = new Generator(spec);
      expect(() => g.setVoiceDensity(0, 1)).toThrow(new RegExp(`^voiceDensity: ${g.codec.name} models have no drum voices; per-voice density and leave-out are for drum-grid and drum-expressive models$`));
      expect(() => g.leaveOut(0)).toThrow(/^leaveOut: .* models have no drum voices/);
      expect(() => g.bringBack('kick')).toThrow(/^bringBack: .* models have no drum voices/);
      expect(g.applied).toMatchObject({ voiceDensities: [], leftOut: [] });
    }
  });

  it('the table defines them: a voice and an amount, and a toggle pair', () => {
    expect(control('voiceDensity').args.map((a) => a.name)).toEqual(['voice', 'amount']);
    expect(control('leaveOut')).toMatchObject({ kind: 'toggle', pair: 'bringBack', owner: 'generator', applies: 'next step' });
  });
});
