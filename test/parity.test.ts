/**
 * The contract between the trainer (TensorFlow.js LayersModels) and the engine: a model saved
 * by tfjs, loaded with `loadModelSpec` and stepped one token at a time by `Network`, gives the
 * same output probabilities as `model.predict` on the whole sequence (within 1e-5), for every
 * architecture the loader accepts. Weights are seeded, so every run is identical.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { Sampler } from '../src/engine/sampling.js';
import { floatToHalf, halfToFloat } from '../src/engine/tensor-decode.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { SHARD, TempDirs, randomArray, randomizeWeights, saveModel, useCpuBackend, weightScale, weightSpecsOf, writeModel } from './helpers/tfjs-models.js';

const KERNELS = ['js', 'auto'] as const;
const STEPS = 20;
const TOL = 1e-5;
const TIMEOUT = 30_000;

const dirs = new TempDirs();
beforeAll(async () => {
  expect(await useCpuBackend()).toBe(true);
});
afterAll(() => dirs.cleanup());

// ---- feeding both sides --------------------------------------------------------------------

/**
 * One model input: a token sequence fed as int ids (to an Embedding) or as a one-hot float
 * tensor (marked `onehot` in the metadata), or, with `vector`, free float vectors of width `vocab`.
 */
interface Feed {
  readonly name: string;
  readonly vocab: number;
  readonly onehot: boolean;
  readonly vector?: boolean;
}

/** Seeded float vectors [feed][t][i] for the vector feeds (null for token feeds). */
const randomVectors = (feeds: readonly Feed[], steps: number, seed: number): (number[][] | null)[] => {
  const rng = new Rng(seed);
  return feeds.map((f) => (f.vector ? Array.from({ length: steps }, () => Array.from(randomArray(rng, f.vocab, 1))) : null));
};

const randomTokens = (feeds: readonly Feed[], steps: number, seed: number): number[][] => {
  const rng = new Rng(seed);
  return feeds.map((f) => Array.from({ length: steps }, () => rng.int(f.vocab)));
};

/** The tfjs tensors for `tokens` (batch 1): [1, T] int32 ids, or [1, T, vocab] one-hot floats. */
function tfInputs(feeds: readonly Feed[], tokens: number[][], vectors: (number[][] | null)[] = []): tf.Tensor[] {
  return feeds.map((f, i) =>
    tf.tidy(() => {
      if (f.vector) return tf.tensor3d([vectors[i] as number[][]]);
      const ids = tf.tensor1d(tokens[i], 'int32');
      // `.toFloat()` rather than oneHot's dtype argument (see reference/tfjs-notes.md)
      return f.onehot ? tf.oneHot(ids, f.vocab).toFloat().expandDims(0) : ids.expandDims(0);
    }),
  );
}

/** tfjs's outputs as [head][t][i]. */
function predictAll(model: tf.LayersModel, inputs: tf.Tensor[]): number[][][] {
  const out = model.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => (t.arraySync() as number[][][])[0]);
  tf.dispose(list);
  return values;
}

/** For each spec input, which feed drives it (by name; a single input needs no name). */
function feedOrder(spec: ModelSpec, feeds: readonly Feed[]): number[] {
  if (spec.inputs.length === 1 && feeds.length === 1) return [0];
  return spec.inputs.map((s) => {
    const i = feeds.findIndex((f) => f.name === s.name);
    if (i < 0) throw new Error(`no feed for engine input '${s.name}'`);
    return i;
  });
}

/** Step the engine over `tokens`, returning probabilities as [head][t][i] (softmax of the logits, or the raw logits). */
function runEngine(spec: ModelSpec, feeds: readonly Feed[], tokens: number[][], kernel: (typeof KERNELS)[number], vectors: (number[][] | null)[] = [], raw = false): number[][][] {
  const net = new Network(spec, { kernel });
  const order = feedOrder(spec, feeds);
  const sampler = new Sampler(Math.max(...spec.heads.map((h) => h.size)));
  const out: number[][][] = spec.heads.map(() => []);
  const input = new Array<number>(order.length);
  for (let t = 0; t < tokens[0].length; t++) {
    for (let j = 0; j < order.length; j++) {
      const f = order[j];
      if (feeds[f].vector) {
        (net.vectors[j] as Float32Array).set((vectors[f] as number[][])[t]);
        input[j] = 0;
      } else input[j] = tokens[f][t];
    }
    net.step(input);
    for (let h = 0; h < spec.heads.length; h++) {
      if (raw) {
        out[h].push(Array.from(net.logits[h]));
        continue;
      }
      sampler.distribution(net.logits[h]);
      out[h].push(Array.from(sampler.probs.subarray(0, spec.heads[h].size)));
    }
  }
  return out;
}

