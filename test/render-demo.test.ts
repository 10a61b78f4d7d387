/**
 * scripts/render-demo.ts on a small expressive model trained here on a synthetic groove: the flat
 * and expressive takes play the same hits, the two Ogg Opus files decode in Chromium to the
 * take's length, the expressive file's loudness follows its velocities where the flat one's
 * stays level, and the SVG names every class and draws one mark per hit of both bars.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/prng.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { oggCrc, oggOpus } from '../src/io/ogg-opus.js';
import { velocityGain } from '../src/io/tone-kit.js';
import { DRUM_CLASSES } from '../src/music/drum-map.js';
import { buildDrumDataset } from '../src/train/dataset.js';
import { exportLayersModel } from '../src/train/export.js';
import { barWindows, expressiveBatch, expressiveMeta, expressiveShape } from '../src/train/expressive-task.js';
import { RnnModel } from '../src/train/rnn-model.js';
import { LEAD_SECONDS, TAIL_SECONDS, barHits, busiestBar, closestBar, takeOf, type Take } from '../scripts/render-demo.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { ROOT } from './helpers/shared.js';
import { TempDirs, useCpuBackend } from './helpers/tfjs-models.js';

const dirs = new TempDirs();
const SEED = 3;
const BPM = 105;
const BARS = 4;

/** A drummer's groove at 96 ticks per quarter: loud kicks, accented and ghosted hats that lean late, snares a little early. */
function groove(i: number): NoteOut[] {
  const r = new Rng(200 + i);
  const notes: NoteOut[] = [];
  for (let s = 0; s < 16 * 8; s++) {
    const at = (lean: number) => Math.max(0, s * 24 + lean + r.int(3));
    if (s % 8 === 0 || s % 16 === 10) notes.push({ tick: at(0), note: 36, velocity: 105 + r.int(20), channel: 9, durationTicks: 10 });
    if (s % 8 === 4) notes.push({ tick: at(-3), note: 38, velocity: 85 + r.int(30), channel: 9, durationTicks: 10 });
    if (s % 2 === 0) notes.push({ tick: at(5), note: 42, velocity: s % 4 ? 30 + r.int(10) : 90 + r.int(10), channel: 9, durationTicks: 10 });
  }
  return notes;
}

/** Three performances, one per split, and an info.csv naming the splits as the Groove MIDI Dataset's does. */
function writeDataset(dir: string): string {
  const splits = ['train', 'validation', 'test'];
  splits.forEach((_, i) => writeFileSync(join(dir, `take${i}.mid`), writeMidi({ ticksPerQuarter: 96, bpm: 105, notes: groove(i) })));
  const csv = join(dir, 'info.csv');
  writeFileSync(csv, ['midi_filename,split', ...splits.map((s, i) => `take${i}.mid,${s}`)].join('\n') + '\n');
  return csv;
}

/** A 1×16 expressive model fitted for a few dozen batches to the groove: sparse, with loud and soft hits. */
async function trainModel(data: string, csv: string, out: string): Promise<void> {
  const ds = buildDrumDataset({ dir: data, csv });
  const seqs = ds.splits.train;
  const m = new RnnModel(expressiveShape(16, 1), 4, 2e-2);
  const windows = barWindows(seqs.map((s) => s.tokens.length), 48, 1, 0);
  const batch = expressiveBatch(seqs, windows, 48);
  const rng = new Rng(5);
  for (let i = 0; i < 60; i++) m.trainStep(batch, { dropout: 0, clip: 1, rng });
  await exportLayersModel(m, expressiveMeta(ds as unknown as Parameters<typeof expressiveMeta>[0]), out);
}

const db = (x: number) => 20 * Math.log10(Math.max(x, 1e-9));

/** Steps of a take that hit, each with its notes' key (which drums) and the time of its first hit. */
function hitSteps(take: Take): { key: string; time: number; velocities: number[] }[] {
  return take.steps
    .filter((s) => s.notes.length > 0)
    .map((s) => ({
      key: s.notes.map((n) => n.note).sort((a, b) => a - b).join('+'),
      time: LEAD_SECONDS + (s.step + Math.min(...s.notes.map((n) => n.offset))) * take.stepDuration,
      velocities: s.notes.map((n) => n.velocity),
    }));
}

