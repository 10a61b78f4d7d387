/**
 * Piano-roll heads whose keys read the keys below them in the same frame (a direct term, a
 * NADE, both): the trainer's loss equals the engine's frame NLL; the engine's frame
 * probabilities sum to one and its draws follow them, replay from a seed and go greedy key by
 * key at temperature 0 (test/piano-roll.test.ts: without allocating); the file round-trips; a
 * bad tensor is named.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameHead } from '../src/engine/frame-head.js';
import { validateSpec, type HeadSpec, type ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { exportLayersModel } from '../src/train/export.js';
import { KEY_ORDER_PARTS, nadeTerm } from '../src/train/nade-head.js';
import { framesNll, PIANO_ROLL_META, pianoRollBatch, pianoRollShape, type KeyOrderOption } from '../src/train/piano-roll.js';
import type { Piece } from '../src/train/polyphonic-data.js';
import { RnnModel, type RnnShape } from '../src/train/rnn-model.js';
import { TempDirs, useCpuBackend } from './helpers/tfjs-models.js';

const dirs = new TempDirs();
beforeAll(async () => {
  expect(await useCpuBackend()).toBe(true);
});
afterAll(() => dirs.cleanup());

const ORDERS: [string, KeyOrderOption][] = [
  ['direct', { order: 'direct' }],
  ['nade', { order: 'nade', hidden: 8 }],
  ['nade + direct', { order: 'nade', hidden: 8, direct: true }],
];

/** Seeded chords: three or four keys a frame, around middle C. */
function pieces(n: number, len: number, seed: number): Piece[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: len }, () => [48 + rng.int(6), 60 + rng.int(5), 67 + rng.int(4), ...(rng.next() < 0.5 ? [84] : [])]));
}

/** An order starts adding nothing (V and D zero): give its variables values that matter. */
function stir(m: RnnModel, seed: number, scale = 1): void {
  const rng = new Rng(seed);
  for (const [name, v] of m.vars) {
    if (!KEY_ORDER_PARTS.some((p) => name.endsWith(p))) continue;
    v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => (rng.next() * 2 - 1) * scale), v.shape));
  }
}

/** A small model of `keys` Bernoulli units over a vector input of the same width. */
function small(keys: number, o: RnnShape['heads'][0]['keyOrder'], seed: number): { m: RnnModel; net: Network; head: HeadSpec } {
  const shape: RnnShape = { inputs: [{ name: 'x', vocab: keys, key: 'x', vector: true }], heads: [{ name: 'keys', vocab: keys, key: '', bernoulli: true, keyOrder: o }], units: 8, layers: 1 };
  const m = new RnnModel(shape, seed);
  stir(m, seed, 1.5);
  const net = new Network(m.toSpec({}));
  return { m, net, head: net.spec.heads[0] };
}