function maxDiff(a: number[][][], b: number[][][]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let h = 0; h < a.length; h++) {
    expect(a[h].length).toBe(b[h].length);
    for (let t = 0; t < a[h].length; t++) {
      expect(a[h][t].length).toBe(b[h][t].length);
      for (let i = 0; i < a[h][t].length; i++) worst = Math.max(worst, Math.abs(a[h][t][i] - b[h][t][i]));
    }
  }
  return worst;
}

/** How much the reference distribution moves over the sequence: a guard against a vacuous test. */
function spread(ref: number[][][]): number {
  let s = 0;
  for (const head of ref) for (let t = 1; t < head.length; t++) for (let i = 0; i < head[t].length; i++) s = Math.max(s, Math.abs(head[t][i] - head[0][i]));
  return s;
}

async function saveToDir(model: tf.LayersModel): Promise<string> {
  const saved = await saveModel(model);
  return writeModel(await dirs.make(), saved.json, saved.bin);
}

/**
 * The whole contract for one model: seed its weights, predict with tfjs, save, load, step the
 * engine with both kernels, compare every probability.
 */
async function expectParity(model: tf.LayersModel, feeds: readonly Feed[], seed: number, { logits = false } = {}): Promise<ModelSpec> {
  randomizeWeights(model, seed);
  const onehot = feeds.filter((f) => f.onehot).map((f) => ({ name: f.name, onehot: true }));
  if (onehot.length) model.setUserDefinedMetadata({ pulseRnn: { inputs: onehot } });
  const tokens = randomTokens(feeds, STEPS, seed + 1);
  const vectors = randomVectors(feeds, STEPS, seed + 2);
  const inputs = tfInputs(feeds, tokens, vectors);
  const ref = predictAll(model, inputs);
  tf.dispose(inputs);
  expect(spread(ref)).toBeGreaterThan(1e-3);
  const spec = await loadModelSpec(await saveToDir(model));
  model.dispose();
  for (const f of feeds) {
    const s = feeds.length === 1 ? spec.inputs[0] : spec.inputs.find((x) => x.name === f.name);
    if (f.vector) expect(s).toMatchObject({ kind: 'vector', size: f.vocab });
    else expect(s).toMatchObject({ kind: 'token', vocab: f.vocab });
    if (f.onehot) expect(s && s.kind === 'token' && s.embedding).toBeFalsy();
  }
  for (const kernel of KERNELS) {
    // a head without softmax gives logits on both sides: compare them directly
    const got = runEngine(spec, feeds, tokens, kernel, vectors, logits);
    expect(maxDiff(got, ref), `kernel ${kernel}`).toBeLessThan(TOL);
  }
  return spec;
}

// ---- model builders -----------------------------------------------------------------------

type Cell = 'lstm' | 'gru';
type Head = 'dense' | 'hidden' | 'activation' | 'softmaxLayer' | 'timeDistributed' | 'logits';

interface StackOptions {
  readonly cells: readonly Cell[];
  readonly units: number;
  readonly vocab: number;
  /** Embedding width; without it the input is one-hot [T, vocab]. */
  readonly embedDim?: number;
  /** Omitted: tfjs's default ('hardSigmoid'). */
  readonly recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  readonly head?: Head;
  readonly outSize?: number;
  readonly useBias?: boolean;
  /** The recurrent layers' (candidate) activation; default tanh. */
  readonly activation?: string;
  /** The hidden Dense layer's activation in a 'hidden' head; default relu. */
  readonly hiddenActivation?: string;
}

function rnn(cell: Cell, i: number, o: StackOptions, extra: Record<string, unknown> = {}): tf.layers.Layer {
  const cfg = {
    units: o.units,
    returnSequences: true,
    name: `${cell}${i + 1}`,
    // the default orthogonal initializer is slow on cpu; the weights are overwritten anyway
    kernelInitializer: 'glorotNormal',
    recurrentInitializer: 'glorotNormal',
    ...(o.recurrentActivation ? { recurrentActivation: o.recurrentActivation } : {}),
    ...(o.useBias === false ? { useBias: false } : {}),
    ...(o.activation ? { activation: o.activation } : {}),
    ...extra,
  };
  return cell === 'lstm' ? tf.layers.lstm(cfg as Parameters<typeof tf.layers.lstm>[0]) : tf.layers.gru(cfg as Parameters<typeof tf.layers.gru>[0]);
}

function headLayers(head: Head, out: number, useBias = true, hiddenActivation = 'relu'): tf.layers.Layer[] {
  type Act = Parameters<typeof tf.layers.dense>[0]['activation'];
  switch (head) {
    case 'dense':
      return [tf.layers.dense({ units: out, activation: 'softmax', useBias, name: 'out' })];
    case 'hidden':
      return [tf.layers.dense({ units: 16, activation: hiddenActivation as Act, name: 'hidden' }), tf.layers.dense({ units: out, activation: 'softmax', name: 'out' })];
    case 'activation':
      return [tf.layers.dense({ units: out, name: 'logits' }), tf.layers.activation({ activation: 'softmax', name: 'softmax' })];
    case 'softmaxLayer':
      return [tf.layers.dense({ units: out, name: 'logits' }), tf.layers.softmax({ axis: -1, name: 'softmax' })];
    case 'logits':
      return [tf.layers.dense({ units: out, name: 'logits' })];
    case 'timeDistributed':
      return [tf.layers.timeDistributed({ layer: tf.layers.dense({ units: out, activation: 'softmax' }), name: 'td' })];
  }
}

