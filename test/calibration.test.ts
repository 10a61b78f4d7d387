// A drum model's calibration: a logit offset per voice, on every token hitting the voice, when
// the model plays and never when it is scored; fitted on a training split so the model plays
// each voice as often per bar as the data; written into a model folder by `pulse-rnn calibrate`.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { tokenBias, voiceBiasOf } from '../src/music/calibration.js';
import { codecFor } from '../src/music/codecs.js';
import { Generator } from '../src/music/generator.js';
import { sampleEvents } from '../src/music/sample-events.js';
import { scoreEvents } from '../src/music/score.js';
import { Rng } from '../src/engine/prng.js';
import { calibrate, withVoiceBias } from '../src/train/calibrate.js';
import { DrumHits } from '../src/train/expressive-data.js';
import { runCli } from './helpers/cli.js';
import { drumGridSpec, expressiveSpec } from './helpers/models.js';
import { ROOT, haveShared, sharedPath } from './helpers/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-calibrate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const kicksPerBar = (spec: ModelSpec, seeds = 6, steps = 256) => {
  let kicks = 0;
  for (let s = 1; s <= seeds; s++) {
    const g = new Generator(spec, { seed: s });
    for (let t = 0; t < steps; t++) {
      const r = g.tick();
      for (let i = 0; i < r.count; i++) if (r.notes[i].note === 36) kicks++;
    }
  }
  return (kicks / (seeds * steps)) * 16;
};

/** Bars of kick on every eighth, snare on 2 and 4, closed hat on every beat: 8, 2 and 4 hits a bar. */
function rockPerformance(bars: number) {
  const hits = new DrumHits(120, 125);
  for (let s = 0; s < bars * 16; s++) {
    if (s % 2 === 0) hits.add(s * 120, 0, 100);
    if (s % 8 === 4) hits.add(s * 120, 1, 100);
    if (s % 4 === 0) hits.add(s * 120, 2, 80);
  }
  return hits.finish();
}

describe('a drum model’s calibration', () => {
  it('adds each voice’s offset to every token that hits it; a bad one is refused, naming the file and field', () => {
    const bias = tokenBias([1, 0.5, 0, 0, 0, 0, 0, 0, -2], 512, (t, v) => ((t >> v) & 1) === 1) as Float32Array;
    expect(bias[0]).toBe(0);
    expect(bias[1]).toBe(1);
    expect(bias[3]).toBe(1.5);
    expect(bias[1 | (1 << 8)]).toBe(-1);
    expect(tokenBias(null, 512, () => true)).toBeNull();
    const spec = { source: 'm/model.json', meta: { calibration: { voiceBias: [1, 2] } } };
    expect(() => voiceBiasOf(spec, 9)).toThrow(/^m\/model\.json: calibration\.voiceBias must be 9 numbers from -4 to 4 \(one per voice\), got \[1,2\]$/);
    expect(() => voiceBiasOf({ ...spec, meta: { calibration: { voiceBias: new Array(9).fill(9) } } }, 9)).toThrow(/must be 9 numbers from -4 to 4/);
    expect(() => codecFor(withVoiceBias(drumGridSpec(1), [0, 0, Number.NaN, 0, 0, 0, 0, 0, 0]))).toThrow(/calibration\.voiceBias/);
  });

  it('a voice with a positive offset is played more often, by the Generator and by generate; scoring does not see it', () => {
    for (const base of [drumGridSpec(2), expressiveSpec(2)]) {
      const raised = withVoiceBias(base, [2, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(kicksPerBar(raised)).toBeGreaterThan(kicksPerBar(base) * 1.5);
      const codec = codecFor(base);
      const offline = (s: ModelSpec) => sampleEvents(new Network(s), codecFor(s), 256, new Rng(4)).filter((e) => e[0] & 1).length;
      expect(offline(raised)).toBeGreaterThan(offline(base) * 1.5);
      const events = sampleEvents(new Network(base), codec, 64, new Rng(1));
      expect(scoreEvents(new Network(raised), codecFor(raised), events).total).toBe(scoreEvents(new Network(base), codec, events).total);
    }
  });

  it('is fitted so that each voice is played about as often per bar as in the training data', () => {
    const spec = drumGridSpec(3);
    const fit = calibrate(spec, [rockPerformance(8), rockPerformance(4)], { seeds: 6, steps: 256, rounds: 4 });
    // the last bar of each ends with its last hit, a few steps short of the bar line
    expect(fit.data.kick).toBeCloseTo(8, 0);
    expect(fit.data.snare).toBeCloseTo(2, 0);
    const off = (rate: number, v: 'kick' | 'snare' | 'closed-hat') => Math.abs(rate - fit.data[v]) / fit.data[v];
    const far = (['kick', 'snare', 'closed-hat'] as const).filter((v) => off(fit.before[v], v) > 0.3);
    expect(far.length, JSON.stringify(fit.before)).toBeGreaterThanOrEqual(2);
    for (const v of far) expect(off(fit.after[v], v), `${v}: ${fit.before[v]} → ${fit.after[v]}, data ${fit.data[v]}`).toBeLessThan(0.15);
    // a voice the data never plays keeps no offset
    expect(fit.voiceBias[8]).toBe(0);
  });

  it('`pulse-rnn calibrate` writes the offsets into model.json, and refuses a model that is not a drum model', async () => {
    const model = join(tmp, 'model');
    cpSync(join(ROOT, 'weights/drums-gmd'), model, { recursive: true });
    const data = join(tmp, 'data');
    mkdirSync(data);
    for (let f = 0; f < 6; f++) {
      const notes: NoteOut[] = [];
      for (let s = 0; s < 64; s++) {
        if (s % 4 === 0) notes.push({ tick: s * 120, note: 36, velocity: 100, channel: 9, durationTicks: 60 });
        if (s % 8 === 4) notes.push({ tick: s * 120, note: 38, velocity: 100, channel: 9, durationTicks: 60 });
        notes.push({ tick: s * 120 + (f % 3), note: 42, velocity: 70, channel: 9, durationTicks: 60 });
      }
      writeFileSync(join(data, `g${f}.mid`), writeMidi({ ticksPerQuarter: 480, notes }));
    }
    const before = readFileSync(join(model, 'model.json'), 'utf8');
    const r = await runCli('calibrate', '--model', model, '--data', data, '--seeds', '2', '--rounds', '1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^calibration: 1 rounds of 2 cold starts × 512 steps/);
    expect(r.out).toMatch(/closed-hat +16\.00 /);
    const meta = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
    expect(meta.calibration.voiceBias).toHaveLength(9);
    expect(meta.calibration.hitsPerBar.data['closed-hat']).toBe(16);
    // everything else of the file as it was
    const old = JSON.parse(before);
    delete meta.calibration;
    expect(meta).toEqual(old.userDefinedMetadata.pulseRnn);
    expect(voiceBiasOf(await loadModelSpec(model), 9)).toHaveLength(9);
    if (haveShared('fixtures/rnn-drummer')) {
      const drummer = await runCli('calibrate', '--model', sharedPath('fixtures/rnn-drummer'), '--data', data);
      expect(drummer.code).not.toBe(0);
      expect(drummer.err).toMatch(/no model\.json here; calibrate a model folder the trainer wrote/);
    }
  }, 120_000);
});
