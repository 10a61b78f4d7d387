/**
 * The prompt's commands: the performer's controls as the control table defines them (name,
 * arguments, range, example, description), and the session's own few commands that are no
 * performance control (record, stop, the parts' addPart and removePart, grid, status, the MIDI
 * mapping's learn, map, unmap and saveMap, help, quit). `help()`, Tab completion and every argument check of the live session
 * read this, so the prompt cannot drift from the page, the Max script or the command line. The
 * checks of the other arguments (steps, notes, files, a phrase read while the music plays) are
 * here too, each failing as one line.
 *
 * @example
 * commandNames();                 // ['temperature', 'topP', …, 'record', …, 'quit']
 * usageOf('topP');                // 'topP(0.9)'
 * numberArg('temperature', 3);    // throws "3 is out of range; give a number from 0 (always the likeliest) to 2 (wildest)"
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readMidi, type MidiSong } from '../io/midi-read.js';
import { MAX_MIDI_BYTES, checkUserFile } from '../io/user-file.js';
import type { Codec } from '../music/codec.js';
import type { Generator } from '../music/generator.js';
import { parseNoteName } from './step-display.js';
import { CONTROLS, MAX_EDIT_AHEAD, checkValue, control, inRange, isNumberArg, rangeText, scaleArg, valueArg, type ControlName, type ControlSpec, type NumberArg } from '../music/controls.js';
import { drumVoice } from '../music/voice-bias.js';

/** A problem with a command's arguments: reported as one line, never thrown past the session. */
export class CommandError extends Error {}

/** The table's controls the prompt offers, in the table's order. */
export const PROMPT_CONTROLS: readonly ControlSpec[] = CONTROLS;

/** A command of the session itself, not a performance control: `[name, usage, what it does]`. */
export type SessionCommand = readonly [name: string, usage: string, what: string];

export const SESSION_COMMANDS: readonly SessionCommand[] = [
  ['record', "record('set.mid')", 'record to a MIDI file and its log (set.mid.log.json); record() again writes them; never over another take (set-2.mid …)'],
  ['stop', 'stop()', 'end the recording and write it'],
  ['saveSlots', "saveSlots('set.slots.json')", 'write the pattern slots to a file'],
  ['loadSlots', "loadSlots('set.mid.slots.json')", "replace the pattern slots with a file's (stored with this model), from the next step; logged, so a replay has them"],
  ['addPart', "addPart('keys')", "bring in a part at the next bar line: addPart('keys') the shipped chord model, addPart('bass', 'path/to/model', 3) a model folder or URL on MIDI channel 3 (default: the lowest channel free)"],
  ['removePart', "removePart('keys')", 'take a part out: its notes end, the others play on (not the first part)'],
  ['grid', 'grid(false)', 'show or hide the step grid; grid() toggles'],
  ['status', 'status()', 'where the music is and what every control is set to'],
  ['learn', "learn('temperature')", "map the next knob moved (or pad pressed) on a MIDI input to a control; learn('velocityScale', 'kick') names its voice; learn() cancels"],
  ['map', 'map()', 'list the MIDI mapping: each control and the CC or note that drives it'],
  ['unmap', "unmap('temperature')", "remove a control's MIDI mapping"],
  ['saveMap', "saveMap('set.json')", 'write the MIDI mapping to a file that --map reads'],
  ['help', 'help()', 'this list'],
  ['quit', 'quit()', 'stop cleanly: the last step plays out, every note ends, outputs close'],
];

/** Every name the prompt defines: the table's controls, then the session's commands. */
export function commandNames(): string[] {
  return [...PROMPT_CONTROLS.map((c) => c.name), ...SESSION_COMMANDS.map((c) => c[0])];
}

/** A call as typed at the prompt: the table's example, or the session command's usage. */
export function usageOf(name: string): string {
  const c = PROMPT_CONTROLS.find((x) => x.name === name);
  if (c) return c.example;
  return SESSION_COMMANDS.find((x) => x[0] === name)?.[1] ?? `${name}()`;
}

/** What `help()` prints about a control: its description, its range, and when it applies. */
export function controlHelp(c: ControlSpec): string {
  // the number a control takes, wherever it comes (velocityScale names its voice first)
  const a = c.args.find(isNumberArg);
  const range = a ? `; ${rangeText(a)}${a.optional ? ', or none' : ''}` : '';
  const reads = c.kind === 'value' ? `; ${c.name}() shows it` : '';
  // most controls apply at the next step, as help() says once; only the others say when
  return `${c.description}${range}${reads}${c.applies === 'next step' ? '' : ` (${whenText(c.applies)})`}`;
}

/** When a control applies, as a sentence ends: "from the next step", "after the phrase is read". */
export function whenText(applies: ControlSpec['applies']): string {
  return applies.startsWith('next ') ? `from the ${applies}` : applies;
}

/** The lines of `help()`: the controls from the table, then the session's commands. */
export function helpText(): string {
  const rows: [string, string][] = [...PROMPT_CONTROLS.map((c): [string, string] => [c.example, controlHelp(c)]), ...SESSION_COMMANDS.map(([, usage, what]): [string, string] => [usage, what])];
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([usage, what]) => `${usage.padEnd(width)}  ${what}`);
  lines.splice(PROMPT_CONTROLS.length, 0, '');
  return ['The controls apply from the next step the model plays, unless said:', ...lines].join('\n');
}

// ---- argument checks ------------------------------------------------------------------------

/**
 * A value control's value as typed: a number (a whole one for seeds) in the table's range.
 * The message names the value and the range, as the page and the Max script tell it.
 */