/** A Sequential stack: [Embedding |one-hot] → RNN layers → head. */
function sequentialStack(o: StackOptions): { model: tf.Sequential; feeds: Feed[] } {
  const model = tf.sequential();
  if (o.embedDim) model.add(tf.layers.embedding({ inputDim: o.vocab, outputDim: o.embedDim, batchInputShape: [null, null], name: 'embed' }));
  o.cells.forEach((cell, i) => model.add(rnn(cell, i, o, i === 0 && !o.embedDim ? { batchInputShape: [null, null, o.vocab] } : {})));
  for (const l of headLayers(o.head ?? 'dense', o.outSize ?? o.vocab, o.useBias !== false, o.hiddenActivation)) model.add(l);
  return { model, feeds: [{ name: model.inputs[0].sourceLayer.name, vocab: o.vocab, onehot: !o.embedDim }] };
}

const describeStack = (o: StackOptions): string =>
  `${o.cells.map((c) => c.toUpperCase()).join('→')} ×${o.units}, ${o.embedDim ? `Embedding ${o.vocab}→${o.embedDim}` : `one-hot ${o.vocab}`}` +
  `${o.recurrentActivation ? `, recurrent ${o.recurrentActivation}` : ', default recurrent activation'}${o.head && o.head !== 'dense' ? `, head ${o.head}` : ''}`;

// ---- cases ----------------------------------------------------------------------------------

describe('tfjs LayersModel → engine parity (probabilities within 1e-5, kernels js and auto)', () => {
  let seed = 1000;
  for (const cell of ['lstm', 'gru'] as const) {
    for (const depth of [1, 2, 3]) {
      for (const embedDim of [8, undefined]) {
        for (const recurrentActivation of ['sigmoid', undefined] as const) {
          const o: StackOptions = { cells: Array(depth).fill(cell), units: 12 + 4 * depth, vocab: 23, embedDim, recurrentActivation };
          const s = (seed += 10);
          it(describeStack(o), async () => {
            const { model, feeds } = sequentialStack(o);
            const spec = await expectParity(model, feeds, s);
            expect(spec.layers.map((l) => l.cell)).toEqual(o.cells);
            expect(spec.layers[0].recurrentActivation).toBe(recurrentActivation === 'sigmoid' ? 'sigmoid' : 'hard_sigmoid');
          }, TIMEOUT);
        }
      }
    }
  }

  it('mixed LSTM → GRU → LSTM stack', async () => {
    const { model, feeds } = sequentialStack({ cells: ['lstm', 'gru', 'lstm'], units: 16, vocab: 29, embedDim: 6, recurrentActivation: 'sigmoid' });
    await expectParity(model, feeds, 77);
  }, TIMEOUT);

  it('layers and dense without bias (useBias false)', async () => {
    const { model, feeds } = sequentialStack({ cells: ['gru', 'lstm'], units: 10, vocab: 21, useBias: false, recurrentActivation: 'sigmoid' });
    const spec = await expectParity(model, feeds, 78);
    expect(spec.layers.every((l) => l.bias === null)).toBe(true);
    expect(spec.heads[0].layers[0].bias).toBeNull();
  }, TIMEOUT);

  const HEADS: Record<Exclude<Head, 'dense'>, string> = {
    hidden: 'Dense(relu) → Dense(softmax)',
    activation: 'Dense → Activation(softmax)',
    softmaxLayer: 'Dense → Softmax layer',
    timeDistributed: 'TimeDistributed(Dense softmax)',
    logits: 'Dense without softmax (raw logits compared)',
  };
  for (const [head, label] of Object.entries(HEADS) as [Head, string][]) {
    it(`head: ${label}`, async () => {
      const { model, feeds } = sequentialStack({ cells: ['lstm', 'lstm'], units: 16, vocab: 25, embedDim: 8, recurrentActivation: 'sigmoid', head, outSize: 19 });
      const spec = await expectParity(model, feeds, 90 + head.length, { logits: head === 'logits' });
      expect(spec.heads[0].size).toBe(19);
      expect(spec.heads[0].layers.map((d) => d.activation)).toEqual(head === 'hidden' ? ['relu', 'softmax'] : head === 'logits' ? ['linear'] : ['softmax']);
    }, TIMEOUT);
  }

  for (const [cell, activation, hiddenActivation] of [
    ['lstm', 'softsign', 'softplus'],
    ['gru', 'elu', 'tanh'],
    ['lstm', 'relu', 'sigmoid'],
  ] as const) {
    it(`non-default activations: ${cell.toUpperCase()} activation ${activation}, hidden Dense ${hiddenActivation}`, async () => {
      const { model, feeds } = sequentialStack({ cells: [cell, cell], units: 12, vocab: 21, embedDim: 6, activation, head: 'hidden', hiddenActivation });
      const spec = await expectParity(model, feeds, 300 + activation.length);
      expect(spec.layers.map((l) => l.activation)).toEqual([activation, activation]);
      expect(spec.heads[0].layers[0].activation).toBe(hiddenActivation);
    }, TIMEOUT);
  }

  it('functional: token (Embedding) + position one-hot → Concatenate → LSTM 64 → Dropout → LSTM 64 → two softmax heads', async () => {
    // model inputs listed in the other order than the Concatenate, to check the engine follows the Concatenate
    const pos = tf.input({ batchShape: [null, null, 16], name: 'pos' });
    const tok = tf.input({ batchShape: [null, null], dtype: 'int32', name: 'token' });
    const emb = tf.layers.embedding({ inputDim: 30, outputDim: 12, name: 'token_embed' }).apply(tok) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: 'cat' }).apply([emb, pos]) as tf.SymbolicTensor;
    let x = rnn('lstm', 0, { cells: [], units: 64, vocab: 0, recurrentActivation: 'sigmoid' }).apply(cat) as tf.SymbolicTensor;
    x = tf.layers.dropout({ rate: 0.3, name: 'drop' }).apply(x) as tf.SymbolicTensor;
    x = rnn('lstm', 1, { cells: [], units: 64, vocab: 0, recurrentActivation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
    const note = tf.layers.dense({ units: 17, activation: 'softmax', name: 'note' }).apply(x) as tf.SymbolicTensor;
    const tick = tf.layers.dense({ units: 30, activation: 'softmax', name: 'tick' }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [pos, tok], outputs: [note, tick] });
    const feeds: Feed[] = [
      { name: 'pos', vocab: 16, onehot: true },
      { name: 'token', vocab: 30, onehot: false },
    ];
    const spec = await expectParity(model, feeds, 123);
    expect(spec.inputs.map((s) => [s.name, s.kind, s.kind === 'token' ? s.vocab : s.size])).toEqual([
      ['token', 'token', 30],
      ['pos', 'token', 16],
    ]);
    expect(spec.heads.map((h) => [h.name, h.size])).toEqual([
      ['note', 17],
      ['tick', 30],
    ]);
  }, TIMEOUT);
});

