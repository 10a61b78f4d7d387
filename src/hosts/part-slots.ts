/**
 * The pattern slots of every part at once: `store(1)` stores each part's performance, `recall(1)`
 * brings each part's back at its place in the bar (the parts' bars are the clock's, so they come
 * in together), and a slot file holds every part's slots by name (`pulse-rnn-part-slots`); a
 * one-part file of before loads into the first part. Each line names the part it is about.
 *
 * @example
 * storeEvery(session.parts, 1);                         // 'drums: slot 1 stores … \nkeys: slot 1 stores …'
 * recallEvery(session.parts, 1, undefined);             // each part at its next bar line
 * await saveEverySlots(session.parts, 'set.slots.json', cwd);
 */
import { readFile } from 'node:fs/promises';
import { writeAtomic } from '../io/atomic-file.js';
import { checkUserFile } from '../io/user-file.js';
import { partSlotSets, type PartSlotsFile } from '../music/parts.js';
import type { SlotSetFile } from '../music/slots-file.js';
import type { Part } from './part.js';
import { CommandError, errorText, fileArg, show } from './prompt-commands.js';
import { recallCommand, storeCommand, undoRecallCommand } from './slot-commands.js';

/** As a one-part slot file may be. */
const MAX_SLOTS_BYTES = 64 * 1024 * 1024;

/** Runs `run` on every part, each line naming its part; a part's problem is its line, the others still run. Throws only when every part failed. */
function everyPart(parts: readonly Part[], run: (p: Part) => string): string {
  const lines: string[] = [];
  let failed = 0;
  for (const p of parts) {
    try {
      lines.push(`${p.name}: ${run(p)}`);
    } catch (e) {
      failed++;
      lines.push(`${p.name}: ${errorText(e)}`);
    }
  }
  if (failed === parts.length) throw new CommandError(lines.join('\n'));
  return lines.join('\n');
}

export const storeEvery = (parts: readonly Part[], slot: unknown): string => everyPart(parts, (p) => storeCommand(p.generator, slot));
export const recallEvery = (parts: readonly Part[], slot: unknown, when: unknown): string => everyPart(parts, (p) => recallCommand(p.generator, slot, when));
export const undoRecallEvery = (parts: readonly Part[], when: unknown): string => everyPart(parts, (p) => undoRecallCommand(p.generator, when));

/** Every part's slots as one file's JSON (none when no part holds a groove). */
export function everySlotSet(parts: readonly Part[]): PartSlotsFile | null {
  const filled = parts.filter((p) => p.generator.slots.filled.length > 0);
  if (filled.length === 0) return null;
  return { format: 'pulse-rnn-part-slots', version: 1, parts: Object.fromEntries(filled.map((p) => [p.name, p.generator.slotSet()])) };
}

/** Write every part's slots to `file`. */
export async function saveEverySlots(parts: readonly Part[], file: unknown, cwd: string): Promise<string> {
  const path = fileArg(file, cwd, "name a file to save the slots to, e.g. saveSlots('set.slots.json')");
  const set = everySlotSet(parts);
  if (!set) throw new CommandError('no slot of any part holds a groove yet; store(1) first');
  try {
    await writeAtomic(path, JSON.stringify(set));
  } catch (e) {
    throw new CommandError(`cannot write ${show(file)} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
  }
  return `wrote the slots of ${Object.keys(set.parts).join(', ')} to ${String(file)}`;
}

/** Read a slot file into the parts it names (a one-part file: the first part), each checked against its model. */
export async function loadEverySlots(parts: readonly Part[], file: unknown, cwd: string): Promise<string> {
  const path = fileArg(file, cwd, "name a slot file, e.g. loadSlots('set.mid.slots.json')");
  let json: unknown;
  try {
    checkUserFile(path, MAX_SLOTS_BYTES, 'a slot file');
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new CommandError(`cannot read ${show(file)} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
  }
  let sets: Map<string, unknown>;
  try {
    sets = partSlotSets(json, String(file), parts[0].name);
  } catch (e) {
    throw new CommandError(errorText(e));
  }
  const unknown = [...sets.keys()].filter((name) => !parts.some((p) => p.name === name));
  if (unknown.length) throw new CommandError(`${String(file)}: no part named ${unknown.map((n) => `'${n}'`).join(', ')} here (parts are ${parts.map((p) => p.name).join(', ')})`);
  // each set is checked against its own part's model; a part whose set does not fit says so, the others load
  return everyPart(parts.filter((p) => sets.has(p.name)), (p) => {
    p.generator.loadSlots(sets.get(p.name) as SlotSetFile, `${String(file)} (${p.name})`);
    return `slots from ${String(file)}, from step ${p.generator.step}`;
  });
}
