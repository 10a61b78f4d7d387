/**
 * MIDI mapping: which knob, fader or pad of a controller plays which control of the table.
 * Pure data and arithmetic, no I/O, so the terminal, the page and Max's script read the same
 * rules and the same file.
 *
 * An entry names a control by its table name and the CC or note that drives it, on one input
 * and channel or on any. What a message does depends on the control's kind:
 *
 * - a control with a number to turn (temperature, topP, density, dynamics, timing, seed, bpm,
 *   velocityScale) takes a CC: 0–127 spans the control's range (or the entry's narrower
 *   `range`, whose ends may be reversed for a knob that turns down), snapped to its step;
 *   arguments it needs besides the number (velocityScale's voice, temperature's head) are
 *   the entry's `args`;
 * - a toggle, trigger or command (pause, mute, reseed, reset, lock('kick'), locate(0) …) takes
 *   a press: a note-on, or a CC that rises above 63 (a pad sending 127 then 0 presses once). A
 *   press of either control of a toggle pair flips the pair: pause while playing, resume while
 *   paused; mute while sounding, unmute while muted;
 * - controls whose arguments no knob or pad can give (edit's step and notes, clearEdit's step,
 *   prime's phrase) are refused.
 *
 * The file is JSON: `{ "format": "pulse-rnn-map", "version": 1, "entries": [...] }`.
 *
 * @example
 * const map = new MidiMap(parseMap(text, 'set.json'));
 * map.handle({ input: 'nanoKONTROL2', data: [0xb0, 16, 127] });   // [{ name: 'temperature', args: [2] }]
 * map.arm('density');                                              // learn: the next CC or note becomes density's entry
 * map.handle({ input: 'nanoKONTROL2', data: [0xb0, 17, 64] });    // [] and map.learned is { control: 'density', cc: 17, … }
 * JSON.stringify(mapFile(map.entries));                            // the same file again
 */
import { CONTROLS, checkNumber, control, inRange, isNumberArg, rangeText, type ControlArg, type ControlName, type ControlSpec, type NumberArg } from './controls.js';

export const MAP_FORMAT = 'pulse-rnn-map';
export const MAP_VERSION = 1;

/** One mapping: a control and the CC or note that drives it. */
export interface MapEntry {
  readonly control: ControlName;
  /** The control's arguments other than the number a knob turns (or all of a button's). */
  readonly args?: readonly (string | number)[];
  /** The input's name; any input when left out. */
  readonly input?: string;
  /** 1–16; any channel when left out. */
  readonly channel?: number;
  readonly cc?: number;
  readonly note?: number;
  /** The part of the control's range the knob spans, [at 0, at 127]. */
  readonly range?: readonly [number, number];
}

export interface MapFile {
  format: typeof MAP_FORMAT;
  version: typeof MAP_VERSION;
  entries: MapEntry[];
}

/** A control to run, as the prompt's command of that name takes its arguments. */
export interface ControlCall {
  readonly name: ControlName;
  readonly args: readonly (string | number)[];
}

/** A MIDI message from an input: status byte and data bytes, as Web MIDI hands them. */
export interface MidiIn {
  readonly input: string;
  readonly data: ArrayLike<number>;
}

/** Whether a toggle control is in force now (or queued): `pause` while paused, `resume` while playing. */
export type ToggleState = (name: ControlName) => boolean;

/** Arguments a knob or pad cannot give: a control needing one cannot be mapped. */
const UNMAPPABLE: readonly ControlArg['type'][] = ['step', 'notes', 'phrase'];
/** Arguments an entry may give (a voice or head by name or index, or a number in range). */
const GIVEN: readonly ControlArg['type'][] = ['voice', 'head', 'number', 'integer'];

/** The number a knob turns: a required number with a range a knob can span (not locate's step). */
export function knobArg(c: ControlSpec): { arg: NumberArg; index: number } | null {
  const index = c.args.findIndex((a) => isNumberArg(a) && !a.optional && a.max < Number.MAX_SAFE_INTEGER);
  return index < 0 ? null : { arg: c.args[index] as NumberArg, index };
}

