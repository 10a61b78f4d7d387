/**
 * What `eval`'s figures rest on, in words every encoding's eval shares: how the split scored was
 * made (the header), a refusal naming what to do when it is empty, a warning when it is too
 * small for the comparison with a baseline to mean much, and notes on the model's own validation.
 *
 * @example
 * const where = { data: 'my-drums/', split: 'test', seed: 1, validationFrom: BY_FILE } as const;
 * splitWords(where);                              // 'random by file, seed 1'
 * splitWords({ ...where, split: 'validation', validationFrom: HELD_OUT_END }); // 'the held-out ends of the training files, the files split at random, seed 1'
 * smallSplitWarning('test', 1, 351, 'steps');     // 'the test split holds only 1 file, 351 steps: the comparison with the n-gram is rough …'
 * throw emptySplitError(where, { validation: 2, test: 0 });
 */
import { BY_FILE, NO_VALIDATION } from './held-out-end.js';
import { MIN_HELD_OUT_STEPS, type SplitName } from './dataset.js';

/** The baseline's order when there is no validation to tune it on. */
export const UNTUNED_ORDER = 3;

/** Where the scored split came from: the folder, the split asked for, and how the data was split. */
export interface SplitSource {
  data: string;
  split: SplitName;
  /** The CSV whose split column made the splits, if any. */
  csv?: string;
  /** Seed of the random split by file (without a CSV). */
  seed: number;
  /** How validation was chosen (held-out-end.ts: BY_FILE, HELD_OUT_END or NO_VALIDATION). */
  validationFrom?: string;
  /** The data came split already (a benchmark file, a file of voice frames): its own splits. */
  ownSplits?: boolean;
}

const byFile = (s: SplitSource) => (s.ownSplits ? "the file's own" : s.csv ? `CSV ${s.csv}` : `random by file, seed ${s.seed}`);
const heldOutEnds = (s: SplitSource) => s.split === 'validation' && s.validationFrom !== undefined && s.validationFrom !== BY_FILE && s.validationFrom !== NO_VALIDATION;

/**
 * How the scored split was made, for eval's header: by file (at random with its seed, or by a
 * CSV), or, for validation with no file left for it, the held-out ends of the training files.
 */
export function splitWords(s: SplitSource): string {
  if (!heldOutEnds(s)) return byFile(s);
  return `the held-out ends of the training files, the files split ${s.csv ? `by CSV ${s.csv}` : `at random, seed ${s.seed}`}`;
}

/** What the validation split holds, for a user choosing what to score. */
function validationHolds(s: SplitSource): string {
  const what = s.validationFrom !== undefined && s.validationFrom !== BY_FILE ? 'the held-out ends of the training files' : 'whole files held out of training';
  return `${what}: the model did not train on them, but its early stopping followed them`;
}

/**
 * The refusal for an empty split: the folder, the split and why it is empty, then what to score
 * instead (never the training files, which tell only how well the model remembers them).
 */
export function emptySplitError(s: SplitSource, held: { validation: number; test: number }): Error {
  const why =
    s.split === 'validation' && s.validationFrom === NO_VALIDATION
      ? 'no file was left for it, and no training file is long enough to hold out its end'
      : s.ownSplits
        ? 'the file holds none'
        : s.csv
          ? `no file is marked '${s.split}' in ${s.csv}`
          : `the random split by file, seed ${s.seed}, put no file in it`;
  const instead: string[] = [];
  if (s.split === 'test' && held.validation > 0) instead.push(`--split validation (${validationHolds(s)})`);
  if (s.split === 'validation' && held.test > 0) instead.push('--split test (whole files the model never saw)');
  instead.push('--data <a folder of files held out from training>');
  if (!s.ownSplits) instead.push(s.csv ? `mark files '${s.split}' in the CSV` : `--csv <a CSV with a split column> that holds files out for ${s.split}`);
  return new Error(`${s.data}: the ${s.split} split is empty (${why}): nothing to score. Score ${instead.join(', or ')}`);
}

/**
 * A warning for a split too small for its comparison with the baseline to be steady (under
 * MIN_HELD_OUT_STEPS steps, notes or frames), null otherwise.
 */
export function smallSplitWarning(split: SplitName, files: number, size: number, unit: string, baseline = 'the n-gram'): string | null {
  if (size >= MIN_HELD_OUT_STEPS) return null;
  const n = (x: number) => x.toLocaleString('en');
  return `the ${split} split holds only ${n(files)} file${files === 1 ? '' : 's'}, ${n(size)} ${unit}: the comparison with ${baseline} is rough (aim for at least ${n(MIN_HELD_OUT_STEPS)} ${unit})`;
}

/**
 * Notes on what the figures rest on, when it is less than whole files: the validation the
 * model's early stopping followed (or that it had none), and validation held out here as the
 * end of each training file (the baseline's order is tuned on it).
 */
export function validationNotes(trained: unknown, s: SplitSource, tunes = "the n-gram's order"): string[] {
  const out: string[] = [];
  if (trained === NO_VALIDATION) out.push('the model had no validation: it trained every epoch asked for, without early stopping');
  else if (typeof trained === 'string' && trained !== BY_FILE) out.push(`the model's early stopping followed a validation split of ${trained}`);
  if (s.validationFrom === NO_VALIDATION) out.push(`no validation in this data: ${tunes} is fixed at ${UNTUNED_ORDER}, not tuned`);
  else if (s.validationFrom !== undefined && s.validationFrom !== BY_FILE) out.push(`no file of this folder is left for validation: ${s.split === 'validation' ? 'the split scored here, and ' : ''}${tunes} is tuned on ${s.validationFrom}`);
  return out;
}
