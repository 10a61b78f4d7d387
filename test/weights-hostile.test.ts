/**
 * Model files made to hurt the loader: layers that connect in a loop, shard paths that leave
 * the model's folder, pipes and devices, files far larger than they should be, JSON nested
 * 100,000 deep, metadata out of range, weights that overflow together. Each load must end,
 * promptly, with an Error naming the file and what is wrong, and read nothing outside the
 * model's folder. The RNN-Drummer pair loader obeys the same rules.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, open, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRUMMER_NOTES, DRUMMER_TICKS, drummerSpec } from '../src/engine/drummer-format.js';
import type { ModelSpec } from '../src/engine/model.js';
import { parseLayersModel } from '../src/engine/layers-model.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { checkModel } from '../src/engine/model-checks.js';
import { randomSpec } from './helpers/models.js';
import { SHARD, TempDirs, randomizeWeights, saveModel, useCpuBackend, weightSpecsOf, writeModel, type Saved } from './helpers/tfjs-models.js';

const dirs = new TempDirs();
/** A functional model: input → embed → lstm → drop → out. */
let fn: Saved;
/** The same as a Sequential model. */
let seq: Saved;

type Json = Record<string, unknown>;
interface Layer {
  class_name: string;
  name?: string;
  config: Json;
  inbound_nodes?: unknown[];
}
const clone = (s: Saved): Json => JSON.parse(JSON.stringify(s.json));
const layersOf = (json: Json): Layer[] => ((json.modelTopology as Json).config as { layers: Layer[] }).layers;
const layerOf = (json: Json, name: string): Layer => {
  const l = layersOf(json).find((x) => x.config.name === name);
  if (!l) throw new Error(`test setup: no layer '${name}'`);
  return l;
};
/** Make `name` read from `from` (a functional model's inbound_nodes). */
const readsFrom = (json: Json, name: string, from: string) => {
  layerOf(json, name).inbound_nodes = [[[from, 0, 0, {}]]];
};