describe('vector (float) inputs, fed through Network.vectors', () => {
  it('Sequential LSTM on a float vector input without metadata', async () => {
    const model = tf.sequential();
    model.add(rnn('lstm', 0, { cells: [], units: 14, vocab: 0, recurrentActivation: 'sigmoid' }, { batchInputShape: [null, null, 7] }));
    model.add(tf.layers.dense({ units: 11, activation: 'softmax', name: 'out' }));
    await expectParity(model, [{ name: 'input', vocab: 7, onehot: false, vector: true }], 601);
  }, TIMEOUT);

  it('functional: token (Embedding) + float vector + one-hot → Concatenate → GRU → GRU → softmax', async () => {
    const tok = tf.input({ batchShape: [null, null], dtype: 'int32', name: 'token' });
    const vel = tf.input({ batchShape: [null, null, 5], name: 'features' });
    const bar = tf.input({ batchShape: [null, null, 4], name: 'bar' });
    const emb = tf.layers.embedding({ inputDim: 26, outputDim: 9, name: 'token_embed' }).apply(tok) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: 'cat' }).apply([vel, emb, bar]) as tf.SymbolicTensor;
    let x = rnn('gru', 0, { cells: [], units: 18, vocab: 0 }).apply(cat) as tf.SymbolicTensor;
    x = rnn('gru', 1, { cells: [], units: 18, vocab: 0 }).apply(x) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 26, activation: 'softmax', name: 'next' }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [tok, vel, bar], outputs: out });
    const spec = await expectParity(
      model,
      [
        { name: 'token', vocab: 26, onehot: false },
        { name: 'features', vocab: 5, onehot: false, vector: true },
        { name: 'bar', vocab: 4, onehot: true },
      ],
      602,
    );
    expect(spec.inputs.map((s) => [s.name, s.kind])).toEqual([
      ['features', 'vector'],
      ['token', 'token'],
      ['bar', 'token'],
    ]);
  }, TIMEOUT);
});

// ---- GRU reset_after (Keras 2): tfjs cannot build it, so the file is written by hand -------------

