// `pulse-rnn train --encoding piano-roll` as a user runs it, through npm's bin (`npx pulse-rnn`,
// the built dist/cli.js): a tiny model from a benchmark-format JSON file (its own splits) and from
// a folder of MIDI files; `eval` on it (frame NLL beside the per-key baseline and the chord
// n-gram) and `generate` writing its chords; and bad data refused, naming the file and field.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { writeMidi } from '../src/io/midi-write.js';

const exec = promisify(execFile);
const ROOT = resolve('.');
const tmp = mkdtempSync(join(tmpdir(), 'pulse-piano-roll-'));
const checkpoints = mkdtempSync(join(tmpdir(), 'pulse-piano-roll-ck-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(checkpoints, { recursive: true, force: true });
});

const env = { ...process.env, PULSE_RNN_CHECKPOINTS: checkpoints, npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };
/** `npx pulse-rnn …` in the checkout; resolves with its output whatever its exit code. */
const pulse = (...args: string[]) =>
  exec('npx', ['--no-install', 'pulse-rnn', ...args], { cwd: ROOT, env, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

/** Pieces of chords around middle C, a few keys a frame. */
const pieces = (n: number, len: number, seed: number) =>
  Array.from({ length: n }, (_, p) => Array.from({ length: len }, (_, t) => [48 + ((p + t + seed) % 5), 60 + ((t * 3 + seed) % 7), 67 + ((p * t) % 4)].sort((a, b) => a - b)));

const TRAIN = ['--units', '8', '--layers', '1', '--window', '8', '--batch', '4', '--epochs', '1', '--no-progress'];

beforeAll(async () => {
  // npx runs the built command: build a checkout that has not been built
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) await exec('npm', ['run', 'build'], { cwd: ROOT, env });
}, 300_000);

describe('pulse-rnn train --encoding piano-roll', () => {
  it('trains from a benchmark JSON file with its own splits, at its steps per quarter; eval and generate use the model', async () => {
    const data = join(tmp, 'jsb_tiny.json');
    writeFileSync(data, JSON.stringify({ train: pieces(6, 24, 1), valid: pieces(2, 16, 2), test: pieces(2, 16, 3) }));
    const out = join(tmp, 'chords');
    const r = await pulse('train', '--encoding', 'piano-roll', '--data', data, '--out', out, ...TRAIN);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/piano roll, 1 step\(s\) per quarter \(a benchmark file, its own splits\); pieces 6 train, 2 validation, 2 test/);
    const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
    expect(meta).toMatchObject({ encoding: 'piano-roll', stepsPerQuarter: 1, stepsPerBar: 4, lowestKey: 21 });

    const e = await pulse('eval', '--model', out, '--data', data, '--json');
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.model.frames).toBe(32);
    expect(report.model.nllNats).toBeGreaterThan(0);
    expect(report.perKey.nllNats).toBeGreaterThan(0);
    expect(report.ngram.order).toBeGreaterThanOrEqual(1);
    expect(report.unit).toMatch(/nats per frame/);
    // what it plays freely beside the split: keys a frame, chords of the training data, how long a chord lasts
    expect(report.texture.data.keysPerFrame).toBe(3);
    expect(report.texture.generated.keysPerFrame).toBeGreaterThan(0);
    expect(report.texture.generated.trainingChords).toBeGreaterThanOrEqual(0);
    const text = await pulse('eval', '--model', out, '--data', data);
    expect(text.stdout).toMatch(/test split \(the file's own\), 32 frames/);
    expect(text.stdout).toMatch(/per-key: +\d/);
    expect(text.stdout).toMatch(/chord \d-gram: +\d/);
    expect(text.stdout).toMatch(/published on this test split: RNN-RBM 6\.27/);
    expect(text.stdout).toMatch(/played freely \(16 runs of 16 frames, temperature 1\) against the split/);

    const mid = join(tmp, 'chords.mid');
    const g = await pulse('generate', '--model', out, '--steps', '16', '--seed', '3', '--density', '2', '--out', mid);
    expect(g.code, g.stderr).toBe(0);
    const song = readMidi(new Uint8Array(readFileSync(mid)), mid);
    expect(song.notes.length).toBeGreaterThan(0);
    // a quarter a step at 480 ticks: every note starts on a quarter
    expect(song.notes.every((n) => n.tick % 480 === 0 && n.note >= 21 && n.note <= 108)).toBe(true);
  }, 300_000);

  it('trains from a folder of MIDI files at --steps-per-quarter, sustained notes in every frame they cover', async () => {
    const dir = join(tmp, 'midi');
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 10; f++) {
      const notes = Array.from({ length: 16 }, (_, i) => [
        { tick: i * 480, note: 48 + (i % 4), velocity: 80, channel: 0, durationTicks: 960 },
        { tick: i * 480, note: 64 + ((i + f) % 3), velocity: 80, channel: 0, durationTicks: 240 },
        { tick: i * 480, note: 36, velocity: 100, channel: 9, durationTicks: 60 }, // drums: skipped
      ]).flat();
      writeFileSync(join(dir, `tune${f}.mid`), writeMidi({ ticksPerQuarter: 480, notes }));
    }
    const out = join(tmp, 'chords-midi');
    const r = await pulse('train', '--encoding', 'piano-roll', '--steps-per-quarter', '2', '--data', dir, '--out', out, ...TRAIN);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/piano roll, 2 step\(s\) per quarter \(MIDI files\)/);
    // 16 quarters of 2 frames, and the last bass note's second quarter: 34 frames a file (its
    // training head and, in a folder this small, its held-out end)
    expect(r.stderr).toMatch(/frames: (\d+) train, (\d+) validation/);
    const [, train, validation] = /frames: (\d+) train, (\d+) validation/.exec(r.stderr)!.map(Number);
    expect((train + validation) % 34).toBe(0);
    const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
    expect(meta).toMatchObject({ encoding: 'piano-roll', stepsPerQuarter: 2, stepsPerBar: 8 });
    // eval frames the folder at the model's own steps per quarter
    const e = await pulse('eval', '--model', out, '--data', dir, '--split', 'train', '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).model.frames).toBe(train);
    expect(JSON.parse(e.stdout).published).toBeNull();
  }, 300_000);

  it('--key-order direct: each key reads the keys below it in the frame, and the engine loads the order', async () => {
    const data = join(tmp, 'jsb_order.json');
    writeFileSync(data, JSON.stringify({ train: pieces(6, 24, 4), valid: pieces(2, 16, 5), test: pieces(2, 16, 6) }));
    const out = join(tmp, 'chords-direct');
    const r = await pulse('train', '--encoding', 'piano-roll', '--key-order', 'direct', '--data', data, '--out', out, ...TRAIN);
    expect(r.code, r.stderr).toBe(0);
    const spec = await loadModelSpec(out);
    expect(spec.heads[0].keyOrder?.direct).toHaveLength(88 * 88);
    const bad = await pulse('train', '--encoding', 'piano-roll', '--key-order', 'sideways', '--data', data, '--out', join(tmp, 'no'), ...TRAIN);
    expect(bad.stderr).toMatch(/--key-order must be one of independent, direct, nade, nade\+direct, got 'sideways'/);
  }, 300_000);

  it('refuses a bad benchmark file, naming the file and the field, and flags that do not fit', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ train: [[[60, 200]]], valid: [], test: [] }));
    const r = await pulse('train', '--encoding', 'piano-roll', '--data', bad, '--out', join(tmp, 'no'), ...TRAIN);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${bad}: train[0][0][1] is 200; a pitch is a whole MIDI number from 21 to 108`);
    writeFileSync(bad, JSON.stringify({ train: [[[60]]], test: [] }));
    const r2 = await pulse('train', '--encoding', 'piano-roll', '--data', bad, '--out', join(tmp, 'no'), ...TRAIN);
    expect(r2.stderr).toContain(`${bad}: field 'valid' must be a list of pieces, got nothing`);
    expect(existsSync(join(tmp, 'no'))).toBe(false);
    const r3 = await pulse('train', '--steps-per-quarter', '2', '--data', tmp, '--out', join(tmp, 'no'), ...TRAIN);
    expect(r3.stderr).toMatch(/--steps-per-quarter is for --encoding piano-roll/);
    const r4 = await pulse('train', '--encoding', 'piano-roll', '--steps-per-quarter', '5', '--data', bad, '--out', join(tmp, 'no'), ...TRAIN);
    expect(r4.stderr).toMatch(/--steps-per-quarter must be one of 1, 2, 3, 4, 6, 8, 12, 24/);
  }, 300_000);
});
