/**
 * `pulse-rnn eval`: honest numbers for a model on a split, for every encoding the trainer
 * makes (drum grid, melody grid, note events).
 *
 * - NLL per step (nats and bits, summed over the model's heads) and accuracy (every head's
 *   most likely token right; and per head), measured by the engine that plays the model
 *   (each sequence from a zero state, teacher forcing);
 * - the same for a baseline fitted here on the same tokens: interpolated modified Kneser-Ney,
 *   its order tuned on the validation split (one n-gram per head, each on its own history,
 *   for models with several heads);
 * - statistics of material the model generates against the split: how much each head's token
 *   distribution overlaps the data's; for drum models the free-running report (`freeRunning`:
 *   200 cold starts of 512 steps through the Generator against train and the split, with its
 *   targets), and where in the bar each voice plays against the data.
 *
 * @example
 * const report = await evaluate({ model: 'weights/drums-gmd', data: 'grooves/', csv: 'grooves/info.csv', split: 'test' });
 * report.model.nllNats; report.baseline.nllNats; report.generated.tokenOverlap; report.freeRunning?.passed;
 */
import { existsSync, realpathSync } from 'node:fs';
import { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { Sampler } from '../engine/sampling.js';
import type { ModelSpec } from '../engine/model.js';
import { loadModelSpec } from '../io/model-files.js';
import type { Codec } from '../music/codec.js';
import { codecFor } from '../music/codecs.js';
import { DRUM_CLASSES } from '../music/drum-map.js';
import { sampleEvents } from '../music/sample-events.js';
import { buildDrumDataset, type Dataset, type SplitName } from './dataset.js';
import { BY_FILE } from './held-out-end.js';
import { emptySplitError, smallSplitWarning, splitWords, UNTUNED_ORDER, validationNotes, type SplitSource } from './eval-honesty.js';
import { isVoiceFramesFile } from './chorale-notes.js';
import { expressiveBaselines } from './expressive-baselines.js';
import { buildEventsDataset, eventsTask, defaultTables, type EventTables } from './events-dataset.js';
import { buildMelodyDataset, melodyTask } from './melody-dataset.js';
import { KneserNey, tuneOrder } from './ngram.js';
import { drumTask, type TrainingTask } from './task.js';
import { EXPRESSIVE_ENCODING, expressiveTask, type ExpressiveScore } from './expressive-task.js';
import { freeRunning, type FreeRunningReport } from './free-running.js';
import { parentNotes } from './fine-tune.js';

export interface EvalOptions {
  model: string;
  data: string;
  csv?: string;
  split?: SplitName;
  /** Seed of the random split (when there is no CSV) and of generation; default the seed the model was trained with, so the split is the run's own. */
  seed?: number;
  /** Orders tried for the n-gram baseline (default 1..12). */
  orders?: number[];
  /**
   * Cold starts of the free-running report (default `FREE_SEEDS`, 200). Twenty is a coin toss
   * for the rarer voices (a draw of 20 of the data's own performances meets its ±30% tom and
   * ride rates in about a third of draws; see bench/voice-spread.ts).
   */
  freeSeeds?: number;
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

/** Engine scores over event sequences: NLL summed over heads, joint and per-head accuracy. */
function modelScores(net: Network, codec: Codec, seqs: readonly number[][][]): Scores & { heads: { accuracy: number; nllNats: number }[] } {
  const H = net.logits.length;
  const sampler = new Sampler(Math.max(...net.logits.map((l) => l.length)));
  const inputs = new Array(net.spec.inputs.length).fill(0);
  const headNll = new Array(H).fill(0);
  const headRight = new Array(H).fill(0);
  let right = 0;
  let steps = 0;
  for (const events of seqs) {
    net.resetState();
    let prev: readonly number[] = codec.startEvent();
    for (let t = 0; t < events.length; t++) {
      codec.inputs(prev, t, inputs);
      net.step(inputs);
      let all = true;
      for (let h = 0; h < H; h++) {
        const logits = net.logits[h];
        const target = events[t][h];
        headNll[h] -= sampler.logProb(logits, target);
        let best = 0;
        for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
        if (best === target) headRight[h]++;
        else all = false;
      }
      if (all) right++;
      steps++;
      prev = events[t];
    }
  }
  const nll = headNll.reduce((a, b) => a + b, 0);
  return { nllNats: nll / steps, nllBits: nll / steps / Math.LN2, accuracy: right / steps, steps, heads: headNll.map((n, h) => ({ nllNats: n / steps, accuracy: headRight[h] / steps })) };
}

/** The training task of the model's encoding, its dataset built with the model's own tables and ranges (and the drum dataset itself, for the hits' velocities and offsets). */
function taskFor(spec: ModelSpec, o: EvalOptions, seed: number): { task: TrainingTask; drums?: Dataset } {
  const m = spec.meta as Record<string, unknown>;
  switch (m.encoding) {
    case 'drum-grid': {
      const drums = buildDrumDataset({ dir: o.data, csv: o.csv, seed });
      return { task: drumTask(drums), drums };
    }
    default:
      return { task: otherTask(spec, o, seed) };
  }
}

function otherTask(spec: ModelSpec, o: EvalOptions, seed: number): TrainingTask {
  const m = spec.meta as Record<string, unknown>;
  switch (m.encoding) {
    case 'melody-grid':
      return melodyTask(buildMelodyDataset({ dir: o.data, csv: o.csv, seed, minPitch: m.minPitch as number, maxPitch: m.maxPitch as number, stepsPerQuarter: m.stepsPerQuarter as number }));
    case 'note-events': {
      const t = m.tables as EventTables;
      const last = (xs: number[]) => xs[xs.length - 1];
      const opts = { minPitch: t.pitch[0], maxPitch: last(t.pitch), maxDelay: last(t.delay), maxDuration: last(t.duration), velocityLevels: t.velocity.length };
      if (JSON.stringify(defaultTables(opts)) !== JSON.stringify(t)) throw new Error(`${o.model}: its note-event tables are not ones 'pulse-rnn dataset' builds, so its data cannot be encoded the same way`);
      return eventsTask(buildEventsDataset({ dir: o.data, csv: o.csv, seed, ...opts }), { augment: false });
    }
    default:
      throw new Error(`${o.model}: eval handles drum-grid, melody-grid and note-events models; this one is '${String(m.encoding)}'`);
  }
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

/**
 * The model against the baseline in words, from `improvement` (1 − model NLL / baseline NLL):
 * positive means the model's NLL is lower, which is better.
 *
 * @example
 * versusBaseline(0.284);  // '28.4% better than the n-gram (lower NLL per step)'
 * versusBaseline(-0.059); // '5.9% worse than the n-gram (higher NLL per step)'
 */
export function versusBaseline(improvement: number, baseline = 'the n-gram'): string {
  const pct = Math.abs(improvement * 100).toFixed(1);
  if (pct === '0.0') return `as good as ${baseline} (the same NLL per step, to 0.1%)`;
  return improvement > 0 ? `${pct}% better than ${baseline} (lower NLL per step)` : `${pct}% worse than ${baseline} (higher NLL per step)`;
}

/** Histogram intersection: 1 when two distributions are the same, 0 when they never meet. */
const overlap = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.min(v, b[i]), 0);

export async function evaluate(o: EvalOptions) {
  const split = o.split ?? 'test';
  const spec = await loadModelSpec(o.model);
  // another seed draws another random split, whose test files the model may have trained on
  const seed = o.seed ?? trainedWith(spec).seed ?? 1;
  // likewise a model trained on a CSV's split is scored on that split unless told otherwise
  const { csv, notes } = splitCsv(spec, o);
  notes.push(...parentNotes(spec.meta));
  o = { ...o, csv };
  if ((spec.meta as Record<string, unknown>).encoding === EXPRESSIVE_ENCODING) return evaluateExpressive(spec, o, split, seed, notes);
  const { task, drums } = taskFor(spec, o, seed);
  const where = sourceOf(task, split, o, seed);
  const seqs = splitSequences(task, where);
  const net = new Network(spec);
  const codec = codecFor(spec);
  const model = modelScores(net, codec, seqs);
  const steps = seqs.reduce((a, s) => a + s.length, 0);
  notes.push(...validationNotes(trainedValidation(spec), where));
  const warnings = [smallSplitWarning(split, seqs.length, steps, task.encoding === 'note-events' ? 'notes' : 'steps')].filter((w): w is string => w !== null);
  const { heads, allRight } = baselineScores(spec, task, seqs, steps, o.orders ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const ngNll = heads.reduce((a, h) => a + h.nllNats, 0);
  const free = drums ? freeRunning(spec, { split, data: drums.splits[split], train: drums.splits.train }, { firstSeed: seed, seeds: o.freeSeeds }) : null;
  const generated = free ? drumGenerated(spec, seqs, free) : otherGenerated(spec, codec, seqs, steps, seed);
  return {
    model: { path: o.model, encoding: task.encoding, ...round(model), heads: model.heads.map((x, h) => ({ head: spec.heads[h].name, nllNats: +x.nllNats.toFixed(4), accuracy: +x.accuracy.toFixed(4) })) },
    baseline: {
      kind: spec.heads.length === 1 ? 'interpolated modified Kneser-Ney n-gram' : 'interpolated modified Kneser-Ney n-grams, one per head on its own history',
      order: spec.heads.length === 1 ? heads[0].order : heads.map((h) => h.order),
      validationNllByOrder: spec.heads.length === 1 ? heads[0].validationNllByOrder : undefined,
      nllNats: +ngNll.toFixed(4),
      nllBits: +(ngNll / Math.LN2).toFixed(4),
      accuracy: +(allRight.reduce((a, b) => a + b, 0) / steps).toFixed(4),
      steps,
      heads: heads.map((h) => ({ head: h.head, order: h.order, nllNats: +h.nllNats.toFixed(4), accuracy: +h.accuracy.toFixed(4) })),
    },
    improvement: +(1 - model.nllNats / ngNll).toFixed(4),
    generated,
    ...(free ? { freeRunning: free } : {}),
    ...(drums ? expressiveScores(drums, split) : {}),
    split,
    splitFrom: splitWords(where),
    seed,
    csv: csv ?? null,
    data: o.data,
    validation: task.validationFrom ?? BY_FILE,
    notes,
    warnings,
  };
}

/**
 * Velocity and offset errors on the split's true hits: the baselines fitted on the training
 * split, and the model's own (null: no drum model models them yet, so it plays them flat).
 */
function expressiveScores(ds: Dataset, split: SplitName, own: ExpressiveScore | null = null) {
  const b = expressiveBaselines(ds.splits.train, ds.splits[split], ds.stepsPerBar);
  const r = (x: number, digits: number) => +x.toFixed(digits);
  return {
    expressiveHits: b.hits,
    velocityMae: { model: own && r(own.velocityMae, 2), ...b.velocityMae },
    offsetMaeMs: { model: own && r(own.offsetMaeMs, 2), ...b.offsetMaeMs },
    offsetMaeSteps: { model: own && r(own.offsetMaeSteps, 4), ...b.offsetMaeSteps },
  };
}

/**
 * The free-running performances against the split: their hit tokens' overlap with the
 * split's, and per voice its hits per bar and how much its places in the bar overlap the data's.
 */
function drumGenerated(spec: ModelSpec, seqs: number[][][], free: FreeRunningReport): { steps: number; tokenOverlap: number; voices: GeneratedVoices } {
  const stepsPerBar = (spec.meta as { stepsPerBar?: number }).stepsPerBar ?? 16;
  const played = (free.performances ?? []).map((p) => p.tokens);
  const hist = (ss: ArrayLike<number>[]) => {
    const out = new Array(spec.heads[0].size).fill(0);
    let n = 0;
    for (const s of ss) for (let i = 0; i < s.length; i++) (out[s[i]]++, n++);
    return out.map((v) => v / n);
  };
  const data = seqs.map((s) => Int32Array.from(s, (e) => e[0]));
  const real = voiceStats(data, stepsPerBar);
  const fake = voiceStats(played, stepsPerBar);
  const voices = Object.fromEntries(
    DRUM_CLASSES.map((v, c) => [v, { hitsPerBar: { data: +real[c].hitsPerBar.toFixed(3), generated: +fake[c].hitsPerBar.toFixed(3) }, positionOverlap: +overlap(real[c].positions, fake[c].positions).toFixed(3) }]),
  );
  const steps = played.reduce((a, p) => a + p.length, 0);
  return { steps, tokenOverlap: +overlap(hist(data), hist(played)).toFixed(3), voices };
}

/**
 * An expressive drum model: its hit NLL (the flat model's measure, against the same n-gram on
 * the hit tokens), the velocity and offset heads' NLL, and their errors on the split's true
 * hits (teacher-forced on the true token; each class's expected value under its bins, see
 * `scoreExpressive`) beside the baselines.
 */
function evaluateExpressive(spec: ModelSpec, o: EvalOptions, split: SplitName, seed: number, notes: string[]) {
  const drums = buildDrumDataset({ dir: o.data, csv: o.csv, seed });
  const task = expressiveTask(drums);
  const where = sourceOf(task, split, o, seed);
  const seqs = splitSequences(task, where);
  const own = task.splitScore(new Network(spec), split);
  const steps = own.steps;
  const warnings = [smallSplitWarning(split, seqs.length, steps, 'steps')].filter((w): w is string => w !== null);
  const { heads, allRight } = baselineScores({ ...spec, heads: [spec.heads[0]] }, task, seqs, steps, o.orders ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const ng = heads[0];
  const hitNll = own.hits;
  const free = freeRunning(spec, { split, data: drums.splits[split], train: drums.splits.train }, { firstSeed: seed, seeds: o.freeSeeds });
  return {
    model: {
      path: o.model,
      encoding: EXPRESSIVE_ENCODING,
      nllNats: +hitNll.toFixed(4),
      nllBits: +(hitNll / Math.LN2).toFixed(4),
      accuracy: +own.hitAccuracy.toFixed(4),
      steps,
      heads: [
        { head: spec.heads[0].name, nllNats: +own.hits.toFixed(4), accuracy: +own.hitAccuracy.toFixed(4) },
        { head: spec.heads[1].name, nllNats: +own.velocity.toFixed(4), accuracy: null },
        { head: spec.heads[2].name, nllNats: +own.offset.toFixed(4), accuracy: null },
      ],
    },
    baseline: {
      kind: 'interpolated modified Kneser-Ney n-gram on the hit tokens',
      order: ng.order,
      validationNllByOrder: ng.validationNllByOrder,
      nllNats: +ng.nllNats.toFixed(4),
      nllBits: +(ng.nllNats / Math.LN2).toFixed(4),
      accuracy: +(allRight.reduce((a, b) => a + b, 0) / steps).toFixed(4),
      steps,
      heads: [{ head: ng.head, order: ng.order, nllNats: +ng.nllNats.toFixed(4), accuracy: +ng.accuracy.toFixed(4) }],
    },
    improvement: +(1 - hitNll / ng.nllNats).toFixed(4),
    generated: drumGenerated(spec, seqs, free),
    freeRunning: free,
    ...expressiveScores(drums, split, own),
    split,
    splitFrom: splitWords(where),
    seed,
    csv: o.csv ?? null,
    data: o.data,
    validation: task.validationFrom ?? BY_FILE,
    notes: [...notes, ...validationNotes(trainedValidation(spec), where), 'nats/step and the n-gram are the hit tokens\' alone (the flat model\'s measure); the velocity and offset heads\' NLL are under model.heads'],
    warnings,
  };
}

/** Where the split scored comes from, for the header, the notes and a refusal. */
function sourceOf(task: TrainingTask, split: SplitName, o: EvalOptions, seed: number): SplitSource {
  return { data: o.data, split, csv: o.csv, seed, validationFrom: task.validationFrom, ownSplits: isVoiceFramesFile(o.data) };
}

/** The sequences of the split to score; an empty split is refused, saying what to score instead. */
function splitSequences(task: TrainingTask, where: SplitSource): number[][][] {
  const seqs = task.sequences(where.split);
  if (seqs.length === 0) throw emptySplitError(where, { validation: task.sequences('validation').length, test: task.sequences('test').length });
  return seqs;
}

/** How the model's own validation was chosen, as its metadata records it. */
const trainedValidation = (spec: ModelSpec): unknown => (spec.meta as { training?: { validation?: unknown } }).training?.validation;

/**
 * The baseline on the same tokens as the model: one n-gram per head, each order chosen on the
 * validation split (with none, a 3-gram: training data would choose the order that remembers
 * it best). `allRight` marks the steps where every head's n-gram guessed right.
 */
function baselineScores(spec: ModelSpec, task: TrainingTask, seqs: number[][][], steps: number, orders: number[]) {
  const trainSeqs = task.sequences('train');
  const validSeqs = task.sequences('validation');
  const stream = (ss: number[][][], h: number) => ss.map((ev) => Int32Array.from(ev, (e) => e[h]));
  const allRight = new Uint8Array(steps).fill(1);
  const heads = spec.heads.map((hd, h) => {
    const train = stream(trainSeqs, h);
    const test = stream(seqs, h);
    const tuned = validSeqs.length ? tuneOrder(train, stream(validSeqs, h), hd.size, orders) : { model: KneserNey.fit(train, { order: UNTUNED_ORDER, vocab: hd.size }), order: UNTUNED_ORDER, validation: [] };
    const nll = tuned.model.nll(test);
    const right = ngramRight(tuned.model, test, usedTokens(train), allRight);
    return { head: hd.name, order: tuned.order, validationNllByOrder: tuned.validation.map((v) => ({ order: v.order, nll: +v.nll.toFixed(4) })), nllNats: nll, accuracy: right / steps };
  });
  return { heads, allRight };
}

/**
 * How many tokens of `test` are the n-gram's most likely one; a miss clears its step in
 * `allRight`. The argmax runs over the tokens the training data uses: the others are never
 * more likely than the smoothing floor.
 */
function ngramRight(model: KneserNey, test: Int32Array[], used: number[], allRight: Uint8Array): number {
  let right = 0;
  let i = 0;
  for (const s of test) {
    for (let t = 0; t < s.length; t++, i++) {
      let best = -1;
      let bestLp = -Infinity;
      const probe = Int32Array.from(s.subarray(0, t + 1));
      for (const tok of used) {
        probe[t] = tok;
        const lp = model.logProb(probe, t);
        if (lp > bestLp) (bestLp = lp), (best = tok);
      }
      if (best === s[t]) right++;
      else allRight[i] = 0;
    }
  }
  return right;
}

type GeneratedVoices = Record<string, { hitsPerBar: { data: number; generated: number }; positionOverlap: number }>;

/** A model without drum voices: per head, how much the tokens of material the engine samples (as long as the split) overlap the split's. */
function otherGenerated(spec: ModelSpec, codec: Codec, seqs: number[][][], steps: number, seed: number): { steps: number; tokenOverlap: number | number[]; voices?: GeneratedVoices } {
  const rng = new Rng(seed);
  const sampled = sampleEvents(new Network(spec), codec, steps, rng);
  const hist = (ss: number[][][], h: number, size: number) => {
    const out = new Array(size).fill(0);
    let n = 0;
    for (const ev of ss) for (const e of ev) (out[e[h]]++, n++);
    return out.map((v) => v / n);
  };
  const overlaps = spec.heads.map((hd, h) => +overlap(hist(seqs, h, hd.size), hist([sampled], h, hd.size)).toFixed(3));
  return { steps, tokenOverlap: overlaps.length === 1 ? overlaps[0] : overlaps };
}

/** What a model made by `train` records of its run (its seed, data and CSV as the command named them). */
function trainedWith(spec: ModelSpec): { seed?: number; data?: string; csv?: string } {
  const t = (spec.meta as { training?: { seed?: unknown; data?: unknown; csv?: unknown } }).training ?? {};
  return {
    seed: Number.isInteger(t.seed) ? (t.seed as number) : undefined,
    data: typeof t.data === 'string' ? t.data : undefined,
    csv: typeof t.csv === 'string' ? t.csv : undefined,
  };
}

const samePlace = (a: string, b: string) => existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);

/**
 * The CSV to split the data by: the one given, else the one the model was trained with when
 * this is its data folder and the CSV is still there; otherwise a note that a random split
 * may hold files the model learned from.
 */
function splitCsv(spec: ModelSpec, o: EvalOptions): { csv: string | undefined; notes: string[] } {
  const t = trainedWith(spec);
  if (o.csv !== undefined || t.csv === undefined) return { csv: o.csv, notes: [] };
  if (t.data !== undefined && samePlace(t.data, o.data) && existsSync(t.csv)) return { csv: t.csv, notes: [`split by ${t.csv}, the CSV the model was trained with`] };
  return { csv: undefined, notes: [`the model was trained on the split of ${t.csv}; without --csv this is a random split, and its files may include ones the model learned from: add --csv`] };
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
