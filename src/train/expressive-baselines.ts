/**
 * The bars a velocity or offset head must clear: simple predictors fitted on the training
 * split and scored on another split's true hits (teacher-forced: at each step a predictor
 * knows the performance up to the step before, and which classes this step hits).
 *
 * Velocity (MIDI): `flat` (100, as the flat drum model plays), `classMean`, `classPosition`
 * (mean per class and step of the bar), `lastSameClass` (the last velocity of the same class
 * in this performance; the class mean before its first hit).
 * Offset: `grid` (0), `classMean`, `classPosition`, `recentMedian` (median of the offsets of
 * the last 16 hits of any class in this performance; 0 before the first).
 * Errors are mean absolute errors per hit: velocity in MIDI units, offset in ms at each
 * file's first tempo and in fractions of a step.
 *
 * @example
 * const b = expressiveBaselines(ds.splits.train, ds.splits.test, 16);
 * b.velocityMae.flat;        // 39.8
 * b.offsetMaeMs.recentMedian; // 17.7
 */
import { DRUM_CLASSES } from '../music/drum-map.js';
import { hitsOf, type DrumPerformance } from './expressive-data.js';

const CLASSES = DRUM_CLASSES.length;
const FLAT_VELOCITY = 100;
const RECENT = 16;

export const VELOCITY_BASELINES = ['flat', 'classMean', 'classPosition', 'lastSameClass'] as const;
export const OFFSET_BASELINES = ['grid', 'classMean', 'classPosition', 'recentMedian'] as const;
export type VelocityBaseline = (typeof VELOCITY_BASELINES)[number];
export type OffsetBaseline = (typeof OFFSET_BASELINES)[number];

/** What each baseline names, for a reader. */
export const BASELINE_WORDS: Record<VelocityBaseline | OffsetBaseline, string> = {
  flat: `velocity ${FLAT_VELOCITY}`,
  grid: 'on the grid',
  classMean: 'per-class mean',
  classPosition: 'per class and position in the bar',
  lastSameClass: 'the last velocity of the same class',
  recentMedian: `median of the last ${RECENT} offsets (any class)`,
};

export interface ExpressiveBaselines {
  /** Hits scored. */
  hits: number;
  velocityMae: Record<VelocityBaseline, number>;
  offsetMaeMs: Record<OffsetBaseline, number>;
  offsetMaeSteps: Record<OffsetBaseline, number>;
}

/** Means of velocity and offset per class, and per class and step of the bar, over the training hits. */
interface Fit {
  velocity: Float64Array;
  offset: Float64Array;
  velocityAt: Float64Array;
  offsetAt: Float64Array;
}

function fit(train: readonly DrumPerformance[], stepsPerBar: number): Fit {
  const sums = (n: number) => ({ v: new Float64Array(n), o: new Float64Array(n), k: new Float64Array(n) });
  const cls = sums(CLASSES);
  const at = sums(CLASSES * stepsPerBar);
  for (const p of train) {
    for (const h of hitsOf(p)) {
      const j = h.cls * stepsPerBar + (h.step % stepsPerBar);
      (cls.v[h.cls] += h.velocity), (cls.o[h.cls] += h.offset), cls.k[h.cls]++;
      (at.v[j] += h.velocity), (at.o[j] += h.offset), at.k[j]++;
    }
  }
  const mean = (s: Float64Array, k: Float64Array, fallback: (i: number) => number) => s.map((x, i) => (k[i] ? x / k[i] : fallback(i)));
  const velocity = mean(cls.v, cls.k, () => FLAT_VELOCITY);
  const offset = mean(cls.o, cls.k, () => 0);
  // a class never heard at a step of the bar in training falls back to the class mean
  return { velocity, offset, velocityAt: mean(at.v, at.k, (j) => velocity[Math.floor(j / stepsPerBar)]), offsetAt: mean(at.o, at.k, (j) => offset[Math.floor(j / stepsPerBar)]) };
}

const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Every baseline fitted on `train` and scored on the true hits of `test`.
 *
 * @example
 * expressiveBaselines(ds.splits.train, ds.splits.test).offsetMaeMs.grid; // 22.6
 */
export function expressiveBaselines(train: readonly DrumPerformance[], test: readonly DrumPerformance[], stepsPerBar = 16): ExpressiveBaselines {
  const f = fit(train, stepsPerBar);
  const vErr = Object.fromEntries(VELOCITY_BASELINES.map((b) => [b, 0])) as Record<VelocityBaseline, number>;
  const oErr = Object.fromEntries(OFFSET_BASELINES.map((b) => [b, 0])) as Record<OffsetBaseline, number>;
  const msErr = { ...oErr };
  let hits = 0;
  for (const p of test) {
    const last = Float64Array.from(f.velocity);
    const recent: number[] = [];
    let step = -1;
    let pending: number[] = [];
    for (const h of hitsOf(p)) {
      if (h.step !== step) {
        // the hits of the step before become history only once its step is over
        recent.push(...pending);
        recent.splice(0, Math.max(0, recent.length - RECENT));
        pending = [];
        step = h.step;
      }
      const j = h.cls * stepsPerBar + (h.step % stepsPerBar);
      const v: Record<VelocityBaseline, number> = { flat: FLAT_VELOCITY, classMean: f.velocity[h.cls], classPosition: f.velocityAt[j], lastSameClass: last[h.cls] };
      const o: Record<OffsetBaseline, number> = { grid: 0, classMean: f.offset[h.cls], classPosition: f.offsetAt[j], recentMedian: median(recent) };
      for (const b of VELOCITY_BASELINES) vErr[b] += Math.abs(v[b] - h.velocity);
      for (const b of OFFSET_BASELINES) {
        const e = Math.abs(o[b] - h.offset);
        oErr[b] += e;
        msErr[b] += e * p.msPerStep;
      }
      last[h.cls] = h.velocity;
      pending.push(h.offset);
      hits++;
    }
  }
  const per = (r: Record<string, number>, d: number) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, +(x / Math.max(1, hits)).toFixed(d)]));
  return { hits, velocityMae: per(vErr, 2) as Record<VelocityBaseline, number>, offsetMaeMs: per(msErr, 2) as Record<OffsetBaseline, number>, offsetMaeSteps: per(oErr, 4) as Record<OffsetBaseline, number> };
}
