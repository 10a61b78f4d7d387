/**
 * A training run's checkpoint: everything `train --resume` needs to continue exactly (the
 * settings, the place in the epoch, the random stream, the weights and Adam's state) in one
 * file, `checkpoint.bin`, checked whole before anything in it is used.
 *
 * Layout: "PRN2", the header's length (uint32 BE), the SHA-256 of everything after the digest,
 * the JSON header, then the float32 arrays the header counts. The digest tells a damaged file
 * (cut short by a full disk, a bad copy, a flipped byte) from a good one; the header is then
 * checked field by field, so a file from another program or version is refused by name too.
 * Files of the first layout ("PRNN", no digest) are still read.
 *
 * Checkpoints live outside the model folder, in a cache folder keyed by that folder's real
 * path (`checkpointDir`): a model folder is what a user copies, publishes or serves to the page,
 * and a checkpoint (Adam's state: three times the weights) has no business there.
 *
 * @example
 * const dir = checkpointDir('weights/my-drums'); // ~/.cache/pulse-rnn/checkpoints/my-drums-1a2b3c4d5e6f
 * const ck = readCheckpoint(join(dir, CHECKPOINT));
 * ck.epoch; ck.options.units;
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { SHARD_NAME } from './files.js';
import type { ParentRecord } from './parent-model.js';

export const CHECKPOINT = 'checkpoint.bin';

/** The settings of a run: a resumed run must be given the same ones, or none. */
export interface RunSettings {
  cell?: 'lstm' | 'gru';
  encoding?: string;
  augment?: boolean;
  /** Piano roll: frames per quarter. */
  stepsPerQuarter?: number;
  /** Piano roll: how the keys of a frame relate. */
  keyOrder?: string;
  units: number;
  layers: number;
  batch: number;
  window: number;
  dropout: number;
  clip: number;
  seed: number;
  patience: number;
  epochs: number;
  learningRate?: number;
  /** Absolute paths, so a run resumed from another working folder still matches. */
  data?: string;
  csv?: string | null;
}

export interface EpochRecord {
  epoch: number;
  /** null for a fine-tune's epoch 0: its parent scored as is, before any training. */
  trainLoss: number | null;
  /** NaN (null in JSON): the run had no validation (every training file too short to hold out an end). */
  validationNll: number;
  learningRate: number;
  seconds: number;
  tokensPerSecond: number;
  /** A model of several heads: each head's part of the training loss and of the validation NLL (nats per step), by name. */
  parts?: { train: Record<string, number>; validation: Record<string, number> };
}

export interface ModelState {
  weights: Record<string, Float32Array>;
  optimizer: { name: string; data: Float32Array; shape: number[]; dtype: string }[];
  lr: number;
}

export interface Checkpoint {
  options: RunSettings;
  epoch: number;
  batchInEpoch: number;
  rng: number[];
  best: number;
  badEpochs: number;
  history: EpochRecord[];
  lossSum: number;
  lossCount: number;
  elapsed: number;
  /** The weights shard this run last exported (the only one it may remove when it exports a better model). */
  shard?: string | null;
  /** A fine-tune: the model it started from (`train --from`), so `--resume` builds the same task. */
  from?: ParentRecord;
  model: ModelState;
}

const MAGIC_V1 = 0x50524e4e; // "PRNN"
const MAGIC = 0x50524e32; // "PRN2"
const DIGEST = 32;
const BODY = 8 + DIGEST;

/**
 * Where the checkpoints of a run writing into `out` are kept: under $PULSE_RNN_CHECKPOINTS, else
 * $XDG_CACHE_HOME/pulse-rnn/checkpoints, else ~/.cache/pulse-rnn/checkpoints; one folder per
 * model folder, named by its name and a digest of its real path.
 */
export function checkpointDir(out: string): string {
  const root = process.env.PULSE_RNN_CHECKPOINTS || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pulse-rnn', 'checkpoints');
  const abs = realPath(resolve(out));
  return join(root, `${basename(abs) || 'root'}-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`);
}

