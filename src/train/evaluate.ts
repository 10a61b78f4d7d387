/**
 * `pulse-rnn eval`: honest numbers for a drum model on a split.
 *
 * - NLL per step (nats and bits) and next-step accuracy, measured by the engine that plays
 *   the model (each sequence from a zero state, teacher forcing);
 * - the same for a baseline fitted here on the same tokens: interpolated modified Kneser-Ney,
 *   its order tuned on the validation split;
 * - statistics of material the model generates against the split: hits per bar per voice,
 *   where in the bar each voice plays, and how much those distributions overlap.
 *
 * @example
 * const report = await evaluate({ model: 'weights/drums-gmd', data: 'grooves/', csv: 'grooves/info.csv', split: 'test' });
 * report.model.nllNats; report.baseline.nllNats; report.generated.overlap;
 */
import { Network } from '../engine/network.js';
import { Sampler } from '../engine/sampling.js';
import { loadModelSpec } from '../io/model-files.js';
import { DRUM_CLASSES } from '../music/drum-map.js';
import { drumGridCodec } from '../music/drum-grid.js';
import { Generator } from '../music/generator.js';
import { buildDrumDataset, type Sequence, type SplitName } from './dataset.js';
import { tuneOrder } from './ngram.js';

export interface EvalOptions {
  model: string;
  data: string;
  csv?: string;
  split?: SplitName;
  seed?: number;
  /** Orders tried for the n-gram baseline (default 1..12). */
  orders?: number[];
}

export interface Scores {
  nllNats: number;
  nllBits: number;
  accuracy: number;
  steps: number;
}

export interface VoiceStats {
  hitsPerBar: number;
  /** Share of the voice's hits at each step of the bar. */
  positions: number[];
}

function modelScores(net: Network, seqs: Sequence[], stepsPerQuarter: number): Scores {
  const codec = drumGridCodec({ stepsPerQuarter, positionInput: net.spec.inputs.length > 1 });
  const sampler = new Sampler(net.logits[0].length);
  const inputs = new Array(net.spec.inputs.length).fill(0);
  let nll = 0;
  let right = 0;
  let steps = 0;
  for (const s of seqs) {
    net.resetState();
    let prev = codec.startEvent();
    for (let t = 0; t < s.tokens.length; t++) {
      codec.inputs(prev, t, inputs);
      net.step(inputs);
      const logits = net.logits[0];
      nll -= sampler.logProb(logits, s.tokens[t]);
      let best = 0;
      for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
      if (best === s.tokens[t]) right++;
      steps++;
      prev = [s.tokens[t]];
    }
  }
  return { nllNats: nll / steps, nllBits: nll / steps / Math.LN2, accuracy: right / steps, steps };
}

function voiceStats(seqs: Int32Array[], stepsPerBar: number): VoiceStats[] {
  const bars = seqs.reduce((a, s) => a + s.length / stepsPerBar, 0);
  return DRUM_CLASSES.map((_, c) => {
    const pos = new Array(stepsPerBar).fill(0);
    let hits = 0;
    for (const s of seqs) {
      for (let t = 0; t < s.length; t++) {
        if (s[t] & (1 << c)) {
          pos[t % stepsPerBar]++;
          hits++;
        }
      }
    }
    return { hitsPerBar: hits / bars, positions: pos.map((p) => (hits ? p / hits : 0)) };
  });
}

/** Histogram intersection: 1 when two distributions are the same, 0 when they never meet. */
const overlap = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.min(v, b[i]), 0);

