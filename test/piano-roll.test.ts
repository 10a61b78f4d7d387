/**
 * The piano-roll model: 88 independent Bernoulli units a step. The engine's sampler and NLL;
 * the trainer's loss (binary cross-entropy summed over the keys) equal to the engine's NLL on
 * the same weights; the export, which the engine loads as a Bernoulli head and tfjs runs to the
 * engine's probabilities; and the per-key baseline.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bernoulliNll, sampleBernoulli } from '../src/engine/bernoulli.js';
import { FrameHead } from '../src/engine/frame-head.js';
import { checkModel } from '../src/engine/model-checks.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { exportLayersModel } from '../src/train/export.js';
import { framesNll, keyBaselineNll, keyLogits, PIANO_ROLL_META, pianoRollBatch, pianoRollShape } from '../src/train/piano-roll.js';
import type { Piece } from '../src/train/polyphonic-data.js';
import { RnnModel } from '../src/train/rnn-model.js';
import { ourAllocations, sampledWhile } from './helpers/heap-sampling.js';
import { TempDirs, useCpuBackend } from './helpers/tfjs-models.js';

const dirs = new TempDirs();
beforeAll(async () => {
  expect(await useCpuBackend()).toBe(true);
});
afterAll(() => dirs.cleanup());

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Seeded chords: three or four keys a frame, around middle C. */
function pieces(n: number, len: number, seed: number): Piece[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: len }, () => [48 + rng.int(6), 60 + rng.int(5), 67 + rng.int(4), ...(rng.next() < 0.5 ? [84] : [])]));
}

describe('sampleBernoulli and bernoulliNll', () => {
  it('draws each unit with its sigmoid, replays from the same seed, and at temperature 0 keeps the units likelier on', () => {
    const logits = Float32Array.from([-2, 0, 1.5, 4]);
    const out = new Uint8Array(4);
    const counts = [0, 0, 0, 0];
    const rng = new Rng(3);
    const N = 20000;
    for (let i = 0; i < N; i++) {
      sampleBernoulli(logits, 0, 4, 1, rng, out);
      out.forEach((b, k) => (counts[k] += b));
    }
    counts.forEach((c, k) => expect(Math.abs(c / N - sigmoid(logits[k]))).toBeLessThan(0.015));
    const a = new Uint8Array(4);
    const b = new Uint8Array(4);
    sampleBernoulli(logits, 0, 4, 1, new Rng(9), a);
    sampleBernoulli(logits, 0, 4, 1, new Rng(9), b);
    expect(a).toEqual(b);
    expect(sampleBernoulli(logits, 0, 4, 0, new Rng(1), out)).toBe(2);
    expect(Array.from(out)).toEqual([0, 0, 1, 1]);
  });

  it('applies temperature to the logits: hotter is nearer a coin toss', () => {
    const rng = new Rng(5);
    const out = new Uint8Array(1);
    let on = 0;
    for (let i = 0; i < 20000; i++) on += sampleBernoulli(Float32Array.of(2), 0, 1, 4, rng, out);
    expect(Math.abs(on / 20000 - sigmoid(0.5))).toBeLessThan(0.015);
    expect(() => sampleBernoulli(Float32Array.of(2), 0, 1, -1, rng, out)).toThrow('temperature must be a finite number ≥ 0, got -1');
  });

  it('scores −log p of the bits, finite for large logits', () => {
    const logits = Float32Array.from([-2, 0, 1.5, 80, -80]);
    const bits = [1, 0, 1, 0, 0];
    const want = -Math.log(sigmoid(-2)) - Math.log(0.5) - Math.log(sigmoid(1.5)) + 80 + Math.log1p(Math.exp(-80));
    expect(bernoulliNll(logits, 0, bits, 0, 5)).toBeCloseTo(want, 9);
  });
});

describe('the per-key baseline', () => {
  it('is each key on with its training frequency (half a frame on and off added), summed over the 88 keys, per frame', () => {
    const train: Piece[] = [[[60], [60, 64]]];
    const test: Piece[] = [[[64], []]];
    // of 2 frames: key 60 on in 2, key 64 in 1, the other 86 in none; smoothed (n + 0.5) / 3
    const p60 = 2.5 / 3;
    const p64 = 1.5 / 3;
    const rest = 0.5 / 3;
    const others = 86 * -Math.log(1 - rest);
    const first = -Math.log(1 - p60) - Math.log(p64) + others;
    const second = -Math.log(1 - p60) - Math.log(1 - p64) + others;
    expect(keyBaselineNll(train, test)).toBeCloseTo((first + second) / 2, 9);
  });
});

