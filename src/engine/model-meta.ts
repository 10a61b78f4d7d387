/**
 * The pulse-rnn metadata (`userDefinedMetadata.pulseRnn`), checked at load against sane
 * ranges and against the network it describes, so a model that loads can be played: a bar of
 * 10^12 steps, a step of a billionth of a quarter or a pitch table shorter than its head
 * would otherwise fail at the first tick, or exhaust memory there.
 *
 * Every field is optional (a plain tfjs model has none); a field that is present must be right.
 *
 * @example
 * checkMeta(spec); // throws "model.json: metadata 'stepsPerBar' is 1000000000000; …"
 */
import { DRUMMER_NOTES, DRUMMER_TICKS } from './drummer-tables.js';
import type { ModelSpec } from './model.js';
import { show } from './model-json.js';

/** The clock's pulses per quarter note: a step is a whole number of pulses. */
const PPQN = 24;
/** Most pulses in a step the clocks accept (a whole note at 24 PPQN). */
const MAX_PULSES_PER_STEP = 96;
/** Longest bar: 32 quarters (32/4 or 64/8). */
const MAX_QUARTERS_PER_BAR = 32;
/** Longest delay or duration in an event table: 64 bars of 4/4. */
const MAX_QUARTERS_PER_EVENT = 256;
/** Largest vocabulary of one head or token input, and longest value table. */
const MAX_VOCAB = 1 << 16;
const ROLES = ['pitch', 'delay', 'duration', 'velocity'] as const;
/** The melody grid's default range (music/melody-grid.ts reads the same defaults). */
const MELODY_DEFAULT_RANGE = [48, 84] as const;
/** The drum grid's classes (music/drum-map.ts): its tokens are the 2^9 sets of them. */
const DRUM_GRID_CLASSES = 9;
/** A piano roll's keys, MIDI 21 to 108 (train/polyphonic-data.ts reads frames of them). */
const PIANO_KEYS = 88;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** Most bars a drum model's count-in may take (music/count-in.ts): each costs a bar of network steps at the start. */
export const MAX_COUNT_IN = 8;

/** Throws with the metadata field, its value and the rule it breaks. */
type Fail = (field: string, v: unknown, rule: string) => never;

const has = (m: Obj, k: string) => m[k] !== undefined;

/** Throws an Error naming `spec.source` and the field at the first problem. */
export function checkMeta(spec: ModelSpec): void {
  const m = spec.meta as Obj;
  const fail: Fail = (field, v, rule) => {
    throw new Error(`${spec.source}: metadata '${field}' is ${show(v)}; ${rule}`);
  };
  // JSON can hold 1e999, which parses to Infinity; no field of the metadata means that
  allFinite(m, fail);
  if (has(m, 'encoding') && !(typeof m.encoding === 'string' && m.encoding.length > 0 && m.encoding.length <= 64)) fail('encoding', m.encoding, 'it must be the name of an encoding, such as "drum-grid"');
  // each field against its own rule first, then against the network it describes
  const { bar, tpq } = checkTiming(m, fail);
  checkNoteFields(m, fail);
  checkRecordFields(m, fail);
  checkEncodingFits(spec, m, bar, tpq, fail);
  if (has(m, 'start')) checkStart(spec, m, fail);
  if (has(m, 'countIn') && !isInt(m.countIn, 0, MAX_COUNT_IN)) fail('countIn', m.countIn, `it must be a whole number of bars from 0 to ${MAX_COUNT_IN}, played silently before a cold start`);
}

