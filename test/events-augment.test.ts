/**
 * Howl's augmentation of note-event windows for what the data is: a piece written on a grid
 * keeps every delay and duration on the data's grid and inside the tables (warps of ½, 1 or 2),
 * a performance keeps Howl's continuous warp from 0.5 to 2, and a transposition keeps the
 * window inside the pitches the training data plays.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/prng.js';
import { augmentBounds, buildEventsDataset, eventsTask, randomAugment, timeGrid, type AugmentBounds, type RawNote } from '../src/train/events-dataset.js';
import { END, note, smf } from './helpers/smf-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'events-augment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Notes one after another, each `pulses` long (24 a quarter). */
const line = (pulses: readonly number[], pitch = 60): RawNote[] => {
  let at = 0;
  return pulses.map((p, i) => {
    const n = { pitch: pitch + (i % 5), onset: at, duration: p, velocity: 90 };
    at += p;
    return n;
  });
};
const BOUNDS: AugmentBounds = { lo: 21, hi: 108, maxDelay: 96, maxDuration: 96, loudness: true };
const warps = (notes: RawNote[], grid: number, draws = 400): number[] => {
  const rng = new Rng(7);
  return Array.from({ length: draws }, () => randomAugment(notes, 0, notes.length, grid, BOUNDS, rng).warp);
};

/** Two voices in 16th frames, soprano 60..72 over a bass 40..52: 16ths, eighths, quarters and halves. */
function choraleFile(): string {
  const soprano = [60, 62, 64, 64, 65, 65, 67, 67, 67, 67, 69, 71, 72, 72, 72, 72];
  const bass = [40, 40, 40, 40, 43, 43, 43, 43, 45, 45, 45, 45, 45, 45, 45, 45, 52, 52, 52, 52, 48, 48, 48, 48];
  const piece = (bars: number) => Array.from({ length: 16 * bars }, (_, f) => [bass[f % bass.length], soprano[f % soprano.length]]);
  const file = join(dir, 'two-voices.json');
  writeFileSync(file, JSON.stringify({ train: [piece(12), piece(9)], valid: [piece(2)], test: [piece(2)] }));
  return file;
}

describe('timeGrid', () => {
  it('is the coarsest grid every onset and duration lies on, 1 for a performance', () => {
    expect(timeGrid(line([6, 12, 24, 6]))).toBe(6);
    expect(timeGrid(line([24, 48, 24]))).toBe(24);
    expect(timeGrid(line([6, 8, 8, 8, 6]))).toBe(2); // 16ths and 16th triplets
    expect(timeGrid(line([6.2, 11.7, 24.4, 5.1]))).toBe(1);
  });

  it("is each MIDI file's own in a folder: a quantized file's is the data's grid, a performance's 1", () => {
    const folder = join(dir, 'midi');
    mkdirSync(folder);
    const quantized = [120, 240, 120, 480, 240, 240, 120, 120].flatMap((l, i) => note(0, 60 + i, l));
    const played = [117, 251, 133, 462, 229, 247, 109, 131].flatMap((l, i) => note(i % 3, 60 + i, l));
    for (let i = 0; i < 8; i++) writeFileSync(join(folder, `score-${i}.mid`), smf([[...quantized, ...END]]));
    writeFileSync(join(folder, 'played.mid'), smf([[...played, ...END]]));
    const ds = buildEventsDataset({ dir: folder, seed: 1 });
    const grids = Object.fromEntries(Object.values(ds.splits).flatMap((s) => s.map((f) => [f.file.replace(/.*[\\/]/, ''), f.grid])));
    // nine files are too few for a validation file: each file's held-out end keeps its file's grid
    const scores = Array.from({ length: 8 }, (_, i) => `score-${i}.mid`);
    expect(grids).toEqual(Object.fromEntries([...scores, ...scores.map((s) => `${s} (end)`)].map((s) => [s, 6]).concat([['played.mid', 1], ['played.mid (end)', 1]])));
  });
});

