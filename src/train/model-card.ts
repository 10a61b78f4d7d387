/**
 * MODEL_CARD.md, written by the trainer beside every model it exports: what the model is, the
 * command and data that made it, how its validation was chosen and how far to trust it, a
 * fine-tune's parent and the parent's score on the same validation, the best score and its
 * epoch, and the commands that play, score and calibrate it. A user who renames or shares the
 * folder keeps the story of the model with it.
 *
 * The card's first line is CARD_MARKER: a card without it is someone's own, and the trainer
 * leaves it as it is (a `--resume` never overwrites a hand edit).
 *
 * @example
 * await exportLayersModel(model, meta, 'weights/my-drums');
 * await writeModelCard(run); // weights/my-drums/MODEL_CARD.md
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { writeAtomic } from '../io/atomic-file.js';
import type { EpochRecord } from './checkpoint.js';
import { MIN_HELD_OUT_STEPS } from './dataset.js';
import type { FineTune } from './fine-tune.js';
import { BY_FILE, NO_VALIDATION } from './held-out-end.js';
import { shellWord } from './next-steps.js';
import { splitSizes, type TrainingTask } from './task.js';

/** The card's first line: the trainer rewrites a card that starts with it, and only such a card. */
export const CARD_MARKER = '<!-- written by pulse-rnn train: rewritten at each export; remove this line to keep your own edits -->';

/** The Groove MIDI Dataset's credit, as weights/drums-expressive/MODEL_CARD.md gives it. */
export const GROOVE_CREDIT = 'Groove MIDI Dataset (Magenta, Google LLC), CC BY 4.0';

/** What of a training run the card reads (train.ts's Run has it all). */
export interface CardRun {
  o: { out: string };
  task: TrainingTask;
  place: { history: readonly EpochRecord[] };
  parent: FineTune | null;
  log: (line: string) => void;
}

type Obj = Record<string, unknown>;

/** The model as it was exported, for the card: model.json's metadata and the bytes on disk. */
export interface Exported {
  meta: Obj;
  training: Obj;
  bytes: number;
  shards: string[];
}

/** Runs told that their folder's card is not the trainer's, so the log says it once. */
const told = new WeakSet<CardRun>();

/** Write `out`/MODEL_CARD.md for the model just exported there, unless a card the trainer did not write is there. */
export async function writeModelCard(run: CardRun): Promise<void> {
  const file = join(run.o.out, 'MODEL_CARD.md');
  if (existsSync(file) && !readFileSync(file, 'utf8').startsWith(CARD_MARKER)) {
    if (!told.has(run)) run.log(`${file} was not written by the trainer (its first line is not ${CARD_MARKER}): left as it is`);
    told.add(run);
    return;
  }
  await writeAtomic(file, modelCard(run, exported(run.o.out)));
}

