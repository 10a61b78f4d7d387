/**
 * The free-running report: tiny real networks whose output is forced (a groove decided by the
 * position in the bar; a kick every step played loud-ish and early) played through the
 * Generator, against performances written here, so every number can be worked out by hand;
 * and `eval --json` carrying the report for the shipped drum model.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { velocityOfBin, offsetOfBin } from '../src/music/expressive.js';
import type { DrumPerformance } from '../src/train/expressive-data.js';
import { formatFreeRunning, freeRunning, groovesAtZero, playFreely, playStats } from '../src/train/free-running.js';
import { runCli } from './helpers/cli.js';
import { drumGridSpec, expressiveSpec } from './helpers/models.js';
import { ROOT } from './helpers/shared.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-free-running-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KICK = 1;
const SNARE = 2;
const HAT = 4;
/** The forced groove, one token per step of the bar: kick and snare on the beats, hats on the 8ths. */
const GROOVE = Array.from({ length: 16 }, (_, p) => (p % 2 ? 0 : HAT | (p % 4 ? 0 : p % 8 ? SNARE : KICK)));

/**
 * A drum-grid LSTM whose unit p is on exactly at position p of the bar (its input and cell
 * gates opened by the position input, everything else shut), and whose head puts all the
 * probability on GROOVE[p] there: a real network that plays the groove at any temperature.
 */
function grooveSpec(): ModelSpec {
  const spec = drumGridSpec(1);
  const [layer] = spec.layers;
  const units = layer.units;
  const g = 4 * units;
  const W = 20;
  const kernel = new Float32Array(layer.inputSize * g);
  const bias = new Float32Array(g);
  for (let u = 0; u < units; u++) {
    bias[u] = -W; // input gate shut
    bias[units + u] = -W; // forget gate shut
    bias[3 * units + u] = W; // output gate open
  }
  for (let p = 0; p < 16; p++) {
    const row = (512 + p) * g; // the position input's one-hot follows the 512 token rows
    kernel[row + p] = 2 * W;
    kernel[row + 2 * units + p] = W;
  }
  const head = spec.heads[0].layers[0];
  const hk = new Float32Array(units * 512);
  for (let p = 0; p < 16; p++) hk[p * 512 + GROOVE[p]] = 80;
  return {
    ...spec,
    layers: [{ ...layer, kernel, bias, recurrentKernel: new Float32Array(units * g) }],
    heads: [{ ...spec.heads[0], layers: [{ ...head, kernel: hk, bias: new Float32Array(512) }] }],
  };
}

/** An expressive model that plays a kick every step, velocity bin `vbin`, offset bin `obin`, whatever it hears. */
function kickSpec(vbin: number, obin: number): ModelSpec {
  const spec = expressiveSpec(1);
  const forced = (h: number, at: (j: number) => boolean) => {
    const dense = spec.heads[h].layers[0];
    return { ...spec.heads[h], layers: [{ ...dense, kernel: new Float32Array(dense.kernel.length), bias: Float32Array.from({ length: dense.units }, (_, j) => (at(j) ? 60 : 0)) }] };
  };
  return { ...spec, heads: [forced(0, (j) => j === KICK), forced(1, (j) => j % 16 === vbin), forced(2, (j) => j % 16 === obin)] };
}

/** A performance from hits [step, class, velocity, offset]. */
function perf(steps: number, msPerStep: number, hits: [number, number, number, number][]): DrumPerformance {
  const tokens = new Int32Array(steps);
  const velocities = new Uint8Array(steps * 9);
  const offsets = new Float64Array(steps * 9);
  for (const [s, c, v, o] of hits) {
    tokens[s] |= 1 << c;
    velocities[s * 9 + c] = v;
    offsets[s * 9 + c] = o;
  }
  return { tokens, velocities, offsets, msPerStep };
}

/**
 * Two bars at 100 ms a step: kicks on 0, 8 and 24 (the last at 60, 0.2 late: 20 ms off the
 * grid), snares on 4 (5 ms late: on the grid), 12 (60, 20 ms early), 20, 28 (60), closed hats
 * on every 8th. 23 hits: kick 1.5 a bar, snare 2, hat 8; a kick on beat 1 in one bar of two;
 * 20 hits in the velocity bin of 100 and 3 in 60's; 2 of 23 more than 10 ms off.
 */
