import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createJsKernel, createKernel, kernelFloats, PANEL, type Kernel } from '../src/engine/kernel.js';
import { createWasmKernel, decodeBase64 } from '../src/engine/kernel-wasm.js';
import { GEMV_WASM_BASE64 } from '../src/engine/gemv-wasm.js';
import { Rng } from '../src/engine/prng.js';

interface BuildScript {
  WAT_PATH: string;
  OUT_PATH: string;
  assemble(wat: string): Promise<Uint8Array>;
  toBase64(bytes: Uint8Array): string;
  render(bytes: Uint8Array): string;
}

function wasmKernel(floats: number): Kernel {
  const k = createWasmKernel(floats);
  if (!k) throw new Error('this Node has no WebAssembly SIMD');
  return k;
}

/** Values of every scale: ordinary, tiny (subnormal products), huge, exact zeros of both signs. */
function randomValues(rng: Rng, n: number, mode: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next() * 2 - 1;
    const pick = rng.next();
    if (mode === 0) a[i] = u;
    else if (pick < 0.05) a[i] = pick < 0.025 ? 0 : -0;
    else if (pick < 0.2) a[i] = u * 1e-20 * 10 ** (rng.next() * 6 - 3); // products underflow
    else if (pick < 0.3) a[i] = u * 1e18 * 10 ** (rng.next() * 2); // products overflow sometimes
    else a[i] = u * 10 ** (rng.next() * 8 - 4);
  }
  return a;
}

interface Case {
  rows: number;
  cols: number;
  W: Float32Array;
  x: Float32Array;
  y0: Float32Array;
}

/** Run y0 + x·W on kernel `k`, with `pre` floats allocated first (shifts every address). */
function run(k: Kernel, c: Case, pre = 0): Float32Array {
  if (pre) k.alloc(pre).fill(7);
  const m = k.pack(c.W, c.rows, c.cols);
  const x = k.alloc(c.rows);
  x.set(c.x);
  const y = k.alloc(c.cols);
  y.set(c.y0);
  k.matvec(m, x, y);
  return y.slice();
}

const floatsFor = (c: Case, extra = 0) => kernelFloats([[c.rows, c.cols]], c.rows + c.cols + extra, 3);

/** Bit-for-bit equality, except that any NaN equals any NaN (hosts differ in NaN payloads). */
function expectIdentical(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < got.length; i++) {
    if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      throw new Error(`${what}: y[${i}] = ${got[i]} (0x${g[i].toString(16)}), js gives ${want[i]} (0x${w[i].toString(16)})`);
    }
  }
}

