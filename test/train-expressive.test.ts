/**
 * The trainer's expressive drum model (`drum-expressive`): a vector input (the previous step's
 * velocities and offsets) beside token inputs on both training kernels, windows and targets
 * from drum performances, the loss and its three parts equal to the engine's teacher-forced
 * NLL, and an exported file the engine loads and scores as the trainer does.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { expressiveGridCodec } from '../src/music/expressive-grid.js';
import { offsetBin, offsetOfBin, velocityBin, velocityOfBin } from '../src/music/expressive.js';
import { evaluate } from '../src/train/evaluate.js';
import { train } from '../src/train/train.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { loadModelSpec } from '../src/io/model-files.js';
import type { DrumSequence } from '../src/train/dataset.js';
import { exportLayersModel } from '../src/train/export.js';
import { barWindows, expressiveBatch, expressiveMeta, expressiveShape, scoreExpressive } from '../src/train/expressive-task.js';
import { RnnModel } from '../src/train/rnn-model.js';
import { TempDirs, useCpuBackend } from './helpers/tfjs-models.js';

const dirs = new TempDirs();
const root = mkdtempSync(join(tmpdir(), 'pulse-train-expressive-'));
// checkpoints go beside the runs, not to the user's cache
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
beforeAll(async () => {
  expect(await useCpuBackend()).toBe(true);
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
  dirs.cleanup();
});

/** Grooves played by a person: loud kicks, softer hats that lean late, snares a little early, at 96 ticks per quarter. */
function groove(i: number): NoteOut[] {
  const r = new Rng(100 + i);
  const notes: NoteOut[] = [];
  for (let s = 0; s < 64; s++) {
    const at = (lean: number) => Math.max(0, s * 24 + lean + r.int(3));
    if (s % 8 === 0 || (i % 2 && s % 16 === 10)) notes.push({ tick: at(0), note: 36, velocity: 100 + r.int(20), channel: 9, durationTicks: 10 });
    if (s % 8 === 4) notes.push({ tick: at(-3), note: 38, velocity: 80 + r.int(30), channel: 9, durationTicks: 10 });
    if (s % 2 === 0) notes.push({ tick: at(4), note: 42, velocity: s % 4 ? 45 + r.int(10) : 70 + r.int(10), channel: 9, durationTicks: 10 });
  }
  return notes;
}

/** A synthetic performance: kicks on beats, hats on 8ths, snares on 2 and 4, each class with its own loudness and lean. */
function performance(steps: number, seed: number): DrumSequence {
  const r = new Rng(seed);
  const tokens = new Int32Array(steps);
  const velocities = new Uint8Array(steps * 9);
  const offsets = new Float64Array(steps * 9);
  for (let k = 0; k < steps; k++) {
    const pos = k % 16;
    const hit = [pos % 4 === 0 || r.next() < 0.1, pos === 4 || pos === 12, pos % 2 === 0, false, false, false, false, pos === 0 && r.next() < 0.3, false];
    hit.forEach((h, c) => {
      if (!h) return;
      tokens[k] |= 1 << c;
      velocities[k * 9 + c] = Math.min(127, 40 + 20 * c + r.int(30));
      offsets[k * 9 + c] = Math.max(-0.5, Math.min(0.49, (c - 1) * 0.05 + (r.next() - 0.5) * 0.1));
    });
  }
  return { file: `synthetic-${seed}.mid`, tokens, velocities, offsets, msPerStep: 125 };
}

const meta = { encoding: 'drum-expressive', stepsPerQuarter: 4, stepsPerBar: 16 };

