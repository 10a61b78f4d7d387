/**
 * tfjs ops with their own gradients that run on the engine's matrix-matrix kernel (gemm.ts)
 * instead of tfjs-wasm's matMul: a matrix product, and a whole LSTM recurrence over a
 * sequence (forward and backward through time in one call, so a 64-step window costs two
 * tfjs ops instead of about two thousand). tfjs keeps the model, the optimizer and export.
 *
 * @example
 * const ops = GemmOps.create()!;
 * const H = ops.lstm(X, Wrec, B, L); // X: [L·B, 4u] t-major, input products plus bias
 * const logits = ops.matMul(H, Wout);
 */
import * as tf from '@tensorflow/tfjs';
import { Gemm } from '../engine/gemm.js';

type Grad = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
type Custom = (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: Grad };

const custom = (f: Custom) => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...args: tf.Tensor[]) => tf.Tensor;

/** c = a·b (a [m, k], b [k, n] row-major) on `g`; `c` zeroed first. */
function product(g: Gemm, a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array {
  const [av, bp, cv] = g.frame([m * k, Gemm.packedSize(k, n), m * n]);
  if (transA) {
    // a is stored [k, m]: write its transpose
    for (let q = 0; q < k; q++) for (let i = 0; i < m; i++) av[i * k + q] = a[q * m + i];
  } else av.set(a);
  Gemm.pack(b, k, n, transB, bp);
  cv.fill(0);
  g.mul(av, k, bp, k, n, cv, n, m, { b, ld: transB ? k : n, trans: transB });
  return cv.slice();
}

export class GemmOps {
  private readonly shared: Gemm;
  /** One kernel (one memory) per LSTM layer: a layer's activations stay there until its backward pass. */
  private readonly layers: Gemm[] = [];

  private constructor(shared: Gemm) {
    this.shared = shared;
  }

  /** null when this host cannot compile WebAssembly SIMD (callers keep the plain tfjs path). */
  static create(): GemmOps | null {
    const g = Gemm.create();
    return g ? new GemmOps(g) : null;
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
        // dA = dy·bᵀ [m, k]; dB = aᵀ·dy [k, n]
        const dA = product(this.shared, d, b2, m, n, k, false, true);
        const dB = product(this.shared, a2, d, k, m, n, true, false);
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
    while (this.layers.length <= layer) {
      const g = Gemm.create();
      if (!g) throw new Error('gemm: WebAssembly SIMD is unavailable');
      this.layers.push(g);
    }
    return this.recurrence(this.layers[layer], B, L)(x, w) as tf.Tensor2D;
  }

  private recurrence(g: Gemm, B: number, L: number): (x: tf.Tensor, w: tf.Tensor) => tf.Tensor {
    return custom((x, w) => {
      const X = x as tf.Tensor2D;
      const W = w as tf.Tensor2D;
      const u = W.shape[0];
      const G = 4 * u;
      if (W.shape[1] !== G || X.shape[0] !== L * B || X.shape[1] !== G) throw new Error(`lstm: shapes x ${X.shape} and w ${W.shape} do not fit ${L} steps × ${B} rows`);
      const wData = W.dataSync() as Float32Array;
      // memory: gate activations (i, f, g, o per step), cell states, outputs; packed W and Wᵀ;
      // the backward pass's buffers after them, so its frame keeps these
      const sizes = [L * B * G, L * B * u, L * B * u, Gemm.packedSize(u, G), Gemm.packedSize(G, u), L * B * G, B * u, B * u, u * (L - 1) * B, Gemm.packedSize((L - 1) * B, G), u * G, B * u, L * B * u];
      const [act, cs, hs, wp, , , , , , , , zero] = g.frame(sizes);
      zero.fill(0);
      act.set(X.dataSync());
      Gemm.pack(wData, u, G, false, wp);
      const tail = { b: wData, ld: G, trans: false };
      const block = (v: Float32Array, t: number, w: number) => v.subarray(t * B * w, (t + 1) * B * w);
      for (let t = 0; t < L; t++) {
        const z = block(act, t, G);
        if (t > 0) g.mul(block(hs, t - 1, u), u, wp, u, G, z, G, B, tail);
        g.lstmForward(z, t > 0 ? block(cs, t - 1, u) : zero, block(cs, t, u), block(hs, t, u), B, u);
      }
      const value = tf.tensor2d(hs.slice(), [L * B, u]);
      return {
        value,
        gradFunc: (dy) => {
          const [act2, cs2, hs2, , wtp, dz, dhn, dc, hT, dzp, dw, zero2, dH] = g.frame(sizes);
          dH.set(dy.dataSync());
          Gemm.pack(wData, G, u, true, wtp);
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
          // dW = sum over t ≥ 1 of h[t-1]ᵀ · dz[t]: one product over all steps
          const n = (L - 1) * B;
          dw.fill(0);
          if (n > 0) {
            for (let r = 0; r < n; r++) for (let j = 0; j < u; j++) hT[j * n + r] = hs2[r * u + j];
            const dzTail = dz.subarray(B * G);
            Gemm.pack(dzTail, n, G, false, dzp);
            g.mul(hT, n, dzp, n, G, dw, G, u, { b: dzTail, ld: G, trans: false });
          }
          return [tf.tensor2d(dz.slice(), [L * B, G]), tf.tensor2d(dw.slice(), [u, G])];
        },
      };
    });
  }
}
