/**
 * A set of pattern slots as a file (`set.mid.slots.json`): versioned JSON that names the model
 * it was stored with and holds each slot exactly. Numbers that are floats in the state (the
 * network's state, the random stream, the last events) are the bytes of their typed arrays in
 * base64, so a slot read back is bit for bit the one stored; Maps are lists of pairs.
 *
 * Reading checks the set against the model playing: the same weights (a hash of them), the
 * same state and event sizes, heads and voices; a problem names the file and the field.
 *
 * @example
 * const set = slotSet(gen.net.spec, gen.codec, slots);        // { format: 'pulse-rnn-slots', version: 1, … }
 * writeFileSync('set.mid.slots.json', JSON.stringify(set));
 * const back = readSlotSet(JSON.parse(text), 'set.mid.slots.json', gen.net.spec, gen.codec);
 */
import type { ModelSpec } from '../engine/model.js';
import { decodeBase64 } from '../engine/kernel-wasm.js';
import type { Codec } from './codec.js';
import type { Values } from './generator-state.js';
import { SLOT_COUNT } from './controls.js';
import type { SlotState } from './slots.js';

/** What identifies the model a set was stored with. */
export interface SlotModel {
  source: string;
  /** FNV-1a of every weight's bits, as 8 hex digits. */
  hash: string;
  stateSize: number;
  eventSize: number;
  heads: number;
  voices: number;
}

export interface SlotSetFile {
  format: 'pulse-rnn-slots';
  version: 1;
  model: SlotModel;
  /** By slot number ("1" … "8"): each slot as encoded plain data. */
  slots: Record<string, unknown>;
}

const TYPED = { Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array } as const;
type TypedName = keyof typeof TYPED;

const hashes = new WeakMap<ModelSpec, string>();

/** The model's identity as a set file names it. */
export function slotModel(spec: ModelSpec, codec: Codec, stateSize: number): SlotModel {
  return { source: spec.source, hash: modelHash(spec), stateSize, eventSize: codec.startEvent().length, heads: spec.heads.length, voices: codec.voices.length };
}

/** A set file holding `slots` (by number). */
export function slotSet(model: SlotModel, slots: ReadonlyMap<number, SlotState>): SlotSetFile {
  const out: Record<string, unknown> = {};
  for (const [i, s] of slots) out[String(i)] = encode(s);
  return { format: 'pulse-rnn-slots', version: 1, model, slots: out };
}

/**
 * The slots of a set file read as JSON, checked against `model`; throws naming `file` and
 * the field that does not fit.
 */
