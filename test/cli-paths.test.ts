// Paths a new user gets wrong, in every command that takes one: each is named with what is
// wrong and what to do (never Node's bare ENOENT/ENOTDIR, never a temporary file's name), and
// a refused run leaves nothing behind.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeMidi } from '../src/io/midi-write.js';
import { buildDrumDataset } from '../src/train/dataset.js';
import { runCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-paths-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});
const file = join(root, 'a-file.txt');
writeFileSync(file, 'not a folder');
const data = join(root, 'data');
mkdirSync(data);
writeFileSync(join(data, 'one.mid'), writeMidi({ ticksPerQuarter: 96, notes: [{ tick: 0, note: 36, velocity: 100, channel: 9, durationTicks: 10 }] }));

/** The one error line, checked for the things every such line must be. */
async function refused(...args: string[]): Promise<string> {
  const r = await runCli(...args);
  expect(r.code, r.out).toBe(1);
  expect(r.err).not.toMatch(/\.tmp\b|^\s+at /m);
  expect(r.err).toMatch(/^pulse-rnn: /m);
  return r.err;
}

describe('paths a new user gets wrong', () => {
  it('--data that is missing, or a file, in dataset, train (every encoding) and eval', async () => {
    for (const enc of [[], ['--encoding', 'melody-grid'], ['--encoding', 'note-events']]) {
      expect(await refused('train', '--data', join(root, 'nope'), '--out', join(root, 'm1'), ...enc)).toMatch(/nope: no such folder; --data names the folder your MIDI files are in/);
      expect(await refused('train', '--data', join(data, 'one.mid'), '--out', join(root, 'm1'), ...enc)).toMatch(/one\.mid: a file, not a folder; --data names the folder your MIDI files are in \(for one file, put it in a folder of its own\)/);
    }
    expect(await refused('dataset', '--data', file)).toMatch(/a-file\.txt: a file, not a folder/);
    expect(existsSync(join(root, 'm1'))).toBe(false);
  });

  it('--out and --checkpoint-dir under a file are named as such, and nothing is left', async () => {
    expect(await refused('train', '--data', data, '--out', join(file, 'model'))).toMatch(/--out .*a-file\.txt\/model: cannot make this folder: .*a part of this path is a file, not a folder \(ENOTDIR\); choose a path under a folder/);
    const out = join(root, 'm2');
    expect(await refused('train', '--data', data, '--out', out, '--checkpoint-dir', join(file, 'ck'))).toMatch(/--checkpoint-dir .*a-file\.txt\/ck: cannot make this folder: .*ENOTDIR/);
    expect(readdirSync(root).sort()).toEqual(['a-file.txt', 'data']);
  });

  it('generate --out and score --midi name the file the user gave', async () => {
    const model = join(import.meta.dirname, '..', 'weights', 'drums-gmd');
    expect(await refused('generate', '--model', model, '--steps', '4', '--out', join(file, 'beat.mid'))).toMatch(/a-file\.txt\/beat\.mid: a part of this path is a file, not a folder \(ENOTDIR\); choose a path under a folder/);
    expect(await refused('score', '--model', model, '--midi', join(root, 'gone.mid'))).toMatch(/gone\.mid: no such file or folder \(ENOENT\); check the path/);
  });
});

describe('a model folder deleted to start afresh', () => {
  it('says the folder is gone and its run is not, and --force starts over', async () => {
    const out = join(root, 'gone model');
    const tiny = ['--data', data, '--out', out, '--units', '4', '--layers', '1', '--epochs', '1', '--batch', '1', '--window', '2', '--no-progress'];
    const first = await runCli('train', ...tiny);
    expect(first.code, first.err).toBe(0);
    rmSync(out, { recursive: true });
    expect(await refused('train', ...tiny)).toMatch(/gone model does not exist, but the checkpoint of a run into it does \(.*checkpoint\.bin\): add --force to start a new run there/);
    const again = await runCli('train', ...tiny, '--force');
    expect(again.code, again.err).toBe(0);
    expect(existsSync(join(out, 'model.json'))).toBe(true);
  }, 60_000);

  it('--resume exports a model again, and never points at one that is gone', async () => {
    const out = join(root, 'resumed model');
    const tiny = ['--data', data, '--out', out, '--units', '4', '--layers', '1', '--batch', '1', '--window', '2', '--patience', '9', '--no-progress'];
    const first = await runCli('train', ...tiny, '--epochs', '1');
    expect(first.code, first.err).toBe(0);
    rmSync(out, { recursive: true });
    // nothing left to train: no model is claimed, and the command to make one is given
    const idle = await runCli('train', ...tiny, '--resume');
    expect(idle.code, idle.err).toBe(0);
    expect(idle.err).not.toMatch(/play it:/);
    expect(idle.err).toContain(`${out} no longer holds the model this run exported`);
    expect(idle.err).toContain(`no model in ${out}: the one the run exported is gone`);
    const words = idle.err.split('train one more to export one: pulse-rnn ')[1].trim().split(/\s+/).map((w) => w.replace(/^'|'$/g, ''));
    // the quoted folder name is two words here: put it back together
    const i = words.indexOf('--out');
    words.splice(i + 1, 2, `${words[i + 1]} ${words[i + 2]}`);
    const more = await runCli(...words, '--no-progress');
    expect(more.code, more.err).toBe(0);
    expect(more.err).toMatch(/play it: +pulse-rnn play --model/);
    expect(existsSync(join(out, 'model.json'))).toBe(true);
  }, 60_000);
});

