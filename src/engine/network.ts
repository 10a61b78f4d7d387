/**
 * A recurrent network that runs one step at a time, for real-time use.
 *
 * Reference for the LSTM and GRU equations: the trainer's kernels are tested against this step
 * (test/gemm.test.ts, test/parity.test.ts, test/train.test.ts).
 *
 * Read `step()` top to bottom: it is the forward pass. Everything it touches is allocated
 * when the network is built; a step allocates nothing. The recurrent state (every layer's h,
 * then every LSTM layer's c) is one contiguous Float32Array, so a snapshot is one copy.
 *
 * Two tricks keep the step cheap without changing the maths:
 * - a token input never multiplies a one-hot vector: its row of the input kernel (or, for an
 *   embedded token, its precomputed `embedding · kernel` row) is added to the gates;
 * - for LSTM layers above the first, the layer's input h (the layer below) and its own h sit
 *   side by side in the state, so `[x | h] · [W ; U]` is a single matrix-vector product.
 *
 * @example
 * const net = new Network(spec);          // spec from loadLayersModel / drummerSpec
 * net.step([36]);                         // one token per token input
 * const logits = net.logits[0];           // first head, before softmax
 * const saved = net.getState();           // copy of h and c
 * net.step([38]); net.setState(saved);    // back to where it was
 *
 * A conditioned head (one whose spec names a `condition`) is not computed by `step`: once its
 * condition head's token is sampled, `condition` computes it from that token.
 * @example
 * net.step(tokens);
 * const hits = sampler.sample(net.logits[0], opts, rng);
 * net.condition(1, hits);                 // head 1 reads head 0's token: net.logits[1] is ready
 */
import { activate, type ActivationName } from './activations.js';
import { createKernel, kernelFloats, type Kernel, type KernelPreference, type PackedMatrix } from './kernel.js';
import { gatesOf, inputWidth, validateSpec, type DenseSpec, type HeadSpec, type ModelSpec, type RnnLayerSpec } from './model.js';

export interface NetworkOptions {
  /** Which matrix kernel to use; 'auto' picks WebAssembly SIMD when the host has it. */
  kernel?: KernelPreference;
}

interface TokenInput {
  readonly field: number;
  readonly vocab: number;
  /** [vocab, gates·units]: the first layer's pre-activation contribution of each token. */
  readonly table: Float32Array;
}

interface LayerRuntime {
  readonly spec: RnnLayerSpec;
  readonly g: number; // gates·units
  readonly gates: Float32Array;
  readonly h: Float32Array;
  readonly c: Float32Array | null;
  /** Bias (input part), or null. */
  readonly bias: Float32Array | null;
  /** LSTM above layer 0: [W; U] over [h below | h]; otherwise U alone (layer 0) */
  readonly recurrent: PackedMatrix;
  readonly recurrentIn: Float32Array;
  /** GRU above layer 0: W over h below. */
  readonly kernel: PackedMatrix | null;
  readonly below: Float32Array | null;
  /** GRU buffers: recurrent pre-activations, reset-gated h, its product (reset_before), and that kernel. */
  readonly hg: Float32Array | null;
  readonly rh: Float32Array | null;
  readonly hc: Float32Array | null;
  readonly recurrentH: PackedMatrix | null;
  readonly recurrentBias: Float32Array | null;
}

interface DenseRuntime {
  readonly spec: DenseSpec;
  /** [inputSize, units]; for a conditioned head's first layer, only the top layer's rows. */
  readonly matrix: PackedMatrix;
  readonly input: Float32Array;
  readonly out: Float32Array;
  readonly activation: ActivationName | null;
}

interface HeadRuntime {
  readonly layers: readonly DenseRuntime[];
  /** Index of the head whose token this one reads, or -1. */
  readonly condition: number;
  /** Conditioned: the first kernel's one-hot rows [condition size, units]; a token adds its row. */
  readonly table: Float32Array | null;
  /** Conditioned: bias + h·W of the first layer, computed by `step`, before the token is known. */
  readonly pre: Float32Array | null;
}