/** Keras GRU with reset_after, written with tfjs ops from the formula (independent of the engine). */
function gruResetAfter(x: tf.Tensor2D, W: tf.Tensor2D, U: tf.Tensor2D, b: tf.Tensor2D, units: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [bIn, bRec] = tf.split(b, 2, 0);
    let h: tf.Tensor2D = tf.zeros([1, units]);
    const out: tf.Tensor2D[] = [];
    for (let t = 0; t < x.shape[0]; t++) {
      const xt = x.slice([t, 0], [1, -1]);
      const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, W), bIn), 3, 1);
      const [hz, hr, hh] = tf.split(tf.add(tf.matMul(h, U), bRec), 3, 1);
      const z = tf.sigmoid(tf.add(xz, hz));
      const r = tf.sigmoid(tf.add(xr, hr));
      const cand = tf.tanh(tf.add(xh, tf.mul(r, hh)));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), cand)) as tf.Tensor2D;
      out.push(h);
    }
    return tf.concat(out, 0);
  });
}

describe('GRU with reset_after: true (Keras 2 default), against a tfjs-ops reference', () => {
  for (const { depth, embedDim } of [
    { depth: 1, embedDim: 8 },
    { depth: 2, embedDim: undefined },
  ]) {
    it(`${depth} layer(s), ${embedDim ? 'Embedding' : 'one-hot'} input`, async () => {
      const units = 16;
      const vocab = 22;
      const out = 20;
      const o: StackOptions = { cells: Array(depth).fill('gru'), units, vocab, embedDim, recurrentActivation: 'sigmoid', outSize: out };
      const { model, feeds } = sequentialStack(o);
      if (!embedDim) model.setUserDefinedMetadata({ pulseRnn: { inputs: [{ name: feeds[0].name, onehot: true }] } });
      const saved = await saveModel(model);
      model.dispose();

      // edit the topology and manifest the way a Keras 2 export looks: reset_after, bias [2, 3u],
      // weights named <layer>/gru_cell/<weight>
      const json = saved.json as { modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } } } & Record<string, unknown>;
      const grus = json.modelTopology.config.layers.filter((l) => l.class_name === 'GRU');
      expect(grus).toHaveLength(depth);
      for (const l of grus) {
        expect(l.config.reset_after).toBe(false);
        l.config.reset_after = true;
      }
      const rng = new Rng(4242 + depth);
      const values = new Map<string, Float32Array>();
      const specs = weightSpecsOf(json).map((w) => {
        const layer = w.name.split('/')[0];
        const isGru = grus.some((g) => g.config.name === layer);
        const shape = isGru && w.name.endsWith('/bias') ? [2, 3 * units] : w.shape;
        const name = isGru ? `${layer}/gru_cell/${w.name.split('/').pop()}` : w.name;
        const data = randomArray(rng, shape.reduce((a, b) => a * b, 1), weightScale(w.name, shape));
        values.set(w.name, data);
        return { name, shape, dtype: 'float32' as const };
      });
      json.weightsManifest = [{ paths: [SHARD], weights: specs }];
      const bin = new Uint8Array(specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0));
      let off = 0;
      for (const data of values.values()) (bin.set(new Uint8Array(data.buffer), off), (off += data.byteLength));

      const spec = await loadModelSpec(await writeModel(await dirs.make(), json, bin));
      expect(spec.layers.map((l) => [l.cell, l.resetAfter])).toEqual(Array(depth).fill(['gru', true]));

      const tokens = randomTokens(feeds, STEPS, 99 + depth);
      const ref = tf.tidy(() => {
        const ids = tf.tensor1d(tokens[0], 'int32');
        let x: tf.Tensor2D = embedDim ? tf.gather(tf.tensor2d(values.get('embed/embeddings')!, [vocab, embedDim]), ids) : (tf.oneHot(ids, vocab).toFloat() as tf.Tensor2D);
        for (const g of grus) {
          const n = g.config.name as string;
          const inSize = x.shape[1];
          x = gruResetAfter(x, tf.tensor2d(values.get(`${n}/kernel`)!, [inSize, 3 * units]), tf.tensor2d(values.get(`${n}/recurrent_kernel`)!, [units, 3 * units]), tf.tensor2d(values.get(`${n}/bias`)!, [2, 3 * units]), units);
        }
        const probs = tf.softmax(tf.add(tf.matMul(x, tf.tensor2d(values.get('out/kernel')!, [units, out])), tf.tensor1d(values.get('out/bias')!)));
        return [probs.arraySync() as number[][]];
      });
      expect(spread(ref)).toBeGreaterThan(1e-3);
      for (const kernel of KERNELS) expect(maxDiff(runEngine(spec, feeds, tokens, kernel), ref), `kernel ${kernel}`).toBeLessThan(TOL);
    }, TIMEOUT);
  }
});

// ---- float16 weights -----------------------------------------------------------------------------

