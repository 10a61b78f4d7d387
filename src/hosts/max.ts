/**
 * The Max host: the script of a `[v8 pulse-rnn.js]` box. rollup bundles it with the core into
 * `patches/max/pulse-rnn.js`, one plain script with no imports, and declares each export
 * below as a top-level function there, because Max calls a message's handler by its global
 * name (`temperature 0.8` calls `temperature(0.8)`) and reads the top-level `inlets`/`outlets`.
 *
 * Inlet 0 takes every message: `bang` (one 16th of the clock: a step of a model of 16ths,
 * every 4th bang one of a chord model of quarters; `max-clock.ts`), one message per control of the control
 * table (`src/music/controls.ts`), named in lower case (`temperature f [head]`, `topp f`,
 * `seed i`, `reseed [i]`, `clearedit step`, `prime file`, `primerandom`, `bpm f`, …), and
 * `get [name…]`, `load folder`, `flush` (end every held note at once, on a stop). Each control's handler hands its atoms to one dispatcher that
 * counts and checks them against the table (`max-messages.ts`). Outlet 0 plays
 * `note velocity duration-ms delay-ms` lists (for [pipe] → [makenote]); outlet 1 reports the state: `step n`,
 * each setting when it applies (`temperature f`, `topp f`, `density f`, `seed i`, `paused 0/1`,
 * `muted 0/1`), `tempo f`, `primed n`, `loaded folder`, `error text`, and answers `get` in the
 * same words. A bad message is reported (Max window and outlet 1) with its values and changes
 * nothing; the generator keeps playing.
 *
 * Timing stays in the patch (MIDI clock or a metro): `[v8]` runs in Max's low-priority thread,
 * and nothing here keeps time. Each note says how long after the bang it sounds (`delay-ms`),
 * for a `[pipe]`, which waits in Max's scheduler: half a 16th plus the note's offset from its
 * grid line, so a hit up to half a step early (an expressive drummer's) keeps its place, at the
 * cost of half a 16th of latency, whatever the model (`max-notes.ts`). A stop in the patch
 * clears the `[pipe]`.
 * A held note (melody and chord models) goes out with duration 0 and ends with `note 0 0`: route
 * those to [noteout], not [makenote]. The script keeps which are held (`max-held.ts`), so that
 * `flush` and another model's load end them: no note is left on.
 *
 * Several parts make a band: one `[v8 pulse-rnn.js name]` each, banged by one clock
 * (`patches/max/pulse-rnn-band.maxpat`); each counts the clock's 16ths from the last `locate`, so
 * their bars line up, and a model loaded mid-set comes in at the clock's place.
 *
 * No ES5 `[js]` build: the core relies on classes, let/const, Math.fround/imul, Map/Set and
 * Promises, which the legacy engine lacks and esbuild cannot lower to ES5; Cycling '74 plans
 * to move `[js]` onto V8 as well.
 *
 * @example
 * // in a Max patch: [loadbang] → [load ../../weights/drums-gmd( → [v8 pulse-rnn.js]
 * // [metro 16n @quantize 16n] → [v8 pulse-rnn.js] → [unpack 0 0 0 0.] → [pipe 0 0 0 0] → [makenote] → [noteout 10]
 * // [temperature $1(, [seed $1(, [edit 32 kick snare(, [lock kick(, [get( steer and read it
 */
import { Generator, parseLayersModel, type ModelSpec, type StepResult } from '../core.js';
import { readDrummerPair } from '../engine/drummer-format.js';
import { MAX_MODEL_JSON_BYTES, parseModelJson } from '../engine/model-json.js';
import { readMidi } from '../io/midi-read.js';
import { control as tableControl, maxName, randomSeed, type ControlName, type ControlSpec } from '../music/controls.js';
import type { Settings } from '../music/generator.js';
import type { RecallWhen } from '../music/slots.js';
import { PPQN } from '../time/clock.js';
import { swingLag } from '../time/swing.js';
import { SixteenthClock } from './max-clock.js';
import { HeldNotes, type NoteAtoms } from './max-held.js';
import { LEAD_STEPS, noteList, releaseList } from './max-notes.js';
import { parseNoteName } from './step-display.js';
import { MESSAGE_NAMES, SETTING_CONTROLS, inletAssist, maxControl, parseAtoms, stateAssist, stepOf, type Atom, type Parsed } from './max-messages.js';

// ---- what Max provides (docs.cycling74.com/apiref/js); names stay global in the bundle ----

