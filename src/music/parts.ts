/**
 * A performance of several parts: each a model with its own name, MIDI channel, controls and
 * log lane, stepped by one clock. This module holds what a part is as data: its name's rules,
 * how its steps sit on the clock's (a part may step slower than the clock, a whole number of
 * clock steps a step, and starts on a bar line), and the shapes of the multi-part performance
 * log and slot file, with the one-part files of before still read.
 *
 * @example
 * checkPartName('keys', ['temperature', 'quit'], ['drums']);     // 'keys'
 * checkPartName('quit', ['temperature', 'quit'], []);            // throws: 'quit' is a command
 * barStartAfter(21, 16, 4);                                      // 32: the next bar line of 16 clock steps
 * partLogs(v1Log);                                               // [{ name: 'drums', … }]: an old one-part log
 */
import type { PerformanceLog } from './generator-types.js';
import type { SlotSetFile } from './slots-file.js';

/** A part's name: a letter, then letters or digits (a name the prompt can hold). */
const NAME = /^[A-Za-z][A-Za-z0-9]{0,23}$/;

/**
 * `name` checked as a new part's name: letters and digits, no command's name (it would hide the
 * command at the prompt), none of `globals` (JavaScript's own names there) and no other part's.
 * Throws an error naming the value.
 */
export function checkPartName(name: unknown, commands: readonly string[], taken: readonly string[], globals: readonly string[] = []): string {
  if (typeof name !== 'string' || !NAME.test(name)) throw new Error(`part name ${JSON.stringify(name)} must be a letter then letters or digits (up to 24), e.g. keys or bass2`);
  if (commands.includes(name)) throw new Error(`part name '${name}' is a command's name; call the part something else, e.g. ${name}Part`);
  if (globals.includes(name)) throw new Error(`part name '${name}' is a name JavaScript keeps at the prompt; call the part something else, e.g. ${name}Part`);
  if (taken.includes(name)) throw new Error(`part name '${name}' is taken by another part`);
  return name;
}

/** The name a part gets when none is given: drums for a model with drum voices, else keys. */
export function defaultPartName(voices: readonly string[]): string {
  return voices.length > 0 ? 'drums' : 'keys';
}

/**
 * How many clock steps one of a part's steps lasts: its pulses a step over the clock's. A
 * part's step must be a whole number of the clock's (the first part sets the clock's step).
 */
export function stepsPerPartStep(partPulses: number, clockPulses: number, name: string): number {
  const every = partPulses / clockPulses;
  if (!(Number.isInteger(every) && every >= 1)) throw new Error(`${name}: its step (${partPulses} pulses) is not a whole number of the first part's (${clockPulses} pulses); list the part with the shortest steps first`);
  return every;
}

/**
 * The first clock step at or after `step` that begins a bar of the clock (`clockBar` clock
 * steps) and one of the part's (`partBar` of its steps, `every` clock steps each): where a part
 * added mid-set begins, so its step in the bar is the clock's.
 */
export function barStartAfter(step: number, clockBar: number, partBarInClockSteps: number): number {
  const both = lcm(clockBar, partBarInClockSteps);
  return Math.ceil(step / both) * both;
}

function lcm(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return (a / x) * b;
}

// ---- the performance log of several parts ---------------------------------------------------

/** One part's lane of a multi-part log: its generator's log and where its ticks sit on the first part's. */
export interface PartLane {
  name: string;
  /** Where the model was loaded from. */
  model: string;
  /** The MIDI channel (1–16) its notes go out on, or null: the model's own. */
  channel: number | null;
  /** How many of the first part's ticks one of its ticks lasts. */
  every: number;
  /** The first part's tick its first recorded tick (`from`) played with. */
  start: number;
  /** Its first recorded tick. */
  from: number;
  log: PerformanceLog;
}

/**
 * Version 2 of the performance log: the first part's log at the top (as version 1 had it, so a
 * reader of one part finds it there) and the other parts in `parts`.
 */
export interface PartsLogFields {
  /** The first part's name and channel, and every other part's lane. */
  parts?: { first: { name: string; channel: number | null }; others: PartLane[] };
}

/** A lane as a log's JSON has it, checked; throws naming `where` and the field. */
export function checkLane(lane: unknown, where: string): PartLane {
  const l = lane as Partial<PartLane> | null;
  if (typeof l !== 'object' || l === null) throw new Error(`${where} must be an object, got ${JSON.stringify(lane)}`);
  if (typeof l.name !== 'string' || !NAME.test(l.name)) throw new Error(`${where}.name must be a part's name, got ${JSON.stringify(l.name)}`);
  if (typeof l.model !== 'string') throw new Error(`${where}.model must be a string`);
  if (!(l.channel === null || (Number.isInteger(l.channel) && (l.channel as number) >= 1 && (l.channel as number) <= 16))) throw new Error(`${where}.channel must be 1 to 16 or null, got ${JSON.stringify(l.channel)}`);
  for (const k of ['every', 'start', 'from'] as const) {
    const v = l[k];
    if (!(Number.isInteger(v) && (v as number) >= (k === 'every' ? 1 : 0))) throw new Error(`${where}.${k} must be a whole number ≥ ${k === 'every' ? 1 : 0}, got ${JSON.stringify(v)}`);
  }
  const log = l.log as PerformanceLog | undefined;
  if (!log || typeof log !== 'object' || !Array.isArray(log.entries) || !(Number.isInteger(log.ticks) && log.ticks >= (l.from as number)) || typeof log.options !== 'object') {
    throw new Error(`${where}.log must be a part's performance log (options, entries, ticks ≥ from)`);
  }
  return l as PartLane;
}

// ---- slots of several parts ------------------------------------------------------------------

/** Slots of every part in one file; a one-part file (`pulse-rnn-slots`) is the first part's. */
export interface PartSlotsFile {
  format: 'pulse-rnn-part-slots';
  version: 1;
  /** By part name: that part's slot set. */
  parts: Record<string, SlotSetFile>;
}

/**
 * The slot sets of a file read as JSON, by part name: a multi-part file's, or a one-part file's
 * as the first part's (`first`). Throws naming `file` when it is neither.
 */
export function partSlotSets(json: unknown, file: string, first: string): Map<string, unknown> {
  const f = json as { format?: unknown; version?: unknown; parts?: unknown } | null;
  if (f && typeof f === 'object' && f.format === 'pulse-rnn-part-slots') {
    if (f.version !== 1) throw new Error(`${file}: version ${JSON.stringify(f.version)} is not supported (this reads version 1)`);
    if (!f.parts || typeof f.parts !== 'object' || Array.isArray(f.parts)) throw new Error(`${file}: parts must be an object of slot sets by part name`);
    return new Map(Object.entries(f.parts as Record<string, unknown>));
  }
  return new Map([[first, json]]);
}
