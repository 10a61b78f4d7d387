/**
 * Matrix-matrix products on a WebAssembly SIMD kernel (`gemm.wat`, assembled into
 * `gemm-wasm.ts` by `node scripts/build-wasm.mjs`): the trainer's hot path. It ran at 1.5 to 2
 * times tfjs-wasm's matMul on the shapes of a 256-unit LSTM here (17 to 30 GFLOP/s against 12
 * to 16); `npm run bench` (train.json) shows what that does for training.
 *
 * A `Gemm` owns one WebAssembly memory. `frame(sizes)` hands out views into it (growing it
 * when needed, which invalidates the previous frame's views); products read and write those
 * views in place, so a recurrence keeps its whole state inside the kernel's memory.
 *
 * @example
 * const g = Gemm.create()!;
 * const [a, bp, c] = g.frame([m * k, Gemm.packedSize(k, n), m * n]);
 * a.set(A); Gemm.pack(B, k, n, false, bp); c.fill(0);
 * g.mul(a, k, bp, k, n, c, n, m); // c += A·B
 */
import { wasmModule } from '../engine/kernel-wasm.js';
import { GEMM_WASM_BASE64 } from './gemm-wasm.js';

type GemmFn = (a: number, lda: number, ks: number, pb: number, c: number, ldc: number, m: number, k: number, panels: number) => void;
type GemmBlockedFn = (a: number, lda: number, ks: number, pb: number, c: number, ldc: number, m: number, k: number, panels: number, p0: number, p1: number) => void;
type LstmForwardFn = (z: number, cprev: number, c: number, h: number, rows: number, units: number) => void;
type LstmBackwardFn = (a: number, c: number, cprev: number, dh: number, dhn: number, dc: number, dz: number, rows: number, units: number) => void;
/** The module's exports, byte addresses throughout (see gemm.wat). */
export interface GemmExports {
  gemm: GemmFn;
  gemm_blocked: GemmBlockedFn;
  lstm_forward_seq: (act: number, cs: number, hs: number, wp: number, zero: number, B: number, r0: number, r1: number, L: number, u: number) => void;
  lstm_backward_seq: (act: number, cs: number, dH: number, dz: number, dhn: number, dc: number, wtp: number, zero: number, B: number, r0: number, r1: number, L: number, u: number) => void;
  lstm_forward: LstmForwardFn;
  lstm_backward: LstmBackwardFn;
  gru_forward_seq: (act: number, hs: number, rhs: number, wzr: number, wh: number, zero: number, B: number, r0: number, r1: number, L: number, u: number) => void;
  gru_backward_seq: (act: number, hs: number, dH: number, dz: number, dhn: number, drh: number, whT: number, wzrT: number, zero: number, B: number, r0: number, r1: number, L: number, u: number) => void;
}

const PAGE = 65536;
/** Columns per packed panel of B (gemm.wat's microkernel width). */
const NR = 8;
/** Rows of B per packed block (gemm.wat's gemm_blocked): a block of one panel (8 KB) stays in L1. */
const KC = 256;

const gemmModule = () => wasmModule(GEMM_WASM_BASE64);

