/**
 * The engine's one hot loop: `y += x · W` for a dense matrix `W`.
 *
 * Every weight matrix and every vector a model touches lives in one Float32Array (the
 * kernel's memory), reserved once when the model is built; a step only reads and writes it.
 * Matrices are stored in *panels* of {@link PANEL} output columns: for each panel, row 0's
 * 32 weights, then row 1's, and so on. A panel's 32 running sums then fit in SIMD registers
 * while the weights stream past in address order.
 *
 * Two implementations give bit-identical results, because each output column is summed in
 * the same order with the same float32 roundings (`acc = f32(acc + f32(x[i] * w[i][j]))`,
 * no fused multiply-add):
 * - `wasm-simd`: a WebAssembly SIMD kernel (`gemv.wat`), for Node, browsers, AudioWorklets
 *   and Max's [v8];
 * - `js`: plain loops, for hosts without WebAssembly SIMD (Max's legacy [js]).
 *
 * @example
 * const k = createKernel(kernelFloats([[3, 2]], 3 + 2));
 * const W = k.pack(new Float32Array([1, 2, 3, 4, 5, 6]), 3, 2); // rows × cols, row-major
 * const x = k.alloc(3); x.set([1, 0, 1]);
 * const y = k.alloc(2);               // zeros
 * k.matvec(W, x, y);                  // y = [6, 8]
 */
import { createWasmKernel } from './kernel-wasm.js';

/** Output columns per panel (8 SIMD lanes of 4). */
export const PANEL = 32;

/** A matrix stored in panel layout inside a kernel's memory. */
export interface PackedMatrix {
  readonly rows: number;
  readonly cols: number;
  /** cols rounded up to a multiple of PANEL; padding columns hold zeros. */
  readonly paddedCols: number;
  /** Index (in floats) of the first weight in the kernel's memory. */
  readonly offset: number;
}

export type KernelName = 'wasm-simd' | 'js';

export interface Kernel {
  readonly name: KernelName;
  /** The whole memory; views from `alloc` and packed weights live in it. */
  readonly memory: Float32Array;
  /** Reserve `n` floats (rounded up to whole panels, so kernels may write padding) as a zeroed view. */
  alloc(n: number): Float32Array;
  /** Copy a row-major `rows × cols` matrix into panel layout. */
  pack(w: ArrayLike<number>, rows: number, cols: number): PackedMatrix;
  /** `y[0..cols) += x[0..rows) · W`. `x` and `y` must be views returned by `alloc`. */
  matvec(m: PackedMatrix, x: Float32Array, y: Float32Array): void;
}

export type KernelPreference = 'auto' | KernelName;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Floats a kernel needs for matrices of the given [rows, cols] and `vectorFloats` of vectors. */
export function kernelFloats(matrices: ReadonlyArray<readonly [number, number]>, vectorFloats: number, vectorCount = 1): number {
  let n = 0;
  for (const [r, c] of matrices) n += r * roundUp(c, PANEL);
  // each alloc rounds up to a whole panel
  return n + roundUp(vectorFloats, PANEL) + vectorCount * PANEL;
}

/** Memory bookkeeping shared by both implementations. */
export class Arena {
  private top = 0;
  constructor(readonly memory: Float32Array) {}

  alloc(n: number): Float32Array {
    const size = roundUp(Math.max(n, 1), PANEL);
    if (this.top + size > this.memory.length) {
      throw new Error(`kernel memory exhausted: need ${this.top + size} floats, have ${this.memory.length}`);
    }
    const view = this.memory.subarray(this.top, this.top + n);
    this.memory.fill(0, this.top, this.top + size);
    this.top += size;
    return view;
  }

  pack(w: ArrayLike<number>, rows: number, cols: number): PackedMatrix {
    if (w.length !== rows * cols) throw new Error(`pack: expected ${rows}×${cols} = ${rows * cols} values, got ${w.length}`);
    const paddedCols = roundUp(cols, PANEL);
    const block = this.alloc(rows * paddedCols);
    const offset = block.byteOffset / 4 - this.memory.byteOffset / 4;
    for (let p = 0; p < paddedCols / PANEL; p++) {
      const panelBase = p * rows * PANEL;
      const c0 = p * PANEL;
      const width = Math.min(PANEL, cols - c0);
      for (let i = 0; i < rows; i++) {
        const dst = panelBase + i * PANEL;
        const src = i * cols + c0;
        for (let k = 0; k < width; k++) block[dst + k] = w[src + k];
      }
    }
    return { rows, cols, paddedCols, offset };
  }
}

/** Plain-JS kernel: the reference the SIMD kernel must match bit for bit. */
export function createJsKernel(floats: number): Kernel {
  const memory = new Float32Array(floats);
  const arena = new Arena(memory);
  const acc = new Float32Array(PANEL);
  const fround = Math.fround;
  return {
    name: 'js',
    memory,
    alloc: (n) => arena.alloc(n),
    pack: (w, r, c) => arena.pack(w, r, c),
    matvec(m, x, y) {
      const { rows, cols } = m;
      for (let p = 0, c0 = 0; c0 < cols; p++, c0 += PANEL) {
        const width = Math.min(PANEL, cols - c0);
        for (let k = 0; k < width; k++) acc[k] = y[c0 + k];
        let w = m.offset + p * rows * PANEL;
        for (let i = 0; i < rows; i++, w += PANEL) {
          const xi = x[i];
          // a Float32Array store rounds the double sum once: identical to an f32 add
          for (let k = 0; k < width; k++) acc[k] += fround(xi * memory[w + k]);
        }
        for (let k = 0; k < width; k++) y[c0 + k] = acc[k];
      }
    },
  };
}

/** Whether this host can run the SIMD kernel. */
export function wasmSimdAvailable(): boolean {
  try {
    return createWasmKernel(PANEL) !== null;
  } catch {
    return false;
  }
}

/**
 * A kernel with room for `floats` floats. 'auto' takes WebAssembly SIMD where the host has it
 * and plain JS otherwise; naming one insists on it.
 */
export function createKernel(floats: number, prefer: KernelPreference = 'auto'): Kernel {
  if (prefer !== 'js') {
    const k = createWasmKernel(floats);
    if (k) return k;
    if (prefer === 'wasm-simd') throw new Error('WebAssembly SIMD is not available in this host');
  }
  return createJsKernel(floats);
}
