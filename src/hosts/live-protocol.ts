/**
 * The messages between `pulse-rnn start`'s performance (Node) and the pages that watch and steer
 * it, over a WebSocket at `/live` on the page's own server. JSON, one message a frame, each with
 * its `type`; `hello` carries the protocol's `version`, and a page refuses another version.
 *
 * A performance holds one or more parts (drums, keys …), each its own model, controls and lane;
 * version 2 names the part on every step and settings message. A version 1 page (one lane, no
 * part names) is refused by its own version check, with "reload the page".
 *
 * Server → page:
 * - `hello`: once, on connecting: every part in `parts` (its name, MIDI channel, model's grid,
 *   step, settings, locks, edits, slots), the first part's also at the top level as version 1
 *   had it; the bpm and swing, and whether the page is to make the sound.
 * - `step`: every step of every part as the clock hands it out, ahead of its time, with its
 *   `part`: its notes (seconds after the step's start, seconds long), releases, and the steps
 *   ahead the grid shows; the edits too when they changed at the step (a recall took over), not
 *   only by a step passing. A part stepping once a quarter sends a step a quarter, `stepDuration`
 *   a quarter long, at the same `time` as the first part's step on that beat.
 * - `settings`: after every control that worked, from the prompt or any page, with the `part`
 *   it steered (the edits with the settings: an edit or a clear at the prompt shows on every
 *   page at once). A command of every part (store, recall …) sends one for each part.
 * - `parts`: the parts changed while the music plays (`addPart`, `removePart` at the prompt or
 *   from a page, a part made again): every part as the hello lists them, now. A part new to the
 *   page gets a lane, empty until its first step (at the next bar line); a part gone from the
 *   list has left, its notes ended: its lane goes, and the page lets its keys go.
 * - `message`: a control this page sent was refused (or news for the performer).
 *
 * Page → server: `control` (a control of the table by name, with its arguments as the prompt
 * takes them, and the `part` it steers; left out: the first part), or one of the performance's
 * `addPart` and `removePart` with the part's name alone: a page brings in the shipped chord
 * model by name (the **Keys** button sends `addPart('keys')`); a model's folder is the prompt's
 * to name, as a file to prime is.
 *
 * ```
 * {"type":"hello","version":2,"parts":[{"name":"drums","channel":10,"model":{…},"step":0,…},{"name":"keys","channel":1,…}],…}
 * {"type":"step","part":"keys","step":8,"tick":8,"time":12.5,"stepDuration":0.5,"notes":[{"note":60,…}],…}
 * {"type":"settings","part":"keys","settings":{…},"applied":{…},"locked":[],"edits":[],…}
 * {"type":"control","part":"keys","name":"temperature","args":[1.2]}
 * {"type":"control","name":"addPart","args":["keys"]}
 * {"type":"parts","parts":[{"name":"drums",…},{"name":"keys","channel":1,"every":4,…}]}
 * ```
 *
 * @example
 * const text = JSON.stringify({ type: 'control', name: 'temperature', args: [1.3] });
 * parseControl(text);   // { type: 'control', name: 'temperature', args: [1.3] }
 * parseControl('{"type":"control","name":"prime","args":["/etc/passwd"]}');   // throws: prime reads a file on the server's disk
 */
import { CONTROLS, type ControlName } from '../music/controls.js';
import type { Generator, Settings } from '../music/generator.js';
import type { EditedStep } from '../music/pending-edits.js';
import type { ModelInfo } from './web/stage.js';

export const PROTOCOL_VERSION = 2;
/** Where the socket is, on the page's server. */
export const LIVE_PATH = '/live';

/** The model's grid as a page draws it (what a page's own model load tells it), and where a page can load the model itself (relative to the page, or a URL; null when it cannot). */
export type LiveModel = Omit<ModelInfo, 'url'> & { readonly path: string | null };

/** The slots as `Generator.slots` reports them. */
export type SlotsState = Generator['slots'];

