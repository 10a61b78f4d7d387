/**
 * What a drum model plays on its own, measured against the data it learned from: several
 * seeds, each a cold start of the live `Generator` ticked for a number of steps, read back as
 * drum performances (a note belongs to the step of the tick that played it, even when it is
 * played early) and compared, voice by voice, with a split's performances and the training
 * split's (the Groove MIDI Dataset's test split plays more closed hat and less ride than train).
 *
 * The targets a drum model is held to:
 * - hits per bar of kick, snare and closed hat within 15% of the data's; of the toms and the
 *   ride within 30% (crash and open hat are reported only). "The data" is first of all the
 *   training split, the music the model learns to play: another split may play a voice at a
 *   rate the training split itself is far from (the Groove MIDI test split's ride is 0.63 times
 *   train's), so each row also says whether the training split lands within the tolerance of
 *   the split named, which bounds what any model of it can do there;
 * - a kick on beat 1 (step 0 of the bar) in at least 80% of the bars;
 * - the velocity histogram (16 bins of 8, as `expressiveStats`) overlapping the data's by at
 *   least 0.8 (Σ min(p, q));
 * - the share of hits more than 10 ms off the grid within 15 points of the data's (data: each
 *   hit's |offset| at its file's tempo; generated: at the data's median tempo);
 * - at temperature 0 from a cold start it plays a groove (`groovesAtZero`).
 *
 * @example
 * const report = freeRunning(spec, { split: 'test', data: ds.splits.test, train: ds.splits.train });
 * report.voices.kick.generated; report.passed; console.log(formatFreeRunning(report));
 */
import type { ModelSpec } from '../engine/model.js';
import { DEFAULT_DRUM_NOTES, DRUM_CLASSES, drumClassOf, type DrumClass } from '../music/drum-map.js';
import { VELOCITY_BINS, velocityBin } from '../music/expressive.js';
import { Generator } from '../music/generator.js';
import type { SplitName } from './dataset.js';
import { hitsOf, type DrumPerformance } from './expressive-data.js';

const CLASSES = DRUM_CLASSES.length;
const BAR = 16;
/** Four decimals: what a report shows, and JSON keeps short. */
const r4 = (x: number) => +x.toFixed(4);

/** Hits per bar within this fraction of the data's, per voice (null: reported only). */
export const VOICE_TOLERANCE: Record<DrumClass, number | null> = {
  kick: 0.15,
  snare: 0.15,
  'closed-hat': 0.15,
  'open-hat': null,
  'low-tom': 0.3,
  'mid-tom': 0.3,
  'high-tom': 0.3,
  crash: null,
  ride: 0.3,
};
export const KICK_ON_ONE_TARGET = 0.8;
export const VELOCITY_OVERLAP_TARGET = 0.8;
/** Off-grid share within this many (fractional) points of the data's. */
export const OFF_GRID_TOLERANCE = 0.15;
/** Milliseconds from the grid past which a hit counts as off it. */
export const OFF_GRID_MS = 10;

/**
 * Cold starts of the report unless told. Why 200: a cold start settles into one groove for its
 * 32 bars, so a voice's rate over 20 of them swings with which grooves came up (a tom groove
 * moves the mid tom's rate by half); 20 of the Groove MIDI training split's own performances
 * land within the tolerances of the split's rate in only 31–63% of draws
 * (`bench/voice-spread.ts`).
 */
export const FREE_SEEDS = 200;

export interface FreeRunOptions {
  /** Cold starts, seeds `firstSeed` … (default `FREE_SEEDS`). */
  seeds?: number;
  firstSeed?: number;
  /** Ticks per start (default 512, 32 bars). */
  steps?: number;
  temperature?: number;
  /** Bars played at temperature 0 for the groove check (default 8). */
  zeroBars?: number;
}

/** How some performances play: per voice, per bar, and their hits' loudness and timing. */
export interface PlayStats {
  performances: number;
  bars: number;
  hits: number;
  hitsPerBar: Record<DrumClass, number>;
  /** Share of whole bars with a kick on their step 0. */
  kickOnOne: number;
  /** Share of hits in each velocity bin of 8 (0–7 … 120–127). */
  velocityHistogram: number[];
  /** Share of hits more than `OFF_GRID_MS` off the grid. */
  offGrid10ms: number;
}