export class Network {
  readonly spec: ModelSpec;
  readonly kernel: Kernel;
  /** Logits of each head after the latest step (views; valid until the next step). */
  readonly logits: readonly Float32Array[];
  /** Vector inputs, by input index (null for token inputs): write them before `step`. */
  readonly vectors: readonly (Float32Array | null)[];
  /** Length of the state vector. */
  readonly stateSize: number;

  private readonly state: Float32Array;
  private readonly tokens: readonly TokenInput[];
  private readonly vectorMatrices: readonly { field: number; matrix: PackedMatrix }[];
  private readonly layers: readonly LayerRuntime[];
  private readonly heads: readonly HeadRuntime[];

  constructor(spec: ModelSpec, options: NetworkOptions = {}) {
    validateSpec(spec);
    this.spec = spec;
    const k = createKernel(kernelMemory(spec), options.kernel);
    this.kernel = k;
    this.stateSize = stateSizeOf(spec.layers);
    this.state = k.alloc(this.stateSize);
    const { hs, cs } = stateViews(spec.layers, this.state);
    const first = firstLayerInputs(spec, k);
    this.tokens = first.tokens;
    this.vectorMatrices = first.vectorMatrices;
    this.vectors = first.vectors;
    this.layers = spec.layers.map((l, i) => (l.cell === 'lstm' ? lstmLayer(l, i, k, hs, cs, this.state) : gruLayer(l, i, k, hs)));
    const top = hs[hs.length - 1];
    this.heads = spec.heads.map((h) => headRuntime(spec, h, top, k));
    this.logits = this.heads.map((H) => H.layers[H.layers.length - 1].out);
  }

  /** Run one step. `tokens[i]` is the token of input i (ignored for vector inputs). */
  step(tokens: ArrayLike<number>): void {
    const k = this.kernel;
    for (let li = 0; li < this.layers.length; li++) {
      const L = this.layers[li];
      const z = L.gates;
      // pre-activations: bias + input contribution (+ recurrent contribution for LSTM)
      if (L.bias) z.set(L.bias);
      else z.fill(0);
      if (li === 0) {
        for (let t = 0; t < this.tokens.length; t++) {
          const T = this.tokens[t];
          const v = tokens[T.field];
          if (!(v >= 0 && v < T.vocab && v === Math.floor(v))) {
            throw new Error(`input '${this.spec.inputs[T.field].name}': token ${v} is outside 0..${T.vocab - 1}`);
          }
          const row = v * L.g;
          for (let j = 0; j < L.g; j++) z[j] += T.table[row + j];
        }
        for (let t = 0; t < this.vectorMatrices.length; t++) {
          const V = this.vectorMatrices[t];
          k.matvec(V.matrix, this.vectors[V.field] as Float32Array, z);
        }
      } else if (L.kernel) {
        k.matvec(L.kernel, L.below as Float32Array, z);
      }
      if (L.spec.cell === 'lstm') {
        k.matvec(L.recurrent, L.recurrentIn, z);
        this.lstmUpdate(L);
      } else {
        this.gruUpdate(L);
      }
    }
    for (let hi = 0; hi < this.heads.length; hi++) {
      const H = this.heads[hi];
      if (H.pre) {
        // the token part waits for `condition`; the h part is ready now
        const D = H.layers[0];
        if (D.spec.bias) H.pre.set(D.spec.bias);
        else H.pre.fill(0);
        k.matvec(D.matrix, D.input, H.pre);
      } else this.denseFrom(H, 0);
    }
  }

  /**
   * Compute conditioned head `head`'s logits from the token its condition head sampled this
   * step (after `step`). The token's one-hot times the kernel is one row of it, added.
   */
  condition(head: number, token: number): void {
    const H = this.heads[head];
    if (!H || !H.pre) throw new Error(`head ${head} ${H ? `('${this.spec.heads[head].name}') ` : ''}is not a conditioned head`);
    const table = H.table as Float32Array;
    const D = H.layers[0];
    const u = D.spec.units;
    const vocab = table.length / u;
    if (!(token >= 0 && token < vocab && token === Math.floor(token))) {
      throw new Error(`head '${this.spec.heads[head].name}': condition token ${token} of head '${this.spec.heads[H.condition].name}' is outside 0..${vocab - 1}`);
    }
    const out = D.out;
    const pre = H.pre;
    const row = token * u;
    for (let j = 0; j < u; j++) out[j] = pre[j] + table[row + j];
    if (D.activation) activate(D.activation, out, 0, u);
    this.denseFrom(H, 1);
  }

