#!/usr/bin/env node
/**
 * The `pulse-rnn` command.
 *
 * @example
 * pulse-rnn score --model weights/drums-gmd --midi groove.mid --json
 * pulse-rnn generate --model weights/drums-gmd --steps 64 --seed 7 --temperature 0.9 --out beat.mid
 * pulse-rnn play --out "IAC Driver Bus 1" --bpm 120     # then temperature(1.2), record('set.mid'), quit()
 * pulse-rnn replay set.mid.log.json --midi again.mid
 */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../io/package-root.js';
import { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { loadModelSpec } from '../io/model-files.js';
import { readMidi } from '../io/midi-read.js';
import { writeMidi, type NoteOut } from '../io/midi-write.js';
import { codecFor } from '../music/codecs.js';
import { sampleEvents } from '../music/sample-events.js';
import { shapeNotes } from '../music/step-result.js';
import { scoreEvents } from '../music/score.js';
import { swungTick } from '../time/swing.js';
import { writeAtomic } from '../io/atomic-file.js';
import { systemErrorLine } from '../io/system-error.js';
import { MAX_MIDI_BYTES, readUserFile } from '../io/user-file.js';
import { randomSeed, rangeText, valueArg } from '../music/controls.js';
import { addStartFlags, parseFlag } from './control-flags.js';
import type { LiveSession } from './live-session.js';
import { PART_HELP, PART_OUT_HELP, VIRTUAL_PARTS_HELP, collectPartOuts, collectParts, performanceParts, type PartFlag, type PartOutFlag } from './part-flags.js';
import { BASELINE_WORDS } from '../train/expressive-baselines.js';
import { FREE_SEEDS } from '../train/free-running.js';

const ROOT = packageRoot();

const number = (what: string, check: (v: number) => boolean, rule: string) => (s: string) => {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || !check(v)) throw new InvalidArgumentError(`${what} must be ${rule}, got '${s}'`);
  return v;
};

// options several commands take, checked alike (a performance's starting values: control-flags.ts)
const seedArg = number('--seed', Number.isInteger, 'a whole number');
const liveStepsArg = number('--steps', (v) => Number.isInteger(v) && v > 0, 'a whole number ≥ 1');
const portArg = number('--port', (v) => Number.isInteger(v) && v >= 0 && v <= 65535, 'a whole number from 0 to 65535');
/** Where the page is served unless told otherwise. */
const PAGE_PORT = 8317;

/** The model `npm start` plays when none is named: the shipped expressive drummer, else the flat one, else the Drummer fixture. */
export function defaultModel(): string {
  const candidates = [join(ROOT, 'weights', 'drums-expressive'), join(ROOT, 'weights', 'drums-gmd'), resolve(ROOT, '..', 'shared', 'fixtures', 'rnn-drummer')];
  const found = candidates.find((c) => existsSync(join(c, 'model.json')) || existsSync(join(c, 'Wx.bin')));
  if (!found) throw new Error(`no model found; looked in ${candidates.join(' and ')}. Name one with --model DIR`);
  return found;
}

async function load(model: string, kernel?: string) {
  const spec = await loadModelSpec(model);
  return { spec, net: new Network(spec, { kernel: (kernel as 'auto') ?? 'auto' }), codec: codecFor(spec) };
}

/** `score`: how likely a MIDI file is under a model. */
function addScoreCommand(p: Command): void {
  p.command('score')
    .description('log-likelihood (natural log) of a MIDI file under a model, step by step')
    .requiredOption('--model <dir>', 'model folder (model.json + shards, or Wx.bin + Wy.bin) or URL')
    .requiredOption('--midi <file>', 'MIDI file to score')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; midi: string; json?: boolean }) => {
      const { net, codec } = await load(o.model);
      const song = readMidi(readUserFile(o.midi, MAX_MIDI_BYTES, 'a MIDI file'), o.midi);
      const { events, warnings } = codec.fromSong(song);
      if (events.length <= (codec.firstEventIsPrimer ? 1 : 0)) {
        const why = warnings.length ? ` (${warnings.map((w) => w.replace(`${o.midi}: `, '')).join('; ')})` : '';
        const what = song.notes.length ? `none of its ${song.notes.length} notes is one this ${codec.name} model reads${why}` : 'the file holds no notes';
        throw new Error(`${o.midi}: nothing to score: ${what}; score a file with notes the model plays`);
      }
      const s = scoreEvents(net, codec, events);
      const result = {
        model: o.model,
        midi: o.midi,
        encoding: codec.name,
        events: events.length,
        scoredSteps: s.perStep.length,
        total: s.total,
        perStepMean: s.total / s.perStep.length,
        perHead: Object.fromEntries(net.spec.heads.map((h, i) => [h.name, s.perHead[i]])),
        perStep: s.perStep,
        warnings,
      };
      if (o.json) console.log(JSON.stringify(result));
      else {
        for (const w of warnings) console.error(`warning: ${w}`);
        console.log(`${o.midi}: ${s.perStep.length} steps scored, total log-likelihood ${s.total.toFixed(4)} nats (${result.perStepMean.toFixed(4)} per step)`);
        for (const [name, v] of Object.entries(result.perHead)) console.log(`  ${name}: ${v.toFixed(4)}`);
      }
    });
}

