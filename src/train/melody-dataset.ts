/**
 * Melody-grid training data: every file's top line as one token per 16th (rest, hold, or a
 * new pitch in the model's range), with the position in the bar as a second input. Training
 * windows are transposed on the fly by up to ±11 semitones, kept inside the range.
 *
 * @example
 * const task = melodyTask(buildMelodyDataset({ dir: 'tunes/', minPitch: 48, maxPitch: 84 }));
 */
import type { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { HOLD, REST, melodyGridCodec } from '../music/melody-grid.js';
import { csvNotInFolder, emptyTrainingSplit, heldOutWarnings, listMidi, noMidiFiles, songsOf, splitsFromCsv, SPLITS, type Sequence, type SplitName } from './dataset.js';
import { barCut, heldOutWords, holdOutEnds, validationOrNone } from './held-out-end.js';
import type { Batch, RnnShape } from './rnn-model.js';
import { gridBatch, logFrequencies, meanNll, windowStarts, type TrainingTask } from './task.js';

export interface MelodyDatasetOptions {
  dir: string;
  csv?: string;
  seed?: number;
  minPitch?: number;
  maxPitch?: number;
  stepsPerQuarter?: number;
}

export interface MelodyDataset {
  readonly minPitch: number;
  readonly maxPitch: number;
  readonly stepsPerQuarter: number;
  readonly splits: Record<SplitName, Sequence[]>;
  readonly skipped: { file: string; reason: string }[];
  readonly warnings: string[];
  /** How the validation split was chosen: by file, or the held-out end of each training file. */
  readonly validationFrom: string;
}

export function buildMelodyDataset(o: MelodyDatasetOptions): MelodyDataset {
  const minPitch = o.minPitch ?? 48;
  const maxPitch = o.maxPitch ?? 84;
  const spq = o.stepsPerQuarter ?? 4;
  const codec = melodyGridCodec({ minPitch, maxPitch, stepsPerQuarter: spq });
  const skipped: { file: string; reason: string }[] = [];
  const files = listMidi(o.dir, skipped);
  if (files.length === 0) throw noMidiFiles(o.dir, skipped);
  const warnings: string[] = [];
  const byFile: Record<SplitName, Sequence[]> = { train: [], validation: [], test: [] };
  const fromCsv = o.csv ? splitsFromCsv(o.csv, o.dir, files) : null;
  for (const { name, split, song } of songsOf(o.dir, files, fromCsv, new Rng(o.seed ?? 1), [0.1, 0.1], skipped)) {
    let encoded: ReturnType<typeof codec.fromSong>;
    try {
      encoded = codec.fromSong(song);
    } catch (e) {
      skipped.push({ file: name, reason: (e as Error).message.replace(`${name}: `, '') });
      continue;
    }
    const { events, warnings: w } = encoded;
    if (!events.some((e) => e[0] >= 2)) {
      skipped.push({ file: name, reason: 'no melodic notes' });
      continue;
    }
    warnings.push(...w);
    byFile[split].push({ file: name, tokens: Int32Array.from(events, (e) => e[0]) });
  }
  if (byFile.train.length === 0) throw emptyTrainingSplit(o.dir, files.length, skipped, byFile.validation.length + byFile.test.length, o.csv, 'melody-grid');
  // a folder too small to give validation a file holds out the end of each training file instead,
  // cut at a bar line so the held-out part starts on beat one as the engine scores it
  const bar = spq * 4;
  const { splits, method: validationFrom } = holdOutEnds(byFile, (q) => q.tokens.length, (q, at) => {
    const cut = barCut(at, q.tokens.length, bar);
    return [{ file: q.file, tokens: q.tokens.slice(0, cut) }, { file: `${q.file} (end)`, tokens: q.tokens.slice(cut) }];
  });
  // first: the per-file warnings that follow may be many, and the summary shows the first few
  warnings.unshift(...heldOutWarnings(splits, (q) => q.tokens.length, 'steps', fromCsv !== null, validationFrom), ...csvNotInFolder(fromCsv, files, o.csv, o.dir));
  return { minPitch, maxPitch, stepsPerQuarter: spq, splits, skipped, warnings, validationFrom };
}

export function melodyTask(ds: MelodyDataset): TrainingTask {
  const vocab = 2 + ds.maxPitch - ds.minPitch + 1;
  const bar = ds.stepsPerQuarter * 4;
  const train = ds.splits.train;
  const codec = melodyGridCodec({ minPitch: ds.minPitch, maxPitch: ds.maxPitch, stepsPerQuarter: ds.stepsPerQuarter, positionInput: true });
  const steps = (s: SplitName) => ds.splits[s].reduce((a, q) => a + q.tokens.length, 0);
  return {
    encoding: 'melody-grid',
    validationFrom: ds.validationFrom,
    summary: [
      `dataset: melody grid ${ds.minPitch}..${ds.maxPitch}; files ${SPLITS.map((s) => `${ds.splits[s].length} ${s}`).join(', ')}; ${ds.skipped.length} skipped`,
      `steps: ${SPLITS.map((s) => `${steps(s)} ${s}`).join(', ')}`,
      ...(heldOutWords(ds.validationFrom) ? [heldOutWords(ds.validationFrom) as string] : []),
      ...ds.skipped.slice(0, 10).map((s) => `skipped ${s.file}: ${s.reason}`),
      ...ds.warnings.slice(0, 10).map((w) => `warning: ${w}`),
    ].join('\n'),
    shape: (units: number, layers: number): RnnShape => ({
      inputs: [
        { name: 'token', vocab, key: 'tok' },
        { name: 'position', vocab: bar, key: 'pos' },
      ],
      heads: [{ name: 'token', vocab, key: '' }],
      units,
      layers,
    }),
    windows: (L, seed, epoch) => windowStarts(train.map((s) => s.tokens.length), L, seed, epoch),
    batch: (wins, L, rng: Rng): Batch =>
      gridBatch(train, wins, L, bar, REST, (tok, start) => {
        // a transposition that keeps the window's pitches inside the range
        let lo = Infinity;
        let hi = -Infinity;
        for (let k = Math.max(0, start - 1); k < Math.min(tok.length, start + L); k++) if (tok[k] >= 2) (lo = Math.min(lo, tok[k])), (hi = Math.max(hi, tok[k]));
        const down = lo === Infinity ? 0 : Math.max(-11, 2 - lo);
        const up = hi === -Infinity ? 0 : Math.min(11, vocab - 1 - hi);
        const shift = up >= down ? down + rng.int(up - down + 1) : 0;
        return (t: number) => (t === REST || t === HOLD ? t : t + shift);
      }),
    logFrequencies: () => logFrequencies(vocab, train.map((s) => s.tokens)),
    validationNll(net: Network) {
      const seqs = validationOrNone(ds.splits.validation);
      if (!seqs) return NaN;
      return meanNll(net, codec, seqs.map((s) => Array.from(s.tokens, (t) => [t])));
    },
    sequences: (split) => ds.splits[split].map((s) => Array.from(s.tokens, (t) => [t])),
    meta: () => ({
      encoding: 'melody-grid',
      minPitch: ds.minPitch,
      maxPitch: ds.maxPitch,
      stepsPerQuarter: ds.stepsPerQuarter,
      stepsPerBar: bar,
      inputs: [
        { name: 'token', onehot: true },
        { name: 'position', onehot: true },
      ],
    }),
  };
}