/** The real path of `p`, which need not exist yet: its deepest existing folder resolved, the rest as written. */
function realPath(p: string): string {
  if (existsSync(p)) return realpathSync(p);
  const parent = dirname(p);
  return parent === p ? p : join(realPath(parent), basename(p));
}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const arrays: Float32Array[] = [];
  const ref = (a: Float32Array) => (arrays.push(a), arrays.length - 1);
  const json = JSON.stringify({
    ...c,
    model: { lr: c.model.lr, weights: Object.fromEntries(Object.entries(c.model.weights).map(([k, v]) => [k, ref(v)])), optimizer: c.model.optimizer.map((o) => ({ name: o.name, shape: o.shape, dtype: o.dtype, data: ref(o.data) })) },
    arrays: arrays.map((a) => a.length),
  });
  const head = new TextEncoder().encode(json);
  const total = BODY + head.length + arrays.reduce((a, x) => a + x.length * 4, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC);
  view.setUint32(4, head.length);
  out.set(head, BODY);
  let o = BODY + head.length;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  out.set(createHash('sha256').update(out.subarray(BODY)).digest(), 8);
  return out;
}

/** Read and check a checkpoint file; every way it can be wrong is an Error naming the file. */
export function readCheckpoint(file: string): Checkpoint {
  let bytes: Uint8Array;
  try {
    // a FIFO or a device would block the read or never end
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw damaged(file, `cannot be read (${(e as Error).message})`);
  }
  return decodeCheckpoint(bytes, file);
}

const damaged = (file: string, what: string) => new Error(`${file}: damaged checkpoint: ${what}. Start the run over with --force (without --resume), or train into another --out`);

export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes.length >= 8 ? view.getUint32(0) : 0;
  if (magic !== MAGIC && magic !== MAGIC_V1) throw damaged(file, bytes.length < 8 ? `only ${bytes.length} bytes` : 'it does not start with a pulse-rnn checkpoint signature');
  const start = magic === MAGIC ? BODY : 8;
  const len = view.getUint32(4);
  if (start + len > bytes.length) throw damaged(file, `cut short: the header alone needs ${start + len} bytes, the file has ${bytes.length}`);
  if (magic === MAGIC) {
    const want = createHash('sha256').update(bytes.subarray(BODY)).digest();
    if (!want.equals(bytes.subarray(8, BODY))) throw damaged(file, `its contents do not match their SHA-256 digest (${bytes.length} bytes: cut short, or changed since it was written)`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, start + len)));
  } catch (e) {
    throw damaged(file, `the header is not valid JSON (${(e as Error).message})`);
  }
  const problem = headerProblem(meta, bytes.length - start - len);
  if (problem) throw damaged(file, problem);
  const m = meta as Record<string, unknown> & { arrays: number[]; model: { weights: Record<string, number>; optimizer: { data: number }[] } };
  const arrays: Float32Array[] = [];
  let o = start + len;
  for (const n of m.arrays) {
    arrays.push(new Float32Array(bytes.slice(o, o + n * 4).buffer));
    o += n * 4;
  }
  const weights = Object.fromEntries(Object.entries(m.model.weights).map(([k, i]) => [k, arrays[i]]));
  const optimizer = m.model.optimizer.map((w) => ({ ...w, data: arrays[w.data] }));
  // JSON has no Infinity: "no best yet" comes back as null
  const best = m.best === null ? Infinity : m.best;
  delete (m as Record<string, unknown>).arrays;
  // nor NaN: an epoch of a run with no validation comes back as null
  const history = (m.history as Record<string, unknown>[]).map((r) => (r.validationNll === null ? { ...r, validationNll: NaN } : r));
  return { ...m, best, history, model: { ...m.model, weights, optimizer } } as unknown as Checkpoint;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** A field that fails its rule, in words. */
const bad = (name: string, v: unknown, rule: string) => (v === undefined ? `${name} is missing` : `${name} is ${String(JSON.stringify(v)).slice(0, 40)}, not ${rule}`);

