/**
 * The RNN-Drummer weight pair (`Wx.bin` + `Wy.bin`): a one-layer LSTM over (drum note,
 * tick delta) events, stored as raw little-endian float32 matrices with the biases folded in
 * as a last row, gates in the order [f, i, o, g], and two softmaxes over one output row.
 * `drummerSpec` turns it into an ordinary `ModelSpec` (Keras gate order, two token inputs,
 * two heads), so it runs through the same `Network` as every other model.
 *
 *   x = [one-hot(note) 17 | one-hot(tick) 209 | h 200 | 1] (427)      z = x · Wx (800)
 *   f, i, o, g = σ(z[0:200]), σ(z[200:400]), σ(z[400:600]), tanh(z[600:800])
 *   c = f·c + i·g;  h = o·tanh(c);  logits = [h | 1] · Wy;  p_note = softmax(logits[0:17]), p_tick = softmax(logits[17:226])
 *
 * @example
 * const spec = drummerSpec(readFileSync('Wx.bin'), readFileSync('Wy.bin'), 'weights/drummer');
 * const net = new Network(spec);  net.step([0, 0]);  // note 36, tick 0
 */
import { DRUMMER_NOTES, DRUMMER_TICKS, DRUMMER_TICKS_PER_QUARTER } from './drummer-tables.js';
import type { ModelSpec } from './model.js';
import { checkModel } from './model-checks.js';

export { DRUMMER_NOTES, DRUMMER_TICKS, DRUMMER_TICKS_PER_QUARTER } from './drummer-tables.js';

const V = DRUMMER_NOTES.length + DRUMMER_TICKS.length; // 226

/** Largest hidden size accepted (the app's is 200), so a huge file fails before it is read. */
export const DRUMMER_MAX_HIDDEN = 4096;

/** Largest Wy.bin accepted: [DRUMMER_MAX_HIDDEN + 1, 226] floats. */
export const DRUMMER_MAX_WY_BYTES = (DRUMMER_MAX_HIDDEN + 1) * V * 4;

/** The exact size Wx.bin must have beside a Wy.bin of `wyBytes` bytes (NaN when Wy.bin's size is impossible). */
export function drummerWxBytes(wyBytes: number): number {
  const H = wyBytes / (4 * V) - 1;
  return Number.isInteger(H) && H >= 1 && H <= DRUMMER_MAX_HIDDEN ? (V + H + 1) * 4 * H * 4 : NaN;
}

/**
 * Read the pair through `read` (a host's way to read a file of the model's folder with a cap,
 * `limit` naming the cap in words) and build its ModelSpec: Wy.bin first, capped at the largest
 * hidden size, then Wx.bin capped at the exact size Wy.bin implies.
 *
 * @example
 * const spec = await readDrummerPair((file, max, limit) => readCapped(`${dir}/${file}`, max, limit), dir);
 */
export async function readDrummerPair(read: (file: 'Wx.bin' | 'Wy.bin', maxBytes: number, limit: string) => Uint8Array | Promise<Uint8Array>, source: string): Promise<ModelSpec> {
  const wy = await read('Wy.bin', DRUMMER_MAX_WY_BYTES, 'the most a Wy.bin of hidden size 4096 holds');
  const wxSize = drummerWxBytes(wy.length);
  // an impossible Wy.bin is reported as such, before Wx.bin is read
  if (Number.isNaN(wxSize)) return drummerSpec(new Uint8Array(0), wy, source);
  return drummerSpec(await read('Wx.bin', wxSize, `the ${wxSize} bytes Wy.bin implies`), wy, source);
}

/** Build a ModelSpec from the bytes of Wx.bin and Wy.bin. `source` names the folder in messages. */
export function drummerSpec(wxBytes: Uint8Array, wyBytes: Uint8Array, source = 'drummer'): ModelSpec {
  const again = `; a Wy.bin holds the RNN-Drummer's [hidden + 1, ${V}] float32 matrix: copy it again from the Drummer's weights`;
  if (wyBytes.length % (4 * V) !== 0) throw new Error(`${source}/Wy.bin: ${wyBytes.length} bytes is not a whole number of ${V}-float rows${again}`);
  const H = wyBytes.length / (4 * V) - 1;
  if (H < 1) throw new Error(`${source}/Wy.bin: ${wyBytes.length} bytes is too small for a [hidden + 1, ${V}] matrix${again}`);
  if (H > DRUMMER_MAX_HIDDEN) throw new Error(`${source}/Wy.bin: ${wyBytes.length} bytes means hidden size ${H}, more than the ${DRUMMER_MAX_HIDDEN} accepted (the Drummer's own is 200)${again}`);
  const wxExpected = drummerWxBytes(wyBytes.length);
  if (wxBytes.length !== wxExpected) {
    throw new Error(`${source}/Wx.bin: ${wxBytes.length} bytes, but Wy.bin implies hidden size ${H}, so Wx.bin must be [${V + H + 1}, ${4 * H}] = ${wxExpected} bytes`);
  }
  const wx = floats(wxBytes, `${source}/Wx.bin`);
  const wy = floats(wyBytes, `${source}/Wy.bin`);
  const G = 4 * H;
  // Drummer gate blocks [f, i, o, g] → Keras [i, f, c, o]
  const from = [1, 0, 3, 2];
  const row = (r: number, out: Float32Array, outRow: number) => {
    for (let k = 0; k < 4; k++) out.set(wx.subarray(r * G + from[k] * H, r * G + from[k] * H + H), outRow * G + k * H);
  };
  const kernel = new Float32Array(V * G);
  const recurrentKernel = new Float32Array(H * G);
  const bias = new Float32Array(G);
  for (let r = 0; r < V; r++) row(r, kernel, r);
  for (let r = 0; r < H; r++) row(V + r, recurrentKernel, r);
  row(V + H, bias, 0);
  const head = (name: string, c0: number, n: number) => {
    const k = new Float32Array(H * n);
    for (let r = 0; r < H; r++) k.set(wy.subarray(r * V + c0, r * V + c0 + n), r * n);
    return { name, size: n, layers: [{ name, inputSize: H, units: n, kernel: k, bias: wy.slice(H * V + c0, H * V + c0 + n), activation: 'softmax' as const }] };
  };
  const spec: ModelSpec = {
    source,
    inputs: [
      { kind: 'token', name: 'note', vocab: DRUMMER_NOTES.length },
      { kind: 'token', name: 'tick', vocab: DRUMMER_TICKS.length },
    ],
    layers: [{ cell: 'lstm', name: 'lstm', units: H, inputSize: V, kernel, recurrentKernel, bias, activation: 'tanh', recurrentActivation: 'sigmoid' }],
    heads: [head('note', 0, DRUMMER_NOTES.length), head('tick', DRUMMER_NOTES.length, DRUMMER_TICKS.length)],
    meta: {
      encoding: 'drummer-events',
      notes: DRUMMER_NOTES,
      ticks: DRUMMER_TICKS,
      ticksPerQuarter: DRUMMER_TICKS_PER_QUARTER,
      // lstm.py's sampler seeds with kick (note 36) at tick 0
      start: [0, 0],
    },
  };
  checkModel(spec);
  return spec;
}

function floats(bytes: Uint8Array, file: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) {
    out[i] = view.getFloat32(i * 4, true);
    if (!Number.isFinite(out[i])) throw new Error(`${file}: float ${i} is ${out[i]}`);
  }
  return out;
}
