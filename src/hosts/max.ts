/**
 * The Max host: the script of a `[v8 pulse-rnn.js]` box. rollup bundles it with the core into
 * `patches/max/pulse-rnn.js`, one plain script with no imports, and declares each export
 * below as a top-level function there, because Max calls a message's handler by its global
 * name (`temperature 0.8` calls `temperature(0.8)`) and reads the top-level `inlets`/`outlets`.
 *
 * Inlet 0 takes every message: `bang` (play one step), `temperature f [head]`, `topp f`,
 * `density f`, `seed i`, `reseed [i]`, `pause`, `resume`, `mute`, `unmute`, `reset`,
 * `locate i`, `edit step notes…`, `clearedit step`, `lock voice [0/1 × bar]`, `unlock [voice]`,
 * `bpm f`, `load folder`. Outlet 0 plays `note velocity duration-ms` lists (for [makenote]);
 * outlet 1 reports `step n`, `tempo f`, `paused 0/1`, `muted 0/1`, `loaded source`,
 * `error text`. A bad message is reported (Max window and outlet 1) with its values and
 * changes nothing; the generator keeps playing.
 *
 * Timing stays in the patch (MIDI clock or a metro): `[v8]` runs in Max's low-priority thread,
 * so a bang is one step and nothing here keeps time, except notes of event models that start
 * inside a step, which wait for their offset in a `Task`. A held note (melody models) goes out
 * with duration 0 and ends with `note 0 0`: route those to [noteout], not [makenote].
 *
 * No ES5 `[js]` build: the core relies on classes, let/const, Math.fround/imul, Map/Set and
 * Promises, which the legacy engine lacks and esbuild cannot lower to ES5; Cycling '74 plans
 * to move `[js]` onto V8 as well.
 *
 * @example
 * // in a Max patch: [loadbang] → [load ../../weights/drums-gmd( → [v8 pulse-rnn.js]
 * // [metro 16n @quantize 16n] → [v8 pulse-rnn.js] → [unpack 0 0 0] → [makenote] → [noteout 10]
 * // [temperature $1(, [seed $1(, [edit 32 kick snare(, [lock kick( steer it while it plays
 */
import { Generator, parseLayersModel, type ModelSpec, type StepResult } from '../core.js';
import { readDrummerPair } from '../engine/drummer-format.js';
import { MAX_MODEL_JSON_BYTES, parseModelJson } from '../engine/model-json.js';
import { checkBpm } from '../time/tempo-map.js';

// ---- what Max provides (docs.cycling74.com/apiref/js); names stay global in the bundle ----

declare function outlet(index: number, ...atoms: unknown[]): void;
declare function post(...atoms: unknown[]): void;
declare function error(...atoms: unknown[]): void;
declare function setinletassist(index: number, text: string): void;
declare function setoutletassist(index: number, text: string): void;
declare const messagename: string;
declare class File {
  constructor(name: string, access?: string);
  readonly isopen: boolean;
  readonly eof: number;
  position: number;
  readbytes(count: number): number[] | null;
  readstring(count: number): string | null;
  close(): void;
}
declare class Task {
  constructor(fn: () => void, owner?: unknown);
  schedule(delayMs?: number): void;
}

/** What `this` is in a handler: the script object, whose `patcher` knows where the patch is saved. */
interface JsThis {
  patcher?: { filepath?: string };
}

export const inlets = 1;
export const outlets = 2;

setinletassist(0, 'bang: play one step; temperature, topp, density, seed, pause, resume, mute, edit, lock, load ...');
setoutletassist(0, 'notes: note velocity duration-ms (to [makenote])');
setoutletassist(1, 'state: step n, tempo f, paused 0/1, muted 0/1, loaded source, error text');

// ---- state -------------------------------------------------------------------------------