  /** A head's dense layers from `from` on, each reading the one before. */
  private denseFrom(H: HeadRuntime, from: number): void {
    const k = this.kernel;
    for (let j = from; j < H.layers.length; j++) {
      const D = H.layers[j];
      if (D.spec.bias) D.out.set(D.spec.bias);
      else D.out.fill(0);
      k.matvec(D.matrix, D.input, D.out);
      if (D.activation) activate(D.activation, D.out, 0, D.spec.units);
    }
  }

  // c = f·c + i·act(z_c);  h = o·act(c)      (Keras gate order i, f, c, o)
  private lstmUpdate(L: LayerRuntime): void {
    const u = L.spec.units;
    const z = L.gates;
    const h = L.h;
    const c = L.c as Float32Array;
    activate(L.spec.recurrentActivation, z, 0, 2 * u);
    activate(L.spec.activation, z, 2 * u, 3 * u);
    activate(L.spec.recurrentActivation, z, 3 * u, 4 * u);
    for (let j = 0; j < u; j++) c[j] = z[u + j] * c[j] + z[j] * z[2 * u + j];
    // h = o · act(c), reusing the candidate slot for act(c)
    z.set(c, 2 * u);
    activate(L.spec.activation, z, 2 * u, 3 * u);
    for (let j = 0; j < u; j++) h[j] = z[3 * u + j] * z[2 * u + j];
  }

  // z, r gates; candidate from r-gated h (before or after the recurrent product); h = z·h + (1−z)·hh
  private gruUpdate(L: LayerRuntime): void {
    const u = L.spec.units;
    const x = L.gates; // input part, with input bias
    const hg = L.hg as Float32Array;
    const rh = L.rh as Float32Array;
    const h = L.h;
    const k = this.kernel;
    if (L.recurrentBias) hg.set(L.recurrentBias);
    else hg.fill(0, 0, L.recurrentH ? 2 * u : 3 * u);
    k.matvec(L.recurrent, h, hg);
    for (let j = 0; j < 2 * u; j++) x[j] += hg[j];
    activate(L.spec.recurrentActivation, x, 0, 2 * u);
    if (L.recurrentH) {
      const hc = L.hc as Float32Array;
      for (let j = 0; j < u; j++) rh[j] = x[u + j] * h[j];
      hc.fill(0);
      k.matvec(L.recurrentH, rh, hc);
      for (let j = 0; j < u; j++) x[2 * u + j] += hc[j];
    } else {
      for (let j = 0; j < u; j++) x[2 * u + j] += x[u + j] * hg[2 * u + j];
    }
    activate(L.spec.activation, x, 2 * u, 3 * u);
    for (let j = 0; j < u; j++) h[j] = x[j] * h[j] + (1 - x[j]) * x[2 * u + j];
  }

  /** Copy of the recurrent state (into `out` if given: no allocation). */
  getState(out: Float32Array = new Float32Array(this.stateSize)): Float32Array {
    if (out.length !== this.stateSize) throw new Error(`state has ${this.stateSize} values, buffer has ${out.length}`);
    out.set(this.state);
    return out;
  }

  setState(src: ArrayLike<number>): void {
    if (src.length !== this.stateSize) throw new Error(`state has ${this.stateSize} values, got ${src.length}`);
    for (let i = 0; i < src.length; i++) {
      if (!Number.isFinite(src[i])) throw new Error(`state value ${i} is ${src[i]}`);
    }
    this.state.set(src);
  }

  resetState(): void {
    this.state.fill(0);
  }

  /** Layer `i`'s hidden state (a live view). */
  hidden(i: number): Float32Array {
    return this.layers[i].h;
  }

  /** LSTM layer `i`'s cell state (a live view), or null for GRU. */
  cell(i: number): Float32Array | null {
    return this.layers[i].c;
  }
}

// ---- building: every buffer a step touches, sized and reserved once ----------------------