export class Gemm {
  private views: Float32Array[] = [];

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly fns: GemmExports,
    private readonly module: WebAssembly.Module,
  ) {}

  /** What another thread needs to work on this kernel's memory: the compiled module and the memory. */
  share(): { module: WebAssembly.Module; memory: WebAssembly.Memory } {
    return { module: this.module, memory: this.memory };
  }

  /** The raw exports (byte addresses), for code that splits work between threads. */
  get raw(): GemmExports {
    return this.fns;
  }

  /**
   * A kernel with its own memory, or null when this host cannot compile WebAssembly SIMD or
   * make a shared memory (a browser page that is not cross-origin isolated).
   */
  static create(): Gemm | null {
    if (typeof WebAssembly === 'undefined' || typeof SharedArrayBuffer === 'undefined') return null;
    const module = gemmModule();
    if (!module) return null;
    try {
      // shared, so a worker thread can compute half of each product (gemm-team.ts)
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      return new Gemm(memory, new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports, module);
    } catch {
      return null;
    }
  }

  /** Floats a packed [k, n] matrix takes (n rounded up to whole panels). */
  static packedSize(k: number, n: number): number {
    return Math.floor(n / NR) * NR * k;
  }

  /**
   * Consecutive views of the given sizes (in floats) into the kernel's memory. The contents
   * of the previous frame's memory are kept, but its views are dead once this one grows it.
   */
  frame(sizes: readonly number[]): Float32Array[] {
    // 16-byte aligned starts keep vector loads off cache-line splits
    const starts: number[] = [];
    let end = 0;
    for (const s of sizes) {
      if (!Number.isInteger(s) || s < 0) throw new Error(`gemm: bad buffer size ${s}`);
      starts.push(end);
      end += Math.ceil(s / 4) * 4;
    }
    const need = Math.ceil((end * 4) / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
    this.views = sizes.map((s, i) => new Float32Array(this.memory.buffer, starts[i] * 4, s));
    return this.views;
  }

  /**
   * Pack B ([k, n] row-major with row stride `ld`, or its transpose when `trans`: B[q][j] =
   * src[j·ld + q]) into panels for `mul`; only whole panels are packed (the remaining
   * `n % 8` columns are read from `src` by `mul`'s tail).
   */
  static pack(src: Float32Array, k: number, n: number, trans: boolean, dst: Float32Array, ld = trans ? k : n): void {
    const panels = Math.floor(n / NR);
    if (dst.length < panels * NR * k) throw new Error(`gemm: packed buffer holds ${dst.length} floats, needs ${panels * NR * k}`);
    // blocks of KC rows of B, each all its panels: Bp[block][p][q][0..8)
    let o = 0;
    for (let q0 = 0; q0 < k; q0 += KC) {
      const q1 = Math.min(k, q0 + KC);
      for (let p = 0; p < panels; p++) {
        const c0 = p * NR;
        if (trans) {
          for (let q = q0; q < q1; q++) for (let j = 0; j < NR; j++) dst[o++] = src[(c0 + j) * ld + q];
        } else {
          for (let q = q0; q < q1; q++) {
            const r = q * ld + c0;
            for (let j = 0; j < NR; j++) dst[o++] = src[r + j];
          }
        }
      }
    }
  }

  /**
   * c[i][j] += sum over q of A[i][q] · B[q][j] for i < m, j < n, where A[i][q] is a[i·lda + q],
   * or a[q·lda + i] when `transA` (A stored transposed, read in place); `bp` is B packed by
   * `pack`, and `tail` the unpacked B for the last `n % 8` columns (needed only when n is not
   * a multiple of 8). `a`, `bp` and `c` must be views from this kernel's current frame;
   * strides are in floats.
   */
  mul(a: Float32Array, lda: number, bp: Float32Array, k: number, n: number, c: Float32Array, ldc: number, m: number, tail?: { b: Float32Array; ld: number; trans: boolean }, transA = false): void {
    if (m === 0 || n === 0) return;
    this.check(a, transA ? (k - 1) * lda + m : (m - 1) * lda + k, 'a');
    this.check(c, (m - 1) * ldc + n, 'c');
    const panels = Math.floor(n / NR);
    const rs = transA ? 1 : lda;
    const ks = transA ? lda : 1;
    if (panels) {
      this.check(bp, panels * NR * k, 'packed b');
      this.fns.gemm_blocked(a.byteOffset, rs * 4, ks * 4, bp.byteOffset, c.byteOffset, ldc * 4, m, k, panels, 0, panels);
    }
    const rest = n - panels * NR;
    if (rest) {
      if (!tail) throw new Error(`gemm: ${n} columns is not a multiple of ${NR}; pass the unpacked b for the last ${rest}`);
      const { b, ld, trans } = tail;
      for (let i = 0; i < m; i++) {
        for (let j = panels * NR; j < n; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s += a[i * rs + q * ks] * (trans ? b[j * ld + q] : b[q * ld + j]);
          c[i * ldc + j] += s;
        }
      }
    }
  }

  /**
   * One LSTM step's element-wise part (see gemm.wat): `z` [rows, 4·units] pre-activations
   * become gate activations; `c`, `h` [rows, units] are written from `cprev`.
   */
  lstmForward(z: Float32Array, cprev: Float32Array, c: Float32Array, h: Float32Array, rows: number, units: number): void {
    const n = rows * units;
    this.check(z, 4 * n, 'z');
    for (const [v, what] of [[cprev, 'cprev'], [c, 'c'], [h, 'h']] as const) this.check(v, n, what);
    if (units % 4 === 0) this.fns.lstm_forward(z.byteOffset, cprev.byteOffset, c.byteOffset, h.byteOffset, rows, units);
    else lstmForwardJs(z, cprev, c, h, rows, units);
  }

  /** The backward of `lstmForward` (see gemm.wat): writes `dz`, replaces `dc` by the carried cell gradient. */
  lstmBackward(a: Float32Array, c: Float32Array, cprev: Float32Array, dh: Float32Array, dhn: Float32Array, dc: Float32Array, dz: Float32Array, rows: number, units: number): void {
    const n = rows * units;
    this.check(a, 4 * n, 'a');
    this.check(dz, 4 * n, 'dz');
    for (const [v, what] of [[c, 'c'], [cprev, 'cprev'], [dh, 'dh'], [dhn, 'dhn'], [dc, 'dc']] as const) this.check(v, n, what);
    if (units % 4 === 0) this.fns.lstm_backward(a.byteOffset, c.byteOffset, cprev.byteOffset, dh.byteOffset, dhn.byteOffset, dc.byteOffset, dz.byteOffset, rows, units);
    else lstmBackwardJs(a, c, cprev, dh, dhn, dc, dz, rows, units);
  }

  private check(v: Float32Array, floats: number, what: string): void {
    if (v.buffer !== this.memory.buffer || !this.views.some((w) => v.byteOffset >= w.byteOffset && v.byteOffset + 4 * floats <= w.byteOffset + w.byteLength))
      throw new Error(`gemm: ${what} must be a view inside one buffer of this kernel's current frame (${floats} floats)`);
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** lstm_forward of gemm.wat in plain JS (any number of units). Tested against the engine's LSTM step: test/gemm.test.ts. */
export function lstmForwardJs(z: Float32Array, cprev: Float32Array, c: Float32Array, h: Float32Array, rows: number, u: number): void {
  for (let b = 0; b < rows; b++) {
    const r = b * 4 * u;
    for (let j = 0; j < u; j++) {
      const i = sigmoid(z[r + j]);
      const f = sigmoid(z[r + u + j]);
      const g = Math.tanh(z[r + 2 * u + j]);
      const o = sigmoid(z[r + 3 * u + j]);
      z[r + j] = i;
      z[r + u + j] = f;
      z[r + 2 * u + j] = g;
      z[r + 3 * u + j] = o;
      const k = b * u + j;
      const cv = f * cprev[k] + i * g;
      c[k] = cv;
      h[k] = o * Math.tanh(cv);
    }
  }
}

/** lstm_backward of gemm.wat in plain JS (any number of units). Tested against tfjs's gradient of that step: test/gemm.test.ts. */
export function lstmBackwardJs(a: Float32Array, c: Float32Array, cprev: Float32Array, dh: Float32Array, dhn: Float32Array, dc: Float32Array, dz: Float32Array, rows: number, u: number): void {
  for (let b = 0; b < rows; b++) {
    const r = b * 4 * u;
    for (let j = 0; j < u; j++) {
      const k = b * u + j;
      const i = a[r + j];
      const f = a[r + u + j];
      const g = a[r + 2 * u + j];
      const o = a[r + 3 * u + j];
      const tc = Math.tanh(c[k]);
      const d = dh[k] + dhn[k];
      const dcv = dc[k] + d * o * (1 - tc * tc);
      dz[r + j] = dcv * g * i * (1 - i);
      dz[r + u + j] = dcv * cprev[k] * f * (1 - f);
      dz[r + 2 * u + j] = dcv * i * (1 - g * g);
      dz[r + 3 * u + j] = d * tc * o * (1 - o);
      dc[k] = dcv * f;
    }
  }
}