describe('randomAugment', () => {
  it("warps a piece on a grid by ½, 1 or 2, Howl's draw rounded: a quarter of the windows halved, a half as written, a quarter doubled", () => {
    const w = warps(line([12, 24, 12, 48, 24]), 6);
    const share = (f: number) => w.filter((x) => x === f).length / w.length;
    expect(new Set(w)).toEqual(new Set([0.5, 1, 2]));
    expect(share(0.5)).toBeGreaterThan(0.18);
    expect(share(0.5)).toBeLessThan(0.32);
    expect(share(2)).toBeGreaterThan(0.18);
    expect(share(2)).toBeLessThan(0.32);
  });

  it('halves no window holding an odd number of grid steps, and doubles none past the tables', () => {
    expect(new Set(warps(line([12, 6, 12, 24]), 6))).toEqual(new Set([1, 2])); // a 16th would become a 32nd
    expect(new Set(warps(line([12, 24, 60, 12]), 6))).toEqual(new Set([0.5, 1])); // 60 pulses doubled passes 96
    expect(new Set(warps(line([12, 24, 12, 24]), 12))).toEqual(new Set([1, 2])); // on a grid of eighths, no 16ths
  });

  it('scales the volume by 0.8 to 1 only for data whose notes differ in loudness', () => {
    const notes = line([6.2, 11.7, 24.4, 5.1]);
    const volumes = (loudness: boolean) => {
      const rng = new Rng(5);
      return Array.from({ length: 200 }, () => randomAugment(notes, 0, notes.length, 1, { ...BOUNDS, loudness }, rng).volume);
    };
    expect(new Set(volumes(false))).toEqual(new Set([1]));
    const loud = volumes(true);
    expect([Math.min(...loud) < 0.82, Math.max(...loud) > 0.98, loud.every((v) => v >= 0.8 && v <= 1)]).toEqual([true, true, true]);
  });

  it("keeps Howl's continuous warp from 0.5 to 2 for a performance", () => {
    const w = warps(line([6.2, 11.7, 24.4, 5.1]), 1);
    expect(new Set(w).size).toBe(w.length);
    expect(Math.min(...w)).toBeLessThan(0.55);
    expect(Math.max(...w)).toBeGreaterThan(1.8);
    expect(w.every((x) => x >= 0.5 && x <= 2)).toBe(true);
  });
});

describe("eventsTask's training windows of a piece in 16ths", () => {
  const ds = buildEventsDataset({ dir: choraleFile() });
  const task = eventsTask(ds);
  const values = (head: number, table: number[]): number[] => {
    const out: number[] = [];
    const rng = new Rng(3);
    for (let epoch = 0; epoch < 40; epoch++) {
      const b = task.batch(task.windows(16, 1, epoch), 16, rng);
      b.targets[head].forEach((c, i) => b.weights[i] && out.push(table[c]));
    }
    return out;
  };

  it("hold every delay and duration on the data's 16th grid, some windows doubled", () => {
    const delays = values(1, ds.tables.delay);
    const durations = values(2, ds.tables.duration);
    expect([...delays, ...durations].filter((v) => v % 6 !== 0)).toEqual([]);
    expect(ds.splits.train.map((f) => f.grid)).toEqual([6, 6]);
    // as written nothing is longer than a half note (48 pulses); every window holds a 16th, so none is halved
    expect(new Set(durations)).toContain(96);
  });

  it('keep the one velocity of data that holds no loudness', () => {
    expect(new Set(values(3, ds.tables.velocity))).toEqual(new Set([95])); // 100, the frames' velocity, at its nearest level
    expect(augmentBounds(ds).loudness).toBe(false);
  });

  it('transpose every window inside the pitches the training data plays, by up to 11 semitones', () => {
    const pitches = values(0, ds.tables.pitch);
    expect([Math.min(...pitches), Math.max(...pitches)]).toEqual([40, 72]);
    expect(new Set(pitches).size).toBeGreaterThan(new Set(ds.splits.train.flatMap((f) => f.notes.map((n) => n.pitch))).size);
    const b = augmentBounds(ds);
    expect([b.lo, b.hi]).toEqual([40, 72]);
  });
});
