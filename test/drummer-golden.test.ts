import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRUMMER_NOTES, DRUMMER_TICKS, drummerSpec } from '../src/engine/drummer-format.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { Sampler } from '../src/engine/sampling.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { haveShared, sharedPath } from './helpers/shared.js';

const DIR = 'fixtures/rnn-drummer';
const have = haveShared(DIR);

describe.skipIf(!have)('RNN-Drummer weights reproduce reference.json', () => {
  const ref = have ? JSON.parse(readFileSync(sharedPath(DIR, 'reference.json'), 'utf8')) : null;

  it('has the vocabulary tables of the reference', () => {
    expect(DRUMMER_NOTES).toEqual(ref.index2note);
    expect(DRUMMER_TICKS).toEqual(ref.index2tick);
  });

  for (const kernel of ['wasm-simd', 'js'] as const) {
    it(`teacher-forced probabilities and states match within 1e-5 (${kernel} kernel)`, async () => {
      const spec = await loadModelSpec(sharedPath(DIR));
      const net = new Network(spec, { kernel: kernel === 'wasm-simd' ? 'auto' : 'js' });
      const s = new Sampler(256);
      let worstP = 0;
      let worstH = 0;
      for (const step of ref.steps) {
        const [ni, ti] = ref.input_indices[step.step];
        net.step([ni, ti]);
        s.distribution(net.logits[0]);
        for (let i = 0; i < 17; i++) worstP = Math.max(worstP, Math.abs(s.probs[i] - step.note_probs[i]));
        s.distribution(net.logits[1]);
        for (let i = 0; i < 209; i++) worstP = Math.max(worstP, Math.abs(s.probs[i] - step.tick_probs[i]));
        if (step.h) {
          const h = net.hidden(0);
          const c = net.cell(0)!;
          for (let i = 0; i < 200; i++) {
            worstH = Math.max(worstH, Math.abs(h[i] - step.h[i]), Math.abs(c[i] - step.c[i]));
          }
        }
      }
      expect(worstP).toBeLessThan(1e-5);
      expect(worstH).toBeLessThan(1e-5);
    });
  }

  it('teacher-forced log-likelihood totals match', async () => {
    const net = new Network(await loadModelSpec(sharedPath(DIR)));
    const s = new Sampler(256);
    const idx: number[][] = ref.input_indices;
    let note = 0;
    let tick = 0;
    for (let t = 0; t < idx.length - 1; t++) {
      net.step(idx[t]);
      note += s.logProb(net.logits[0], idx[t + 1][0]);
      tick += s.logProb(net.logits[1], idx[t + 1][1]);
    }
    expect(note).toBeCloseTo(ref.teacher_forced_loglik.sum_note_logp, 2);
    expect(tick).toBeCloseTo(ref.teacher_forced_loglik.sum_tick_logp, 2);
  });

  it('greedy decoding from (36, 0) follows the reference path', async () => {
    const net = new Network(await loadModelSpec(sharedPath(DIR)));
    let input = [DRUMMER_NOTES.indexOf(ref.greedy.seed[0]), DRUMMER_TICKS.indexOf(ref.greedy.seed[1])];
    const s = new Sampler(256);
    const rng = new Rng(1);
    const out: number[][] = [];
    for (let t = 0; t < ref.greedy.outputs.length; t++) {
      net.step(input);
      const n = s.sample(net.logits[0], { temperature: 0 }, rng);
      const k = s.sample(net.logits[1], { temperature: 0 }, rng);
      out.push([DRUMMER_NOTES[n], DRUMMER_TICKS[k]]);
      input = [n, k];
    }
    expect(out).toEqual(ref.greedy.outputs);
  });

  it('rejects a truncated or mismatched pair with the file named', () => {
    const wx = new Uint8Array(readFileSync(sharedPath(DIR, 'Wx.bin')));
    const wy = new Uint8Array(readFileSync(sharedPath(DIR, 'Wy.bin')));
    expect(() => drummerSpec(wx.subarray(0, wx.length - 4), wy, 'd')).toThrow(/d\/Wx\.bin: 1366396 bytes/);
    expect(() => drummerSpec(wx, wy.subarray(0, 1000), 'd')).toThrow(/d\/Wy\.bin/);
    const bad = wx.slice();
    new DataView(bad.buffer).setFloat32(400, NaN, true);
    expect(() => drummerSpec(bad, wy, 'd')).toThrow(/d\/Wx\.bin: float 100 is NaN/);
  });
});
