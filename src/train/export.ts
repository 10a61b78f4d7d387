/**
 * Export a trained model in the tfjs LayersModel format the engine (and tfjs) loads:
 * a functional model: one-hot inputs (e.g. `token` + `position`) → Concatenate → LSTM… → one
 * Dense softmax per head, built with tfjs-layers and saved by tfjs itself, so the file is tfjs's own.
 * A conditioned head's Dense reads Concatenate([top LSTM, `<condition>_now`]), a one-hot input
 * of its condition head's token (tfjs runs it as it is, fed that token); a grouped head's Dense
 * gives linear logits, one softmax per group being the reader's. Those two are described in the
 * metadata's `heads` list (layers-model.ts reads it). A Bernoulli head's Dense ends in sigmoid,
 * which the engine reads as independent units, keeping the logits for its sampler. A Bernoulli
 * head's key order (nade-head.ts) has no tfjs layer: its tensors follow the model's own in the
 * shard, named `<dense>/key_…`, which the engine reads; tfjs loads such a file with
 * `{ strict: false }` and runs the head as independent keys.
 *
 * The weights shard is named by its content and written first; model.json, which names it,
 * is renamed into place last. A kill at any moment leaves the previous model or the new one,
 * never a mix. The shard the caller exported before is then removed, and no other file: the
 * folder may hold shards of other models, or files that are not the trainer's at all.
 *
 * @example
 * let shard = await exportLayersModel(model, { encoding: 'drum-grid', stepsPerQuarter: 4 }, 'weights/my-drums');
 * shard = await exportLayersModel(better, meta, 'weights/my-drums', shard); // 'weights-3f2a9c1b7d04.bin'
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { headActivation, type RnnModel } from './rnn-model.js';
import { keyOrderTensors } from './nade-head.js';
import { writeAtomic } from '../io/atomic-file.js';
import { contentName, SHARD_NAME } from './files.js';

/** Write `dir`/model.json and its shard; returns the shard's name. `previous`: the shard this caller wrote before, removed once no longer named. */
export async function exportLayersModel(model: RnnModel, meta: Record<string, unknown>, dir: string, previous: string | null = null): Promise<string> {
  const { units, layers } = model.shape;
  const inputs = model.shape.inputs.map((f) => tf.input({ shape: [null, f.vocab], name: f.name }));
  let x: tf.SymbolicTensor = inputs.length > 1 ? (tf.layers.concatenate({ name: 'inputs' }).apply(inputs) as tf.SymbolicTensor) : inputs[0];
  const lstms: tf.layers.Layer[] = [];
  for (let l = 0; l < layers; l++) {
    const cell = model.shape.cell ?? 'lstm';
    const args = { units, returnSequences: true, recurrentActivation: 'sigmoid', name: `${cell}${l + 1}`, kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;
    const layer = cell === 'gru' ? tf.layers.gru(args) : tf.layers.lstm(args);
    lstms.push(layer);
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  const { heads, outputs, conditionInputs } = headLayers(model, x);
  const m = tf.model({ inputs: [...inputs, ...conditionInputs], outputs, name: 'pulse_rnn' });
  const v = (n: string) => model.vars.get(n)!;
  lstms.forEach((layer, l) => {
    const g = (model.shape.cell === 'gru' ? 3 : 4) * units;
    const kernel = l === 0 ? tf.tensor2d(model.inputKernel(), [model.shape.inputs.reduce((a, f) => a + f.vocab, 0), g]) : v(`l${l}_in`);
    layer.setWeights([kernel, tf.tensor2d(model.recurrentKernel(l), [units, g]), v(`l${l}_bias`)]);
  });
  heads.forEach((h, i) => {
    const { bias } = model.headVars(i);
    const k = model.headKernel(i);
    const kernel = tf.tensor2d(k, [k.length / model.shape.heads[i].vocab, model.shape.heads[i].vocab]);
    h.setWeights([kernel, bias]);
    kernel.dispose();
  });
  const described = headMeta(model);
  m.setUserDefinedMetadata({ pulseRnn: described.length ? { ...meta, heads: described } : meta });
  let json = '';
  let shard = '';
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      const { specs, bytes } = withKeyOrders(model, a.weightSpecs ?? [], new Uint8Array(a.weightData as ArrayBuffer));
      shard = contentName(bytes);
      await writeAtomic(join(dir, shard), bytes);
      json = JSON.stringify({
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: [shard], weights: specs }],
        userDefinedMetadata: a.userDefinedMetadata,
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  await writeAtomic(join(dir, 'model.json'), json);
  // the previous shard is no longer named by model.json
  if (previous !== null && previous !== shard && SHARD_NAME.test(previous)) rmSync(join(dir, previous), { force: true });
  m.dispose();
  return shard;
}

/** The model's weights with each key order's tensors appended (float32), beside its head's Dense. */
function withKeyOrders(model: RnnModel, specs: tf.io.WeightsManifestEntry[], bytes: Uint8Array): { specs: tf.io.WeightsManifestEntry[]; bytes: Uint8Array } {
  const heads = model.toSpec({}).heads;
  const extra = heads.flatMap((h, i) => (h.keyOrder ? keyOrderTensors(h.keyOrder, outName(model, i), h.size) : []));
  if (extra.length === 0) return { specs, bytes };
  const size = bytes.length + extra.reduce((a, t) => a + t.data.length * 4, 0);
  const all = new Uint8Array(size);
  all.set(bytes);
  let o = bytes.length;
  for (const t of extra) {
    all.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), o);
    o += t.data.length * 4;
  }
  return { specs: [...specs, ...extra.map((t) => ({ name: t.name, shape: t.shape, dtype: 'float32' as const }))], bytes: all };
}

