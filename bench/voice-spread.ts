/**
 * How far 20 performances can stray from a split's hits per bar by chance: why the free-running
 * report plays 200 cold starts. Its check compares cold starts × 512 steps with a split's rate per voice (±15% for kick,
 * snare and closed hat, ±30% for toms and ride). For the rarer voices that sample is small:
 * a single seed that settles into a tom groove moves the mid tom's rate by half. This bench
 * asks how often the check passes for
 *
 * - the model itself: many draws of 20 seeds out of `SEEDS` cold starts;
 * - the data itself: many draws of 20 performances of the training split (each cut to its
 *   first 512 steps), scored against train's rate and against the test split's.
 *
 * A voice the training data itself rarely passes against the test split is a gap between the
 * splits' styles, not something a model of train can close.
 *
 * - `matched`: the training split's rate per voice with its performances weighted to the test
 *   split's mix of styles, of drummers, or of both (by bars): the rate a model conditioned on
 *   style or drummer would aim at, divided by the test split's. A ratio beyond the tolerance
 *   means the test split plays that voice differently even within a style and drummer.
 *
 *   npx tsx bench/voice-spread.ts [model folder]   (writes bench/results/voice-spread.json)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/engine/prng.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { DRUM_CLASSES, type DrumClass } from '../src/music/drum-map.js';
import { buildDrumDataset, parseCsv, type DrumSequence } from '../src/train/dataset.js';
import type { DrumPerformance } from '../src/train/expressive-data.js';
import { VOICE_TOLERANCE, playFreely, playStats } from '../src/train/free-running.js';
import { writeResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = process.env.PULSE_RNN_SHARED ?? join(ROOT, '..', 'shared');
const GROOVE = join(SHARED, 'data', 'groove');
const SEEDS = 200;
const DRAW = 20;
const STEPS = 512;
const DRAWS = 2000;

const cut = (p: DrumPerformance): DrumPerformance => ({ tokens: p.tokens.subarray(0, STEPS), velocities: p.velocities.subarray(0, STEPS * 9), offsets: p.offsets.subarray(0, STEPS * 9), msPerStep: p.msPerStep });

/** Share of `DRAWS` draws of `DRAW` items whose rate of each voice lies within its tolerance of `target`'s. */
function passRates(pool: readonly DrumPerformance[], targets: Record<string, Record<DrumClass, number>>, seed: number) {
  // seeded: the draws repeat run to run
  const rng = new Rng(seed);
  const pass: Record<string, Record<string, number>> = Object.fromEntries(Object.keys(targets).map((k) => [k, {}]));
  const rates: Record<string, number[]> = {};
  for (let d = 0; d < DRAWS; d++) {
    const pick: DrumPerformance[] = [];
    const taken = new Set<number>();
    while (pick.length < DRAW) {
      const i = Math.floor(rng.next() * pool.length);
      if (taken.has(i)) continue;
      taken.add(i);
      pick.push(pool[i]);
    }
    const hpb = playStats(pick).hitsPerBar;
    for (const c of DRUM_CLASSES) {
      const tol = VOICE_TOLERANCE[c];
      if (tol === null) continue;
      (rates[c] ??= []).push(hpb[c]);
      for (const [name, t] of Object.entries(targets)) pass[name][c] = (pass[name][c] ?? 0) + (Math.abs(hpb[c] / t[c] - 1) <= tol ? 1 : 0);
    }
  }
  const spread = Object.fromEntries(
    Object.entries(rates).map(([c, r]) => {
      const s = [...r].sort((a, b) => a - b);
      return [c, { p5: +s[Math.floor(0.05 * s.length)].toFixed(3), p50: +s[Math.floor(0.5 * s.length)].toFixed(3), p95: +s[Math.floor(0.95 * s.length)].toFixed(3) }];
    }),
  );
  return { pass: Object.fromEntries(Object.entries(pass).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([c, n]) => [c, +(n / DRAWS).toFixed(3)]))])), spread };
}

