/**
 * The kernel's memory layout, shared by the plain-JS and WebAssembly kernels: one Float32Array
 * reserved once, handed out in whole panels, matrices stored panel by panel (see kernel.ts).
 */
const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

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