/** Steps per quarter, steps per bar and ticks per quarter, each within what the clocks can play. */
function checkTiming(m: Obj, fail: Fail): { bar: number; tpq: number } {
  let spq = 4;
  if (has(m, 'stepsPerQuarter')) {
    const v = m.stepsPerQuarter;
    const pulses = typeof v === 'number' && v > 0 ? PPQN / v : NaN;
    if (!(Number.isInteger(pulses) && pulses >= 1 && pulses <= MAX_PULSES_PER_STEP)) {
      fail('stepsPerQuarter', v, `a step must last a whole number of the clock's ${PPQN} pulses per quarter, 1 to ${MAX_PULSES_PER_STEP}: use 4 (16ths), 2 (8ths), 3 or 6 (triplets), up to 24`);
    }
    spq = v as number;
  }
  const maxBar = Math.max(1, Math.floor(MAX_QUARTERS_PER_BAR * spq));
  let bar = Math.round(4 * spq);
  if (has(m, 'stepsPerBar')) {
    if (!isInt(m.stepsPerBar, 1, maxBar)) fail('stepsPerBar', m.stepsPerBar, `it must be a whole number of steps from 1 to ${maxBar} (${MAX_QUARTERS_PER_BAR} quarters at ${spq} steps per quarter)`);
    bar = m.stepsPerBar as number;
  }
  const tpq = has(m, 'ticksPerQuarter') ? m.ticksPerQuarter : 24;
  if (!isInt(tpq, 1, 32767)) fail('ticksPerQuarter', tpq, 'it must be a whole number from 1 to 32767, as in a MIDI file');
  return { bar, tpq: tpq as number };
}

/** The pitch range, the drum notes and the Drummer's note and tick lists: MIDI numbers, lists of sane length. */
function checkNoteFields(m: Obj, fail: Fail): void {
  for (const k of ['minPitch', 'maxPitch']) if (has(m, k) && !isInt(m[k], 0, 127)) fail(k, m[k], 'it must be a MIDI note number from 0 to 127');
  if (has(m, 'minPitch') && has(m, 'maxPitch') && (m.minPitch as number) > (m.maxPitch as number)) fail('minPitch', m.minPitch, `it must not be above maxPitch (${m.maxPitch as number})`);
  if (has(m, 'drumNotes')) {
    const d = m.drumNotes;
    if (!(Array.isArray(d) && d.length >= 1 && d.length <= 16 && d.every((n) => isInt(n, 0, 127)))) fail('drumNotes', d, 'it must list one MIDI note (0 to 127) per drum voice, at most 16');
  }
  for (const k of ['notes', 'ticks']) {
    const t = m[k];
    if (has(m, k) && !(Array.isArray(t) && t.length >= 1 && t.length <= MAX_VOCAB && t.every((n) => isInt(n, 0, 32767 * MAX_QUARTERS_PER_EVENT)))) fail(k, t, `it must be a list of 1 to ${MAX_VOCAB} whole numbers`);
  }
}

/** What the trainer writes beside the network: the inputs' names, the validation score, the epochs and the run. */
function checkRecordFields(m: Obj, fail: Fail): void {
  if (has(m, 'inputs')) {
    const ins = m.inputs;
    if (!(Array.isArray(ins) && ins.length <= 64 && ins.every((x) => isObj(x) && (x.name === undefined || typeof x.name === 'string') && (x.onehot === undefined || typeof x.onehot === 'boolean')))) {
      fail('inputs', ins, 'it must be a list of { name, onehot } entries, one per input');
    }
  }
  if (has(m, 'validationNll') && !(typeof m.validationNll === 'number' && m.validationNll >= 0)) fail('validationNll', m.validationNll, 'it must be a number ≥ 0 (nats per step)');
  if (has(m, 'epochs') && !isInt(m.epochs, 0, 1e9)) fail('epochs', m.epochs, 'it must be a whole number ≥ 0');
  if (has(m, 'training') && !isObj(m.training)) fail('training', m.training, 'it must be an object describing the training run');
}

/** What the network's inputs and heads must hold for the encoding the metadata names. */
function checkEncodingFits(spec: ModelSpec, m: Obj, bar: number, tpq: number, fail: Fail): void {
  switch (m.encoding) {
    case 'drum-grid': {
      // the codec plays exactly these classes: any other count loads, then masks, locks and
      // density reach only part of the head
      if (Array.isArray(m.drumNotes) && m.drumNotes.length !== DRUM_GRID_CLASSES) {
        fail('drumNotes', m.drumNotes, `a drum grid plays its ${DRUM_GRID_CLASSES} drum classes (kick, snare, closed hat, open hat, three toms, crash, ride): it must list ${DRUM_GRID_CLASSES} MIDI notes (0 to 127)`);
      }
      checkTokens(spec, m, 'drum grid', 2 ** DRUM_GRID_CLASSES, `every set of its ${DRUM_GRID_CLASSES} drum classes`, fail);
      checkPositions(spec, m, bar, fail);
      break;
    }
    case 'melody-grid': {
      const lo = has(m, 'minPitch') ? (m.minPitch as number) : MELODY_DEFAULT_RANGE[0];
      const hi = has(m, 'maxPitch') ? (m.maxPitch as number) : MELODY_DEFAULT_RANGE[1];
      if (lo > hi) fail('minPitch', lo, `the melody range ${lo}..${hi} is empty`);
      checkTokens(spec, m, 'melody grid', hi - lo + 3, `rest, hold and pitches ${lo} to ${hi}`, fail);
      checkPositions(spec, m, bar, fail);
      break;
    }
    case 'note-events':
      checkTables(spec, m, tpq, fail);
      break;
    case 'piano-roll':
      checkPianoRoll(spec, m, fail);
      break;
    case 'drummer-events':
      checkDrummer(spec, m, fail);
      break;
  }
}