/** What is wrong with a parsed header (null: nothing), given the bytes that follow it. */
function headerProblem(m: unknown, dataBytes: number): string | null {
  if (!isObject(m)) return 'the header is not a JSON object';
  const o = m.options;
  if (!isObject(o)) return "the header has no 'options' object";
  for (const k of ['units', 'layers', 'batch', 'window', 'patience', 'epochs'] as const) if (!isCount(o[k]) || o[k] === 0) return bad(`options.${k}`, o[k], 'a whole number ≥ 1');
  for (const k of ['dropout', 'clip', 'seed'] as const) if (!isNumber(o[k])) return bad(`options.${k}`, o[k], 'a number');
  if (o.cell !== undefined && o.cell !== 'lstm' && o.cell !== 'gru') return bad('options.cell', o.cell, 'lstm or gru');
  for (const k of ['epoch', 'batchInEpoch', 'badEpochs', 'lossCount'] as const) if (!isCount(m[k])) return bad(`'${k}'`, m[k], 'a whole number ≥ 0');
  for (const k of ['lossSum', 'elapsed'] as const) if (!isNumber(m[k])) return bad(`'${k}'`, m[k], 'a number');
  if (m.best !== null && !isNumber(m.best)) return bad("'best'", m.best, 'a number');
  if (!Array.isArray(m.rng) || m.rng.length !== 4 || !m.rng.every((w) => isCount(w) && w < 2 ** 32)) return "'rng' is not four 32-bit words";
  if (!Array.isArray(m.history) || !m.history.every((r) => isObject(r) && isCount(r.epoch) && (r.validationNll === null || isNumber(r.validationNll)))) return "'history' is not a list of epoch records";
  if (m.shard !== undefined && m.shard !== null && (typeof m.shard !== 'string' || !SHARD_NAME.test(m.shard))) return bad("'shard'", m.shard, 'a weights shard name');
  if (!Array.isArray(m.arrays) || !m.arrays.every(isCount)) return "'arrays' is not a list of array sizes";
  const sizes = m.arrays as number[];
  const need = sizes.reduce((a, n) => a + n * 4, 0);
  if (need !== dataBytes) return need > dataBytes ? `cut short: its arrays need ${need} bytes after the header, the file has ${dataBytes}` : `${dataBytes - need} bytes more than its arrays need`;
  const model = m.model;
  if (!isObject(model)) return "the header has no 'model' object";
  if (!isNumber(model.lr) || model.lr <= 0) return bad('model.lr', model.lr, 'a learning rate');
  const index = (i: unknown) => isCount(i) && i < sizes.length;
  if (!isObject(model.weights) || !Object.values(model.weights).every(index)) return 'model.weights does not name arrays of the file';
  if (!Array.isArray(model.optimizer)) return 'model.optimizer is not a list';
  for (const [k, w] of model.optimizer.entries()) {
    if (!isObject(w) || typeof w.name !== 'string' || !index(w.data) || !Array.isArray(w.shape) || !w.shape.every(isCount)) return `model.optimizer[${k}] is not a named array with a shape`;
    if (w.dtype !== undefined && w.dtype !== 'float32' && w.dtype !== 'int32') return `model.optimizer[${k}] has dtype ${JSON.stringify(w.dtype)}`;
    const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
    if (n !== sizes[w.data as number]) return `model.optimizer[${k}] ('${w.name}') has shape [${(w.shape as number[]).join(', ')}] (${n} values) but ${sizes[w.data as number]} values`;
  }
  return null;
}

/** The settings that differ between a resumed run's command and its checkpoint, as "--flag given (checkpoint: value)". */
export function settingConflicts(given: Partial<RunSettings>, saved: RunSettings): string[] {
  const flags: [keyof RunSettings, string][] = [
    ['encoding', '--encoding'],
    ['cell', '--cell'],
    ['units', '--units'],
    ['layers', '--layers'],
    ['batch', '--batch'],
    ['window', '--window'],
    ['dropout', '--dropout'],
    ['clip', '--clip'],
    ['seed', '--seed'],
    ['patience', '--patience'],
    ['learningRate', '--lr'],
    ['augment', 'augmentation'],
    ['stepsPerQuarter', '--steps-per-quarter'],
    ['keyOrder', '--key-order'],
    ['data', '--data'],
    ['csv', '--csv'],
  ];
  const out: string[] = [];
  for (const [k, flag] of flags) {
    const g = given[k];
    // a setting the command leaves out, or one an older checkpoint did not record, cannot disagree
    if (g === undefined || !(k in saved)) continue;
    const s = saved[k] ?? null;
    if (g !== s) out.push(`${flag} ${show(g)} (checkpoint: ${show(s)})`);
  }
  return out;
}

const show = (v: unknown) => (v === null ? 'none' : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));
