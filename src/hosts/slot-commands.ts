/**
 * The prompt's pattern slots: `store`, `recall` and `undoRecall` (the control table's), and the
 * session's `saveSlots(file)` and `loadSlots(file)`. Each checks what was typed, tells the
 * Generator, and returns the line the prompt prints; a problem is a `CommandError` naming the
 * value. A live session writes the slots beside a recording too (`set.mid.slots.json`).
 *
 * @example
 * storeCommand(gen, 2);                      // 'slot 2 stores the performance before step 57'
 * recallCommand(gen, 2);                     // 'slot 2 takes over at step 64 …'
 * await saveSlotsCommand(gen, 'set.slots.json', cwd);
 */
import { readFile } from 'node:fs/promises';
import { writeAtomic } from '../io/atomic-file.js';
import { checkUserFile } from '../io/user-file.js';
import { checkNumber, control, rangeText, type NumberArg } from '../music/controls.js';
import type { Generator } from '../music/generator.js';
import { nextStepAt, type RecallWhen } from '../music/slots.js';
import type { SlotSetFile } from '../music/slots-file.js';
import { CommandError, errorText, fileArg, show } from './prompt-commands.js';

/** A slot set file is small (8 slots of a few KB); this keeps a wrong file from filling the memory. */
const MAX_SLOTS_BYTES = 64 * 1024 * 1024;

/** The slot as typed: a whole number from 1 to 8 (the table's), 1 when left out. */
function slotArg(name: 'store' | 'recall', v: unknown): number {
  const a = control(name).args[0] as NumberArg;
  if (v === undefined) return a.default as number;
  try {
    checkNumber(name, a, v);
  } catch {
    throw new CommandError(`slot ${show(v)} is not a slot; give ${rangeText(a)}`);
  }
  return v;
}

function whenArg(v: unknown): RecallWhen {
  if (v === undefined) return 'bar';
  if (v !== 'bar' && v !== 'now') throw new CommandError(`${show(v)} is not 'bar' (at the slot's place in the next bar) or 'now' (at the next step)`);
  return v;
}

const filledText = (gen: Generator) => (gen.slots.filled.length ? `slots holding a groove: ${gen.slots.filled.join(', ')}` : 'no slot holds a groove yet');

export function storeCommand(gen: Generator, slot: unknown): string {
  const n = slotArg('store', slot);
  gen.store(n);
  return `slot ${n} stores the performance before step ${gen.step}; recall(${n}) plays it again`;
}

export function recallCommand(gen: Generator, slot: unknown, when: unknown): string {
  const n = slotArg('recall', slot);
  const w = whenArg(when);
  try {
    gen.recall(n, w);
  } catch (e) {
    throw new CommandError(`${errorText(e).replace(/^recall: /, '').replace(/ \(slots holding.*\)$/, '')}; ${filledText(gen)}`);
  }
  const stored = gen.slotStep(n);
  const at = w === 'now' || stored === null ? gen.step : nextStepAt(gen.step, stored, gen.codec.stepsPerBar);
  return `slot ${n} takes over at step ${at} (bar ${Math.floor(at / gen.codec.stepsPerBar) + 1}); undoRecall() goes back`;
}

export function undoRecallCommand(gen: Generator, when: unknown): string {
  const w = whenArg(when);
  const calledOff = gen.slots.cue !== null && gen.slots.cue.slot !== 0;
  gen.undoRecall(w);
  return calledOff ? 'the recall waiting is called off' : `back to the performance before the last recall ${w === 'now' ? `at step ${gen.step}` : 'at its place in the next bar'}`;
}

/** Write the slots to `file`; says how many. */
export async function saveSlotsCommand(gen: Generator, file: unknown, cwd: string): Promise<string> {
  const path = fileArg(file, cwd, "name a file to save the slots to, e.g. saveSlots('set.slots.json')");
  const filled = gen.slots.filled;
  if (filled.length === 0) throw new CommandError('no slot holds a groove yet; store(1) first');
  try {
    await writeAtomic(path, JSON.stringify(gen.slotSet()));
  } catch (e) {
    throw new CommandError(`cannot write ${show(file)} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
  }
  return `wrote slots ${filled.join(', ')} to ${String(file)}`;
}

/** Read a set of slots from `file` (checked against the model) to replace the slots from the next step. */
export async function loadSlotsCommand(gen: Generator, file: unknown, cwd: string): Promise<string> {
  const path = fileArg(file, cwd, "name a slot file, e.g. loadSlots('set.mid.slots.json')");
  let text: string;
  try {
    checkUserFile(path, MAX_SLOTS_BYTES, 'a slot file');
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CommandError(`cannot read ${show(file)} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
  }
  let set: SlotSetFile;
  try {
    set = JSON.parse(text) as SlotSetFile;
  } catch (e) {
    throw new CommandError(`${String(file)}: not JSON (${errorText(e)})`);
  }
  try {
    gen.loadSlots(set, String(file));
  } catch (e) {
    throw new CommandError(errorText(e));
  }
  const slots = Object.keys(set.slots).map(Number).sort((a, b) => a - b);
  return `slots ${slots.join(', ')} from ${String(file)}, from step ${gen.step}; recall(${slots[0] ?? 1}) plays one`;
}
