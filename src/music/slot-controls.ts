/**
 * The pattern slots' controls as the Generator queues them: each checked when called, against
 * the slots and the controls still waiting (a recall of a slot whose store is queued is fine;
 * one of an empty slot throws and changes nothing), and what the slots show with those
 * waiting controls laid over them. What each one does at its tick is `slots.ts`'s.
 *
 * @example
 * queue(recallControl(parts, state, 2, 'bar'));    // throws when slot 2 is empty and no store of it waits
 * slotsNow(state, 16);                              // { filled: [1, 2], cue: { slot: 2, step: 64 }, canUndo: false }
 */
import { waitingControls } from './control-queue.js';
import type { GeneratorState } from './generator-state.js';
import type { Control } from './generator-types.js';
import { checkSlot, checkWhen, cueSlot, filledSlots, nextStepAt, readSlots, type SlotParts } from './slots.js';
import type { SlotSetFile } from './slots-file.js';

/** What `Generator.slots` shows: the filled slots, the recall waiting and its step (slot 0: an undo), whether a recall can be undone. */
export interface SlotsNow {
  filled: number[];
  cue: { slot: number; step: number } | null;
  canUndo: boolean;
}

export function recallControl(m: SlotParts, st: GeneratorState, slot: unknown, when: unknown): Control {
  checkSlot('recall', slot);
  checkWhen('recall', when);
  const coming = waitingControls(st).some((c) => (c.type === 'store' && c.slot === slot) || c.type === 'loadSlots');
  if (!coming && !st.slots[slot]) cueSlot(m, st, slot, when); // throws: empty
  return { type: 'recall', slot, when };
}

export function undoRecallControl(st: GeneratorState, when: unknown): Control {
  checkWhen('undoRecall', when);
  const coming = st.cue !== null || waitingControls(st).some((c) => c.type === 'recall');
  if (!coming && !st.beforeRecall) throw new Error('undoRecall: no recall to undo');
  return { type: 'undoRecall', when };
}

/** A set file's slots, checked against this model (`file` names it in errors). */
export function loadSlotsControl(m: SlotParts, st: GeneratorState, set: SlotSetFile, file: string): Control {
  // the log keeps its own copy: a caller changing the object later changes no replay
  const copy = JSON.parse(JSON.stringify(set)) as SlotSetFile;
  readSlots(m, st, copy, file);
  return { type: 'loadSlots', file, set: copy };
}

/** The slots with the controls still waiting laid over them: a recall sent a moment ago shows at once. */
export function slotsNow(st: GeneratorState, stepsPerBar: number): SlotsNow {
  let cue = st.cue && { ...st.cue };
  for (const c of waitingControls(st)) {
    if (c.type === 'recall') cue = { slot: c.slot, step: c.when === 'now' ? st.step : nextStepAt(st.step, st.slots[c.slot]?.step ?? st.step, stepsPerBar) };
    else if (c.type === 'undoRecall') cue = cue && cue.slot !== 0 ? null : { slot: 0, step: c.when === 'now' ? st.step : nextStepAt(st.step, st.beforeRecall?.step ?? st.step, stepsPerBar) };
  }
  return { filled: filledSlots(st), cue, canUndo: st.beforeRecall !== null };
}
