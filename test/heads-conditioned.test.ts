/**
 * Heads that read the token an earlier head sampled this step (`condition`), and heads whose
 * logits are several softmaxes side by side (`groups`): the spec's checks, `Network.condition`,
 * the grouped sampler, the file format's checks, and the trainer, which fits them with teacher
 * forcing, masks the groups with no target, and exports a file the engine and tfjs both run.
 * (Engine against tfjs on a hand-built file: test/parity.test.ts.)
 */
import { readFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkModel } from '../src/engine/model-checks.js';
import { validateSpec, type HeadSpec, type ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { Sampler } from '../src/engine/sampling.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { exportLayersModel } from '../src/train/export.js';
import { RnnModel, type Batch, type RnnShape } from '../src/train/rnn-model.js';
import { randomSpec } from './helpers/models.js';
import { TempDirs, saveModel, useCpuBackend, writeModel } from './helpers/tfjs-models.js';

const dirs = new TempDirs();
beforeAll(async () => {
  expect(await useCpuBackend()).toBe(true);
});
afterAll(() => dirs.cleanup());

const UNITS = 12;
const HITS = 8;
const GROUPS = 3;
const BINS = 4;

/** A random model: a token in, `hits` (8) out, then `velocity` (3 groups of 4) conditioned on it. */
function conditionedSpec(seed = 1, edit: (heads: HeadSpec[]) => HeadSpec[] = (h) => h): ModelSpec {
  const base = randomSpec({ inputs: [{ kind: 'token', name: 'token', vocab: HITS }], heads: [{ name: 'hits', size: HITS }], units: UNITS, seed, scale: 1, meta: {} });
  const rng = new Rng(seed + 1);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
  const size = GROUPS * BINS;
  const velocity: HeadSpec = {
    name: 'velocity',
    size,
    condition: 'hits',
    groups: GROUPS,
    layers: [{ name: 'velocity', inputSize: UNITS + HITS, units: size, kernel: rand((UNITS + HITS) * size), bias: rand(size), activation: 'linear' }],
  };
  return { ...base, heads: edit([...base.heads, velocity]) };
}

describe('HeadSpec condition and groups: checked, with messages naming the head', () => {
  const cases: [string, (h: HeadSpec[]) => HeadSpec[], RegExp][] = [
    ['an unknown condition', (h) => [h[0], { ...h[1], condition: 'kick' }], /head 'velocity': its condition 'kick' is not a head of this model \('hits', 'velocity'\)/],
    ['a condition that comes later', (h) => [h[1], h[0]], /head 'velocity': its condition 'hits' must come before it/],
    ['a grouped condition', (h) => [{ ...h[0], groups: 2, layers: [{ ...h[0].layers[0], activation: 'linear' }] }, h[1]], /head 'velocity': its condition 'hits' is grouped; a condition is one token/],
    ['groups that do not divide the size', (h) => [h[0], { ...h[1], groups: 5 }], /head 'velocity': 12 logits do not split into 5 equal groups/],
    ['groups that are not a whole number', (h) => [h[0], { ...h[1], groups: 1.5 }], /head 'velocity': groups 1.5 is not a positive integer/],
    ['a grouped head ending in softmax', (h) => [h[0], { ...h[1], layers: [{ ...h[1].layers[0], activation: 'softmax' }] }], /head 'velocity': a head of 3 groups ends in linear logits .* not 'softmax'/],
    ['a first layer without the one-hot rows', (h) => [h[0], { ...h[1], condition: undefined }], /dense 'velocity': input size 20, but what feeds it is 12 wide/],
  ];
  for (const [what, edit, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => validateSpec(conditionedSpec(1, edit))).toThrow(message);
    });
  }
  it('accepts the model as built', () => {
    expect(() => validateSpec(conditionedSpec())).not.toThrow();
  });
});

