// `train --from <model folder>`: a fine-tune starts from its parent's weights, every one, keeps
// its encoding and shape, scores the parent as is on the new folder as epoch 0 (the model to
// beat), names the parent in its metadata, and refuses flags that contradict the parent.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { writeMidi } from '../src/io/midi-write.js';
import { buildDrumDataset } from '../src/train/dataset.js';
import { buildEventsDataset, defaultTables, eventsTask, ROLES, startValues } from '../src/train/events-dataset.js';
import { exportLayersModel } from '../src/train/export.js';
import { RnnModel, type RnnShape } from '../src/train/rnn-model.js';
import { expressiveTask } from '../src/train/expressive-task.js';
import { buildMelodyDataset, melodyTask } from '../src/train/melody-dataset.js';
import { pianoRollTask, readPianoRollData } from '../src/train/piano-roll-data.js';
import { drumTask, type TrainingTask } from '../src/train/task.js';
import { runCli } from './helpers/cli.js';
import { smallFolder } from './helpers/small-folders.js';
import { haveShared, sharedPath } from './helpers/shared.js';
import { useCpuBackend } from './helpers/tfjs-models.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-train-from-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

const folder = (name: string, kind: 'drums' | 'piano', shift: number) => smallFolder(root, name, 10, kind, 64, shift);

const drumsA = folder('drums A', 'drums', 0);
const drumsB = folder('drums B', 'drums', 3);
const pianoA = folder('piano A', 'piano', 0);
const pianoB = folder('piano B', 'piano', 2);
const small = ['--batch', '2', '--window', '8', '--no-progress'];

/** Every weight of a model, in the engine's order: layers, then heads (and their key orders). */
function weightsOf(spec: ModelSpec): Float32Array[] {
  const out: Float32Array[] = [];
  for (const l of spec.layers) out.push(l.kernel, l.recurrentKernel, l.bias ?? new Float32Array());
  for (const h of spec.heads) {
    for (const d of h.layers) out.push(d.kernel, d.bias ?? new Float32Array());
    const o = h.keyOrder;
    if (o?.direct) out.push(o.direct);
    if (o?.nade) out.push(o.nade.context.kernel, o.nade.context.bias ?? new Float32Array(), o.nade.W, o.nade.V);
  }
  return out;
}

const same = (a: Float32Array[], b: Float32Array[]) => a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, j) => v === b[i][j]));
const shapeOf = (s: ModelSpec) => ({ layers: s.layers.map((l) => `${l.cell} ${l.units} ${l.inputSize}`), inputs: s.inputs.map((x) => (x.kind === 'token' ? x.vocab : x.size)), heads: s.heads.map((h) => `${h.size} ${h.layers[0].inputSize} ${h.keyOrder?.nade?.hidden ?? ''}`) });
const metaOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
const logOf = (dir: string) =>
  readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

const cases: { encoding: string; parentData: string; data: string; flags: string[]; task: () => TrainingTask }[] = [
  { encoding: 'drum-grid', parentData: drumsA, data: drumsB, flags: ['--dropout', '0.1'], task: () => drumTask(buildDrumDataset({ dir: drumsB, seed: 1 })) },
  { encoding: 'drum-expressive', parentData: drumsA, data: drumsB, flags: [], task: () => expressiveTask(buildDrumDataset({ dir: drumsB, seed: 1 })) },
  { encoding: 'melody-grid', parentData: pianoA, data: pianoB, flags: [], task: () => melodyTask(buildMelodyDataset({ dir: pianoB, seed: 1 })) },
  { encoding: 'note-events', parentData: pianoA, data: pianoB, flags: [], task: () => eventsTask(buildEventsDataset({ dir: pianoB, seed: 1 })) },
  { encoding: 'piano-roll', parentData: pianoA, data: pianoB, flags: ['--key-order', 'nade+direct'], task: () => pianoRollTask(readPianoRollData({ data: pianoB, seed: 1 }), 'nade+direct') },
];

