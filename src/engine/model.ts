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

/**
 * A categorical output: dense layers from the top recurrent layer to `size` logits.
 *
 * A conditioned head reads, besides the top layer's h, the token an earlier head sampled this
 * step: its first dense layer's input is `[h | one-hot(token)]`, so its kernel has the top
 * layer's rows, then one row per token of the condition head. A grouped head's logits are
 * `groups` independent softmaxes of `size / groups` each (e.g. 9 drum classes × 16 velocity bins).
 *
 * @example
 * { name: 'velocity', size: 144, groups: 9, condition: 'hits', layers: [dense] } // dense: 256 + 512 inputs → 144
 */
export interface HeadSpec {
  readonly name: string;
  readonly layers: readonly DenseSpec[];
  readonly size: number;
  /** Name of an earlier, ungrouped head whose sampled token this head reads (see `Network.condition`). */
  readonly condition?: string;
  /** Independent softmaxes the logits split into, in order, `size / groups` each; default 1. */
  readonly groups?: number;
  /**
   * Each logit an independent Bernoulli unit (sigmoid, sampled by `sampleBernoulli`) rather than
   * one softmax over them: a piano roll's 88 keys, any number of them on in one step.
   */
  readonly bernoulli?: boolean;
  /**
   * Bernoulli heads only: an autoregressive order over the units inside one step (key k reads
   * keys below it in the same step), drawn and scored by `FrameHead`; without it the units are
   * independent. Old files have none.
   */
  readonly keyOrder?: KeyOrderSpec;
}

/**
 * What a Bernoulli head's key k adds to its logit z_k(h) from the keys j < k of the same step
 * (see `nade.ts`): a direct term Σ_{j<k} direct[j·size + k]·v_j, and a NADE term
 * V[k,:]·σ(c(h) + Σ_{j<k} W[j,:]·v_j), c(h) a linear Dense over the top recurrent layer.
 *
 * @example
 * { direct: D, nade: { hidden: 32, context: dense, W, V } } // D [88, 88]; dense: 128 → 32; W, V [88, 32]
 */
export interface KeyOrderSpec {
  /** [size, size], row j, column k: what key j on adds to key k's logit; only j < k is read. */
  readonly direct?: Float32Array;
  readonly nade?: {
    readonly hidden: number;
    /** c(h): the top layer's units → `hidden`, linear. */
    readonly context: DenseSpec;
    /** [size, hidden]: what key j on adds to a. */
    readonly W: Float32Array;
    /** [size, hidden]: key k's weights over σ(a). */
    readonly V: Float32Array;
  };
}

/** Logits per softmax of a head: its whole size, or one group's. */
export const groupSize = (h: HeadSpec): number => h.size / (h.groups ?? 1);

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
  spec.heads.forEach((h, i) => {
    need(h.layers.length > 0, `head '${h.name}' has no dense layer`);
    checkGroups(h, need);
    checkBernoulli(h, need);
    if (h.keyOrder) checkKeyOrder(h, h.keyOrder, top, need, finite);
    let w = top + conditionWidth(spec, i, need);
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
  });
}

type Need = (cond: boolean, msg: string) => void;

/** A grouped head splits its size evenly, and leaves the per-group softmax to the sampler. */
function checkGroups(h: HeadSpec, need: Need): void {
  if (h.groups === undefined) return;
  const g = h.groups;
  need(Number.isInteger(g) && g >= 1, `head '${h.name}': groups ${g} is not a positive integer`);
  need(h.size % g === 0, `head '${h.name}': ${h.size} logits do not split into ${g} equal groups`);
  const last = h.layers[h.layers.length - 1];
  need(g === 1 || last.activation === 'linear', `head '${h.name}': a head of ${g} groups ends in linear logits (one softmax per group is the sampler's), not '${last.activation}'`);
}

/** Bernoulli units stand alone: no groups, no condition, and logits the sampler turns into probabilities. */
function checkBernoulli(h: HeadSpec, need: Need): void {
  if (!h.bernoulli) return;
  need(h.groups === undefined && h.condition === undefined, `head '${h.name}': a head of Bernoulli units has neither groups nor a condition`);
  const last = h.layers[h.layers.length - 1];
  need(last.activation === 'sigmoid' || last.activation === 'linear', `head '${h.name}': a head of Bernoulli units ends in sigmoid or linear logits, not '${last.activation}'`);
}

/** A key order's tensors fit its head (size keys) and the top layer, each named in the message. */
function checkKeyOrder(h: HeadSpec, o: KeyOrderSpec, top: number, need: Need, finite: (name: string, a: Float32Array | null | undefined) => void): void {
  const n = h.size;
  need(h.bernoulli === true, `head '${h.name}': a key order needs a head of Bernoulli units`);
  if (o.direct) {
    need(o.direct.length === n * n, `head '${h.name}' key order 'direct': ${o.direct.length} values, expected ${n}×${n}`);
    finite(`head '${h.name}' key order 'direct'`, o.direct);
  }
  const m = o.nade;
  if (!m) return;
  const H = m.hidden;
  const c = m.context;
  need(Number.isInteger(H) && H > 0, `head '${h.name}' key order: NADE hidden size ${H} is not a positive integer`);
  need(c.inputSize === top && c.units === H && c.kernel.length === top * H, `head '${h.name}' key order 'context' kernel: ${c.kernel.length} values (${c.inputSize}→${c.units}), expected ${top}×${H}`);
  need(!c.bias || c.bias.length === H, `head '${h.name}' key order 'context' bias: ${c.bias?.length} values, expected ${H}`);
  need(m.W.length === n * H, `head '${h.name}' key order 'W': ${m.W.length} values, expected ${n}×${H}`);
  need(m.V.length === n * H, `head '${h.name}' key order 'V': ${m.V.length} values, expected ${n}×${H}`);
  finite(`head '${h.name}' key order 'context' kernel`, c.kernel);
  finite(`head '${h.name}' key order 'context' bias`, c.bias);
  finite(`head '${h.name}' key order 'W'`, m.W);
  finite(`head '${h.name}' key order 'V'`, m.V);
}

/** Width the condition head's one-hot adds to head `i`'s first dense input (0 when unconditioned). */
function conditionWidth(spec: ModelSpec, i: number, need: Need): number {
  const h = spec.heads[i];
  if (h.condition === undefined) return 0;
  const c = spec.heads.findIndex((x) => x.name === h.condition);
  need(c >= 0, `head '${h.name}': its condition '${h.condition}' is not a head of this model (${spec.heads.map((x) => `'${x.name}'`).join(', ')})`);
  need(c < i, `head '${h.name}': its condition '${h.condition}' must come before it, so its token is sampled first`);
  const cond = spec.heads[c];
  need((cond.groups ?? 1) === 1, `head '${h.name}': its condition '${cond.name}' is grouped; a condition is one token`);
  return cond.size;
}
