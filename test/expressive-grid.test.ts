/**
 * The expressive drum grid (`drum-expressive`) through the Generator, with a random-weight
 * model: each hit's velocity and offset come from heads conditioned on the hit token, drawn
 * from the seeded stream, so a performance is still a function of model, seed and log.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi } from '../src/io/midi-write.js';
import { codecFor } from '../src/music/codecs.js';
import { expressiveGridCodec, LOOKBACK, NO_BIN, OBIN, VBIN } from '../src/music/expressive-grid.js';
import { offsetBin, velocityBin } from '../src/music/expressive.js';
import { Generator } from '../src/music/generator.js';
import type { StepCopy } from '../src/music/generator-types.js';
import { copyStep } from '../src/music/step-result.js';
import { expressiveSpec } from './helpers/models.js';
import { haveShared, sharedPath } from './helpers/shared.js';

const run = (g: Generator, n: number): StepCopy[] => Array.from({ length: n }, () => copyStep(g.tick()));
const hitsOf = (steps: StepCopy[]) => steps.flatMap((s) => s.notes);

describe('drum-expressive through the Generator', () => {
  it('hits carry velocities in 1..127 that vary and offsets in [-0.5, 0.5) that vary', () => {
    const hits = hitsOf(run(new Generator(expressiveSpec(), { seed: 3 }), 64));
    expect(hits.length).toBeGreaterThan(30);
    for (const h of hits) {
      expect(h.velocity).toBeGreaterThanOrEqual(1);
      expect(h.velocity).toBeLessThanOrEqual(127);
      expect(h.offset).toBeGreaterThanOrEqual(-0.5);
      expect(h.offset).toBeLessThan(0.5);
    }
    expect(new Set(hits.map((h) => h.velocity)).size).toBeGreaterThan(4);
    expect(new Set(hits.map((h) => h.offset)).size).toBeGreaterThan(4);
    expect(hits.some((h) => h.offset < 0)).toBe(true);
  });

  it('dynamics 0 plays every hit at 100, timing 0 every hit on its line', () => {
    const hits = hitsOf(run(new Generator(expressiveSpec(), { seed: 3, dynamics: 0, timing: 0 }), 48));
    expect(hits.length).toBeGreaterThan(10);
    expect(new Set(hits.map((h) => h.velocity))).toEqual(new Set([100]));
    expect(new Set(hits.map((h) => h.offset))).toEqual(new Set([0]));
  });

  it('replays from its log, with edits, locks, controls and a reseed, to the same velocities and offsets', () => {
    const g = new Generator(expressiveSpec(), { seed: 9 });
    const live = run(g, 10);
    g.edit(g.step + 3, ['kick:40', 'snare']);
    g.setTemperature(0.7);
    live.push(...run(g, 10));
    g.lock('kick');
    g.setDensity(1);
    live.push(...run(g, 20));
    g.reseed(5);
    live.push(...run(g, 40)); // past two bars: the lookback inputs are read
    const again = new Generator(expressiveSpec(), { seed: 9 }).replay(g.log);
    expect(again).toEqual(live);
  });

  it('a fork and a restored snapshot mid-performance play on identically, the token lookback included', () => {
    const g = new Generator(expressiveSpec(), { seed: 4 });
    run(g, 40);
    g.edit(g.step + 2, ['ride']);
    const snap = g.snapshot();
    expect(snap.data.last.back.length).toBe(LOOKBACK);
    expect([...snap.data.last.back].some((t) => t !== 0)).toBe(true);
    const fork = g.fork();
    const ahead = run(g, 40);
    expect(run(fork, 40)).toEqual(ahead);
    const other = new Generator(expressiveSpec(), { seed: 77 });
    run(other, 5);
    other.restore(snap);
    expect(run(other, 40)).toEqual(ahead);
  });

  it('the tokens a bar and two bars back change what it plays (the lookback is read)', () => {
    const g = new Generator(expressiveSpec(), { seed: 4 });
    run(g, 40);
    const snap = g.snapshot();
    const ahead = run(g, 8);
    const changed = { data: { ...snap.data, last: { ...snap.data.last, back: new Int32Array(LOOKBACK) } } };
    g.restore(snap);
    g.restore(changed);
    expect(run(g, 8)).not.toEqual(ahead);
  });

  it("an edit plays its velocities ('kick:40'; the flat 100 without one) on the grid, and the model hears it", () => {
    const g = new Generator(expressiveSpec(), { seed: 2 });
    run(g, 2);
    const at = g.step + 2;
    g.edit(at, ['kick:40', 'snare']);
    const steps = run(g, 4);
    const s = steps.find((x) => x.step === at) as StepCopy;
    const kick = s.notes.find((n) => n.note === 36);
    const snare = s.notes.find((n) => n.note === 38);
    expect(kick?.velocity).toBe(44); // the centre of 40's bin, 40..47
    expect(snare?.velocity).toBe(100);
    expect(s.notes.map((n) => n.offset)).toEqual(s.notes.map(() => 0.03125)); // offset bin 8's centre
    expect(s.notes).toHaveLength(2);
    // the step after it (the last one run) read it as its expression input: velocity / 127, then offsets
    const x = g.net.vectors[2] as Float32Array;
    expect([x[0] * 127, x[1] * 127, x[9], x[10]]).toEqual([expect.closeTo(44, 3), expect.closeTo(100, 3), expect.closeTo(0.03125, 6), expect.closeTo(0.03125, 6)]);
    expect(() => g.edit(g.step + 2, ['kick:200'])).toThrow(/1 to 127/);
  });

  it('a locked voice keeps its pattern, its hits at the model\'s velocities', () => {
    const g = new Generator(expressiveSpec(), { seed: 6 });
    run(g, 4);
    g.lock('kick', { pattern: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0] });
    const steps = run(g, 40).slice(4);
    for (const s of steps) expect(s.notes.some((n) => n.note === 36), `step ${s.step}`).toBe(s.step % 4 === 0);
    expect(new Set(steps.flatMap((s) => s.notes.filter((n) => n.note === 36).map((n) => n.velocity))).size).toBeGreaterThan(1);
  });

  it('primes from events, and refuses an event of the wrong shape', () => {
    const codec = expressiveGridCodec();
    const bar = Array.from({ length: 16 }, (_, i) => codec.eventFromNotes(i % 4 === 0 ? ['kick:110', 'closed-hat:60'] : ['closed-hat:50']));
    const g = new Generator(expressiveSpec(), { seed: 1 });
    const plain = new Generator(expressiveSpec(), { seed: 1 });
    g.prime(bar);
    expect(run(g, 30)).not.toEqual(run(plain, 30));
    expect(() => g.prime([[1]])).toThrow(/19 integers/);
    expect(() => g.prime([[1, 16, ...new Array(17).fill(-1)]])).toThrow(/bin 16 of head 'velocity_out' for kick/);
  });

  it.skipIf(!haveShared('data/groove'))('primes from a Groove MIDI Dataset file, reading its velocities and offsets', () => {
    const file = sharedPath('data/groove/drummer1/eval_session/1_funk-groove1_138_beat_4-4.mid');
    const song = readMidi(readFileSync(file), file);
    const codec = codecFor(expressiveSpec());
    const { events } = codec.fromSong(song);
    const hit = events.filter((e) => e[0] !== 0);
    expect(new Set(hit.map((e) => e[VBIN])).size + new Set(hit.map((e) => e[VBIN + 1])).size).toBeGreaterThan(4);
    expect(new Set(hit.flatMap((e) => e.slice(OBIN).filter((b) => b >= 0))).size).toBeGreaterThan(4);
    const g = new Generator(expressiveSpec(), { seed: 1 });
    g.prime(song);
    expect(run(g, 300).some((s) => s.notes.length > 0)).toBe(true);
  });
});

describe('drum-expressive codec', () => {
  const codec = expressiveGridCodec();

  it('toNotes then fromSong gives back each hit within a bin (through a MIDI file)', () => {
    const events = Array.from({ length: 32 }, (_, t) => {
      const e = codec.startEvent();
      for (let c = 0; c < 9; c++) {
        if ((t * 7 + c * 3) % 5 !== 0) continue;
        e[0] |= 1 << c;
        e[VBIN + c] = (t + c) % 16;
        e[OBIN + c] = t === 0 ? 8 : (t * 5 + c) % 16; // step 0 cannot be early in a file
      }
      return e;
    });
    const notes = codec.toNotes(events);
    const bytes = writeMidi({ ticksPerQuarter: codec.ticksPerQuarter, notes });
    const back = codec.fromSong(readMidi(bytes, 'round-trip.mid')).events;
    const last = events.map((e) => e[0] !== 0).lastIndexOf(true);
    expect(back).toEqual(events.slice(0, last + 1));
  });

  it('fromSong keeps the loudest hit of a class in a step, with its offset; unhit classes have no bins', () => {
    const song = { file: "x.mid", format: 1, trackNames: [], ticksPerQuarter: 480, endTick: 480, tempos: [], timeSignatures: [], notes: [
      { tick: 110, note: 36, velocity: 30, channel: 9, durationTicks: 10, track: 0 },
      { tick: 130, note: 36, velocity: 90, channel: 9, durationTicks: 10, track: 0 },
    ] } as unknown as Parameters<typeof codec.fromSong>[0];
    const [, e] = codec.fromSong(song).events;
    expect(e[0]).toBe(1);
    expect(e[VBIN]).toBe(velocityBin(90));
    expect(e[OBIN]).toBe(offsetBin(10 / 120));
    expect(e.slice(VBIN + 1, OBIN)).toEqual(new Array(8).fill(NO_BIN));
  });
});
