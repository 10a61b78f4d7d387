/**
 * The command line's parts: `--part name=model[@channel]`, given once a part
 * (`--part drums=weights/drums-expressive --part keys=weights/chords-jsb@2`), and `--keys`, which
 * adds a keys part with the shipped chord model on MIDI channel 1. What commander hands over is
 * checked here; a problem names the flag and the value.
 *
 * @example
 * parsePartFlag('keys=weights/chords-jsb@2');        // { name: 'keys', model: 'weights/chords-jsb', channel: 2 }
 * collectParts('drums=weights/drums-gmd', []);        // [{ name: 'drums', … }]
 * performanceParts({ model: 'weights/drums-gmd', parts: [], keys: true }, 'weights/chords-jsb');
 * collectPartOuts('keys=IAC Driver Bus 2', []);      // [{ name: 'keys', port: 'IAC Driver Bus 2' }]
 */
import { InvalidArgumentError } from 'commander';

/** A part as the command line names it. */
export interface PartFlag {
  name: string;
  model: string;
  /** MIDI channel 1–16, or null: the model's own. */
  channel: number | null;
}

/** A part's name as the prompt can hold it (`checkPartName` says the rest). */
const PART_NAME = /^[A-Za-z][A-Za-z0-9]{0,23}$/;

/** The MIDI channel `--keys` plays on: the first, beside the drums' 10th. */
export const KEYS_CHANNEL = 1;

export const PART_HELP = 'a part: NAME=MODEL, or NAME=MODEL@CHANNEL (1-16); give one a part, the first first (--part drums=weights/drums-expressive --part keys=weights/chords-jsb@2); at the prompt keys.temperature(1.2) steers one';

/** `name=model[@channel]`, checked. */
export function parsePartFlag(value: string): PartFlag {
  const m = /^([^=]*)=(.+?)(?:@(\d+))?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`--part must be NAME=MODEL or NAME=MODEL@CHANNEL, got '${value}'`);
  const [, name, model, ch] = m;
  if (!PART_NAME.test(name)) throw new InvalidArgumentError(`--part ${value}: the name '${name}' must be a letter then letters or digits (e.g. keys)`);
  const channel = ch === undefined ? null : Number(ch);
  if (channel !== null && !(channel >= 1 && channel <= 16)) throw new InvalidArgumentError(`--part ${value}: channel ${ch} is not a MIDI channel; give 1 to 16`);
  return { name, model, channel };
}

/** A part's own MIDI output, as `--part-out NAME=PORT` names it. */
export interface PartOutFlag {
  name: string;
  port: string;
}

export const PART_OUT_HELP = "a part's own MIDI output, NAME=PORT (found as --out finds one; pulse-rnn-NAME makes a virtual one), once a part; the other parts play to --out";

export const VIRTUAL_PARTS_HELP = 'each part its own virtual MIDI output, pulse-rnn-NAME (pulse-rnn-drums, pulse-rnn-keys), rather than one pulse-rnn with a channel a part';

/** commander's collector for `--part-out`, given once a part. */
export function collectPartOuts(value: string, previous: PartOutFlag[] | undefined): PartOutFlag[] {
  const m = /^([^=]*)=(.*)$/.exec(value.trim());
  const port = m?.[2].trim().replace(/^(["'])(.*)\1$/, '$2').trim();
  if (!m || !port) throw new InvalidArgumentError(`--part-out must be NAME=PORT (e.g. keys="IAC Driver Bus 2"), got '${value}'`);
  const name = m[1].trim();
  if (!PART_NAME.test(name)) throw new InvalidArgumentError(`--part-out ${value}: '${name}' is not a part's name (a letter then letters or digits)`);
  if (previous?.some((p) => p.name === name)) throw new InvalidArgumentError(`--part-out ${value}: part '${name}' is given an output twice`);
  return [...(previous ?? []), { name, port }];
}

/** Each `--part-out` names a part there is; throws naming the flag and the parts. */
export function checkPartOuts(outs: readonly PartOutFlag[], names: readonly string[]): void {
  for (const o of outs) if (!names.includes(o.name)) throw new Error(`--part-out ${o.name}=${o.port}: there is no part named '${o.name}'; the parts are ${names.join(', ')}`);
}

/** commander's collector for `--part`, given more than once. */
export function collectParts(value: string, previous: PartFlag[] | undefined): PartFlag[] {
  const part = parsePartFlag(value);
  if (previous?.some((p) => p.name === part.name)) throw new InvalidArgumentError(`--part ${value}: a part named '${part.name}' is given twice`);
  return [...(previous ?? []), part];
}

/**
 * The first part's model and the other parts: `--model` (or the shipped drums, unnamed) first
 * when no `--part` is given or `--model` is, then the `--part`s, then `--keys` (the shipped chord
 * model, or the model it names).
 */
export function performanceParts(o: { model?: string; parts?: PartFlag[]; keys?: boolean | string }, drums: string, chords: string): { first: { model: string; name?: string; channel: number | null }; others: PartFlag[] } {
  const given = [...(o.parts ?? [])];
  const first = o.model !== undefined || given.length === 0 ? { model: o.model ?? drums, channel: null } : (given.shift() as PartFlag);
  if (o.keys) {
    if ([first, ...given].some((p) => 'name' in p && p.name === 'keys')) throw new InvalidArgumentError("--keys adds a part named keys, and a --part is named keys already; leave one out");
    given.push({ name: 'keys', model: typeof o.keys === 'string' ? o.keys : chords, channel: KEYS_CHANNEL });
  }
  return { first, others: given };
}