/**
 * Hits per bar per voice, kick on beat 1, velocity histogram and off-grid share of some
 * performances. `msPerStep` reads every offset at that tempo (for generated material, which
 * has none of its own); without it each performance's own.
 *
 * @example
 * playStats(ds.splits.test).hitsPerBar['closed-hat']; // 6.29 on the Groove MIDI test split
 */
export function playStats(perfs: readonly DrumPerformance[], msPerStep?: number, stepsPerBar = BAR): PlayStats {
  const hits = new Array<number>(CLASSES).fill(0);
  const hist = new Array<number>(VELOCITY_BINS).fill(0);
  let steps = 0;
  let wholeBars = 0;
  let kickOnOne = 0;
  let all = 0;
  let off = 0;
  for (const p of perfs) {
    steps += p.tokens.length;
    for (let b = 0; (b + 1) * stepsPerBar <= p.tokens.length; b++) {
      wholeBars++;
      if (p.tokens[b * stepsPerBar] & 1) kickOnOne++;
    }
    const ms = msPerStep ?? p.msPerStep;
    for (const h of hitsOf(p)) {
      all++;
      hits[h.cls]++;
      hist[velocityBin(h.velocity)]++;
      if (Math.abs(h.offset) * ms > OFF_GRID_MS) off++;
    }
  }
  const bars = steps / stepsPerBar;
  return {
    performances: perfs.length,
    bars,
    hits: all,
    hitsPerBar: Object.fromEntries(DRUM_CLASSES.map((c, i) => [c, r4(bars ? hits[i] / bars : 0)])) as Record<DrumClass, number>,
    kickOnOne: r4(wholeBars ? kickOnOne / wholeBars : 0),
    velocityHistogram: hist.map((h) => r4(all ? h / all : 0)),
    offGrid10ms: r4(all ? off / all : 0),
  };
}

/** Histogram intersection: 1 when two distributions are the same, 0 when they never meet. */
export const histogramOverlap = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + Math.min(v, b[i] ?? 0), 0);

/** The drum class a played note stands for: the codec's own note of a class first, then the General MIDI map. */
function classOfNote(note: number): number {
  const own = DEFAULT_DRUM_NOTES.indexOf(note);
  return own >= 0 ? own : drumClassOf(note);
}

/**
 * What a Generator plays in `steps` ticks, as a drum performance: every note goes to the step
 * of the tick that played it (an early hit's negative offset stays its own), the loudest of a
 * class in a step kept, as the data keeps it.
 *
 * @example
 * const perf = playFreely(spec, { seed: 3, steps: 512, temperature: 1 });
 * perf.tokens.length; // 512
 */
export function playFreely(spec: ModelSpec, o: { seed: number; steps: number; temperature: number }): DrumPerformance {
  const gen = new Generator(spec, { seed: o.seed, temperature: o.temperature });
  const tokens = new Int32Array(o.steps);
  const velocities = new Uint8Array(o.steps * CLASSES);
  const offsets = new Float64Array(o.steps * CLASSES);
  for (let t = 0; t < o.steps; t++) {
    const r = gen.tick();
    for (let k = 0; k < r.count; k++) {
      const n = r.notes[k];
      const c = classOfNote(n.note);
      if (c < 0) continue;
      const i = t * CLASSES + c;
      tokens[t] |= 1 << c;
      if (n.velocity > velocities[i]) (velocities[i] = n.velocity), (offsets[i] = n.offset);
    }
  }
  return { tokens, velocities, offsets, msPerStep: 0 };
}

/** One bar played at temperature 0, and whether it is a groove. */
export interface ZeroBar {
  hits: number;
  kick: boolean;
  snareOrHat: boolean;
  /** Different non-silent steps in the bar (1: the same step over and over). */
  distinctSteps: number;
  groove: boolean;
}

/** How `groovesAtZero` judges a bar, in words for a report. */
export const GROOVE_RULE = 'every bar has hits, a kick, a snare or a hat (closed or open), and at least two different non-silent steps';

/**
 * The model at temperature 0 from a cold start for `bars` bars: a groove when every bar has
 * hits, a kick, a snare or a hat, and is not one step repeated (two different non-silent
 * steps at least). A flat model that plays only rests there fails it.
 *
 * @example
 * groovesAtZero(spec).ok; // false for weights/drums-gmd: silence
 */
