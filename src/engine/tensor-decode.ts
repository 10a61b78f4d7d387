/**
 * Bytes to float32 values for the dtypes a tfjs weights manifest may declare:
 * float32, float16, and tfjs's affine uint8/uint16 quantization (value = q · scale + min).
 * Little-endian, as tfjs writes them.
 */
export interface Quantization {
  readonly dtype: 'float16' | 'uint8' | 'uint16';
  readonly scale?: number;
  readonly min?: number;
}

/** Bytes one element takes in the file. */
export function bytesPerElement(dtype: string, quantization?: Quantization): number {
  if (quantization) {
    for (const k of ['scale', 'min'] as const) {
      const v = quantization[k];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) throw new Error(`quantization ${k} ${JSON.stringify(v) ?? String(v)} is not a finite number`);
    }
    if (quantization.dtype === 'uint8') return 1;
    if (quantization.dtype === 'uint16' || quantization.dtype === 'float16') return 2;
    throw new Error(`unsupported quantization dtype '${String(quantization.dtype)}'`);
  }
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'float16') return 2;
  throw new Error(`unsupported dtype '${dtype}'`);
}

/** Decode `count` elements starting at `bytes[offset]`. */
export function decodeTensor(bytes: Uint8Array, offset: number, count: number, dtype: string, quantization?: Quantization): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * bytesPerElement(dtype, quantization));
  const out = new Float32Array(count);
  const q = quantization?.dtype;
  if (q === 'uint8' || q === 'uint16') {
    const scale = quantization?.scale ?? 1;
    const min = quantization?.min ?? 0;
    for (let i = 0; i < count; i++) out[i] = (q === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true)) * scale + min;
  } else if (q === 'float16' || dtype === 'float16') {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  } else if (dtype === 'int32') {
    for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
  } else {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/** IEEE 754 binary16 bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A number to IEEE 754 binary16 bits (round to nearest even), for writing float16 shards. */
export function floatToHalf(v: number): number {
  const f32 = new Float32Array([v]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}
