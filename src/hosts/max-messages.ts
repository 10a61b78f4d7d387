/**
 * The Max script's messages, read from the control table: each control is one message named
 * by `maxName` (`topp`, `clearedit`), and its atoms are counted and checked against the
 * control's arguments here. No Max globals, so Node code (the README check) reads it too.
 *
 * Atoms map onto arguments in order, one each, except a list (`notes`, `pattern`) or a path
 * (`phrase`), which takes the atoms that follow. An optional argument after a list is given
 * by name: `lock kick 1 0 0 0 … bars 2`, or `lock kick bars 2` without a pattern.
 *
 * @example
 * const topp = maxControl('topp')!;     // the topP control
 * parseAtoms(topp, [0.9]);              // [0.9]
 * parseAtoms(topp, [5]);                // throws "topP: 5 is out of range; give a number above 0 …"
 * usage(topp);                          // 'topp f'
 */
import { CONTROLS, MAX_EDIT_AHEAD, checkNumber, isNumberArg, maxName, rangeText, type ControlArg, type ControlSpec } from '../music/controls.js';

/** What Max hands a handler: numbers and symbols. */
export type Atom = number | string;

/** An argument as parsed: one atom, a list of atoms, a path, or nothing (an optional one left out). */
export type Parsed = Atom | Atom[] | undefined;

/** The messages the script answers itself, besides the table's controls. */
export const HOST_MESSAGES = ['bang', 'get', 'load', 'flush'] as const;

const BY_MESSAGE = new Map<string, ControlSpec>(CONTROLS.map((c) => [maxName(c), c]));

/** The control a Max message runs. */
export const maxControl = (message: string): ControlSpec | undefined => BY_MESSAGE.get(message);

/** Every message name, as the unknown-message error and the inlet's assist list them. */
export const MESSAGE_NAMES: readonly string[] = ['bang', ...CONTROLS.map(maxName), 'get', 'load', 'flush'];

/** The value controls the Generator owns; outlet 1 reports each by its message name. */
export const SETTING_CONTROLS: readonly ControlSpec[] = CONTROLS.filter((c) => c.kind === 'value' && c.owner === 'generator');

const takesRest = (a: ControlArg) => a.type === 'notes' || a.type === 'pattern' || a.type === 'phrase';

/** Fewest and most atoms a control's message takes. */
function atomCount(c: ControlSpec): [number, number] {
  let min = 0;
  let max = 0;
  for (const a of c.args) {
    // notes may be none at all: `edit 40` silences step 40
    if (!a.optional && a.type !== 'notes') min++;
    max = takesRest(a) ? Infinity : max + 1;
  }
  return [min, max];
}

function countProblem(c: ControlSpec, n: number): string | null {
  const [min, max] = atomCount(c);
  if (n >= min && n <= max) return null;
  if (max === 0) return 'takes no values';
  if (max === Infinity) return `takes at least ${min} value(s), got ${n}`;
  return min === max ? `takes ${min} value(s), got ${n}` : `takes ${min} to ${max} values, got ${n}`;
}

function checked(c: ControlSpec, a: ControlArg, v: Atom): Atom {
  if (isNumberArg(a)) checkNumber(c.name, a, v);
  return v;
}

/**
 * The message's atoms as the control's arguments, one entry per argument. Numbers are
 * checked against the table's ranges; the rest (voices, heads, notes) the Generator checks.
 */