describe('the trainer and the engine agree', () => {
  for (const [label, o] of ORDERS) {
    it(`${label}: the trainer's loss is the engine's frame NLL on its weights (gemm and tfjs kernels)`, () => {
      const data = pieces(3, 10, 1);
      const batch = pianoRollBatch(data, [[0, 0], [1, 0], [2, 0]], 10);
      for (const kernel of ['gemm', 'tfjs'] as const) {
        const m = new RnnModel(pianoRollShape(16, 1, o), 4, 1e-2, { kernel });
        stir(m, 5, 0.3);
        const spec = m.toSpec({ ...PIANO_ROLL_META });
        expect(spec.heads[0].keyOrder).toBeDefined();
        const independent = framesNll(new Network({ ...spec, heads: [{ ...spec.heads[0], keyOrder: undefined }] }), data).nll;
        const engine = framesNll(new Network(spec), data);
        const loss = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(1) });
        expect(Math.abs(loss - engine.nll), kernel).toBeLessThan(1e-4);
        // the order is not idle: without it the same weights score otherwise
        expect(Math.abs(independent - engine.nll)).toBeGreaterThan(0.1);
        m.dispose();
      }
    });
  }

  it("the NADE term's gradient is tfjs's own of the same sums (an exclusive cumsum over the keys)", () => {
    const [N, n, H] = [5, 7, 3];
    const rng = new Rng(12);
    const r = (len: number) => Float32Array.from({ length: len }, () => rng.next() * 2 - 1);
    const c = tf.tensor2d(r(N * H), [N, H]);
    const y = tf.tensor2d(Float32Array.from({ length: N * n }, () => (rng.next() < 0.4 ? 1 : 0)), [N, n]);
    const W = tf.tensor2d(r(n * H), [n, H]);
    const V = tf.tensor2d(r(n * H), [n, H]);
    const R = tf.tensor2d(r(N * n), [N, n]);
    const reference = (c: tf.Tensor2D, W: tf.Tensor2D, V: tf.Tensor2D) => {
      const yw = tf.mul(tf.reshape(y, [N, 1, n]), tf.reshape(tf.transpose(W), [1, H, n]));
      const a = tf.add(tf.cumsum(yw, 2, true), tf.reshape(c, [N, H, 1]));
      return tf.sum(tf.mul(tf.sum(tf.mul(tf.sigmoid(a), tf.reshape(tf.transpose(V), [1, H, n])), 1), R)) as tf.Scalar;
    };
    const ours = (c: tf.Tensor2D, W: tf.Tensor2D, V: tf.Tensor2D) => tf.sum(tf.mul(nadeTerm(c, y, W, V), R)) as tf.Scalar;
    const want = tf.valueAndGrads(reference as (...a: tf.Tensor[]) => tf.Scalar)([c, W, V]);
    const got = tf.valueAndGrads(ours as (...a: tf.Tensor[]) => tf.Scalar)([c, W, V]);
    expect(got.value.dataSync()[0]).toBeCloseTo(want.value.dataSync()[0], 4);
    want.grads.forEach((g, i) => {
      const a = got.grads[i].dataSync();
      g.dataSync().forEach((x, j) => expect(Math.abs(a[j] - x), `gradient ${['c', 'W', 'V'][i]}[${j}]`).toBeLessThan(1e-5));
    });
  });

  it('learns chords the independent head cannot: in a frame of one of two chords, the order scores lower', () => {
    // each frame is C-E-G or D-F-A, at random: given the state the keys are not independent
    const rng = new Rng(3);
    const data: Piece[] = Array.from({ length: 4 }, () => Array.from({ length: 16 }, () => (rng.next() < 0.5 ? [60, 64, 67] : [62, 65, 69])));
    const wins = data.map((_, i) => [i, 0] as [number, number]);
    const batch = pianoRollBatch(data, wins, 16);
    const fit = (o: KeyOrderOption) => {
      const m = new RnnModel(pianoRollShape(8, 1, o), 2, 6e-2);
      for (let s = 0; s < 120; s++) m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(s) });
      const nll = framesNll(new Network(m.toSpec({ ...PIANO_ROLL_META })), data).nll;
      m.dispose();
      return nll;
    };
    const independent = fit({});
    // a coin toss between two chords costs log 2 a frame; independent keys cost about 6 log 2
    expect(fit({ order: 'direct' })).toBeLessThan(independent - 1);
    expect(fit({ order: 'nade', hidden: 8 })).toBeLessThan(independent - 1);
  }, 120_000);
});

describe('FrameHead over ordered keys', () => {
  it("a frame's probabilities sum to one, and draws follow them", () => {
    for (const [label, o] of [['direct', { direct: true }], ['nade', { hidden: 4 }], ['both', { direct: true, hidden: 4 }]] as const) {
      const { m, net, head } = small(3, o, 7);
      m.dispose();
      (net.vectors[0] as Float32Array).set([1, 0, 1]);
      net.step([]);
      const frame = new FrameHead(head, net);
      const p = Array.from({ length: 8 }, (_, f) => Math.exp(-frame.nll(net.logits[0], [f & 1, (f >> 1) & 1, (f >> 2) & 1])));
      expect(p.reduce((a, b) => a + b, 0), label).toBeCloseTo(1, 6);
      const counts = new Array(8).fill(0);
      const out = new Uint8Array(3);
      const rng = new Rng(11);
      const N = 40000;
      for (let i = 0; i < N; i++) {
        frame.sample(net.logits[0], 1, rng, out);
        counts[out[0] | (out[1] << 1) | (out[2] << 2)]++;
      }
      counts.forEach((c, f) => expect(Math.abs(c / N - p[f]), `${label} frame ${f}`).toBeLessThan(0.012));
    }
  });

  it('replays from a seed, is greedy key by key at temperature 0, and refuses a bad temperature', () => {
    const { m, net, head } = small(6, { direct: true, hidden: 4 }, 9);
    m.dispose();
    net.step([]);
    const frame = new FrameHead(head, net);
    const a = new Uint8Array(6);
    const b = new Uint8Array(6);
    for (let s = 0; s < 20; s++) {
      frame.sample(net.logits[0], 1.3, new Rng(s), a);
      frame.sample(net.logits[0], 1.3, new Rng(s), b);
      expect(a).toEqual(b);
    }
    // greedy: each key on exactly when, given the keys chosen below it, on is likelier
    frame.sample(net.logits[0], 0, new Rng(1), a);
    for (let k = 0; k < 6; k++) {
      const prefix = Array.from(a.subarray(0, k));
      const on = prefixProbability(frame, net.logits[0], [...prefix, 1], 6);
      const off = prefixProbability(frame, net.logits[0], [...prefix, 0], 6);
      expect(a[k] === 1, `key ${k}`).toBe(on > off);
    }
    expect(() => frame.sample(net.logits[0], -1, new Rng(1), a)).toThrow('temperature must be a finite number ≥ 0, got -1');
  });

  it('asks for the network when a NADE reads its top layer', () => {
    const { m, head } = small(3, { hidden: 2 }, 1);
    m.dispose();
    expect(() => new FrameHead(head)).toThrow("head 'keys' orders its keys with a NADE that reads the network's top layer: construct FrameHead(head, net)");
  });
});