/** Notes moved as the internal clock's swing would play them: each start and end warped alike. */
function swingNotes(notes: NoteOut[], ticksPerQuarter: number, swing: number): NoteOut[] {
  if (swing === 0) return notes;
  return notes.map((n) => {
    const tick = swungTick(n.tick, ticksPerQuarter, swing);
    return { ...n, tick, durationTicks: Math.max(1, swungTick(n.tick + n.durationTicks, ticksPerQuarter, swing) - tick) };
  });
}

/** `generate`: a MIDI file sampled offline, the same bytes for the same arguments. */
function addGenerateCommand(p: Command): void {
  const cmd = p
    .command('generate')
    .description('sample steps from a model (or from every part: --part, --keys) and write a MIDI file (same arguments, same bytes)')
    .option('--model <dir>', 'model folder or URL (default: the shipped drum model)')
    .option('--steps <n>', 'steps to generate', number('--steps', (v) => Number.isInteger(v) && v > 0 && v <= 1e6, 'a whole number from 1 to 1000000'), 64)
    .option('--out <file>', 'MIDI file to write')
    .option('--json', 'print the events and notes as JSON')
    .option('--grid', 'print the steps as a grid');
  addStartFlags(cmd, ['seed', 'temperature', 'topP', 'density', 'dynamics', 'timing', { name: 'bpm', note: 'here: written to the file' }, { name: 'swing', note: 'here: the notes written' }])
    .option('--part <name=model[@channel]>', `${PART_HELP}; --steps counts the first part's steps, and the file has a track a part`, collectParts)
    .option('--keys [model]', KEYS_HELP)
    .action(async (o: { model?: string; steps: number; seed: number; temperature: number; topP: number; density: number; dynamics: number; timing: number; bpm: number; swing: number; out?: string; json?: boolean; grid?: boolean; part?: PartFlag[]; keys?: boolean | string }) => {
      if (o.part?.length || o.keys) return generateParts(o);
      const model = o.model ?? defaultModel();
      const { net, codec } = await load(model);
      const events = sampleEvents(net, codec, o.steps, new Rng(o.seed), { temperature: o.temperature, topP: o.topP, density: o.density });
      const notes = swingNotes(shapeNotes(codec.toNotes(events), codec, o), codec.ticksPerQuarter, o.swing);
      if (o.out) await writeAtomic(o.out, writeMidi({ ticksPerQuarter: codec.ticksPerQuarter, bpm: o.bpm, timeSignature: [4, 4], trackName: 'pulse-rnn', notes }));
      if (o.json) console.log(JSON.stringify({ model, encoding: codec.name, seed: o.seed, temperature: o.temperature, topP: o.topP, density: o.density, events, notes }));
      if (o.grid || (!o.json && !o.out)) console.log(codec.grid(events));
      if (o.out && !o.json) console.error(`wrote ${notes.length} notes over ${o.steps} steps to ${o.out}`);
    });
}

/** `generate --part …`: every part for the same time, a track a part (part-generate.ts). */
async function generateParts(o: { model?: string; steps: number; seed: number; temperature: number; topP: number; density: number; dynamics: number; timing: number; bpm: number; swing: number; out?: string; json?: boolean; grid?: boolean; part?: PartFlag[]; keys?: boolean | string }): Promise<void> {
  const { generateParts: generate } = await import('./part-generate.js');
  const { first, others } = performanceParts({ model: o.model, parts: o.part, keys: o.keys }, defaultModel(), chordModel());
  const r = await generate([first, ...others], o);
  if (o.out) await writeAtomic(o.out, r.bytes);
  if (o.json) console.log(JSON.stringify({ seed: o.seed, temperature: o.temperature, topP: o.topP, density: o.density, parts: r.parts.map(({ grid: _g, ...p }) => p) }));
  if (o.grid || (!o.json && !o.out)) for (const p of r.parts) console.log(`${p.name} (${p.encoding})\n${p.grid}`);
  if (o.out && !o.json) console.error(`wrote ${r.parts.map((p) => `${p.name}: ${p.notes.length} notes over ${p.steps} steps`).join(', ')} to ${o.out}, a track a part`);
}