/** Why a control cannot be mapped, or null when it can. */
export function unmappable(c: ControlSpec): string | null {
  const need = c.args.find((a) => !a.optional && UNMAPPABLE.includes(a.type));
  return need ? `${c.name} cannot be mapped: its ${need.name} is not something a knob or pad can give (type ${c.example} at the prompt instead)` : null;
}

/** The controls a controller can reach: every control of the table but those needing a step, notes or a phrase. */
export const MAPPABLE: readonly ControlSpec[] = CONTROLS.filter((c) => unmappable(c) === null);

/** Whether an entry of this control takes a knob (a CC's value) rather than a press. */
export const isKnob = (c: ControlSpec): boolean => knobArg(c) !== null;

const decimals = (step: number): number => (String(step).split('.')[1] ?? '').length;

/** The knob's ends: the entry's range, else the control's (one step above a minimum the range leaves out). */
export function knobRange(e: MapEntry): [number, number] {
  const k = knobArg(control(e.control));
  if (!k) throw new Error(`${e.control} takes a press, not a knob`);
  if (e.range) return [e.range[0], e.range[1]];
  return [k.arg.minExclusive ? k.arg.min + k.arg.step : k.arg.min, k.arg.max];
}

/**
 * A CC value 0–127 as the control's number: spread over the knob's range and snapped to the
 * control's step, never past the range's ends (0 lands on one end, 127 on the other).
 */
export function scaleCc(e: MapEntry, value: number): number {
  const { arg } = knobArg(control(e.control))!;
  const [from, to] = knobRange(e);
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  const raw = from + ((to - from) * Math.max(0, Math.min(127, value))) / 127;
  let v = Math.round(raw / arg.step) * arg.step;
  // snapping may step past an end that lies between two steps: step back inside
  if (v < lo - 1e-9) v = Math.ceil(lo / arg.step - 1e-9) * arg.step;
  if (v > hi + 1e-9) v = Math.floor(hi / arg.step + 1e-9) * arg.step;
  if (value <= 0) v = from;
  if (value >= 127) v = to;
  return Number(v.toFixed(decimals(arg.step)));
}

/** The arguments of a knob's call: the entry's args around the number, in the control's order. */
function knobCall(e: MapEntry, value: number): ControlCall {
  const c = control(e.control);
  const { index } = knobArg(c)!;
  const given = [...(e.args ?? [])];
  const args: (string | number)[] = [];
  for (let i = 0; i < c.args.length; i++) {
    if (i === index) args.push(value);
    else if (given.length) args.push(given.shift()!);
  }
  return { name: c.name, args };
}

/** A press: the control with its args, or for a toggle the other of its pair when it is already in force. */
function pressCall(e: MapEntry, state?: ToggleState): ControlCall {
  const c = control(e.control);
  const name = c.kind === 'toggle' && c.pair && state?.(c.name) ? c.pair : c.name;
  return { name, args: [...(e.args ?? [])] };
}

/** A MIDI message in the terms a map speaks: a CC and its value, or a note-on. Null for the rest. */
export function readMessage(m: MidiIn): { input: string; channel: number; cc?: number; note?: number; value: number } | null {
  const [status, a, b] = [m.data[0], m.data[1], m.data[2]];
  if (status === undefined || a === undefined || b === undefined) return null;
  const kind = status & 0xf0;
  const channel = (status & 0x0f) + 1;
  if (kind === 0xb0) return { input: m.input, channel, cc: a & 0x7f, value: b & 0x7f };
  // a note-on of velocity 0 is a note-off
  if (kind === 0x90 && b > 0) return { input: m.input, channel, note: a & 0x7f, value: b & 0x7f };
  return null;
}

const matches = (e: MapEntry, m: NonNullable<ReturnType<typeof readMessage>>): boolean =>
  (e.input === undefined || e.input === m.input) && (e.channel === undefined || e.channel === m.channel) && (m.cc !== undefined ? e.cc === m.cc : e.note === m.note);