export function groovesAtZero(spec: ModelSpec, bars = 8, stepsPerBar = BAR): { bars: ZeroBar[]; ok: boolean; pattern: string } {
  const perf = playFreely(spec, { seed: 1, steps: bars * stepsPerBar, temperature: 0 });
  const out: ZeroBar[] = [];
  for (let b = 0; b < bars; b++) {
    const bar = perf.tokens.subarray(b * stepsPerBar, (b + 1) * stepsPerBar);
    const seen = new Set<number>();
    let hits = 0;
    let any = 0;
    for (const t of bar) {
      if (t) seen.add(t);
      for (let c = 0; c < CLASSES; c++) hits += (t >> c) & 1;
      any |= t;
    }
    const kick = (any & 1) !== 0;
    const snareOrHat = (any & 0b1110) !== 0;
    out.push({ hits, kick, snareOrHat, distinctSteps: seen.size, groove: hits > 0 && kick && snareOrHat && seen.size >= 2 });
  }
  return { bars: out, ok: out.every((b) => b.groove), pattern: barPattern(perf.tokens.subarray(0, 2 * stepsPerBar), stepsPerBar) };
}

/** Steps as a line per voice heard in them, bars apart: 'kick       x.......x....... x.......x.......'. */
function barPattern(steps: ArrayLike<number>, stepsPerBar: number): string {
  const lines: string[] = [];
  DRUM_CLASSES.forEach((name, c) => {
    let row = '';
    for (let s = 0; s < steps.length; s++) row += `${s && s % stepsPerBar === 0 ? ' ' : ''}${(steps[s] >> c) & 1 ? 'x' : '.'}`;
    if (row.includes('x')) lines.push(`${name.padEnd(11)}${row}`);
  });
  return lines.join('\n');
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 125 : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface VoiceRow {
  data: number;
  train: number;
  generated: number;
  /** generated / data (null where the data has none). */
  ratio: number | null;
  ratioTrain: number | null;
  /** train / data: how far the training split itself is from the split's rate (null where the data has none). */
  trainRatio: number | null;
  tolerance: number | null;
  /** Within the tolerance of the split's data (null: reported only). */
  ok: boolean | null;
  okTrain: boolean | null;
  /** Whether the training split itself lies within the tolerance of the split's rate (null: reported only). */
  trainOk: boolean | null;
}

export interface FreeRunningReport {
  protocol: { seeds: number; firstSeed: number; steps: number; temperature: number; msPerStep: number; msPerStepIs: string };
  split: SplitName;
  data: PlayStats;
  train: PlayStats;
  generated: PlayStats;
  voices: Record<DrumClass, VoiceRow>;
  kickOnOne: { data: number; train: number; generated: number; target: number; ok: boolean };
  velocityOverlap: { data: number; train: number; target: number; ok: boolean; okTrain: boolean };
  offGrid10ms: { data: number; train: number; generated: number; tolerance: number; ok: boolean; okTrain: boolean };
  /** `pattern`: its first two bars, a line per voice. */
  temperatureZero: { bars: ZeroBar[]; pattern: string; rule: string; ok: boolean };
  /** Targets met against the split's data, and against train's, of `targets`. */
  passed: number;
  passedTrain: number;
  targets: number;
  /** Voice targets the training split itself meets against the split's rates, of `voiceTargets`. */
  trainMeetsSplit: number;
  voiceTargets: number;
  /** The generated performances, one per seed (not in JSON). */
  performances?: DrumPerformance[];
}

/**
 * The free-running report: `seeds` cold starts of `steps` ticks at `temperature` through the
 * Generator, against `data` (the split named `split`) and `train`, with pass or fail per target.
 * Deterministic: seeds `firstSeed` … `firstSeed + seeds − 1`.
 *
 * @example
 * const r = freeRunning(spec, { split: 'test', data: ds.splits.test, train: ds.splits.train }, { seeds: 20, steps: 512 });
 * r.kickOnOne.ok; r.velocityOverlap.data; r.temperatureZero.ok;
 */
export function freeRunning(spec: ModelSpec, d: { split: SplitName; data: readonly DrumPerformance[]; train: readonly DrumPerformance[] }, o: FreeRunOptions = {}): FreeRunningReport {
  const { seeds = FREE_SEEDS, firstSeed = 1, steps = 512, temperature = 1, zeroBars = 8 } = o;
  const stepsPerBar = (spec.meta as { stepsPerBar?: number }).stepsPerBar ?? BAR;
  const ms = median(d.data.map((p) => p.msPerStep));
  const performances = Array.from({ length: seeds }, (_, i) => ({ ...playFreely(spec, { seed: firstSeed + i, steps, temperature }), msPerStep: ms }));
  const data = playStats(d.data, undefined, stepsPerBar);
  const train = playStats(d.train, undefined, stepsPerBar);
  const generated = playStats(performances, ms, stepsPerBar);
  const zero = groovesAtZero(spec, zeroBars, stepsPerBar);
  const report: FreeRunningReport = {
    protocol: { seeds, firstSeed, steps, temperature, msPerStep: +ms.toFixed(3), msPerStepIs: `the median ms per step of the ${d.split} split's performances (generated offsets are read at it)` },
    split: d.split,
    data,
    train,
    generated,
    voices: voiceRows(data, train, generated),
    kickOnOne: { data: data.kickOnOne, train: train.kickOnOne, generated: generated.kickOnOne, target: KICK_ON_ONE_TARGET, ok: generated.kickOnOne >= KICK_ON_ONE_TARGET },
    velocityOverlap: velocityOverlap(data, train, generated),
    offGrid10ms: {
      data: data.offGrid10ms,
      train: train.offGrid10ms,
      generated: generated.offGrid10ms,
      tolerance: OFF_GRID_TOLERANCE,
      ok: Math.abs(generated.offGrid10ms - data.offGrid10ms) <= OFF_GRID_TOLERANCE,
      okTrain: Math.abs(generated.offGrid10ms - train.offGrid10ms) <= OFF_GRID_TOLERANCE,
    },
    temperatureZero: { ...zero, rule: GROOVE_RULE },
    passed: 0,
    passedTrain: 0,
    targets: 0,
    trainMeetsSplit: 0,
    voiceTargets: 0,
  };
  tallyTargets(report);
  Object.defineProperty(report, 'performances', { value: performances, enumerable: false });
  return report;
}

function voiceRows(data: PlayStats, train: PlayStats, generated: PlayStats): Record<DrumClass, VoiceRow> {
  const ratio = (g: number, d: number) => (d > 0 ? g / d : null);
  // a voice the data never plays is met only by never playing it
  const within = (r: number | null, tol: number | null, g: number) => (tol === null ? null : r === null ? g === 0 : Math.abs(r - 1) <= tol);
  return Object.fromEntries(
    DRUM_CLASSES.map((c) => {
      const g = generated.hitsPerBar[c];
      const r = ratio(g, data.hitsPerBar[c]);
      const rt = ratio(g, train.hitsPerBar[c]);
      const td = ratio(train.hitsPerBar[c], data.hitsPerBar[c]);
      const tol = VOICE_TOLERANCE[c];
      const round = (x: number | null) => (x === null ? null : r4(x));
      return [c, { data: data.hitsPerBar[c], train: train.hitsPerBar[c], generated: g, ratio: round(r), ratioTrain: round(rt), trainRatio: round(td), tolerance: tol, ok: within(r, tol, g), okTrain: within(rt, tol, g), trainOk: within(td, tol, train.hitsPerBar[c]) }];
    }),
  ) as Record<DrumClass, VoiceRow>;
}

function velocityOverlap(data: PlayStats, train: PlayStats, generated: PlayStats) {
  const vd = r4(histogramOverlap(data.velocityHistogram, generated.velocityHistogram));
  const vt = r4(histogramOverlap(train.velocityHistogram, generated.velocityHistogram));
  return { data: vd, train: vt, target: VELOCITY_OVERLAP_TARGET, ok: vd >= VELOCITY_OVERLAP_TARGET, okTrain: vt >= VELOCITY_OVERLAP_TARGET };
}

/** Counts the targets met, against the split and against train (kick on one and temperature 0 judge the model alone). */
function tallyTargets(r: FreeRunningReport): void {
  const split: boolean[] = [];
  const train: boolean[] = [];
  const voices = Object.values(r.voices).filter((v) => v.tolerance !== null);
  for (const v of voices) (split.push(v.ok === true), train.push(v.okTrain === true));
  r.voiceTargets = voices.length;
  r.trainMeetsSplit = voices.filter((v) => v.trainOk === true).length;
  split.push(r.kickOnOne.ok, r.velocityOverlap.ok, r.offGrid10ms.ok, r.temperatureZero.ok);
  train.push(r.kickOnOne.ok, r.velocityOverlap.okTrain, r.offGrid10ms.okTrain, r.temperatureZero.ok);
  r.targets = split.length;
  r.passed = split.filter(Boolean).length;
  r.passedTrain = train.filter(Boolean).length;
}

const yes = (ok: boolean | null) => (ok === null ? '-' : ok ? 'yes' : 'NO');
const num = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The report as text for a terminal: a table of hits per bar per voice (the split's data,
 * train's, generated, their ratios, the target, met or not), then the other targets.
 *
 * @example
 * console.log(formatFreeRunning(freeRunning(spec, data)));
 */
export function formatFreeRunning(r: FreeRunningReport): string {
  const p = r.protocol;
  const s = r.split;
  const lines = [
    `free-running: ${p.seeds} seeds × ${p.steps} steps from a cold start at temperature ${p.temperature} (the Generator); data: ${s} split (${r.data.performances} performances, ${r.data.bars.toFixed(0)} bars) and train (${r.train.performances}, ${r.train.bars.toFixed(0)} bars)`,
    `  hits per bar  ${s.padStart(6)}  ${'train'.padStart(6)}  generated  ratio/${s}  ratio/train  target  ok (${s}/train)  train/${s}`,
  ];
  for (const [v, row] of Object.entries(r.voices)) {
    const target = row.tolerance === null ? 'report' : `±${(row.tolerance * 100).toFixed(0)}%`;
    const ok = row.tolerance === null ? '-' : `${yes(row.ok)}/${yes(row.okTrain)}`;
    const own = `${num(row.trainRatio)}${row.tolerance === null ? '' : ` ${yes(row.trainOk)}`}`;
    lines.push(`  ${v.padEnd(12)}  ${num(row.data).padStart(6)}  ${num(row.train).padStart(6)}  ${num(row.generated).padStart(9)}  ${num(row.ratio).padStart(10)}  ${num(row.ratioTrain).padStart(11)}  ${target.padStart(6)}  ${ok.padStart(14)}  ${own}`);
  }
  const k = r.kickOnOne;
  lines.push(`  kick on beat 1: ${pct(k.generated)} of bars generated (${s} ${pct(k.data)}, train ${pct(k.train)}); target ≥ ${pct(k.target)}: ${yes(k.ok)}`);
  const v = r.velocityOverlap;
  lines.push(`  velocity histogram overlap (16 bins of 8): ${num(v.data, 3)} with ${s}, ${num(v.train, 3)} with train; target ≥ ${v.target}: ${yes(v.ok)}/${yes(v.okTrain)}`);
  const o = r.offGrid10ms;
  lines.push(`  hits > ${OFF_GRID_MS} ms off the grid: ${pct(o.generated)} generated (at ${p.msPerStep} ms a step, ${s}'s median), ${s} ${pct(o.data)}, train ${pct(o.train)} (each file's tempo); target within ${(o.tolerance * 100).toFixed(0)} points: ${yes(o.ok)}/${yes(o.okTrain)}`);
  const z = r.temperatureZero;
  lines.push(`  temperature 0, ${z.bars.length} bars from a cold start: ${z.bars.filter((b) => b.groove).length} of ${z.bars.length} bars a groove (${z.rule}); hits per bar ${z.bars.map((b) => b.hits).join(' ')}: ${yes(z.ok)}`);
  lines.push(...(z.pattern || '(silence)').split('\n').map((l) => `    ${l}`));
  lines.push(`  targets met: ${r.passedTrain} of ${r.targets} against train (the data the model learns), ${r.passed} of ${r.targets} against ${s}`);
  if (s !== 'train') lines.push(`  the training split itself is within the tolerance of ${s}'s hits per bar for ${r.trainMeetsSplit} of ${r.voiceTargets} voices (train/${s}): a model that plays exactly as its training data does meets those against ${s} and no others`);
  return lines.join('\n');
}