declare function outlet(index: number, ...atoms: unknown[]): void;
declare function post(...atoms: unknown[]): void;
declare function error(...atoms: unknown[]): void;
declare function setinletassist(index: number, text: string): void;
declare function setoutletassist(index: number, text: string): void;
declare const messagename: string;
/** The box's arguments: [0] the script's name, [1] the part's name when given (`v8 pulse-rnn.js keys`). */
declare const jsarguments: unknown[];
declare class File {
  constructor(name: string, access?: string);
  readonly isopen: boolean;
  readonly eof: number;
  position: number;
  readbytes(count: number): number[] | null;
  readstring(count: number): string | null;
  close(): void;
}

/** What `this` is in a handler: the script object, whose `patcher` knows where the patch is saved. */
interface JsThis {
  patcher?: { filepath?: string };
}

export const inlets = 1;
export const outlets = 2;

setinletassist(0, inletAssist());
setoutletassist(0, 'notes: note velocity duration-ms delay-ms (delay in [pipe], then [makenote])');
setoutletassist(1, stateAssist());

// ---- state: the patch's tempo and what was last reported; the settings live in the Generator

let gen: Generator | null = null;
let stepsPerQuarter = 4;
let bpmValue = 120;
/** Swing: the notes of every second 16th leave that much of a 16th later (the patch's clock bangs straight). */
let swingValue = 0;
/** Which 16th of the shared clock this is, and which of them start a step of the model. */
const clock = new SixteenthClock();
/** The notes sent on and not yet off, for `flush` and a model loaded mid-set. */
const held = new HeldNotes();
let lastPaused = false;
let lastMuted = false;
let loads = 0; // the latest load wins when several overlap
let toldNoModel = false;

const NO_MODEL = 'no model loaded yet: send load <weights folder> first';

/** `pulse-rnn`, or `pulse-rnn keys` for a box given a part name: in a set of parts, the Max window says whose it is. */
function who(): string {
  const part = typeof jsarguments !== 'undefined' ? jsarguments[1] : undefined;
  return part === undefined || part === '' ? 'pulse-rnn' : `pulse-rnn ${String(part)}`;
}

/** Report a refused message with its values; nothing else changes. */
function refuse(name: string, args: readonly unknown[], e: unknown): void {
  const reason = e instanceof Error ? e.message : String(e);
  const text = `${[name, ...args.map(String)].join(' ')}: ${reason}`;
  error(`${who()}: ${text}\n`);
  outlet(1, 'error', text);
}

function need(): Generator {
  if (!gen) throw new Error(NO_MODEL);
  return gen;
}

// ---- the performer's controls: one dispatcher for every message of the control table ----

const num = (v: Parsed): number => v as number; // checked against the table's range, or by the Generator
const atom = (v: Parsed): Atom => v as Atom;

/** A melodic part's note as the performer may type it: `C4` is 60 (a drum model's names stay voices). */
function pitch(g: Generator, v: Atom): Atom {
  return typeof v === 'string' && g.codec.voices.length === 0 ? (parseNoteName(v) ?? v) : v;
}

/** What each control does to the Generator (checked there too), or to the host for the clock's bpm. */
const RUN: { readonly [K in ControlName]: (args: Parsed[], self: JsThis | undefined) => void } = {
  temperature: ([value, head]) => (head === undefined ? need().setTemperature(num(value)) : need().setTemperature(num(value), atom(head))),
  topP: ([value]) => need().setTopP(num(value)),
  density: ([value]) => need().setDensity(num(value)),
  dynamics: ([value]) => need().setDynamics(num(value)),
  timing: ([value]) => need().setTiming(num(value)),
  velocityScale: ([voice, scale]) => need().setVelocityScale(atom(voice), num(scale)),
  voiceDensity: ([voice, amount]) => need().setVoiceDensity(atom(voice), num(amount)),
  leaveOut: ([voice]) => need().leaveOut(atom(voice)),
  bringBack: ([voice]) => need().bringBack(atom(voice)),
  seed: ([value]) => need().reseed(num(value)),
  reseed: ([value]) => need().reseed(value === undefined ? randomSeed() : num(value)),
  pause: () => need().pause(),
  resume: () => need().resume(),
  mute: () => need().mute(),
  unmute: () => need().unmute(),
  reset: () => need().reset(),
  edit: ([step, notes]) => {
    const g = need();
    g.edit(stepOf(tableControl('edit'), step, g.step), (notes as Atom[]).map((n) => pitch(g, n)));
  },
  clearEdit: ([step]) => {
    const g = need();
    g.clearEdit(stepOf(tableControl('clearEdit'), step, g.step));
  },
  lock: ([voice, pattern, bars]) => need().lock(pitch(need(), atom(voice)), { ...(pattern === undefined ? {} : { pattern: pattern as number[] }), ...(bars === undefined ? {} : { bars: num(bars) }) }),
  unlock: ([voice]) => (voice === undefined ? need().unlock() : need().unlock(pitch(need(), atom(voice)))),
  prime: ([file], self) => primeFrom(String(file), self),
  primeRandom: () => need().primeRandom(),
  // the clock's count moves with it, so a part loaded later joins at the same place
  locate: ([step]) => {
    gen?.locate(num(step));
    clock.locate(num(step));
  },
  store: ([slot]) => need().store(slot === undefined ? undefined : num(slot)),
  recall: ([slot, when]) => need().recall(slot === undefined ? undefined : num(slot), when === undefined ? undefined : (String(when) as RecallWhen)),
  undoRecall: ([when]) => need().undoRecall(when === undefined ? undefined : (String(when) as RecallWhen)),
  // tempo for note durations only: the clock in the patch decides when steps play
  bpm: ([value]) => {
    bpmValue = num(value);
    outlet(1, 'tempo', bpmValue);
  },
  // the patch's clock bangs straight 16ths: swing delays the notes of every second one in [pipe]
  swing: ([value]) => {
    swingValue = num(value);
    outlet(1, 'swing', swingValue);
  },
};