/** Train's hits per bar per voice, its performances weighted to test's mix of `group`, over test's rate. */
function matchedRates(train: readonly DrumSequence[], test: readonly DrumSequence[], group: (file: string) => string) {
  const byGroup = (seqs: readonly DrumSequence[]) => {
    const m = new Map<string, DrumSequence[]>();
    for (const s of seqs) {
      const k = group(s.file);
      m.set(k, [...(m.get(k) ?? []), s]);
    }
    return m;
  };
  const tr = byGroup(train);
  const te = byGroup(test);
  const bars = (seqs: readonly DrumSequence[]) => seqs.reduce((a, s) => a + s.tokens.length, 0);
  const total = bars(test);
  const rate = Object.fromEntries(DRUM_CLASSES.map((c) => [c, 0])) as Record<DrumClass, number>;
  // test bars in a group train lacks (a style a drummer only plays in test) are left out of the weights
  let covered = 0;
  for (const [k, seqs] of te) {
    const own = tr.get(k);
    if (!own) continue;
    const w = bars(seqs) / total;
    covered += w;
    const hpb = playStats(own).hitsPerBar;
    for (const c of DRUM_CLASSES) rate[c] += w * hpb[c];
  }
  const testRate = playStats(test).hitsPerBar;
  return { testBarsCovered: +covered.toFixed(3), ratioToTest: Object.fromEntries(DRUM_CLASSES.map((c) => [c, +(rate[c] / covered / testRate[c]).toFixed(3)])) };
}

/** Style (`funk`, `jazz`…) and drummer of each file, from the dataset's info.csv. */
function labels(csv: string): (file: string, what: 'style' | 'drummer' | 'both') => string {
  const rows = parseCsv(readFileSync(csv, 'utf8'));
  const col = (n: string) => rows[0].indexOf(n);
  const [f, st, dr] = [col('midi_filename'), col('style'), col('drummer')];
  const byFile = new Map(rows.slice(1).map((r) => [r[f].replace(/\\/g, '/'), { style: r[st].split('/')[0], drummer: r[dr] }]));
  return (file, what) => {
    const norm = file.replace(/\\/g, '/');
    const hit = [...byFile.entries()].find(([k]) => norm.endsWith(k))?.[1];
    if (!hit) return '?';
    return what === 'both' ? `${hit.style}|${hit.drummer}` : hit[what];
  };
}

async function main() {
  const csv = join(GROOVE, 'info.csv');
  if (!existsSync(csv)) {
    console.log(`voice-spread: ${csv} not found; skipped`);
    return;
  }
  const folder = process.argv[2] ?? join(ROOT, 'weights', 'drums-expressive');
  const ds = buildDrumDataset({ dir: GROOVE, csv, seed: 1 });
  const targets = { train: playStats(ds.splits.train).hitsPerBar, test: playStats(ds.splits.test).hitsPerBar };
  const spec = await loadModelSpec(folder);
  const played = Array.from({ length: SEEDS }, (_, i) => playFreely(spec, { seed: i + 1, steps: STEPS, temperature: 1 }));
  const model = passRates(played, targets, 1);
  const data = passRates(ds.splits.train.map(cut), targets, 2);
  const label = labels(csv);
  const matched = Object.fromEntries((['style', 'drummer', 'both'] as const).map((w) => [w === 'both' ? 'styleAndDrummer' : w, matchedRates(ds.splits.train, ds.splits.test, (f) => label(f, w))]));
  const result = {
    protocol: { draw: DRAW, draws: DRAWS, modelSeeds: SEEDS, steps: STEPS, temperature: 1, tolerance: VOICE_TOLERANCE, note: 'pass: share of draws whose hits per bar lie within the tolerance of the split named; spread: 5th, 50th and 95th percentile of a draw\'s hits per bar' },
    hitsPerBar: { ...targets, model: playStats(played).hitsPerBar },
    model,
    trainData: data,
    matched,
  };
  writeResult('voice-spread', result);
  console.log(JSON.stringify(result, null, 1));
}

await main();