/** Floats of kernel memory the network needs: every matrix and vector it will pack or alloc. */
function kernelMemory(spec: ModelSpec): number {
  const matrices: [number, number][] = [];
  const vectors: number[] = [];
  const L = spec.layers;
  const g0 = gatesOf(L[0].cell) * L[0].units;
  for (const s of spec.inputs) if (s.kind === 'vector') (matrices.push([s.size, g0]), vectors.push(s.size));
  L.forEach((l, i) => {
    const g = gatesOf(l.cell) * l.units;
    vectors.push(g);
    if (l.cell === 'lstm') matrices.push([i === 0 ? l.units : l.inputSize + l.units, g]);
    else {
      if (i > 0) matrices.push([l.inputSize, g]);
      if (l.resetAfter) matrices.push([l.units, g]);
      else matrices.push([l.units, 2 * l.units], [l.units, l.units]);
      vectors.push(g, l.units, l.units);
    }
  });
  vectors.push(stateSizeOf(L));
  for (const h of spec.heads) {
    for (const d of h.layers) (matrices.push([d.inputSize, d.units]), vectors.push(d.units));
    if (h.condition !== undefined) vectors.push(h.layers[0].units);
  }
  return kernelFloats(matrices, vectors.reduce((a, b) => a + b, 0), vectors.length + matrices.length);
}

/** Every layer's h, then every LSTM layer's c. */
const stateSizeOf = (layers: readonly RnnLayerSpec[]): number => layers.reduce((n, l) => n + (l.cell === 'lstm' ? 2 * l.units : l.units), 0);

/** Views of each layer's h and c in the state: all h first, then all c. */
function stateViews(layers: readonly RnnLayerSpec[], state: Float32Array): { hs: Float32Array[]; cs: (Float32Array | null)[] } {
  const hs: Float32Array[] = [];
  let off = 0;
  for (const l of layers) (hs.push(state.subarray(off, off + l.units)), (off += l.units));
  const cs = layers.map((l) => {
    if (l.cell !== 'lstm') return null;
    const c = state.subarray(off, off + l.units);
    off += l.units;
    return c;
  });
  return { hs, cs };
}

/** The first layer's inputs: a table of gate rows per token input, a packed matrix per vector input. */
function firstLayerInputs(spec: ModelSpec, k: Kernel): { tokens: TokenInput[]; vectorMatrices: { field: number; matrix: PackedMatrix }[]; vectors: (Float32Array | null)[] } {
  const l0 = spec.layers[0];
  const g0 = gatesOf(l0.cell) * l0.units;
  const tokens: TokenInput[] = [];
  const vectorMatrices: { field: number; matrix: PackedMatrix }[] = [];
  const vectors: (Float32Array | null)[] = [];
  let row = 0;
  spec.inputs.forEach((s, field) => {
    const w = inputWidth(s);
    const rows = l0.kernel.subarray(row * g0, (row + w) * g0);
    if (s.kind === 'token') {
      tokens.push({ field, vocab: s.vocab, table: s.embedding ? product(s.embedding, s.vocab, w, rows, g0) : rows.slice() });
      vectors.push(null);
    } else {
      vectors.push(k.alloc(s.size));
      vectorMatrices.push({ field, matrix: k.pack(rows, s.size, g0) });
    }
    row += w;
  });
  return { tokens, vectorMatrices, vectors };
}

const NOT_GRU = { kernel: null, below: null, hg: null, rh: null, hc: null, recurrentH: null, recurrentBias: null } as const;

/** What every layer has: its gates buffer, its h and c, the input part of its bias. */
function layerBase(l: RnnLayerSpec, i: number, k: Kernel, hs: Float32Array[], cs: (Float32Array | null)[] | null) {
  const g = gatesOf(l.cell) * l.units;
  return { spec: l, g, gates: k.alloc(g), h: hs[i], c: cs ? cs[i] : null, bias: l.bias ? l.bias.subarray(0, g) : null };
}

