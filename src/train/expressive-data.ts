/**
 * How hard and where each drum hit was played, per step and class, as GrooVAE reads a
 * performance: of the hits of one class in one step only the loudest survives, with its MIDI
 * velocity and its offset from the step (`music/expressive.ts`). The hits go to their nearest
 * step exactly as the drum grid's tokens do, so the tokens stay the flat model's.
 *
 * Beside the extraction: the distributions a musician checks (how loud, how far off the grid)
 * and the baselines a velocity or offset head must beat, fitted on one split and scored on
 * another split's true hits.
 *
 * @example
 * const hits = new DrumHits(120, 125);             // 120 ticks and 125 ms a step
 * hits.add(250, 0, 90);                            // a kick 10 ticks late: offset 0.083
 * const perf = hits.finish();                      // { tokens: [0, 0, 1], velocities, offsets, msPerStep }
 * expressiveStats([perf]).meanAbsOffsetMs;         // 10.4
 * expressiveBaselines(ds.splits.train, ds.splits.test).velocityMae.classMean;
 */
import { DRUM_CLASSES, type DrumClass } from '../music/drum-map.js';
import { stepOfTick, VELOCITY_BINS, velocityBin } from '../music/expressive.js';

const CLASSES = DRUM_CLASSES.length;

/** A drum performance on the grid: per step its token, and per step and class (index step × 9 + class) the surviving hit. */
export interface DrumPerformance {
  readonly tokens: Int32Array;
  /** MIDI velocity of the loudest hit of the class in the step; 0 where the class is not hit. */
  readonly velocities: Uint8Array;
  /** That hit's offset from the step, as a fraction of a step in [-0.5, 0.5); 0 where not hit. */
  readonly offsets: Float64Array;
  /** Milliseconds a step lasts at the file's first tempo, to read offsets in ms. */
  readonly msPerStep: number;
}

/**
 * Gathers one performance's hits, onset by onset, into a `DrumPerformance`.
 *
 * @example
 * const hits = new DrumHits(song.ticksPerQuarter / 4, msPerStepOf(song.tempos, 4));
 * for (const n of drumNotes) hits.add(n.tick, drumClassOf(n.note), n.velocity);
 * hits.finish();
 */
export class DrumHits {
  private readonly tokens: number[] = [];
  private readonly velocities: number[] = [];
  private readonly offsets: number[] = [];

  constructor(
    readonly ticksPerStep: number,
    readonly msPerStep: number,
  ) {}

  /** One onset of class `cls`; returns its offset from the step it goes to. The first of equally loud hits stays. */
  add(tick: number, cls: number, velocity: number): number {
    const { step, offset } = stepOfTick(tick, this.ticksPerStep);
    while (this.tokens.length <= step) {
      this.tokens.push(0);
      for (let c = 0; c < CLASSES; c++) this.velocities.push(0), this.offsets.push(0);
    }
    this.tokens[step] |= 1 << cls;
    const i = step * CLASSES + cls;
    if (velocity > this.velocities[i]) {
      this.velocities[i] = velocity;
      this.offsets[i] = offset;
    }
    return offset;
  }

  get steps(): number {
    return this.tokens.length;
  }

  finish(): DrumPerformance {
    return { tokens: Int32Array.from(this.tokens), velocities: Uint8Array.from(this.velocities), offsets: Float64Array.from(this.offsets), msPerStep: this.msPerStep };
  }
}

/**
 * Milliseconds per step at a file's first tempo (120 BPM when it names none).
 *
 * @example
 * msPerStepOf([{ tick: 0, microsecondsPerQuarter: 500000 }], 4); // 125
 */
export function msPerStepOf(tempos: readonly { microsecondsPerQuarter: number }[], stepsPerQuarter: number): number {
  return (tempos[0]?.microsecondsPerQuarter ?? 500000) / 1000 / stepsPerQuarter;
}

/**
 * Every surviving hit of a performance in order (step by step, classes in order), with its
 * step, class, velocity and offset.
 */
export function* hitsOf(p: DrumPerformance): Generator<{ step: number; cls: number; velocity: number; offset: number }> {
  for (let step = 0; step < p.tokens.length; step++) {
    const tok = p.tokens[step];
    if (tok === 0) continue;
    for (let cls = 0; cls < CLASSES; cls++) {
      if (tok & (1 << cls)) yield { step, cls, velocity: p.velocities[step * CLASSES + cls], offset: p.offsets[step * CLASSES + cls] };
    }
  }
}