/** Each value less the mean of the steps hitting the same drums (steps whose drums no other step hits are left out). */
function withinGroups(keys: readonly string[], values: readonly number[]): number[] {
  const groups = new Map<string, number[]>();
  keys.forEach((k, i) => (groups.get(k) ?? groups.set(k, []).get(k)!).push(i));
  const out: number[] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const mean = g.reduce((a, i) => a + values[i], 0) / g.length;
    for (const i of g) out.push(values[i] - mean);
  }
  return out;
}

const rms = (xs: readonly number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / Math.max(1, xs.length));
const correlation = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (rms(a) * rms(b) * a.length);

describe('Ogg Opus pages', () => {
  it("checksums with Ogg's CRC-32 (polynomial 0x04c11db7, no reflection, no inversion)", () => {
    // cksum's CRC of "123456789" is 0x765e7680 after its final inversion
    expect(oggCrc(new TextEncoder().encode('123456789'))).toBe((0x765e7680 ^ 0xffffffff) >>> 0);
  });

  it('heads the stream, laces a 255-byte packet with a closing 0, and ends on the samples asked for', () => {
    const packets = [new Uint8Array(255).fill(1), new Uint8Array(10).fill(2), new Uint8Array(3).fill(3)];
    const file = oggOpus(packets, { channels: 1, preSkip: 312, samples: 1000 });
    const pages: { flags: number; granule: bigint; lacing: number[]; crcOk: boolean }[] = [];
    for (let at = 0; at < file.length; ) {
      expect(String.fromCharCode(...file.subarray(at, at + 4))).toBe('OggS');
      const v = new DataView(file.buffer, file.byteOffset + at);
      const n = file[at + 26];
      const lacing = Array.from(file.subarray(at + 27, at + 27 + n));
      const size = 27 + n + lacing.reduce((a, b) => a + b, 0);
      const copy = file.slice(at, at + size);
      copy.fill(0, 22, 26);
      pages.push({ flags: file[at + 5], granule: v.getBigInt64(6, true), lacing, crcOk: oggCrc(copy) === v.getUint32(22, true) });
      at += size;
    }
    expect(pages.map((p) => p.flags)).toEqual([0x02, 0, 0x04]);
    expect(pages.every((p) => p.crcOk)).toBe(true);
    // two packets of 960 hold 312 + 1000 samples: the third, wholly past the end, is left out
    expect(pages[2].lacing).toEqual([255, 0, 10]);
    expect(pages[2].granule).toBe(1312n);
    expect(String.fromCharCode(...file.subarray(28, 36))).toBe('OpusHead');
    expect(() => oggOpus(packets.slice(0, 1), { channels: 1, preSkip: 312, samples: 1000 })).toThrow(/1 packets of 960 samples hold 960 samples; preSkip \+ samples is 1312/);
  });
});