let gen: Generator | null = null;
let stepsPerQuarter = 4;
let bpmValue = 120;
let lastPaused = false;
let lastMuted = false;
let loads = 0; // the latest load wins when several overlap
let toldNoModel = false;

/** Report a refused message with its values; nothing else changes. */
function refuse(name: string, args: readonly unknown[], e: unknown): void {
  const reason = e instanceof Error ? e.message : String(e);
  const text = `${[name, ...args.map(String)].join(' ')}: ${reason}`;
  error(`pulse-rnn: ${text}\n`);
  outlet(1, 'error', text);
}

/** Run a performer's control on the generator, reporting what it refuses. */
function control(name: string, args: readonly unknown[], min: number, max: number, run: (g: Generator) => void): void {
  try {
    if (args.length < min || args.length > max) {
      throw new Error(max === 0 ? 'takes no values' : min === max ? `takes ${min} value(s), got ${args.length}` : `takes ${min} to ${max} values, got ${args.length}`);
    }
    if (!gen) throw new Error('no model loaded yet: send load <weights folder> first');
    run(gen);
  } catch (e) {
    refuse(name, args, e);
  }
}

const num = (v: unknown): number => v as number; // the Generator checks type and range

// ---- playing -----------------------------------------------------------------------------

/** Play one step: called by the clock in the patch, once per step. */
export function bang(): void {
  if (!gen) {
    if (!toldNoModel) refuse('bang', [], 'no model loaded yet: send load <weights folder> first');
    toldNoModel = true;
    return;
  }
  let r: StepResult;
  try {
    r = gen.tick();
  } catch (e) {
    return refuse('bang', [], e);
  }
  // Max sends right to left: state first, then the notes
  if (r.paused !== lastPaused) outlet(1, 'paused', r.paused ? 1 : 0);
  if (r.muted !== lastMuted) outlet(1, 'muted', r.muted ? 1 : 0);
  lastPaused = r.paused;
  lastMuted = r.muted;
  if (r.step >= 0) outlet(1, 'step', r.step);
  const stepMs = 60000 / bpmValue / stepsPerQuarter;
  for (let i = 0; i < r.releaseCount; i++) {
    const x = r.releases[i];
    send([x.note, 0, 0], x.offset * stepMs);
  }
  for (let i = 0; i < r.count; i++) {
    const n = r.notes[i];
    send([n.note, n.velocity, Number.isFinite(n.length) ? Math.round(n.length * stepMs) : 0], n.offset * stepMs);
  }
}

function send(atoms: number[], delayMs: number): void {
  if (delayMs <= 0) return outlet(0, atoms);
  new Task(() => outlet(0, atoms)).schedule(delayMs);
}

// ---- the performer's controls: checked by the Generator, applied at the next bang -------