const DATA = perf(32, 100, [
  [0, 0, 100, 0],
  [8, 0, 100, 0],
  [24, 0, 60, 0.2],
  [4, 1, 100, 0.05],
  [12, 1, 60, -0.2],
  [20, 1, 100, 0],
  [28, 1, 60, 0],
  ...Array.from({ length: 16 }, (_, i): [number, number, number, number] => [2 * i, 2, 100, 0]),
]);
/** One bar of the forced groove itself, at 125 ms a step. */
const TRAIN = perf(16, 125, GROOVE.flatMap((t, s) => [0, 1, 2].filter((c) => t & (1 << c)).map((c): [number, number, number, number] => [s, c, 100, 0])));

describe('free-running report', () => {
  it('reads hits per bar, kick on beat 1, velocities and off-grid hits of performances', () => {
    const s = playStats([DATA]);
    expect(s.bars).toBe(2);
    expect(s.hits).toBe(23);
    expect(s.hitsPerBar).toMatchObject({ kick: 1.5, snare: 2, 'closed-hat': 8, ride: 0 });
    expect(s.kickOnOne).toBe(0.5);
    expect(s.velocityHistogram[12]).toBeCloseTo(20 / 23, 4);
    expect(s.velocityHistogram[7]).toBeCloseTo(3 / 23, 4);
    expect(s.offGrid10ms).toBeCloseTo(2 / 23, 4);
    // read at another tempo: 0.05 of a 250 ms step is 12.5 ms, off the grid too
    expect(playStats([DATA], 250).offGrid10ms).toBeCloseTo(3 / 23, 4);
  });

  it('plays a forced groove through the Generator and judges it against the data and train', () => {
    const r = freeRunning(grooveSpec(), { split: 'test', data: [DATA], train: [TRAIN] }, { seeds: 2, steps: 64 });
    expect(r.generated.bars).toBe(8);
    expect(r.generated.hitsPerBar).toMatchObject({ kick: 2, snare: 2, 'closed-hat': 8, 'open-hat': 0, ride: 0 });
    expect(r.generated.kickOnOne).toBe(1);
    expect(r.generated.velocityHistogram[12]).toBe(1); // the flat model's 100
    expect(r.generated.offGrid10ms).toBe(0);
    expect(r.protocol.msPerStep).toBe(100);
    expect(r.voices.kick).toMatchObject({ data: 1.5, generated: 2, ok: false, okTrain: true });
    expect(r.voices.kick.ratio).toBeCloseTo(4 / 3, 4);
    expect(r.voices.snare).toMatchObject({ ratio: 1, ok: true });
    expect(r.voices['low-tom']).toMatchObject({ ratio: null, ok: true, tolerance: 0.3 });
    expect(r.voices.crash.ok).toBeNull();
    expect(r.kickOnOne).toMatchObject({ data: 0.5, train: 1, generated: 1, ok: true });
    expect(r.velocityOverlap.data).toBeCloseTo(20 / 23, 3);
    expect(r.velocityOverlap).toMatchObject({ train: 1, ok: true });
    expect(r.offGrid10ms.ok).toBe(true);
    expect(r.temperatureZero.ok).toBe(true);
    expect(r.temperatureZero.bars[0]).toEqual({ hits: 12, kick: true, snareOrHat: true, distinctSteps: 3, groove: true });
    expect([r.passed, r.passedTrain, r.targets]).toEqual([10, 11, 11]);
    const text = formatFreeRunning(r);
    expect(text).toMatch(/kick +1\.50 +2\.00 +2\.00 +1\.33 +1\.00 +±15% +NO\/yes +1\.33 NO/);
    expect(text).toContain('targets met: 11 of 11 against train (the data the model learns), 10 of 11 against test');
    // the training data's own kick (2 a bar) is a third over the test's 1.5; its snare and the voices neither plays match
    expect(r.voices.kick).toMatchObject({ trainOk: false });
    expect(r.voices.kick.trainRatio).toBeCloseTo(4 / 3, 4);
    expect(r.voices.snare.trainOk).toBe(true);
    expect([r.trainMeetsSplit, r.voiceTargets]).toEqual([6, 7]);
    expect(text).toContain("the training split itself is within the tolerance of test's hits per bar for 6 of 7 voices");
    expect(text).toContain('kick       x.......x....... x.......x.......');
  });

  it('keeps an expressive hit played early in the step of the tick that played it, at its velocity', () => {
    const spec = kickSpec(5, 2);
    const p = playFreely(spec, { seed: 1, steps: 32, temperature: 1 });
    expect([...p.tokens]).toEqual(new Array(32).fill(KICK));
    expect(p.velocities[0]).toBe(Math.round(velocityOfBin(5)));
    expect(p.offsets[0]).toBeCloseTo(offsetOfBin(2), 6);
    expect(offsetOfBin(2)).toBeLessThan(0);
    const r = freeRunning(spec, { split: 'test', data: [DATA], train: [TRAIN] }, { seeds: 1, steps: 32 });
    expect(r.generated.velocityHistogram[5]).toBe(1);
    expect(r.generated.offGrid10ms).toBe(1); // 0.34 of a 100 ms step
    expect(r.velocityOverlap.data).toBe(0);
    // a kick on every step, nothing else: one step repeated, no groove
    expect(groovesAtZero(spec).bars[0]).toEqual({ hits: 16, kick: true, snareOrHat: false, distinctSteps: 1, groove: false });
  });
});