/** Everything a page shows of the controls. */
export interface LiveSettings {
  /** What the next step plays. */
  readonly settings: Settings;
  /** What plays now. */
  readonly applied: Settings;
  readonly locked: readonly string[];
  readonly bpm: number;
  /** Whether the tempo is the server's internal clock's to set (false: it follows a MIDI clock). */
  readonly bpmSettable: boolean;
  /** The internal clock's swing (0 when following a MIDI clock, which places its own steps). */
  readonly swing: number;
  /** What the pattern slots hold, and a recall waiting for its step. */
  readonly slots: SlotsState;
  /** The steps edited and still to play, as `Generator.edits` holds them (velocities in the notes where the codec has them, as `kick:40`). */
  readonly edits: readonly EditedStep[];
  /** Who made the change: the prompt, a page, or nobody (the hello). */
  readonly by: 'prompt' | 'page' | null;
}

/** One part as a page's lane shows it: the first part's fields of a version 1 hello, with its name and channel. */
export interface PartHello extends Omit<LiveSettings, 'bpm' | 'bpmSettable' | 'swing' | 'by'> {
  /** Letters and digits (`drums`, `keys`): what `step`, `settings` and `control` name it by. */
  readonly name: string;
  /** The MIDI channel (1–16) its notes go out on; null: the model's own (each note has its channel). */
  readonly channel: number | null;
  readonly model: LiveModel;
  /** The next step the part plays (its own steps: a chord part's count quarters). */
  readonly step: number;
  /** Clock steps (the first part's) one of its steps lasts: 1, or 4 for quarters beside 16ths. */
  readonly every: number;
}

export interface HelloMessage extends LiveSettings {
  readonly type: 'hello';
  readonly version: number;
  /** Every part, the first first (the top-level fields are the first part's). */
  readonly parts: readonly PartHello[];
  readonly model: LiveModel;
  /** The next step the generator plays. */
  readonly step: number;
  readonly running: boolean;
  /** Where the sound is, in words ('the page', 'MIDI output "IAC"'). */
  readonly sound: string;
  /** Whether a page plays the notes through its kit (false: a MIDI output does, and pages are silent unless asked). */
  readonly pageSounds: boolean;
}

/** One note of a step, timed in seconds from the step's start. */
export interface LiveNote {
  readonly note: number;
  readonly velocity: number;
  readonly channel: number;
  /** Seconds after the step's start (negative: early). */
  readonly at: number;
  /** Seconds it sounds; null: held until a release. */
  readonly duration: number | null;
}

export interface StepMessage {
  readonly type: 'step';
  /** Whose step. */
  readonly part: string;
  /** The generator's step (-1: paused). */
  readonly step: number;
  readonly tick: number;
  /** Seconds from when the server sent it until the step starts. */
  readonly in: number;
  /** The step's start on the server's clock (seconds), to measure how steady the arrivals are. */
  readonly time: number;
  readonly stepDuration: number;
  readonly notes: readonly LiveNote[];
  readonly releases: readonly { readonly note: number; readonly channel: number; readonly at: number }[];
  readonly paused: boolean;
  readonly muted: boolean;
  /** The steps ahead as the generator holds them now: notes per step. */
  readonly upcoming: readonly { readonly step: number; readonly notes: readonly number[] }[];
  readonly applied: Settings;
  /** A recall applies at a step: the slots change with the steps too. */
  readonly slots: SlotsState;
  /** The edits, only when they changed at this step other than by steps passing (a recall brought its own). */
  readonly edits?: readonly EditedStep[];
}

export interface SettingsMessage extends LiveSettings {
  readonly type: 'settings';
  /** Whose settings these are (bpm and swing are the whole performance's). */
  readonly part: string;
}

export interface TextMessage {
  readonly type: 'message';
  readonly level: 'error' | 'info';
  readonly text: string;
}

/** The parts as they are after one came in or left. */
export interface PartsMessage {
  readonly type: 'parts';
  /** Every part, the first first, as a hello lists them. */
  readonly parts: readonly PartHello[];
}

