/**
 * tfjs ops with their own gradients that run on the trainer's matrix-matrix kernel (gemm.ts)
 * instead of tfjs-wasm's matMul: a matrix product, and a whole LSTM recurrence over a
 * sequence (forward and backward through time in one call, so a 64-step window costs two
 * tfjs ops instead of about two thousand). With a second core, a worker thread takes half
 * of every product and half of the batch rows of every recurrence (gemm-team.ts). tfjs keeps
 * the model, the optimizer and export.
 *
 * @example
 * const ops = GemmOps.create()!;
 * const H = ops.lstm(X, Wrec, B, L, 0); // X: [L·B, 4u] t-major, input products plus bias; layer 0
 * const logits = ops.matMul(H, Wout);
 */
import * as tf from '@tensorflow/tfjs';
import { Gemm } from './gemm.js';
import { GemmTeam, type Job } from './gemm-team.js';

type Grad = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
type Custom = (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: Grad };

const custom = (f: Custom) => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...args: tf.Tensor[]) => tf.Tensor;

/** A kernel and, with a second core, the worker that shares its memory. */
interface Lane {
  gemm: Gemm;
  team: GemmTeam | null;
}

function lane(threads: number): Lane {
  const gemm = Gemm.create();
  if (!gemm) throw new Error('gemm: WebAssembly SIMD with shared memory is unavailable');
  return { gemm, team: threads > 1 ? GemmTeam.create(gemm, threads) : null };
}

/**
 * Run `job` (an export of gemm.wat that takes a range [from, to) after `head`) over [0, n):
 * one half here and one on the worker when there is one, else all here.
 */
function byHalves(l: Lane, job: Job, head: readonly number[], n: number, rest: readonly number[] = []): void {
  const half = n >> 1;
  if (l.team && half > 0) l.team.run(job, [...head, 0, half, ...rest], [...head, half, n, ...rest]);
  else (l.gemm.raw[job] as (...a: number[]) => void)(...head, 0, n, ...rest);
}

/** c += A·bp on `l` (A = a, or aᵀ read in place when `transA`), whole panels split between the two threads. */
function mulSplit(l: Lane, a: Float32Array, lda: number, bp: Float32Array, k: number, n: number, c: Float32Array, ldc: number, m: number, tail: { b: Float32Array; ld: number; trans: boolean }, transA = false): void {
  // a product with a column tail takes the single-thread path that handles it
  if (!l.team || n % 8 !== 0) return l.gemm.mul(a, lda, bp, k, n, c, ldc, m, tail, transA);
  const panels = n / 8;
  byHalves(l, 'gemm_blocked', [a.byteOffset, (transA ? 1 : lda) * 4, (transA ? lda : 1) * 4, bp.byteOffset, c.byteOffset, ldc * 4, m, k, panels], panels);
}

/**
 * c = A·B [m, n] on `l`: A is a [m, k], or stored transposed ([k, m]) when `transA`; B is b
 * [k, n], or stored transposed ([n, k]) when `transB`. Transposed operands are read in place
 * (A) or while packing (B), never copied.
 */
