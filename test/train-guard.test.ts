// What `train` does with what is already there: a folder holding another model, a checkpoint
// whose settings differ from the command's, a damaged checkpoint; where checkpoints live; and
// what it says when a run ends.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Rng } from '../src/engine/prng.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { checkpointDir, decodeCheckpoint, encodeCheckpoint, readCheckpoint } from '../src/train/checkpoint.js';
import { train, type TrainOptions } from '../src/train/train.js';
import { runCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-guard-'));
const data = join(root, 'midi');
const other = join(root, 'other-midi');
// checkpoints of runs that name no --checkpoint-dir go here, not to the user's cache
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'cache'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

function corpus(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const notes: NoteOut[] = [];
    for (let s = 0; s < 64; s++) {
      if (s % 8 === 0 || (i % 2 && s % 16 === 10)) notes.push({ tick: s * 24, note: 36, velocity: 100, channel: 9, durationTicks: 10 });
      if (s % 8 === 4) notes.push({ tick: s * 24, note: 38, velocity: 100, channel: 9, durationTicks: 10 });
      if (s % 2 === 0) notes.push({ tick: s * 24, note: 42, velocity: 80, channel: 9, durationTicks: 10 });
    }
    writeFileSync(join(dir, `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
  }
}

beforeAll(() => {
  corpus(data, 12);
  corpus(other, 3);
});

const tiny = { data, units: 8, layers: 1, batch: 4, window: 16, dropout: 0, seed: 3, learningRate: 0.02, progress: false as const, log: () => {} } satisfies Partial<TrainOptions>;
const cliTiny = ['--data', data, '--units', '8', '--layers', '1', '--batch', '4', '--window', '16', '--dropout', '0', '--seed', '3', '--lr', '0.02', '--no-progress'];

/** Every file below `dir` with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = readFileSync(join(d, e.name)).toString('base64');
    }
  };
  walk(dir, '');
  return out;
}

/** A folder holding a model of someone else's: model.json, its shard, log, curves, card, and a file of the user's. */
function foreignModel(dir: string, files = ['model.json', 'train-log.jsonl', 'curves.svg', 'MODEL_CARD.md']): void {
  mkdirSync(dir, { recursive: true });
  const contents: Record<string, string> = {
    'model.json': JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights-0123456789ab.bin'], weights: [] }] }),
    'train-log.jsonl': '{"epoch":1,"validationNll":1.5}\n',
    'curves.svg': '<svg/>\n',
    'MODEL_CARD.md': '# another model\n',
  };
  for (const f of files) writeFileSync(join(dir, f), contents[f]);
  if (files.includes('model.json')) writeFileSync(join(dir, 'weights-0123456789ab.bin'), 'the old weights');
  writeFileSync(join(dir, 'notes.txt'), 'mine');
}

describe('a folder that holds another model', () => {
  it('is refused, naming what it holds, and nothing in it changes', async () => {
    for (const files of [['model.json'], ['train-log.jsonl'], ['curves.svg'], ['MODEL_CARD.md'], ['model.json', 'train-log.jsonl', 'curves.svg', 'MODEL_CARD.md']]) {
      const out = join(root, `held-${files.join('+')}`);
      foreignModel(out, files);
      const before = snapshot(out);
      await expect(train({ ...tiny, out, epochs: 1 })).rejects.toThrow(new RegExp(`${out.replace(/[.+]/g, '\\$&')} already holds a model \\(${files[0].replace('.', '\\.')}.*add --force`));
      expect(snapshot(out)).toEqual(before);
    }
    // through the command, the same words
    const out = join(root, 'held-cli');
    foreignModel(out);
    const r = await runCli('train', ...cliTiny, '--out', out, '--epochs', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^pulse-rnn: .*held-cli already holds a model \(model\.json, train-log\.jsonl, curves\.svg, MODEL_CARD\.md, weights-0123456789ab\.bin\) and no checkpoint of its run; train into another --out, or add --force/m);
  });

  it('with --force, the model there is moved aside whole, and only the shards this run wrote are ever removed', async () => {
    const out = join(root, 'forced');
    foreignModel(out);
    // a shard nobody names: not the trainer's to remove
    writeFileSync(join(out, 'weights-fedcba987654.bin'), 'stray');
    const before = snapshot(out);
    const lines: string[] = [];
    const r = await train({ ...tiny, out, epochs: 3, force: true, log: (l) => lines.push(l) });
    expect(r.exported).toBe(true);
    const moved = readdirSync(out).filter((f) => f.startsWith('replaced-'));
    expect(moved).toHaveLength(1);
    expect(lines.join('\n')).toContain(`to ${join(out, moved[0])}`);
    const after = snapshot(out);
    // the old model, whole, in the replaced- folder; the user's file and the stray shard in place
    for (const f of ['model.json', 'train-log.jsonl', 'curves.svg', 'MODEL_CARD.md', 'weights-0123456789ab.bin']) expect(after[`${moved[0]}/${f}`]).toBe(before[f]);
    expect(after['notes.txt']).toBe(before['notes.txt']);
    expect(after['weights-fedcba987654.bin']).toBe(before['weights-fedcba987654.bin']);
    // no card describing another model beside the new one: the card there is this run's
    expect(after['MODEL_CARD.md']).not.toBe(before['MODEL_CARD.md']);
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(/^<!-- written by pulse-rnn train[^\n]*\n# forced: a drum-grid model trained from scratch/);
    // the new model: its model.json names the one shard of this run left in the folder
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const shards = readdirSync(out).filter((f) => /^weights-[0-9a-f]{12}\.bin$/.test(f));
    expect(shards.sort()).toEqual([json.weightsManifest[0].paths[0], 'weights-fedcba987654.bin'].sort());
    expect(r.history.filter((h, i) => h.validationNll < Math.min(Infinity, ...r.history.slice(0, i).map((x) => x.validationNll))).length).toBeGreaterThan(1); // exported more than once
    expect((await loadModelSpec(out)).layers).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(out, 'train-log.jsonl'), 'utf8').split('\n')[0]).epoch).toBe(1);
  }, 120_000);

  it('a folder with an unfinished run is refused without --resume, and --resume with --force is a contradiction', async () => {
    const out = join(root, 'unfinished');
    await train({ ...tiny, out, epochs: 2, maxBatches: 2 });
    await expect(train({ ...tiny, out, epochs: 2 })).rejects.toThrow(/unfinished already holds a training run \(checkpoint .*\); add --resume to continue it, --force to start it over/);
    await expect(train({ ...tiny, out, resume: true, force: true })).rejects.toThrow(/--resume and --force contradict each other/);
    await expect(train({ ...tiny, out: join(root, 'never'), resume: true })).rejects.toThrow(/never: no checkpoint to resume from \(looked for .*checkpoint\.bin\); start the run without --resume/);
    // a refused run leaves nothing behind
    expect(existsSync(join(root, 'never'))).toBe(false);
    writeFileSync(join(root, 'a-file'), 'x');
    await expect(train({ ...tiny, out: join(root, 'a-file'), epochs: 1 })).rejects.toThrow(/a-file: not a folder; --out names the folder the model is written to/);
  }, 60_000);
});

describe('--resume', () => {
  const out = join(root, 'resumed');
  beforeAll(async () => {
    await train({ ...tiny, out, epochs: 2, maxBatches: 3 });
  }, 60_000);

  it('refuses every setting that differs from the checkpoint, naming each with both values', async () => {
    const cases: [Partial<TrainOptions>, string][] = [
      [{ units: 16 }, '--units 16 (checkpoint: 8)'],
      [{ layers: 2 }, '--layers 2 (checkpoint: 1)'],
      [{ cell: 'gru' }, '--cell gru (checkpoint: lstm)'],
      [{ batch: 8 }, '--batch 8 (checkpoint: 4)'],
      [{ window: 32 }, '--window 32 (checkpoint: 16)'],
      [{ dropout: 0.5 }, '--dropout 0.5 (checkpoint: 0)'],
      [{ seed: 4 }, '--seed 4 (checkpoint: 3)'],
      [{ learningRate: 0.001 }, '--lr 0.001 (checkpoint: 0.02)'],
      [{ clip: 5 }, '--clip 5 (checkpoint: 1)'],
      // a folder this small is given patience 4 unless the command says otherwise
      [{ patience: 9 }, '--patience 9 (checkpoint: 4)'],
      [{ encoding: 'melody-grid' }, '--encoding melody-grid (checkpoint: drum-grid)'],
      [{ augment: false }, 'augmentation off (checkpoint: on)'],
      [{ data: other }, `--data ${other} (checkpoint: ${data})`],
      [{ csv: join(root, 'splits.csv') }, `--csv ${join(root, 'splits.csv')} (checkpoint: none)`],
    ];
    const before = readFileSync(join(checkpointDir(out), 'checkpoint.bin'));
    for (const [given, named] of cases) {
      const e = await train({ ...tiny, out, resume: true, ...given }).then(() => null, (x: Error) => x);
      expect(e?.message, JSON.stringify(given)).toContain(named);
      // --data cannot be left out (it is required): the run's own folder is named instead
      const fix = 'data' in given ? `Give --data ${data} \\(the folder the run was trained on\\)` : 'Leave it out';
      expect(e?.message).toMatch(new RegExp(`checkpoint\\.bin: --resume continues a run with the settings it started with.*${fix} to continue the run as it was, or start a new run with --force`));
    }
    const both = await train({ ...tiny, out, resume: true, data: other, units: 16 }).then(() => null, (x: Error) => x);
    expect(both?.message).toContain(`Give --data ${data} (the folder the run was trained on) and leave --units out to continue the run as it was`);
    // all at once: each is named
    const e = await train({ ...tiny, out, resume: true, units: 16, cell: 'gru', seed: 9 }).then(() => null, (x: Error) => x);
    expect(e?.message).toMatch(/3 differ: --cell gru \(checkpoint: lstm\), --units 16 \(checkpoint: 8\), --seed 9 \(checkpoint: 3\)\. Leave them out/);
    // refused before anything was touched
    expect(readFileSync(join(checkpointDir(out), 'checkpoint.bin')).equals(before)).toBe(true);
  }, 60_000);

  it('takes the same data folder by another spelling or a link as the same', async () => {
    symlinkSync(data, join(root, 'data-link'));
    const r = await train({ ...tiny, data: join(root, 'data-link'), out, resume: true, maxBatches: 1 });
    expect(r.ended).toBe('maxBatches');
    await expect(train({ ...tiny, data: `${data}/../midi/`, out, resume: true, maxBatches: 1 })).resolves.toBeTruthy();
  }, 60_000);

  it('keeps the epochs it started with unless --epochs is given, through the command line', async () => {
    const cli = join(root, 'cli-resume');
    const first = await runCli('train', ...cliTiny, '--out', cli, '--epochs', '2', '--max-batches', '3');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/no model yet: the run stopped in epoch 1, before its first validation; continue it with: pulse-rnn train --data \S+ --out \S+cli-resume --resume/);
    // settings left out are the checkpoint's, not the command's defaults (256 units, 20 epochs)
    const again = await runCli('train', '--data', data, '--out', cli, '--resume', '--no-progress');
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out).epochs).toBe(2);
    const longer = await runCli('train', '--data', data, '--out', cli, '--resume', '--epochs', '3', '--no-progress');
    expect(longer.code, longer.err).toBe(0);
    expect(JSON.parse(longer.out).epochs).toBe(3);
    // fewer epochs than it has done: it says there is nothing to do, and changes nothing
    const shorter = await runCli('train', '--data', data, '--out', cli, '--resume', '--epochs', '2', '--no-progress');
    expect(shorter.code, shorter.err).toBe(0);
    expect(shorter.err).toMatch(/has trained 3 epochs already, as many as --epochs 2 asks: nothing to do/);
    expect(JSON.parse(shorter.out).epochs).toBe(3);
    const wrong = await runCli('train', '--data', data, '--out', cli, '--resume', '--units', '64', '--cell', 'gru');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/--cell gru \(checkpoint: lstm\), --units 64 \(checkpoint: 8\)/);
  }, 120_000);
});

describe('a damaged checkpoint', () => {
  const out = join(root, 'damaged');
  let good: Uint8Array;
  beforeAll(async () => {
    await train({ ...tiny, out, epochs: 2, maxBatches: 4 });
    good = new Uint8Array(readFileSync(join(checkpointDir(out), 'checkpoint.bin')));
  }, 60_000);

  /** The header and arrays of `bytes`, rebuilt with a new header and a digest that matches. */
  const withHeader = (bytes: Uint8Array, edit: (h: Record<string, unknown>) => unknown): Uint8Array => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const len = view.getUint32(4);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(40, 40 + len)));
    const text = new TextEncoder().encode(String(edit(head) ?? JSON.stringify(head)));
    const out = new Uint8Array(40 + text.length + bytes.length - 40 - len);
    out.set(bytes.subarray(0, 8));
    new DataView(out.buffer).setUint32(4, text.length);
    out.set(text, 40);
    out.set(bytes.subarray(40 + len), 40 + text.length);
    return resign(out);
  };
  const resign = (b: Uint8Array): Uint8Array => {
    // the digest, computed as the writer computes it
    b.set(createHash('sha256').update(b.subarray(40)).digest(), 8);
    return b;
  };

  it('is refused with the file named and what is wrong, whatever the damage (fuzzed)', () => {
    const file = join(root, 'fuzz', 'checkpoint.bin');
    mkdirSync(join(root, 'fuzz'), { recursive: true });
    const rng = new Rng(11);
    const cases: [string, Uint8Array][] = [];
    // cut short anywhere
    for (const n of [0, 3, 7, 8, 12, 39, 40, 41, 60, 200, good.length >> 1, good.length - 4, good.length - 1]) cases.push([`truncated to ${n}`, good.slice(0, n)]);
    for (let k = 0; k < 30; k++) cases.push([`truncated (random)`, good.slice(0, rng.int(good.length))]);
    // one byte changed anywhere: in the signature, the length, the digest, the header, the arrays
    for (let k = 0; k < 60; k++) {
      const b = good.slice();
      const at = k < 10 ? rng.int(40) : rng.int(b.length);
      b[at] ^= 1 + rng.int(255);
      cases.push([`byte ${at} changed`, b]);
    }
    // a longer file
    cases.push(['trailing bytes', Uint8Array.from([...good, 1, 2, 3, 4])]);
    // random bytes, with and without the signature
    for (let k = 0; k < 10; k++) {
      const b = Uint8Array.from({ length: 1 + rng.int(5000) }, () => rng.int(256));
      if (k % 2) b.set([0x50, 0x52, 0x4e, 0x32]);
      cases.push(['random bytes', b]);
    }
    // digests that match, headers that do not: bad JSON, missing fields, wrong sizes and types
    cases.push(['header not JSON', withHeader(good, (h) => JSON.stringify(h).replace('":', '"'))]);
    cases.push(['header deeply nested', withHeader(good, () => `${'['.repeat(100000)}${']'.repeat(100000)}`)]);
    cases.push(['header an array', withHeader(good, () => '[1,2,3]')]);
    for (const key of ['options', 'epoch', 'batchInEpoch', 'rng', 'history', 'model', 'arrays', 'lossSum', 'elapsed', 'badEpochs']) cases.push([`no ${key}`, withHeader(good, (h) => void delete h[key])]);
    for (const key of ['units', 'layers', 'batch', 'window', 'epochs', 'seed']) cases.push([`no options.${key}`, withHeader(good, (h) => void delete (h.options as Record<string, unknown>)[key])]);
    cases.push(['arrays one too long', withHeader(good, (h) => void ((h.arrays as number[])[0] += 1))]);
    cases.push(['arrays one too short', withHeader(good, (h) => void ((h.arrays as number[])[0] -= 1))]);
    cases.push(['arrays not a list', withHeader(good, (h) => void (h.arrays = 5))]);
    cases.push(['a weight naming no array', withHeader(good, (h) => void (Object.assign((h.model as { weights: object }).weights, { l0_bias: 999 })))]);
    cases.push(['an optimizer shape that disagrees', withHeader(good, (h) => void ((h.model as { optimizer: { shape: number[] }[] }).optimizer[1].shape = [3, 3]))]);
    cases.push(['rng of 3 words', withHeader(good, (h) => void (h.rng = [1, 2, 3]))]);
    cases.push(['epoch negative', withHeader(good, (h) => void (h.epoch = -1))]);
    cases.push(['lr a string', withHeader(good, (h) => void ((h.model as { lr: unknown }).lr = 'fast'))]);
    cases.push(['cell unknown', withHeader(good, (h) => void ((h.options as { cell: string }).cell = 'transformer'))]);
    cases.push(['shard a path', withHeader(good, (h) => void (h.shard = '../../etc/passwd'))]);
    let refused = 0;
    for (const [what, bytes] of cases) {
      writeFileSync(file, bytes);
      let err: unknown = null;
      try {
        readCheckpoint(file);
      } catch (e) {
        err = e;
      }
      // a changed byte in a float of the arrays is caught by the digest too: every case is refused
      expect(err, what).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg, what).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: damaged checkpoint: .+\\. Start the run over with --force \\(without --resume\\), or train into another --out$`));
      expect(msg, what).not.toMatch(/undefined|is not iterable|Cannot read properties/);
      refused++;
    }
    expect(refused).toBe(cases.length);
    // the good one still reads, and encodes back to the same bytes
    writeFileSync(file, good);
    expect(Buffer.from(encodeCheckpoint(readCheckpoint(file))).equals(Buffer.from(good))).toBe(true);
    // a folder or a FIFO where the file should be is named too, and never waited on
    rmSync(file);
    mkdirSync(file);
    expect(() => readCheckpoint(file)).toThrow(/checkpoint\.bin: damaged checkpoint: cannot be read \(not a regular file\)/);
  });

  it('says which part is wrong in words', () => {
    const say = (b: Uint8Array) => {
      try {
        decodeCheckpoint(b, 'ck.bin');
        return 'read';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(say(good.slice(0, good.length - 10))).toMatch(/^ck\.bin: damaged checkpoint: its contents do not match their SHA-256 digest/);
    expect(say(new Uint8Array([1, 2]))).toMatch(/^ck\.bin: damaged checkpoint: only 2 bytes/);
    expect(say(withHeader(good, (h) => void delete h.rng))).toMatch(/'rng' is not four 32-bit words/);
    expect(say(withHeader(good, (h) => void ((h.arrays as number[])[0] += 1)))).toMatch(/cut short: its arrays need \d+ bytes after the header, the file has \d+/);
    expect(say(withHeader(good, (h) => JSON.stringify(h).slice(0, 30)))).toMatch(/the header is not valid JSON \(/);
  });

  it('on --resume, the run is refused by the file named, and one whose weights do not fit its settings too', async () => {
    const ck = join(checkpointDir(out), 'checkpoint.bin');
    writeFileSync(ck, good.slice(0, 1000));
    await expect(train({ ...tiny, out, resume: true })).rejects.toThrow(new RegExp(`${ck.replace(/[.]/g, '\\.')}: damaged checkpoint: cut short`));
    // a whole file whose settings say 16 units over weights of 8
    writeFileSync(ck, withHeader(good, (h) => void ((h.options as { units: number }).units = 16)));
    await expect(train({ ...tiny, out, resume: true, units: undefined })).rejects.toThrow(/checkpoint\.bin: damaged checkpoint: its weights do not fit the 1×16 lstm its own settings describe \(.*\)\. Start the run over with --force/);
    // and the flag it names starts over
    const r = await train({ ...tiny, out, epochs: 1, force: true });
    expect(r.history).toHaveLength(1);
    expect(() => readCheckpoint(ck)).not.toThrow();
  }, 60_000);
});

describe('where checkpoints live', () => {
  it('outside the model folder, found again by --resume; one an earlier version left inside is moved out', async () => {
    const out = join(root, 'shipped');
    const r = await train({ ...tiny, out, epochs: 2, maxBatches: 4 });
    expect(readdirSync(out).some((f) => /checkpoint|\.bin\.|\.tmp$/.test(f))).toBe(false);
    expect(r.checkpoint).toBe(join(checkpointDir(out), 'checkpoint.bin'));
    expect(r.checkpoint.startsWith(join(root, 'cache'))).toBe(true);
    // the same folder by another spelling is the same run
    expect(checkpointDir(join(out, '..', 'shipped'))).toBe(checkpointDir(out));
    expect(checkpointDir(join(root, 'elsewhere', 'shipped'))).not.toBe(checkpointDir(out));
    // and through a link, before and after the folder exists
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'link'));
    const before = checkpointDir(join(root, 'link', 'later', 'm'));
    mkdirSync(join(root, 'real', 'later', 'm'), { recursive: true });
    expect(checkpointDir(join(root, 'link', 'later', 'm'))).toBe(before);
    expect(checkpointDir(join(root, 'real', 'later', 'm'))).toBe(before);
    // a checkpoint inside the folder, as earlier versions kept it
    copyFileSync(r.checkpoint, join(out, 'checkpoint.bin'));
    rmSync(r.checkpoint);
    const lines: string[] = [];
    const done = await train({ ...tiny, out, resume: true, log: (l) => lines.push(l) });
    expect(done.history).toHaveLength(2);
    expect(lines.join('\n')).toContain(`moved the checkpoint out of the model folder: ${join(out, 'checkpoint.bin')} → ${r.checkpoint}`);
    expect(existsSync(join(out, 'checkpoint.bin'))).toBe(false);
    expect(readCheckpoint(r.checkpoint).epoch).toBe(2);
    // --checkpoint-dir puts it where it is told
    const mine = join(root, 'my-checkpoints');
    const t = await train({ ...tiny, out: join(root, 'told'), epochs: 1, checkpointDir: mine });
    expect(t.checkpoint).toBe(join(mine, 'checkpoint.bin'));
    expect(existsSync(t.checkpoint)).toBe(true);
  }, 120_000);
});

describe('when a run ends', () => {
  it('says how to play the model, in the terminal and on the page, where the curves are, and how to go on', async () => {
    const out = join(root, 'told me');
    const r = await runCli('train', ...cliTiny, '--out', out, '--epochs', '2');
    expect(r.code, r.err).toBe(0);
    const q = `'${out}'`;
    expect(r.err).toContain(`the model: ${out} (best validation NLL`);
    expect(r.err).toContain(`pulse-rnn play --model ${q}`);
    expect(r.err).toContain(`pulse-rnn start --model ${q}`);
    expect(r.err).toContain(`curves:         ${join(out, 'curves.svg')}`);
    expect(r.err).toContain(`pulse-rnn eval --model ${q} --data ${data} --split test`);
    expect(r.err).toMatch(/pulse-rnn train --data \S+ --out '.*told me' --resume --epochs 12 {3}\(the checkpoint: .*checkpoint\.bin; delete it when you are done with the run\)/);
    expect(existsSync(join(out, 'curves.svg'))).toBe(true);
    // stdout stays one JSON line for scripts
    expect(JSON.parse(r.out).epochs).toBe(2);
  }, 60_000);
});