export function temperature(...args: unknown[]): void {
  control('temperature', args, 1, 2, (g) => (args.length === 2 ? g.setTemperature(num(args[0]), args[1] as string | number) : g.setTemperature(num(args[0]))));
}
export function topp(...args: unknown[]): void {
  control('topp', args, 1, 1, (g) => g.setTopP(num(args[0])));
}
export function density(...args: unknown[]): void {
  control('density', args, 1, 1, (g) => g.setDensity(num(args[0])));
}
/** A new random stream; the model's state goes on. */
export function seed(...args: unknown[]): void {
  control('seed', args, 1, 1, (g) => g.reseed(num(args[0])));
}
/** A new seed (default: the current one) and the model starts over. */
export function reseed(...args: unknown[]): void {
  control('reseed', args, 0, 1, (g) => g.reseed(args.length ? num(args[0]) : g.seed, { reset: true }));
}
export function pause(...args: unknown[]): void {
  control('pause', args, 0, 0, (g) => g.pause());
}
export function resume(...args: unknown[]): void {
  control('resume', args, 0, 0, (g) => g.resume());
}
export function mute(...args: unknown[]): void {
  control('mute', args, 0, 0, (g) => g.mute());
}
export function unmute(...args: unknown[]): void {
  control('unmute', args, 0, 0, (g) => g.unmute());
}
export function reset(...args: unknown[]): void {
  control('reset', args, 0, 0, (g) => g.reset());
}
/** Song position: the next bang plays this step (MIDI start sends `reset, locate 0, resume`). */
export function locate(...args: unknown[]): void {
  control('locate', args, 1, 1, (g) => g.locate(num(args[0])));
}
/** `edit 40 kick snare` writes step 40 (`step n` on outlet 1 says where the music is); `edit 40` silences it. */
export function edit(...args: unknown[]): void {
  control('edit', args, 1, Infinity, (g) => g.edit(num(args[0]), args.slice(1) as (string | number)[]));
}
export function clearedit(...args: unknown[]): void {
  control('clearedit', args, 1, 1, (g) => g.clearEdit(num(args[0])));
}
/** `lock kick` keeps the kick as the last bar played it; `lock kick 1 0 0 0 …` (one per step of the bar) plays that. */
export function lock(...args: unknown[]): void {
  control('lock', args, 1, Infinity, (g) => g.lock(args[0] as string | number, args.length > 1 ? { pattern: args.slice(1) as number[] } : {}));
}
export function unlock(...args: unknown[]): void {
  control('unlock', args, 0, 1, (g) => (args.length ? g.unlock(args[0] as string | number) : g.unlock()));
}

/** Tempo for note durations only: the clock in the patch decides when steps play. */
export function bpm(...args: unknown[]): void {
  try {
    if (args.length !== 1) throw new Error(`takes 1 value, got ${args.length}`);
    checkBpm(num(args[0]));
    bpmValue = num(args[0]);
    outlet(1, 'tempo', bpmValue);
  } catch (e) {
    refuse('bpm', args, e);
  }
}

// ---- what Max may send that means nothing here -------------------------------------------

export function msg_int(v: number): void {
  refuse(String(v), [], 'a bare number means nothing here; send a message such as temperature 0.9 or seed 7');
}
export function msg_float(v: number): void {
  msg_int(v);
}
export function list(...args: unknown[]): void {
  refuse('list', args, 'a bare list means nothing here; send a message such as edit 32 kick snare');
}
export function anything(...args: unknown[]): void {
  refuse(messagename, args, 'unknown message; messages are bang, temperature, topp, density, seed, reseed, pause, resume, mute, unmute, reset, locate, edit, clearedit, lock, unlock, bpm, load');
}

// ---- loading a model with Max's File ----------------------------------------------------

/**
 * Load a weights folder (a tfjs LayersModel: model.json + shards, or the RNN-Drummer's
 * Wx.bin + Wy.bin). A relative path starts at the patch's folder. The old model plays until
 * the new one is ready; the controls' current values carry over to it.
 */
export function load(this: JsThis | undefined, ...args: unknown[]): void {
  // a path with spaces arrives as several atoms
  const where = args.map(String).join(' ');
  const mine = ++loads;
  let folder: string;
  try {
    if (where === '') throw new Error('needs a weights folder, e.g. load ../../weights/drums-gmd');
    folder = resolvePath(where, this?.patcher?.filepath);
  } catch (e) {
    return refuse('load', args, e);
  }
  post(`pulse-rnn: loading ${folder}\n`);
  readModel(folder).then(
    (spec) => {
      if (mine !== loads) return;
      const old = gen;
      const next = new Generator(spec, old ? { seed: old.seed, temperature: old.temperature, topP: old.topP, density: old.density } : {});
      if (old?.paused) next.pause();
      if (old?.muted) next.mute();
      gen = next;
      toldNoModel = false;
      stepsPerQuarter = typeof spec.meta.stepsPerQuarter === 'number' && spec.meta.stepsPerQuarter > 0 ? spec.meta.stepsPerQuarter : 4;
      const encoding = String(spec.meta.encoding ?? 'unknown encoding');
      post(`pulse-rnn: loaded ${folder} (${encoding}, ${spec.layers.length}x${spec.layers[0].units} ${spec.layers[0].cell}, kernel ${next.net.kernel.name})\n`);
      outlet(1, 'loaded', folder);
    },
    (e: unknown) => {
      if (mine === loads) refuse('load', args, e);
    },
  );
}

