/**
 * Bad model files fail at load time, with an Error naming the file and the tensor, layer or
 * field at fault; a failed load returns nothing half-built, and a good model still loads after.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { SHARD, TempDirs, randomizeWeights, saveModel, useCpuBackend, weightSpecsOf, writeModel, type Saved } from './helpers/tfjs-models.js';

const VOCAB = 20;
const EMBED = 8;
const UNITS = 16;
const OUT = 12;

const dirs = new TempDirs();
let good: Saved;

interface LayerEntry {
  class_name: string;
  config: Record<string, unknown>;
}
type ModelJson = Record<string, unknown> & { modelTopology: { config: { layers: LayerEntry[] } } };

const clone = (): ModelJson => JSON.parse(JSON.stringify(good.json));
const layerOf = (json: ModelJson, name: string): LayerEntry => {
  const l = json.modelTopology.config.layers.find((x) => x.config.name === name);
  if (!l) throw new Error(`test setup: no layer '${name}'`);
  return l;
};

/** Byte offset of `tensor` in the shard (float32 weights, manifest order). */
function offsetOf(json: Record<string, unknown>, tensor: string): number {
  let off = 0;
  for (const w of weightSpecsOf(json)) {
    if (w.name === tensor) return off;
    off += w.shape.reduce((a, b) => a * b, 1) * 4;
  }
  throw new Error(`test setup: no tensor '${tensor}'`);
}

/** A fresh folder holding `json` (object or text) and, unless null, `bin` as the shard. */
async function folder(json: unknown, bin: Uint8Array | null = good.bin): Promise<string> {
  return writeModel(await dirs.make(), json, bin);
}

/** The load must reject (no spec comes back) with an Error; returns it. */
async function loadError(where: string): Promise<Error> {
  let spec: ModelSpec | undefined;
  let error: unknown;
  try {
    spec = await loadModelSpec(where);
  } catch (e) {
    error = e;
  }
  expect(spec).toBeUndefined();
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

function smallModel(middle?: (name: string) => tf.layers.Layer): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: VOCAB, outputDim: EMBED, batchInputShape: [null, null], name: 'embed' }));
  const lstm = (name: string) =>
    tf.layers.lstm({ units: UNITS, returnSequences: true, name, recurrentActivation: 'sigmoid', kernelInitializer: 'glorotNormal', recurrentInitializer: 'glorotNormal' });
  m.add(lstm('lstm1'));
  if (middle) {
    m.add(middle('mid'));
    m.add(lstm('lstm2'));
  }
  m.add(tf.layers.dense({ units: OUT, activation: 'softmax', name: 'out' }));
  return m;
}

beforeAll(async () => {
  expect(await useCpuBackend()).toBe(true);
  const model = smallModel();
  randomizeWeights(model, 5);
  good = await saveModel(model);
  model.dispose();
});
afterAll(() => dirs.cleanup());

describe('a good model', () => {
  it('loads from its folder and from its model.json path', async () => {
    const dir = await folder(good.json);
    for (const where of [dir, join(dir, 'model.json')]) {
      const spec = await loadModelSpec(where);
      expect(spec.layers.map((l) => [l.cell, l.units])).toEqual([['lstm', UNITS]]);
      expect(spec.heads.map((h) => h.size)).toEqual([OUT]);
      expect(spec.source).toBe(join(dir, 'model.json'));
    }
  });
});

describe('malformed model.json', () => {
  it('not JSON: names the file', async () => {
    const dir = await folder('{"modelTopology": {', good.bin);
    const e = await loadError(dir);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.message).not.toMatch(/HTML/);
  });

  it('HTML (an error page served instead of the model): says it looks like HTML', async () => {
    const dir = await folder('\n  <!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n', good.bin);
    const e = await loadError(dir);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toMatch(/looks like HTML/);
  });

  it('JSON without modelTopology: names the field', async () => {
    const { modelTopology: _, ...rest } = clone();
    const dir = await folder(rest);
    const e = await loadError(dir);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toMatch(/'modelTopology'/);
  });

  it('JSON that is not an object', async () => {
    const dir = await folder('[1, 2, 3]');
    const e = await loadError(dir);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toMatch(/not a JSON object/);
  });

  it("format 'graph-model': says only layers-model is supported", async () => {
    const dir = await folder({ format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: { node: [], library: {}, versions: { producer: 1 } }, weightsManifest: [] });
    const e = await loadError(dir);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toMatch(/format is 'graph-model'/);
    expect(e.message).toMatch(/'layers-model'/);
  });

  it('no weightsManifest: names the field', async () => {
    const { weightsManifest: _, ...rest } = clone();
    const e = await loadError(await folder(rest));
    expect(e.message).toMatch(/model\.json: has no 'weightsManifest' array/);
  });
});