/** Two entries on the same knob or pad: the same CC or note where their inputs and channels overlap. */
const sameSource = (a: MapEntry, b: MapEntry): boolean =>
  (a.cc !== undefined ? a.cc === b.cc : a.note !== undefined && a.note === b.note) && (a.input === undefined || b.input === undefined || a.input === b.input) && (a.channel === undefined || b.channel === undefined || a.channel === b.channel);

/** Two entries of the same control: same name and the same arguments (velocityScale of the kick and of the snare are two). */
export const sameControl = (a: Pick<MapEntry, 'control' | 'args'>, b: Pick<MapEntry, 'control' | 'args'>): boolean => a.control === b.control && JSON.stringify(a.args ?? []) === JSON.stringify(b.args ?? []);

/** What a learn did: the entry it made and the ones it replaced, or why the message could not be used. */
export type Learned = { entry: MapEntry; replaced: MapEntry[] } | { error: string };

/**
 * A mapping in use: its entries, what each CC last sent (a press is a rise above 63), and a
 * control armed to learn.
 */
export class MidiMap {
  private list: MapEntry[];
  private readonly lastCc = new Map<string, number>();
  private armed: { control: ControlName; args?: (string | number)[]; range?: [number, number] } | null = null;
  /** What the last learn did, until the next message. */
  learned: Learned | null = null;

  constructor(entries: readonly MapEntry[] = []) {
    this.list = [...entries];
  }

  get entries(): readonly MapEntry[] {
    return this.list;
  }

  /** The control armed to learn, or null. */
  get learning(): ControlName | null {
    return this.armed?.control ?? null;
  }

  /** Arm `name` (with its args, as an entry gives them): the next CC or note becomes its entry. Throws when it cannot be mapped. */
  arm(name: string, args: readonly (string | number)[] = [], range?: readonly [number, number]): void {
    const probe: MapEntry = { control: name as ControlName, ...(args.length ? { args } : {}), ...(range ? { range } : {}), cc: 0 };
    const problem = entryProblem(probe);
    // said to a performer arming a control, not to a file's author: no field names
    if (problem) throw new Error(problem.replace(/^(control|args(\[\d+\])?): /, '').replace(/, e\.g\. "args": .*$/, ''));
    this.armed = { control: probe.control, ...(args.length ? { args: [...args] } : {}), ...(range ? { range: [range[0], range[1]] } : {}) };
  }

  /** Stop learning. */
  disarm(): void {
    this.armed = null;
  }

  /** Add an entry, replacing an older one of the same control or on the same CC or note. Returns those replaced. */
  set(entry: MapEntry): MapEntry[] {
    const problem = entryProblem(entry);
    if (problem) throw new Error(problem);
    const replaced = this.list.filter((e) => sameControl(e, entry) || sameSource(e, entry));
    this.list = [...this.list.filter((e) => !replaced.includes(e)), entry];
    return replaced;
  }

  /** Remove the entries of a control (with these args, or all of its entries when none are given). */
  remove(name: ControlName, args?: readonly (string | number)[]): MapEntry[] {
    const gone = this.list.filter((e) => e.control === name && (args === undefined || sameControl(e, { control: name, args })));
    this.list = this.list.filter((e) => !gone.includes(e));
    return gone;
  }

  /**
   * The control calls one incoming message makes: none, or one per entry it matches. While a
   * control is armed, the message (a CC or a note-on) becomes its entry instead, and
   * `learned` says so.
   */
  handle(m: MidiIn, state?: ToggleState): ControlCall[] {
    const msg = readMessage(m);
    if (!msg) return [];
    const key = `${msg.input}\u0000${msg.channel}\u0000${msg.cc}`;
    const before = msg.cc !== undefined ? (this.lastCc.get(key) ?? 0) : 0;
    if (msg.cc !== undefined) this.lastCc.set(key, msg.value);
    if (this.armed) return this.learn(msg), [];
    const calls: ControlCall[] = [];
    for (const e of this.list) {
      if (!matches(e, msg)) continue;
      if (isKnob(control(e.control))) {
        if (msg.cc !== undefined) calls.push(knobCall(e, scaleCc(e, msg.value)));
      } else if (msg.note !== undefined || (msg.value > 63 && before <= 63)) calls.push(pressCall(e, state));
    }
    return calls;
  }