async function readModel(folder: string): Promise<ModelSpec> {
  const jsonPath = /\.json$/i.test(folder) ? folder : `${folder}/model.json`;
  const dir = jsonPath.slice(0, jsonPath.lastIndexOf('/'));
  if (canOpen(jsonPath)) {
    // the loader checks shard paths (no "..", no absolute paths) and sizes; Max's File cannot tell links or pipes
    const json = parseModelJson(readText(jsonPath, MAX_MODEL_JSON_BYTES, 'the 64 MB a model.json may hold'), jsonPath);
    return parseLayersModel(json, async (p, max) => readBytes(`${dir}/${p}`, max, `the ${max} bytes model.json's manifest leaves for it`), jsonPath);
  }
  if (canOpen(`${dir}/Wx.bin`) && canOpen(`${dir}/Wy.bin`)) {
    return readDrummerPair((file, max, limit) => readBytes(`${dir}/${file}`, max, limit), dir);
  }
  throw new Error(`${folder}: holds neither model.json nor the Wx.bin + Wy.bin pair (or cannot be read)`);
}

// Max's File reads at most what it is asked for; ask in pieces
const PIECE = 65536;

function open(path: string): File {
  const f = new File(path, 'read');
  if (!f.isopen) {
    f.close();
    throw new Error(`${path}: cannot open`);
  }
  return f;
}

function canOpen(path: string): boolean {
  const f = new File(path, 'read');
  const ok = f.isopen;
  f.close();
  return ok;
}

/** Refuse before reading when the file is longer than `maxBytes` (`limit` says so in words). */
function checkSize(f: File, path: string, maxBytes: number, limit: string): void {
  if (f.eof > maxBytes) throw new Error(`${path}: ${f.eof} bytes, more than ${limit}`);
}

function readBytes(path: string, maxBytes: number, limit: string): Uint8Array {
  const f = open(path);
  try {
    checkSize(f, path, maxBytes, limit);
    const out = new Uint8Array(f.eof);
    let at = 0;
    while (at < out.length) {
      const piece = f.readbytes(Math.min(PIECE, out.length - at));
      if (!piece || piece.length === 0) throw new Error(`${path}: reading stopped at byte ${at} of ${out.length}`);
      out.set(piece, at);
      at += piece.length;
    }
    return out;
  } finally {
    f.close();
  }
}

function readText(path: string, maxBytes: number, limit: string): string {
  const f = open(path);
  try {
    checkSize(f, path, maxBytes, limit);
    let text = '';
    while (f.position < f.eof) {
      const piece = f.readstring(PIECE);
      if (!piece) throw new Error(`${path}: reading stopped at byte ${f.position} of ${f.eof}`);
      text += piece;
    }
    return text;
  } finally {
    f.close();
  }
}

/**
 * A relative path starts at the folder of the saved patch (Max paths look like
 * `Macintosh HD:/Users/me/x.maxpat` or `C:/x.maxpat`); an absolute one, or any path in an
 * unsaved patch, goes to File as it is.
 */
function resolvePath(path: string, patchFile: string | undefined): string {
  const p = path.replace(/\\/g, '/').replace(/\/+$/, '');
  const absolute = p.startsWith('/') || /^[^/]*:/.test(p);
  if (absolute || !patchFile) return p;
  const parts = patchFile.replace(/\\/g, '/').split('/');
  parts.pop(); // the patch's own name
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length <= 1) throw new Error(`${path} climbs above the root of ${patchFile}`);
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}
