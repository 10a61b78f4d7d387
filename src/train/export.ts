/**
 * Export a trained model in the tfjs LayersModel format the engine (and tfjs) loads:
 * a functional model: one-hot inputs (e.g. `token` + `position`) → Concatenate → LSTM… → one
 * Dense softmax per head, built with tfjs-layers and saved by tfjs itself, so the file is tfjs's own.
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
import type { RnnModel } from './rnn-model.js';
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
  const heads = model.shape.heads.map((f) => tf.layers.dense({ units: f.vocab, activation: 'softmax', name: model.shape.heads.length === 1 ? 'token_out' : `${f.name}_out`, kernelInitializer: 'zeros' }));
  const outputs = heads.map((h) => h.apply(x) as tf.SymbolicTensor);
  const m = tf.model({ inputs, outputs, name: 'pulse_rnn' });
  const v = (n: string) => model.vars.get(n)!;
  lstms.forEach((layer, l) => {
    const g = (model.shape.cell === 'gru' ? 3 : 4) * units;
    const kernel = l === 0 ? tf.tensor2d(model.inputKernel(), [model.shape.inputs.reduce((a, f) => a + f.vocab, 0), g]) : v(`l${l}_in`);
    layer.setWeights([kernel, tf.tensor2d(model.recurrentKernel(l), [units, g]), v(`l${l}_bias`)]);
  });
  heads.forEach((h, i) => {
    const { kernel, bias } = model.headVars(i);
    h.setWeights([kernel, bias]);
  });
  m.setUserDefinedMetadata({ pulseRnn: meta });
  let json = '';
  let shard = '';
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      const bytes = new Uint8Array(a.weightData as ArrayBuffer);
      shard = contentName(bytes);
      await writeAtomic(join(dir, shard), bytes);
      json = JSON.stringify({
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: [shard], weights: a.weightSpecs }],
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