export type ServerMessage = HelloMessage | StepMessage | SettingsMessage | PartsMessage | TextMessage;

/** The performance's commands a page may send: a part in or out, by its name alone. */
export const PAGE_PART_COMMANDS = ['addPart', 'removePart'] as const;
export type PagePartCommand = (typeof PAGE_PART_COMMANDS)[number];

export interface ControlMessage {
  readonly type: 'control';
  readonly name: ControlName | PagePartCommand;
  readonly args: readonly unknown[];
  /** The part it steers; left out: the first part. */
  readonly part?: string;
}

/** Controls a page may not send: `prime` reads a file on the server's disk. */
const SERVER_ONLY: readonly string[] = ['prime'];

/** The table's controls a page may send, in its order. */
export const PAGE_CONTROLS: readonly ControlName[] = CONTROLS.map((c) => c.name).filter((n) => !SERVER_ONLY.includes(n));

/** A page's message, checked: throws an error naming the field when it is not a control the page may send. */
export function parseControl(text: string): ControlMessage {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new Error(`not JSON: ${text.slice(0, 60)}`);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('a message is a JSON object such as {"type":"control","name":"temperature","args":[1.2]}');
  const { type, name, args, part } = m as Record<string, unknown>;
  if (type !== 'control') throw new Error(`type must be "control", got ${JSON.stringify(type)}`);
  if (typeof name !== 'string') throw new Error(`name must be a control's name, got ${JSON.stringify(name)}`);
  if (SERVER_ONLY.includes(name)) throw new Error(`${name} reads a file on the performer's machine: type it at the prompt`);
  if ((PAGE_PART_COMMANDS as readonly string[]).includes(name)) return partCommand(name as PagePartCommand, args);
  if (!PAGE_CONTROLS.includes(name as ControlName)) throw new Error(`name: no control "${name.slice(0, 40)}"; controls are ${PAGE_CONTROLS.join(', ')}`);
  if (args !== undefined && !Array.isArray(args)) throw new Error(`args of ${name} must be a list, got ${JSON.stringify(args)}`);
  if (part !== undefined && !(typeof part === 'string' && /^[A-Za-z][A-Za-z0-9]{0,23}$/.test(part))) throw new Error(`part must be a part's name (letters and digits), got ${JSON.stringify(part).slice(0, 40)}`);
  return { type: 'control', name: name as ControlName, args: (args as unknown[] | undefined) ?? [], ...(part === undefined ? {} : { part }) };
}

/** A page's addPart or removePart: one argument, the part's name (a model's folder is read on the performer's machine: the prompt names it). */
function partCommand(name: PagePartCommand, args: unknown): ControlMessage {
  if (!Array.isArray(args) || args.length !== 1 || typeof args[0] !== 'string') throw new Error(`${name} from a page takes the part's name alone, e.g. {"name":"${name}","args":["keys"]}; a model's folder or a channel is for the prompt: ${name}('bass', 'path/to/model', 3)`);
  return { type: 'control', name, args: [args[0].slice(0, 40)] };
}

/** A hello of another version of the protocol: the page cannot follow that performance. */
export class ProtocolVersionError extends Error {}

/** A server's message as a page reads it: throws when it is not one (a `ProtocolVersionError` for a hello of another version). */
export function parseServerMessage(text: string): ServerMessage {
  const m = JSON.parse(text) as ServerMessage;
  if (typeof m !== 'object' || m === null || !['hello', 'step', 'settings', 'parts', 'message'].includes(m.type)) throw new Error(`the performance sent a message of no known type: ${text.slice(0, 60)}`);
  if (m.type === 'hello' && m.version !== PROTOCOL_VERSION) throw new ProtocolVersionError(`the performance speaks version ${m.version} of the live protocol, this page ${PROTOCOL_VERSION}: reload the page (or update pulse-rnn)`);
  return m;
}