/** Run a message of the control table: count and check its atoms, then apply it. */
function message(name: string, atoms: readonly unknown[], self?: JsThis): void {
  const c = maxControl(name) as ControlSpec;
  try {
    RUN[c.name](parseAtoms(c, atoms as Atom[]), self);
  } catch (e) {
    refuse(name, atoms, e);
  }
}

// ---- playing -----------------------------------------------------------------------------

/**
 * One 16th of the clock in the patch: it plays a step of the model when one starts here (every
 * bang for a model of 16ths, every 4th for one of quarters).
 */
export function bang(): void {
  const starts = clock.bang();
  if (!gen) {
    if (!toldNoModel) refuse('bang', [], NO_MODEL);
    toldNoModel = true;
    return;
  }
  if (starts) play(gen);
}

/** Half a 16th of the clock, in ms: every part's notes leave that long after their bang, so the parts sound together. */
const leadMs = (): number => (LEAD_STEPS * 60000) / bpmValue / 4;

/** Play one step of the model, and report what changed. */
function play(g: Generator): void {
  // what applies at this tick is reported after it; nothing waiting, nothing to compare
  const before = Object.keys(g.pending).length ? g.applied : null;
  let r: StepResult;
  try {
    r = g.tick();
  } catch (e) {
    return refuse('bang', [], e);
  }
  // Max sends right to left: state first, then the notes
  if (before) reportChanges(g, before);
  if (r.paused !== lastPaused) outlet(1, 'paused', r.paused ? 1 : 0);
  if (r.muted !== lastMuted) outlet(1, 'muted', r.muted ? 1 : 0);
  lastPaused = r.paused;
  lastMuted = r.muted;
  if (r.step >= 0) outlet(1, 'step', r.step);
  const stepMs = 60000 / bpmValue / stepsPerQuarter;
  const lead = leadMs();
  // the step's place in the bar decides its swing: the generator's step, which a song position sets
  const late = r.step >= 0 ? swingLag(r.step * (PPQN / stepsPerQuarter), swingValue) * (60000 / bpmValue / PPQN) : 0;
  for (let i = 0; i < r.releaseCount; i++) send(swung(releaseList(r.releases[i], stepMs, lead), late));
  for (let i = 0; i < r.count; i++) send(swung(noteList(r.notes[i], stepMs, lead), late));
  // a paused or muted part holds nothing, whatever its model let go of
  if ((r.paused || r.muted) && held.count > 0) for (const x of held.releases(lead)) outlet(0, x);
}

/** A note list out of outlet 0, kept track of when it holds a note or ends one. */
function send(list: NoteAtoms): void {
  held.sent(list);
  outlet(0, list);
}

/**
 * End at once every note the script left sounding (the held notes of a melody or chord part):
 * the patch sends it on a stop, after `clear` to the `[pipe]`, which forgets the releases that
 * were waiting there. The model is not told: a note it goes on holding stays silent until it
 * plays a new one (a start's reset or locate, or a continue's pause, starts it afresh).
 */
export function flush(...a: unknown[]): void {
  if (a.length) return refuse('flush', a, 'takes no values');
  for (const x of held.releases(0)) outlet(0, x);
}

