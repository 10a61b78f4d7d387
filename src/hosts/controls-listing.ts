/**
 * `pulse-rnn controls [--json]`: the control table as a performer or a script reads it.
 *
 * The JSON is `{ format: 'pulse-rnn-controls', version: 1, controls: [...] }`, one entry a
 * control, with these fields (stable: a field is only ever added):
 *
 * - `name`, `label`, `kind` ('value' | 'toggle' | 'trigger' | 'command'), `description`, `example`
 * - `args`: `{ name, type, description, optional, min?, max?, minExclusive?, step?, unit?, default?, range? }`
 *   (`range` is the range in words, as error messages give it)
 * - `applies` ('next step' | 'next pulse' | 'after the phrase is read'), `logged`, `owner`
 * - `pair`: the toggle that undoes it, or null
 * - `max`: its Max message; `flag`: its command-line flag, or null
 * - `keys`: `{ key, action }` on the web page
 *
 * @example
 * const { controls } = controlsJson();
 * controls.find((c) => c.name === 'topP')?.flag;   // '--top-p'
 */
import { CONTROLS, flagName, isNumberArg, maxName, rangeText, type ControlArg, type ControlSpec } from '../music/controls.js';
import { START_CONTROLS } from './control-flags.js';
import { whenText } from './prompt-commands.js';

export interface ListedArg {
  name: string;
  type: string;
  description: string;
  optional: boolean;
  min?: number;
  max?: number;
  minExclusive?: boolean;
  step?: number;
  unit?: string;
  default?: number;
  range?: string;
}

export interface ListedControl {
  name: string;
  label: string;
  kind: string;
  description: string;
  example: string;
  args: ListedArg[];
  applies: string;
  logged: string;
  owner: string;
  pair: string | null;
  max: string;
  flag: string | null;
  keys: { key: string; action: string }[];
}

export interface ControlsListing {
  format: 'pulse-rnn-controls';
  version: 1;
  controls: ListedControl[];
}

const hasFlag = (c: ControlSpec) => (START_CONTROLS as readonly string[]).includes(c.name);

function listArg(a: ControlArg): ListedArg {
  const out: ListedArg = { name: a.name, type: a.type, description: a.description, optional: a.optional ?? false };
  if (!isNumberArg(a)) return out;
  Object.assign(out, { min: a.min, max: a.max, step: a.step, range: rangeText(a) });
  if (a.minExclusive) out.minExclusive = true;
  if (a.unit !== undefined) out.unit = a.unit;
  if (a.default !== undefined) out.default = a.default;
  return out;
}

/** The table as JSON, with each host's spelling of each control. */
export function controlsJson(): ControlsListing {
  return {
    format: 'pulse-rnn-controls',
    version: 1,
    controls: CONTROLS.map((c) => ({
      name: c.name,
      label: c.label,
      kind: c.kind,
      description: c.description,
      example: c.example,
      args: c.args.map(listArg),
      applies: c.applies,
      logged: c.logged,
      owner: c.owner,
      pair: c.pair ?? null,
      max: maxName(c),
      flag: hasFlag(c) ? flagName(c) : null,
      keys: (c.keys ?? []).map(([key, action]) => ({ key, action })),
    })),
  };
}

/** The table for reading: a block a control. */
export function controlsText(): string {
  return controlsJson()
    .controls.map((c) => {
      const args = c.args.map((a) => {
        const what = a.range ?? a.type;
        const dflt = a.default !== undefined ? `, default ${a.default}` : '';
        return `    ${a.name}${a.optional ? ' (optional)' : ''}: ${what}${dflt}; ${a.description}`;
      });
      const where = [`Max: ${c.max}`, ...(c.flag ? [`flag: ${c.flag}`] : []), ...(c.keys.length ? [`keys: ${c.keys.map((k) => `${k.key} ${k.action}`).join(', ')}`] : [])];
      return [`${c.example}  ${c.description}`, ...args, `    applies ${whenText(c.applies as ControlSpec['applies'])}; logged as ${c.logged}`, `    ${where.join(' · ')}`].join('\n');
    })
    .join('\n\n');
}