export function readSlotSet(json: unknown, file: string, model: SlotModel, values: Values): Map<number, SlotState> {
  const bad = (field: string, why: string) => new Error(`${file}: ${field} ${why}`);
  const f = json as SlotSetFile;
  if (!f || typeof f !== 'object' || f.format !== 'pulse-rnn-slots') throw bad('format', 'is not "pulse-rnn-slots": not a pulse-rnn slot set');
  if (f.version !== 1) throw bad('version', `${JSON.stringify(f.version)} is not supported (this reads version 1)`);
  const m = f.model as SlotModel | undefined;
  if (!m || typeof m !== 'object') throw bad('model', 'is missing');
  for (const k of ['hash', 'stateSize', 'eventSize', 'heads', 'voices'] as const) {
    if (m[k] !== model[k]) throw bad(`model.${k}`, `is ${JSON.stringify(m[k])}, the model playing has ${JSON.stringify(model[k])}: these slots were stored with ${JSON.stringify(m.source)}, not ${JSON.stringify(model.source)}`);
  }
  if (!f.slots || typeof f.slots !== 'object') throw bad('slots', 'must be an object of slots by number');
  const out = new Map<number, SlotState>();
  for (const [key, value] of Object.entries(f.slots)) {
    const n = Number(key);
    if (!(Number.isInteger(n) && n >= 1 && n <= SLOT_COUNT)) throw bad(`slots.${key}`, `is not a slot number from 1 to ${SLOT_COUNT}`);
    let s: SlotState;
    try {
      s = decode(value, `slots.${key}`) as SlotState;
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    checkSlotShape(s, model, `slots.${key}`, bad);
    checkValues(s.values as unknown as Record<string, unknown>, values as unknown as Record<string, unknown>, `slots.${key}.values`, bad);
    out.set(n, s);
  }
  return out;
}

function checkSlotShape(s: SlotState, model: SlotModel, at: string, bad: (field: string, why: string) => Error): void {
  const size = (field: string, v: unknown, type: new (n: number) => ArrayBufferView, n: number) => {
    if (!(v instanceof type) || (v as unknown as { length: number }).length !== n) throw bad(`${at}.${field}`, `must be a ${type.name} of ${n} values for this model`);
  };
  if (!s || typeof s !== 'object' || !Number.isSafeInteger(s.step)) throw bad(`${at}.step`, 'must be a step number');
  size('network', s.network, Float32Array, model.stateSize);
  size('rng', s.rng, Uint32Array, 4);
  size('last.event', s.last?.event, Int32Array, model.eventSize);
  if (!Array.isArray(s.values?.temps) || s.values.temps.length !== model.heads) throw bad(`${at}.values.temps`, `must hold one temperature per head (${model.heads})`);
  if (!Array.isArray(s.values.scales) || s.values.scales.length !== model.voices) throw bad(`${at}.values.scales`, `must hold one velocity scale per voice (${model.voices})`);
  if (!(s.edits instanceof Map)) throw bad(`${at}.edits`, 'must be a list of [step, notes] pairs');
  if (!Array.isArray(s.locks)) throw bad(`${at}.locks`, 'must be a list');
}

/** Every setting the model playing has, of the same kind and length (a set from an older version may lack one). */
function checkValues(got: Record<string, unknown>, want: Record<string, unknown>, at: string, bad: (field: string, why: string) => Error): void {
  for (const [k, w] of Object.entries(want)) {
    const g = got[k];
    if (Array.isArray(w) ? !Array.isArray(g) || g.length !== w.length || g.some((x) => typeof x !== typeof w[0]) : typeof g !== typeof w) {
      throw bad(`${at}.${k}`, `is ${JSON.stringify(g)}; the model playing has ${Array.isArray(w) ? `a list of ${w.length} ${typeof w[0]}s` : `a ${typeof w}`}`);
    }
  }
}

/** Plain data as JSON: typed arrays as `{ $typed, base64 }`, Maps as `{ $map: [[k, v], …] }`. */
export function encode(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name as TypedName;
    if (!(name in TYPED)) throw new Error(`slots: a ${name} cannot be saved`);
    return { $typed: name, base64: encodeBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  if (Array.isArray(v)) return v.map(encode);
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [encode(k), encode(x)]) };
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = encode(x);
  return out;
}

/** The reverse of `encode`; a malformed field throws naming where it was. */
export function decode(v: unknown, at: string): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x, i) => decode(x, `${at}[${i}]`));
  const o = v as Record<string, unknown>;
  if ('$typed' in o) {
    const type = TYPED[o.$typed as TypedName];
    if (!type || typeof o.base64 !== 'string') throw new Error(`${at} must be { $typed: Float32Array|Float64Array|Int32Array|Uint32Array|Uint8Array, base64 }`);
    const bytes = decodeBase64(o.base64);
    if (bytes.length % type.BYTES_PER_ELEMENT !== 0) throw new Error(`${at}: ${bytes.length} bytes do not make whole ${o.$typed} values`);
    return new type(bytes.buffer, 0, bytes.length / type.BYTES_PER_ELEMENT);
  }
  if ('$map' in o) {
    if (!Array.isArray(o.$map)) throw new Error(`${at}.$map must be a list of pairs`);
    return new Map(o.$map.map((p, i) => {
      if (!Array.isArray(p) || p.length !== 2) throw new Error(`${at}.$map[${i}] must be a [key, value] pair`);
      return [decode(p[0], `${at}.$map[${i}][0]`), decode(p[1], `${at}.$map[${i}][1]`)];
    }));
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decode(x, `${at}.${k}`);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding; no Buffer or btoa, which Max's JS lacks. */
export function encodeBase64(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
  }
  return out;
}

/** FNV-1a over the bits of every weight, in the order the spec lists them. */
export function modelHash(spec: ModelSpec): string {
  const known = hashes.get(spec);
  if (known) return known;
  let h = 0x811c9dc5;
  const add = (a: Float32Array | null | undefined) => {
    if (!a) return;
    const u = a.byteOffset % 4 === 0 ? new Uint32Array(a.buffer, a.byteOffset, a.length) : new Uint32Array(a.slice().buffer);
    for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 0x01000193);
  };
  for (const i of spec.inputs) if (i.kind === 'token') add(i.embedding);
  for (const l of spec.layers) [l.kernel, l.recurrentKernel, l.bias].forEach(add);
  for (const hd of spec.heads) for (const l of hd.layers) [l.kernel, l.bias].forEach(add);
  const hex = (h >>> 0).toString(16).padStart(8, '0');
  hashes.set(spec, hex);
  return hex;
}
