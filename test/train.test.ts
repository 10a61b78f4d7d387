import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Network } from '../src/engine/network.js';
import { Sampler } from '../src/engine/sampling.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { buildDrumDataset, findDrumPart } from '../src/train/dataset.js';
import { checkpointDir, decodeCheckpoint, train } from '../src/train/train.js';
import { readMidi } from '../src/io/midi-read.js';
import { Rng } from '../src/engine/prng.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-train-'));
const data = join(root, 'midi');
// checkpoints go beside the runs, not to the user's cache
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

/** A little corpus: two grooves with variations, on channel 10, at 96 ticks per quarter. */
function groove(i: number): NoteOut[] {
  const notes: NoteOut[] = [];
  for (let s = 0; s < 64; s++) {
    const t = s * 24 + (s % 3 === 0 ? 2 : 0); // a little off the grid
    if (s % 8 === 0 || (i % 2 && s % 16 === 10)) notes.push({ tick: t, note: 36, velocity: 100, channel: 9, durationTicks: 10 });
    if (s % 8 === 4) notes.push({ tick: t, note: i % 3 ? 38 : 40, velocity: 100, channel: 9, durationTicks: 10 });
    if (s % 2 === 0) notes.push({ tick: t, note: 42, velocity: 80, channel: 9, durationTicks: 10 });
  }
  return notes;
}