describe('wasm-simd kernel', () => {
  it('is available in Node and chosen by createKernel', () => {
    expect(createWasmKernel(PANEL)?.name).toBe('wasm-simd');
    expect(createKernel(PANEL).name).toBe('wasm-simd');
    expect(createKernel(PANEL, 'js').name).toBe('js');
  });

  it('matches the JS kernel bit for bit at random sizes and scales', () => {
    const rng = new Rng(1234);
    const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
    const shapes: [number, number][] = [
      [1, 1], [1, 32], [1, 33], [300, 1], [300, 300], [7, 31], [64, 64], [5, 96], [129, 65],
    ];
    for (let t = 0; t < 60; t++) shapes.push([int(1, 300), int(1, 300)]);
    let n = 0;
    for (const [rows, cols] of shapes) {
      for (const mode of [0, 1]) {
        const c: Case = {
          rows,
          cols,
          W: randomValues(rng, rows * cols, mode),
          x: randomValues(rng, rows, mode),
          y0: randomValues(rng, cols, mode),
        };
        const pre = int(0, 3) * 17; // views at different offsets in each kernel
        const want = run(createJsKernel(floatsFor(c, 64)), c, int(0, 3) * 13);
        const got = run(wasmKernel(floatsFor(c, 64)), c, pre);
        expectIdentical(got, want, `${rows}×${cols} mode ${mode}`);
        n++;
      }
    }
    expect(n).toBe(2 * shapes.length);
  });

  it('accumulates into y and writes nothing else', () => {
    const rng = new Rng(99);
    for (const [rows, cols] of [[3, 5], [40, 32], [40, 33], [17, 70], [1, 1], [9, 95]] as const) {
      const W = randomValues(rng, rows * cols, 0);
      const xs = randomValues(rng, rows, 0);
      xs[0] = Infinity; // inf · (zero padding) = NaN: would show in any padding column written back
      const floats = kernelFloats([[rows, cols]], 3 * 64 + rows + cols + 205, 6);
      for (const k of [wasmKernel(floats), createJsKernel(floats)]) {
        const before = k.alloc(64);
        const m = k.pack(W, rows, cols);
        const x = k.alloc(rows + 5).subarray(5); // x need not start on a panel
        x.set(xs);
        // y as a whole allocation, and as a view in the middle of a bigger one
        const yAlone = k.alloc(cols);
        const big = k.alloc(cols + 40);
        const after = k.alloc(64);
        for (const y of [yAlone, big.subarray(13, 13 + cols)]) {
          const words = new Uint32Array(k.memory.buffer, k.memory.byteOffset, k.memory.length);
          const fill = (a: Float32Array) => a.forEach((_, i) => (a[i] = i % 3 === 0 ? -0 : i % 3 === 1 ? NaN : 1.5 + i));
          fill(before);
          fill(after);
          fill(big);
          yAlone.fill(-0);
          for (let j = 0; j < cols; j++) y[j] = j + 0.25;
          const snapshot = words.slice();
          k.matvec(m, x, y);
          const yStart = (y.byteOffset - k.memory.byteOffset) / 4;
          for (let i = 0; i < words.length; i++) {
            if (i >= yStart && i < yStart + cols) continue;
            if (words[i] !== snapshot[i]) throw new Error(`${k.name} ${rows}×${cols}: float ${i} outside y changed`);
          }
          // y += x·W, from the values y held
          for (let j = 0; j < cols; j++) {
            let acc = j + 0.25;
            for (let i = 0; i < rows; i++) acc = Math.fround(acc + Math.fround(xs[i] * W[i * cols + j]));
            expect(Object.is(y[j], acc), `${k.name} y[${j}]`).toBe(true);
          }
        }
      }
    }
  });

  it('adds nothing when the matrix has no rows', () => {
    const k = wasmKernel(kernelFloats([[0, 40]], 40 + 1, 3));
    const m = k.pack([], 0, 40);
    const x = k.alloc(0);
    const y = k.alloc(40);
    y.fill(-0);
    k.matvec(m, x, y);
    expect(Array.from(y).every((v) => Object.is(v, -0))).toBe(true);
  });

  it('refuses vectors from another memory or too short for the matrix', () => {
    const k = wasmKernel(kernelFloats([[4, 4]], 8, 3));
    const other = wasmKernel(64);
    const m = k.pack(new Float32Array(16), 4, 4);
    const x = k.alloc(4);
    const y = k.alloc(4);
    expect(() => k.matvec(m, other.alloc(4), y)).toThrow(/views from this kernel/);
    expect(() => k.matvec(m, x, new Float32Array(4))).toThrow(/views from this kernel/);
    expect(() => k.matvec(m, x.subarray(0, 3), y)).toThrow(/views from this kernel/);
    expect(() => k.matvec(m, x, y.subarray(1))).toThrow(/views from this kernel/);
  });

  it('is close to a float64 reference', () => {
    const rng = new Rng(7);
    for (const [rows, cols] of [[300, 300], [256, 1024], [1, 45], [77, 129]] as const) {
      const c: Case = {
        rows,
        cols,
        W: randomValues(rng, rows * cols, 0),
        x: randomValues(rng, rows, 0),
        y0: randomValues(rng, cols, 0),
      };
      const y = run(wasmKernel(floatsFor(c)), c);
      for (let j = 0; j < cols; j++) {
        let sum = c.y0[j];
        let mag = Math.abs(c.y0[j]);
        for (let i = 0; i < rows; i++) {
          const p = c.x[i] * c.W[i * cols + j];
          sum += p;
          mag += Math.abs(p);
        }
        // relative to the terms' magnitude, since a sum may cancel to near zero
        expect(Math.abs(y[j] - sum), `${rows}×${cols} y[${j}]`).toBeLessThanOrEqual(1e-5 * mag);
      }
    }
  });
});

describe('gemv-wasm.ts', () => {
  it('is what scripts/build-wasm.mjs makes from gemv.wat now', async () => {
    // a computed specifier: the script is plain .mjs, without type declarations
    const script = (await import(new URL('../scripts/build-wasm.mjs', import.meta.url).href)) as BuildScript;
    const bytes = await script.assemble(readFileSync(script.WAT_PATH, 'utf8'));
    expect(GEMV_WASM_BASE64, 'stale: run node scripts/build-wasm.mjs').toBe(script.toBase64(bytes));
    expect(readFileSync(script.OUT_PATH, 'utf8')).toBe(script.render(bytes));
    expect(Array.from(decodeBase64(GEMV_WASM_BASE64))).toEqual(Array.from(bytes));
    expect(bytes.length).toBeLessThan(4096); // browsers compile < 4 KB synchronously on the main thread
  });

  it('decodes base64 without host helpers', () => {
    const rng = new Rng(3);
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(n).map(() => rng.nextUint32() & 0xff);
      const b64 = Buffer.from(bytes).toString('base64');
      expect(Array.from(decodeBase64(b64))).toEqual(Array.from(bytes));
      expect(Array.from(decodeBase64(b64.replace(/=+$/, '')))).toEqual(Array.from(bytes));
    }
    expect(() => decodeBase64('AB$D')).toThrow(/base64/);
  });
});