export function numberArg(name: ControlName, v: unknown): number {
  const a = valueArg(name);
  if (typeof v !== 'number' || Number.isNaN(v)) throw new CommandError(`${show(v)} is not a number; give ${rangeText(a)}`);
  if (a.type === 'integer' && Number.isFinite(v) && !Number.isInteger(v)) throw new CommandError(`${show(v)} is not a whole number; give ${rangeText(a)}`);
  try {
    checkValue(name, v);
  } catch {
    throw new CommandError(`${show(v)} is out of range; give ${rangeText(a)}`);
  }
  return v;
}

/** A velocity scale as typed: a number in the range of velocityScale's scale (the session names the control). */
export function scaleArgOf(v: unknown): number {
  return voiceNumberOf('velocityScale', scaleArg(), v);
}

/** The number after a voice (velocityScale's scale, voiceDensity's amount), in its range. */
export function voiceNumberOf(name: ControlName, a: NumberArg, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new CommandError(`${a.name}: ${show(v)} is not a number; give ${rangeText(a)}, e.g. ${control(name).example}`);
  if (!inRange(a, v)) throw new CommandError(`${a.name}: ${show(v)} is out of range; give ${rangeText(a)}`);
  return v;
}

/** A drum voice as typed for voiceDensity, leaveOut or bringBack: by name or index; a model without drum voices refuses. */
export function drumVoiceOf(name: 'voiceDensity' | 'leaveOut' | 'bringBack', voice: unknown, codec: Codec): string {
  const voices = codec.voices;
  if (voices.length > 0 && voice === undefined) throw new CommandError(`name a voice, e.g. ${usageOf(name)}; voices are ${voices.join(', ')}`);
  if (voice !== undefined && typeof voice !== 'string' && typeof voice !== 'number') throw new CommandError(`${show(voice)} is not a voice; voices are ${voices.join(', ') || '(none)'}`);
  return voices[drumVoice(codec, name, (voice ?? 0) as string | number)];
}

/** An upcoming step as typed: its number, or '+N' for N steps after `next`. */
export function stepArg(step: unknown, next: number, name: 'edit' | 'clearEdit'): number {
  let at: number;
  if (typeof step === 'string' && /^\+\d+$/.test(step.trim())) at = next + Number(step.trim().slice(1));
  else if (typeof step === 'number' && Number.isInteger(step)) at = step;
  else throw new CommandError(`step ${show(step)} is not a step; give a whole number (the next step is ${next}) or '+N' for N steps ahead, e.g. ${control(name).example}`);
  if (at < next) throw new CommandError(`step ${at} has already played (the next step is ${next})`);
  if (at > next + MAX_EDIT_AHEAD) throw new CommandError(`step ${at} is more than ${MAX_EDIT_AHEAD} steps ahead (the next step is ${next})`);
  return at;
}

/** A step number to play next, as `locate` takes it. */
export function positionArg(step: unknown): number {
  const a = control('locate').args[0];
  if (!isNumberArg(a)) throw new Error('locate takes a step number');
  if (!(typeof step === 'number' && Number.isSafeInteger(step) && step >= a.min)) throw new CommandError(`step ${show(step)} is not a step number; give ${rangeText(a)}, e.g. ${control('locate').example}`);
  return step;
}

/** A file named at the prompt, resolved from `cwd`; `hint` says what to give when it is missing. */
export function fileArg(file: unknown, cwd: string, hint: string): string {
  if (file === undefined) throw new CommandError(hint);
  if (typeof file !== 'string' || file.trim() === '') throw new CommandError(`${show(file)} is not a file name; ${hint}`);
  return resolve(cwd, file);
}

/** The MIDI file at `path` (`name` as typed), read without holding up the music for long. */
export async function readMidiArg(path: string, name: string): Promise<MidiSong> {
  // a pipe would hold the prompt forever, /dev/zero would fill the memory of a live set;
  // a path that is not there at all is the read's to report
  if (existsSync(path)) {
    try {
      checkUserFile(path, MAX_MIDI_BYTES, 'a MIDI file');
    } catch (e) {
      throw new CommandError(errorText(e));
    }
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new CommandError(`cannot read ${show(name)} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
  }
  return readMidi(new Uint8Array(bytes), name);
}

const reading = new WeakSet<Generator>();

/**
 * Read the prime `gen` was given between its steps, a few events a turn of the event loop, so
 * the steps that take it in have next to nothing left to read (until it is read or `stopped()`).
 * When it takes effect does not change.
 */
export function readWhilePlaying(gen: Generator, stopped: () => boolean): void {
  if (reading.has(gen)) return;
  reading.add(gen);
  const turn = () => {
    if (stopped() || !gen.priming) return void reading.delete(gen);
    // 16 events: about 4 ms of the shipped model, well inside the clock's 25 ms wake-ups
    if (gen.readAhead(16)) setImmediate(turn);
    else setTimeout(turn, 5); // queued, not applied yet (or all read, waiting for its tick)
  };
  setImmediate(turn);
}

/** A note of an edit: drum voices and notes pass as they are; melodic models also take 'C4'. */
export function noteArg(n: unknown, codec: Codec): number | string {
  if (typeof n === 'number') {
    if (!(Number.isInteger(n) && n >= 0 && n < 128)) throw new CommandError(`note ${show(n)} is not a MIDI note (0..127)`);
    return n;
  }
  if (typeof n !== 'string') throw new CommandError(`note ${show(n)} is neither a name nor a MIDI note`);
  if (codec.voices.length === 0) return parseNoteName(n) ?? n;
  return n;
}

/** A value as the performer typed it: strings quoted, numbers as numbers, the rest as JSON. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return v.toString();
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = undefined;
  }
  text ??= String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