export async function evaluate(o: EvalOptions) {
  const split = o.split ?? 'test';
  const spec = await loadModelSpec(o.model);
  if (spec.meta.encoding !== 'drum-grid') throw new Error(`${o.model}: eval handles drum-grid models; this one is '${String(spec.meta.encoding)}'`);
  const ds = buildDrumDataset({ dir: o.data, csv: o.csv, seed: o.seed ?? 1 });
  const seqs = ds.splits[split];
  if (seqs.length === 0) throw new Error(`${o.data}: the ${split} split is empty`);
  const net = new Network(spec);
  const model = modelScores(net, seqs, ds.stepsPerQuarter);

  // the baseline sees the same tokens, its order chosen on validation
  const train = ds.splits.train.map((s) => s.tokens);
  const valid = (ds.splits.validation.length ? ds.splits.validation : ds.splits.train.slice(0, 10)).map((s) => s.tokens);
  const tuned = tuneOrder(train, valid, ds.vocab, o.orders ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const ngNll = tuned.model.nll(seqs.map((s) => s.tokens));
  let ngRight = 0;
  let ngSteps = 0;
  for (const s of seqs) {
    for (let t = 0; t < s.tokens.length; t++) {
      // argmax over the tokens the data uses (others are never more likely than the smoothing floor)
      let best = -1;
      let bestLp = -Infinity;
      const probe = Int32Array.from(s.tokens.subarray(0, t + 1));
      for (const tok of usedTokens(train)) {
        probe[t] = tok;
        const lp = tuned.model.logProb(probe, t);
        if (lp > bestLp) (bestLp = lp), (best = tok);
      }
      if (best === s.tokens[t]) ngRight++;
      ngSteps++;
    }
  }

  // generated material, as long as the split, against the split
  const gen = new Generator(spec, { seed: o.seed ?? 1 });
  const total = seqs.reduce((a, s) => a + s.tokens.length, 0);
  const codec = gen.codec;
  const generated = new Int32Array(total);
  for (let t = 0; t < total; t++) {
    const r = gen.tick();
    const notes: number[] = [];
    for (let i = 0; i < r.count; i++) notes.push(r.notes[i].note);
    generated[t] = codec.eventFromNotes(notes)[0];
  }
  const real = voiceStats(seqs.map((s) => s.tokens), ds.stepsPerBar);
  const fake = voiceStats([generated], ds.stepsPerBar);
  const voices = Object.fromEntries(
    DRUM_CLASSES.map((v, c) => [v, { hitsPerBar: { data: +real[c].hitsPerBar.toFixed(3), generated: +fake[c].hitsPerBar.toFixed(3) }, positionOverlap: +overlap(real[c].positions, fake[c].positions).toFixed(3) }]),
  );
  const tokenHist = (xs: Int32Array[]) => {
    const h = new Array(ds.vocab).fill(0);
    let n = 0;
    for (const x of xs) for (const t of x) (h[t]++, n++);
    return h.map((v) => v / n);
  };
  return {
    model: { path: o.model, ...round(model) },
    baseline: {
      kind: 'interpolated modified Kneser-Ney n-gram',
      order: tuned.order,
      validationNllByOrder: tuned.validation.map((v) => ({ order: v.order, nll: +v.nll.toFixed(4) })),
      nllNats: +ngNll.toFixed(4),
      nllBits: +(ngNll / Math.LN2).toFixed(4),
      accuracy: +(ngRight / ngSteps).toFixed(4),
      steps: ngSteps,
    },
    improvement: +(1 - model.nllNats / ngNll).toFixed(4),
    generated: {
      steps: total,
      voices,
      tokenOverlap: +overlap(tokenHist(seqs.map((s) => s.tokens)), tokenHist([generated])).toFixed(3),
    },
    split,
    data: o.data,
  };
}

const round = (s: Scores): Scores => ({ nllNats: +s.nllNats.toFixed(4), nllBits: +s.nllBits.toFixed(4), accuracy: +s.accuracy.toFixed(4), steps: s.steps });

let usedCache: { key: Int32Array[]; tokens: number[] } | null = null;
function usedTokens(train: Int32Array[]): number[] {
  if (usedCache?.key === train) return usedCache.tokens;
  const seen = new Set<number>();
  for (const s of train) for (const t of s) seen.add(t);
  usedCache = { key: train, tokens: [...seen].sort((a, b) => a - b) };
  return usedCache.tokens;
}
