/**
 * The control table: every control a performer has, defined once. The Generator checks its
 * arguments here, the performance log is checked against it on replay, and every host reads
 * it rather than declaring its own copy: the prompt's commands, `help()` and completion; the
 * page's sliders (range, step, label) and keys; the Max script's messages and its README; the
 * command line's starting-value flags; `pulse-rnn controls [--json]`.
 *
 * A control has one name everywhere. A host whose convention asks for another spelling gets
 * it by rule, not by a second table: Max messages are lower case (`topp`, `clearedit`),
 * command-line flags are kebab case (`--top-p`).
 *
 * @example
 * const t = control('temperature');
 * t.args[0];                              // { name: 'value', type: 'number', min: 0, max: 2, step: 0.05, default: 1, … }
 * checkValue('temperature', 1.2);         // fine
 * checkValue('temperature', 3);           // throws "temperature: 3 is out of range; give a number from 0 … to 2 …"
 * maxName(control('topP'));               // 'topp'
 */
import type { ControlArg, ControlName, ControlSpec, NumberArg } from './control-types.js';

export type { ControlArg, ControlKind, ControlName, ControlSpec, Moment, NumberArg, OtherArg } from './control-types.js';

/**
 * Logged controls no host sends by name: `loadSlots`, a set of pattern slots read from a file
 * (the prompt's `loadSlots(file)`), carried whole in the log so a replay has the slots.
 */
export const LOGGED_ONLY = ['loadSlots'] as const;

/** Pattern slots a performer has: store(1) … store(8). */
export const SLOT_COUNT = 8;

/** Seeds are 32-bit: the random stream takes 32 bits, so -1 would play as 4294967295. */
export const MAX_SEED = 0xffffffff;
/** Edits further ahead than this are surely a typo (256 bars of 16ths). */
export const MAX_EDIT_AHEAD = 4096;

const generatorLog = (shape: string) => `${shape}, with the tick and step it applied at`;

/**
 * The table. Ranges are chosen for a performer: temperature 0–2 (above 2 every model here is
 * noise; at 0 it always plays its likeliest step, which from a cold start is often a rest);
 * density ±4 (a logit bias per note: at 4 a drum step is nearly always full); BPM 20–999
 * as in most DAWs. Dynamics 0–2 spreads velocities around the codec's flat velocity (the one it
 * plays when the model gives none), so 0 is exactly a flat model; timing stops at 1 because
 * above it a note pulled away from its step line could pass the one beside it.
 */
