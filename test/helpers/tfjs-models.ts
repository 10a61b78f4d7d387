/**
 * Test helpers around TensorFlow.js: seeded weights, saving a LayersModel the way tfjs's own
 * file handler does (`model.json` + one weights shard), and temp folders.
 *
 * tfjs-core's `getModelJSONForModelArtifacts` (io_utils) is what its handlers use to write
 * model.json, but it is not exported from the public `tf.io` namespace; `modelJsonFor` below
 * mirrors it field for field.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/engine/prng.js';

export const SHARD = 'group1-shard1of1.bin';

let backendReady: Promise<boolean> | null = null;
/** Use tfjs's pure-JS cpu backend (deterministic and available everywhere). */
export function useCpuBackend(): Promise<boolean> {
  backendReady ??= tf.setBackend('cpu').then(async (ok) => {
    await tf.ready();
    return ok;
  });
  return backendReady;
}

/** A uniform value in [-scale, scale) from a seeded stream. */
export const uniform = (rng: Rng, scale: number): number => (rng.next() * 2 - 1) * scale;

/** `n` seeded values in [-scale, scale). */
export function randomArray(rng: Rng, n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = uniform(rng, scale);
  return a;
}

/** Scale for a weight of this shape: biases small, matrices ~2.5/√fanIn, embeddings ~1. */
export function weightScale(name: string, shape: readonly number[]): number {
  if (/embeddings$/.test(name)) return 1;
  if (shape.length === 1 || /bias$/.test(name)) return 0.5;
  return 2.5 / Math.sqrt(shape[0]);
}

/** Replace every weight of `model` with seeded values (deterministic across runs). */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(randomArray(rng, n, weightScale(w.originalName, shape)), shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}

export interface Saved {
  readonly artifacts: tf.io.ModelArtifacts;
  /** model.json content (as an object), naming one shard `SHARD`. */
  readonly json: Record<string, unknown>;
  /** The shard's bytes. */
  readonly bin: Uint8Array;
}

/** Same fields, same order as tfjs-core io_utils `getModelJSONForModelArtifacts`. */
export function modelJsonFor(artifacts: tf.io.ModelArtifacts, manifest: tf.io.WeightsManifestConfig): Record<string, unknown> {
  const result: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: manifest,
  };
  if (artifacts.signature != null) result.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) result.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) result.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) result.initializerSignature = artifacts.initializerSignature;
  if (artifacts.trainingConfig != null) result.trainingConfig = artifacts.trainingConfig;
  return result;
}

/** Save `model` through `tf.io.withSaveHandler` and return what tfjs's file handler would write. */
export async function saveModel(model: tf.LayersModel): Promise<Saved> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = captured as unknown as tf.io.ModelArtifacts;
  const data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
  const json = modelJsonFor(artifacts, [{ paths: [SHARD], weights: artifacts.weightSpecs ?? [] }]);
  return { artifacts, json: JSON.parse(JSON.stringify(json)), bin: new Uint8Array(data) };
}

/** Write model.json (object or raw text) and, unless null, the shard into `dir`. */
export async function writeModel(dir: string, json: unknown, bin: Uint8Array | null, shard = SHARD): Promise<string> {
  await writeFile(join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  if (bin) await writeFile(join(dir, shard), bin);
  return dir;
}

/** Temp folders under the OS temp dir, removed by `cleanup()`. */
export class TempDirs {
  private readonly made: string[] = [];
  async make(prefix = 'pulse-rnn-test-'): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), prefix));
    this.made.push(d);
    return d;
  }
  async cleanup(): Promise<void> {
    await Promise.all(this.made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** Weight specs of a saved model (model.json's single manifest group). */
export function weightSpecsOf(json: Record<string, unknown>): tf.io.WeightsManifestEntry[] {
  return (json.weightsManifest as tf.io.WeightsManifestConfig)[0].weights;
}