describe('a real-time piano-roll step', () => {
  // independent keys, and keys in order (each reading those below it through a NADE and direct weights)
  for (const [label, order] of [['independent', {}], ['ordered', { order: 'nade', hidden: 16, direct: true }]] as const) {
    it(`${label}: steps the network and draws 88 keys through FrameHead, fed back, allocating nothing in src/engine`, async () => {
      const m = new RnnModel(pianoRollShape(16, 1, order), 3);
      // an ordered head starts adding nothing: give its weights values that turn keys on and off
      for (const [name, v] of m.vars) if (/(direct|nade_\w+)$/.test(name)) v.assign(tf.randomUniform(v.shape, -0.2, 0.2, 'float32', 2));
      const net = new Network(m.toSpec({ ...PIANO_ROLL_META }));
      m.dispose();
      const frame = new FrameHead(net.spec.heads[0], net);
      const keys = new Uint8Array(88);
      const rng = new Rng(1);
      const x = net.vectors[0] as Float32Array;
      const NONE: number[] = [];
      let on = 0;
      const steps = (n: number) => {
        for (let i = 0; i < n; i++) {
          net.step(NONE);
          on += frame.sample(net.logits[0], 1, rng, keys);
          for (let k = 0; k < 88; k++) x[k] = keys[k];
        }
      };
      // compiled code and feedback vectors are made during the first thousands of steps, once
      steps(20000);
      const head = await sampledWhile(() => steps(20000));
      expect(on).toBeGreaterThan(0);
      const allocations = ourAllocations(head);
      const bytes = allocations.reduce((a, x) => a + x.bytes, 0);
      // one 16-byte object per step would be sampled as about 16 · 20000 bytes
      expect(bytes, allocations.map((a) => `${a.bytes} at ${a.stack}`).join('\n')).toBeLessThan(20000);
    }, 300_000);
  }
});

describe('the piano-roll trainer and engine', () => {
  it("the trainer's loss is the engine's frame NLL on its weights (gemm and tfjs kernels)", () => {
    const data = pieces(3, 10, 1);
    const batch = pianoRollBatch(data, [[0, 0], [1, 0], [2, 0]], 10);
    for (const kernel of ['gemm', 'tfjs'] as const) {
      const m = new RnnModel(pianoRollShape(16, 2), 4, 1e-2, { kernel });
      const spec = m.toSpec({ ...PIANO_ROLL_META });
      expect(spec.heads[0]).toMatchObject({ bernoulli: true, size: 88 });
      const engine = framesNll(new Network(spec), data);
      const loss = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(1) });
      expect(engine.frames).toBe(30);
      expect(Math.abs(loss - engine.nll), kernel).toBeLessThan(1e-4);
      m.dispose();
    }
  });

  it('learns, exports a file the engine loads as 88 Bernoulli keys, and tfjs runs it to the same probabilities', async () => {
    const data = pieces(4, 16, 2);
    const m = new RnnModel(pianoRollShape(16, 1), 7, 2e-2);
    m.setOutputBias(keyLogits(data));
    const batch = pianoRollBatch(data, data.map((_, i) => [i, 0] as [number, number]), 16);
    const first = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(1) });
    let last = first;
    for (let s = 0; s < 60; s++) last = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(s) });
    expect(last).toBeLessThan(first);
    // the per-key baseline is the untrained head: a model that learned does better
    expect(last).toBeLessThan(keyBaselineNll(data, data));

    const dir = await dirs.make();
    await exportLayersModel(m, { ...PIANO_ROLL_META }, dir);
    const loaded = await loadModelSpec(dir);
    expect(() => checkModel(loaded)).not.toThrow();
    expect(loaded.heads.map((h) => [h.size, h.bernoulli])).toEqual([[88, true]]);
    expect(loaded.inputs[0]).toMatchObject({ kind: 'vector', size: 88 });
    const net = new Network(loaded);
    expect(Math.abs(framesNll(net, data).nll - framesNll(new Network(m.toSpec({ ...PIANO_ROLL_META })), data).nll)).toBeLessThan(1e-5);

    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const bin = await readFile(join(dir, json.weightsManifest[0].paths[0]));
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(bin).buffer }));
    const x = tf.tensor3d(batch.inputs[0].slice(0, 16 * 88) as Float32Array, [1, 16, 88]);
    const p = ((model.predict(x) as tf.Tensor).arraySync() as number[][][])[0];
    tf.dispose([x]);
    model.dispose();
    net.resetState();
    let worst = 0;
    for (let t = 0; t < 16; t++) {
      (net.vectors[0] as Float32Array).set(batch.inputs[0].subarray(t * 88, (t + 1) * 88));
      net.step([]);
      for (let k = 0; k < 88; k++) worst = Math.max(worst, Math.abs(sigmoid(net.logits[0][k]) - p[t][k]));
    }
    expect(worst).toBeLessThan(1e-5);
    m.dispose();
  });

  it("refuses a piano-roll model whose head is a softmax, naming the field", () => {
    const m = new RnnModel({ ...pianoRollShape(8, 1), heads: [{ name: 'keys', vocab: 88, key: '' }] }, 1);
    expect(() => checkModel(m.toSpec({ ...PIANO_ROLL_META }))).toThrow("training model: metadata 'encoding' is 'piano-roll'; a piano roll needs a first head of 88 sigmoid units, one per key, but head 'keys' is a softmax of 88");
    m.dispose();
  });
});