export const CONTROLS: readonly ControlSpec[] = [
  {
    name: 'temperature',
    kind: 'value',
    label: 'Temperature',
    args: [
      { name: 'value', type: 'number', min: 0, max: 2, step: 0.05, default: 1, ends: ['always the likeliest', 'wildest'], description: 'sampling temperature' },
      { name: 'head', type: 'head', optional: true, description: 'one output head by name or index (event models: pitch, delay, …); all heads when left out' },
    ],
    description: 'how adventurous the model is: low plays a steady groove, 1 as trained, high wilder',
    example: 'temperature(1.2)',
    applies: 'next step',
    logged: generatorLog("{ type: 'temperature', value, head? }"),
    owner: 'generator',
    keys: [
      ['ArrowUp', 'one step up'],
      ['ArrowDown', 'one step down'],
    ],
  },
  {
    name: 'topP',
    kind: 'value',
    label: 'Top-p',
    args: [{ name: 'value', type: 'number', min: 0, minExclusive: true, max: 1, step: 0.05, default: 1, ends: ['only the likeliest', 'everything'], description: 'nucleus sampling mass' }],
    description: 'sample only among the likeliest choices that together hold this much probability',
    example: 'topP(0.9)',
    applies: 'next step',
    logged: generatorLog("{ type: 'topP', value }"),
    owner: 'generator',
  },
  {
    name: 'density',
    kind: 'value',
    label: 'Density',
    args: [{ name: 'value', type: 'number', min: -4, max: 4, step: 0.25, default: 0, ends: ['fewer notes', 'more notes'], description: 'bias toward more or fewer notes per step' }],
    description: 'more notes (above 0) or fewer (below 0)',
    example: 'density(0.5)',
    applies: 'next step',
    logged: generatorLog("{ type: 'density', value }"),
    owner: 'generator',
    keys: [
      ['ArrowRight', 'more notes'],
      ['ArrowLeft', 'fewer notes'],
    ],
  },
  {
    name: 'dynamics',
    kind: 'value',
    label: 'Dynamics',
    args: [{ name: 'value', type: 'number', min: 0, max: 2, step: 0.05, default: 1, ends: ['flat', 'exaggerated'], description: 'how far velocities stray from the flat velocity' }],
    description: 'how loud and soft the hits are: 0 plays every note at the flat velocity (100 for drums), 1 as the model gives them, above 1 exaggerated',
    example: 'dynamics(0.5)',
    applies: 'next step',
    logged: generatorLog("{ type: 'dynamics', value }"),
    owner: 'generator',
  },
  {
    name: 'timing',
    kind: 'value',
    label: 'Timing',
    args: [{ name: 'value', type: 'number', min: 0, max: 1, step: 0.05, default: 1, ends: ['on the grid', 'as the model plays'], description: "how far notes stray from the nearest step line" }],
    description: "how far notes sit off the grid: 0 puts each on its nearest step line, 1 where the model places it; swing still moves the steps",
    example: 'timing(0)',
    applies: 'next step',
    logged: generatorLog("{ type: 'timing', value }"),
    owner: 'generator',
  },
  {
    name: 'velocityScale',
    kind: 'command',
    label: 'Velocity scale',
    args: [
      { name: 'voice', type: 'voice', description: "a drum voice by name ('kick') or index" },
      { name: 'scale', type: 'number', min: 0, max: 2, step: 0.05, default: 1, ends: ['silent', 'twice as loud'], description: "what the voice's velocities are multiplied by, after dynamics" },
    ],
    description: "make one drum voice louder or softer (0 silences it; the model still hears it)",
    example: "velocityScale('kick', 0.8)",
    applies: 'next step',
    logged: generatorLog("{ type: 'velocityScale', voice, value }"),
    owner: 'generator',
  },
  {
    name: 'voiceDensity',
    kind: 'command',
    label: 'Voice density',
    args: [
      { name: 'voice', type: 'voice', description: "a drum voice by name ('kick') or index" },
      { name: 'amount', type: 'number', min: -4, max: 4, step: 0.25, default: 0, ends: ['fewer hits', 'more hits'], description: "a bias toward more or fewer hits of this voice, over density" },
    ],
    description: 'more hits of one drum voice (above 0) or fewer (below 0), on top of density; drum models only',
    example: "voiceDensity('snare', -1)",
    applies: 'next step',
    logged: generatorLog("{ type: 'voiceDensity', voice, value }"),
    owner: 'generator',
  },
  {
    name: 'leaveOut',
    kind: 'toggle',
    pair: 'bringBack',
    label: 'Leave out',
    args: [{ name: 'voice', type: 'voice', description: "a drum voice by name ('snare') or index" }],
    description: 'the model plays without one drum voice and hears that it did, so the groove adapts (mute only silences it); drum models only',
    example: "leaveOut('snare')",
    applies: 'next step',
    logged: generatorLog("{ type: 'leaveOut', voice }"),
    owner: 'generator',
  },
  {
    name: 'bringBack',
    kind: 'toggle',
    pair: 'leaveOut',
    label: 'Bring back',
    args: [{ name: 'voice', type: 'voice', description: 'a voice left out' }],
    description: 'let the model play a voice left out again',
    example: "bringBack('snare')",
    applies: 'next step',
    logged: generatorLog("{ type: 'bringBack', voice }"),
    owner: 'generator',
  },
  {
    name: 'seed',
    kind: 'value',
    label: 'Seed',
    args: [{ name: 'value', type: 'integer', min: 0, max: MAX_SEED, step: 1, default: 1, description: 'seed of the random stream' }],
    description: 'a new random stream from this seed; the model plays on from where it is',
    example: 'seed(7)',
    applies: 'next step',
    logged: generatorLog("{ type: 'seed', value }"),
    owner: 'generator',
  },
  {
    name: 'reseed',
    kind: 'trigger',
    label: 'Reseed',
    args: [{ name: 'value', type: 'integer', min: 0, max: MAX_SEED, step: 1, optional: true, description: 'the new seed (a random one when left out)' }],
    description: 'a new random seed (or the one given); the model plays on from where it is',
    example: 'reseed()',
    applies: 'next step',
    logged: generatorLog("{ type: 'seed', value } holding the seed chosen"),
    owner: 'generator',
    keys: [['r', 'a new random seed']],
  },
  {
    name: 'pause',
    kind: 'toggle',
    pair: 'resume',
    label: 'Pause',
    args: [],
    description: 'freeze the model where it is; resume() goes on from the same place',
    example: 'pause()',
    applies: 'next step',
    logged: generatorLog("{ type: 'pause' }"),
    owner: 'generator',
    keys: [['p', 'pause or resume']],
  },
  {
    name: 'resume',
    kind: 'toggle',
    pair: 'pause',
    label: 'Resume',
    args: [],
    description: 'play on after pause()',
    example: 'resume()',
    applies: 'next step',
    logged: generatorLog("{ type: 'resume' }"),
    owner: 'generator',
  },
  {
    name: 'mute',
    kind: 'toggle',
    pair: 'unmute',
    label: 'Mute',
    args: [],
    description: 'keep playing in time, silently',
    example: 'mute()',
    applies: 'next step',
    logged: generatorLog("{ type: 'mute' }"),
    owner: 'generator',
    keys: [['m', 'mute or unmute']],
  },
  {
    name: 'unmute',
    kind: 'toggle',
    pair: 'mute',
    label: 'Unmute',
    args: [],
    description: 'sound again after mute()',
    example: 'unmute()',
    applies: 'next step',
    logged: generatorLog("{ type: 'unmute' }"),
    owner: 'generator',
  },
  {
    name: 'reset',
    kind: 'trigger',
    label: 'Reset',
    args: [],
    description: 'start the model over from its start event and the current seed (edits and locks stay)',
    example: 'reset()',
    applies: 'next step',
    logged: generatorLog("{ type: 'reset' }"),
    owner: 'generator',
  },
  {
    name: 'edit',
    kind: 'command',
    label: 'Edit',
    args: [
      { name: 'step', type: 'step', description: `an upcoming step: its number, or '+N' for N steps ahead (at most ${MAX_EDIT_AHEAD} ahead)` },
      { name: 'notes', type: 'notes', description: "what it plays: drum voices or notes (['kick', 'snare']), a pitch, 'hold' or 'rest' for melodies; [] is silence" },
    ],
    description: 'write an upcoming step; the model hears it and continues from it',
    example: "edit('+4', ['kick', 'snare'])",
    applies: 'next step',
    logged: generatorLog("{ type: 'edit', step, notes }"),
    owner: 'generator',
  },
  {
    name: 'clearEdit',
    kind: 'command',
    label: 'Clear edit',
    args: [{ name: 'step', type: 'step', description: 'an upcoming step that was edited' }],
    description: 'undo an edit of an upcoming step: the model chooses it again',
    example: "clearEdit('+4')",
    applies: 'next step',
    logged: generatorLog("{ type: 'clearEdit', step }"),
    owner: 'generator',
  },
  {
    name: 'lock',
    kind: 'command',
    label: 'Lock',
    args: [
      { name: 'voice', type: 'voice', description: "a drum voice by name ('kick') or index" },
      { name: 'pattern', type: 'pattern', optional: true, description: 'one 0/1 per step of the bar to play instead of what the last bar played' },
      { name: 'bars', type: 'bars', optional: true, description: 'how many bars the lock holds (until unlock() when left out)' },
    ],
    description: 'keep a drum voice as the last bar played it (or as a pattern); the model fills the rest',
    example: "lock('kick')",
    applies: 'next step',
    logged: generatorLog("{ type: 'lock', voice, pattern, from, until }"),
    owner: 'generator',
    keys: [['l', 'lock or free the voice of the focused grid row']],
  },
  {
    name: 'unlock',
    kind: 'command',
    label: 'Unlock',
    args: [{ name: 'voice', type: 'voice', optional: true, description: 'the voice to free (every voice when left out)' }],
    description: 'free a locked voice, or every voice',
    example: "unlock('kick')",
    applies: 'next step',
    logged: generatorLog("{ type: 'unlock', voice }"),
    owner: 'generator',
  },
  {
    name: 'prime',
    kind: 'command',
    label: 'Prime',
    args: [{ name: 'phrase', type: 'phrase', description: 'a MIDI file (a song or events from code) the model reads without playing it' }],
    description: 'set the model state from a phrase; the model plays on from it (a long phrase is read while the music plays)',
    example: "prime('groove.mid')",
    applies: 'after the phrase is read',
    logged: generatorLog("{ type: 'prime', events, reset, steps } holding the phrase's events"),
    owner: 'generator',
  },
  {
    name: 'primeRandom',
    kind: 'trigger',
    label: 'Random start',
    args: [],
    description: 'start from one random event, as Howl does',
    example: 'primeRandom()',
    applies: 'next step',
    logged: generatorLog("{ type: 'primeRandom' }"),
    owner: 'generator',
  },
  {
    name: 'locate',
    kind: 'command',
    label: 'Locate',
    args: [{ name: 'step', type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER, step: 1, description: 'the step to play next (a song position)' }],
    description: 'jump to a step, as a song position from the clock does; the model state goes on',
    example: 'locate(0)',
    applies: 'next step',
    logged: generatorLog("{ type: 'locate', step }"),
    owner: 'generator',
  },
  {
    name: 'store',
    kind: 'command',
    label: 'Store',
    args: [{ name: 'slot', type: 'integer', min: 1, max: SLOT_COUNT, step: 1, default: 1, optional: true, description: 'the slot (1 when left out)' }],
    description: 'keep the performance as it stands (groove, settings, edits, locks) in a pattern slot; recall() plays it again',
    example: 'store(2)',
    applies: 'next step',
    logged: generatorLog("{ type: 'store', slot }"),
    owner: 'generator',
  },
  {
    name: 'recall',
    kind: 'command',
    label: 'Recall',
    args: [
      { name: 'slot', type: 'integer', min: 1, max: SLOT_COUNT, step: 1, default: 1, optional: true, description: 'a slot stored before (1 when left out)' },
      { name: 'when', type: 'when', optional: true, description: "'bar' (at the slot's place in the next bar, its bar line; the default) or 'now' (at the next step)" },
    ],
    description: "play a stored slot again from the next bar (or 'now'); the step and bar count go on, pause and mute stay",
    example: 'recall(2)',
    applies: 'next step',
    logged: generatorLog("{ type: 'recall', slot, when }"),
    owner: 'generator',
  },
  {
    name: 'undoRecall',
    kind: 'command',
    label: 'Undo recall',
    args: [{ name: 'when', type: 'when', optional: true, description: "'bar' (the default) or 'now'" }],
    description: 'back to the performance as it was just before the last recall (a recall still waiting is called off)',
    example: 'undoRecall()',
    applies: 'next step',
    logged: generatorLog("{ type: 'undoRecall', when }"),
    owner: 'generator',
  },
  {
    name: 'bpm',
    kind: 'value',
    label: 'BPM',
    args: [{ name: 'value', type: 'number', min: 20, max: 999, step: 1, default: 120, unit: 'BPM', description: 'tempo of the internal clock' }],
    description: 'tempo of the internal clock (an external MIDI clock sets its own)',
    example: 'bpm(128)',
    applies: 'next pulse',
    logged: "the take's tempo list: { tick, bpm } at the pulse it applied",
    owner: 'clock',
  },
  {
    name: 'swing',
    kind: 'value',
    label: 'Swing',
    args: [{ name: 'value', type: 'number', min: 0, max: 0.5, step: 0.01, default: 0, ends: ['straight', 'hard shuffle'], description: 'how late every second 16th starts, as a fraction of a 16th' }],
    description: "every second 16th starts this much of a 16th late (0.33 is a triplet feel); an expressive model's timing plays around the swung step",
    example: 'swing(0.2)',
    applies: 'next step',
    logged: "the take's swing list: { tick, swing, step } at the step it applied",
    owner: 'clock',
  },
];