beforeAll(() => {
  mkdirSync(join(data, 'a'), { recursive: true });
  for (let i = 0; i < 24; i++) writeFileSync(join(data, 'a', `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes: groove(i) }));
  // a drum track on channel 1 named "Drums", a piano file, a corrupt file
  writeFileSync(join(data, 'named.mid'), writeMidi({ ticksPerQuarter: 96, trackName: 'Drums', notes: groove(1).map((n) => ({ ...n, channel: 0 })) }));
  writeFileSync(join(data, 'piano.mid'), writeMidi({ ticksPerQuarter: 96, notes: [{ tick: 0, note: 60, velocity: 90, channel: 0, durationTicks: 96 }, { tick: 96, note: 90, velocity: 90, channel: 0, durationTicks: 96 }] }));
  writeFileSync(join(data, 'broken.mid'), 'MThd this is not midi');
  writeFileSync(join(root, 'splits.csv'), ['file,split', ...Array.from({ length: 24 }, (_, i) => `a/g${i}.mid,${i < 18 ? 'train' : i < 21 ? 'validation' : 'test'}`), 'named.mid,train', 'piano.mid,train', 'broken.mid,test'].join('\n'));
});

/**
 * The largest difference between the engine's probabilities and tfjs predict for an exported
 * model folder, over every head, for the given tokens (one list per input).
 */
async function worstDifference(out: string, toks: number[][]): Promise<number> {
  const spec = await loadModelSpec(out);
  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  const bin = readFileSync(join(out, json.weightsManifest[0].paths[0]));
  await tf.setBackend('cpu');
  const m = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(bin).buffer }));
  const T = toks[0].length;
  const sizes = spec.inputs.map((i) => (i.kind === 'token' ? i.vocab : 0));
  const xs = sizes.map((v, k) => tf.oneHot(tf.tensor1d(toks[k], 'int32'), v).toFloat().reshape([1, T, v]));
  const predicted = m.predict(xs.length === 1 ? xs[0] : xs);
  const want = (Array.isArray(predicted) ? predicted : [predicted]).map((y) => y.arraySync() as number[][][]);
  const net = new Network(spec);
  const s = new Sampler(Math.max(...spec.heads.map((h) => h.size)));
  let worst = 0;
  for (let t = 0; t < T; t++) {
    net.step(toks.map((tk) => tk[t]));
    net.logits.forEach((l, h) => {
      s.distribution(l);
      for (let k = 0; k < l.length; k++) worst = Math.max(worst, Math.abs(s.probs[k] - want[h][0][t][k]));
    });
  }
  return worst;
}

const drumTokens = (T: number, mul: number, mod: number) => {
  const toks = Array.from({ length: T }, (_, t) => (t * mul) % mod);
  return [toks, toks.map((_, t) => t % 16)];
};

describe('dataset', () => {
  it('reads drums, says how it found them, skips what it cannot use with a reason', () => {
    const ds = buildDrumDataset({ dir: data, csv: join(root, 'splits.csv') });
    const s = ds.summary;
    expect(s.used).toEqual({ train: 19, validation: 3, test: 3 });
    expect(s.drumPart).toEqual({ 'channel 10': 24, "track named 'Drums'": 1 });
    expect(s.skipped.map((k) => k.file).sort()).toEqual(['broken.mid', 'piano.mid']);
    expect(s.skipped.find((k) => k.file === 'broken.mid')?.reason).toMatch(/not a readable MIDI file/);
    expect(s.skipped.find((k) => k.file === 'piano.mid')?.reason).toMatch(/no drum part/);
    expect(s.remappedNotes['40→snare']).toBeGreaterThan(0);
    expect(s.timingError.max).toBeCloseTo(2 / 24, 3);
    // each groove's last hit is on step 62: 63 steps
    expect(s.steps.train).toBe(19 * 63);
    expect(s.warnings.join()).toMatch(/only 1197 training steps/);
    // the first groove's first steps: kick+hat, rest, hat, rest, snare+hat
    expect(Array.from(ds.splits.train[0].tokens.slice(0, 5))).toEqual([0b101, 0, 0b100, 0, 0b110]);
  });

  it('a random split by file is seeded; an empty result is an error that says why', () => {
    const a = buildDrumDataset({ dir: data, seed: 3 }).splits;
    const b = buildDrumDataset({ dir: data, seed: 3 }).splits;
    expect(a.validation.map((s) => s.file)).toEqual(b.validation.map((s) => s.file));
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => buildDrumDataset({ dir: empty })).toThrow(/empty: no \.mid or \.midi files found/);
    const pianos = join(root, 'pianos');
    mkdirSync(pianos);
    writeFileSync(join(pianos, 'p.mid'), readFileSync(join(data, 'piano.mid')));
    expect(() => buildDrumDataset({ dir: pianos })).toThrow(/the training split is empty: 1 file\(s\) read, 1 skipped \(1× no drum part/);
    expect(() => buildDrumDataset({ dir: join(root, 'nope') })).toThrow(/nope: no such folder; --data names the folder your MIDI files are in/);
  });

  it('finds no drum part in a file with none', () => {
    expect(findDrumPart(readMidi(new Uint8Array(readFileSync(join(data, 'piano.mid'))), 'p'))).toBeNull();
  });
});

describe('training', () => {
  const common = { data, csv: join(root, 'splits.csv'), units: 12, layers: 2, batch: 4, window: 16, dropout: 0.2, seed: 5, progress: false as const, log: () => {} };

  it('learns, exports a model the engine and tfjs agree on, and writes its log and curves', async () => {
    const out = join(root, 'run');
    const r = await train({ ...common, out, epochs: 4, learningRate: 0.02 });
    expect(r.history).toHaveLength(4);
    expect(r.history[3].validationNll).toBeLessThan(r.history[0].validationNll);
    expect(r.history[3].validationNll).toBeLessThan(2); // far below uniform (6.24 nats)
    const lines = readFileSync(join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    expect(readFileSync(join(out, 'curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*validation NLL[\s\S]*<\/svg>\n$/);
    // parity on the trained model: the engine's probabilities equal tfjs predict
    expect(await worstDifference(out, drumTokens(24, 37, 40))).toBeLessThan(1e-5);
    const spec = await loadModelSpec(out);
    expect(spec.meta.encoding).toBe('drum-grid');
    expect(spec.meta.countIn).toBe(2); // a drum model counts in two bars (music/count-in.ts)
    expect((spec.meta.training as { command: unknown }).command).toBeNull();
    // eval scores the exported (best) model on validation as the trainer did, and beats a unigram
    const { evaluate } = await import('../src/train/evaluate.js');
    const ev = await evaluate({ model: out, data, csv: join(root, 'splits.csv'), split: 'validation', orders: [1, 2, 3] });
    expect(ev.model.nllNats).toBeCloseTo(Math.min(...r.history.map((h) => h.validationNll)), 3);
    expect(ev.baseline.validationNllByOrder!.map((v) => v.order)).toEqual([1, 2, 3]);
    expect(ev.improvement).toBeCloseTo(1 - ev.model.nllNats / ev.baseline.nllNats, 3);
    expect(Object.keys(ev.generated.voices!)).toHaveLength(9);
    expect(ev.generated.tokenOverlap).toBeGreaterThan(0);
  }, 120000);

  it('trains a GRU too, and the engine and tfjs agree on it', async () => {
    const out = join(root, 'gru');
    // 16 units: whole kernel panels, so the fused GRU op trains it
    const r = await train({ ...common, out, cell: 'gru', units: 16, epochs: 2, learningRate: 0.02 });
    expect(r.history[1].validationNll).toBeLessThan(r.history[0].validationNll);
    expect(r.history[1].validationNll).toBeLessThan(3); // well below uniform (6.24 nats)
    const spec = await loadModelSpec(out);
    expect(spec.layers.map((l) => [l.cell, l.resetAfter])).toEqual([
      ['gru', false],
      ['gru', false],
    ]);
    expect(await worstDifference(out, drumTokens(12, 5, 8))).toBeLessThan(1e-5);
  }, 120000);

  it('a resumed run continues exactly as an uninterrupted one', async () => {
    const whole = join(root, 'whole');
    const split = join(root, 'split');
    await train({ ...common, out: whole, epochs: 2, maxBatches: 9 });
    await train({ ...common, out: split, epochs: 2, maxBatches: 4 });
    await train({ ...common, out: split, epochs: 2, maxBatches: 5, resume: true });
    const read = (dir: string) => {
      const c = decodeCheckpoint(new Uint8Array(readFileSync(join(checkpointDir(dir), 'checkpoint.bin'))), dir);
      // wall time and tfjs's global variable names differ between runs; nothing else may
      return { ...c, elapsed: 0, model: { ...c.model, optimizer: c.model.optimizer.map((o) => ({ shape: o.shape, dtype: o.dtype, data: o.data })) } };
    };
    const a = read(whole);
    const b = read(split);
    expect(a.batchInEpoch).toBe(9);
    // the same weights, optimizer state, random stream and place
    expect(b).toEqual(a);
  }, 120000);

  it('refuses to overwrite a run, and names a missing checkpoint', async () => {
    await expect(train({ ...common, out: join(root, 'whole'), epochs: 1 })).rejects.toThrow(/already holds a training run/);
    await expect(train({ ...common, out: join(root, 'fresh'), resume: true })).rejects.toThrow(/fresh: no checkpoint to resume from \(looked for .*checkpoint\.bin\)/);
  });
});

describe('note events (Howl-style)', () => {
  const piano = join(root, 'piano');
  beforeAll(() => {
    mkdirSync(piano, { recursive: true });
    // rising and falling arpeggios in a few keys, 8th notes, with some velocity variation
    for (let i = 0; i < 16; i++) {
      const root0 = 48 + (i % 6) * 2;
      const notes: NoteOut[] = [];
      for (let k = 0; k < 48; k++) {
        const shape = [0, 4, 7, 12, 7, 4][k % 6];
        notes.push({ tick: k * 48, note: root0 + shape, velocity: 60 + (k % 4) * 15, channel: 0, durationTicks: 40 });
      }
      writeFileSync(join(piano, `p${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
    }
  });

  it('encodes notes as pitch/delay/duration/velocity classes in pulses, and augments within range', async () => {
    const { buildEventsDataset, encodeEvents, eventsTask } = await import('../src/train/events-dataset.js');
    const ds = buildEventsDataset({ dir: piano, minPitch: 40, maxPitch: 72 });
    const f = ds.splits.train[0].notes;
    expect(f[1].onset - f[0].onset).toBe(12); // an 8th is 12 pulses
    const ev = [0, 1, 2, 3].map(() => new Int32Array(3));
    encodeEvents(f, 0, 3, ds.tables, { transpose: 2, warp: 2, volume: 1 }, ev);
    expect(ds.tables.pitch[ev[0][1]]).toBe(f[1].pitch + 2);
    expect(ds.tables.delay[ev[1][1]]).toBe(24);
    expect(ds.tables.duration[ev[2][1]]).toBe(20); // 40 ticks = 10 pulses, warped ×2
    const task = eventsTask(ds);
    const rng = new Rng(3);
    const b = task.batch(task.windows(16, 1, 0).slice(0, 8), 16, rng);
    for (const t of b.targets[0]) expect(t >= 0 && t < ds.tables.pitch.length).toBe(true);
    expect(b.targets).toHaveLength(4);
  });

  it('trains a melody-grid model on the same files, which the Generator plays in range', async () => {
    const out = join(root, 'melody');
    const r = await train({ ...{ progress: false as const, log: () => {} }, data: piano, out, encoding: 'melody-grid', units: 16, layers: 1, batch: 8, window: 16, epochs: 3, learningRate: 0.02, dropout: 0, seed: 2 });
    expect(r.history[2].validationNll).toBeLessThan(r.history[0].validationNll);
    const spec = await loadModelSpec(out);
    expect(spec.meta.countIn).toBeUndefined(); // a melody starts on its first step
    expect(spec.meta.encoding).toBe('melody-grid');
    const { Generator, copyStep } = await import('../src/music/generator.js');
    const g = new Generator(spec, { seed: 1 });
    const notes = Array.from({ length: 64 }, () => copyStep(g.tick())).flatMap((s) => s.notes);
    expect(notes.length).toBeGreaterThan(3);
    for (const n of notes) expect(n.note >= 48 && n.note <= 84 && n.length === Infinity).toBe(true);
    expect(await worstDifference(out, drumTokens(12, 5, 30))).toBeLessThan(1e-5);
    // eval: the same split (same seed), the engine's score is the trainer's best validation score
    const { evaluate } = await import('../src/train/evaluate.js');
    const ev = await evaluate({ model: out, data: piano, split: 'validation', seed: 2, orders: [1, 2, 4] });
    expect(ev.model.encoding).toBe('melody-grid');
    expect(ev.model.nllNats).toBeCloseTo(Math.min(...r.history.map((h) => h.validationNll)), 3);
    expect(ev.baseline.heads).toHaveLength(1);
    expect(ev.generated.voices).toBeUndefined();
  }, 120000);

  it('trains a four-head model that the Generator plays and tfjs agrees with', async () => {
    const out = join(root, 'howl');
    const r = await train({ ...{ progress: false as const, log: () => {} }, data: piano, out, encoding: 'note-events', augment: false, units: 16, layers: 1, batch: 8, window: 16, epochs: 3, learningRate: 0.01, dropout: 0, seed: 2 });
    expect(r.history[2].validationNll).toBeLessThan(r.history[0].validationNll);
    const spec = await loadModelSpec(out);
    expect(spec.heads.map((h) => h.name)).toEqual(['pitch_out', 'delay_out', 'duration_out', 'velocity_out']);
    const { Generator, copyStep } = await import('../src/music/generator.js');
    const g = new Generator(spec, { seed: 1 });
    const steps = Array.from({ length: 64 }, () => copyStep(g.tick()));
    const notes = steps.flatMap((s) => s.notes);
    expect(notes.length).toBeGreaterThan(5);
    for (const n of notes) expect(n.note >= 21 && n.note <= 108 && n.velocity >= 1 && n.length > 0).toBe(true);
    // parity, every head
    const sizes = spec.inputs.map((i) => (i.kind === 'token' ? i.vocab : 0));
    expect(await worstDifference(out, sizes.map((v, k) => Array.from({ length: 10 }, (_, t) => (t * (k + 3)) % v)))).toBeLessThan(1e-5);
    // eval: four heads scored, one n-gram per head; the arpeggios are predictable, so both beat chance
    const { evaluate } = await import('../src/train/evaluate.js');
    const ev = await evaluate({ model: out, data: piano, split: 'validation', seed: 2, orders: [1, 2, 3, 6] });
    expect(ev.model.encoding).toBe('note-events');
    expect(ev.model.nllNats).toBeCloseTo(Math.min(...r.history.map((h) => h.validationNll)), 3);
    expect(ev.model.heads.map((h) => h.head)).toEqual(['pitch_out', 'delay_out', 'duration_out', 'velocity_out']);
    expect(ev.model.heads.reduce((a, h) => a + h.nllNats, 0)).toBeCloseTo(ev.model.nllNats, 3);
    expect(ev.baseline.heads).toHaveLength(4);
    expect(ev.baseline.nllNats).toBeCloseTo(ev.baseline.heads.reduce((a, h) => a + h.nllNats, 0), 3);
    expect(ev.baseline.nllNats).toBeLessThan(sizes.reduce((a, v) => a + Math.log(v), 0));
    expect(ev.generated.tokenOverlap).toHaveLength(4);
  }, 120000);
});