describe('weight shards', () => {
  it('missing shard: names the shard and model.json', async () => {
    const dir = await folder(good.json, null);
    const e = await loadError(dir);
    expect(e.message.startsWith(`${join(dir, SHARD)}: cannot read weights shard`)).toBe(true);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toMatch(/ENOENT/);
  });

  it('truncated shard: names the shard and both byte counts', async () => {
    const e = await loadError(await folder(good.json, good.bin.subarray(0, 1000)));
    expect(e.message).toContain(SHARD);
    expect(e.message).toMatch(new RegExp(`\\b1000 bytes\\b.*\\bneed ${good.bin.byteLength}\\b`));
    expect(e.message).toMatch(/truncated/);
  });

  it('empty shard', async () => {
    const e = await loadError(await folder(good.json, new Uint8Array(0)));
    expect(e.message).toMatch(new RegExp(`${SHARD}: 0 bytes.*need ${good.bin.byteLength}`));
  });
});

describe('tensors that disagree with the topology', () => {
  it('a shape that disagrees (same byte count): names the tensor, its shape and the expected shape', async () => {
    const json = clone();
    const k = weightSpecsOf(json).find((w) => w.name === 'lstm1/kernel')!;
    expect(k.shape).toEqual([EMBED, 4 * UNITS]);
    k.shape = [4 * UNITS, EMBED];
    const dir = await folder(json);
    const e = await loadError(dir);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toContain(`tensor 'lstm1/kernel'`);
    expect(e.message).toContain(`[${4 * UNITS},${EMBED}]`);
    expect(e.message).toContain(`LSTM 'lstm1' needs [${EMBED},${4 * UNITS}]`);
  });

  it('an embedding smaller than input_dim declares', async () => {
    const json = clone();
    weightSpecsOf(json).find((w) => w.name === 'embed/embeddings')!.shape = [VOCAB - 1, EMBED];
    // the shard as long as the manifest now declares (a longer one is refused as such)
    const e = await loadError(await folder(json, good.bin.subarray(0, good.bin.length - EMBED * 4)));
    expect(e.message).toContain(`tensor 'embed/embeddings'`);
    expect(e.message).toContain(`Embedding 'embed' needs [${VOCAB},${EMBED}]`);
  });

  it('a missing weight: names the layer and weight', async () => {
    const json = clone();
    const specs = weightSpecsOf(json);
    const at = offsetOf(json, 'lstm1/bias');
    const i = specs.findIndex((w) => w.name === 'lstm1/bias');
    specs.splice(i, 1);
    const bin = new Uint8Array(good.bin.byteLength - 4 * 4 * UNITS);
    bin.set(good.bin.subarray(0, at));
    bin.set(good.bin.subarray(at + 4 * 4 * UNITS), at);
    const dir = await folder(json, bin);
    const e = await loadError(dir);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toContain(`no weight 'lstm1/bias' for LSTM 'lstm1'`);
  });

  it('a huge declared shape fails before any shard is read', async () => {
    const json = clone();
    weightSpecsOf(json).find((w) => w.name === 'out/kernel')!.shape = [100000, 100000];
    // no shard at all: the error must be about the declaration, not the missing file
    const dir = await folder(json, null);
    const e = await loadError(dir);
    expect(e.message).toContain(join(dir, 'model.json'));
    expect(e.message).toContain(`tensor 'out/kernel'`);
    expect(e.message).toMatch(/declares 10000000000 elements \(shape \[100000,100000\]\)/);
  });

  it('a negative or fractional dimension', async () => {
    for (const shape of [[-1, OUT], [UNITS, 1.5]]) {
      const json = clone();
      weightSpecsOf(json).find((w) => w.name === 'out/kernel')!.shape = shape;
      const e = await loadError(await folder(json));
      expect(e.message).toContain(`tensor 'out/kernel' has a bad shape ${JSON.stringify(shape)}`);
    }
  });

  it('an unsupported dtype: names the tensor', async () => {
    const json = clone();
    (weightSpecsOf(json).find((w) => w.name === 'out/bias')! as { dtype: string }).dtype = 'complex64';
    const e = await loadError(await folder(json));
    expect(e.message).toContain(`tensor 'out/bias': unsupported dtype 'complex64'`);
  });

  for (const [label, value] of [
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ] as const) {
    it(`a ${label} weight: names the shard, tensor and element`, async () => {
      const bin = good.bin.slice();
      const element = 37;
      new DataView(bin.buffer).setFloat32(offsetOf(good.json, 'lstm1/recurrent_kernel') + element * 4, value, true);
      const dir = await folder(good.json, bin);
      const e = await loadError(dir);
      expect(e.message).toBe(`${join(dir, SHARD)}: tensor 'lstm1/recurrent_kernel' element ${element} is ${label}`);
    });
  }

  it('a NaN in float16 weights', async () => {
    const json = clone();
    const specs = weightSpecsOf(json).map((w) => ({ ...w, quantization: { dtype: 'float16' as const, original_dtype: 'float32' } }));
    json.weightsManifest = [{ paths: [SHARD], weights: specs }];
    const half = new Uint16Array(good.bin.byteLength / 4); // all zeros: valid
    half[offsetOf(good.json, 'out/bias') / 4 + 3] = 0x7e00; // a float16 NaN
    const dir = await folder(json, new Uint8Array(half.buffer));
    const e = await loadError(dir);
    expect(e.message).toBe(`${join(dir, SHARD)}: tensor 'out/bias' element 3 is NaN`);
  });
});

