import type { Kernel } from './kernel.js';
/** Placeholder until the SIMD kernel lands: no wasm kernel available. */
export function createWasmKernel(_floats: number): Kernel | null {
  return null;
}
