/**
 * What a drummer gets from a small folder of their own: one drummer of the Groove MIDI Dataset
 * stands in for the musician. Their validation- and test-split performances (the shipped model
 * never trained on them) are drawn at random into the folder they train on, in nested draws of
 * 10, 20 and 40 files; the rest are held out. On those held-out files we score
 *
 * - the shipped expressive model as it is;
 * - that model fine-tuned on the folder (`train --from`, its defaults);
 * - a model trained from scratch on the folder with the trainer's own settings for a small
 *   folder (2×256, a smaller batch, patience 4: src/train/small-data.ts);
 * - the same with the settings of a large folder (batch 64, patience 3), as before those;
 * - a smaller model from scratch (`SMALL`, default 1×64 with dropout 0.5),
 *
 * each by hit NLL (nats/step), velocity MAE and offset MAE (teacher-forced, as `eval`), and by
 * how well it follows a bar of the drummer's held-out grooves (bench/follow.ts, hit F1). Every
 * run is timed: the fine-tune should take under 2 minutes here.
 *
 *   npx tsx bench/finetune.ts [drummer] [sizes]   (default drummer1 10,20,40; writes bench/results/finetune.json)
 *   PARENT=<model folder> npx tsx bench/finetune.ts …   (fine-tunes that model; writes finetune-<its name>.json)
 *   PARENT=<a model trained without the drummer> BEATS=all …   (the drummer's beats of every split: a drummer the parent never heard)
 *
 * Runs one at a time; the folders and models are made under a temporary folder, removed at the end.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { buildDrumDataset, parseCsv } from '../src/train/dataset.js';
import { expressiveBaselines } from '../src/train/expressive-baselines.js';
import { expressiveTask } from '../src/train/expressive-task.js';
import { train, type TrainOptions } from '../src/train/train.js';
import { groovesOf, measure } from './follow.js';
import { writeResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = process.env.PULSE_RNN_SHARED ?? join(ROOT, '..', 'shared');
const GROOVE = join(SHARED, 'data', 'groove');
/** The model fine-tuned: the shipped expressive drummer, or `PARENT` (a model that never heard the drummer, say). */
const SHIPPED = process.env.PARENT ?? join(ROOT, 'weights', 'drums-expressive');
const RESULT = `finetune${process.env.PARENT ? `-${basename(process.env.PARENT)}` : ''}${process.env.BEATS === 'all' ? '-beats' : ''}`;
/** The small-data settings measured against the defaults (chosen by the sweep in the card). */
const SMALL: Partial<TrainOptions> = JSON.parse(process.env.SMALL ?? '{"units":64,"layers":1,"dropout":0.5}');
/** Settings of the fine-tune beyond `train --from`'s own defaults (none unless given, to measure what a musician gets). */
const FT: Partial<TrainOptions> = JSON.parse(process.env.FT ?? '{}');
/** Which runs: any of shipped, finetune, scratch, large, small (default all). */
const RUNS = new Set((process.env.RUNS ?? 'shipped,finetune,scratch,large').split(','));

interface Row {
  file: string;
  beat: boolean;
  split: string;
  drummer: string;
  meter: string;
}

function rowsOf(csv: string): Row[] {
  const [head, ...body] = parseCsv(readFileSync(csv, 'utf8'));
  const col = (n: string) => head.indexOf(n);
  return body.filter((r) => r.length > 1).map((r) => ({ file: r[col('midi_filename')], beat: r[col('beat_type')] === 'beat', split: r[col('split')], drummer: r[col('drummer')], meter: r[col('time_signature')] }));
}

/** A folder of links to `files` (paths inside the dataset), flat as a musician's folder is. */
function folderOf(dir: string, files: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  files.forEach((f, i) => symlinkSync(join(GROOVE, f), join(dir, `${String(i).padStart(2, '0')}_${basename(f)}`)));
  return dir;
}

