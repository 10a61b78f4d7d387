// A musician's small folder: from scratch the trainer picks a batch that gives an epoch enough
// updates and a longer patience, saying so and proposing a fine-tune of the shipped model of
// the encoding; a fine-tune whose validation is the end of its own files trains 5 epochs, one
// with validation files of its own keeps the 30 and its patience. Settings given are kept.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeMidi } from '../src/io/midi-write.js';
import { runCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-small-data-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

/** `files` drum files of `bars` bars of 16ths, with a CSV putting the last two in validation. */
function drums(name: string, files: number, bars: number): { dir: string; csv: string } {
  const dir = join(root, name);
  mkdirSync(dir);
  for (let f = 0; f < files; f++) {
    const notes = Array.from({ length: bars * 16 }, (_, s) => ({ tick: s * 24, note: s % 8 === 4 ? 38 : s % 4 ? 42 : 36, velocity: 60 + ((s * 7 + f * 3) % 60) + (s === f ? 1 : 0), channel: 9, durationTicks: 10 }));
    writeFileSync(join(dir, `take ${f}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
  }
  const csv = join(root, `${name}.csv`);
  writeFileSync(csv, ['file,split', ...Array.from({ length: files }, (_, f) => `take ${f}.mid,${f >= files - 2 ? 'validation' : 'train'}`)].join('\n'));
  return { dir, csv };
}

const meta = (out: string) => JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn.training;
const tiny = ['--units', '4', '--layers', '1', '--window', '16', '--no-progress'];

describe('a small folder from scratch', () => {
  // 12 files of 8 bars, 10 of them for training: 1,280 steps, about 90 windows of 16: a batch of 64 gives 2 batches an epoch
  const folder = drums('grooves', 12, 8);

  it('picks a smaller model, batch and a longer patience, says so, and proposes a fine-tune of the shipped drummer', async () => {
    const out = join(root, 'scratch');
    const r = await runCli('train', '--data', folder.dir, '--csv', folder.csv, '--out', out, '--window', '16', '--max-batches', '30', '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/a small folder \(1280 training steps, under 20000\): picked --batch 8 \(\d+ batches an epoch\), --units 64, --layers 1, --dropout 0.5, --patience 4, --epochs 60, which scored better on held-out files/);
    expect(r.err).toMatch(/learns far more as a fine-tune of the shipped drums-gmd model than from scratch \(bench\/finetune\.ts\): pulse-rnn train --from \S*weights\/drums-gmd --data /);
    expect(meta(out)).toMatchObject({ batch: 8, patience: 4, epochs: 60, units: 64, layers: 1, dropout: 0.5 });
  }, 60_000);

  it('keeps the size of a melodic model: the smaller one was measured on drums', async () => {
    const dir = join(root, 'tunes');
    mkdirSync(dir);
    for (let f = 0; f < 6; f++) writeFileSync(join(dir, `tune ${f}.mid`), writeMidi({ ticksPerQuarter: 96, notes: Array.from({ length: 128 }, (_, s) => ({ tick: s * 24, note: 60 + ((s * 5 + f) % 12), velocity: 80, channel: 0, durationTicks: 20 })) }));
    const out = join(root, 'melody');
    const r = await runCli('train', '--encoding', 'melody-grid', '--data', dir, '--out', out, '--window', '16', '--max-batches', '1', '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/a small folder \(\d+ training steps, under 20000\): picked --batch \d+ \(\d+ batches an epoch\), --patience 4, --epochs 60,/);
    expect(r.err).not.toMatch(/--units 64/);
  }, 60_000);

  it('with no validation, says how many epochs it runs: the small folder\'s 60', async () => {
    const dir = join(root, 'one-step takes');
    mkdirSync(dir);
    for (let f = 0; f < 4; f++) writeFileSync(join(dir, `hit ${f}.mid`), writeMidi({ ticksPerQuarter: 96, notes: [{ tick: 0, note: 36, velocity: 90 + f, channel: 9, durationTicks: 10 }] }));
    const r = await runCli('train', '--data', dir, '--out', join(root, 'no validation'), '--window', '16', '--max-batches', '1', '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('no validation to stop early on: training runs all 60 epochs (--epochs)');
  }, 60_000);

  it('keeps every setting the command gives', async () => {
    const out = join(root, 'scratch given');
    const r = await runCli('train', '--data', folder.dir, '--csv', folder.csv, '--out', out, '--epochs', '1', '--batch', '32', '--patience', '2', '--dropout', '0.2', ...tiny);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/a small folder \(1280 training steps, under 20000\): kept the settings given/);
    expect(meta(out)).toMatchObject({ batch: 32, patience: 2, dropout: 0.2, units: 4, epochs: 1 });
  }, 60_000);
});

describe('a fine-tune on a small folder', () => {
  const parentData = drums('parent grooves', 6, 8);
  const parent = join(root, 'parent');
  const folder = drums('my grooves', 8, 4);

  it('trains 5 epochs when its validation is the end of its own files, and 30 with validation files of its own', async () => {
    const p = await runCli('train', '--data', parentData.dir, '--csv', parentData.csv, '--out', parent, '--epochs', '1', ...tiny);
    expect(p.code, p.err).toBe(0);
    // no CSV: 8 files leave validation no file, so it holds each file's end
    const ends = join(root, 'tuned on ends');
    const e = await runCli('train', '--from', parent, '--data', folder.dir, '--out', ends, '--max-batches', '1', '--no-progress');
    expect(e.code, e.err).toBe(0);
    expect(e.err).toMatch(/--epochs 5: validation is the end of the files this fine-tune trains on/);
    expect(meta(ends)).toMatchObject({ epochs: 5, patience: 2 });
    // the CSV gives validation two files: early stopping can follow them
    const byFile = join(root, 'tuned by file');
    const f = await runCli('train', '--from', parent, '--data', folder.dir, '--csv', folder.csv, '--out', byFile, '--max-batches', '1', '--no-progress');
    expect(f.code, f.err).toBe(0);
    expect(f.err).not.toMatch(/--epochs 5/);
    expect(meta(byFile)).toMatchObject({ epochs: 30, patience: 2 });
    // and a fine-tune is never told to fine-tune
    expect(f.err + e.err).not.toMatch(/learns far more as a fine-tune/);
  }, 120_000);
});