/** A piano roll reads the previous step's keys as a vector and gives one Bernoulli unit per key. */
function checkPianoRoll(spec: ModelSpec, m: Obj, fail: Fail): void {
  const h = spec.heads[0];
  if (!(h && h.bernoulli === true && h.size === PIANO_KEYS)) fail('encoding', m.encoding, `a piano roll needs a first head of ${PIANO_KEYS} sigmoid units, one per key, but head '${h?.name}' is ${h?.bernoulli ? `${h.size} units` : `a softmax of ${h?.size}`}`);
  const x = spec.inputs[0];
  if (!(x.kind === 'vector' && x.size === PIANO_KEYS)) fail('encoding', m.encoding, `a piano roll reads the previous step's ${PIANO_KEYS} keys as a vector, but input '${x.name}' is ${x.kind === 'vector' ? `${x.size} wide` : 'a token'}`);
}

/** A grid's first head and first input choose among exactly `expected` tokens. */
function checkTokens(spec: ModelSpec, m: Obj, what: string, expected: number, why: string, fail: Fail): void {
  const head = spec.heads[0]?.size;
  if (head !== undefined && head !== expected) fail('encoding', m.encoding, `its ${what} needs ${expected} tokens (${why}), but head '${spec.heads[0].name}' has ${head}`);
  const v = tokenVocab(spec, 0);
  if (v !== undefined && v !== expected) fail('encoding', m.encoding, `its ${what} needs ${expected} tokens (${why}), but input '${spec.inputs[0].name}' has ${v}`);
}

/** A grid's position input knows every step of the bar. */
function checkPositions(spec: ModelSpec, m: Obj, bar: number, fail: Fail): void {
  const v = tokenVocab(spec, 1);
  if (spec.inputs.length > 1 && v !== undefined && bar > v) fail(has(m, 'stepsPerBar') ? 'stepsPerBar' : 'stepsPerQuarter', has(m, 'stepsPerBar') ? m.stepsPerBar : m.stepsPerQuarter, `a bar of ${bar} steps does not fit input '${spec.inputs[1].name}', which knows ${v} positions`);
}

/** The vocabulary of token input `i`; undefined when there is no such input or it is a vector. */
function tokenVocab(spec: ModelSpec, i: number): number | undefined {
  const s = spec.inputs[i];
  return s && s.kind === 'token' ? s.vocab : undefined;
}

/** An RNN-Drummer model: the Drummer's own tables (the codec plays those whatever the metadata lists) and heads of their sizes. */
function checkDrummer(spec: ModelSpec, m: Obj, fail: Fail): void {
  for (const [k, own, what] of [['notes', DRUMMER_NOTES, 'notes'], ['ticks', DRUMMER_TICKS, 'tick delays']] as const) {
    const t = m[k];
    if (has(m, k) && !(Array.isArray(t) && t.length === own.length && t.every((v, i) => v === own[i]))) {
      fail(k, t, `an RNN-Drummer model plays the Drummer's own ${own.length} ${what} (${own.slice(0, 6).join(' ')} …): leave '${k}' out, or list those`);
    }
  }
  const want = [DRUMMER_NOTES.length, DRUMMER_TICKS.length];
  if (spec.heads.length !== 2 || spec.heads.some((h, i) => h.size !== want[i])) {
    fail('encoding', m.encoding, `an RNN-Drummer model has a note head of ${want[0]} and a tick head of ${want[1]}, but this one has heads of ${spec.heads.map((h) => h.size).join(', ')}`);
  }
}

