// The terminal's step grid with several parts: a block a bar, every part under its name, a
// melodic or chord part as pitch rows on the clock's columns, printed once every part has
// played the bar; and the same through a live performance.
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { noteName, StepDisplay } from '../src/hosts/step-display.js';
import { Generator, type StepResult } from '../src/music/generator.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { steps } from './helpers/clock-steps.js';
import { drumGridSpec, melodySpec } from './helpers/models.js';

/** A melody model that steps once a quarter: a bar of it is four of the drums' 16ths a step. */
const quarterSpec = (seed: number): ModelSpec => {
  const s = melodySpec(seed);
  return { ...s, meta: { ...s.meta, stepsPerQuarter: 1 } };
};

/** A part as the display takes it: a generator stepping every `every` clock steps. */
const part = (name: string, spec: ModelSpec, every: number, seed: number) => ({ name, generator: new Generator(spec, { seed }), clock: { every } });

/** Drums and a melody of 16ths beside them, shown by one display. */
function drumsAndMelody() {
  const printed: string[] = [];
  const drums = new Generator(drumGridSpec(5, 1.5), { seed: 2 });
  const keys = part('keys', melodySpec(2), 1, 4);
  return { printed, drums, keys, display: new StepDisplay(drums.codec, (t) => printed.push(t), 'drums') };
}

/** The rows of one part's block in a printed bar, by their label. */
function block(text: string, name: string): Map<string, string> {
  const lines = text.split('\n');
  const from = lines.indexOf(`${name}:`);
  const rows = new Map<string, string>();
  for (const line of lines.slice(from + 1)) {
    if (/^\w+:/.test(line)) break;
    rows.set(line.slice(0, 11).trim(), line.slice(11));
  }
  return rows;
}

describe('StepDisplay with several parts', () => {
  it('a part of quarters beside 16th drums: one block a bar, printed when the drums finish it, the keys as pitch rows on the drums\' columns', () => {
    const printed: string[] = [];
    const drums = new Generator(drumGridSpec(5, 1.5), { seed: 2 });
    const keys = part('keys', quarterSpec(3), 4, 9);
    const display = new StepDisplay(drums.codec, (t) => printed.push(t), 'drums');
    const struck: number[][] = [];
    for (let step = 0; step < 48; step++) {
      display.add(drums.tick());
      if (step % 4 === 0) {
        const r = keys.generator.tick();
        struck.push(r.notes.slice(0, r.count).map((n) => n.note));
        display.addPart(keys, r);
      }
      // printed as the bar's last 16th has played, no sooner and no later
      expect(printed).toHaveLength(Math.floor((step + 1) / 16));
    }
    expect(printed).toHaveLength(3);
    printed.forEach((text, bar) => {
      const lines = text.split('\n');
      expect(lines[0]).toBe(`── bar ${bar + 1} · steps ${bar * 16}–${bar * 16 + 15}`);
      expect(lines.filter((l) => l === 'drums:' || l === 'keys:')).toEqual(['drums:', 'keys:']);
      expect([...block(text, 'drums').keys()]).toEqual(['kick', 'snare', 'closed-hat', 'open-hat', 'low-tom', 'mid-tom', 'high-tom', 'crash', 'ride']);
      const rows = block(text, 'keys');
      // an x where the keys struck that pitch, on the first 16th of its quarter, and only there
      for (const [label, cells] of rows) {
        for (let c = 0; c < 16; c++) {
          const q = struck[bar * 4 + Math.floor(c / 4)];
          expect(cells[c] === 'x', `${label} at column ${c}`).toBe(c % 4 === 0 && q.some((n) => noteName(n) === label));
        }
      }
      for (let q = 0; q < 4; q++) for (const n of struck[bar * 4 + q]) expect(rows.get(noteName(n))?.[q * 4]).toBe('x');
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    });
    expect(struck.flat().length).toBeGreaterThan(0);
  });

  it('a part of 16ths beside the drums: the bar waits for its last 16th, then prints once', () => {
    const { printed, drums, keys, display } = drumsAndMelody();
    for (let step = 0; step < 16; step++) {
      display.add(drums.tick());
      expect(printed).toHaveLength(0);
      display.addPart(keys, keys.generator.tick());
    }
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^── bar 1 · steps 0–15\ndrums:\n[^]*\nkeys:\n/);
  });

  it('a paused part says so in the bars it sits out; the others print once a bar', () => {
    const { printed, drums, keys, display } = drumsAndMelody();
    for (let step = 0; step < 64; step++) {
      if (step === 20) keys.generator.pause();
      display.add(drums.tick());
      display.addPart(keys, keys.generator.tick());
    }
    expect(printed).toHaveLength(4);
    expect(printed[2]).toMatch(/\nkeys: paused$/);
    expect(printed[3]).toMatch(/\nkeys: paused$/);
  });

  it('a key held until its release sounds on as - through the steps and over the bar line, and ends at its release', () => {
    const { printed, drums, keys, display } = drumsAndMelody();
    const result = (step: number, notes: number[], releases: number[]): StepResult => ({
      step, tick: step, count: notes.length, releaseCount: releases.length, paused: false, muted: false,
      notes: notes.map((note) => ({ note, velocity: 90, channel: 0, length: Infinity, offset: 0 })),
      releases: releases.map((note) => ({ note, channel: 0, offset: 0 })),
    });
    for (let step = 0; step < 32; step++) {
      display.add(drums.tick());
      display.addPart(keys, result(step, step === 2 ? [60] : step === 12 ? [64, 67] : [], step === 20 ? [60, 64, 67] : []));
    }
    expect(block(printed[0], 'keys')).toEqual(new Map([['G4', '.   .   .   x---'], ['E4', '.   .   .   x---'], ['C4', '. x-------------']]));
    expect(block(printed[1], 'keys')).toEqual(new Map([['G4', '----.   .   .'], ['E4', '----.   .   .'], ['C4', '----.   .   .']]));
  });
});

describe('a live performance of several parts shows every part', () => {
  it('the grid has a block a part each bar, named for it; a part taken out leaves the next bars', async () => {
    const lines: string[] = [];
    const clock = new InternalClock({ bpm: 960 });
    const s = new LiveSession({ spec: drumGridSpec(3), clock, seed: 7, grid: true, print: (t) => lines.push(t), parts: [{ name: 'keys', spec: quarterSpec(2), seed: 11 }] });
    s.start();
    await steps(clock, 32);
    s.removePart('keys');
    await steps(clock, 32);
    await s.quit();
    const bars = lines.filter((l) => l.startsWith('── bar '));
    expect(bars.length).toBeGreaterThanOrEqual(4);
    expect(bars[0]).toMatch(/^── bar 1 · steps 0–15\ndrums:\nkick[^]*\nkeys:\n/);
    expect(bars[1]).toMatch(/^── bar 2 · steps 16–31\ndrums:\n[^]*\nkeys:\n/);
    expect(bars.at(-1)).toMatch(/\ndrums:\n/);
    expect(bars.at(-1)).not.toMatch(/\nkeys:/);
  }, 60_000);
});
