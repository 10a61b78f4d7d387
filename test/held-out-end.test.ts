// A musician's small folder: with no file left for validation by the split by file, the end of
// each training file is held out instead (never training data scored as validation), and the log,
// the model card and the dataset summary say so; a folder big enough to split by file is unchanged.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildDrumDataset } from '../src/train/dataset.js';
import { buildEventsDataset } from '../src/train/events-dataset.js';
import { buildMelodyDataset } from '../src/train/melody-dataset.js';
import { readPianoRollData } from '../src/train/piano-roll-data.js';
import { runCli } from './helpers/cli.js';
import { smallFolder } from './helpers/small-folders.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-held-out-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

const STEPS = 64;
/** A folder of `n` files, each 64 sixteenths: a drum beat (kick, hats, snare) or a piano line. */
const folder = (name: string, n: number, kind: 'drums' | 'piano') => smallFolder(root, name, n, kind, STEPS);

const drums = folder('my drums', 10, 'drums');
const piano = folder('my piano', 10, 'piano');
const tiny = ['--units', '4', '--layers', '1', '--epochs', '1', '--batch', '2', '--window', '8', '--no-progress'];

describe('a folder of 10 files, too small to split by file', () => {
  it('drum-grid: validation is the end of each file, disjoint from training, and named as such', () => {
    const ds = buildDrumDataset({ dir: drums });
    // no whole file is validation: each is the end of a training file
    expect(ds.splits.validation.length).toBeGreaterThan(0);
    expect(ds.splits.validation.every((s) => s.file.endsWith(' (end)'))).toBe(true);
    // every step of a training file is in exactly one split: the head trains, the end validates
    for (const end of ds.splits.validation) {
      const file = end.file.replace(/ \(end\)$/, '');
      const head = ds.splits.train.find((s) => s.file === file)!;
      expect(head.tokens.length + end.tokens.length).toBe(STEPS);
      expect(end.tokens.length).toBeGreaterThanOrEqual(STEPS * 0.1);
      expect(end.tokens.length).toBeLessThanOrEqual(STEPS / 4);
      expect(end.tokens.length % 16).toBe(0);
    }
    expect(ds.summary.used.validation).toBe(0);
    expect(ds.summary.steps.train + ds.summary.steps.validation).toBe(STEPS * (10 - ds.summary.used.test));
    expect(ds.summary.validationFrom).toMatch(/the last 10% of each training file/);
  });

  it('note-events: validation is the end of each file, disjoint from training', () => {
    const ds = buildEventsDataset({ dir: piano });
    expect(ds.splits.validation.length).toBeGreaterThan(0);
    for (const end of ds.splits.validation) {
      const head = ds.splits.train.find((s) => s.file === end.file.replace(/ \(end\)$/, ''))!;
      expect(head.notes.length + end.notes.length).toBe(STEPS);
      expect(end.notes.length).toBe(STEPS / 4);
      // the end keeps its first note's delay after the last note trained on
      expect(end.notes[0].onset).toBe(6);
    }
    expect(ds.summary.notes.train + ds.summary.notes.validation).toBe(STEPS * (10 - ds.summary.used.test));
  });

  it('melody-grid and piano-roll: validation is the end of each file too', () => {
    const melody = buildMelodyDataset({ dir: piano });
    expect(melody.validationFrom).toMatch(/the last 10% of each training file/);
    expect(melody.splits.validation.every((s) => s.file.endsWith(' (end)'))).toBe(true);
    const melodySteps = (k: 'train' | 'validation' | 'test') => melody.splits[k].reduce((a, q) => a + q.tokens.length, 0);
    const wholeMelody = buildMelodyDataset({ dir: folder('big melody', 40, 'piano') }).splits.train[0].tokens.length;
    expect(melodySteps('train') + melodySteps('validation') + melodySteps('test')).toBe(wholeMelody * 10);
    const roll = readPianoRollData({ data: piano });
    expect(roll.validationFrom).toMatch(/the last 10% of each training file/);
    expect(roll.splits.validation.length).toBe(roll.splits.train.length);
    for (let i = 0; i < roll.splits.train.length; i++) expect(roll.splits.train[i].length + roll.splits.validation[i].length).toBe(roll.splits.test.length ? roll.splits.test[0].length : wholeMelody);
  });

  for (const [encoding, dir, unit] of [['drum-grid', drums, 'steps'], ['note-events', piano, 'notes']] as const) {
    it(`train --encoding ${encoding}: the log and the model card name the held-out end, and warn of too few steps`, async () => {
      const out = join(root, `model ${encoding}`);
      const r = await runCli('train', '--data', dir, '--out', out, '--encoding', encoding, ...tiny);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/no file left for (validation|it)[:,] (it|so it) holds the last 10% of each training file/);
      expect(r.err).toMatch(new RegExp(`warning: validation holds the ends of \\d+ training files, only [\\d,]+ ${unit}: its figures are rough`));
      // files are counted as the split by file gave them: none went to validation
      expect(r.err).toMatch(/used \d+ train, 0 validation/);
      const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
      expect(meta.training.validation).toMatch(/the last 10% of each training file/);
      // eval says what its figures rest on
      const e = await runCli('eval', '--model', out, '--data', dir, '--split', 'validation');
      expect(e.code, e.err).toBe(0);
      expect(e.err).toMatch(/note: the model's early stopping followed a validation split of the last 10% of each training file/);
      expect(e.err).toMatch(/note: no file of this folder is left for validation: the split scored here, and the n-gram's order is tuned on the last 10%/);
      expect(e.err).toMatch(new RegExp(`warning: the validation split holds only \\d+ files, [\\d,]+ ${unit}: the comparison with the n-gram is rough \\(aim for at least 1,000 ${unit}\\)`));
    }, 120_000);
  }

  it('train --encoding drum-expressive: the model card names the held-out end too', async () => {
    const out = join(root, 'model expressive');
    const r = await runCli('train', '--data', drums, '--out', out, '--encoding', 'drum-expressive', ...tiny);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/no file left for validation: it holds the last 10% of each training file/);
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn.training.validation).toMatch(/the last 10% of each training file/);
  }, 120_000);
});

describe('a folder big enough to split by file', () => {
  it('keeps whole files for validation, as before', () => {
    const big = folder('big drums', 40, 'drums');
    const ds = buildDrumDataset({ dir: big });
    expect(ds.summary.used.validation).toBeGreaterThan(0);
    expect(ds.summary.validationFrom).toBe('by file');
    expect(ds.splits.validation.every((s) => !s.file.endsWith('(end)') && s.tokens.length === STEPS)).toBe(true);
    expect(ds.summary.steps.train + ds.summary.steps.validation + ds.summary.steps.test).toBe(STEPS * 40);
    const bigPiano = folder('big piano', 40, 'piano');
    const ev = buildEventsDataset({ dir: bigPiano });
    expect(ev.summary.used.validation).toBeGreaterThan(0);
    expect(ev.summary.validationFrom).toBe('by file');
  });
});
