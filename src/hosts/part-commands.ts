/**
 * A part's commands at the prompt: `drums.temperature(1.2)`, `keys.lock(…)`, `keys.status()`.
 * A part has the control table's controls except the clock's (bpm, swing: one clock for all
 * parts), and its own status and slot files; the performance's commands (record, stop, grid,
 * quit, the MIDI mapping's, help) are the performance's alone. Unprefixed, a part's command
 * steers the first part; store, recall, undoRecall, saveSlots, loadSlots and status act on every part.
 *
 * @example
 * const keys = partObject(session, 'keys');   // { temperature(…), lock(…), … } for the prompt's context
 * keys.temperature(9);                        // prints "keys: temperature: 9 is out of range; …"
 */
import { CONTROLS } from '../music/controls.js';
import { SESSION_COMMANDS } from './prompt-commands.js';

/** The clock's controls: one clock steps every part. */
const CLOCK_CONTROLS = ['bpm', 'swing'];

/** What `keys.` offers: the table's controls but the clock's, then a part's own session commands. */
export const PART_COMMANDS: readonly string[] = [...CONTROLS.map((c) => c.name).filter((n) => !CLOCK_CONTROLS.includes(n)), 'status', 'saveSlots', 'loadSlots'];

/** The performance's commands, which no part has. */
export const SESSION_ONLY: readonly string[] = [...CLOCK_CONTROLS, ...SESSION_COMMANDS.map((c) => c[0]).filter((n) => !PART_COMMANDS.includes(n))];

/** Commands that act on every part when typed without a part's name. */
export const EVERY_PART: readonly string[] = ['store', 'recall', 'undoRecall', 'saveSlots', 'loadSlots', 'status'];

/**
 * Why `part.command(…)` cannot run, as a command's name and its problem (`taken`: the parts
 * there are, when `part` is none of them); null when it can.
 */
export function partRefusal(part: string, command: string, taken: readonly string[] | null): [string, string] | null {
  if (taken) return [part, `no part named '${part}'; parts are ${taken.join(', ')}`];
  if (PART_COMMANDS.includes(command)) return null;
  return [`${part}.${command}`, `is not a part's command; ${SESSION_ONLY.includes(command) ? `${command}() is the whole performance's` : `a part's commands are ${PART_COMMANDS.join(', ')}`}`];
}

/** What runs a part's command (LiveSession). */
export interface PartCommandRunner {
  partCommand(part: string, command: string, args: readonly unknown[]): unknown;
}

/** One part's commands as an object of functions, for the prompt's context (Tab completes them). */
export function partObject(session: PartCommandRunner, part: string): Record<string, (...args: unknown[]) => unknown> {
  const o: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of PART_COMMANDS) {
    Object.defineProperty(o, name, { value: (...args: unknown[]) => session.partCommand(part, name, args), enumerable: true });
  }
  // the performance's own, typed on a part: said plainly, not "is not a function"
  for (const name of SESSION_ONLY) {
    Object.defineProperty(o, name, { value: (...args: unknown[]) => session.partCommand(part, name, args), enumerable: false });
  }
  return Object.freeze(o);
}

/** What `help()` adds when a performance has more than one part. */
export function partsHelp(names: readonly string[]): string {
  const [first, other = first] = names;
  return [
    '',
    `Parts: ${names.join(', ')}. A part's commands name it: ${other}.temperature(1.2), ${other}.lock(…), ${other}.status() (Tab after ${other}. lists them).`,
    `Without a part's name a control steers the first part (${first}); store, recall, undoRecall, saveSlots, loadSlots and status act on every part; bpm, swing, record, stop, grid and quit on the whole performance; addPart and removePart bring a part in and take it out.`,
  ].join('\n');
}
