/**
 * The edits a host shows: the steps a human wrote that are still to play, with the edits and
 * clears still waiting in the control queue laid over them, so a view shows an edit the moment
 * it is sent, not a step later when the generator applies it.
 *
 * @example
 * gen.edit(gen.step + 2, ['kick:40', 'snare']);
 * pendingEdits(state);   // [{ step: 2, notes: ['kick:40', 'snare'] }] before the next tick
 */
import { waitingControls } from './control-queue.js';
import type { GeneratorState } from './generator-state.js';

/** One edited step, its notes as the edit holds them (voice names, with `:velocity` on an expressive drum model; MIDI notes; 'hold' or 'rest'). */
export interface EditedStep {
  readonly step: number;
  readonly notes: readonly (number | string)[];
}

/** The edits of steps not yet played, queued ones included, by step. */
export function pendingEdits(st: GeneratorState): EditedStep[] {
  const edits = new Map<number, readonly (number | string)[]>();
  for (const [step, notes] of st.edits) edits.set(step, notes);
  for (const c of waitingControls(st)) {
    if (c.type === 'edit') edits.set(c.step, c.notes);
    else if (c.type === 'clearEdit') edits.delete(c.step);
  }
  return [...edits]
    .filter(([step]) => step >= st.step)
    .sort((a, b) => a[0] - b[0])
    .map(([step, notes]) => ({ step, notes: [...notes] }));
}
