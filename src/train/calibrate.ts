/**
 * Fitting a drum model's calibration (`music/calibration.ts`): one logit offset per voice so
 * that the model, playing freely from cold starts at temperature 1 through the Generator, hits
 * each voice as often per bar as the training split does. Each round plays `seeds` × `steps`
 * and moves each voice's offset by the log of the ratio of the data's rate to the played rate
 * (damped by 0.6: the rarer voices are noisy over a few bars), so a voice played half as often gains about 0.4 a round. Fitted on training data only;
 * the test split stays for eval.
 *
 * @example
 * const fit = calibrate(spec, ds.splits.train);
 * fit.voiceBias;          // [0.31, -0.05, 0.42, …]
 * fit.after['closed-hat']; // ≈ fit.data['closed-hat']
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../engine/model.js';
import { writeAtomic } from '../io/atomic-file.js';
import { loadModelSpec } from '../io/model-files.js';
import { MAX_VOICE_BIAS } from '../music/calibration.js';
import { DRUM_CLASSES, type DrumClass } from '../music/drum-map.js';
import { buildDrumDataset } from './dataset.js';
import type { DrumPerformance } from './expressive-data.js';
import { playFreely, playStats } from './free-running.js';

export interface CalibrateOptions {
  /** Cold starts played a round (default 40). */
  seeds?: number;
  /** Steps of each (default 512). */
  steps?: number;
  /** Rounds of adjustment (default 6). */
  rounds?: number;
}

export interface Calibration {
  voiceBias: number[];
  /** Hits per bar: the training data's, played before the fit and after it. */
  data: Record<DrumClass, number>;
  before: Record<DrumClass, number>;
  after: Record<DrumClass, number>;
  seeds: number;
  steps: number;
  rounds: number;
}

/** `spec` playing with `voiceBias` as its calibration. */
export const withVoiceBias = (spec: ModelSpec, voiceBias: readonly number[]): ModelSpec => ({ ...spec, meta: { ...spec.meta, calibration: { voiceBias: [...voiceBias] } } });

export function calibrate(spec: ModelSpec, train: readonly DrumPerformance[], o: CalibrateOptions = {}): Calibration {
  const seeds = o.seeds ?? 40;
  const steps = o.steps ?? 512;
  const rounds = o.rounds ?? 6;
  const data = playStats(train).hitsPerBar;
  const played = (vb: readonly number[]) => {
    const s = withVoiceBias(spec, vb);
    return playStats(Array.from({ length: seeds }, (_, i) => playFreely(s, { seed: i + 1, steps, temperature: 1 }))).hitsPerBar;
  };
  const vb = new Array<number>(DRUM_CLASSES.length).fill(0);
  const before = played(vb);
  let now = before;
  for (let r = 0; r < rounds; r++) {
    DRUM_CLASSES.forEach((c, i) => {
      // a voice the data never plays is left alone: no rate to match
      if (data[c] <= 0) return;
      const step = 0.6 * Math.log((data[c] + 0.01) / (now[c] + 0.01));
      vb[i] = Math.max(-MAX_VOICE_BIAS, Math.min(MAX_VOICE_BIAS, vb[i] + step));
    });
    now = played(vb);
  }
  return { voiceBias: vb.map((x) => +x.toFixed(4)), data, before, after: now, seeds, steps, rounds };
}

/** The fit as a table for a terminal: per voice the data's hits per bar, before and after, and the offset. */
export function formatCalibration(c: Calibration): string {
  const lines = [`calibration: ${c.rounds} rounds of ${c.seeds} cold starts × ${c.steps} steps at temperature 1, fitted to the training split`, `  ${'voice'.padEnd(11)}  data  before  after  offset`];
  DRUM_CLASSES.forEach((v, i) => lines.push(`  ${v.padEnd(11)} ${c.data[v].toFixed(2).padStart(5)}  ${c.before[v].toFixed(2).padStart(6)}  ${c.after[v].toFixed(2).padStart(5)}  ${c.voiceBias[i] >= 0 ? '+' : ''}${c.voiceBias[i].toFixed(3)}`));
  return lines.join('\n');
}

/**
 * Calibrate the drum model in folder `model` on the training split of `data` and write the
 * offsets into its model.json (whole or not at all); returns the fit.
 *
 * @example
 * await calibrateFolder({ model: 'weights/drums-expressive', data: 'groove/', csv: 'groove/info.csv' });
 */
export async function calibrateFolder(o: { model: string; data: string; csv?: string; seed?: number } & CalibrateOptions): Promise<Calibration> {
  const file = join(o.model, 'model.json');
  if (!existsSync(file)) throw new Error(`${o.model}: no model.json here; calibrate a model folder the trainer wrote`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { userDefinedMetadata?: { pulseRnn?: Record<string, unknown> } };
  const spec = await loadModelSpec(o.model);
  const encoding = spec.meta.encoding;
  if (encoding !== 'drum-grid' && encoding !== 'drum-expressive') throw new Error(`${o.model}: a ${String(encoding ?? 'RNN-Drummer')} model; calibration is for drum models (drum-grid, drum-expressive), whose tokens are sets of drum hits`);
  const ds = buildDrumDataset({ dir: o.data, csv: o.csv, seed: o.seed ?? 1 });
  // fitted from no calibration, whatever the file held
  const bare: ModelSpec = { ...spec, meta: { ...spec.meta, calibration: undefined } };
  const fit = calibrate(bare, ds.splits.train, o);
  const meta = json.userDefinedMetadata?.pulseRnn;
  if (!meta) throw new Error(`${file}: no userDefinedMetadata.pulseRnn to write the calibration into`);
  meta.calibration = { voiceBias: fit.voiceBias, fittedOn: { data: o.data, csv: o.csv ?? null, split: 'train' }, seeds: fit.seeds, steps: fit.steps, rounds: fit.rounds, hitsPerBar: { data: fit.data, before: fit.before, after: fit.after } };
  await writeAtomic(file, `${JSON.stringify(json)}\n`);
  return fit;
}