/** How hits are played: loudness and timing. */
export interface HitStats {
  hits: number;
  meanVelocity: number;
  /** Share of hits with velocity below 60. */
  below60: number;
  /** Share of hits in each velocity bin (`VELOCITY_BINS` of width 8). */
  velocityHistogram: number[];
  /** Share of hits more than 10 ms off the grid. */
  offGrid10ms: number;
  meanAbsOffsetMs: number;
}

export interface ExpressiveStats extends HitStats {
  perClass: Record<DrumClass, HitStats>;
}

/** Running sums behind one `HitStats`. */
class StatsSum {
  hits = 0;
  velocity = 0;
  below60 = 0;
  off10 = 0;
  absMs = 0;
  readonly hist = new Array<number>(VELOCITY_BINS).fill(0);

  add(velocity: number, absMs: number): void {
    this.hits++;
    this.velocity += velocity;
    if (velocity < 60) this.below60++;
    if (absMs > 10) this.off10++;
    this.absMs += absMs;
    this.hist[velocityBin(velocity)]++;
  }

  stats(): HitStats {
    const n = Math.max(1, this.hits);
    const r = (x: number, d = 4) => +x.toFixed(d);
    return { hits: this.hits, meanVelocity: r(this.velocity / n, 2), below60: r(this.below60 / n), velocityHistogram: this.hist.map((h) => r(h / n)), offGrid10ms: r(this.off10 / n), meanAbsOffsetMs: r(this.absMs / n, 2) };
  }
}

/**
 * Loudness and timing of every surviving hit of some performances, overall and per class.
 *
 * @example
 * expressiveStats(ds.splits.test); // { hits: 40986, meanVelocity: 69.8, below60: 0.457, … }
 */
export function expressiveStats(perfs: readonly DrumPerformance[]): ExpressiveStats {
  const all = new StatsSum();
  const per = DRUM_CLASSES.map(() => new StatsSum());
  for (const p of perfs) {
    for (const h of hitsOf(p)) {
      const absMs = Math.abs(h.offset) * p.msPerStep;
      all.add(h.velocity, absMs);
      per[h.cls].add(h.velocity, absMs);
    }
  }
  return { ...all.stats(), perClass: Object.fromEntries(DRUM_CLASSES.map((c, i) => [c, per[i].stats()])) as Record<DrumClass, HitStats> };
}

const pctText = (x: number) => `${(x * 100).toFixed(1)}%`;
const statsLine = (s: HitStats) => `${s.hits.toLocaleString('en')} hits, mean velocity ${s.meanVelocity.toFixed(1)}, ${pctText(s.below60)} below 60; ${pctText(s.offGrid10ms)} more than 10 ms off the grid, mean |offset| ${s.meanAbsOffsetMs.toFixed(1)} ms`;

/**
 * The loudness and timing of a dataset's hits as text for a terminal: all splits with a
 * velocity histogram and a line per class, then one line per split.
 *
 * @example
 * console.log(formatExpressive(ds.summary.expressive));
 * // hits (the loudest of a class in a step): 446,000 hits, mean velocity 70.1, …
 */
export function formatExpressive(e: Record<'all' | 'train' | 'validation' | 'test', ExpressiveStats>): string {
  const a = e.all;
  const lines = [
    `hits (the loudest of a class in a step), all splits: ${statsLine(a)}`,
    `  velocity histogram (% of hits per bin of 8, 0–7 … 120–127): ${a.velocityHistogram.map((h) => (h * 100).toFixed(1)).join(' ')}`,
    `  ${'class'.padEnd(11)} ${'hits'.padStart(8)}  mean vel  <60    >10 ms  mean |offset|`,
  ];
  for (const [c, s] of Object.entries(a.perClass)) {
    lines.push(`  ${c.padEnd(11)} ${s.hits.toLocaleString('en').padStart(8)}  ${s.meanVelocity.toFixed(1).padStart(8)}  ${pctText(s.below60).padStart(5)}  ${pctText(s.offGrid10ms).padStart(6)}  ${s.meanAbsOffsetMs.toFixed(1).padStart(8)} ms`);
  }
  for (const split of ['train', 'validation', 'test'] as const) if (e[split].hits) lines.push(`${split}: ${statsLine(e[split])}`);
  return lines.join('\n');
}