describe('Network.condition', () => {
  it('computes [h | one-hot(token)] · W + b for the token given, after the step; step leaves the head alone', () => {
    const spec = conditionedSpec(3);
    const W = spec.heads[1].layers[0];
    for (const kernel of ['js', 'auto'] as const) {
      const net = new Network(spec, { kernel });
      for (const [t, token] of [
        [0, 5],
        [1, 0],
        [2, 7],
      ]) {
        net.step([t]);
        const untouched = net.logits[1].slice();
        net.step([t]); // a second step does not compute the conditioned head either
        expect(net.logits[1]).toEqual(untouched);
        net.condition(1, token);
        const h = net.hidden(0);
        for (let j = 0; j < W.units; j++) {
          let z = (W.bias as Float32Array)[j] + W.kernel[(UNITS + token) * W.units + j];
          for (let i = 0; i < UNITS; i++) z += h[i] * W.kernel[i * W.units + j];
          expect(Math.abs(net.logits[1][j] - z), `${kernel}: logit ${j} for token ${token}`).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('runs a conditioned head of several layers: the token enters the first', () => {
    const spec = conditionedSpec(4, (h) => {
      const rng = new Rng(9);
      const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
      const first = { name: 'v_hidden', inputSize: UNITS + HITS, units: 6, kernel: rand((UNITS + HITS) * 6), bias: rand(6), activation: 'relu' as const };
      const last = { name: 'v_out', inputSize: 6, units: GROUPS * BINS, kernel: rand(6 * GROUPS * BINS), bias: null, activation: 'linear' as const };
      return [h[0], { ...h[1], layers: [first, last] }];
    });
    const net = new Network(spec);
    net.step([2]);
    net.condition(1, 3);
    const [d0, d1] = spec.heads[1].layers;
    const h = net.hidden(0);
    const mid = Array.from({ length: 6 }, (_, j) => {
      let z = (d0.bias as Float32Array)[j] + d0.kernel[(UNITS + 3) * 6 + j];
      for (let i = 0; i < UNITS; i++) z += h[i] * d0.kernel[i * 6 + j];
      return Math.max(0, z);
    });
    for (let j = 0; j < GROUPS * BINS; j++) {
      const z = mid.reduce((a, m, i) => a + m * d1.kernel[i * GROUPS * BINS + j], 0);
      expect(Math.abs(net.logits[1][j] - z)).toBeLessThan(1e-5);
    }
  });

  it('refuses a head that is not conditioned and a token outside the condition head', () => {
    const net = new Network(conditionedSpec());
    net.step([0]);
    expect(() => net.condition(0, 1)).toThrow("head 0 ('hits') is not a conditioned head");
    expect(() => net.condition(2, 1)).toThrow('head 2 is not a conditioned head');
    expect(() => net.condition(1, HITS)).toThrow(`head 'velocity': condition token ${HITS} of head 'hits' is outside 0..${HITS - 1}`);
    expect(() => net.condition(1, 1.5)).toThrow(/condition token 1.5/);
  });

  it("the load-time probe runs conditioned heads too: weights that overflow only for some condition token are refused, naming the head", () => {
    const spec = conditionedSpec(6, (h) => {
      const d = h[1].layers[0];
      const kernel = d.kernel.slice();
      // the one-hot row of the last hit token: finite weights, an infinite logit once added to h·W
      kernel.fill(3e38, (UNITS + HITS - 1) * d.units, (UNITS + HITS) * d.units);
      const bias = new Float32Array(d.units).fill(3e38);
      return [h[0], { ...h[1], layers: [{ ...d, kernel, bias }] }];
    });
    expect(() => validateSpec(spec)).not.toThrow();
    expect(() => checkModel(spec)).toThrow(/head 'velocity' logit 0 is Infinity after 2 steps/);
  });

  it('a step, a hit token and every group of the conditioned head allocate nothing (sampling heap profiler)', async () => {
    const spec = conditionedSpec(5);
    const net = new Network(spec);
    const sampler = new Sampler(HITS);
    const rng = new Rng(1);
    const tokens = [0];
    let sum = 0;
    const hitOpts = { temperature: 1, topP: 1 };
    const binOpts = { temperature: 0.8, topP: 0.9 };
    const tick = () => {
      net.step(tokens);
      const hit = sampler.sample(net.logits[0], hitOpts, rng);
      net.condition(1, hit);
      for (let g = 0; g < GROUPS; g++) sum += sampler.sampleAt(net.logits[1], g * BINS, BINS, binOpts, rng);
      tokens[0] = hit;
    };
    for (let i = 0; i < 20000; i++) tick();
    const bytes = await sampledBytes(() => {
      for (let i = 0; i < 20000; i++) tick();
    }, /\/src\/engine\//);
    expect(sum).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(20000);
  }, 120_000);
});

describe('Sampler: one group of a grouped head', () => {
  const logits = Float32Array.from([0.3, -1, 2, 0.5, 1.5, 0.1, -0.4, 0.9, 3, -2, 0, 0.7]);
  it('samples, gives probabilities and log-probabilities as for that group alone', () => {
    const s = new Sampler(12);
    const alone = new Sampler(12);
    for (let g = 0; g < 3; g++) {
      const part = logits.slice(g * 4, g * 4 + 4);
      for (const opts of [{}, { temperature: 0.7, topP: 0.8 }, { temperature: 0 }, { mask: Uint8Array.from([0, 1, 0, 0]), bias: Float32Array.from([0, 0, -1, 1]) }]) {
        const a = new Rng(g + 10);
        const b = new Rng(g + 10);
        for (let i = 0; i < 20; i++) expect(s.sampleAt(logits, g * 4, 4, opts, a)).toBe(alone.sample(part, opts, b));
        expect(Array.from(s.probs.subarray(0, 4))).toEqual(Array.from(alone.probs.subarray(0, 4)));
      }
      for (let t = 0; t < 4; t++) expect(s.logProbAt(logits, g * 4, 4, t)).toBeCloseTo(alone.logProb(part, t), 12);
    }
  });
  it('refuses a group outside the logits', () => {
    expect(() => new Sampler(12).sampleAt(logits, 10, 4, {}, new Rng(1))).toThrow('logits 10..13 are outside the 12 given');
  });
});

// ---- the file format's checks ------------------------------------------------------------------

/** A tfjs model: token → LSTM → hits softmax; velocity over Concatenate([lstm, hits_now]) (or as `variant` changes it). */
async function conditionedFile(variant: { order?: 'input-first'; trunkReadsNow?: boolean; heads?: unknown } = {}): Promise<string> {
  const tok = tf.input({ batchShape: [null, null, HITS], name: 'token' });
  const now = tf.input({ batchShape: [null, null, HITS], name: 'hits_now' });
  const trunkIn = variant.trunkReadsNow ? (tf.layers.concatenate({ name: 'ins' }).apply([tok, now]) as tf.SymbolicTensor) : tok;
  const x = tf.layers.lstm({ units: UNITS, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotNormal', name: 'lstm1' }).apply(trunkIn) as tf.SymbolicTensor;
  const hits = tf.layers.dense({ units: HITS, activation: 'softmax', name: 'hits_out' }).apply(x) as tf.SymbolicTensor;
  const cond = tf.layers.concatenate({ name: 'hits_cond' }).apply(variant.order ? [now, x] : [x, now]) as tf.SymbolicTensor;
  const vel = tf.layers.dense({ units: GROUPS * BINS, name: 'velocity_out' }).apply(variant.trunkReadsNow ? x : cond) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [tok, now], outputs: [hits, vel] });
  const heads = variant.heads ?? [{ name: 'velocity_out', condition: 'hits_out', conditionInput: 'hits_now', groups: GROUPS }];
  model.setUserDefinedMetadata({ pulseRnn: { inputs: [{ name: 'token', onehot: true }], heads } as Record<string, unknown> });
  const saved = await saveModel(model);
  model.dispose();
  return writeModel(await dirs.make(), saved.json, saved.bin);
}

describe('the file format: a Dense over Concatenate([top layer, one-hot input]) and metadata heads', () => {
  it('loads as a conditioned, grouped head', async () => {
    const spec = await loadModelSpec(await conditionedFile());
    expect(spec.inputs.map((s) => s.name)).toEqual(['token']);
    expect(spec.heads.map((h) => [h.name, h.condition, h.groups, h.layers[0].inputSize])).toEqual([
      ['hits_out', undefined, undefined, UNITS],
      ['velocity_out', 'hits_out', GROUPS, UNITS + HITS],
    ]);
  });
  const refused: [string, Parameters<typeof conditionedFile>[0], RegExp][] = [
    ['metadata that names no condition', { heads: [{ name: 'velocity_out', groups: GROUPS }] }, /head 'velocity_out' reads input 'hits_now' beside the recurrent layer, but metadata 'heads' names no condition head/],
    ['metadata naming another input', { heads: [{ name: 'velocity_out', condition: 'hits_out', conditionInput: 'now', groups: GROUPS }] }, /says head 'velocity_out' reads its condition at input 'now', but the graph joins input 'hits_now'/],
    ['metadata naming an unknown head', { heads: [{ name: 'volume_out', condition: 'hits_out' }] }, /metadata 'heads\[0\]' names head 'volume_out', which is not an output of the model/],
    ['a malformed entry', { heads: [{ name: 'velocity_out', groups: '3' }] }, /metadata 'heads\[0\]' is .*groups a number/],
    ['an input joined before the recurrent layer', { order: 'input-first' }, /Concatenate 'hits_cond' of InputLayer 'hits_now', LSTM 'lstm1'; a conditioned head joins the top recurrent layer, then one input/],
    ['a condition on a head read straight from the recurrent layer', { trunkReadsNow: true, heads: [{ name: 'velocity_out', condition: 'hits_out', conditionInput: 'hits_now', groups: GROUPS }] }, /conditions head 'velocity_out' on 'hits_out', but its first Dense reads only the recurrent layer/],
  ];
  for (const [what, variant, message] of refused) {
    it(`refuses ${what}`, async () => {
      await expect(loadModelSpec(await conditionedFile(variant))).rejects.toThrow(message);
    });
  }
});

// ---- the trainer -----------------------------------------------------------------------------------

const shape = (units = UNITS): RnnShape => ({
  inputs: [
    { name: 'hits', vocab: HITS, key: 'hit' },
    { name: 'position', vocab: 4, key: 'pos' },
  ],
  heads: [
    { name: 'hits', vocab: HITS, key: 'hits' },
    { name: 'velocity', vocab: GROUPS * BINS, key: 'vel', condition: 'hits', groups: GROUPS },
  ],
  units,
  layers: 2,
});

/**
 * Synthetic drums: hit tokens are sets of 3 classes (bit g = class g hit); each hit class's
 * bin is a function of the whole token and the class, so only a head that sees the token can
 * learn it; classes not hit have no target (-1).
 */
function syntheticBatch(B: number, L: number, seed: number): Batch {
  const r = new Rng(seed);
  const seqs = Array.from({ length: B }, () => Array.from({ length: L + 1 }, () => r.int(HITS)));
  const hitsIn = new Int32Array(B * L);
  const pos = new Int32Array(B * L);
  const hits = new Int32Array(B * L);
  const bins = new Int32Array(B * L * GROUPS);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < L; t++) {
      const i = b * L + t;
      hitsIn[i] = seqs[b][t];
      pos[i] = t % 4;
      const tok = seqs[b][t + 1];
      hits[i] = tok;
      for (let g = 0; g < GROUPS; g++) bins[i * GROUPS + g] = tok & (1 << g) ? (tok + g) % BINS : -1;
    }
  }
  return { B, L, inputs: [hitsIn, pos], targets: [hits, bins], weights: Float32Array.from({ length: B * L }, (_, i) => (i % L === L - 1 && i % 3 === 0 ? 0 : 1)) };
}

/** The engine's teacher-forced NLL per real step: hits, plus every hit class's bin under its group's softmax (`part` picks one). */
function engineNll(spec: ModelSpec, batch: Batch, part: 'all' | 'velocity' = 'all'): number {
  const net = new Network(spec);
  const s = new Sampler(HITS);
  let nll = 0;
  let real = 0;
  for (let b = 0; b < batch.B; b++) {
    net.resetState();
    for (let t = 0; t < batch.L; t++) {
      const i = b * batch.L + t;
      net.step([batch.inputs[0][i], batch.inputs[1][i]]);
      const w = batch.weights[i];
      let step = part === 'all' ? -s.logProb(net.logits[0], batch.targets[0][i]) : 0;
      net.condition(1, batch.targets[0][i]);
      for (let g = 0; g < GROUPS; g++) {
        const bin = batch.targets[1][i * GROUPS + g];
        if (bin >= 0) step -= s.logProbAt(net.logits[1], g * BINS, BINS, bin);
      }
      nll += w * step;
      real += w;
    }
  }
  return nll / real;
}

describe('the trainer: conditioned, grouped heads with teacher forcing and masked groups', () => {
  it('refuses heads it cannot train, naming them', () => {
    const bad = (heads: RnnShape['heads']) => () => new RnnModel({ ...shape(), heads }, 1);
    expect(bad([{ name: 'v', vocab: 12, key: 'v', condition: 'hits' }])).toThrow("head 'v': its condition 'hits' is not a head ('v')");
    expect(bad([{ name: 'v', vocab: 12, key: 'v', groups: 5 }])).toThrow("head 'v': groups 5 must be a positive integer dividing its 12 classes");
    expect(bad([{ name: 'v', vocab: 12, key: 'v', condition: 'hits' }, { name: 'hits', vocab: 8, key: 'h' }])).toThrow("head 'v': its condition 'hits' must come before it");
  });

  it("its loss is the engine's NLL on its weights: the true token conditions, groups with no class cost nothing (gemm and tfjs kernels)", () => {
    const batch = syntheticBatch(3, 9, 2);
    for (const kernel of ['gemm', 'tfjs'] as const) {
      const m = new RnnModel(shape(16), 5, 1e-2, { kernel });
      const spec = m.toSpec({});
      expect(spec.heads[1]).toMatchObject({ condition: 'hits', groups: GROUPS });
      const nll = engineNll(spec, batch);
      const loss = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(1) });
      expect(Math.abs(loss - nll), kernel).toBeLessThan(1e-5);
      m.dispose();
    }
  });

  it('fits synthetic data only a head that sees the token could fit, exports, and the file runs in tfjs and the engine alike', async () => {
    const m = new RnnModel(shape(), 7, 2e-2);
    const batch = syntheticBatch(8, 12, 3);
    const first = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(1) });
    let last = first;
    for (let s = 0; s < 150; s++) last = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(s) });
    const spec = m.toSpec({});
    const velocity = engineNll(spec, batch, 'velocity');
    const hitsPerStep = 1.5; // 3 classes, each hit half the time
    expect(first - last).toBeGreaterThan(1);
    // guessing among 4 bins costs log 4 per hit; the token says which bin
    expect(velocity).toBeLessThan(0.25 * hitsPerStep * Math.log(BINS));

    const dir = await dirs.make();
    await exportLayersModel(m, { inputs: [{ name: 'hits', onehot: true }, { name: 'position', onehot: true }] }, dir);
    const loaded = await loadModelSpec(dir);
    expect(loaded.heads.map((h) => [h.name, h.condition, h.groups])).toEqual([
      ['hits_out', undefined, undefined],
      ['velocity_out', 'hits_out', GROUPS],
    ]);
    expect(loaded.meta.heads).toEqual([{ name: 'velocity_out', condition: 'hits_out', conditionInput: 'hits_now', groups: GROUPS }]);
    expect(Math.abs(engineNll(loaded, batch) - engineNll(spec, batch))).toBeLessThan(1e-5);

    // tfjs loads the file as it is and, fed the true tokens at hits_now, gives the engine's numbers
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const bin = await readFile(join(dir, json.weightsManifest[0].paths[0]));
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(bin).buffer }));
    expect(model.inputNames).toEqual(['hits', 'position', 'hits_now']);
    const L = batch.L;
    const onehot = (a: Int32Array | Float32Array, n: number) => tf.tidy(() => tf.oneHot(tf.tensor1d(a.slice(0, L), 'int32'), n).toFloat().expandDims(0));
    const inputs = [onehot(batch.inputs[0], HITS), onehot(batch.inputs[1], 4), onehot(batch.targets[0], HITS)];
    const [hitsP, velLogits] = (model.predict(inputs) as tf.Tensor[]).map((t) => (t.arraySync() as number[][][])[0]);
    tf.dispose(inputs);
    model.dispose();
    const net = new Network(loaded);
    const s = new Sampler(HITS);
    let worst = 0;
    for (let t = 0; t < L; t++) {
      net.step([batch.inputs[0][t], batch.inputs[1][t]]);
      s.distribution(net.logits[0]);
      for (let i = 0; i < HITS; i++) worst = Math.max(worst, Math.abs(s.probs[i] - hitsP[t][i]));
      net.condition(1, batch.targets[0][t]);
      for (let j = 0; j < GROUPS * BINS; j++) worst = Math.max(worst, Math.abs(net.logits[1][j] - velLogits[t][j]));
    }
    expect(worst).toBeLessThan(1e-5);
    m.dispose();
  }, 120_000);
});

// ---- allocation, as test/allocation.test.ts watches it ----------------------------------------------

interface ProfileNode {
  callFrame: { url: string };
  selfSize: number;
  children: ProfileNode[];
}

/** Bytes the sampling heap profiler saw allocated, while `run` ran, under a frame whose url matches `ours`. */
async function sampledBytes(run: () => void, ours: RegExp): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
    run();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
    let bytes = 0;
    const walk = (n: ProfileNode, inside: boolean): void => {
      const here = inside || ours.test(n.callFrame.url);
      if (here) bytes += n.selfSize;
      for (const c of n.children) walk(c, here);
    };
    walk(profile.head, false);
    return bytes;
  } finally {
    session.disconnect();
  }
}