describe('unsupported architecture', () => {
  for (const [label, middle, className] of [
    ['Dense', (name: string) => tf.layers.dense({ units: 10, activation: 'tanh', name }), 'Dense'],
    ['Conv1D', (name: string) => tf.layers.conv1d({ filters: 10, kernelSize: 3, padding: 'same', name }), 'Conv1D'],
  ] as const) {
    it(`${label} between two LSTM layers: names the layer`, async () => {
      const model = smallModel(middle);
      const saved = await saveModel(model);
      model.dispose();
      const dir = await folder(saved.json, saved.bin);
      const e = await loadError(dir);
      expect(e.message).toContain(join(dir, 'model.json'));
      expect(e.message).toContain(`layer 'mid' (${className})`);
    });
  }

  it('an unsupported recurrent activation: names the layer and activation', async () => {
    const json = clone();
    layerOf(json, 'lstm1').config.activation = 'selu';
    const dir = await folder(json);
    const e = await loadError(dir);
    expect(e.message).toBe(`${join(dir, 'model.json')}: LSTM 'lstm1': activation 'selu' is not supported`);
  });

  it('an unsupported recurrent_activation', async () => {
    const json = clone();
    layerOf(json, 'lstm1').config.recurrent_activation = 'swish';
    const e = await loadError(await folder(json));
    expect(e.message).toMatch(/LSTM 'lstm1': activation 'swish' is not supported/);
  });

  it('a head that ends in relu instead of logits', async () => {
    const json = clone();
    layerOf(json, 'out').config.activation = 'relu';
    const e = await loadError(await folder(json));
    expect(e.message).toMatch(/model\.json: output 'out' ends in 'relu'/);
  });

  it('an unsupported head activation', async () => {
    const json = clone();
    layerOf(json, 'out').config.activation = 'gelu';
    const e = await loadError(await folder(json));
    expect(e.message).toMatch(/Dense 'out': activation 'gelu' is not supported/);
  });

  it('a softmax inside a head (the engine would silently skip it): names the layer', async () => {
    const model = tf.sequential();
    model.add(tf.layers.embedding({ inputDim: VOCAB, outputDim: EMBED, batchInputShape: [null, null], name: 'embed' }));
    model.add(tf.layers.gru({ units: UNITS, returnSequences: true, name: 'gru1', recurrentInitializer: 'glorotNormal' }));
    model.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'inner' }));
    model.add(tf.layers.dense({ units: OUT, activation: 'softmax', name: 'out' }));
    const saved = await saveModel(model);
    model.dispose();
    const dir = await folder(saved.json, saved.bin);
    const e = await loadError(dir);
    expect(e.message).toBe(`${join(dir, 'model.json')}: dense 'inner': softmax is supported only as the last activation of head 'out'`);
  });

  it('an Embedding with mask_zero (tfjs would skip token-0 steps, a clocked engine cannot)', async () => {
    const json = clone();
    layerOf(json, 'embed').config.mask_zero = true;
    const e = await loadError(await folder(json));
    expect(e.message).toMatch(/Embedding 'embed' has mask_zero: true/);
  });

  it('a Masking layer between LSTMs: names the layer', async () => {
    const model = smallModel((name) => tf.layers.masking({ maskValue: 0, name }));
    const saved = await saveModel(model);
    model.dispose();
    const e = await loadError(await folder(saved.json, saved.bin));
    expect(e.message).toContain(`layer 'mid' (Masking)`);
  });

  it('an LSTM that runs backwards', async () => {
    const json = clone();
    layerOf(json, 'lstm1').config.go_backwards = true;
    const e = await loadError(await folder(json));
    expect(e.message).toMatch(/LSTM 'lstm1' runs backwards/);
  });
});

