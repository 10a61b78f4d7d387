// MODEL_CARD.md, written by `pulse-rnn train` beside every model it exports: the command, the
// data and its split, how validation was chosen (and a warning when it is small), a fine-tune's
// parent with its score here at epoch 0, the best score, and the commands that play and score
// the model; a card the trainer did not write is left as it is.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CARD_MARKER, GROOVE_CREDIT } from '../src/train/model-card.js';
import { HELD_OUT_END } from '../src/train/held-out-end.js';
import { runCli } from './helpers/cli.js';
import { smallFolder } from './helpers/small-folders.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-model-card-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

/** A folder of 10 drum takes of 64 sixteenths each; `gmd`: with an info.csv in the Groove MIDI Dataset's columns (7 train, 2 validation, 1 test). */
function folder(name: string, gmd: boolean): string {
  const dir = smallFolder(root, name, 10, 'drums');
  const rows = ['drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split'];
  for (let f = 0; f < 10; f++) rows.push(`drummer1,drummer1/s1,drummer1/s1/${f},rock,120,beat,4-4,take ${f}.mid,,8,${f < 7 ? 'train' : f < 9 ? 'validation' : 'test'}`);
  if (gmd) writeFileSync(join(dir, 'info.csv'), `${rows.join('\n')}\n`);
  return dir;
}

const gmd = folder('takes', true);
const plain = folder('my takes', false);
const small = ['--units', '8', '--layers', '1', '--batch', '2', '--window', '8', '--no-progress'];
const cardOf = (dir: string) => readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8');
const metaOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
const logOf = (dir: string) =>
  readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { epoch: number; validationNll: number });

describe('the model card train writes', () => {
  const scratch = join(root, 'scratch');

  it('names the command, the data and its split, validation by file with its size, the best epoch, and how to play and score the model', async () => {
    const r = await runCli('train', '--data', gmd, '--csv', join(gmd, 'info.csv'), '--out', scratch, '--epochs', '2', ...small);
    expect(r.code, r.err).toBe(0);
    const card = cardOf(scratch);
    const meta = metaOf(scratch);
    expect(card.split('\n')[0]).toBe(CARD_MARKER);
    expect(card).toContain(`a drum-grid model trained from scratch`);
    expect(card).toContain('A 1 × 8 LSTM of the drum-grid encoding');
    expect(card).toContain(`\`\`\`\n${meta.training.command}\n\`\`\``);
    expect(card).toContain(`- Data: ${gmd}, split by the split column of ${join(gmd, 'info.csv')}: 7 files for training (448 steps), 1 file for test.`);
    expect(card).toContain('- Validation: by file: 2 files kept out of training, 128 steps.');
    expect(card).toContain('- Fewer than 1,000 validation steps: the validation figures below are rough');
    expect(card).toContain(`Best validation NLL: ${meta.validationNll} nats/step`);
    expect(card).toContain(`epoch ${meta.epochs}, of 2 epochs run so far`);
    expect(card).toContain('`curves.svg`');
    expect(card).toContain('`train-log.jsonl`');
    expect(card).toContain(`pulse-rnn calibrate --model ${scratch} --data ${gmd} --csv ${join(gmd, 'info.csv')}`);
    expect(card).toContain(`pulse-rnn play --model ${scratch}`);
    expect(card).toContain(`pulse-rnn start --model ${scratch}`);
    expect(card).toContain(`pulse-rnn eval --model ${scratch} --data ${gmd} --csv ${join(gmd, 'info.csv')} --split test`);
    // a folder with the Groove MIDI Dataset's info.csv: its licence asks for credit
    expect(card).toContain(GROOVE_CREDIT);
  }, 120_000);

  it('says when validation is the held-out end of each training file, with its size and the warning, and credits no dataset it was not trained on', async () => {
    const out = join(root, 'held out');
    const r = await runCli('train', '--data', plain, '--out', out, '--epochs', '1', ...small);
    expect(r.code, r.err).toBe(0);
    const card = cardOf(out);
    expect(metaOf(out).training.validation).toBe(HELD_OUT_END);
    expect(card).toContain(`- Validation: the held-out end of each training file, as no file was left for it: ${HELD_OUT_END}; `);
    expect(card).toMatch(/kept out of training; \d+ ends, \d+ steps\.\n- Fewer than 1,000 validation steps: the validation figures below are rough/);
    expect(card).not.toContain('Groove MIDI Dataset');
  }, 120_000);

  it("names a fine-tune's parent, the parent's own score and command, and its score here at epoch 0 beside the best fine-tuned one", async () => {
    const out = join(root, 'tuned');
    const r = await runCli('train', '--from', scratch, '--data', plain, '--out', out, '--epochs', '2', '--lr', '0.003', '--batch', '2', '--window', '8', '--no-progress');
    expect(r.code, r.err).toBe(0);
    const card = cardOf(out);
    const parent = metaOf(scratch);
    const log = logOf(out);
    const tuned = log.filter((e) => e.epoch > 0).reduce((b, e) => (e.validationNll < b.validationNll ? e : b));
    expect(card).toContain(`a drum-grid model fine-tuned from ${scratch}`);
    expect(card).toContain(`- Folder: ${scratch} (drum-grid), ${parent.validationNll} nats/step on its own data's validation.`);
    expect(card).toContain(`- Trained by: \`${parent.training.command}\``);
    expect(card).toContain(`On this folder's validation the parent as is (epoch 0) scored ${log[0].validationNll} nats/step; the best fine-tuned epoch, ${tuned.epoch}, scored ${tuned.validationNll}`);
    // the parent learned from a Groove MIDI Dataset folder: its weights carry the credit on
    expect(card).toContain(GROOVE_CREDIT);
  }, 120_000);

  it('leaves a card it did not write as it is on --resume, and says so once', async () => {
    const out = join(root, 'resumed');
    const r = await runCli('train', '--data', plain, '--out', out, '--epochs', '1', ...small);
    expect(r.code, r.err).toBe(0);
    expect(cardOf(out).startsWith(CARD_MARKER)).toBe(true);
    const own = '# My drums\n\nTrained on my own grooves; the best takes of May.\n';
    writeFileSync(join(out, 'MODEL_CARD.md'), own);
    const again = await runCli('train', '--data', plain, '--out', out, '--resume', '--epochs', '3', '--no-progress');
    expect(again.code, again.err).toBe(0);
    expect(logOf(out).map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(cardOf(out)).toBe(own);
    expect(again.err.split(`${join(out, 'MODEL_CARD.md')} was not written by the trainer`).length - 1).toBe(1);
  }, 120_000);
});
