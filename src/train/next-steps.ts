/**
 * What `pulse-rnn train` tells a user when a run ends: where the model is, the commands that
 * play it (in the terminal, and on the web page with the terminal), where the curves are, how
 * to score it, and how to continue the run.
 *
 * @example
 * for (const line of afterTraining(result, { data: 'grooves/' })) console.error(line);
 * // the model: weights/my-drums (best validation NLL 1.234 nats/step, epoch 7 of 7)
 * // play it:        pulse-rnn play --model weights/my-drums
 * // …
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainResult } from './train.js';

/** A path or value as a shell takes it: bare when it is plain, else in single quotes. */
export const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function afterTraining(r: TrainResult, o: { data: string; csv?: string }): string[] {
  const out = shellWord(r.out);
  const data = `--data ${shellWord(o.data)}${o.csv ? ` --csv ${shellWord(o.csv)}` : ''}`;
  const resume = `pulse-rnn train ${data} --out ${out} --resume`;
  const lines: string[] = [];
  if (r.ended === 'stopped') lines.push(`stopped at epoch ${r.epoch + 1}, batch ${r.batchInEpoch}; the checkpoint keeps that place (${r.checkpoint})`);
  if (!r.exported && r.history.length > 0) {
    lines.push(`no model in ${r.out}: the one the run exported is gone, and no epoch has run since; train one more to export one: ${resume} --epochs ${r.epoch + 1}`);
    return lines;
  }
  if (!r.exported) {
    lines.push(`no model yet: the run stopped in epoch ${r.epoch + 1}, before its first validation; continue it with: ${resume}`);
    return lines;
  }
  // a run with no validation scores no epoch (NaN, null once checkpointed): it exported its last
  const scored = r.history.filter((h) => Number.isFinite(h.validationNll));
  const best = scored.length ? scored.reduce((b, h) => (h.validationNll < b.validationNll ? h : b)) : r.history[r.history.length - 1];
  // a fine-tune's epoch 0 is its parent as is, which no trained epoch may have beaten
  const which = best.epoch === 0 ? `the parent's weights unchanged: none of ${r.epoch} epochs of fine-tuning beat them` : `epoch ${best.epoch} of ${r.epoch}`;
  if (scored.length) lines.push(`the model: ${r.out} (best validation NLL ${best.validationNll} nats/step, ${which})`);
  else lines.push(`the model: ${r.out} (no validation to choose by: the last epoch's, ${which})`);
  lines.push(`  play it:        pulse-rnn play --model ${out}`);
  lines.push(`  with the page:  pulse-rnn start --model ${out}   (the page plays it too)`);
  lines.push(`  curves:         ${join(r.out, 'curves.svg')} (every epoch: ${join(r.out, 'train-log.jsonl')})`);
  // eval draws the run's split by itself (the model records its seed); a test split the
  // random draw left empty has nothing to score
  if (r.files.test > 0) lines.push(`  score it:       pulse-rnn eval --model ${out} ${data} --split test`);
  else if (r.files.validation > 0) lines.push(`  score it:       pulse-rnn eval --model ${out} ${data} --split validation   (no test file in this split of the data: scores on validation, which the model did not train on but its early stopping followed; give a CSV with a split column to choose a test split)`);
  // scoring the files it learned from would only tell how well it remembers them
  else lines.push(`  score it:       pulse-rnn eval --model ${out} --data <a folder of files it did not learn from>   (this data holds no file out of training)`);
  if (isDrumModel(r.out)) lines.push(`  calibrate it:   pulse-rnn calibrate --model ${out} ${data}   (so that it plays each drum as often as the data does)`);
  if (r.ended === 'maxBatches' || r.ended === 'stopped') lines.push(`  continue:       ${resume}   (the checkpoint: ${r.checkpoint})`);
  else if (r.ended === 'epochs') lines.push(`  train on:       ${resume} --epochs ${r.epoch + 10}   (the checkpoint: ${r.checkpoint}; delete it when you are done with the run)`);
  else lines.push(`  the run stopped after ${r.epoch - best.epoch} epochs without gain; its checkpoint (${r.checkpoint}) can be deleted`);
  return lines;
}

/** Whether the model in `dir` is a drum model, which `calibrate` fits (the encoding its model.json names). */
function isDrumModel(dir: string): boolean {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { userDefinedMetadata?: { pulseRnn?: { encoding?: unknown } } };
    const encoding = json.userDefinedMetadata?.pulseRnn?.encoding;
    return encoding === 'drum-grid' || encoding === 'drum-expressive';
  } catch {
    return false;
  }
}
