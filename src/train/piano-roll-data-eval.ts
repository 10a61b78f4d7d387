/**
 * `pulse-rnn eval` for a chord (piano-roll) model, in the benchmarks' convention: the negative
 * log-likelihood of each frame of the split (summed over its 88 keys, natural log), averaged over
 * all its frames, each piece from a zero state; beside it the per-key baseline (every key on
 * with its training frequency, independently), the Kneser-Ney n-gram over whole chords
 * (`piano-roll-data-ngram.ts`), and for a benchmark file the published figures.
 *
 * @example
 * const r = await evaluatePianoRoll(spec, { model: 'weights/chords-jsb', data: '../shared/data/polyphonic/jsb_chorales.json' });
 * r.model.nllNats; r.perKey.nllNats; r.ngram.nllNats;
 */
import { basename } from 'node:path';
import type { ModelSpec } from '../engine/model.js';
import { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { codecFor } from '../music/codecs.js';
import { sampleEvents } from '../music/sample-events.js';
import type { SplitName } from './dataset.js';
import { framesNll, keyBaselineNll } from './piano-roll.js';
import { benchmarkStepsPerQuarter, readPianoRollData } from './piano-roll-data.js';
import { chordNgram } from './piano-roll-data-ngram.js';
import { emptySplitError, smallSplitWarning, splitWords, UNTUNED_ORDER, validationNotes, type SplitSource } from './eval-honesty.js';
import { BY_FILE, NO_VALIDATION } from './held-out-end.js';

export interface PianoRollEvalOptions {
  model: string;
  data: string;
  csv?: string;
  split?: SplitName;
  seed?: number;
}

/** Test frame NLL (nats) published for the benchmark sets (Boulanger-Lewandowski et al. 2012; LSTM: Bai et al. 2018). */
const PUBLISHED: Record<string, { rnnRbm: number; rnnNade: string; lstm: number | null }> = {
  jsb: { rnnRbm: 6.27, rnnNade: '5.19–5.56', lstm: 8.45 },
  nottingham: { rnnRbm: 2.39, rnnNade: '2.31', lstm: 3.29 },
  piano: { rnnRbm: 7.09, rnnNade: '7.05', lstm: null },
  musedata: { rnnRbm: 6.01, rnnNade: '5.60', lstm: null },
};

const published = (file: string) => {
  const name = basename(file).toLowerCase();
  const key = Object.keys(PUBLISHED).find((k) => name.includes(k));
  return key ? { set: key, ...PUBLISHED[key] } : null;
};

const r4 = (x: number) => +x.toFixed(4);
const r3 = (x: number) => +x.toFixed(3);

/** What frames look like: keys sounding a frame, the share that are chords of the training data, how many frames a chord lasts, the lowest and highest key. */
function texture(pieces: readonly (readonly (readonly number[])[])[], known: Set<string>) {
  let frames = 0;
  let keys = 0;
  let seen = 0;
  let runs = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pieces) {
    p.forEach((f, t) => {
      frames++;
      keys += f.length;
      if (known.has(f.join())) seen++;
      if (t === 0 || f.join() !== p[t - 1].join()) runs++;
      for (const k of f) (lo = Math.min(lo, k)), (hi = Math.max(hi, k));
    });
  }
  return { keysPerFrame: r3(keys / frames), trainingChords: r3(seen / frames), framesPerChord: r3(frames / runs), range: [lo, hi] };
}

/**
 * Material the model plays freely (temperature 1, from a cold start, 16 runs as long as the
 * split's average piece) beside the split itself, by `texture`.
 */
function generatedTexture(spec: ModelSpec, pieces: readonly (readonly (readonly number[])[])[], train: readonly (readonly (readonly number[])[])[], seed: number) {
  const known = new Set(train.flatMap((p) => p.map((f) => f.join())));
  const codec = codecFor(spec);
  const net = new Network(spec);
  const length = Math.round(pieces.reduce((a, p) => a + p.length, 0) / pieces.length);
  const runs = Array.from({ length: 16 }, (_, i) => {
    net.resetState();
    return sampleEvents(net, codec, length, new Rng(seed + i)).map((e) => codec.notesOf(e));
  });
  return { data: texture(pieces, known), generated: texture(runs, known), runs: runs.length, framesPerRun: length };
}