describe('a model.json from another kind of model', () => {
  it('an image classifier (Conv2D, pooling, flatten, dense): names where the recurrent layer should be', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
    m.add(tf.layers.flatten({ name: 'flat' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'classes' }));
    const saved = await saveModel(m);
    m.dispose();
    const e = await loadError(await folder(saved.json, saved.bin));
    expect(e.message).toContain('model.json');
    expect(e.message).toMatch(/does not come from an LSTM or GRU layer .*found Flatten 'flat'/);
  });

  it('a dense network with no recurrent layer: says a recurrent layer is needed', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [VOCAB], units: 16, activation: 'relu', name: 'hidden' }));
    m.add(tf.layers.dense({ units: OUT, activation: 'softmax', name: 'out' }));
    const saved = await saveModel(m);
    m.dispose();
    const e = await loadError(await folder(saved.json, saved.bin));
    expect(e.message).toContain('model.json');
    expect(e.message).toMatch(/LSTM|GRU|recurrent/i);
  });
});

describe('folders', () => {
  it('a folder with neither model.json nor Wx.bin + Wy.bin', async () => {
    const dir = await dirs.make();
    await mkdir(join(dir, 'sub'));
    const e = await loadError(dir);
    expect(e.message).toBe(`${dir}: holds neither model.json nor the Wx.bin + Wy.bin pair; give the folder a model was saved to (by train --out, or a tfjs export), which holds model.json and its weight shards`);
  });

  it('a nonexistent folder', async () => {
    const dir = await dirs.make();
    await rm(dir, { recursive: true });
    const e = await loadError(dir);
    expect(e.message).toContain(dir);
    expect(e.message).toMatch(/no such model folder or file \(ENOENT\)/);
  });
});

describe('after failed loads', () => {
  it('nothing is cached or half-built: a good model still loads and runs', async () => {
    const bad = await loadError(await folder(good.json, good.bin.subarray(0, 10)));
    expect(bad.message).toMatch(/truncated/);
    await loadError(await folder('<html></html>'));
    const dir = await folder(good.json);
    const spec = await loadModelSpec(dir);
    const net = new Network(spec, { kernel: 'js' });
    net.step([3]);
    expect(net.logits[0]).toHaveLength(OUT);
    expect(net.logits[0].every(Number.isFinite)).toBe(true);
    // the same folder, broken afterwards, fails again (no cache)
    await rm(join(dir, SHARD));
    expect((await loadError(dir)).message).toMatch(/cannot read weights shard/);
  });
});