describe('float16 weights (tfjs quantization dtype float16)', () => {
  it('load exactly as the float32 weights rounded to float16, and match tfjs on the same file', async () => {
    const { model, feeds } = sequentialStack({ cells: ['lstm', 'lstm'], units: 24, vocab: 31, embedDim: 10, recurrentActivation: 'sigmoid', head: 'hidden', outSize: 27 });
    randomizeWeights(model, 555);
    const saved = await saveModel(model);
    const tokens = randomTokens(feeds, STEPS, 556);
    const inputs = tfInputs(feeds, tokens);
    const ref32 = predictAll(model, inputs);
    model.dispose();

    const f32 = new Float32Array(saved.bin.buffer, saved.bin.byteOffset, saved.bin.byteLength / 4);
    const half = new Uint16Array(f32.length);
    const rounded = new Float32Array(f32.length);
    for (let i = 0; i < f32.length; i++) {
      half[i] = floatToHalf(f32[i]);
      rounded[i] = halfToFloat(half[i]);
    }
    let changed = 0;
    for (let i = 0; i < f32.length; i++) if (rounded[i] !== f32[i]) changed++;
    expect(changed).toBeGreaterThan(f32.length / 2);

    const specs16 = weightSpecsOf(saved.json).map((w) => ({ ...w, quantization: { dtype: 'float16' as const, original_dtype: 'float32' } }));
    const json16 = { ...saved.json, weightsManifest: [{ paths: [SHARD], weights: specs16 }] };
    const bin16 = new Uint8Array(half.buffer);
    expect(bin16.byteLength).toBe(saved.bin.byteLength / 2);
    const jsonRounded = saved.json;
    const dir16 = await writeModel(await dirs.make(), json16, bin16);
    const dirRounded = await writeModel(await dirs.make(), jsonRounded, new Uint8Array(rounded.buffer));
    expect((await readFile(join(dir16, SHARD))).byteLength).toBe(bin16.byteLength);

    const spec16 = await loadModelSpec(dir16);
    const specRounded = await loadModelSpec(dirRounded);
    // every tensor decodes to the rounded float32 values
    expect(spec16.layers.map((l) => [l.kernel, l.recurrentKernel, l.bias])).toEqual(specRounded.layers.map((l) => [l.kernel, l.recurrentKernel, l.bias]));
    expect(spec16.heads[0].layers.map((d) => [d.kernel, d.bias])).toEqual(specRounded.heads[0].layers.map((d) => [d.kernel, d.bias]));

    // tfjs's own decoder turns the float16 bits into exactly the rounded values
    const decoded = tf.io.decodeWeights(half.buffer, specs16 as tf.io.WeightsManifestEntry[]);
    expect(Float32Array.from(specs16.flatMap((w) => Array.from(decoded[w.name].dataSync())))).toEqual(rounded);
    tf.dispose(Object.values(decoded));

    // tfjs's own loader dequantizes float16 too
    const model16 = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: saved.artifacts.modelTopology, weightSpecs: specs16 as tf.io.WeightsManifestEntry[], weightData: half.buffer }));
    const ref16 = predictAll(model16, inputs);
    model16.dispose();
    tf.dispose(inputs);

    for (const kernel of KERNELS) {
      const got16 = runEngine(spec16, feeds, tokens, kernel);
      const gotRounded = runEngine(specRounded, feeds, tokens, kernel);
      expect(maxDiff(got16, gotRounded), `kernel ${kernel}`).toBeLessThan(TOL);
      expect(maxDiff(got16, ref16), `kernel ${kernel} vs tfjs float16`).toBeLessThan(TOL);
      // the rounding is visible (the test would not notice float16 being ignored otherwise)...
      expect(maxDiff(got16, ref32)).toBeGreaterThan(TOL);
      // ...but small
      expect(maxDiff(got16, ref32)).toBeLessThan(0.05);
    }
  }, TIMEOUT);
});