function lstmLayer(l: RnnLayerSpec, i: number, k: Kernel, hs: Float32Array[], cs: (Float32Array | null)[], state: Float32Array): LayerRuntime {
  const base = layerBase(l, i, k, hs, cs);
  const g = base.g;
  if (i === 0) return { ...base, ...NOT_GRU, recurrent: k.pack(l.recurrentKernel, l.units, g), recurrentIn: hs[0] };
  // h below and own h are adjacent in the state: one product over both
  const stacked = new Float32Array((l.inputSize + l.units) * g);
  stacked.set(l.kernel, 0);
  stacked.set(l.recurrentKernel, l.inputSize * g);
  const start = hs[i - 1].byteOffset / 4 - state.byteOffset / 4;
  return { ...base, ...NOT_GRU, recurrent: k.pack(stacked, l.inputSize + l.units, g), recurrentIn: state.subarray(start, start + l.inputSize + l.units) };
}

function gruLayer(l: RnnLayerSpec, i: number, k: Kernel, hs: Float32Array[]): LayerRuntime {
  const base = layerBase(l, i, k, hs, null);
  const g = base.g;
  const u = l.units;
  const kernel = i > 0 ? k.pack(l.kernel, l.inputSize, g) : null;
  const below = i > 0 ? hs[i - 1] : null;
  if (l.resetAfter) {
    return { ...base, recurrent: k.pack(l.recurrentKernel, u, g), recurrentIn: hs[i], kernel, below, hg: k.alloc(g), rh: k.alloc(u), hc: k.alloc(u), recurrentH: null, recurrentBias: l.bias ? l.bias.subarray(g, 2 * g) : null };
  }
  // reset before the product: the z|r columns and the candidate's columns as two matrices
  const zr = new Float32Array(u * 2 * u);
  const hh = new Float32Array(u * u);
  for (let r = 0; r < u; r++) {
    zr.set(l.recurrentKernel.subarray(r * g, r * g + 2 * u), r * 2 * u);
    hh.set(l.recurrentKernel.subarray(r * g + 2 * u, r * g + 3 * u), r * u);
  }
  return { ...base, recurrent: k.pack(zr, u, 2 * u), recurrentIn: hs[i], kernel, below, hg: k.alloc(g), rh: k.alloc(u), hc: k.alloc(u), recurrentH: k.pack(hh, u, u), recurrentBias: null };
}

/** A head's dense layers, each reading the one before, the first reading the top layer's h (and, conditioned, a token's row). */
function headRuntime(spec: ModelSpec, h: HeadSpec, top: Float32Array, k: Kernel): HeadRuntime {
  const condition = h.condition === undefined ? -1 : spec.heads.findIndex((x) => x.name === h.condition);
  const d0 = h.layers[0];
  // conditioned: the kernel's first `top.length` rows multiply h; the rest are one row per token
  const table = condition >= 0 ? d0.kernel.slice(top.length * d0.units) : null;
  let input = top;
  const layers = h.layers.map((d, j): DenseRuntime => {
    const out = k.alloc(d.units);
    const last = j === h.layers.length - 1;
    const rows = j === 0 && table ? top.length : d.inputSize;
    const r: DenseRuntime = {
      spec: d,
      matrix: k.pack(rows === d.inputSize ? d.kernel : d.kernel.subarray(0, rows * d.units), rows, d.units),
      input,
      out,
      // a head's last softmax (or a Bernoulli head's sigmoid) is the sampler's job; logits stay logits
      activation: last && (d.activation === 'softmax' || d.activation === 'linear' || (h.bernoulli === true && d.activation === 'sigmoid')) ? null : (d.activation as ActivationName),
    };
    input = out;
    return r;
  });
  return { layers, condition, table, pre: table ? k.alloc(d0.units) : null };
}

/** rows of `emb` [vocab, dim] times `w` [dim, g] → [vocab, g] */
function product(emb: Float32Array, vocab: number, dim: number, w: Float32Array, g: number): Float32Array {
  const out = new Float32Array(vocab * g);
  for (let v = 0; v < vocab; v++) {
    for (let d = 0; d < dim; d++) {
      const e = emb[v * dim + d];
      if (e === 0) continue;
      const o = v * g;
      const r = d * g;
      for (let j = 0; j < g; j++) out[o + j] += Math.fround(e * w[r + j]);
    }
  }
  return out;
}