describe('train --from: a tiny parent, fine-tuned on another folder', () => {
  for (const c of cases) {
    it(`${c.encoding}: starts from every weight of the parent, scores it as epoch 0, names it, and keeps its shape`, async () => {
      const parent = join(root, `parent ${c.encoding}`);
      // barely trained, so that a few epochs on the new folder beat it
      const p = await runCli('train', '--encoding', c.encoding, '--data', c.parentData, '--out', parent, '--units', '8', '--layers', '1', '--epochs', '1', '--lr', '0.0001', ...c.flags, ...small);
      expect(p.code, p.err).toBe(0);
      const parentSpec = await loadModelSpec(parent);

      // stopped in its first epoch: what it exported is epoch 0, the parent as is
      const before = join(root, `before ${c.encoding}`);
      const r = await runCli('train', '--from', parent, '--data', c.data, '--out', before, '--max-batches', '1', ...small);
      expect(r.code, r.err).toBe(0);
      // validation is the end of the very files it trains on: 5 epochs, not 30, and the log says why;
      // the dropout is the parent's (an expressive parent of a small drum folder was given 0.5)
      expect(r.err).toContain(`fine-tuning ${parent} (${c.encoding}, 1×8 lstm): lr 0.0005, patience 2, epochs 5, dropout ${c.encoding === 'drum-grid' ? 0.1 : c.encoding === 'drum-expressive' ? 0.5 : 0.3}; validation: the last 10% of each training file`);
      expect(r.err).toContain('--epochs 5: validation is the end of the files this fine-tune trains on');
      const want = +c.task().validationNll(new Network(parentSpec)).toFixed(4);
      expect(r.err).toContain(`epoch 0: the parent as is, validation ${want} nats/step`);
      const [epoch0] = logOf(before);
      expect(epoch0).toMatchObject({ epoch: 0, trainLoss: null, validationNll: want });
      const beforeSpec = await loadModelSpec(before);
      expect(same(weightsOf(beforeSpec), weightsOf(parentSpec))).toBe(true);
      const m = metaOf(before);
      expect(m.training).toMatchObject({ learningRate: 0.0005, patience: 2, epochs: 5, units: 8, layers: 1, encoding: c.encoding });
      expect(m.training.from).toEqual({ model: parent, validationNll: metaOf(parent).validationNll, encoding: c.encoding, command: metaOf(parent).training.command });

      // trained: other weights, the same shape, a model the engine plays
      const after = join(root, `after ${c.encoding}`);
      const t = await runCli('train', '--from', parent, '--data', c.data, '--out', after, '--epochs', '2', '--lr', '0.003', '--dropout', '0', ...small);
      expect(t.code, t.err).toBe(0);
      const afterSpec = await loadModelSpec(after);
      expect(shapeOf(afterSpec)).toEqual(shapeOf(parentSpec));
      expect(same(weightsOf(afterSpec), weightsOf(parentSpec))).toBe(false);
      expect(logOf(after).map((e) => e.epoch)).toEqual([0, 1, 2]);
      expect(metaOf(after).training.from.model).toBe(parent);
      expect(metaOf(after).encoding).toBe(c.encoding);
    }, 180_000);
  }
});