/** A note list with its delay moved `late` ms later (to 0.01 ms, as the delays are). */
function swung(list: [number, number, number, number], late: number): [number, number, number, number] {
  if (late > 0) list[3] = Math.round((list[3] + late) * 100) / 100;
  return list;
}

/** Report on outlet 1 the settings that this tick changed, by message name. */
function reportChanges(g: Generator, before: Settings): void {
  const now = g.applied;
  for (const c of SETTING_CONTROLS) reportSetting(g, c, now, before);
}

/**
 * Report one setting playing now (when `before` is given, only if it differs): temperature is
 * one value while every head has it, else one report per head with the head's name.
 */
function reportSetting(g: Generator, c: ControlSpec, now: Settings, before?: Settings): void {
  const name = maxName(c);
  if (c.name !== 'temperature') {
    const key = c.name as 'topP' | 'density' | 'dynamics' | 'timing' | 'seed';
    if (!before || before[key] !== now[key]) outlet(1, name, now[key]);
    return;
  }
  const t = now.temperatures;
  if (t.every((x) => x === t[0])) {
    if (!before || before.temperatures.some((x) => x !== t[0])) outlet(1, name, t[0]);
    return;
  }
  t.forEach((x, h) => {
    if (!before || before.temperatures[h] !== x) outlet(1, name, x, g.net.spec.heads[h].name);
  });
}

// ---- the table's messages, one handler each: Max calls a handler by its global name -----

export function temperature(...a: unknown[]): void {
  message('temperature', a);
}
export function topp(...a: unknown[]): void {
  message('topp', a);
}
export function density(...a: unknown[]): void {
  message('density', a);
}
export function dynamics(...a: unknown[]): void {
  message('dynamics', a);
}
export function timing(...a: unknown[]): void {
  message('timing', a);
}
export function velocityscale(...a: unknown[]): void {
  message('velocityscale', a);
}
export function voicedensity(...a: unknown[]): void {
  message('voicedensity', a);
}
export function leaveout(...a: unknown[]): void {
  message('leaveout', a);
}
export function bringback(...a: unknown[]): void {
  message('bringback', a);
}
export function seed(...a: unknown[]): void {
  message('seed', a);
}
export function reseed(...a: unknown[]): void {
  message('reseed', a);
}
export function pause(...a: unknown[]): void {
  message('pause', a);
}
export function resume(...a: unknown[]): void {
  message('resume', a);
}
export function mute(...a: unknown[]): void {
  message('mute', a);
}
export function unmute(...a: unknown[]): void {
  message('unmute', a);
}
export function reset(...a: unknown[]): void {
  message('reset', a);
}
export function edit(...a: unknown[]): void {
  message('edit', a);
}
export function clearedit(...a: unknown[]): void {
  message('clearedit', a);
}
export function lock(...a: unknown[]): void {
  message('lock', a);
}
export function unlock(...a: unknown[]): void {
  message('unlock', a);
}
export function prime(this: JsThis | undefined, ...a: unknown[]): void {
  message('prime', a, this);
}
export function primerandom(...a: unknown[]): void {
  message('primerandom', a);
}
export function locate(...a: unknown[]): void {
  message('locate', a);
}
export function store(...a: unknown[]): void {
  message('store', a);
}
export function recall(...a: unknown[]): void {
  message('recall', a);
}
export function undorecall(...a: unknown[]): void {
  message('undorecall', a);
}
export function bpm(...a: unknown[]): void {
  message('bpm', a);
}
export function swing(...a: unknown[]): void {
  message('swing', a);
}

// ---- reading the state -------------------------------------------------------------------

/** What `get` answers for: the value controls by message name, and the two toggles' states. */
const GETTABLE = [...SETTING_CONTROLS.map(maxName), maxName(tableControl('bpm')), maxName(tableControl('swing')), 'paused', 'muted'];

/**
 * `get` answers on outlet 1 with every setting playing now, `get topp` (or several names)
 * with those, in the words outlet 1 reports them when they apply: `topp 0.9`, `tempo 120`,
 * `paused 0`. A change sent since the last bang is reported when it applies.
 */