export function evaluatePianoRoll(spec: ModelSpec, o: PianoRollEvalOptions) {
  const split = o.split ?? 'test';
  const m = spec.meta as { stepsPerQuarter?: number; training?: { seed?: number; validation?: unknown } };
  const seed = o.seed ?? m.training?.seed ?? 1;
  // a MIDI folder is framed at the model's own resolution; a benchmark file's frames are what they are
  const ds = readPianoRollData({ data: o.data, csv: o.csv, seed, stepsPerQuarter: m.stepsPerQuarter });
  const where: SplitSource = { data: o.data, split, csv: o.csv, seed, validationFrom: ds.validationFrom, ownSplits: ds.kind === 'benchmark' };
  const pieces = ds.splits[split];
  if (pieces.length === 0) throw emptySplitError(where, { validation: ds.splits.validation.length, test: ds.splits.test.length });
  const own = framesNll(new Network(spec), pieces);
  // with no validation the order is fixed: training pieces would choose the one that remembers them best
  const ng = ds.splits.validation.length ? chordNgram(ds.splits.train, ds.splits.validation) : chordNgram(ds.splits.train, ds.splits.train, [UNTUNED_ORDER]);
  const ngNll = ng.nll(pieces);
  const fileSpq = benchmarkStepsPerQuarter(o.data);
  const notes = ds.kind === 'benchmark' && m.stepsPerQuarter !== undefined && m.stepsPerQuarter !== fileSpq ? [`the model steps ${m.stepsPerQuarter} per quarter; this file's frames are ${fileSpq} per quarter (its README)`] : [];
  notes.push(...validationNotes(m.training?.validation, where, "the chord n-gram's order"));
  const small = smallSplitWarning(split, pieces.length, own.frames, 'frames', 'the chord n-gram');
  return {
    model: { path: o.model, encoding: 'piano-roll', nllNats: r4(own.nll), nllBits: r4(own.nll / Math.LN2), frames: own.frames },
    perKey: { kind: 'each key on with its training frequency, independently', nllNats: r4(keyBaselineNll(ds.splits.train, pieces)) },
    ngram: { kind: 'interpolated modified Kneser-Ney n-gram over whole chords; unknown chords by the per-key baseline', order: ng.order, chords: ng.chords, validationNllByOrder: ds.splits.validation.length ? ng.validationNllByOrder : [], nllNats: r4(ngNll) },
    improvement: r4(1 - own.nll / ngNll),
    published: ds.kind === 'benchmark' ? published(o.data) : null,
    texture: generatedTexture(spec, pieces, ds.splits.train, seed),
    unit: 'nats per frame (summed over 88 keys, averaged over all frames)',
    split,
    splitFrom: splitWords(where),
    data: o.data,
    seed,
    validation: ds.validationFrom ?? BY_FILE,
    notes,
    warnings: small ? [small] : [],
  };
}

export type PianoRollEval = ReturnType<typeof evaluatePianoRoll>;

/** The report in lines, for the terminal. */
export function pianoRollText(r: PianoRollEval): string {
  const p = r.published;
  return [
    `${r.split} split (${r.splitFrom}), ${r.model.frames} frames; ${r.unit}`,
    `  model:          ${r.model.nllNats}`,
    `  per-key:        ${r.perKey.nllNats}  (${r.perKey.kind})`,
    `  chord ${r.ngram.order}-gram:   ${r.ngram.nllNats}  (Kneser-Ney over ${r.ngram.chords} chords seen twice or more in training, ${r.validation === NO_VALIDATION ? 'order fixed: no validation to tune it on' : 'order tuned on validation'}; other chords by the per-key baseline)`,
    `  the model is ${Math.abs(r.improvement * 100).toFixed(1)}% ${r.improvement >= 0 ? 'better' : 'worse'} than the chord n-gram (${r.improvement >= 0 ? 'lower' : 'higher'} NLL per frame)`,
    ...(p ? [`  published on this test split: RNN-RBM ${p.rnnRbm}, RNN-NADE ${p.rnnNade}${p.lstm ? `, LSTM ${p.lstm}` : ''}`] : []),
    `  played freely (${r.texture.runs} runs of ${r.texture.framesPerRun} frames, temperature 1) against the split:`,
    ...(['data', 'generated'] as const).map((k) => {
      const t = r.texture[k];
      return `    ${k.padEnd(9)} ${t.keysPerFrame} keys a frame, ${(t.trainingChords * 100).toFixed(1)}% of frames a chord of the training data, ${t.framesPerChord} frames a chord, keys ${t.range[0]}–${t.range[1]}`;
    }),
  ].join('\n');
}