  private learn(msg: NonNullable<ReturnType<typeof readMessage>>): void {
    const armed = this.armed!;
    const c = control(armed.control);
    if (isKnob(c) && msg.cc === undefined) {
      this.learned = { error: `${c.name} needs a knob or fader (a CC); note ${msg.note} on ${msg.input} was a key or pad: move a knob` };
      return;
    }
    const entry: MapEntry = { control: armed.control, ...(armed.args ? { args: armed.args } : {}), input: msg.input, channel: msg.channel, ...(msg.cc !== undefined ? { cc: msg.cc } : { note: msg.note }), ...(armed.range ? { range: armed.range } : {}) };
    this.armed = null;
    this.learned = { entry, replaced: this.set(entry) };
  }
}

/** The file of a mapping, as `parseMap` reads it back. */
export function mapFile(entries: readonly MapEntry[]): MapFile {
  return { format: MAP_FORMAT, version: MAP_VERSION, entries: entries.map((e) => ({ ...e })) };
}

/** An entry in a line: `temperature ← CC 16 (ch 1, nanoKONTROL2), 0.5 to 1.5`. */
export function entryText(e: MapEntry): string {
  const what = e.args?.length ? `${e.control}(${e.args.map((a) => JSON.stringify(a)).join(', ')})` : e.control;
  const from = e.cc !== undefined ? `CC ${e.cc}` : `note ${e.note}`;
  const where = [e.channel === undefined ? 'any channel' : `ch ${e.channel}`, e.input === undefined ? 'any input' : e.input].join(', ');
  const range = e.range ? `, ${e.range[0]} to ${e.range[1]}` : '';
  const press = isKnob(control(e.control)) ? '' : control(e.control).kind === 'toggle' ? ', a press flips it' : ', on a press';
  return `${what} ← ${from} (${where})${range}${press}`;
}

// ---- checking a file ------------------------------------------------------------------------

const FIELDS = new Set(['control', 'args', 'input', 'channel', 'cc', 'note', 'range']);
const isByte = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 127;

/** What is wrong with an entry, as "field: why", or null. */
export function entryProblem(e: unknown): string | null {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return `an entry is an object such as { "control": "temperature", "cc": 16 }, got ${JSON.stringify(e)}`;
  const x = e as Record<string, unknown>;
  const unknown = Object.keys(x).find((k) => !FIELDS.has(k));
  if (unknown) return `${unknown}: not a field of an entry; fields are ${[...FIELDS].join(', ')}`;
  if (typeof x.control !== 'string' || !CONTROLS.some((c) => c.name === x.control)) return `control: ${JSON.stringify(x.control)} is not a control; controls are ${MAPPABLE.map((c) => c.name).join(', ')}`;
  const c = control(x.control);
  const why = unmappable(c);
  if (why) return `control: ${why}`;
  if (x.input !== undefined && (typeof x.input !== 'string' || x.input === '')) return `input: ${JSON.stringify(x.input)} is not an input's name (leave it out for any input)`;
  if (x.channel !== undefined && !(Number.isInteger(x.channel) && (x.channel as number) >= 1 && (x.channel as number) <= 16)) return `channel: ${JSON.stringify(x.channel)} is not a channel; give a whole number from 1 to 16 (leave it out for any channel)`;
  if ((x.cc === undefined) === (x.note === undefined)) return `cc, note: give one of them, a CC number or a note number from 0 to 127`;
  if (x.cc !== undefined && !isByte(x.cc)) return `cc: ${JSON.stringify(x.cc)} is not a CC number; give a whole number from 0 to 127`;
  if (x.note !== undefined && !isByte(x.note)) return `note: ${JSON.stringify(x.note)} is not a note number; give a whole number from 0 to 127`;
  const knob = knobArg(c);
  if (knob && x.note !== undefined) return `note: ${c.name} turns with a knob or fader: give its cc, not a note`;
  return argsProblem(c, x.args) ?? rangeProblem(c, x.range);
}