function product(l: Lane, a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array {
  const [av, bp, cv] = l.gemm.frame([m * k, Gemm.packedSize(k, n), m * n]);
  av.set(a);
  Gemm.pack(b, k, n, transB, bp);
  cv.fill(0);
  mulSplit(l, av, transA ? m : k, bp, k, n, cv, n, m, { b, ld: transB ? k : n, trans: transB }, transA);
  return cv.slice();
}

/** Views of `g`'s memory, one per entry of `layout` (floats), in that order. */
function named<K extends string>(g: Gemm, layout: Record<K, number>): Record<K, Float32Array> {
  const keys = Object.keys(layout) as K[];
  const views = g.frame(keys.map((k) => layout[k]));
  return Object.fromEntries(keys.map((k, i) => [k, views[i]])) as Record<K, Float32Array>;
}

/** The transpose of x [rows, cols]. */
function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

/**
 * A recurrent window's input products into `act` [L·B, G]: `inputs` is [x] (copied), or
 * the input tables and the bias, their rows picked by `tokens` (gathered). Returns the
 * tables' data, which the backward pass scatters into.
 */
function loadInputs(act: Float32Array, inputs: readonly tf.Tensor[], tokens: readonly FieldValues[] | null, B: number, L: number, G: number, what: string): Float32Array[] {
  if (!tokens) {
    if (inputs[0].shape[0] !== L * B || inputs[0].shape[1] !== G) throw new Error(`${what}: input shape ${inputs[0].shape} does not fit ${L} steps × ${B} rows × ${G}`);
    act.set(inputs[0].dataSync());
    return [];
  }
  const tables = inputs.slice(0, -1).map((t) => t.dataSync() as Float32Array);
  gatherInputs(act, tables, tokens, inputs[inputs.length - 1].dataSync() as Float32Array, B, L, G, 0, L);
  return tables;
}

/** The gradients of `loadInputs`'s inputs from the pre-activation gradients dz [L·B, G]. */
function inputGrads(dz: Float32Array, tables: readonly Float32Array[], tokens: readonly FieldValues[] | null, B: number, L: number, G: number): tf.Tensor[] {
  if (!tokens) return [tf.tensor2d(dz.slice(), [L * B, G])];
  const dIn = tables.map((t) => new Float32Array(t.length));
  const dB = new Float32Array(G);
  scatterInputs(dz, dIn, tokens, dB, B, L, G, 0, L);
  return [...dIn.map((d) => tf.tensor2d(d, [d.length / G, G])), tf.tensor1d(dB)];
}

/**
 * A recurrent kernel's gradient [u, m], the sum over rows of prevᵀ·d: `d` holds m columns of
 * rows `ld` apart and is read transposed in place; `prev` [n, u], the smaller operand, is packed
 * into `packed`; `dT` [m, u] takes the product before its transpose.
 */
function kernelGrad(l: Lane, d: Float32Array, ld: number, m: number, prev: Float32Array, n: number, u: number, packed: Float32Array, dT: Float32Array): tf.Tensor2D {
  dT.fill(0);
  if (n > 0) {
    Gemm.pack(prev, n, u, false, packed);
    mulSplit(l, d, ld, packed, n, u, dT, u, m, { b: prev, ld: u, trans: false }, true);
  }
  return tf.tensor2d(transpose(dT, m, u), [u, m]);
}

/**
 * A field's values per step, b-major (b·L + t): a token field's ids (Int32Array), or a vector
 * field's floats, `size` of them a step (Float32Array, [B][L][size]).
 */
export type FieldValues = Int32Array | Float32Array;

/**
 * Rows of the first layer's input product for steps [t0, t1): x[(t - t0)·B + b] = bias +
 * the sum over input fields of the kernel row of that field's token (tokens are b-major,
 * b·L + t), or, for a vector field, its floats times its kernel rows. A one-hot product is
 * done as the gather it is.
 */
export function gatherInputs(x: Float32Array, tables: readonly Float32Array[], tokens: readonly FieldValues[], bias: Float32Array, B: number, L: number, g: number, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    for (let b = 0; b < B; b++) {
      const o = ((t - t0) * B + b) * g;
      x.set(bias, o);
      for (let f = 0; f < tables.length; f++) {
        const table = tables[f];
        const src = tokens[f];
        if (src instanceof Float32Array) {
          const n = table.length / g;
          for (let k = 0; k < n; k++) {
            const v = src[(b * L + t) * n + k];
            if (v === 0) continue;
            for (let j = 0; j < g; j++) x[o + j] += v * table[k * g + j];
          }
          continue;
        }
        const r = src[b * L + t] * g;
        for (let j = 0; j < g; j++) x[o + j] += table[r + j];
      }
    }
  }
}

/** The gradient of `gatherInputs`: rows of `d` added into each field's kernel gradient (scaled by a vector field's floats) and the bias's. */
export function scatterInputs(d: Float32Array, dIn: readonly Float32Array[], tokens: readonly FieldValues[], dB: Float32Array, B: number, L: number, g: number, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    for (let b = 0; b < B; b++) {
      const o = ((t - t0) * B + b) * g;
      for (let j = 0; j < g; j++) dB[j] += d[o + j];
      for (let f = 0; f < dIn.length; f++) {
        const dt = dIn[f];
        const src = tokens[f];
        if (src instanceof Float32Array) {
          const n = dt.length / g;
          for (let k = 0; k < n; k++) {
            const v = src[(b * L + t) * n + k];
            if (v === 0) continue;
            for (let j = 0; j < g; j++) dt[k * g + j] += v * d[o + j];
          }
          continue;
        }
        const r = src[b * L + t] * g;
        for (let j = 0; j < g; j++) dt[r + j] += d[o + j];
      }
    }
  }
}

