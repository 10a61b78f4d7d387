/**
 * The WebAssembly SIMD kernel: `gemv.wat`, assembled into `gemv-wasm.ts` by
 * `node scripts/build-wasm.mjs`. Bit-identical to the plain-JS kernel in kernel.ts.
 *
 * Memory layout (bytes): [0, 128) scratch for a matrix's last, partial panel of y;
 * [128, 128 + 4·floats) the kernel's memory (`Kernel.memory`, handed out by `Arena`).
 * The memory is sized once and never grown, so every view into it stays valid.

 */
import { Arena, PANEL, type Kernel } from './arena.js';
import { GEMV_WASM_BASE64 } from './gemv-wasm.js';

/** `gemv(xPtr, rows, wPtr, yPtr, panels)`, byte addresses; see gemv.wat. */
type Gemv = (x: number, rows: number, w: number, y: number, panels: number) => void;

/** Byte address of the kernel's memory; below it, one panel of scratch for y. */
const BASE = 128;
const PAGE = 65536;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decode standard base64 (trailing '=' optional). Needs no Buffer or atob, which Max's JS lacks. */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) === 61 /* '=' */) n--;
  const out = new Uint8Array((n * 3) >> 2);
  let bits = 0;
  let nbits = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const v = B64.indexOf(s.charAt(i));
    if (v < 0) throw new Error(`base64: unexpected character at ${i}`);
    bits = ((bits << 6) | v) & 0xffffff;
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out[j++] = (bits >> nbits) & 0xff;
    }
  }
  return out;
}

// Compiled once per realm, shared by every instance; null once compiling has failed.
const compiled = new Map<string, WebAssembly.Module | null>();

/** The module in `base64`, compiled once; null when this host cannot compile it (no SIMD). */
export function wasmModule(base64: string): WebAssembly.Module | null {
  let m = compiled.get(base64);
  if (m === undefined) {
    try {
      // synchronous compile: our modules are a few KB, far under browsers' main-thread limit
      m = new WebAssembly.Module(decodeBase64(base64));
    } catch {
      m = null; // no SIMD (or a host that refuses synchronous compiles)
    }
    compiled.set(base64, m);
  }
  return m;
}

const gemvModule = () => wasmModule(GEMV_WASM_BASE64);

/**
 * A WebAssembly SIMD kernel with room for `floats` floats, or null when this host has no
 * WebAssembly or cannot compile SIMD.
 */
export function createWasmKernel(floats: number): Kernel | null {
  if (typeof WebAssembly === 'undefined') return null;
  const module = gemvModule();
  if (!module) return null;

  const pages = Math.max(1, Math.ceil((BASE + 4 * floats) / PAGE));
  const wasmMemory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  let gemv: Gemv;
  try {
    gemv = new WebAssembly.Instance(module, { env: { memory: wasmMemory } }).exports.gemv as Gemv;
  } catch {
    return null;
  }
  const buffer = wasmMemory.buffer;
  const memory = new Float32Array(buffer, BASE, floats);
  const scratch = new Float32Array(buffer, 0, PANEL);
  const arena = new Arena(memory);
  const panelBytes = 4 * PANEL;

  return {
    name: 'wasm-simd',
    memory,
    alloc: (n) => arena.alloc(n),
    pack: (w, r, c) => arena.pack(w, r, c),
    matvec(m, x, y) {
      const rows = m.rows;
      const cols = m.cols;
      // the kernel reads x[0..rows) and writes y[0..cols) by address: refuse views that
      // would make it read or write anything else
      if (x.buffer !== buffer || y.buffer !== buffer || x.length < rows || y.length < cols) {
        throw new Error(`matvec: x (${x.length} floats) and y (${y.length}) must be views from this kernel's alloc, for a ${rows}×${cols} matrix`);
      }
      const xp = x.byteOffset;
      const wp = BASE + 4 * m.offset;
      const full = Math.floor(cols / PANEL);
      if (full > 0) gemv(xp, rows, wp, y.byteOffset, full);
      const c0 = full * PANEL;
      const width = cols - c0;
      if (width > 0) {
        // last panel: run it on a copy, so y's neighbours (past cols) are never touched
        for (let k = 0; k < width; k++) scratch[k] = y[c0 + k];
        gemv(xp, rows, wp + full * rows * panelBytes, 0, 1);
        for (let k = 0; k < width; k++) y[c0 + k] = scratch[k];
      }
    },
  };
}
