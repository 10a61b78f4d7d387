/**
 * Export a trained model in the tfjs LayersModel format the engine (and tfjs) loads:
 * a functional model `token` (one-hot) + `position` (one-hot) → Concatenate → LSTM… → Dense
 * softmax, built with tfjs-layers and saved by tfjs itself, so the file is tfjs's own.
 *
 * The weights shard is named by its content and written first; model.json, which names it,
 * is renamed into place last. A kill at any moment leaves the previous model or the new one,
 * never a mix.
 *
 * @example
 * await exportLayersModel(model, { encoding: 'drum-grid', stepsPerQuarter: 4 }, 'weights/my-drums');
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LstmModel } from './lstm-model.js';
import { contentName, writeAtomic } from './train.js';

export async function exportLayersModel(model: LstmModel, meta: Record<string, unknown>, dir: string): Promise<string> {
  const { vocab, positions, units, layers } = model.shape;
  const token = tf.input({ shape: [null, vocab], name: 'token' });
  const inputs = [token];
  let x: tf.SymbolicTensor = token;
  if (positions) {
    const position = tf.input({ shape: [null, positions], name: 'position' });
    inputs.push(position);
    x = tf.layers.concatenate({ name: 'inputs' }).apply([token, position]) as tf.SymbolicTensor;
  }
  const lstms: tf.layers.Layer[] = [];
  for (let l = 0; l < layers; l++) {
    const layer = tf.layers.lstm({ units, returnSequences: true, recurrentActivation: 'sigmoid', name: `lstm${l + 1}`, kernelInitializer: 'zeros', recurrentInitializer: 'zeros' });
    lstms.push(layer);
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  const head = tf.layers.dense({ units: vocab, activation: 'softmax', name: 'token_out', kernelInitializer: 'zeros' });
  const out = head.apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs, outputs: out, name: 'pulse_rnn' });
  const v = (n: string) => model.vars.get(n)!;
  lstms.forEach((layer, l) => {
    const kernel = l === 0 ? (positions ? tf.concat([v('l0_tok'), v('l0_pos')], 0) : v('l0_tok')) : v(`l${l}_in`);
    layer.setWeights([kernel, v(`l${l}_rec`), v(`l${l}_bias`)]);
  });
  head.setWeights([v('out_kernel'), v('out_bias')]);
  m.setUserDefinedMetadata({ pulseRnn: meta });
  let json = '';
  let shard = '';
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      const bytes = new Uint8Array(a.weightData as ArrayBuffer);
      shard = contentName(bytes);
      writeAtomic(join(dir, shard), bytes);
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
  writeAtomic(join(dir, 'model.json'), json);
  // the previous shard is no longer named by model.json
  for (const f of readdirSync(dir)) if (/^weights-[0-9a-f]{12}\.bin$/.test(f) && f !== shard) rmSync(join(dir, f), { force: true });
  m.dispose();
  return join(dir, 'model.json');
}

/** Whether a folder holds a model.json whose shards all exist. */
export function exportComplete(dir: string): boolean {
  const p = join(dir, 'model.json');
  if (!existsSync(p)) return false;
  const j = JSON.parse(readFileSync(p, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  return j.weightsManifest.every((g) => g.paths.every((s) => existsSync(join(dir, s))));
}