describe('a file named where a MIDI file or a CSV is read that is not one', () => {
  // a named pipe waits for a writer forever, /dev/zero never ends, a sparse file of 3 GB named
  // .mid would be read whole: each is refused by name before it is read
  const odd = join(root, 'odd');
  const huge = join(odd, 'huge.mid');
  beforeAll(() => {
    mkdirSync(odd);
    execFileSync('mkfifo', [join(odd, 'pipe.mid')]);
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 3 * 1024 ** 3);
    closeSync(fd);
  });
  const model = join(import.meta.dirname, '..', 'weights', 'drums-gmd');

  it('score --midi', async () => {
    expect(await refused('score', '--model', model, '--midi', join(odd, 'pipe.mid'))).toMatch(/pipe\.mid: a named pipe \(FIFO\), not a file; name a MIDI file/);
    expect(await refused('score', '--model', model, '--midi', '/dev/zero')).toMatch(/\/dev\/zero: a character device, not a file; name a MIDI file/);
    expect(await refused('score', '--model', model, '--midi', odd)).toMatch(/odd: a folder, not a file; name a MIDI file/);
    expect(await refused('score', '--model', model, '--midi', huge)).toMatch(/huge\.mid: 3072 MB, more than a MIDI file holds \(at most 128 MB\)/);
  });

  it('--csv', async () => {
    expect(await refused('dataset', '--data', data, '--csv', join(odd, 'pipe.mid'))).toMatch(/--csv .*pipe\.mid: a named pipe \(FIFO\), not a file/);
    expect(await refused('dataset', '--data', data, '--csv', '/dev/zero')).toMatch(/--csv \/dev\/zero: a character device, not a file/);
  });

  it('the dataset walk skips a huge file with its reason and reads the rest', () => {
    const dir = join(root, 'with-huge');
    mkdirSync(dir);
    execFileSync('cp', [join(data, 'one.mid'), huge, dir]);
    const s = buildDrumDataset({ dir }).summary;
    expect(s.skipped).toEqual([{ file: 'huge.mid', reason: '3072 MB, more than a MIDI file holds (at most 128 MB); check that it is the file you meant' }]);
    expect(s.used.train + s.used.validation + s.used.test).toBe(1);
  });
});

describe('a folder of melodic music given to the drum model', () => {
  it('says why nothing is used and names the melody encodings', async () => {
    const tunes = join(root, 'tunes');
    mkdirSync(tunes);
    for (let f = 0; f < 3; f++) {
      const notes = Array.from({ length: 32 }, (_, s) => ({ tick: s * 48, note: 60 + ((s * 7 + f) % 12), velocity: 80, channel: 0, durationTicks: 40 }));
      writeFileSync(join(tunes, `tune ${f}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
    }
    for (const cmd of ['dataset', 'train']) {
      const args = cmd === 'train' ? ['--out', join(root, 'tune-model')] : [];
      expect(await refused(cmd, '--data', tunes, ...args)).toMatch(/the training split is empty: 3 file\(s\) read, 3 skipped \(3× no drum part .*; for melodic music, train a melody model: pulse-rnn train --encoding note-events \(or melody-grid\)/);
    }
    expect(existsSync(join(root, 'tune-model'))).toBe(false);
  });

  it('and a folder of drums given to a note-event model names the drum model', async () => {
    const drums = join(root, 'drums only');
    mkdirSync(drums);
    for (let f = 0; f < 3; f++) {
      const notes = Array.from({ length: 32 }, (_, s) => ({ tick: s * 24, note: s % 4 ? 42 : 36, velocity: 90, channel: 9, durationTicks: 10 }));
      writeFileSync(join(drums, `beat ${f}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
    }
    expect(await refused('train', '--data', drums, '--out', join(root, 'drum-notes'), '--encoding', 'note-events')).toMatch(/the training split is empty: 3 file\(s\), 3 skipped \(beat 0\.mid: no notes outside the drum part.*\), 0 in validation\/test; for drums, train the drum model: pulse-rnn train without --encoding/);
  });
});

describe('which errors are reworded', () => {
  it('a file system error about a path is; a socket error (a port taken) keeps its own words', async () => {
    const { systemErrorLine } = await import('../src/io/system-error.js');
    const fsError = Object.assign(new Error("ENOENT: no such file or directory, open 'x.mid'"), { code: 'ENOENT', syscall: 'open', path: 'x.mid' });
    expect(systemErrorLine(fsError)).toBe('x.mid: no such file or folder (ENOENT); check the path');
    const taken = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8317'), { code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port: 8317 });
    expect(systemErrorLine(taken)).toBeNull();
    expect(systemErrorLine(new Error('plain'))).toBeNull();
  });
});

describe('a window or batch too large for memory', () => {
  it('is refused by name with what to lower, not a bare RangeError', async () => {
    // 1,000,000 steps a window, one window a file: past what the kernel's memory can address,
    // refused before anything that size is allocated
    const r = await runCli('train', '--data', data, '--out', join(root, 'wide'), '--units', '64', '--layers', '1', '--window', '1000000', '--max-batches', '1', '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--window 1000000 × --batch 64 \(1 window a batch of this data\) × --units 64 needs about 3\.1 GB in the training kernel, which holds 2\.0 GB; lower --window, --batch or --units/);
    // refused before the folders were made
    expect(existsSync(join(root, 'wide'))).toBe(false);
  }, 60_000);
});
