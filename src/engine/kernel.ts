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
import { Arena, PANEL, type Kernel, type KernelName, type PackedMatrix } from './arena.js';
import { createWasmKernel } from './kernel-wasm.js';

export { Arena, PANEL, type Kernel, type KernelName, type PackedMatrix };

export type KernelPreference = 'auto' | KernelName;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Floats a kernel needs for matrices of the given [rows, cols] and `vectorFloats` of vectors. */
export function kernelFloats(matrices: ReadonlyArray<readonly [number, number]>, vectorFloats: number, vectorCount = 1): number {
  let n = 0;
  for (const [r, c] of matrices) n += r * roundUp(c, PANEL);
  // each alloc rounds up to a whole panel
  return n + roundUp(vectorFloats, PANEL) + vectorCount * PANEL;
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