/** model.json's metadata and the size of the model's files. */
function exported(out: string): Exported {
  const json = readFileSync(join(out, 'model.json'), 'utf8');
  const parsed = JSON.parse(json) as { userDefinedMetadata?: { pulseRnn?: Obj }; weightsManifest?: { paths?: string[] }[] };
  const meta = parsed.userDefinedMetadata?.pulseRnn ?? {};
  const shards = (parsed.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
  const bytes = Buffer.byteLength(json) + shards.reduce((a, s) => a + (existsSync(join(out, s)) ? statSync(join(out, s)).size : 0), 0);
  return { meta, training: (meta.training ?? {}) as Obj, bytes, shards };
}

/** The card's text. */
export function modelCard(run: CardRun, m: Exported): string {
  const t = m.training;
  const encoding = String(m.meta.encoding);
  const name = basename(resolve(run.o.out));
  const from = t.from as Obj | undefined;
  const shards = m.shards.length ? ` and ${m.shards.join(', ')}` : '';
  const lines = [
    CARD_MARKER,
    `# ${name}: a ${encoding} model ${from ? `fine-tuned from ${String(from.model)}` : 'trained from scratch'}`,
    '',
    `A ${t.layers} × ${t.units} ${String(t.cell ?? 'lstm').toUpperCase()} of the ${encoding} encoding, ${size(m.bytes)} on disk (model.json${shards}).`,
    '',
    '## How it was made',
    '',
    '```',
    typeof t.command === 'string' ? t.command : `pulse-rnn train --data ${shellWord(String(t.data))} --out ${shellWord(run.o.out)}`,
    '```',
    '',
    ...dataLines(run, t, encoding),
    ...(from ? parentLines(run, from) : []),
    ...scoreLines(run, m),
    ...useLines(run, m, encoding),
    ...creditLines(run, t),
  ];
  return `${lines.join('\n')}\n`;
}

/** The data, its split, and how validation was chosen, with its size and the warning under MIN_HELD_OUT_STEPS. */
function dataLines(run: CardRun, t: Obj, encoding: string): string[] {
  const s = splitSizes(run.task);
  const unit = encoding === 'note-events' ? 'notes' : encoding === 'piano-roll' ? 'frames' : 'steps';
  const n = (x: number) => x.toLocaleString('en');
  const files = (k: number) => (k === 0 ? 'no file' : `${n(k)} file${k === 1 ? '' : 's'}`);
  const split = typeof t.csv === 'string' ? `split by the split column of ${t.csv}` : `split at random by file (seed ${String(t.seed ?? 1)})`;
  const method = String(t.validation ?? BY_FILE);
  const v = s.validation;
  const validation =
    method === NO_VALIDATION
      ? `none: no file was left for it and no training file was long enough to hold out its end, so every epoch's model was exported in turn and this is the last`
      : method === BY_FILE
        ? `by file: ${files(v.files)} kept out of training, ${n(v.size)} ${unit}`
        : `the held-out end of each training file, as no file was left for it: ${method}; ${n(v.files)} ends, ${n(v.size)} ${unit}`;
  const rough = method !== NO_VALIDATION && v.size < MIN_HELD_OUT_STEPS ? [`- Fewer than ${n(MIN_HELD_OUT_STEPS)} validation ${unit}: the validation figures below are rough; more files make them steadier.`] : [];
  return [
    `- Data: ${String(t.data)}, ${split}: ${files(s.train.files)} for training (${n(s.train.size)} ${unit}), ${files(s.test.files)} for test.`,
    `- Validation: ${validation}.`,
    ...rough,
    '',
  ];
}

/** A fine-tune's parent: its folder, its own score, its command, and its score here at epoch 0 beside the best fine-tuned one. */
function parentLines(run: CardRun, from: Obj): string[] {
  const hist = run.place.history;
  const zero = hist.find((h) => h.epoch === 0 && Number.isFinite(h.validationNll));
  const tuned = bestOf(hist.filter((h) => h.epoch > 0));
  const own = typeof from.validationNll === 'number' ? `${from.validationNll} nats/step on its own data's validation` : 'no validation NLL recorded';
  const here = zero
    ? `On this folder's validation the parent as is (epoch 0) scored ${zero.validationNll} nats/step; ${tuned ? `the best fine-tuned epoch, ${tuned.epoch}, scored ${tuned.validationNll}${tuned.validationNll < zero.validationNll - 1e-4 ? '' : ' (not better: this model is the parent as is)'}` : 'no fine-tuned epoch has been scored yet'}.`
    : `This folder gave no validation to score the parent on.`;
  return [
    '## Parent',
    '',
    `- Folder: ${String(from.model)} (${String(from.encoding)}), ${own}.`,
    ...(typeof from.command === 'string' ? [`- Trained by: \`${from.command}\``] : []),
    `- ${here}`,
    '',
  ];
}

/** The best validation NLL and its epoch, and where every epoch's figures are. */
function scoreLines(run: CardRun, m: Exported): string[] {
  const nll = m.meta.validationNll;
  const epochs = run.place.history.length ? run.place.history[run.place.history.length - 1].epoch : 0;
  const best = typeof nll === 'number' ? `Best validation NLL: ${nll} nats/step (${(nll / Math.LN2).toFixed(3)} bits), ${m.meta.epochs === 0 ? 'epoch 0, the parent as is' : `epoch ${String(m.meta.epochs)}`}, ${epochs === 0 ? 'before any epoch of training' : `of ${epochs} epoch${epochs === 1 ? '' : 's'} run so far`}.` : `No validation score: this is epoch ${String(m.meta.epochs)}'s model.`;
  return ['## Scores', '', best, 'Curves: `curves.svg`; every epoch\'s figures: `train-log.jsonl`.', ''];
}

/** Calibration (drum models), and the commands that play and score the model. */
function useLines(run: CardRun, m: Exported, encoding: string): string[] {
  const out = shellWord(run.o.out);
  const t = m.training;
  const data = `--data ${shellWord(String(t.data))}${typeof t.csv === 'string' ? ` --csv ${shellWord(t.csv)}` : ''}`;
  const drums = encoding === 'drum-grid' || encoding === 'drum-expressive';
  const dropped = run.parent && (run.parent.calibrated || parentCalibrated(run.parent.record.path)) ? ' The parent\'s calibration was fitted to the parent and was dropped.' : '';
  const s = splitSizes(run.task);
  const score = s.test.files > 0 ? `pulse-rnn eval --model ${out} ${data} --split test` : s.validation.files > 0 ? `pulse-rnn eval --model ${out} ${data} --split validation` : `pulse-rnn eval --model ${out} --data <a folder of files it did not learn from>`;
  return [
    ...(drums ? ['## Calibration', '', `Exported without one.${dropped} \`pulse-rnn calibrate --model ${out} ${data}\` fits (or refits) it, so the model plays each drum as often as this data does.`, ''] : []),
    '## Play it, score it',
    '',
    '```',
    `pulse-rnn play --model ${out}`,
    `pulse-rnn start --model ${out}   # the web page plays it too`,
    score,
    '```',
    '',
  ];
}

/** The Groove MIDI Dataset's credit, when the data (or the parent's) is it. */
function creditLines(run: CardRun, t: Obj): string[] {
  const parentCard = run.parent ? join(run.parent.record.path, 'MODEL_CARD.md') : null;
  const parentGroove = parentCard !== null && existsSync(parentCard) && readFileSync(parentCard, 'utf8').includes(GROOVE_CREDIT);
  if (!isGroove(String(t.data), typeof t.csv === 'string' ? t.csv : null) && !parentGroove) return [];
  return ['## Licence', '', `The weights are derived from the Groove MIDI Dataset (Magenta, Google LLC), licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), and are shared under the same licence: credit "${GROOVE_CREDIT}" when you use them.`, ''];
}

/** Whether a folder is the Groove MIDI Dataset: its path ends in groove, or its info.csv (or the CSV given) has the dataset's columns. */
export function isGroove(data: string, csv: string | null): boolean {
  if (/groove[\\/]?$/i.test(data)) return true;
  for (const f of [csv, join(data, 'info.csv')]) {
    if (f === null || !existsSync(f)) continue;
    const header = readFileSync(f, 'utf8').split(/\r?\n/, 1)[0].toLowerCase().split(',');
    if (['drummer', 'session', 'beat_type', 'midi_filename'].every((c) => header.includes(c))) return true;
  }
  return false;
}

const bestOf = (hist: readonly EpochRecord[]): EpochRecord | null => hist.filter((h) => Number.isFinite(h.validationNll)).reduce<EpochRecord | null>((b, h) => (b === null || h.validationNll < b.validationNll ? h : b), null);

/** Whether the parent's model.json holds a calibration (a resumed fine-tune has only the parent's path). */
function parentCalibrated(path: string): boolean {
  try {
    const json = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8')) as { userDefinedMetadata?: { pulseRnn?: Obj } };
    return json.userDefinedMetadata?.pulseRnn?.calibration !== undefined;
  } catch {
    return false;
  }
}

/** Bytes as a reader says them. */
function size(bytes: number): string {
  if (bytes < 1e3) return `${bytes} bytes`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
