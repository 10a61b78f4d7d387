/**
 * The command line's starting-value flags (`--seed`, `--temperature`, `--top-p`, `--density`,
 * `--dynamics`, `--timing`, `--bpm`, `--swing`), built from the control table: the flag's name by `flagName`, its check by
 * `checkValue`, its help from the table's description of its value and range, its default from the table.
 * `generate`, `play` and `start` take them alike, so none can drift from the prompt or the page.
 *
 * @example
 * addStartFlags(program.command('play'), ['seed', 'temperature', 'topP', 'density', 'bpm']);
 * // pulse-rnn play --top-p 0.9      → { topP: 0.9, temperature: 1, … }
 * // pulse-rnn play --top-p 0        → "--top-p must be a number above 0 (only the likeliest), up to 1 (everything), got '0'"
 */
import { InvalidArgumentError, type Command } from 'commander';
import { checkValue, control, flagName, rangeText, valueArg } from '../music/controls.js';

/** The value controls a performance starts from. */
export const START_CONTROLS = ['seed', 'temperature', 'topP', 'density', 'dynamics', 'timing', 'bpm', 'swing'] as const;
export type StartControl = (typeof START_CONTROLS)[number];

/** A flag with what a command says about it beyond the table: no default (`null`), or a note. */
export interface StartFlag {
  name: StartControl;
  /** `null`: no default (the command chooses, e.g. a new seed each time); else the table's. */
  default?: null;
  /** Said after the table's description, e.g. "written to the file". */
  note?: string;
}

/** The parser of a control's flag: a number in the table's range, or a message naming both. */
export function parseFlag(name: StartControl): (text: string) => number {
  const flag = flagName(control(name));
  return (text) => {
    const v = Number(text);
    try {
      if (text.trim() === '') throw new Error('empty');
      checkValue(name, v);
    } catch {
      throw new InvalidArgumentError(`${flag} must be ${rangeText(valueArg(name))}, got '${text}'`);
    }
    return v;
  };
}

/** The flag's help: what the control's value is, and its range (commander adds the default). */
export function flagHelp(name: StartControl, note?: string): string {
  const a = valueArg(name);
  return `${a.description}${note ? ` (${note})` : ''}: ${rangeText(a)}`;
}

/** Add each control's starting-value flag to `cmd`, in the order given. */
export function addStartFlags(cmd: Command, flags: readonly (StartControl | StartFlag)[]): Command {
  for (const f of flags) {
    const { name, default: none, note } = typeof f === 'string' ? ({ name: f } as StartFlag) : f;
    const arg = valueArg(name);
    const option = `${flagName(control(name))} <${arg.type === 'integer' ? 'n' : 'x'}>`;
    if (none === null) cmd.option(option, flagHelp(name, note), parseFlag(name));
    else cmd.option(option, flagHelp(name, note), parseFlag(name), arg.default as number);
  }
  return cmd;
}