export function get(...a: unknown[]): void {
  try {
    const names = a.length ? a.map(String) : GETTABLE;
    const unknown = names.find((n) => !GETTABLE.includes(n));
    if (unknown !== undefined) throw new Error(`${unknown} is not a setting; give one of ${GETTABLE.join(', ')}`);
    for (const n of names) {
      if (n === 'bpm') outlet(1, 'tempo', bpmValue);
      else if (n === 'swing') outlet(1, 'swing', swingValue);
      else if (n === 'paused' || n === 'muted') outlet(1, n, need()[n] ? 1 : 0);
      else reportSetting(need(), maxControl(n) as ControlSpec, need().applied);
    }
  } catch (e) {
    refuse('get', a, e);
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
  refuse(messagename, args, `unknown message; messages are ${MESSAGE_NAMES.join(', ')}`);
}

// ---- loading a model with Max's File ----------------------------------------------------

/**
 * Load a weights folder (a tfjs LayersModel: model.json + shards, or the RNN-Drummer's
 * Wx.bin + Wy.bin). A relative path starts at the patch's folder. The old model plays until
 * the new one is ready; what the performer set carries over to it (`successor`).
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
  post(`${who()}: loading ${folder}\n`);
  readModel(folder).then(
    (spec) => {
      if (mine !== loads) return;
      const next = successor(spec, gen);
      // the old model's held notes end where its next step would have ended them
      for (const x of held.releases(leadMs())) outlet(0, x);
      gen = next;
      toldNoModel = false;
      stepsPerQuarter = typeof spec.meta.stepsPerQuarter === 'number' && spec.meta.stepsPerQuarter > 0 ? spec.meta.stepsPerQuarter : 4;
      const slower = clock.setStepsPerQuarter(stepsPerQuarter);
      // a model loaded while the clock runs comes in at the clock's place in the bar
      if (clock.next > 0) next.locate(clock.step);
      const encoding = String(spec.meta.encoding ?? 'unknown encoding');
      post(`${who()}: loaded ${folder} (${encoding}, ${spec.layers.length}x${spec.layers[0].units} ${spec.layers[0].cell}, kernel ${next.net.kernel.name})\n`);
      if (slower) post(`${who()}: ${folder}: ${slower}\n`);
      outlet(1, 'loaded', folder);
    },
    (e: unknown) => {
      if (mine === loads) refuse('load', args, e);
    },
  );
}

/**
 * The Generator for a newly loaded model, playing on with what the performer set on the old
 * one: its settings with the changes not yet applied laid over them, per-head temperatures
 * when the new model has the same heads (else the first head's for all), velocity scales when
 * it has the same voices, pause and mute.
 */
function successor(spec: ModelSpec, old: Generator | null): Generator {
  const s = old?.settings;
  const next = new Generator(spec, s ? { seed: s.seed, temperature: s.temperature, topP: s.topP, density: s.density, dynamics: s.dynamics, timing: s.timing } : {});
  next.reports = {
    dropped: (c, e) => refuse(maxName(tableControl(c.type)), [], e),
    primed: (step) => outlet(1, 'primed', step),
  };
  if (!old || !s) return next;
  const heads = (m: { heads: readonly { name: string }[] }) => m.heads.map((h) => h.name).join(' ');
  if (heads(old.net.spec) === heads(spec)) s.temperatures.forEach((t, h) => t !== s.temperature && next.setTemperature(t, h));
  if (old.codec.voices.join() === next.codec.voices.join()) {
    s.velocityScales.forEach((v, i) => v !== 1 && next.setVelocityScale(i, v));
    s.voiceDensities.forEach((v, i) => v !== 0 && next.setVoiceDensity(i, v));
    s.leftOut.forEach((out, i) => out && next.leaveOut(i));
  }
  if (s.paused) next.pause();
  if (s.muted) next.mute();
  return next;
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

/** A MIDI file to prime from is read whole on Max's main thread: larger would stall the patch. */
const MAX_PRIME_BYTES = 16 * 1024 * 1024;

/**
 * `prime groove.mid`: the model reads a MIDI file (relative to the patch's folder, as `load`)
 * without playing it and plays on from it; a long file is read while the music plays, and
 * outlet 1 says `primed n` at the step it takes effect.
 */
function primeFrom(where: string, self: JsThis | undefined): void {
  const g = need();
  const path = resolvePath(where, self?.patcher?.filepath);
  const song = readMidi(readBytes(path, MAX_PRIME_BYTES, 'the 16 MB a MIDI file to prime from may hold'), path);
  const { events } = g.codec.fromSong(song);
  if (events.length === 0) throw new Error(`${path}: no notes this model can read (${g.codec.name})`);
  g.prime(events);
  post(`${who()}: priming from ${path} (${song.notes.length} notes); it takes effect within ${Generator.primeTicks(events.length)} step(s)\n`);
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