describe('eval', () => {
  const model = join(ROOT, 'weights', 'drums-gmd');
  it.skipIf(!existsSync(join(model, 'model.json')))('eval --json carries the free-running report for a drum model, and the text prints its table', async () => {
    const data = join(root, 'midi');
    mkdirSync(data, { recursive: true });
    const notes = (i: number): NoteOut[] =>
      Array.from({ length: 64 }, (_, s) => (s % 4 === 0 ? 36 : s % 4 === 2 ? 42 : s === 63 ? 46 : (i + s) % 8 === 3 ? 38 : -1))
        .flatMap((n, s) => (n < 0 ? [] : [{ tick: s * 24, note: n, velocity: 70 + ((s * 7) % 50), durationTicks: 12, channel: 9 }]));
    for (let i = 0; i < 6; i++) writeFileSync(join(data, `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes: notes(i) }));
    const csv = join(root, 'splits.csv');
    writeFileSync(csv, ['file,split', ...Array.from({ length: 6 }, (_, i) => `g${i}.mid,${i < 3 ? 'train' : i < 4 ? 'validation' : 'test'}`)].join('\n'));
    const json = await runCli('eval', '--model', model, '--data', data, '--csv', csv, '--json');
    expect(json.code).toBe(0);
    const ev = JSON.parse(json.out);
    // 200 cold starts unless told: fewer leave the rarer voices' rates to which grooves came up
    expect(ev.freeRunning.protocol).toMatchObject({ seeds: 200, steps: 512, temperature: 1 });
    expect(ev.freeRunning.generated.bars).toBe(6400);
    // a kick and a closed hat every beat; an open hat on the last step makes the files 4 whole bars
    expect(ev.freeRunning.data.hitsPerBar.kick).toBe(4);
    expect(ev.freeRunning.train.hitsPerBar['closed-hat']).toBe(4);
    expect(ev.freeRunning.data.kickOnOne).toBe(1);
    expect(ev.generated.steps).toBe(200 * 512);
    // the flat model: velocity 100 and on the grid, far from these files' spread velocities
    expect(ev.freeRunning.generated.offGrid10ms).toBe(0);
    expect(ev.freeRunning.velocityOverlap.ok).toBe(false);
    const text = await runCli('eval', '--model', model, '--data', data, '--csv', csv, '--free-seeds', '20');
    expect(text.out).toMatch(/free-running: 20 seeds × 512 steps/);
    expect(text.out).toMatch(/\n {2}closed-hat +4\.00 +4\.00 /);
    // more cold starts measure the rarer voices; a count that is not one is refused by name
    const more = await runCli('eval', '--model', model, '--data', data, '--csv', csv, '--free-seeds', '3');
    expect(more.out).toMatch(/free-running: 3 seeds × 512 steps/);
    const bad = await runCli('eval', '--model', model, '--data', data, '--csv', csv, '--free-seeds', '0');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--free-seeds/);
  }, 90000);
});