describe('the expressive drum task in the trainer', () => {
  const seqs = [performance(40, 1), performance(37, 2), performance(45, 3)];

  it('builds the six inputs and three targets of the layout: the step before, the bar lines back, bins of the classes hit and -1 elsewhere', () => {
    const s = seqs[0];
    const b = expressiveBatch(seqs, [[0, 0]], 48);
    const k = 33;
    expect([b.inputs[0][k], b.inputs[1][k], b.inputs[3][k], b.inputs[4][k]]).toEqual([s.tokens[32], 1, s.tokens[17], s.tokens[1]]);
    expect([b.inputs[3][10], b.inputs[4][20]]).toEqual([0, 0]);
    const expr = Array.from((b.inputs[2] as Float32Array).subarray(k * 18, k * 18 + 18));
    for (let c = 0; c < 9; c++) {
      const hit = (s.tokens[32] >> c) & 1;
      expect(expr[c]).toBeCloseTo(hit ? velocityOfBin(velocityBin(s.velocities[32 * 9 + c])) / 127 : 0, 6);
      expect(expr[9 + c]).toBeCloseTo(hit ? offsetOfBin(offsetBin(s.offsets[32 * 9 + c])) : 0, 6);
    }
    expect(Array.from((b.inputs[2] as Float32Array).subarray(0, 18))).toEqual(new Array(18).fill(0));
    const vel = Array.from(b.targets[1].subarray(k * 9, k * 9 + 9));
    vel.forEach((v, c) => expect(v >= 0).toBe(((s.tokens[k] >> c) & 1) === 1));
    expect(b.weights[39]).toBe(1);
    expect(b.weights[40]).toBe(0);
  });

  it("feeds what the codec feeds when the model plays: each step's inputs equal the codec's from the previous event and the tokens back", () => {
    const s = seqs[2];
    const b = expressiveBatch(seqs, [[2, 0]], 48);
    const codec = expressiveGridCodec();
    const vectors = [null, null, new Float32Array(18), null, null];
    const events = Array.from(s.tokens, (_, k) => [s.tokens[k], ...Array.from(b.targets[1].subarray(k * 9, k * 9 + 9)), ...Array.from(b.targets[2].subarray(k * 9, k * 9 + 9))]);
    const out = [0, 0, 0, 0, 0];
    for (let k = 0; k < s.tokens.length; k++) {
      const back = Int32Array.from({ length: Math.min(k, 32) }, (_, j) => s.tokens[k - 1 - j]);
      codec.inputs(k > 0 ? events[k - 1] : codec.startEvent(), k, out, { vectors, back });
      expect([out[0], out[1], out[3], out[4]], `step ${k}`).toEqual([0, 1, 3, 4].map((f) => b.inputs[f][k]));
      const mine = (b.inputs[2] as Float32Array).subarray(k * 18, k * 18 + 18);
      (vectors[2] as Float32Array).forEach((v, j) => expect(v, `step ${k} expression ${j}`).toBeCloseTo(mine[j], 6));
    }
  });

  it('windows start at bar lines and cover every step', () => {
    for (const [si, start] of barWindows([100, 40, 300], 32, 7, 2)) {
      expect(start % 16, `window ${si}@${start}`).toBe(0);
    }
    const covered = new Set(barWindows([300], 32, 7, 2).flatMap(([, s]) => Array.from({ length: 32 }, (_, t) => s + t)));
    for (let k = 0; k < 300; k++) expect(covered.has(k), `step ${k}`).toBe(true);
  });

  it("the loss and each head's part equal the engine's teacher-forced NLL, the vector input included (gemm and tfjs kernels)", () => {
    const batch = expressiveBatch(seqs, seqs.map((_, i) => [i, 0]), 48);
    for (const kernel of ['gemm', 'tfjs'] as const) {
      const m = new RnnModel(expressiveShape(16, 2), 3, 1e-2, { kernel });
      const spec = m.toSpec(meta);
      expect(spec.inputs[2]).toEqual({ kind: 'vector', name: 'expression', size: 18 });
      const e = scoreExpressive(new Network(spec), seqs);
      const loss = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(1) });
      expect(Math.abs(loss - (e.hits + e.velocity + e.offset)), kernel).toBeLessThan(1e-5);
      const [h, v, o] = m.lastHeadLosses;
      expect(Math.abs(h - e.hits), `${kernel} hits`).toBeLessThan(1e-5);
      expect(Math.abs(v - e.velocity), `${kernel} velocity`).toBeLessThan(1e-5);
      expect(Math.abs(o - e.offset), `${kernel} offset`).toBeLessThan(1e-5);
      m.dispose();
    }
  });

  it('a 1×16 model trains a few batches, exports a file the engine loads, and the engine scores it as the trainer does', async () => {
    const m = new RnnModel(expressiveShape(16, 1), 4, 1e-2);
    const rng = new Rng(5);
    const batch = expressiveBatch(seqs, seqs.map((_, i) => [i, 0]), 48);
    const first = m.trainStep(batch, { dropout: 0, clip: 1, rng });
    for (let i = 0; i < 5; i++) m.trainStep(batch, { dropout: 0, clip: 1, rng });
    const inMemory = scoreExpressive(new Network(m.toSpec(meta)), seqs);
    expect(inMemory.hits + inMemory.velocity + inMemory.offset).toBeLessThan(first);
    const dir = await dirs.make();
    const ds = { stepsPerQuarter: 4, stepsPerBar: 16 } as Parameters<typeof expressiveMeta>[0];
    await exportLayersModel(m, expressiveMeta(ds), dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const written = json.userDefinedMetadata.pulseRnn;
    expect(written.encoding).toBe('drum-expressive');
    expect(written.heads).toEqual([
      { name: 'velocity_out', condition: 'hits_out', conditionInput: 'hits_now', groups: 9 },
      { name: 'offset_out', condition: 'hits_out', conditionInput: 'hits_now', groups: 9 },
    ]);
    expect([written.velocityBins, written.offsetBins]).toEqual([16, 16]);
    const spec = await loadModelSpec(dir);
    expect(spec.inputs.map((s) => [s.name, s.kind])).toEqual([
      ['hits', 'token'],
      ['position', 'token'],
      ['expression', 'vector'],
      ['hits_bar1', 'token'],
      ['hits_bar2', 'token'],
    ]);
    const loaded = scoreExpressive(new Network(spec), seqs);
    for (const k of ['hits', 'velocity', 'offset', 'velocityMae', 'offsetMaeMs'] as const) expect(Math.abs(loaded[k] - inMemory[k]), k).toBeLessThan(1e-4);
    expect(loaded.velocityMae).toBeGreaterThan(0);
    expect(loaded.offsetMaeMs).toBeCloseTo(loaded.offsetMaeSteps * 125, 6);
    m.dispose();
  });

  it('train --encoding drum-expressive logs the three parts per epoch and stops on the hit NLL; eval fills the model\'s velocity and offset errors', async () => {
    const data = join(root, 'midi');
    mkdirSync(data, { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(data, `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes: groove(i) }));
    const csv = join(root, 'splits.csv');
    writeFileSync(csv, ['file,split', ...Array.from({ length: 12 }, (_, i) => `g${i}.mid,${i < 8 ? 'train' : i < 10 ? 'validation' : 'test'}`)].join('\n'));
    const out = join(root, 'model');
    const lines: string[] = [];
    const r = await train({ data, csv, out, encoding: 'drum-expressive', units: 16, layers: 1, epochs: 2, batch: 4, window: 32, backend: 'cpu', progress: false, log: (l) => lines.push(l) });
    expect(r.history).toHaveLength(2);
    expect(lines.join('\n')).toContain('augmentation: none');
    const log = readFileSync(join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const rec of log) {
      expect(Object.keys(rec.parts.train)).toEqual(['hits', 'velocity', 'offset']);
      expect(rec.parts.validation.hits).toBe(rec.validationNll);
      expect(rec.parts.train.hits + rec.parts.train.velocity + rec.parts.train.offset).toBeCloseTo(rec.trainLoss, 2);
    }
    expect(lines.some((l) => /hits NLL train [\d.]+ validation [\d.]+; velocity NLL .*; offset NLL .*early stopping follows validation hits/.test(l))).toBe(true);
    const spec = await loadModelSpec(out);
    expect((spec.meta as { encoding: string }).encoding).toBe('drum-expressive');
    // the trainer writes the count-in a drum model starts with (music/count-in.ts)
    expect(spec.meta.countIn).toBe(2);
    const ev = await evaluate({ model: out, data, csv, split: 'test', orders: [1, 2, 3] });
    expect(ev.model.encoding).toBe('drum-expressive');
    expect(ev.model.nllNats).toBeGreaterThan(0);
    expect(ev.model.heads.map((h) => h.head)).toEqual(['hits_out', 'velocity_out', 'offset_out']);
    expect(ev.velocityMae?.model).toBeGreaterThan(0);
    expect(ev.offsetMaeMs?.model).toBeGreaterThan(0);
    expect(ev.offsetMaeSteps?.model).toBeGreaterThan(0);
    // what it generates is the free-running protocol's: 200 cold starts of 512 steps
    expect(ev.generated.steps).toBe(200 * 512);
    expect(ev.freeRunning?.generated.bars).toBe(200 * 32);
  });
});