/** `dataset`: what a folder of MIDI files holds for training, without writing anything. */
function addDatasetCommand(p: Command): void {
  p.command('dataset')
    .description('read a folder of MIDI files into a drum-grid dataset and summarize it (nothing is written)')
    .requiredOption('--data <dir>', 'folder of MIDI files (searched recursively)')
    .option('--csv <file>', 'CSV with a split column (train/validation/test) and a MIDI file column')
    .option('--seed <s>', 'seed of the random split when there is no CSV', seedArg, 1)
    .option('--json', 'print the summary as JSON')
    .action(async (o: { data: string; csv?: string; seed: number; json?: boolean }) => {
      const { buildDrumDataset, formatSummary } = await import('../train/dataset.js');
      const { formatExpressive } = await import('../train/expressive-data.js');
      const ds = buildDrumDataset({ dir: o.data, csv: o.csv, seed: o.seed });
      console.log(o.json ? JSON.stringify(ds.summary) : `${formatSummary(ds.summary)}\n${formatExpressive(ds.summary.expressive)}`);
    });
}

/** `train`: a weights folder trained from a folder of MIDI files. */
function addTrainCommand(p: Command): void {
  p.command('train')
    .description('train a model on a folder of MIDI files and export weights the engine loads')
    .requiredOption('--data <dir>', 'folder of MIDI files (searched recursively); for piano-roll also a polyphonic benchmark JSON file, for note-events a JSON file of voice frames (each with its own splits)')
    .option('--encoding <name>', 'drum-grid (drums, 16ths), drum-expressive (drums, 16ths, with each hit\'s velocity and timing), melody-grid (a top line, 16ths), note-events (Howl: pitch, delay, duration, velocity per note) or piano-roll (chords: the keys sounding each step)', 'drum-grid')
    .option('--key-order <name>', 'piano-roll: how the keys of a frame relate: independent (default), direct (key k reads the keys below it, one weight each), nade (through a NADE of 32 units) or nade+direct')
    .option('--steps-per-quarter <n>', 'piano-roll: frames per quarter (MIDI folder: default 4; benchmark file: JSB 1, the others 2, as their README says)', number('--steps-per-quarter', (v) => [1, 2, 3, 4, 6, 8, 12, 24].includes(v), 'one of 1, 2, 3, 4, 6, 8, 12, 24 (it divides the clock\'s 24 pulses a quarter)'))
    .option('--no-augment', "note-events: none of Howl's augmentation of each window (on by default): a transposition of up to ±11 semitones inside the data's own pitch range, a time warp of 0.5 to 2 (for data on a grid, such as 16ths, only ½, 1 or 2 where every value stays on the grid and the tables: a rhythm as written, in other note values), a volume of 0.8 to 1 (when the data's velocities vary: a score at one velocity keeps it)")
    .requiredOption('--out <dir>', 'weights folder to write (model.json, shard, log, curves); one holding another model is refused unless --force')
    .option('--csv <file>', 'CSV with a split column (train/validation/test) and a MIDI file column')
    .option('--cell <name>', 'recurrent cell: lstm or gru', 'lstm')
    .option('--layers <n>', 'recurrent layers', number('--layers', (v) => Number.isInteger(v) && v >= 1 && v <= 4, 'a whole number from 1 to 4'), 2)
    .option('--units <n>', 'units per layer', number('--units', (v) => Number.isInteger(v) && v >= 4 && v <= 1024, 'a whole number from 4 to 1024'), 256)
    .option('--epochs <n>', 'most epochs', number('--epochs', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'), 20)
    .option('--batch <n>', 'windows per batch', number('--batch', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'), 64)
    .option('--window <n>', 'steps per window (truncated backpropagation)', number('--window', (v) => Number.isInteger(v) && v >= 2, 'a whole number ≥ 2'), 64)
    .option('--lr <x>', 'Adam learning rate', number('--lr', (v) => v > 0 && v < 1, 'in (0, 1)'), 2e-3)
    .option('--dropout <x>', 'dropout between layers and before the head', number('--dropout', (v) => v >= 0 && v < 1, 'in [0, 1)'), 0.3)
    .option('--clip <x>', 'gradient clipping (global norm)', number('--clip', (v) => v > 0, 'a number > 0'), 1)
    .option('--patience <n>', 'epochs without validation gain before stopping', number('--patience', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'), 3)
    .option('--seed <s>', 'seed of the random split by file (without --csv), initialization, windows and dropout', seedArg, 1)
    .option('--from <folder>', `fine-tune: start from the model in this folder (e.g. weights/drums-gmd), keeping its encoding and shape; unless given: --lr 0.0005, --patience 2, --epochs 30 (5 when validation is the end of each file), its own dropout; its score on this folder's validation is epoch 0, the model to beat. A small folder (under 20,000 steps) without --from gets settings that fit it, said in the log`)
    .option('--resume', 'continue the run in --out from its last checkpoint, with its settings (a different one given is refused; --epochs extends the run)')
    .option('--force', 'start a new run in an --out that holds a model or a run (the model there is moved into --out/replaced-<time>/)')
    .option('--checkpoint-dir <dir>', 'where the checkpoint is kept (default: a folder per --out under ~/.cache/pulse-rnn/checkpoints, not in the model folder)')
    .option('--max-batches <n>', 'stop after this many batches (a quick trial)', number('--max-batches', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'))
    .option('--checkpoint-every <n>', 'also checkpoint every n batches', number('--checkpoint-every', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'))
    .option('--backend <name>', 'tfjs backend: wasm or cpu', 'wasm')
    .option('--no-progress', 'no progress bar')
    .action(async (o: { data: string; from?: string; cell: string; encoding: string; stepsPerQuarter?: number; keyOrder?: string; augment: boolean; out: string; csv?: string; layers: number; units: number; epochs: number; batch: number; window: number; lr: number; dropout: number; clip: number; patience: number; seed: number; resume?: boolean; force?: boolean; checkpointDir?: string; maxBatches?: number; checkpointEvery?: number; backend: string; progress: boolean }, cmd: Command) => {
      if (o.backend !== 'wasm' && o.backend !== 'cpu') throw new InvalidArgumentError(`--backend must be wasm or cpu, got '${o.backend}'`);
      if (!['drum-grid', 'drum-expressive', 'melody-grid', 'note-events', 'piano-roll'].includes(o.encoding)) throw new InvalidArgumentError(`--encoding must be drum-grid, drum-expressive, melody-grid, note-events or piano-roll, got '${o.encoding}'`);
      // a plain Error: commander's own errors thrown from an action end the command without a word
      // a fine-tune's encoding is its parent's, which the trainer checks these against
      const encodingGiven = !(o.from && cmd.getOptionValueSource('encoding') === 'default');
      if (o.stepsPerQuarter !== undefined && o.encoding !== 'piano-roll' && encodingGiven) throw new Error(`--steps-per-quarter is for --encoding piano-roll; ${o.encoding} models keep their own resolution`);
      if (o.keyOrder !== undefined && o.encoding !== 'piano-roll' && encodingGiven) throw new Error(`--key-order is for --encoding piano-roll; ${o.encoding} models have no frame of keys`);
      if (o.keyOrder !== undefined) (await import('../train/piano-roll-data.js')).keyOrderOption(o.keyOrder);
      if (o.cell !== 'lstm' && o.cell !== 'gru') throw new InvalidArgumentError(`--cell must be lstm or gru, got '${o.cell}'`);
      const { train } = await import('../train/train.js');
      // only what the command line sets: the trainer has the same defaults for a new run, and a
      // resumed run takes the checkpoint's settings for whatever is left out
      const set = <T>(key: string, v: T): T | undefined => (cmd.getOptionValueSource(key) === 'default' ? undefined : v);
      const r = await train({
        data: o.data,
        out: o.out,
        csv: o.csv,
        from: o.from,
        cell: set('cell', o.cell as 'lstm'),
        encoding: set('encoding', o.encoding as 'drum-grid'),
        augment: set('augment', o.augment),
        stepsPerQuarter: o.stepsPerQuarter,
        keyOrder: o.keyOrder as 'direct' | undefined,
        layers: set('layers', o.layers),
        units: set('units', o.units),
        epochs: set('epochs', o.epochs),
        batch: set('batch', o.batch),
        window: set('window', o.window),
        learningRate: set('lr', o.lr),
        dropout: set('dropout', o.dropout),
        clip: set('clip', o.clip),
        patience: set('patience', o.patience),
        seed: set('seed', o.seed),
        resume: o.resume,
        force: o.force,
        checkpointDir: o.checkpointDir,
        maxBatches: o.maxBatches,
        checkpointEvery: o.checkpointEvery,
        backend: o.backend,
        progress: o.progress,
        command: `pulse-rnn ${process.argv.slice(2).join(' ')}`,
        stopOn: ['SIGINT', 'SIGTERM'],
      });
      const { afterTraining } = await import('../train/next-steps.js');
      for (const line of afterTraining(r, { data: o.data, csv: o.csv })) console.error(line);
      console.log(JSON.stringify({ out: r.out, bestValidationNll: r.best, epochs: r.epoch, ended: r.ended }));
      // a run stopped by Ctrl-C ends as one the shell stopped: 130, so a script does not go on
      if (r.ended === 'stopped') throw Object.assign(new Error('stopped'), { code: 'commander.stopped', exitCode: 130 });
    });
}

/** `eval`: a model measured on a split against an n-gram baseline. */
function addEvalCommand(p: Command): void {
  p.command('eval')
    .description('NLL and accuracy of a model on a split, against a Kneser-Ney n-gram baseline, and statistics of what it generates')
    .requiredOption('--model <dir>', 'model folder')
    .requiredOption('--data <dir>', 'folder of MIDI files (a piano-roll model: or a polyphonic benchmark JSON file; a note-event model: or a JSON file of voice frames)')
    .option('--csv <file>', 'CSV with a split column')
    .option('--split <name>', 'train, validation or test', 'test')
    .option('--seed <s>', 'seed of the random split and of generation (default: the seed the model was trained with)', seedArg)
    .option('--free-seeds <n>', 'cold starts of a drum model\'s free-running report (fewer than 200 is a rough check of the rarer voices: one tom groove moves their rate)', number('--free-seeds', (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'), FREE_SEEDS)
    .option('--json', 'print JSON')
    .action(async (o: { model: string; data: string; csv?: string; split: string; seed?: number; freeSeeds: number; json?: boolean }) => {
      if (!['train', 'validation', 'test'].includes(o.split)) throw new InvalidArgumentError(`--split must be train, validation or test, got '${o.split}'`);
      const spec = await loadModelSpec(o.model);
      if (spec.meta.encoding === 'piano-roll') {
        const { evaluatePianoRoll, pianoRollText } = await import('../train/piano-roll-data-eval.js');
        const c = evaluatePianoRoll(spec, { model: o.model, data: o.data, csv: o.csv, split: o.split as 'test', seed: o.seed });
        for (const n of c.notes) console.error(`note: ${n}`);
        for (const w of c.warnings) console.error(`warning: ${w}`);
        return console.log(o.json ? JSON.stringify(c) : pianoRollText(c));
      }
      const { evaluate, versusBaseline } = await import('../train/evaluate.js');
      const { formatFreeRunning } = await import('../train/free-running.js');
      const r = await evaluate({ model: o.model, data: o.data, csv: o.csv, split: o.split as 'test', seed: o.seed, freeSeeds: o.freeSeeds });
      for (const n of r.notes) console.error(`note: ${n}`);
      for (const w of r.warnings) console.error(`warning: ${w}`);
      if (o.json) return console.log(JSON.stringify(r));
      console.log(`${o.split} split (${r.splitFrom}), ${r.model.steps} steps`);
      console.log(`  model:    ${r.model.nllNats} nats/step (${r.model.nllBits} bits), accuracy ${(r.model.accuracy * 100).toFixed(1)}%`);
      // one n-gram per head for a model with several heads, each with its own order
      const ngram = Array.isArray(r.baseline.order) ? `n-grams (orders ${r.baseline.order.join(', ')})` : `${r.baseline.order}-gram`;
      console.log(`  ${ngram}:  ${r.baseline.nllNats} nats/step (${r.baseline.nllBits} bits), accuracy ${(r.baseline.accuracy * 100).toFixed(1)}%  (Kneser-Ney, ${r.validation === 'none' ? 'order fixed: no validation to tune it on' : 'order tuned on validation'})`);
      console.log(`  the model is ${versusBaseline(r.improvement, `the ${ngram}`)}`);
      if (r.model.heads.length > 1) console.log(headsText(r.model.heads, r.baseline.heads));
      if (r.velocityMae) console.log(expressiveText(r));
      console.log(`  generated vs data: token overlap ${r.generated.tokenOverlap}`);
      const places = Object.entries(r.generated.voices ?? {}).map(([v, s]) => `${v} ${s.positionOverlap}`);
      if (places.length) console.log(`    places in the bar, overlap per voice: ${places.join(', ')}`);
      if (r.freeRunning) console.log(formatFreeRunning(r.freeRunning));
    });
}

/** Eval's NLL per head beside the n-gram of that head (the n-grams of an expressive model score its hit tokens alone). */
function headsText(model: { head: string; nllNats: number }[], ngram: { head: string; order: number; nllNats: number }[]): string {
  const width = Math.max(...model.map((h) => h.head.length));
  const lines = ['  per head, nats/step: model against the Kneser-Ney n-gram of that head'];
  for (const h of model) {
    const n = ngram.find((b) => b.head === h.head);
    lines.push(`    ${h.head.padEnd(width)}  ${h.nllNats.toFixed(4)}  ${n ? `against ${n.nllNats.toFixed(4)} (${n.order}-gram)` : 'no n-gram'}`);
  }
  return lines.join('\n');
}

/** `calibrate`: fit a drum model's per-voice offsets so it plays as many hits a bar as its training data. */
function addCalibrateCommand(p: Command): void {
  const count = (flag: string) => number(flag, (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1');
  p.command('calibrate')
    .description("fit a drum model's per-voice offsets on a training split, so that it plays freely as many hits of each voice a bar as the data; written into its model.json")
    .requiredOption('--model <dir>', 'model folder')
    .requiredOption('--data <dir>', 'folder of MIDI files (its training split is used)')
    .option('--csv <file>', 'CSV with a split column')
    .option('--seeds <n>', 'cold starts played a round', count('--seeds'), 80)
    .option('--rounds <n>', 'rounds of adjustment', count('--rounds'), 6)
    .option('--seed <s>', 'seed of the random split when there is no CSV', seedArg)
    .action(async (o: { model: string; data: string; csv?: string; seeds: number; rounds: number; seed?: number }) => {
      const { calibrateFolder, formatCalibration } = await import('../train/calibrate.js');
      console.log(formatCalibration(await calibrateFolder(o)));
      console.log(`written to ${join(o.model, 'model.json')}`);
    });
}

/** Eval's velocity and offset errors on the split's true hits: the model's (or 'not modelled'), then each baseline's. */
function expressiveText(r: { expressiveHits?: number; velocityMae?: Record<string, number | null>; offsetMaeMs?: Record<string, number | null>; offsetMaeSteps?: Record<string, number | null> }): string {
  const name = (k: string) => (k === 'model' ? 'model' : BASELINE_WORDS[k as keyof typeof BASELINE_WORDS] ?? k).padEnd(42);
  const lines = [`  velocity MAE over ${r.expressiveHits?.toLocaleString('en')} true hits (baselines fitted on train):`];
  for (const [k, v] of Object.entries(r.velocityMae ?? {})) lines.push(`    ${name(k)} ${v === null ? 'not modelled' : v.toFixed(2)}`);
  lines.push('  offset MAE (ms at each file\'s first tempo; fraction of a step):');
  for (const [k, v] of Object.entries(r.offsetMaeMs ?? {})) lines.push(`    ${name(k)} ${v === null ? 'not modelled' : `${v.toFixed(2)} ms  ${r.offsetMaeSteps?.[k]?.toFixed(4)}`}`);
  return lines.join('\n');
}

/** `play`: the model live to a MIDI output, steered from a prompt. */
function addPlayCommand(p: Command): void {
  const cmd = p
    .command('play')
    .description('play a model (or several parts on one clock: --part, --keys) live to a MIDI output, steered from a prompt (help() lists the commands)')
    .option('--model <dir>', 'model folder or URL (default: the shipped drum model)')
    .option('--clock <source>', 'internal, or midi:"Port name" to follow the MIDI clock on that input', 'internal')
    .option('--out <port>', OUT_HELP)
    .option('--virtual', VIRTUAL_HELP);
  addStartFlags(cmd, ['seed', 'temperature', 'topP', 'density', 'dynamics', 'timing', { name: 'bpm', note: 'with --clock midi:…, the guess until the clock locks' }, { name: 'swing', note: 'internal clock only' }]);
  cmd
    .option('--steps <n>', 'stop after this many steps', liveStepsArg)
    .option('--no-repl', 'no prompt: just play (Ctrl-C stops)')
    .option('--no-grid', 'do not print the steps as they play')
    .option('--map <file>', "a MIDI mapping file (JSON, as saveMap() writes it): the controller's knobs and pads steer the controls")
    .option('--map-input <name>', 'the MIDI input the mapping listens on (default: every input)')
    .option('--part <name=model[@channel]>', PART_HELP, collectParts)
    .option('--keys [model]', KEYS_HELP)
    .option('--part-out <name=port>', PART_OUT_HELP, collectPartOuts)
    .option('--virtual-parts', VIRTUAL_PARTS_HELP)
    .action(async (o: { model?: string; bpm: number; swing: number; clock: string; out?: string; seed: number; temperature: number; topP: number; density: number; dynamics: number; timing: number; steps?: number; repl: boolean; grid: boolean; part?: PartFlag[]; keys?: boolean | string; partOut?: PartOutFlag[]; virtualParts?: boolean }) => {
      const { runPlay } = await import('./play.js');
      const { first, others } = performanceParts({ model: o.model, parts: o.part, keys: o.keys }, defaultModel(), chordModel());
      await runPlay({ ...o, ...partOutFlags(o, false), model: first.model, name: first.name, channel: first.channel, parts: others });
    });
}

/** `controls`: the control table, for reading or as JSON. */
function addControlsCommand(p: Command): void {
  p.command('controls')
    .description("list the performer's controls: arguments with range and default, when each applies, how it is logged, its Max message, flag and page keys")
    .option('--json', 'print the table as JSON (fields: see src/hosts/controls-listing.ts)')
    .action(async (o: { json?: boolean }) => {
      const { controlsJson, controlsText } = await import('./controls-listing.js');
      console.log(o.json ? JSON.stringify(controlsJson(), null, 2) : controlsText());
    });
}

/** `ports`: the MIDI ports this machine offers. */
function addPortsCommand(p: Command): void {
  p.command('ports')
    .description('list the MIDI inputs and outputs, one a line (WEBMIDI.js\'s, and the system\'s through @julusian/midi); whether the virtual output pulse-rnn can be made')
    .action(async () => {
      const { runPorts } = await import('./play.js');
      await runPorts(
        (line) => console.log(line),
        (note) => console.error(note),
      );
    });
}

/** `replay`: a recorded performance played again, note for note. */
function addReplayCommand(p: Command): void {
  p.command('replay')
    .description('play a recorded performance log again, note for note, every part of it: to a MIDI file (default, a track a part) and/or a port')
    .argument('<log>', 'performance log (the .log.json that record() writes beside its MIDI file)')
    .option('--out <port>', 'MIDI output to play it to, in time')
    .option('--midi <file>', 'MIDI file to write (default without --out: NAME.replay.mid beside the log)')
    .option('--model <dir>', 'model folder, when the log names none or it has moved')
    .option('--bpm <bpm>', `tempo for a log that records none; ${rangeText(valueArg('bpm'))}`, parseFlag('bpm'))
    .action(async (log: string, o: { out?: string; midi?: string; model?: string; bpm?: number }) => {
      const { runReplay } = await import('./play.js');
      await runReplay(log, o, (line) => console.log(line));
    });
}

/** `serve`: the performer's page on 127.0.0.1. */
function addServeCommand(p: Command): void {
  p.command('serve')
    .description('serve the performer\'s web page (dist/web) and the shipped weights on 127.0.0.1, and print its URL')
    .option('--port <n>', 'TCP port (0: any free port)', portArg, PAGE_PORT)
    .option('--open', 'open the page in the default browser')
    .action(async (o: { port: number; open?: boolean }) => {
      const { serve, openInBrowser } = await import('./serve.js');
      const server = await serve({ port: o.port, root: ROOT });
      console.log(server.url);
      console.error('serving dist/web at / and weights/ at /weights/; Ctrl-C stops');
      if (o.open) openInBrowser(server.url, (why) => console.error(`cannot open a browser (${why}); open ${server.url} yourself`));
    });
}

/** `--map` and `--map-input`, as commander names them. */
const OUT_HELP = 'MIDI output to play to (pulse-rnn ports lists them; pulse-rnn is a virtual output a DAW sees)';
const VIRTUAL_HELP = 'play to a virtual MIDI output named pulse-rnn that a DAW sees as a MIDI source (the same as --out pulse-rnn)';

const KEYS_HELP = 'add a keys part on MIDI channel 1 beside the drums (channel 10): the shipped chord model (weights/chords-jsb), or the model named';

/** The shipped chord model `--keys` plays. */
function chordModel(): string {
  return join(ROOT, 'weights', 'chords-jsb');
}

/** --out, or pulse-rnn's own virtual output for --virtual. */
function outFlag(o: object): string | undefined {
  const { out, virtual } = o as { out?: string; virtual?: boolean };
  if (virtual && out !== undefined) throw new Error(`give --out ${JSON.stringify(out)} or --virtual, not both`);
  return virtual ? 'pulse-rnn' : out;
}

/**
 * --out (or --virtual), --part-out and --virtual-parts, checked. On `start` (`page`) a part of its
 * own port needs --out for the others, since the page sounds every part when nothing goes to MIDI.
 */
function partOutFlags(o: { out?: string; partOut?: PartOutFlag[]; virtualParts?: boolean }, page: boolean): { out?: string; partOuts?: PartOutFlag[]; virtualParts?: boolean } {
  const out = outFlag(o);
  if (o.virtualParts && out !== undefined) throw new Error(`give --virtual-parts (every part its own virtual output) or ${o.out === undefined ? '--virtual' : `--out ${JSON.stringify(out)}`}, not both`);
  if (page && o.partOut?.length && out === undefined && !o.virtualParts) throw new Error(`--part-out ${o.partOut[0].name}=${o.partOut[0].port} needs --out PORT (or --virtual) for the other parts: without one the page sounds every part`);
  return { out, partOuts: o.partOut, virtualParts: o.virtualParts };
}

const mapFlags = (o: object): { map?: string; mapInput?: string } => ({ map: (o as { map?: string }).map, mapInput: (o as { mapInput?: string }).mapInput });

/** `start`: the page served and the model played here at once (`npm start`). */
function addStartCommand(p: Command): void {
  const cmd = p
    .command('start')
    .description('what `npm start` runs: serve the web page on 127.0.0.1 and play the shipped drum model live here (--keys: the shipped chord model beside it, on MIDI channel 1): one performance, steered from the prompt and from every open page, heard through the page\'s kit unless --out names a MIDI output')
    .option('--port <n>', 'TCP port of the page (taken: any free one)', portArg, PAGE_PORT)
    .option('--model <dir>', 'model folder or URL (default: the shipped drum model)')
    .option('--out <port>', OUT_HELP)
    .option('--virtual', VIRTUAL_HELP);
  addStartFlags(cmd, [{ name: 'seed', default: null, note: 'default: a new one each time' }, 'temperature', 'topP', 'density', 'dynamics', 'timing', 'bpm', 'swing']);
  cmd
    .option('--steps <n>', 'stop after this many steps', liveStepsArg)
    .option('--no-repl', 'no prompt: just play (Ctrl-C stops)')
    .option('--map <file>', "a MIDI mapping file (JSON, as saveMap() writes it): the controller's knobs and pads steer the controls")
    .option('--map-input <name>', 'the MIDI input the mapping listens on (default: every input)')
    .option('--part <name=model[@channel]>', PART_HELP, collectParts)
    .option('--keys [model]', KEYS_HELP)
    .option('--part-out <name=port>', `${PART_OUT_HELP} (with --out)`, collectPartOuts)
    .option('--virtual-parts', VIRTUAL_PARTS_HELP)
    .action(async (o: { port: number; model?: string; bpm: number; swing: number; out?: string; seed?: number; temperature: number; topP: number; density: number; dynamics: number; timing: number; steps?: number; repl: boolean; part?: PartFlag[]; keys?: boolean | string; partOut?: PartOutFlag[]; virtualParts?: boolean }) => {
      const { first, others } = performanceParts({ model: o.model, parts: o.part, keys: o.keys }, defaultModel(), chordModel());
      const outs = partOutFlags(o, true);
      o.model = o.model ?? (o.part?.length ? first.model : undefined);
      const { serve } = await import('./serve.js');
      const { runPlay } = await import('./play.js');
      // the page plays what the terminal plays: a URL as it is, a folder under weights/ where the
      // page finds it, any other folder served to the page beside them
      const url = o.model !== undefined && /^https?:\/\//i.test(o.model);
      const weights = existsSync(join(ROOT, 'weights')) ? realpathSync(join(ROOT, 'weights')) : join(ROOT, 'weights');
      const real = o.model !== undefined && !url && existsSync(o.model) ? realpathSync(o.model) : null;
      const inWeights = real !== null && real.startsWith(weights + sep);
      const mount = real !== null && !inWeights ? { model: real } : {};
      // a second `npm start`, or another server on the port, must not stop the first from playing
      const server = await serve({ port: o.port, root: ROOT, ...mount }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EADDRINUSE') return Promise.reject(e);
        return serve({ port: 0, root: ROOT, ...mount }).then((s) => (console.log(`port ${o.port} is taken (another pulse-rnn?); serving on ${s.url} instead`), s));
      });
      const pageModel = url ? o.model : inWeights ? `weights/${relative(weights, real!).split(sep).map(encodeURIComponent).join('/')}/` : server.modelPath;
      // ?live=1: the page joins this performance rather than playing one of its own
      const page = `${server.url}?live=1${pageModel ? `&model=${encodeURIComponent(pageModel)}` : ''}`;
      console.log(`the web page: ${page}  (it plays and steers this performance: the prompt and every open page change the same one)`);
      const { attachLive } = await import('./live-socket.js');
      const model = o.model ?? defaultModel();
      const name = model.split(/[\\/]/).filter((p) => p !== '' && !/^model\.json$/i.test(p)).pop() ?? model;
      // the other parts' models where a page can load them too: a URL, or a folder under weights/
      const inPage = (m: string) => (/^https?:\/\//i.test(m) ? m : existsSync(m) && realpathSync(m).startsWith(weights + sep) ? `weights/${relative(weights, realpathSync(m)).split(sep).map(encodeURIComponent).join('/')}/` : null);
      const partPaths = Object.fromEntries(others.map((x) => [x.name, inPage(x.model)]));
      const pages = { url: page, attach: (session: LiveSession, sound: string, pageSounds: boolean) => attachLive({ session, server, model: { path: pageModel ?? null, name, parts: partPaths }, sound, pageSounds }) };
      try {
        const { temperature, topP, density, dynamics, timing, bpm, swing } = o;
        await runPlay({ page: pages, model, name: first.name, channel: first.channel, parts: others, bpm, swing, clock: 'internal', ...outs, seed: o.seed ?? randomSeed(), temperature, topP, density, dynamics, timing, steps: o.steps, repl: o.repl && process.stdin.isTTY === true, grid: true, ...mapFlags(o) });
      } finally {
        await server.close();
      }
    });
}

export function program(): Command {
  const p = new Command('pulse-rnn')
    .description('a real-time LSTM/GRU note generator you play with')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });
  // the order here is the order `pulse-rnn --help` lists them in
  addScoreCommand(p);
  addGenerateCommand(p);
  addDatasetCommand(p);
  addTrainCommand(p);
  addEvalCommand(p);
  addCalibrateCommand(p);
  addPlayCommand(p);
  addPortsCommand(p);
  addControlsCommand(p);
  addReplayCommand(p);
  addServeCommand(p);
  addStartCommand(p);
  return p;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().exitOverride().parseAsync(argv);
    return 0;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    // commander has printed its own parse errors; one a command's action throws is ours to print
    if (err.code?.startsWith('commander.') && !(e instanceof InvalidArgumentError)) return err.exitCode ?? 1;
    console.error(`pulse-rnn: ${systemErrorLine(e) ?? err.message ?? String(e)}`);
    return 1;
  }
}

/**
 * Whether this file is the script Node was asked to run. npm reaches it through links (the bin
 * link in node_modules/.bin, a global install's link), and Node names the main module by its real
 * path, so both sides are compared as real paths; `node dist/cli` names it without its extension.
 */
function invokedDirectly(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  const self = realpathSync(fileURLToPath(import.meta.url));
  for (const candidate of [arg, `${arg}.js`, `${arg}.ts`]) {
    try {
      if (realpathSync(resolve(candidate)) === self) return true;
    } catch {
      // not this spelling of the path
    }
  }
  return false;
}
if (invokedDirectly()) main(process.argv).then((code) => (process.exitCode = code));