const BY_NAME = new Map<string, ControlSpec>(CONTROLS.map((c) => [c.name, c]));

/** The control of this name; throws listing the names when there is none. */
export function control(name: string): ControlSpec {
  const c = BY_NAME.get(name);
  if (!c) throw new Error(`unknown control ${JSON.stringify(name)}; controls are ${CONTROLS.map((x) => x.name).join(', ')}`);
  return c;
}

/** The control's name as a Max message: Max messages are lower case by convention. */
export const maxName = (c: ControlSpec): string => c.name.toLowerCase();

/** The command-line flag that sets a value control's starting value (`--top-p`). */
export const flagName = (c: ControlSpec): string => `--${c.name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

/** The one number argument of a value control. */
export function valueArg(name: ControlName): NumberArg {
  const a = control(name).args[0];
  if (!a || !isNumberArg(a)) throw new Error(`${name} has no number value`);
  return a;
}

export function isNumberArg(a: ControlArg): a is NumberArg {
  return a.type === 'number' || a.type === 'integer';
}

/** Whether `v` is within a number argument's range. */
export function inRange(a: NumberArg, v: unknown): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (a.type === 'integer' && !Number.isInteger(v)) return false;
  return (a.minExclusive ? v > a.min : v >= a.min) && v <= a.max;
}

/** The range in words: "a number from 0 (always the likeliest) to 2 (wildest)". */
export function rangeText(a: NumberArg): string {
  const what = a.type === 'integer' ? 'a whole number' : 'a number';
  const [lo, hi] = a.ends ?? ['', ''];
  const end = (v: number, words: string) => `${fmt(v)}${words ? ` (${words})` : ''}`;
  const unit = a.unit ? ` ${a.unit}` : '';
  if (a.max === Number.MAX_SAFE_INTEGER) return `${what} from ${end(a.min, lo)} up${unit}`;
  if (a.minExclusive) return `${what} above ${end(a.min, lo)}, up to ${end(a.max, hi)}${unit}`;
  return `${what} from ${end(a.min, lo)} to ${end(a.max, hi)}${unit}`;
}

const fmt = (v: number) => String(v);

/** Throw "name: value is out of range; give …" unless `v` is within `a`'s range. */
export function checkNumber(control: string, a: NumberArg, v: unknown): asserts v is number {
  if (inRange(a, v)) return;
  const shown = typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  const why = typeof v === 'number' && Number.isFinite(v) && !(a.type === 'integer' && !Number.isInteger(v)) ? 'is out of range' : 'is not allowed';
  const label = a.name === 'value' ? control : `${control}: ${a.name}`;
  throw new RangeError(`${label}: ${shown} ${why}; give ${rangeText(a)}`);
}

/** Check a value control's value (temperature, topP, density, seed, bpm). */
export function checkValue(name: ControlName, v: unknown): asserts v is number {
  checkNumber(name, valueArg(name), v);
}

/** velocityScale's number: the factor of one voice's velocities. */
export function scaleArg(): NumberArg {
  return control('velocityScale').args[1] as NumberArg;
}

/** voiceDensity's number: the bias of one voice's hits, in the range of density. */
export function voiceDensityArg(): NumberArg {
  return control('voiceDensity').args[1] as NumberArg;
}

/** A random seed in the table's range, for `reseed()` without a value. */
export function randomSeed(): number {
  return Math.floor(Math.random() * (MAX_SEED + 1));
}

/** The value controls with a number, and their defaults: the starting values of a performance. */
export function defaults(): Record<'temperature' | 'topP' | 'density' | 'dynamics' | 'timing' | 'seed' | 'bpm', number> {
  return {
    temperature: valueArg('temperature').default as number,
    topP: valueArg('topP').default as number,
    density: valueArg('density').default as number,
    dynamics: valueArg('dynamics').default as number,
    timing: valueArg('timing').default as number,
    seed: valueArg('seed').default as number,
    bpm: valueArg('bpm').default as number,
  };
}

/** The control types a performance log holds: the Generator's controls (reseed is logged as seed). */
export const LOGGED_TYPES: readonly string[] = [...CONTROLS.filter((c) => c.owner === 'generator' && c.name !== 'reseed').map((c) => c.name), ...LOGGED_ONLY];
const LOGGED = new Set<string>(LOGGED_TYPES);

/**
 * Check a control read from a performance log against the table: a known type, and values in
 * range. Throws "replay: bad log entry …" naming the field.
 */
export function checkLoggedControl(c: unknown): void {
  const bad = (why: string) => new Error(`replay: bad log entry ${JSON.stringify(c)}: ${why}`);
  if (typeof c !== 'object' || c === null || !LOGGED.has((c as { type: string }).type)) {
    throw bad(`the type must be one of ${LOGGED_TYPES.join(', ')}`);
  }
  const x = c as { type: ControlName; value?: unknown; step?: unknown; voice?: unknown };
  try {
    if (x.type === 'temperature' || x.type === 'topP' || x.type === 'density' || x.type === 'dynamics' || x.type === 'timing' || x.type === 'seed') checkValue(x.type, x.value);
    if (x.type === 'velocityScale') {
      if (!(Number.isSafeInteger(x.voice) && (x.voice as number) >= 0)) throw new Error(`voice ${JSON.stringify(x.voice)} is not a voice number`);
      checkNumber('velocityScale', scaleArg(), x.value);
    }
    if (x.type === 'voiceDensity' || x.type === 'leaveOut' || x.type === 'bringBack') {
      if (!(Number.isSafeInteger(x.voice) && (x.voice as number) >= 0)) throw new Error(`voice ${JSON.stringify(x.voice)} is not a voice number`);
      if (x.type === 'voiceDensity') checkNumber('voiceDensity', voiceDensityArg(), x.value);
    }
    if (x.type === 'store' || x.type === 'recall') checkNumber(x.type, control(x.type).args[0] as NumberArg, (x as { slot?: unknown }).slot);
    if ((x.type === 'recall' || x.type === 'undoRecall') && !['bar', 'now'].includes((x as { when?: unknown }).when as string)) throw new Error(`when ${JSON.stringify((x as { when?: unknown }).when)} is not 'bar' or 'now'`);
    if ((x.type as string) === 'loadSlots' && typeof (x as { set?: unknown }).set !== 'object') throw new Error('set must be a slot set');
    if (x.type === 'edit' || x.type === 'clearEdit' || x.type === 'locate') {
      if (!(Number.isSafeInteger(x.step) && (x.step as number) >= 0)) throw new Error(`step ${JSON.stringify(x.step)} is not a step number`);
    }
  } catch (e) {
    throw bad((e as Error).message);
  }
}