describe('affine-quantized weights (tfjs uint8 / uint16: value = q·scale + min)', () => {
  for (const [dtype, levels] of [
    ['uint8', 255],
    ['uint16', 65535],
  ] as const) {
    it(`${dtype}: the engine decodes what tfjs decodes and matches tfjs's loader on the same file`, async () => {
      const { model, feeds } = sequentialStack({ cells: ['gru', 'lstm'], units: 16, vocab: 19, embedDim: 7, recurrentActivation: 'sigmoid', outSize: 15 });
      randomizeWeights(model, 900 + levels);
      const saved = await saveModel(model);
      model.dispose();
      const f32 = new Float32Array(saved.bin.buffer, saved.bin.byteOffset, saved.bin.byteLength / 4);
      const per = dtype === 'uint8' ? 1 : 2;
      const bin = new Uint8Array(f32.length * per);
      const view = new DataView(bin.buffer);
      let at = 0;
      const specsQ = weightSpecsOf(saved.json).map((w) => {
        const n = w.shape.reduce((a, b) => a * b, 1);
        const v = f32.subarray(at, at + n);
        const min = Math.min(...v);
        const scale = (Math.max(...v) - min) / levels || 1;
        for (let i = 0; i < n; i++) {
          const q = Math.round((v[i] - min) / scale);
          if (per === 1) view.setUint8(at + i, q);
          else view.setUint16((at + i) * 2, q, true);
        }
        at += n;
        return { ...w, quantization: { dtype, scale, min, original_dtype: 'float32' } };
      });
      const json = { ...saved.json, weightsManifest: [{ paths: [SHARD], weights: specsQ }] };
      const spec = await loadModelSpec(await writeModel(await dirs.make(), json, bin));

      const decoded = tf.io.decodeWeights(bin.buffer, specsQ as tf.io.WeightsManifestEntry[]);
      const d = (name: string) => decoded[name].dataSync();
      expect(spec.layers.map((l) => [l.kernel, l.recurrentKernel, l.bias])).toEqual(
        ['gru1', 'lstm2'].map((n) => [d(`${n}/kernel`), d(`${n}/recurrent_kernel`), d(`${n}/bias`)]),
      );
      expect(spec.heads[0].layers[0].kernel).toEqual(d('out/kernel'));
      tf.dispose(Object.values(decoded));

      const modelQ = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: saved.artifacts.modelTopology, weightSpecs: specsQ as tf.io.WeightsManifestEntry[], weightData: bin.buffer }));
      const tokens = randomTokens(feeds, STEPS, 17);
      const inputs = tfInputs(feeds, tokens);
      const ref = predictAll(modelQ, inputs);
      tf.dispose(inputs);
      modelQ.dispose();
      expect(spread(ref)).toBeGreaterThan(1e-3);
      for (const kernel of KERNELS) expect(maxDiff(runEngine(spec, feeds, tokens, kernel), ref), `kernel ${kernel}`).toBeLessThan(TOL);
    }, TIMEOUT);
  }
});

// ---- state -------------------------------------------------------------------------------------

describe('recurrent state', () => {
  for (const kernel of KERNELS) {
    it(`getState / setState / resetState reproduce the next outputs exactly (${kernel} kernel)`, async () => {
      const { model, feeds } = sequentialStack({ cells: ['lstm', 'gru', 'lstm'], units: 16, vocab: 20, embedDim: 6, recurrentActivation: 'sigmoid', head: 'hidden' });
      randomizeWeights(model, 31337);
      const spec = await loadModelSpec(await saveToDir(model));
      model.dispose();
      const tokens = randomTokens(feeds, 30, 7)[0];
      const N = 12;
      const K = 10;
      const net = new Network(spec, { kernel });
      expect(net.stateSize).toBe(16 * 2 + 16 + 16 * 2);

      const run = (from: number, to: number): Float32Array[] => {
        const out: Float32Array[] = [];
        for (let t = from; t < to; t++) {
          net.step([tokens[t]]);
          out.push(net.logits[0].slice());
        }
        return out;
      };
      const fromStart = run(0, N);
      const saved = net.getState();
      expect(saved.some((v) => v !== 0)).toBe(true);
      const next = run(N, N + K);
      // getState returned a copy: stepping did not change it
      expect(Array.from(saved)).not.toEqual(Array.from(net.getState()));

      net.setState(saved);
      expect(net.getState()).toEqual(saved);
      expect(run(N, N + K)).toEqual(next);

      // into a caller's buffer
      const buf = new Float32Array(net.stateSize);
      net.setState(saved);
      expect(net.getState(buf)).toBe(buf);
      expect(buf).toEqual(saved);

      // reset: the same outputs as a fresh network, from the start
      net.resetState();
      expect(net.getState().every((v) => v === 0)).toBe(true);
      expect(run(0, N)).toEqual(fromStart);
      const fresh = new Network(spec, { kernel });
      fresh.step([tokens[0]]);
      net.resetState();
      net.step([tokens[0]]);
      expect(net.logits[0]).toEqual(fresh.logits[0]);

      // a different history gives different outputs (the state matters), and restoring fixes it
      net.resetState();
      run(5, 5 + N);
      const other = run(N, N + K);
      expect(other).not.toEqual(next);
      net.setState(saved);
      expect(run(N, N + K)).toEqual(next);

      expect(() => net.setState(new Float32Array(3))).toThrow(/state has 80 values, got 3/);
      const bad = saved.slice();
      bad[4] = NaN;
      expect(() => net.setState(bad)).toThrow(/state value 4 is NaN/);
    }, TIMEOUT);
  }
});

// ---- conditioned, grouped heads ---------------------------------------------------------------

/** Per-group softmax of one step's logits (the trainer's and the engine's reading of a grouped head). */
function groupSoftmax(logits: readonly number[], groups: number): number[] {
  const n = logits.length / groups;
  const out: number[] = [];
  for (let g = 0; g < groups; g++) {
    const part = logits.slice(g * n, (g + 1) * n);
    const max = Math.max(...part);
    const e = part.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / sum));
  }
  return out;
}