function argsProblem(c: ControlSpec, given: unknown): string | null {
  if (given !== undefined && !Array.isArray(given)) return `args: ${JSON.stringify(given)} is not a list such as ["kick"]`;
  const list = (given ?? []) as unknown[];
  const knob = knobArg(c);
  const slots = c.args.filter((_, i) => i !== knob?.index);
  if (list.length > slots.length) return `args: ${c.name} takes ${slots.length ? slots.map((a) => a.name).join(', ') : 'nothing'} from a map${knob ? ` besides the ${knob.arg.name} the knob turns` : ''}, got ${list.length} value(s)`;
  for (let i = 0; i < slots.length; i++) {
    const a = slots[i];
    const v = list[i];
    if (v === undefined) {
      if (!a.optional) return `args: ${c.name} needs its ${a.name} (${a.description}), e.g. "args": [${a.type === 'voice' ? '"kick"' : '0'}]`;
      continue;
    }
    if (!GIVEN.includes(a.type)) return `args[${i}]: ${c.name}'s ${a.name} cannot come from a map (leave it out)`;
    if (isNumberArg(a)) {
      try {
        checkNumber(c.name, a, v);
      } catch (e) {
        return `args[${i}]: ${(e as Error).message}`;
      }
    } else if (!(typeof v === 'string' && v !== '') && !(Number.isInteger(v) && (v as number) >= 0)) return `args[${i}]: ${JSON.stringify(v)} is not a ${a.type}; give its name or index`;
  }
  return null;
}

function rangeProblem(c: ControlSpec, range: unknown): string | null {
  if (range === undefined) return null;
  const knob = knobArg(c);
  if (!knob) return `range: ${c.name} takes a press, not a knob: leave the range out`;
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number')) return `range: ${JSON.stringify(range)} is not two numbers [at 0, at 127]`;
  for (const [i, v] of range.entries()) {
    if (!inRange(knob.arg, v)) return `range[${i}]: ${v} is outside ${c.name}'s range; give ${rangeText(knob.arg)}`;
  }
  if (range[0] === range[1]) return `range: both ends are ${range[0]}: a knob over it would change nothing`;
  return null;
}

/**
 * A mapping file's entries, every one checked. Errors name the file, the entry and the field:
 * "set.json: entries[2].range[1]: 3 is outside temperature's range; give …".
 */
export function parseMap(text: string, file: string): MapEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message}); a mapping file is { "format": "${MAP_FORMAT}", "version": ${MAP_VERSION}, "entries": [...] }`);
  }
  return checkMap(data, file);
}

/** `parseMap` for a file already read as JSON. */
export function checkMap(data: unknown, file: string): MapEntry[] {
  const d = data as Partial<MapFile> | null;
  if (typeof d !== 'object' || d === null || d.format !== MAP_FORMAT) throw new Error(`${file}: format: not a pulse-rnn mapping file; it starts { "format": "${MAP_FORMAT}", "version": ${MAP_VERSION}, … }`);
  if (d.version !== MAP_VERSION) throw new Error(`${file}: version: ${JSON.stringify(d.version)} is not one this pulse-rnn reads (it reads version ${MAP_VERSION})`);
  if (!Array.isArray(d.entries)) throw new Error(`${file}: entries: give a list of entries`);
  const map = new MidiMap();
  d.entries.forEach((e, i) => {
    const problem = entryProblem(e);
    if (problem) throw new Error(`${file}: entries[${i}]${problem.startsWith('an entry') ? `: ${problem}` : `.${problem}`}`);
    const clash = map.entries.find((x) => sameControl(x, e) || sameSource(x, e));
    if (clash) throw new Error(`${file}: entries[${i}]: ${sameControl(clash, e) ? `${e.control} is mapped twice` : `${e.cc !== undefined ? `cc ${e.cc}` : `note ${e.note}`} drives two controls`} (entries[${d.entries!.indexOf(clash)}] too); keep one`);
    map.set(e);
  });
  return [...map.entries];
}
