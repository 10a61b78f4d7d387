/**
 * The last steps played, for displays and for `lock` (a voice held as the last bar played
 * it): a ring of copies that, once full, overwrites its oldest entry and that entry's note
 * objects, so remembering a step allocates nothing.
 */
import type { StepCopy, StepResult } from './generator-types.js';
import { copyInto, copyStep, emptyResult } from './step-result.js';

export interface History {
  /** A ring once it holds `length` steps. */
  steps: StepResult[];
  /** The oldest step's place in the ring. */
  start: number;
}

export function remember(h: History, r: StepResult, length: number): void {
  if (h.steps.length < length) {
    const c = emptyResult();
    copyInto(c, r);
    h.steps.push(c);
    return;
  }
  copyInto(h.steps[h.start], r);
  h.start = (h.start + 1) % h.steps.length;
}

/** The remembered steps, oldest first. */
export function playedSteps(h: History): StepCopy[] {
  const n = h.steps.length;
  return Array.from({ length: n }, (_, i) => copyStep(h.steps[(h.start + i) % n]));
}