/** The loop a message names, in the order data flows, from 'lstm' (the message may start anywhere on it). */
function loopIn(message: string): string[] {
  const m = /model\.json: layers connect in a loop: ((?:'[^']+' → )+'[^']+');/.exec(message);
  expect(m, message).not.toBeNull();
  const names = [...m![1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
  expect(names[0]).toBe(names[names.length - 1]);
  const loop = names.slice(1);
  const at = loop.indexOf('lstm');
  return [...loop.slice(at), ...loop.slice(0, at)];
}

async function folder(json: unknown, bin: Uint8Array | null = fn.bin): Promise<string> {
  return writeModel(await dirs.make(), json, bin);
}

/** The load must reject (no spec comes back) with an Error; returns it. */
async function loadError(where: string | Promise<ModelSpec>): Promise<Error> {
  let spec: ModelSpec | undefined;
  let error: unknown;
  try {
    spec = await (typeof where === 'string' ? loadModelSpec(where) : where);
  } catch (e) {
    error = e;
  }
  expect(spec).toBeUndefined();
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** A sparse file of `bytes` bytes (no disk space used). */
async function sparse(path: string, bytes: number): Promise<void> {
  const f = await open(path, 'w');
  await f.truncate(bytes);
  await f.close();
}

const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

const nested = (depth: number, inner = '0') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

beforeAll(async () => {
  expect(await useCpuBackend()).toBe(true);
  const input = tf.input({ shape: [null], name: 'tokens' });
  const embed = tf.layers.embedding({ inputDim: 10, outputDim: 4, name: 'embed' }).apply(input) as tf.SymbolicTensor;
  const lstm = tf.layers.lstm({ units: 6, returnSequences: true, recurrentActivation: 'sigmoid', name: 'lstm' }).apply(embed) as tf.SymbolicTensor;
  const drop = tf.layers.dropout({ rate: 0.2, name: 'drop' }).apply(lstm) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax', name: 'out' }).apply(drop) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  randomizeWeights(m, 9);
  fn = await saveModel(m);
  m.dispose();
  const s = tf.sequential();
  s.add(tf.layers.embedding({ inputDim: 10, outputDim: 4, batchInputShape: [null, null], name: 'embed' }));
  s.add(tf.layers.lstm({ units: 6, returnSequences: true, recurrentActivation: 'sigmoid', name: 'lstm' }));
  s.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out' }));
  randomizeWeights(s, 9);
  seq = await saveModel(s);
  s.dispose();
});
afterAll(() => dirs.cleanup());

describe('the models these tests break', () => {
  it('load as they are', async () => {
    for (const saved of [fn, seq]) {
      const spec = await loadModelSpec(await folder(saved.json, saved.bin));
      expect(spec.layers.map((l) => l.units)).toEqual([6]);
      expect(spec.heads.map((h) => h.size)).toEqual([10]);
    }
  });
});

describe('metadata that agrees with the network', () => {
  it('loads', async () => {
    const json = clone(fn);
    json.userDefinedMetadata = { pulseRnn: { encoding: 'melody-grid', minPitch: 60, maxPitch: 67, stepsPerQuarter: 4, stepsPerBar: 12, validationNll: 1.5, epochs: 3, training: { seed: 1 } } };
    expect((await loadModelSpec(await folder(json))).meta.stepsPerBar).toBe(12);
  });
});

describe('layer graphs that would make a loader walk forever', () => {
  it('a layer that reads from itself', async () => {
    const json = clone(fn);
    readsFrom(json, 'lstm', 'lstm');
    const dir = await folder(json);
    const e = await loadError(dir);
    expect(e.message).toBe(`${join(dir, 'model.json')}: layers connect in a loop: 'lstm' → 'lstm'; a model's layers must lead from its inputs to its outputs without returning`);
  });

  it('an LSTM → Dropout → LSTM loop, and an LSTM → Dropout → Dense → LSTM loop', async () => {
    const a = clone(fn);
    readsFrom(a, 'lstm', 'drop');
    expect(loopIn((await loadError(await folder(a))).message)).toEqual(['lstm', 'drop']);
    const b = clone(fn);
    readsFrom(b, 'lstm', 'out');
    expect(loopIn((await loadError(await folder(b))).message)).toEqual(['lstm', 'drop', 'out']);
  });

  it("inputs listed in Keras 3's form ({ args, kwargs }) are named as such, not as a layer with no input", async () => {
    const json = clone(fn);
    const drop = layerOf(json, 'drop');
    drop.inbound_nodes = [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, null, 6], keras_history: ['lstm', 0, 0] } }], kwargs: { training: false } }];
    expect((await loadError(await folder(json))).message).toMatch(/model\.json: layer 'drop' lists its inputs in Keras 3's form \(\{ args, kwargs \}\), which tfjs model\.json does not use; convert the model from Keras 2 \(tf_keras\) with tensorflowjs_converter$/);
  });

  it('a loop that no output reaches is refused too (the graph is checked whole)', async () => {
    const json = clone(fn);
    layersOf(json).push({ class_name: 'Dropout', name: 'a', config: { name: 'a', rate: 0.1 }, inbound_nodes: [[['b', 0, 0, {}]]] }, { class_name: 'Dropout', name: 'b', config: { name: 'b', rate: 0.1 }, inbound_nodes: [[['a', 0, 0, {}]]] });
    const e = await loadError(await folder(json));
    expect(e.message).toMatch(/layers connect in a loop: '(a|b)' → '(a|b)' → '(a|b)'/);
  });

  it('a Sequential model with two layers of one name (each would read from itself)', async () => {
    const json = clone(seq);
    layersOf(json)[2].config.name = 'lstm';
    const dir = await folder(json, seq.bin);
    const e = await loadError(dir);
    expect(e.message).toBe(`${join(dir, 'model.json')}: two layers are named 'lstm'; layer names must be unique`);
  });

  it('a layer that reads from a layer that is not there', async () => {
    const json = clone(fn);
    readsFrom(json, 'drop', 'ghost');
    const e = await loadError(await folder(json));
    expect(e.message).toMatch(/model\.json: layer 'drop' \(Dropout\) reads from 'ghost', which is not among the model's layers/);
  });

  it('an output listed twice, and an output that is not a layer', async () => {
    const json = clone(fn);
    const config = (json.modelTopology as Json).config as Json;
    config.output_layers = [['out', 0, 0], ['out', 0, 0]];
    expect((await loadError(await folder(json))).message).toMatch(/model\.json: output_layers names layer 'out' twice/);
    config.output_layers = [['nowhere', 0, 0]];
    expect((await loadError(await folder(json))).message).toMatch(/model\.json: output_layers names layer 'nowhere', which is not among the model's layers/);
  });
});

describe('shard paths that leave the model folder', () => {
  const withPath = (p: string): Json => {
    const json = clone(fn);
    (json.weightsManifest as { paths: string[] }[])[0].paths = [p];
    return json;
  };

  for (const [label, p, why] of [
    ['../ to a real copy of the shard beside the folder', '../outside.bin', /climbs out of the model's folder/],
    ['../../dev/zero', '../../dev/zero', /climbs out/],
    ['a folder, then ../ twice', 'sub/../../outside.bin', /climbs out/],
    ['%2e%2e (as a web server decodes it)', '%2e%2e/outside.bin', /climbs out/],
    ['%252e%252e (encoded twice)', '%252e%252e/outside.bin', /climbs out/],
    ['an absolute path', '/etc/passwd', /is absolute/],
    ['a backslash', '..\\outside.bin', /backslash/],
    ['a NUL byte', 'group1-shard1of1.bin\0.png', /control character/],
    ['an http: URL', 'http://other.example/x.bin', /names a scheme/],
    ['a file: URL', 'file:///etc/passwd', /names a scheme/],
    ['a data: URL', 'data:application/octet-stream;base64,AAAA', /names a scheme/],
    ['a protocol-relative URL', '//other.example/x.bin', /is absolute/],
    ['a Windows drive', 'C:/Windows/win.ini', /names a scheme or drive/],
    ['a folder and back, staying inside', 'sub/../group1-shard1of1.bin', /goes through "\.\."; name the shard without it \("group1-shard1of1\.bin"\)/],
  ] as const) {
    it(`${label}: refused by name before anything is read`, async () => {
      const parent = await dirs.make();
      await writeFile(join(parent, 'outside.bin'), fn.bin);
      const dir = join(parent, 'model');
      await mkdir(dir);
      await writeModel(dir, withPath(p), fn.bin);
      const e = await loadError(dir);
      expect(e.message.startsWith(`${join(dir, 'model.json')}: weightsManifest[0]: shard path `)).toBe(true);
      expect(e.message).toMatch(why);
      expect(e.message).toMatch(/shards are files inside the model's folder/);
    });
  }

  it('a symbolic link that leads out of the folder (to a copy of the shard, to /dev/zero)', async () => {
    for (const target of ['outside', '/dev/zero']) {
      const parent = await dirs.make();
      await writeFile(join(parent, 'outside.bin'), fn.bin);
      const dir = join(parent, 'model');
      await mkdir(dir);
      await writeModel(dir, fn.json, null);
      await symlink(target === 'outside' ? join(parent, 'outside.bin') : target, join(dir, SHARD));
      const e = await loadError(dir);
      expect(e.message).toContain(`${join(dir, SHARD)}: cannot read weights shard`);
      expect(e.message).toMatch(/outside the model's folder .* \(through a symbolic link\)/);
    }
  });

  it('a symbolic link that stays inside the folder is followed', async () => {
    const dir = await folder(fn.json, null);
    await mkdir(join(dir, 'store'));
    await writeFile(join(dir, 'store', 'real.bin'), fn.bin);
    await symlink(join(dir, 'store', 'real.bin'), join(dir, SHARD));
    expect((await loadModelSpec(dir)).layers).toHaveLength(1);
  });
});

describe('files that are not regular files, or far too large', () => {
  it('a FIFO as the shard, and as model.json: refused at once, not waited on', async () => {
    const a = await folder(fn.json, null);
    mkfifo(join(a, SHARD));
    const ea = await loadError(a);
    expect(ea.message).toContain(`${join(a, SHARD)}: cannot read weights shard`);
    expect(ea.message).toMatch(/is a named pipe \(FIFO\), not a regular file/);
    const b = await dirs.make();
    mkfifo(join(b, 'model.json'));
    const eb = await loadError(b);
    expect(eb.message).toBe(`${join(b, 'model.json')}: is a named pipe (FIFO), not a regular file; only regular files are read`);
  });

  it('model.json that is a folder', async () => {
    const dir = await dirs.make();
    await mkdir(join(dir, 'model.json'));
    const e = await loadError(dir);
    expect(e.message).toMatch(new RegExp(`^${join(dir, 'model.json')}: is a folder`));
    expect(e.message).not.toMatch(/^EISDIR/);
  });

  it('a 3 GB model.json is refused by its size, before it is read', async () => {
    const dir = await dirs.make();
    await sparse(join(dir, 'model.json'), 3 * 2 ** 30);
    const e = await loadError(dir);
    expect(e.message).toBe(`${join(dir, 'model.json')}: ${3 * 2 ** 30} bytes, more than the 64 MB a model.json may hold`);
  });

  it('a shard larger than the tensors the manifest declares (3 GB, and a few bytes over)', async () => {
    for (const size of [3 * 2 ** 30, fn.bin.length + 4]) {
      const dir = await folder(fn.json, null);
      await sparse(join(dir, SHARD), size);
      const e = await loadError(dir);
      expect(e.message).toContain(`${join(dir, SHARD)}: cannot read weights shard named in ${join(dir, 'model.json')}`);
      expect(e.message).toContain(`${size} bytes, more than the ${fn.bin.length} bytes model.json's manifest leaves for it`);
    }
  });

  it('tensors declaring more than 1 GiB in all are refused before any shard is read', async () => {
    const json = clone(fn);
    const specs = weightSpecsOf(json);
    for (let i = 0; i < 6; i++) specs.push({ name: `big${i}/kernel`, shape: [16384, 4096], dtype: 'float32' });
    const e = await loadError(await folder(json, null));
    expect(e.message).toMatch(/model\.json: weightsManifest\[0\]: the tensors declared so far need \d+ bytes, more than the 1073741824 \(1 GiB\) a model may hold/);
  });
});

describe('names', () => {
  it('a layer or tensor name of a million characters is refused by its length', async () => {
    const long = 'x'.repeat(1_000_000);
    const a = clone(fn);
    layerOf(a, 'drop').name = long;
    expect((await loadError(await folder(a))).message).toMatch(/model\.json: modelTopology layer \d+ has a name or class_name of 1000000 characters; at most 256 are accepted/);
    const b = clone(fn);
    weightSpecsOf(b)[0].name = long;
    expect((await loadError(await folder(b))).message).toMatch(/model\.json: weightsManifest\[0\]\.weights\[0\] has a name of 1000000 characters/);
  });
});

describe('control characters in a model file', () => {
  // a terminal obeys the escapes in what it prints: an error message must not carry them
  const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
  const ESC = '\u001b]0;owned\u0007\u001b[2J';

  it('in a layer name, a class name or a tensor name: refused, and the message holds none', async () => {
    const layer = clone(fn);
    const drop = layerOf(layer, 'drop');
    drop.config.name = `drop${ESC}`;
    drop.name = `drop${ESC}`;
    const cls = clone(fn);
    layerOf(cls, 'drop').class_name = `Dropout${ESC}`;
    const tensor = clone(fn);
    (tensor.weightsManifest as { weights: { name: string }[] }[])[0].weights[0].name += ESC;
    for (const [json, what] of [[layer, /layer 3 has a name or class_name holding a control character/], [cls, /layer 3 has a name or class_name holding a control character/], [tensor, /weights\[0\] has a name holding a control character/]] as const) {
      const e = await loadError(await folder(json));
      expect(e.message).toMatch(what);
      expect(e.message).not.toMatch(CONTROL);
    }
  });

  it('in text that is not JSON, in a shard path, in the metadata: the message shows them escaped', async () => {
    const messages = [
      (await loadError(await folder(`${ESC}{"modelTopology": 1}`))).message,
      (await loadError(await folder({ ...clone(fn), weightsManifest: [{ ...(fn.json.weightsManifest as object[])[0], paths: [`w${ESC}.bin`] }] }))).message,
      (await loadError(await folder({ ...clone(fn), userDefinedMetadata: { pulseRnn: { stepsPerBar: `16${ESC}` } } }))).message,
    ];
    for (const m of messages) {
      expect(m).toMatch(/model\.json: /);
      expect(m).not.toMatch(CONTROL);
      expect(m).toContain('\\u001b');
    }
  });
});

describe('quantized weights', () => {
  it('a quantization scale or minimum that is not a finite number is refused by tensor', async () => {
    // values as JSON text: 1e999 reads as Infinity
    for (const [field, value] of [['scale', '"2"'], ['min', '1e999'], ['scale', 'null']] as const) {
      const text = JSON.stringify(fn.json).replace('"name":"out/bias"', `"name":"out/bias","quantization":{"dtype":"uint8","${field}":${value}}`);
      const e = await loadError(await folder(text));
      expect(e.message).toMatch(new RegExp(`model\\.json: weightsManifest\\[0\\]: tensor 'out/bias': quantization ${field} .* is not a finite number`));
    }
  });
});

describe('model.json text', () => {
  it('a UTF-8 byte-order mark is accepted', async () => {
    const dir = await folder(`\uFEFF${JSON.stringify(fn.json)}`);
    expect((await loadModelSpec(dir)).heads).toHaveLength(1);
  });

  it('UTF-16 text says to save it as UTF-8', async () => {
    const dir = await dirs.make();
    const text = `\uFEFF${JSON.stringify(fn.json)}`;
    const bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) new DataView(bytes.buffer).setUint16(i * 2, text.charCodeAt(i), true);
    await writeModel(dir, '', fn.bin);
    await writeFile(join(dir, 'model.json'), bytes);
    expect((await loadError(dir)).message).toBe(`${join(dir, 'model.json')}: is UTF-16 text; save model.json as UTF-8`);
  });

  for (const [label, edit] of [
    ['a tensor shape', (j: Json) => (weightSpecsOf(j)[0].shape = JSON.parse(nested(100_000)))],
    ['a shard path', (j: Json) => ((j.weightsManifest as { paths: unknown[] }[])[0].paths = JSON.parse(nested(100_000, '"x.bin"')))],
    ['the input layers', (j: Json) => (((j.modelTopology as Json).config as Json).input_layers = JSON.parse(nested(100_000)))],
    ['the metadata', (j: Json) => (j.userDefinedMetadata = { pulseRnn: { notes: JSON.parse(nested(100_000)) } })],
  ] as const) {
    it(`100,000 nested arrays in ${label}: names the file and where, no stack overflow`, async () => {
      const json = clone(fn);
      edit(json);
      // JSON.stringify itself would overflow on this: write the text around the nested part
      const marker = '"__NESTED__"';
      const text = JSON.stringify(json, (_k, v) => (Array.isArray(v) && Array.isArray(v[0]) && Array.isArray(v[0][0]) && Array.isArray(v[0][0][0]) && Array.isArray(v[0][0][0][0]) && Array.isArray(v[0][0][0][0][0]) && Array.isArray(v[0][0][0][0][0][0]) && Array.isArray(v[0][0][0][0][0][0][0]) ? '__NESTED__' : v));
      expect(text).toContain(marker);
      const dir = await folder(text.replace(marker, nested(100_000, label === 'a shard path' ? '"x.bin"' : '0')));
      const e = await loadError(dir);
      expect(e.message).toMatch(new RegExp(`^${join(dir, 'model.json')}: nested more than 100 levels deep at `));
      expect(e.message).not.toMatch(/call stack/);
    });
  }

  it('an object passed to parseLayersModel directly is checked the same way', async () => {
    const json = clone(fn);
    json.userDefinedMetadata = { pulseRnn: { encoding: 'drum-grid', inputs: JSON.parse(nested(5000)) } };
    const e = await loadError(parseLayersModel(json, async () => fn.bin, 'm/model.json'));
    expect(e.message).toMatch(/^m\/model\.json: nested more than 100 levels deep at userDefinedMetadata\.pulseRnn\.inputs\[0\]\[0\]/);
  });
});

describe('metadata out of range', () => {
  const withMeta = async (pulseRnn: Json | string): Promise<Error> => {
    const json = clone(fn);
    const text = JSON.stringify({ ...json, userDefinedMetadata: '__META__' }).replace('"__META__"', `{"pulseRnn": ${typeof pulseRnn === 'string' ? pulseRnn : JSON.stringify(pulseRnn)}}`);
    return loadError(await folder(text));
  };

  for (const [field, value, rule] of [
    ['stepsPerBar', 1e12, /whole number of steps from 1 to 128/],
    ['stepsPerBar', 0, /whole number of steps/],
    ['stepsPerBar', 7.5, /whole number of steps/],
    ['stepsPerQuarter', 1e-9, /whole number of the clock's 24 pulses per quarter/],
    ['stepsPerQuarter', 0, /24 pulses/],
    ['stepsPerQuarter', -4, /24 pulses/],
    ['stepsPerQuarter', 5, /24 pulses/],
    ['stepsPerQuarter', 'four', /24 pulses/],
    ['ticksPerQuarter', 0, /from 1 to 32767/],
    ['ticksPerQuarter', 1e9, /from 1 to 32767/],
    ['minPitch', 200, /MIDI note number/],
    ['maxPitch', -1, /MIDI note number/],
    ['drumNotes', [36, 300], /one MIDI note \(0 to 127\) per drum voice/],
    ['drumNotes', [], /per drum voice/],
    ['validationNll', -1, /≥ 0/],
    ['epochs', 2.5, /whole number/],
    ['encoding', 42, /name of an encoding/],
  ] as const) {
    it(`${field}: ${JSON.stringify(value)}`, async () => {
      const e = await withMeta({ [field]: value });
      expect(e.message).toMatch(/model\.json: metadata '/);
      expect(e.message).toContain(`metadata '${field}' is `);
      expect(e.message).toMatch(rule);
    });
  }

  it('metadata that is null or not an object says what it must be', async () => {
    const withWhole = async (meta: unknown) => {
      const json = { ...clone(fn), userDefinedMetadata: meta };
      return (await loadError(await folder(json))).message;
    };
    expect(await withWhole(null)).toMatch(/model\.json: 'userDefinedMetadata' is null; it must be an object \(holding the pulseRnn metadata\), or be left out$/);
    expect(await withWhole([1])).toMatch(/model\.json: 'userDefinedMetadata' is \[1\]; it must be an object/);
    expect(await withWhole({ pulseRnn: null })).toMatch(/model\.json: 'userDefinedMetadata\.pulseRnn' is null; it must be an object \(encoding, stepsPerQuarter, …\), or be left out$/);
    // absent is fine: a plain tfjs model has none
    const json = clone(fn);
    delete json.userDefinedMetadata;
    expect((await loadModelSpec(await folder(json))).meta).toEqual({});
  });

  it('a number too large for JSON (1e999 reads as Infinity), anywhere in the metadata', async () => {
    const e = await withMeta('{"training": {"learningRate": 1e999}}');
    expect(e.message).toMatch(/model\.json: metadata 'training\.learningRate' is null; every number in the metadata must be finite/);
  });

  it('minPitch above maxPitch', async () => {
    expect((await withMeta({ minPitch: 80, maxPitch: 60 })).message).toMatch(/metadata 'minPitch' is 80; it must not be above maxPitch \(60\)/);
  });

  it('vocabulary sizes that disagree with the network', async () => {
    // the test model has 10 tokens in and out
    expect((await withMeta({ encoding: 'melody-grid', minPitch: 60, maxPitch: 71 })).message).toMatch(/melody grid needs 14 tokens \(rest, hold and pitches 60 to 71\), but head 'out' has 10/);
    expect((await withMeta({ encoding: 'drum-grid' })).message).toMatch(/its drum grid needs 512 tokens \(every set of its 9 drum classes\), but head 'out' has 10/);
    expect((await withMeta({ encoding: 'note-events', tables: { pitch: [60, 62], delay: [0, 6] } })).message).toMatch(/the model has 1 heads but 2 tables/);
    expect((await withMeta({ encoding: 'note-events', headRoles: ['pitch', 'pitch'], tables: { pitch: [60, 62, 64], delay: [0] } })).message).toMatch(/metadata 'headRoles' is \["pitch","pitch"\]; it must list each head's table/);
    expect((await withMeta({ encoding: 'drummer-events' })).message).toMatch(/RNN-Drummer model has a note head of 17 and a tick head of 209/);
  });

  it('a drum grid of other than its nine classes (a head of 1024 or 65,536, or eight drum notes) is refused at load, by the file', () => {
    const grid = (size: number, meta: Record<string, unknown>) => randomSpec({ inputs: [{ kind: 'token', name: 'token', vocab: size }], heads: [{ name: 'token', size }], meta: { encoding: 'drum-grid', ...meta } });
    for (const size of [4, 1024, 65536]) {
      expect(() => checkModel({ ...grid(size, {}), source: 'g/model.json' }), String(size)).toThrow(`g/model.json: metadata 'encoding' is 'drum-grid'; its drum grid needs 512 tokens (every set of its 9 drum classes), but head 'token' has ${size}`);
    }
    expect(() => checkModel({ ...grid(256, { drumNotes: [36, 38, 42, 46, 45, 48, 50, 49] }), source: 'g/model.json' })).toThrow(
      "g/model.json: metadata 'drumNotes' is [36,38,42,46,45,48,50,49]; a drum grid plays its 9 drum classes (kick, snare, closed hat, open hat, three toms, crash, ride): it must list 9 MIDI notes (0 to 127)",
    );
    expect(() => checkModel({ ...grid(512, { drumNotes: [36, 38, 42, 46, 45, 48, 50, 49, 51] }), source: 'g/model.json' })).not.toThrow();
  });

  it("an RNN-Drummer model whose tables are not the Drummer's own is refused: its codec plays those", () => {
    const drummer = (notes: number[]) =>
      randomSpec({ inputs: [{ kind: 'token', name: 'note', vocab: notes.length }, { kind: 'token', name: 'tick', vocab: DRUMMER_TICKS.length }], heads: [{ name: 'note', size: notes.length }, { name: 'tick', size: DRUMMER_TICKS.length }], meta: { encoding: 'drummer-events', notes, ticks: [...DRUMMER_TICKS] } });
    const twenty = [...DRUMMER_NOTES, 60, 61, 62];
    expect(() => checkModel({ ...drummer(twenty), source: 'd/model.json' })).toThrow(/^d\/model\.json: metadata 'notes' is \[.*; an RNN-Drummer model plays the Drummer's own 17 notes \(36 37 38 .*\): leave 'notes' out, or list those$/);
    const reordered = [...DRUMMER_NOTES].reverse();
    expect(() => checkModel({ ...drummer(reordered), source: 'd/model.json' })).toThrow(/metadata 'notes' is .*the Drummer's own 17 notes/);
    expect(() => checkModel({ ...drummer([...DRUMMER_NOTES]), source: 'd/model.json' })).not.toThrow();
  });

  it('tables of note events: pitches, velocities and times in range', async () => {
    const ten = (v: number) => new Array(10).fill(v);
    const base = { encoding: 'note-events', headRoles: ['pitch'], tables: { pitch: ten(60), delay: [0] } };
    expect((await withMeta({ ...base, tables: { pitch: ten(128), delay: [0] } })).message).toMatch(/metadata 'tables\.pitch' is .*MIDI note numbers from 0 to 127/);
    expect((await withMeta({ ...base, tables: { pitch: ten(60), delay: [1e12] } })).message).toMatch(/metadata 'tables\.delay' is \[1000000000000\]; it must be a list of 1 to 65536 ticks from 0 to 6144/);
    expect((await withMeta({ ...base, tables: { pitch: ten(60), delay: [0], velocity: [0] } })).message).toMatch(/velocities from 1 to 127/);
  });
});

describe('weights that load but overflow together', () => {
  it('every weight 3e38 (each finite): refused at load by the probe step', async () => {
    const bin = new Uint8Array(fn.bin.length);
    new Float32Array(bin.buffer).fill(3e38);
    const dir = await folder(fn.json, bin);
    const e = await loadError(dir);
    expect(e.message).toMatch(new RegExp(`^${join(dir, 'model.json')}: the weights load but the network gives non-finite values: `));
    expect(e.message).toMatch(/(logit \d+|state value \d+) is (NaN|-?Infinity) after \d+ steps? from the initial state/);
  });
});

describe('the RNN-Drummer pair', () => {
  const H = 4;
  const V = DRUMMER_NOTES.length + DRUMMER_TICKS.length;
  const pair = (value: number) => {
    const wx = new Float32Array((V + H + 1) * 4 * H).fill(value);
    const wy = new Float32Array((H + 1) * V).fill(value);
    return { wx: new Uint8Array(wx.buffer), wy: new Uint8Array(wy.buffer) };
  };
  const drummerFolder = async (wx: Uint8Array | null, wy: Uint8Array | null) => {
    const dir = await dirs.make();
    if (wx) await writeFile(join(dir, 'Wx.bin'), wx);
    if (wy) await writeFile(join(dir, 'Wy.bin'), wy);
    return dir;
  };

  it('small weights load', async () => {
    const { wx, wy } = pair(0.01);
    expect((await loadModelSpec(await drummerFolder(wx, wy))).layers[0].units).toBe(H);
  });

  it('weights of 3e38 are refused by the probe step', async () => {
    const { wx, wy } = pair(3e38);
    const dir = await drummerFolder(wx, wy);
    const e = await loadError(dir);
    expect(e.message).toMatch(new RegExp(`^${dir}: the weights load but the network gives non-finite values`));
    expect(() => drummerSpec(wx, wy, 'd')).toThrow(/^d: the weights load but the network gives non-finite values/);
  });

  it('a FIFO as Wy.bin, a link out of the folder as Wx.bin, and a 3 GB Wy.bin', async () => {
    const { wx, wy } = pair(0.01);
    const a = await drummerFolder(wx, null);
    mkfifo(join(a, 'Wy.bin'));
    expect((await loadError(a)).message).toBe(`${join(a, 'Wy.bin')}: is a named pipe (FIFO), not a regular file; only regular files are read`);
    const outside = await drummerFolder(wx, null);
    const b = await drummerFolder(null, wy);
    await symlink(join(outside, 'Wx.bin'), join(b, 'Wx.bin'));
    expect((await loadError(b)).message).toMatch(new RegExp(`^${join(b, 'Wx.bin')}: it resolves to .*, outside the model's folder`));
    const c = await drummerFolder(wx, null);
    await sparse(join(c, 'Wy.bin'), 3 * 2 ** 30);
    expect((await loadError(c)).message).toMatch(new RegExp(`^${join(c, 'Wy.bin')}: ${3 * 2 ** 30} bytes, more than the most a Wy\\.bin of hidden size 4096 holds`));
  });

  it('half a pair, or a Wy.bin of no possible hidden size, says what a pair needs', async () => {
    const { wx, wy } = pair(0.01);
    const onlyWx = await drummerFolder(wx, null);
    expect((await loadError(onlyWx)).message).toBe(`${onlyWx}: holds Wx.bin but not Wy.bin; an RNN-Drummer model needs both, side by side (copy Wy.bin there)`);
    const onlyWy = await drummerFolder(null, wy);
    expect((await loadError(onlyWy)).message).toBe(`${onlyWy}: holds Wy.bin but not Wx.bin; an RNN-Drummer model needs both, side by side (copy Wx.bin there)`);
    for (const bytes of [0, 904, 905, 1000]) {
      const dir = await drummerFolder(wx, new Uint8Array(bytes));
      expect((await loadError(dir)).message, String(bytes)).toMatch(new RegExp(`^${join(dir, 'Wy.bin')}: ${bytes} bytes .*; a Wy\\.bin holds the RNN-Drummer's \\[hidden \\+ 1, 226\\] float32 matrix: copy it again from the Drummer's weights$`));
    }
  });

  it('a Wx.bin larger than Wy.bin implies is refused by size', async () => {
    const { wy } = pair(0.01);
    const dir = await drummerFolder(null, wy);
    await sparse(join(dir, 'Wx.bin'), 2 ** 31);
    expect((await loadError(dir)).message).toMatch(new RegExp(`^${join(dir, 'Wx.bin')}: ${2 ** 31} bytes, more than the \\d+ bytes Wy\\.bin implies`));
  });
});

describe('a model named the way a new user might', () => {
  it('the folder that holds model folders names them', async () => {
    const parent = await dirs.make();
    await mkdir(join(parent, 'drums'));
    await writeModel(join(parent, 'drums'), fn.json, fn.bin);
    await mkdir(join(parent, 'notes'));
    expect((await loadError(parent)).message).toBe(`${parent}: holds neither model.json nor the Wx.bin + Wy.bin pair, but its folder drums does: give that folder (${join(parent, 'drums')})`);
  });

  it('a shard, the model card or a MIDI file given as the model is refused as not model.json; Wx.bin or Wy.bin loads its pair', async () => {
    const dir = await folder(fn.json);
    await writeFile(join(dir, 'MODEL_CARD.md'), '# a model\n');
    for (const file of [SHARD, 'MODEL_CARD.md']) {
      expect((await loadError(join(dir, file))).message).toBe(`${join(dir, file)}: not a model.json; give the model's folder (${dir}), which holds model.json and its weight shards (or Wx.bin and Wy.bin)`);
    }
    const pair = await dirs.make();
    const H = 4;
    const V = DRUMMER_NOTES.length + DRUMMER_TICKS.length;
    await writeFile(join(pair, 'Wx.bin'), new Uint8Array(new Float32Array((V + H + 1) * 4 * H).fill(0.01).buffer));
    await writeFile(join(pair, 'Wy.bin'), new Uint8Array(new Float32Array((H + 1) * V).fill(0.01).buffer));
    for (const file of ['Wx.bin', 'Wy.bin']) expect((await loadModelSpec(join(pair, file))).layers[0].units).toBe(H);
  });
});