export class GemmOps {
  private readonly shared: Lane;
  /** One kernel (one memory) per LSTM layer: a layer's activations stay there until its backward pass. */
  private readonly layers: Lane[] = [];

  private constructor(private readonly threads: number) {
    this.shared = lane(threads);
  }

  /**
   * null when this host cannot compile WebAssembly SIMD (callers keep the plain tfjs path).
   * `threads`: 1, or 2 to use a worker thread when the machine has a second core (default).
   */
  static create(threads = 2): GemmOps | null {
    try {
      return new GemmOps(threads);
    } catch {
      return null;
    }
  }

  /** Stop the worker threads (they never keep the process alive; this frees them early). */
  dispose(): void {
    for (const l of [this.shared, ...this.layers]) l.team?.close();
  }

  /** a [m, k] · b [k, n], with the gradient on the same kernel. */
  readonly matMul = custom((a, b, save) => {
    const A = a as tf.Tensor2D;
    const Bm = b as tf.Tensor2D;
    (save as tf.GradSaveFunc)([A, Bm]);
    const [m, k] = A.shape;
    const n = Bm.shape[1];
    const value = tf.tensor2d(product(this.shared, A.dataSync() as Float32Array, Bm.dataSync() as Float32Array, m, k, n, false, false), [m, n]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const a2 = saved[0].dataSync() as Float32Array;
        const b2 = saved[1].dataSync() as Float32Array;
        const d = dy.dataSync() as Float32Array;
        // dA = dy·bᵀ [m, k]; dB = aᵀ·dy [k, n], computed as (dyᵀ·a)ᵀ so the operand packed is
        // a [m, k] rather than the larger dy [m, n] (m is the batch's rows, in the thousands)
        const dA = product(this.shared, d, b2, m, n, k, false, true);
        const dB = k < n ? transpose(product(this.shared, d, a2, n, m, k, true, false), n, k) : product(this.shared, a2, d, k, m, n, true, false);
        return [tf.tensor2d(dA, [m, k]), tf.tensor2d(dB, [k, n])];
      },
    };
  });

  /**
   * An LSTM layer over a whole window: `x` [L·B, 4u] holds each step's input product plus
   * bias, t-major (row t·B + b); `w` [u, 4u] the recurrent kernel (Keras gate order i, f, c, o,
   * sigmoid gates). Starts from zero state; returns every step's h as [L·B, u].
   */
  lstm(x: tf.Tensor2D, w: tf.Tensor2D, B: number, L: number, layer: number): tf.Tensor2D {
    return this.lstmRecurrence(this.lane(layer), B, L, null)(x, w) as tf.Tensor2D;
  }

  /**
   * The first LSTM layer over one-hot inputs: its input product is the sum of one row of
   * each table (an input field's kernel [vocab, 4u]) picked by that field's token (`tokens`,
   * b-major: b·L + t), plus `bias`; gathered straight into the kernel's memory, and the
   * gradient scattered back into the tables from there (no [L·B, 4u] tensor either way).
   */
  lstmTokens(tables: tf.Tensor2D[], bias: tf.Tensor1D, w: tf.Tensor2D, tokens: readonly FieldValues[], B: number, L: number): tf.Tensor2D {
    return this.lstmRecurrence(this.lane(0), B, L, tokens)(...tables, bias, w) as tf.Tensor2D;
  }

  /**
   * A GRU layer over a whole window (tfjs's GRU: gates z, r, h; the reset gate applied to h
   * before the candidate's recurrent product): `x` [L·B, 3u] each step's input product plus
   * bias, t-major; `wzr` [u, 2u] the recurrent kernel of z and r, `wh` [u, u] the candidate's.
   * Starts from zero state; returns every step's h as [L·B, u]. Units must be a multiple of 8.
   */
  gru(x: tf.Tensor2D, wzr: tf.Tensor2D, wh: tf.Tensor2D, B: number, L: number, layer: number): tf.Tensor2D {
    return this.gruRecurrence(this.lane(layer), B, L, null)(x, wzr, wh) as tf.Tensor2D;
  }

  /** The first GRU layer over one-hot inputs, gathered and scattered as `lstmTokens` does. */
  gruTokens(tables: tf.Tensor2D[], bias: tf.Tensor1D, wzr: tf.Tensor2D, wh: tf.Tensor2D, tokens: readonly FieldValues[], B: number, L: number): tf.Tensor2D {
    return this.gruRecurrence(this.lane(0), B, L, tokens)(...tables, bias, wzr, wh) as tf.Tensor2D;
  }

  private gruRecurrence(l: Lane, B: number, L: number, tokens: readonly FieldValues[] | null): (...inputs: tf.Tensor[]) => tf.Tensor {
    const g = l.gemm;
    return custom((...args) => {
      // the tensors are: x, wzr, wh; or the tables, bias, wzr, wh
      const ins = args.filter((a): a is tf.Tensor => a instanceof tf.Tensor);
      const [Wzr, Wh] = ins.slice(-2) as tf.Tensor2D[];
      const u = Wh.shape[0];
      const G = 3 * u;
      if (u % 8 !== 0) throw new Error(`gru: ${u} units; the fused GRU needs a multiple of 8`);
      if (Wzr.shape[0] !== u || Wzr.shape[1] !== 2 * u || Wh.shape[1] !== u) throw new Error(`gru: recurrent kernels ${Wzr.shape} and ${Wh.shape} are not [u, 2u] and [u, u]`);
      const wzr = Wzr.dataSync() as Float32Array;
      const wh = Wh.dataSync() as Float32Array;
      const n = (L - 1) * B;
      // forward buffers first, so the backward frame keeps them: activations (z, r, hh),
      // outputs, each step's r·hprev, packed kernels, zeros for step -1
      const layout = {
        act: L * B * G, hs: L * B * u, rhs: L * B * u, wzrp: Gemm.packedSize(u, 2 * u), whp: Gemm.packedSize(u, u), zero: B * u,
        whT: Gemm.packedSize(u, u), wzrT: Gemm.packedSize(2 * u, u), dz: L * B * G, dhn: B * u, drh: B * u, dH: L * B * u,
        hp: Gemm.packedSize(n, u), rp: Gemm.packedSize(n, u), dzrT: 2 * u * u, dhT: u * u,
      };
      const { act, hs, rhs, wzrp, whp, zero } = named(g, layout);
      zero.fill(0);
      const tables = loadInputs(act, ins.slice(0, -2), tokens, B, L, G, 'gru');
      Gemm.pack(wzr, u, 2 * u, false, wzrp);
      Gemm.pack(wh, u, u, false, whp);
      byHalves(l, 'gru_forward_seq', [act.byteOffset, hs.byteOffset, rhs.byteOffset, wzrp.byteOffset, whp.byteOffset, zero.byteOffset, B], B, [L, u]);
      const value = tf.tensor2d(hs.slice(), [L * B, u]);
      return {
        value,
        gradFunc: (dy) => {
          const v = named(g, layout);
          v.dH.set(dy.dataSync());
          Gemm.pack(wh, u, u, true, v.whT);
          Gemm.pack(wzr, 2 * u, u, true, v.wzrT);
          byHalves(l, 'gru_backward_seq', [v.act.byteOffset, v.hs.byteOffset, v.dH.byteOffset, v.dz.byteOffset, v.dhn.byteOffset, v.drh.byteOffset, v.whT.byteOffset, v.wzrT.byteOffset, v.zero.byteOffset, B], B, [L, u]);
          // over steps t ≥ 1 (step 0 starts from zeros): dWzr from dz[z, r] and h[t-1], dWh
          // from dz[h] and r·h[t-1]
          const dzNext = v.dz.subarray(B * G);
          const dWzr = kernelGrad(l, dzNext, G, 2 * u, v.hs.subarray(0, n * u), n, u, v.hp, v.dzrT);
          const dWh = kernelGrad(l, dzNext.subarray(2 * u), G, u, v.rhs.subarray(B * u), n, u, v.rp, v.dhT);
          return [...inputGrads(v.dz, tables, tokens, B, L, G), dWzr, dWh];
        },
      };
    });
  }

  private lane(layer: number): Lane {
    while (this.layers.length <= layer) this.layers.push(lane(this.threads));
    return this.layers[layer];
  }

  private lstmRecurrence(l: Lane, B: number, L: number, tokens: readonly FieldValues[] | null): (...inputs: tf.Tensor[]) => tf.Tensor {
    const g = l.gemm;
    return custom((...args) => {
      // tfjs appends its save function; the tensors are: x, w; or the tables, bias, w
      const ins = args.filter((a): a is tf.Tensor => a instanceof tf.Tensor);
      const W = ins[ins.length - 1] as tf.Tensor2D;
      const u = W.shape[0];
      const G = 4 * u;
      if (W.shape[1] !== G) throw new Error(`lstm: recurrent kernel shape ${W.shape} is not [u, 4u]`);
      const wData = W.dataSync() as Float32Array;
      // the forward pass's buffers first, so the backward pass's frame keeps them: gate
      // activations (i, f, g, o per step), cell states, outputs, packed W, zeros for step -1
      const layout = { act: L * B * G, cs: L * B * u, hs: L * B * u, wp: Gemm.packedSize(u, G), zero: B * u, wtp: Gemm.packedSize(G, u), dz: L * B * G, dhn: B * u, dc: B * u, hp: Gemm.packedSize((L - 1) * B, u), dwT: G * u, dH: L * B * u };
      const { act, cs, hs, wp, zero } = named(g, layout);
      zero.fill(0);
      const tables = loadInputs(act, ins.slice(0, -1), tokens, B, L, G, 'lstm');
      Gemm.pack(wData, u, G, false, wp);
      const block = (v: Float32Array, t: number, w: number) => v.subarray(t * B * w, (t + 1) * B * w);
      // whole windows in wasm when units fill whole panels (rows split between threads), else step by step
      const inWasm = u % 8 === 0;
      if (inWasm) byHalves(l, 'lstm_forward_seq', [act.byteOffset, cs.byteOffset, hs.byteOffset, wp.byteOffset, zero.byteOffset, B], B, [L, u]);
      else {
        const tail = { b: wData, ld: G, trans: false };
        for (let t = 0; t < L; t++) {
          const z = block(act, t, G);
          if (t > 0) g.mul(block(hs, t - 1, u), u, wp, u, G, z, G, B, tail);
          g.lstmForward(z, t > 0 ? block(cs, t - 1, u) : zero, block(cs, t, u), block(hs, t, u), B, u);
        }
      }
      const value = tf.tensor2d(hs.slice(), [L * B, u]);
      return {
        value,
        gradFunc: (dy) => {
          const { act: act2, cs: cs2, hs: hs2, zero: zero2, wtp, dz, dhn, dc, hp, dwT, dH } = named(g, layout);
          dH.set(dy.dataSync());
          Gemm.pack(wData, G, u, true, wtp);
          if (inWasm) byHalves(l, 'lstm_backward_seq', [act2.byteOffset, cs2.byteOffset, dH.byteOffset, dz.byteOffset, dhn.byteOffset, dc.byteOffset, wtp.byteOffset, zero2.byteOffset, B], B, [L, u]);
          else {
            const tailT = { b: wData, ld: G, trans: true };
            dhn.fill(0);
            dc.fill(0);
            for (let t = L - 1; t >= 0; t--) {
              const d = block(dz, t, G);
              g.lstmBackward(block(act2, t, G), block(cs2, t, u), t > 0 ? block(cs2, t - 1, u) : zero2, block(dH, t, u), dhn, dc, d, B, u);
              if (t > 0) {
                dhn.fill(0);
                g.mul(d, G, wtp, G, u, dhn, u, B, tailT);
              }
            }
          }
          // dW = sum over t ≥ 1 of h[t-1]ᵀ · dz[t]: one product over all steps
          const n = (L - 1) * B;
          const dW = kernelGrad(l, dz.subarray(B * G), G, G, hs2.subarray(0, n * u), n, u, hp, dwT);
          return [...inputGrads(dz, tables, tokens, B, L, G), dW];
        },
      };
    });
  }
}
