// A musician's small folder through `eval`: an empty split is refused with what to score instead
// (never the training files), a split of under 1,000 steps carries a warning, the header says how
// the split was made, and a folder with nothing to hold out trains with no validation at all
// rather than scoring its training files as validation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildDrumDataset } from '../src/train/dataset.js';
import { runCli } from './helpers/cli.js';
import { smallFolder } from './helpers/small-folders.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-eval-small-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

const folder = (name: string, n: number, kind: 'drums' | 'piano', steps?: number) => smallFolder(root, name, n, kind, steps);

const tiny = ['--units', '4', '--layers', '1', '--epochs', '1', '--batch', '4', '--window', '16', '--no-progress'];
const drums10 = folder('ten drums', 10, 'drums');
const drums40 = folder('forty drums', 40, 'drums');
const piano10 = folder('ten piano', 10, 'piano');

async function trained(data: string, out: string, ...args: string[]): Promise<string> {
  const r = await runCli('train', '--data', data, '--out', join(root, out), ...tiny, ...args);
  expect(r.code, r.err).toBe(0);
  return join(root, out);
}

const models: Record<string, string> = {};
beforeAll(async () => {
  models.drums10 = await trained(drums10, 'm drums10');
  models.drums40 = await trained(drums40, 'm drums40');
  for (const e of ['note-events', 'piano-roll']) models[e] = await trained(piano10, `m ${e}`, '--encoding', e);
}, 120_000);

const evalOf = (model: string, data: string, ...args: string[]) => runCli('eval', '--model', model, '--data', data, '--free-seeds', '1', ...args);

describe('eval on a folder whose random split left the test split empty', () => {
  it('drums, note events and piano roll: one line naming the folder and the split, and what to score instead', async () => {
    // ten files: seed 1 holds none out for test, and none for validation (their ends are held out instead)
    expect(buildDrumDataset({ dir: drums10 }).summary.used).toMatchObject({ test: 0, validation: 0 });
    for (const [model, data] of [[models.drums10, drums10], [models['note-events'], piano10], [models['piano-roll'], piano10]]) {
      const r = await evalOf(model, data);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toBe('');
      const lines = r.err.trim().split('\n');
      expect(lines, r.err).toHaveLength(1);
      expect(lines[0]).toContain(`${data}: the test split is empty (the random split by file, seed 1, put no file in it): nothing to score`);
      // validation, and what it holds: honest about what the model did with it
      expect(lines[0]).toMatch(/--split validation \(the held-out ends of the training files: the model did not train on them, but its early stopping followed them\)/);
      expect(lines[0]).toMatch(/--data <a folder of files held out from training>/);
      expect(lines[0]).toMatch(/--csv </);
      // never the files it learned from, never a figure over nothing
      expect(lines[0]).not.toMatch(/--split train|NaN|0 steps/);
    }
  }, 60_000);
});

describe('a small split: a warning with its size, and a header that says how it was made', () => {
  it('drums: a test split of one file warns that the comparison with the n-gram is rough, in text and JSON', async () => {
    const { used, steps } = buildDrumDataset({ dir: drums40 }).summary;
    expect(used.test).toBe(1);
    const warning = `the test split holds only 1 file, ${steps.test} steps: the comparison with the n-gram is rough (aim for at least 1,000 steps)`;
    const text = await evalOf(models.drums40, drums40);
    expect(text.code, text.err).toBe(0);
    expect(text.err).toContain(`warning: ${warning}`);
    expect(text.out.split('\n')[0]).toBe(`test split (random by file, seed 1), ${steps.test} steps`);
    const json = await evalOf(models.drums40, drums40, '--json');
    expect(json.code, json.err).toBe(0);
    const r = JSON.parse(json.out);
    expect(r.warnings).toEqual([warning]);
    expect(r.splitFrom).toBe('random by file, seed 1');
  }, 60_000);

  it('--split validation on a model that held out the ends of its files names them in the header, for drums, note events and piano roll', async () => {
    // a note-event model's step is a note: its header counts steps, its warning notes
    for (const [model, data, steps, unit, baseline] of [
      [models.drums10, drums10, 'steps', 'steps', 'the n-gram'],
      [models['note-events'], piano10, 'steps', 'notes', 'the n-gram'],
      [models['piano-roll'], piano10, 'frames', 'frames', 'the chord n-gram'],
    ]) {
      const r = await evalOf(model, data, '--split', 'validation');
      expect(r.code, r.err).toBe(0);
      expect(r.out.split('\n')[0]).toMatch(new RegExp(`^validation split \\(the held-out ends of the training files, the files split at random, seed 1\\), \\d+ ${steps}`));
      expect(r.err).toMatch(new RegExp(`warning: the validation split holds only 10 files, \\d+ ${unit}: the comparison with ${baseline} is rough`));
      expect(r.err).toMatch(/note: the model's early stopping followed a validation split of the last 10% of each training file/);
      const json = JSON.parse((await evalOf(model, data, '--split', 'validation', '--json')).out);
      expect(json.warnings).toHaveLength(1);
      expect(json.splitFrom).toBe('the held-out ends of the training files, the files split at random, seed 1');
    }
  }, 60_000);

  it('a CSV split is named in the header', async () => {
    const csv = join(root, 'ten.csv');
    writeFileSync(csv, ['file,split', ...Array.from({ length: 10 }, (_, i) => `take ${i}.mid,${i < 7 ? 'train' : i < 8 ? 'validation' : 'test'}`)].join('\n'));
    const r = await evalOf(models['piano-roll'], piano10, '--csv', csv);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(new RegExp(`^test split \\(CSV ${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\), 128 frames`));
    expect(r.err).toContain('warning: the test split holds only 2 files, 128 frames: the comparison with the chord n-gram is rough');
  }, 60_000);
});

describe('a folder whose files are too short to hold out an end: no validation at all', () => {
  const drums = folder('one-step drums', 5, 'drums', 1);
  const piano = folder('one-step piano', 5, 'piano', 1);

  it('drum grid, expressive drums, melody grid and piano roll train every epoch without early stopping, and say so', async () => {
    for (const [encoding, data] of [['drum-grid', drums], ['drum-expressive', drums], ['melody-grid', piano], ['piano-roll', piano]]) {
      const out = join(root, `none ${encoding}`);
      const r = await runCli('train', '--data', data, '--out', out, '--encoding', encoding, ...tiny, '--epochs', '2', '--patience', '1');
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain('no validation to stop early on: training runs all 2 epochs (--epochs) without early stopping or learning-rate halving');
      // training data is never scored and called validation
      expect(r.err).toMatch(/epoch 1: train [\d.]+ nats\/step, no validation,/);
      expect(r.err).toMatch(/epoch 2: train [\d.]+ nats\/step, no validation,/);
      expect(r.err).not.toMatch(/validation [\d.]+ nats\/step|NaN/);
      const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
      expect(meta.training.validation, encoding).toBe('none');
      expect(meta.epochs).toBe(2);
      expect(readFileSync(join(out, 'curves.svg'), 'utf8')).not.toContain('NaN');
      // and eval refuses the validation split it does not have
      const e = await evalOf(out, data, '--split', 'validation');
      expect(e.code).toBe(1);
      expect(e.err).toContain(`${data}: the validation split is empty (no file was left for it, and no training file is long enough to hold out its end): nothing to score`);
      expect(e.err).not.toMatch(/--split train/);
    }
  }, 120_000);
});