function checkTables(spec: ModelSpec, m: Obj, tpq: number, fail: Fail): void {
  const tables = m.tables;
  if (!isObj(tables)) return fail('tables', tables, 'a note-events model needs a table of values for each head (pitch, delay, …)');
  for (const k of Object.keys(tables)) if (!(ROLES as readonly string[]).includes(k)) fail(`tables.${k}`, tables[k], `tables are named ${ROLES.join(', ')}`);
  const maxTicks = tpq * MAX_QUARTERS_PER_EVENT;
  const range: Record<(typeof ROLES)[number], [number, number, string]> = {
    pitch: [0, 127, 'MIDI note numbers from 0 to 127'],
    velocity: [1, 127, 'velocities from 1 to 127'],
    delay: [0, maxTicks, `ticks from 0 to ${maxTicks} (${MAX_QUARTERS_PER_EVENT} quarters at ${tpq} ticks per quarter)`],
    duration: [0, maxTicks, `ticks from 0 to ${maxTicks} (${MAX_QUARTERS_PER_EVENT} quarters at ${tpq} ticks per quarter)`],
  };
  for (const r of ROLES) {
    const t = tables[r];
    if (t === undefined) continue;
    const [lo, hi, what] = range[r];
    const whole = r === 'pitch' || r === 'velocity';
    if (!(Array.isArray(t) && t.length >= 1 && t.length <= MAX_VOCAB && t.every((x) => typeof x === 'number' && x >= lo && x <= hi && (!whole || Number.isInteger(x))))) {
      fail(`tables.${r}`, t, `it must be a list of 1 to ${MAX_VOCAB} ${what}`);
    }
  }
  if (tables.pitch === undefined || tables.delay === undefined) fail('tables', tables, 'a note-events model needs at least a pitch table and a delay table');
  let order: string[] = ROLES.filter((r) => tables[r] !== undefined);
  if (m.headRoles !== undefined) {
    const hr = m.headRoles;
    if (!(Array.isArray(hr) && hr.every((r) => typeof r === 'string' && tables[r] !== undefined) && new Set(hr).size === hr.length)) {
      fail('headRoles', hr, `it must list each head's table (${order.join(', ')}) once`);
    }
    order = hr as string[];
  }
  if (spec.heads.length !== order.length) fail('tables', Object.keys(tables), `the model has ${spec.heads.length} heads but ${order.length} tables (${order.join(', ')})`);
  order.forEach((r, i) => {
    const n = (tables[r] as unknown[]).length;
    if (spec.heads[i].size !== n) fail(`tables.${r}`, tables[r], `it has ${n} values, but head '${spec.heads[i].name}' chooses among ${spec.heads[i].size}`);
    const s = spec.inputs[i];
    if (s && s.kind === 'token' && s.vocab !== n) fail(`tables.${r}`, tables[r], `it has ${n} values, but input '${s.name}' reads ${s.vocab}`);
  });
}

function checkStart(spec: ModelSpec, m: Obj, fail: Fail): void {
  const s = m.start;
  if (Array.isArray(s)) {
    // tokens, one per input
    if (s.length !== spec.inputs.length || !s.every((t, i) => { const inp = spec.inputs[i]; return inp.kind !== 'token' || isInt(t, 0, inp.vocab - 1); })) {
      fail('start', s, `it must hold one token per input (${spec.inputs.map((x) => (x.kind === 'token' ? `0..${x.vocab - 1}` : 'any')).join(', ')})`);
    }
    return;
  }
  if (!(isObj(s) && Object.keys(s).every((k) => (ROLES as readonly string[]).includes(k) && typeof s[k] === 'number'))) {
    fail('start', s, `it must give a starting value for some of ${ROLES.join(', ')}, or one token per input`);
  }
}

/** Every number anywhere in the metadata is finite (walked with an explicit stack). */
function allFinite(m: Obj, fail: Fail): void {
  const stack: [unknown, string][] = [[m, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(path, v, 'every number in the metadata must be finite');
    } else if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${path}[${i}]`]));
    else if (isObj(v)) for (const k of Object.keys(v)) stack.push([v[k], path ? `${path}.${k}` : k]);
  }
}
