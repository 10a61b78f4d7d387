/**
 * What a model is, independent of the file it came from: input fields, a stack of recurrent
 * layers, and categorical output heads. Loaders (`layers-model.ts`, `drummer-format.ts`) build
 * a `ModelSpec`; `Network` runs one.
 *
 * All matrices use the Keras layout: `kernel[input][output]`, row-major, gate blocks along the
 * output axis in Keras order (LSTM i, f, c, o; GRU z, r, h).
 */
import type { ActivationName } from './activations.js';

/** One input of a step: a token (one-hot or embedded) or a vector of floats. */
export type InputSpec =
  | {
      readonly kind: 'token';
      readonly name: string;
      /** Number of token values (the one-hot width). */
      readonly vocab: number;
      /** Optional embedding table [vocab, dim]; without it the token enters one-hot. */
      readonly embedding?: Float32Array;
      readonly embeddingDim?: number;
    }
  | { readonly kind: 'vector'; readonly name: string; readonly size: number };

export interface RnnLayerSpec {
  readonly cell: 'lstm' | 'gru';
  readonly name: string;
  readonly units: number;
  /** Width of this layer's input (the previous layer's units, or the sum of input widths). */
  readonly inputSize: number;
  /** [inputSize, gates·units] */
  readonly kernel: Float32Array;
  /** [units, gates·units] */
  readonly recurrentKernel: Float32Array;
  /** [gates·units], or [2·3·units] for GRU with resetAfter (input bias, then recurrent bias). */
  readonly bias: Float32Array | null;
  readonly activation: ActivationName;
  readonly recurrentActivation: ActivationName;
  /** GRU only: apply the reset gate after the recurrent product (Keras 2 default true). */
  readonly resetAfter?: boolean;
}

export interface DenseSpec {
  readonly name: string;
  readonly inputSize: number;
  readonly units: number;
  /** [inputSize, units] */
  readonly kernel: Float32Array;
  readonly bias: Float32Array | null;
  /** Hidden dense layers may use any activation; a head's last layer gives logits (softmax is applied by the sampler). */
  readonly activation: ActivationName | 'softmax';
}

/** A categorical output: dense layers from the top recurrent layer to `size` logits. */
export interface HeadSpec {
  readonly name: string;
  readonly layers: readonly DenseSpec[];
  readonly size: number;
}

/** pulse-rnn metadata carried in `userDefinedMetadata.pulseRnn` (all optional for plain models). */
export interface PulseMeta {
  readonly encoding?: string;
  readonly stepsPerQuarter?: number;
  readonly [key: string]: unknown;
}

export interface ModelSpec {
  readonly inputs: readonly InputSpec[];
  readonly layers: readonly RnnLayerSpec[];
  readonly heads: readonly HeadSpec[];
  readonly meta: PulseMeta;
  /** Where the model came from, for messages. */
  readonly source: string;
}

export const gatesOf = (cell: 'lstm' | 'gru'): number => (cell === 'lstm' ? 4 : 3);

/** Width an input contributes to the first recurrent layer's input. */
export const inputWidth = (s: InputSpec): number =>
  s.kind === 'vector' ? s.size : s.embedding ? (s.embeddingDim as number) : s.vocab;

/** Check every shape and value; throws an Error naming the layer and tensor. */
export function validateSpec(spec: ModelSpec): void {
  const where = (what: string) => `${spec.source}: ${what}`;
  const need = (cond: boolean, msg: string) => {
    if (!cond) throw new Error(where(msg));
  };
  const finite = (name: string, a: Float32Array | null | undefined) => {
    if (!a) return;
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new Error(where(`${name}: element ${i} is ${a[i]}`));
    }
  };
  need(spec.inputs.length > 0, 'model has no inputs');
  need(spec.layers.length > 0, 'model has no recurrent layers');
  need(spec.heads.length > 0, 'model has no output heads');
  let width = 0;
  for (const s of spec.inputs) {
    if (s.kind === 'token') {
      need(Number.isInteger(s.vocab) && s.vocab > 0, `input '${s.name}': vocabulary size ${s.vocab} is not a positive integer`);
      if (s.embedding) {
        const dim = s.embeddingDim ?? 0;
        need(dim > 0 && s.embedding.length === s.vocab * dim, `input '${s.name}': embedding has ${s.embedding.length} values, expected ${s.vocab}×${dim}`);
        finite(`input '${s.name}' embedding`, s.embedding);
      }
    } else {
      need(Number.isInteger(s.size) && s.size > 0, `input '${s.name}': size ${s.size} is not a positive integer`);
    }
    width += inputWidth(s);
  }
  for (const l of spec.layers) {
    const g = gatesOf(l.cell) * l.units;
    need(l.inputSize === width, `layer '${l.name}': input size ${l.inputSize}, but what feeds it is ${width} wide`);
    need(l.kernel.length === l.inputSize * g, `layer '${l.name}' kernel: ${l.kernel.length} values, expected ${l.inputSize}×${g}`);
    need(l.recurrentKernel.length === l.units * g, `layer '${l.name}' recurrent_kernel: ${l.recurrentKernel.length} values, expected ${l.units}×${g}`);
    const biasLen = l.cell === 'gru' && l.resetAfter ? 2 * g : g;
    need(!l.bias || l.bias.length === biasLen, `layer '${l.name}' bias: ${l.bias?.length} values, expected ${biasLen}`);
    finite(`layer '${l.name}' kernel`, l.kernel);
    finite(`layer '${l.name}' recurrent_kernel`, l.recurrentKernel);
    finite(`layer '${l.name}' bias`, l.bias);
    width = l.units;
  }
  const top = width;
  for (const h of spec.heads) {
    need(h.layers.length > 0, `head '${h.name}' has no dense layer`);
    let w = top;
    for (const d of h.layers) {
      // the engine leaves a head's final softmax to the sampler and has no softmax elsewhere
      need(d.activation !== 'softmax' || d === h.layers[h.layers.length - 1], `dense '${d.name}': softmax is supported only as the last activation of head '${h.name}'`);
      need(d.inputSize === w, `dense '${d.name}': input size ${d.inputSize}, but what feeds it is ${w} wide`);
      need(d.kernel.length === d.inputSize * d.units, `dense '${d.name}' kernel: ${d.kernel.length} values, expected ${d.inputSize}×${d.units}`);
      need(!d.bias || d.bias.length === d.units, `dense '${d.name}' bias: ${d.bias?.length} values, expected ${d.units}`);
      finite(`dense '${d.name}' kernel`, d.kernel);
      finite(`dense '${d.name}' bias`, d.bias);
      w = d.units;
    }
    need(h.size === w, `head '${h.name}': size ${h.size} but its last layer has ${w} units`);
  }
}