describe('a head conditioned on the token an earlier head sampled, with grouped softmaxes', () => {
  const V = 20;
  const GROUPS = 3;
  const feeds: Feed[] = [
    { name: 'token', vocab: V, onehot: true },
    { name: 'position', vocab: 4, onehot: true },
    { name: 'features', vocab: 3, onehot: false, vector: true },
  ];

  /** token + position one-hot + features → LSTM → LSTM; hits softmax; velocity and offset read Concatenate([lstm2, hits_now]). */
  function conditionedModel(): tf.LayersModel {
    const ins = feeds.map((f) => tf.input({ batchShape: [null, null, f.vocab], name: f.name }));
    const now = tf.input({ batchShape: [null, null, V], name: 'hits_now' });
    let x = tf.layers.concatenate({ name: 'inputs' }).apply(ins) as tf.SymbolicTensor;
    x = rnn('lstm', 0, { cells: [], units: 16, vocab: 0, recurrentActivation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dropout({ rate: 0.2, name: 'drop' }).apply(x) as tf.SymbolicTensor;
    x = rnn('lstm', 1, { cells: [], units: 16, vocab: 0, recurrentActivation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
    const hits = tf.layers.dense({ units: V, activation: 'softmax', name: 'hits_out' }).apply(x) as tf.SymbolicTensor;
    const cond = tf.layers.concatenate({ name: 'hits_cond' }).apply([x, now]) as tf.SymbolicTensor;
    const velocity = tf.layers.dense({ units: GROUPS * 5, name: 'velocity_out' }).apply(cond) as tf.SymbolicTensor;
    const hidden = tf.layers.dense({ units: 8, activation: 'tanh', name: 'offset_hidden' }).apply(cond) as tf.SymbolicTensor;
    const offset = tf.layers.dense({ units: GROUPS * 4, name: 'offset_out' }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [...ins, now], outputs: [hits, velocity, offset] });
    model.setUserDefinedMetadata({
      pulseRnn: {
        inputs: [
          { name: 'token', onehot: true },
          { name: 'position', onehot: true },
        ],
        heads: [
          { name: 'velocity_out', condition: 'hits_out', conditionInput: 'hits_now', groups: GROUPS },
          { name: 'offset_out', condition: 'hits_out', conditionInput: 'hits_now', groups: GROUPS },
        ],
      },
    });
    return model;
  }

  it('tfjs runs the file as it is; the engine gives the same probabilities per group (within 1e-5) for the given condition tokens', async () => {
    const model = conditionedModel();
    randomizeWeights(model, 4711);
    const tokens = randomTokens(feeds, STEPS, 4712);
    const now = randomTokens([{ name: 'hits_now', vocab: V, onehot: true }], STEPS, 4713)[0];
    const vectors = randomVectors(feeds, STEPS, 4714);
    const inputs = [...tfInputs(feeds, tokens, vectors), tf.tidy(() => tf.oneHot(tf.tensor1d(now, 'int32'), V).toFloat().expandDims(0))];
    const [hitsRef, velRef, offRef] = predictAll(model, inputs);
    tf.dispose(inputs);
    const ref = [hitsRef, velRef.map((l) => groupSoftmax(l, GROUPS)), offRef.map((l) => groupSoftmax(l, GROUPS))];
    expect(spread(ref)).toBeGreaterThan(1e-3);
    const spec = await loadModelSpec(await saveToDir(model));
    model.dispose();
    expect(spec.inputs.map((s) => s.name)).toEqual(['token', 'position', 'features']);
    expect(spec.heads.map((h) => [h.name, h.size, h.condition, h.groups])).toEqual([
      ['hits_out', V, undefined, undefined],
      ['velocity_out', 15, 'hits_out', GROUPS],
      ['offset_out', 12, 'hits_out', GROUPS],
    ]);
    expect(spec.heads[1].layers[0].inputSize).toBe(16 + V);

    for (const kernel of KERNELS) {
      const net = new Network(spec, { kernel });
      const sampler = new Sampler(V);
      const got: number[][][] = [[], [], []];
      for (let t = 0; t < STEPS; t++) {
        (net.vectors[2] as Float32Array).set((vectors[2] as number[][])[t]);
        net.step([tokens[0][t], tokens[1][t], 0]);
        sampler.distribution(net.logits[0]);
        got[0].push(Array.from(sampler.probs.subarray(0, V)));
        for (const h of [1, 2]) {
          net.condition(h, now[t]);
          const n = spec.heads[h].size / GROUPS;
          const row: number[] = [];
          for (let g = 0; g < GROUPS; g++) {
            sampler.distributionAt(net.logits[h], g * n, n);
            row.push(...sampler.probs.subarray(0, n));
          }
          got[h].push(row);
        }
      }
      expect(maxDiff(got, ref), `kernel ${kernel}`).toBeLessThan(TOL);
      // the token matters: the same step read with another token gives other logits
      const before = net.logits[1].slice();
      net.condition(1, (now[STEPS - 1] + 1) % V);
      expect(Array.from(net.logits[1])).not.toEqual(Array.from(before));
    }
  }, TIMEOUT);
});