/** `train` and `test` (paths inside the dataset) as a dataset of their own, split by a CSV. */
function datasetOf(dir: string, trainFiles: readonly string[], testFiles: readonly string[]) {
  const all = [...trainFiles, ...testFiles];
  const folder = folderOf(dir, all);
  const csv = join(dir, '..', `${basename(dir)}.csv`);
  writeFileSync(csv, ['file,split', ...all.map((f, i) => `${String(i).padStart(2, '0')}_${basename(f)},${i < trainFiles.length ? 'train' : 'test'}`)].join('\n'));
  return buildDrumDataset({ dir: folder, csv, seed: 1 });
}

const r = (x: number, d: number) => +x.toFixed(d);

async function score(name: string, folder: string, heldOut: ReturnType<typeof datasetOf>, grooves: ReturnType<typeof groovesOf>) {
  const spec = await loadModelSpec(folder);
  const s = expressiveTask(heldOut).splitScore(new Network(spec), 'test');
  const follow = await measure(name, spec, grooves);
  return { hitNll: r(s.hits, 4), velocityMae: r(s.velocityMae, 2), offsetMaeMs: r(s.offsetMaeMs, 2), followHitF1: follow.primed.hitF1, followAgreement: follow.primed.agreement };
}

async function run(label: string, o: TrainOptions) {
  const lines: string[] = [];
  const t0 = performance.now();
  const res = await train({ ...o, progress: false, log: (l) => lines.push(l) });
  const seconds = (performance.now() - t0) / 1000;
  console.error(`${label}: ${res.history.length} epochs, best validation ${res.best.toFixed(4)}, ${seconds.toFixed(0)} s (${res.ended})`);
  const validation = lines.find((l) => /validation/.test(l) && /held|by file|split/.test(l)) ?? null;
  const curve = res.history.map((h) => h.validationNll);
  return { seconds: r(seconds, 1), validationCurve: curve, epochs: res.history.length, ended: res.ended, bestValidationNll: r(res.best, 4), files: res.files, validationLine: validation };
}

/**
 * The model without its calibration, as a fine-tune starts: the calibration (per-voice offsets
 * fitted to the parent) changes what it plays, so following a bar is compared without it too.
 */
function uncalibrated(folder: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(folder)) if (f.endsWith('.bin')) copyFileSync(join(folder, f), join(dir, f));
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
  delete json.userDefinedMetadata.pulseRnn.calibration;
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