describe('train --from: a fine-tune keeps its parent, and says so when it cannot', () => {
  const parent = join(root, 'refusal parent');
  const out = join(root, 'refused');
  const run = (...a: string[]) => runCli('train', '--data', drumsB, '--out', out, ...small, ...a);

  beforeAll(async () => {
    const p = await runCli('train', '--data', drumsA, '--out', parent, '--units', '8', '--layers', '1', '--epochs', '1', ...small);
    expect(p.code, p.err).toBe(0);
  }, 60_000);

  it('refuses each flag that contradicts the parent, naming it, the parent\'s value and the folder, and writes nothing', async () => {
    for (const [flag, value, theirs] of [
      ['--units', '16', '8'],
      ['--layers', '2', '1'],
      ['--cell', 'gru', 'lstm'],
      ['--encoding', 'melody-grid', 'drum-grid'],
    ]) {
      const r = await run('--from', parent, flag, value);
      expect(r.code).not.toBe(0);
      expect(r.err).toContain(`--from ${parent}: a fine-tune keeps its parent's encoding and shape`);
      expect(r.err).toContain(`${flag} ${value} (the parent's: ${theirs})`);
    }
    expect(() => readFileSync(join(out, 'model.json'))).toThrow();
  }, 120_000);

  it('refuses a folder that is not a model, a damaged model.json and a missing shard, naming the file', async () => {
    const notModel = await run('--from', drumsA);
    expect(notModel.err).toContain(`--from ${drumsA}: cannot fine-tune from it: ${drumsA}: holds neither model.json`);
    const damaged = join(root, 'damaged');
    mkdirSync(damaged);
    writeFileSync(join(damaged, 'model.json'), '{"modelTopology": ');
    expect((await run('--from', damaged)).err).toContain(`${join(damaged, 'model.json')}: not valid JSON`);
    const noShard = join(root, 'no shard');
    mkdirSync(noShard);
    copyFileSync('weights/drums-gmd/model.json', join(noShard, 'model.json'));
    expect((await run('--from', noShard)).err).toMatch(new RegExp(`${noShard}/weights-[0-9a-f]+\\.bin: cannot read weights shard`));
  }, 60_000);

  it('--resume continues a fine-tune from the parent its checkpoint records, and refuses another --from', async () => {
    const ft = join(root, 'resumed');
    const first = await runCli('train', '--from', parent, '--data', drumsB, '--out', ft, '--max-batches', '1', ...small);
    expect(first.code, first.err).toBe(0);
    const other = await runCli('train', '--from', 'weights/drums-gmd', '--data', drumsB, '--out', ft, '--resume', ...small);
    expect(other.code).not.toBe(0);
    expect(other.err).toContain(`--from weights/drums-gmd: the run in ${ft} fine-tunes ${parent}`);
    const resumed = await runCli('train', '--data', drumsB, '--out', ft, '--resume', '--epochs', '1', ...small);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain(`continuing the fine-tune of ${parent} (drum-grid, 1×8 lstm): lr 0.0005, patience 2, epochs 1`);
    expect(logOf(ft).map((e) => e.epoch)).toEqual([0, 1]);
    expect(metaOf(ft).training.from.model).toBe(parent);
  }, 120_000);

  it('a fine-tune that only gets worse exports its parent unchanged', async () => {
    // the parent knows drums A well; the new folder trains on crashes and toms, and validates on drums A's beat (each file's last bar)
    const good = join(root, 'good parent');
    expect((await runCli('train', '--data', drumsA, '--out', good, '--units', '8', '--layers', '1', '--epochs', '3', '--lr', '0.01', ...small)).code).toBe(0);
    const mixed = join(root, 'mixed');
    mkdirSync(mixed);
    for (let f = 0; f < 10; f++) {
      const notes = Array.from({ length: 64 }, (_, s) => ({ tick: s * 24, note: s >= 48 ? (s % 8 === 4 ? 38 : s % 4 ? 42 : 36) : [49, 45, 48, 50][(s + f) % 4], velocity: 90, channel: 9, durationTicks: 10 }));
      writeFileSync(join(mixed, `take ${f}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
    }
    const worse = join(root, 'worse');
    const r = await runCli('train', '--from', good, '--data', mixed, '--out', worse, '--epochs', '1', '--lr', '0.05', ...small);
    expect(r.code, r.err).toBe(0);
    const [epoch0, epoch1] = logOf(worse);
    expect(epoch1.validationNll).toBeGreaterThan(epoch0.validationNll);
    expect(r.err).toContain("the parent's weights unchanged: none of 1 epochs of fine-tuning beat them");
    expect(same(weightsOf(await loadModelSpec(worse)), weightsOf(await loadModelSpec(good)))).toBe(true);
  }, 60_000);

  it.skipIf(!haveShared('fixtures/rnn-drummer'))('refuses an RNN-Drummer model: the trainer has no encoding for it', async () => {
    const r = await run('--from', sharedPath('fixtures/rnn-drummer'));
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('cannot fine-tune from it: it is an RNN-Drummer model (Wx.bin + Wy.bin), and the trainer has no drummer-events encoding');
  });
});

describe('train --from weights/drums-expressive: the shipped expressive drummer on a small folder', () => {
  it('exports a model the generator plays, with the parent named and its calibration left to refit', async () => {
    const out = join(root, 'my expressive drums');
    const r = await runCli('train', '--from', 'weights/drums-expressive', '--data', drumsB, '--out', out, '--max-batches', '2', '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('fine-tuning weights/drums-expressive (drum-expressive, 2×256 lstm): lr 0.0005, patience 2, epochs 5, dropout 0.3');
    expect(r.err).toContain(`the parent's calibration (calibration.voiceBias) was fitted to the parent and is not carried over; refit it to the new model with: pulse-rnn calibrate --model '${out}' --data '${drumsB}'`);
    const parentSpec = await loadModelSpec('weights/drums-expressive');
    const spec = await loadModelSpec(out);
    expect(shapeOf(spec)).toEqual(shapeOf(parentSpec));
    const m = metaOf(out);
    const pm = metaOf('weights/drums-expressive');
    expect(m.calibration).toBeUndefined();
    expect(m.training.from).toEqual({ model: 'weights/drums-expressive', validationNll: pm.validationNll, encoding: 'drum-expressive', command: pm.training.command });
    for (const k of ['encoding', 'stepsPerQuarter', 'stepsPerBar', 'classes', 'velocityBins', 'offsetBins', 'inputs', 'heads']) expect(m[k], k).toEqual(pm[k]);
    const g = await runCli('generate', '--model', out, '--steps', '16', '--json');
    expect(g.code, g.err).toBe(0);
    const played = JSON.parse(g.out);
    expect(played.encoding).toBe('drum-expressive');
    expect(played.events).toHaveLength(16);
  }, 180_000);
});

describe("train --from: the parent's range and tables define the task", () => {
  // a line from 54 to 71: the parents below play 60..72 only
  const wide = join(root, 'wide piano');
  mkdirSync(wide);
  for (let f = 0; f < 10; f++) {
    const notes = Array.from({ length: 64 }, (_, s) => ({ tick: s * 24, note: 54 + ((s * 5 + f) % 18), velocity: 80, channel: 0, durationTicks: 20 }));
    writeFileSync(join(wide, `take ${f}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
  }
  /** A parent of this shape and metadata, untrained, written as the trainer writes one. */
  async function parentOf(name: string, shape: RnnShape, meta: Record<string, unknown>): Promise<string> {
    expect(await useCpuBackend()).toBe(true);
    const dir = join(root, name);
    mkdirSync(dir);
    const model = new RnnModel(shape, 1);
    await exportLayersModel(model, { ...meta, training: { command: 'made by hand' } }, dir);
    model.dispose();
    return dir;
  }

  it('melody-grid: a parent of pitches 60..72 keeps its 15 tokens, and notes below move up by octaves, as the log says', async () => {
    const parent = await parentOf('narrow melody', { inputs: [{ name: 'token', vocab: 15, key: 'tok' }, { name: 'position', vocab: 16, key: 'pos' }], heads: [{ name: 'token', vocab: 15, key: '' }], units: 8, layers: 1 }, { encoding: 'melody-grid', minPitch: 60, maxPitch: 72, stepsPerQuarter: 4, stepsPerBar: 16, inputs: [{ name: 'token', onehot: true }, { name: 'position', onehot: true }] });
    const out = join(root, 'narrow melody child');
    const r = await runCli('train', '--from', parent, '--data', wide, '--out', out, '--epochs', '1', ...small);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("the parent plays pitches 60..72: this folder's notes outside that range are moved by octaves into it");
    expect(r.err).toMatch(/\d+ note\(s\) moved by octaves into the model's range 60\.\.72/);
    const spec = await loadModelSpec(out);
    expect(spec.heads[0].size).toBe(15);
    expect(metaOf(out)).toMatchObject({ minPitch: 60, maxPitch: 72 });
  }, 60_000);

  it("note-events: a parent's tables are the task's, and notes outside its pitches are dropped and counted", async () => {
    const tables = defaultTables({ minPitch: 60, maxPitch: 72 });
    const fields = ROLES.map((r) => ({ name: r, vocab: tables[r].length, key: r }));
    const parent = await parentOf('narrow events', { inputs: fields, heads: fields, units: 8, layers: 1 }, { encoding: 'note-events', ticksPerQuarter: 24, stepsPerQuarter: 4, tables, headRoles: ROLES, start: startValues, inputs: ROLES.map((r) => ({ name: r, onehot: true })) });
    const out = join(root, 'narrow events child');
    const r = await runCli('train', '--from', parent, '--data', wide, '--out', out, '--epochs', '1', ...small);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("the parent's tables hold pitches 60..72, delays and durations up to 96 and 96 pulses: notes outside the pitch range are dropped");
    expect(r.err).toMatch(/warning: \d+ note\(s\) outside the pitch range 60\.\.72 were dropped/);
    const spec = await loadModelSpec(out);
    expect(spec.heads.map((h) => h.size)).toEqual(ROLES.map((k) => tables[k].length));
    expect(metaOf(out).tables).toEqual(tables);
  }, 60_000);
});