describe.skipIf(!haveChromium())('render-demo: flat and expressive renders of one seed, and a bar against the test split', () => {
  let root: string;
  let data: string;
  let csv: string;
  let model: string;
  let out: string;
  let flat: Take;
  let expressive: Take;
  let browser: Browser;

  beforeAll(async () => {
    expect(await useCpuBackend()).toBe(true);
    root = await dirs.make('pulse-render-demo-');
    data = join(root, 'data');
    model = join(root, 'model');
    out = join(root, 'out');
    mkdirSync(data);
    mkdirSync(model);
    csv = writeDataset(data);
    await trainModel(data, csv, model);
    const spec = await loadModelSpec(model);
    flat = takeOf(spec, { seed: SEED, dynamics: 0, timing: 0, bpm: BPM, bars: BARS });
    expressive = takeOf(spec, { seed: SEED, dynamics: 1, timing: 1, bpm: BPM, bars: BARS });
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/render-demo.ts', '--model', model, '--seed', String(SEED), '--bpm', String(BPM), '--bars', String(BARS), '--out', out, '--data', data, '--csv', csv], { cwd: ROOT, stdio: 'pipe' });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await dirs.cleanup();
  });

  it('the two takes play the same hits: flat at velocity 100 on the grid, expressive at the velocities and offsets the model gives', () => {
    const hits = (t: Take) => t.steps.map((s) => `${s.step}:${s.notes.map((n) => n.note).join(',')}`);
    expect(hits(flat)).toEqual(hits(expressive));
    const all = (t: Take) => t.steps.flatMap((s) => s.notes);
    expect(all(expressive).length).toBeGreaterThan(8);
    expect(new Set(all(flat).map((n) => n.velocity))).toEqual(new Set([100]));
    expect(new Set(all(flat).map((n) => n.offset))).toEqual(new Set([0]));
    expect(new Set(all(expressive).map((n) => n.velocity)).size).toBeGreaterThan(2);
    expect(all(expressive).some((n) => n.offset !== 0)).toBe(true);
  });

  it('writes two small Ogg Opus files that decode in Chromium to the length of the take, whose loudness follows the velocities', async () => {
    const page = await browser.newPage();
    const seconds = LEAD_SECONDS + BARS * 16 * (60 / BPM / 4) + TAIL_SECONDS;
    const steps = [hitSteps(flat), hitSteps(expressive)];
    const decoded = [];
    for (const [i, name] of ['flat.ogg', 'expressive.ogg'].entries()) {
      const bytes = readFileSync(join(out, name));
      expect(bytes.length, name).toBeLessThan(200_000);
      expect(String.fromCharCode(...bytes.subarray(0, 4)), name).toBe('OggS');
      const windows = steps[i].map((s) => [s.time - 0.002, s.time + 0.03]);
      decoded.push(
        await page.evaluate(
          async ([b, w]) => {
            const buffer = await new OfflineAudioContext(1, 1, 48000).decodeAudioData(Uint8Array.from(b).buffer);
            const d = buffer.getChannelData(0);
            const peak = ([from, to]: number[]) => {
              let p = 0;
              for (let k = Math.max(0, Math.floor(from * 48000)); k < Math.min(d.length, Math.ceil(to * 48000)); k++) p = Math.max(p, Math.abs(d[k]));
              return p;
            };
            return { length: buffer.length, sampleRate: buffer.sampleRate, peaks: w.map(peak) };
          },
          [Array.from(bytes), windows] as const,
        ),
      );
    }
    await page.close();
    for (const d of decoded) {
      expect(d.sampleRate).toBe(48000);
      expect(Math.abs(d.length - seconds * 48000)).toBeLessThanOrEqual(1);
      expect(Math.min(...d.peaks)).toBeGreaterThan(1e-3);
    }
    // among steps hitting the same drums: how far each step's peak, and its loudest hit's gain, lie from their mean
    const keys = steps[1].map((s) => s.key);
    const [flatDb, expressiveDb] = decoded.map((d) => withinGroups(keys, d.peaks.map(db)));
    const gainDb = withinGroups(keys, steps[1].map((s) => db(velocityGain(Math.max(...s.velocities)))));
    const r = correlation(expressiveDb, gainDb);
    console.info(`peaks of the ${flatDb.length} steps that hit the same drums as another: spread ${rms(flatDb).toFixed(2)} dB flat, ${rms(expressiveDb).toFixed(2)} dB expressive (their velocities' gains: ${rms(gainDb).toFixed(2)} dB; correlation ${r.toFixed(2)})`);
    expect(flatDb.length).toBeGreaterThanOrEqual(12);
    expect(rms(gainDb)).toBeGreaterThan(2);
    expect(rms(expressiveDb)).toBeGreaterThan(2 * rms(flatDb));
    expect(r).toBeGreaterThan(0.8);
  }, 60_000);

  it('draws the busiest generated bar and the closest test-split bar: every class named, one mark per hit', () => {
    const svg = readFileSync(join(out, 'bar.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const c of DRUM_CLASSES) expect(svg).toContain(`>${c}</text>`);
    const bar = busiestBar(expressive);
    const generated = barHits(expressive, bar);
    const test = buildDrumDataset({ dir: data, csv }).splits.test;
    const real = closestBar(generated, test, 16);
    expect(real.file).toBe('take2.mid');
    const marks = (lane: number) => svg.match(new RegExp(`class="hit" data-lane="${lane}"`, 'g'))?.length ?? 0;
    expect(generated.length).toBeGreaterThan(0);
    expect([marks(0), marks(1)]).toEqual([real.hits.length, generated.length]);
    expect(svg).toContain(`model, seed ${SEED}, bar ${bar + 1}`);
    expect(svg).toContain(`Groove MIDI Dataset test split: take2.mid, bar ${real.bar + 1}`);
  });
});