/** The Dense layer name of head `h`. */
const outName = (model: RnnModel, h: number): string => (model.shape.heads.length === 1 ? 'token_out' : `${model.shape.heads[h].name}_out`);

/** The input that carries a condition head's token to the heads conditioned on it. */
const conditionInputName = (condition: string): string => `${condition}_now`;

/** One Dense per head over the top layer `x`; a conditioned head's over Concatenate([x, one-hot input]), one such input and Concatenate per condition head. */
function headLayers(model: RnnModel, x: tf.SymbolicTensor): { heads: tf.layers.Layer[]; outputs: tf.SymbolicTensor[]; conditionInputs: tf.SymbolicTensor[] } {
  const joined = new Map<string, tf.SymbolicTensor>();
  const conditionInputs: tf.SymbolicTensor[] = [];
  const taken = new Set(model.shape.inputs.map((f) => f.name));
  const heads: tf.layers.Layer[] = [];
  const outputs = model.shape.heads.map((f, h) => {
    let from = x;
    if (f.condition !== undefined) {
      const c = model.shape.heads.find((o) => o.name === f.condition) as { name: string; vocab: number };
      if (!joined.has(c.name)) {
        const name = conditionInputName(c.name);
        if (taken.has(name)) throw new Error(`head '${f.name}': its condition input '${name}' has the name of a model input; rename one`);
        const now = tf.input({ shape: [null, c.vocab], name });
        conditionInputs.push(now);
        joined.set(c.name, tf.layers.concatenate({ name: `${c.name}_cond` }).apply([x, now]) as tf.SymbolicTensor);
      }
      from = joined.get(c.name) as tf.SymbolicTensor;
    }
    const layer = tf.layers.dense({ units: f.vocab, activation: headActivation(f), name: outName(model, h), kernelInitializer: 'zeros' });
    heads.push(layer);
    return layer.apply(from) as tf.SymbolicTensor;
  });
  return { heads, outputs, conditionInputs };
}

/** The metadata's `heads` entries: each conditioned or grouped head, by its Dense's name. */
function headMeta(model: RnnModel): Record<string, unknown>[] {
  const names = model.shape.heads.map((_, h) => outName(model, h));
  return model.shape.heads.flatMap((f, h) => {
    const grouped = (f.groups ?? 1) > 1;
    if (f.condition === undefined && !grouped) return [];
    const c = model.shape.heads.findIndex((o) => o.name === f.condition);
    return [{ name: names[h], ...(c >= 0 ? { condition: names[c], conditionInput: conditionInputName(model.shape.heads[c].name) } : {}), ...(grouped ? { groups: f.groups } : {}) }];
  });
}