export function parseAtoms(c: ControlSpec, atoms: readonly Atom[]): Parsed[] {
  const problem = countProblem(c, atoms.length);
  if (problem) throw new Error(problem);
  const out: Parsed[] = new Array(c.args.length).fill(undefined);
  let at = 0;
  for (let i = 0; i < c.args.length && at < atoms.length; i++) {
    const a = c.args[i];
    if (!takesRest(a)) {
      out[i] = checked(c, a, atoms[at++]);
      continue;
    }
    const later = c.args.slice(i + 1);
    const named = (x: Atom) => later.findIndex((l) => l.name === x);
    let end = at;
    while (end < atoms.length && named(atoms[end]) < 0) end++;
    const run = atoms.slice(at, end);
    // a path with spaces arrives as several atoms
    out[i] = a.type === 'phrase' ? run.map(String).join(' ') : run.length || !a.optional ? run : undefined;
    for (at = end; at < atoms.length; at += 2) {
      const j = named(atoms[at]);
      if (j < 0) throw new Error(`${String(atoms[at])} after ${later.map((l) => l.name).join(' or ')}: give each as its name and value`);
      if (at + 1 >= atoms.length) throw new Error(`${later[j].name} needs a value after it`);
      out[i + 1 + j] = checked(c, later[j], atoms[at + 1]);
    }
    break;
  }
  c.args.forEach((a, i) => {
    if (a.type === 'notes' && out[i] === undefined) out[i] = [];
  });
  return out;
}

/**
 * An upcoming step from an atom: its number, or the symbol `+N` for N steps after `next`,
 * at most `MAX_EDIT_AHEAD` ahead.
 */
export function stepOf(c: ControlSpec, v: Parsed, next: number): number {
  let step: number;
  if (typeof v === 'number' && Number.isSafeInteger(v)) step = v;
  else if (typeof v === 'string' && /^\+\d+$/.test(v)) step = next + Number(v.slice(1));
  else throw new Error(`${c.name}: step ${JSON.stringify(v)} is not a step; give a whole number (the next step is ${next}) or +N for N steps ahead`);
  if (step > next + MAX_EDIT_AHEAD) throw new Error(`${c.name}: step ${step} is more than ${MAX_EDIT_AHEAD} steps ahead (the next step is ${next})`);
  return step;
}

/** An argument as Max reference pages show one: `f`, `i`, a name; `[…]` when it may be left out. */
function argUsage(a: ControlArg, afterList: boolean): string {
  const shown = isNumberArg(a) ? (a.type === 'integer' ? 'i' : 'f') : a.type === 'notes' || a.type === 'pattern' ? `${a.name}…` : a.name;
  if (afterList) return `[${a.name} ${shown === a.name ? 'n' : shown}]`;
  return a.optional ? `[${shown}]` : shown;
}

/** The message as typed in a message box: `temperature f [head]`, `lock voice [pattern…] [bars n]`. */
export function usage(c: ControlSpec): string {
  const list = c.args.findIndex(takesRest);
  return [maxName(c), ...c.args.map((a, i) => argUsage(a, list >= 0 && i > list))].join(' ');
}

/** The table's description in Max's words: `resume()` is the message `resume`. */
const inMaxWords = (text: string) => text.replace(/\b([a-zA-Z]+)\(\)/g, (_, name: string) => `\`${BY_MESSAGE.has(name.toLowerCase()) ? name.toLowerCase() : name}\``);

/** One row of the README's message table: usage, each argument (a number's range as `rangeText` says it), what it does, when it applies. */
export function readmeRow(c: ControlSpec): string {
  const args = c.args.map((a) => `${a.name}: ${isNumberArg(a) ? `${rangeText(a)} — ${a.description}` : inMaxWords(a.description)}`).join('; ') || '—';
  return `| \`${usage(c)}\` | ${args} | ${inMaxWords(c.description)} | ${c.applies} |`;
}

/** The inlet's assist text. */
export const inletAssist = (): string => `bang: one 16th of the clock; ${MESSAGE_NAMES.filter((n) => n !== 'bang').join(', ')}`;

/** The state outlet's assist text: the settings it reports, by message name, and the rest. */
export const stateAssist = (): string =>
  `state: step n, ${SETTING_CONTROLS.map(usage).join(', ')}, tempo f, swing f, paused 0/1, muted 0/1, primed n, loaded folder, error text`;
