/**
 * Validation for a folder too small to split by file: the end of each training file is held
 * out instead, so early stopping, learning-rate halving and the exported "best" model follow
 * steps the model never trained on, and the log, the model card and `eval` say how.
 *
 * @example
 * const { splits, method } = holdOutEnds(ds.splits, (s) => s.tokens.length, cutSequence);
 * // method: 'the last 10% of each training file (at least 32 steps, at most a quarter of the file), …'
 */
import type { SplitName } from './dataset.js';

/** Share of each training file held out when no file is left for validation. */
export const HELD_OUT_END_SHARE = 0.1;
/** The fewest steps held out of a file four times as long: one short window, so a short file still scores a phrase. */
export const HELD_OUT_END_MIN = 32;
/** How the validation split was chosen when the split by file gave it files. */
export const BY_FILE = 'by file';
/** How the validation split was chosen when no file was left for it: named so in the log, the model's metadata and `eval`. */
export const HELD_OUT_END = `the last ${HELD_OUT_END_SHARE * 100}% of each training file (at least ${HELD_OUT_END_MIN} steps, at most a quarter of the file), kept out of training`;
/**
 * How the validation split was chosen when nothing could be held out (no file left for it, and
 * every training file too short to give an end): the trainer runs its epochs without early
 * stopping, and the model's metadata says `training.validation: 'none'`.
 */
export const NO_VALIDATION = 'none';

/** How many of a file's `n` steps go to validation: none when the file is too short to give any, and never most of it. */
export function heldOutLength(n: number): number {
  if (n < 2) return 0;
  const share = Math.ceil(n * HELD_OUT_END_SHARE);
  // a short file still gives a phrase to score, but keeps three quarters of itself to learn from
  return Math.max(share, Math.min(HELD_OUT_END_MIN, Math.floor(n / 4)));
}

/**
 * Where to cut a file of `n` steps near `at` so the held-out end starts on a bar line (as the
 * engine scores it, from beat one): the next bar line when one lies before the end, else the one before.
 */
export function barCut(at: number, n: number, stepsPerBar: number): number {
  const up = Math.ceil(at / stepsPerBar) * stepsPerBar;
  if (up < n) return up;
  return Math.floor(at / stepsPerBar) * stepsPerBar || at;
}

/**
 * The splits with validation filled from the ends of the training files when it holds no file
 * (NO_VALIDATION, the splits as given, when no training file is long enough to give one);
 * otherwise the splits as given. `cut(item, at)` returns the item's steps before `at` and from it.
 */
export function holdOutEnds<T>(splits: Record<SplitName, T[]>, length: (item: T) => number, cut: (item: T, at: number) => [T, T]): { splits: Record<SplitName, T[]>; method: string } {
  if (splits.validation.length > 0 || splits.train.length === 0) return { splits, method: BY_FILE };
  const train: T[] = [];
  const validation: T[] = [];
  for (const item of splits.train) {
    const n = length(item);
    const hold = heldOutLength(n);
    if (hold === 0) {
      train.push(item);
      continue;
    }
    const [head, tail] = cut(item, n - hold);
    train.push(head);
    validation.push(tail);
  }
  // training files scored as validation would only tell how well the model remembers them
  if (validation.length === 0) return { splits, method: NO_VALIDATION };
  return { splits: { train, validation, test: splits.test }, method: HELD_OUT_END };
}

/**
 * The dataset summary's words for how validation was chosen, when it was not by file (null when it was).
 *
 * @example
 * heldOutWords(NO_VALIDATION); // 'no validation: no file left for it, and no training file long enough to hold out its end'
 */
export function heldOutWords(method: string | undefined): string | null {
  if (method === undefined || method === BY_FILE) return null;
  if (method === NO_VALIDATION) return 'no validation: no file left for it, and no training file long enough to hold out its end';
  return `no file left for validation: it holds ${method}`;
}

/**
 * The validation sequences the trainer scores, or null when there are none: never the training
 * sequences in their place, which would only tell how well the model remembers them.
 */
export const validationOrNone = <T>(validation: readonly T[]): readonly T[] | null => (validation.length ? validation : null);