/** p(keys 0..k−1 are `prefix`): the frame's probability summed over every choice of the keys above. */
function prefixProbability(frame: FrameHead, logits: Float32Array, prefix: number[], n: number): number {
  let p = 0;
  const rest = n - prefix.length;
  for (let f = 0; f < 1 << rest; f++) {
    const bits = [...prefix, ...Array.from({ length: rest }, (_, i) => (f >> i) & 1)];
    p += Math.exp(-frame.nll(logits, bits));
  }
  return p;
}

describe('the model file', () => {
  for (const [label, o] of ORDERS) {
    it(`${label}: exports a file the engine loads with the same order, scoring the same; tfjs still loads it (strict: false)`, async () => {
      const data = pieces(2, 12, 4);
      const m = new RnnModel(pianoRollShape(12, 1, o), 6);
      stir(m, 8, 0.3);
      const dir = await dirs.make();
      await exportLayersModel(m, { ...PIANO_ROLL_META }, dir);
      const loaded = await loadModelSpec(dir);
      const mine = m.toSpec({ ...PIANO_ROLL_META });
      expect(Object.keys(loaded.heads[0].keyOrder ?? {}).sort()).toEqual(Object.keys(mine.heads[0].keyOrder ?? {}).sort());
      expect(Math.abs(framesNll(new Network(loaded), data).nll - framesNll(new Network(mine), data).nll)).toBeLessThan(1e-5);
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      const bin = await readFile(join(dir, json.weightsManifest[0].paths[0]));
      const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(bin).buffer }), { strict: false });
      expect(model.outputs[0].shape).toEqual([null, null, 88]);
      model.dispose();
      m.dispose();
    });
  }

  it('names the tensor whose shape is wrong', async () => {
    const m = new RnnModel(pianoRollShape(12, 1, { order: 'nade', hidden: 4 }), 6);
    const dir = await dirs.make();
    await exportLayersModel(m, { ...PIANO_ROLL_META }, dir);
    m.dispose();
    const path = join(dir, 'model.json');
    const json = JSON.parse(await readFile(path, 'utf8'));
    const w = json.weightsManifest[0].weights.find((e: { name: string }) => e.name === 'token_out/key_w');
    w.shape = [44, 8]; // the same number of values, the wrong shape
    await writeFile(path, JSON.stringify(json));
    await expect(loadModelSpec(dir)).rejects.toThrow("tensor 'token_out/key_w'");
    await expect(loadModelSpec(dir)).rejects.toThrow('has shape [44,8], but Dense \'token_out\' needs [88,4]');
  });

  it('validateSpec names the key order tensor of a bad size', () => {
    const m = new RnnModel(pianoRollShape(12, 1, { order: 'nade', hidden: 4, direct: true }), 6);
    const spec = m.toSpec({ ...PIANO_ROLL_META });
    m.dispose();
    const o = spec.heads[0].keyOrder!;
    const bad = (keyOrder: object): ModelSpec => ({ ...spec, heads: [{ ...spec.heads[0], keyOrder }] });
    expect(() => validateSpec(bad({ ...o, direct: new Float32Array(10) }))).toThrow("training model: head 'keys' key order 'direct': 10 values, expected 88×88");
    expect(() => validateSpec(bad({ ...o, nade: { ...o.nade!, V: new Float32Array(5) } }))).toThrow("head 'keys' key order 'V': 5 values, expected 88×4");
    expect(() => validateSpec(bad({ ...o, nade: { ...o.nade!, W: Float32Array.of(...new Array(352).fill(0).map((_, i) => (i === 3 ? NaN : 0))) } }))).toThrow("head 'keys' key order 'W': element 3 is NaN");
  });
});