async function main(): Promise<void> {
  const csv = join(GROOVE, 'info.csv');
  if (!existsSync(csv)) {
    console.log(`finetune: ${csv} not found; skipped`);
    return;
  }
  const drummer = process.argv[2] ?? 'drummer1';
  const sizes = (process.argv[3] ?? '10,20,40').split(',').map(Number);
  const rows = rowsOf(csv).filter((x) => x.drummer === drummer && x.meter === '4-4');
  // the shipped model trained on the training split's beats; the drummer's validation and test
  // files are new to it (validation only chose its epoch). Drawn at random into the folder and
  // the held-out files alike, so both hold beats and fills in the same proportion, as a
  // musician's other grooves resemble the ones they gave it.
  // BEATS=all (with a PARENT that never heard the drummer): every split's beats of the drummer
  const unseen = (process.env.BEATS === 'all' ? rows.filter((x) => x.beat) : rows.filter((x) => x.split !== 'train')).map((x) => x.file);
  const rng = new Rng(7);
  for (let i = unseen.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [unseen[i], unseen[j]] = [unseen[j], unseen[i]];
  }
  // the held-out files stay the same whichever sizes a run measures
  const largest = Math.max(40, ...sizes);
  // 10 ⊂ 20 ⊂ 40, as a musician's folder grows; the rest is held out
  const pool = unseen.slice(0, largest);
  const held = unseen.slice(largest);
  if (held.length < 10) throw new Error(`${drummer}: ${unseen.length} validation- and test-split files in 4/4, too few for a folder of ${largest} and 10 held out`);
  const tmp = mkdtempSync(join(tmpdir(), 'pulse-finetune-'));
  try {
    // the held-out files beside the largest folder: the baselines fit on the folder a run trained on
    const heldOut = datasetOf(join(tmp, 'held-out'), pool.slice(0, Math.max(...sizes)), held);
    const grooves = groovesOf(held.filter((f) => !/_fill_/.test(f)));
    const heldSteps = heldOut.splits.test.reduce((a, s) => a + s.tokens.length, 0);
    console.error(`${drummer}: folder of up to ${pool.length} files, held out ${held.length} files (${heldSteps} steps, ${grooves.length} grooves to follow)`);
    const results: Record<string, unknown>[] = [];
    if (RUNS.has('shipped')) {
      results.push({ model: 'shipped', files: 0, ...(await score('shipped', SHIPPED, heldOut, grooves)) });
      const calibrated = JSON.parse(readFileSync(join(SHIPPED, 'model.json'), 'utf8')).userDefinedMetadata?.pulseRnn?.calibration !== undefined;
      if (calibrated) results.push({ model: 'shipped, without its calibration', files: 0, ...(await score('shipped, uncalibrated', uncalibrated(SHIPPED, join(tmp, 'uncalibrated')), heldOut, grooves)) });
    }
    for (const n of sizes) {
      const folder = folderOf(join(tmp, `folder-${n}`), pool.slice(0, n));
      const base = expressiveBaselines(datasetOf(join(tmp, `pool-${n}`), pool.slice(0, n), held.slice(0, 1)).splits.train, heldOut.splits.test, 16);
      const baselines = { velocityMaePerClassAndPosition: r(base.velocityMae.classPosition, 2), offsetMaeMsPerClassMean: r(base.offsetMaeMs.classMean, 2) };
      const runs: [string, Partial<TrainOptions>][] = [];
      if (RUNS.has('finetune')) runs.push([Object.keys(FT).length ? `fine-tuned, ${JSON.stringify(FT)}` : 'fine-tuned', { from: SHIPPED, ...FT }]);
      if (RUNS.has('scratch')) runs.push(['scratch, the small-folder settings', { encoding: 'drum-expressive' }]);
      if (RUNS.has('large')) runs.push(['scratch, the large-folder settings', { encoding: 'drum-expressive', units: 256, layers: 2, dropout: 0.3, batch: 64, patience: 3, epochs: 20 }]);
      if (RUNS.has('small')) runs.push([`scratch, ${JSON.stringify(SMALL)}`, { encoding: 'drum-expressive', ...SMALL }]);
      for (const [label, extra] of runs) {
        const out = join(tmp, `${label.replace(/\W+/g, '-')}-${n}`);
        const t = await run(`${label} on ${n}`, { data: folder, out, checkpointDir: join(out, '..', `ck-${basename(out)}`), ...extra } as TrainOptions);
        results.push({ model: label, files: n, training: t, ...(await score(`${label} ${n}`, out, heldOut, grooves)), baselines });
      }
      console.error(JSON.stringify(results.filter((x) => x.files === n || x.files === 0).map(({ model, files, hitNll, velocityMae, offsetMaeMs, followHitF1 }) => ({ model, files, hitNll, velocityMae, offsetMaeMs, followHitF1 }))));
    }
    writeResult(RESULT, { bench: 'finetune', date: new Date().toISOString(), parent: SHIPPED.replace(`${ROOT}/`, ''), parentCommand: JSON.parse(readFileSync(join(SHIPPED, 'model.json'), 'utf8')).userDefinedMetadata?.pulseRnn?.training?.command ?? null, drummer, folder: `a seeded draw of ${drummer}'s ${process.env.BEATS === 'all' ? '4/4 beats, every split' : '4/4 validation- and test-split files'} (10 ⊂ 20 ⊂ 40)`, heldOut: { files: held.length, steps: heldSteps, grooves: grooves.length, what: `the rest of ${drummer}'s ${process.env.BEATS === 'all' ? '4/4 beats, every split' : '4/4 validation- and test-split files'}` }, small: SMALL, results });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
