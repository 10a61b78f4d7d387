// The commands a finished run prints are the ones to run: `eval` scores the files the run held
// out (not ones it trained on), and names a split that holds files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { buildDrumDataset } from '../src/train/dataset.js';
import { runCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-next-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

/** A folder of `n` drum files, file i 16·(i+1) steps long, so a split's step count tells its files apart. */
function grooves(dir: string, n: number): string {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const notes: NoteOut[] = [];
    for (let s = 0; s < 16 * (i + 1); s++) {
      if (s % 8 === 0) notes.push({ tick: s * 24, note: 36, velocity: 100, channel: 9, durationTicks: 10 });
      if (s % 8 === 4) notes.push({ tick: s * 24, note: 38, velocity: 100, channel: 9, durationTicks: 10 });
      notes.push({ tick: s * 24, note: 42, velocity: 80, channel: 9, durationTicks: 10 });
    }
    writeFileSync(join(dir, `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
  }
  return dir;
}

/** The command after `label:` in what train printed, as words (the paths here need no quotes). */
function printed(err: string, label: string): string[] {
  const line = err.split('\n').find((l) => l.trimStart().startsWith(`${label}:`));
  expect(line, err).toBeDefined();
  // the command, without the note in brackets after it
  return line!.slice(line!.indexOf(':') + 1).split(/ {2,}\(/)[0].trim().split(/\s+/).slice(1);
}

const tiny = ['--units', '8', '--layers', '1', '--epochs', '1', '--batch', '4', '--window', '16', '--no-progress'];

describe('the commands a finished run prints', () => {
  it('eval, as printed, scores the test files of the run seeded with --seed, not another split', async () => {
    const data = grooves(join(root, 'seeded'), 40);
    // the split is drawn from the seed: another seed holds out other files
    const held = (seed: number) => buildDrumDataset({ dir: data, seed }).summary.steps.test;
    expect(held(7)).toBeGreaterThan(0);
    expect(held(7)).not.toBe(held(1));
    const out = join(root, 'seeded-model');
    const t = await runCli('train', '--data', data, '--out', out, '--seed', '7', ...tiny);
    expect(t.code, t.err).toBe(0);
    const e = await runCli(...printed(t.err, 'score it'), '--json');
    expect(e.code, e.err).toBe(0);
    expect(JSON.parse(e.out).model.steps).toBe(held(7));
    // left out, eval's seed is the run's; given, it is the one given
    const given = await runCli('eval', '--model', out, '--data', data, '--split', 'test', '--seed', '1', '--json');
    expect(given.code, given.err).toBe(0);
    expect(JSON.parse(given.out).model.steps).toBe(held(1));
    // a drum model: the printed calibrate command fits it on the run's own training split
    const c = await runCli(...printed(t.err, 'calibrate it'), '--seeds', '2', '--rounds', '1');
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn.calibration.voiceBias).toHaveLength(9);
  }, 120_000);

  it("eval without --csv scores a model trained on a CSV on that CSV's test files, and says so", async () => {
    const data = grooves(join(root, 'listed'), 10);
    const csv = join(root, 'listed.csv');
    writeFileSync(csv, ['file,split', ...Array.from({ length: 10 }, (_, i) => `g${i}.mid,${i < 6 ? 'train' : i < 8 ? 'validation' : 'test'}`)].join('\n'));
    const out = join(root, 'listed-model');
    const t = await runCli('train', '--data', data, '--csv', csv, '--out', out, ...tiny);
    expect(t.code, t.err).toBe(0);
    const e = await runCli('eval', '--model', out, '--data', data, '--json');
    expect(e.code, e.err).toBe(0);
    // files 8 and 9: 16·9 + 16·10 steps
    expect(JSON.parse(e.out).model.steps).toBe(16 * 9 + 16 * 10);
    expect(e.err).toContain(`note: split by ${csv}, the CSV the model was trained with`);
    // another folder: a random split, and a note that it may hold training files
    const copy = grooves(join(root, 'listed-copy'), 10);
    const other = await runCli('eval', '--model', out, '--data', copy, '--split', 'train');
    expect(other.code, other.err).toBe(0);
    expect(other.err).toMatch(/note: the model was trained on the split of .*listed\.csv; without --csv this is a random split/);
  }, 120_000);

  it('a run whose random split left the test split empty prints an eval of a split that holds files, and eval says what to do', async () => {
    const data = grooves(join(root, 'few'), 12);
    // a seed whose random split holds out validation files and no test file
    const seed = [...Array(200).keys()].find((s) => {
      const { used } = buildDrumDataset({ dir: data, seed: s }).summary;
      return used.test === 0 && used.validation > 0;
    });
    expect(seed).toBeDefined();
    const out = join(root, 'few-model');
    const t = await runCli('train', '--data', data, '--out', out, '--seed', String(seed), ...tiny);
    expect(t.code, t.err).toBe(0);
    const words = printed(t.err, 'score it');
    expect(words.join(' ')).not.toMatch(/--split test/);
    const e = await runCli(...words);
    expect(e.code, e.err).toBe(0);
    const empty = await runCli('eval', '--model', out, '--data', data, '--split', 'test');
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/the test split is empty/);
    expect(empty.err).toMatch(/--split validation/);
    expect(empty.err).toMatch(/CSV/);
  }, 120_000);
});
