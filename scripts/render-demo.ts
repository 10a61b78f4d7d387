/**
 * Hear and see what an expressive drum model learned. From one seed it plays the model twice
 * through the Generator and the Player, as the page does, and renders each take offline in
 * Chromium through the page's Tone.js kit (gain (v/127)²):
 *
 * - flat.ogg: dynamics 0, timing 0: every hit at velocity 100 on its step's grid line, as a
 *   model without velocity and timing heads plays;
 * - expressive.ogg: dynamics 1, timing 1: the velocities and offsets as the model gives them;
 * - bar.svg: a bar of the expressive take (the busiest, or --bar N) against the bar of the
 *   Groove MIDI Dataset's test split whose hits best match it, velocities and offsets drawn
 *   per class.
 *
 * The two takes play the same hits: dynamics and timing change how a hit sounds, not which.
 *
 *   npx tsx scripts/render-demo.ts --model weights/drums-expressive --seed 3
 *   npx tsx scripts/render-demo.ts --model M --seed 3 --out /tmp/demo --bpm 104 --bars 8 --bar 2 --data DIR --csv DIR/info.csv
 *
 * Writes into --out (default: the model folder). The dataset defaults to the folder and CSV the
 * model was trained from (its metadata); Chromium to $PULSE_RNN_CHROMIUM or /usr/bin/chromium.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { ModelSpec } from '../src/engine/model.js';
import type { NoteSink } from '../src/io/sink.js';
import type { TimedNote } from '../src/io/tone-render.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { MAX_SEED, valueArg } from '../src/music/controls.js';
import { DRUM_CLASSES, drumClassOf } from '../src/music/drum-map.js';
import { Generator } from '../src/music/generator.js';
import { buildDrumDataset, type DrumSequence } from '../src/train/dataset.js';
import { hitsOf } from '../src/train/expressive-data.js';
import { barSvg, type BarHit } from '../src/train/bar-svg.js';
import { Player, type Playable } from '../src/time/player.js';
import type { Clock, StepEvent } from '../src/time/clock.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLASSES = DRUM_CLASSES.length;

/** Sound before step 0's grid line: room for a hit half a step early. */
export const LEAD_SECONDS = 0.25;
/** Sound after the last bar: the crash rings about this long. */
export const TAIL_SECONDS = 1.5;
/** Offline rendering takes about a second of CPU per second of a busy kit: longer demos are a wait. */
const MAX_BARS = 64;
/** 64 kbit/s mono Opus: a kit's hats and cymbals keep their sheen, 8 bars at 104 BPM take about 160 KB. */
const BITRATE = 64000;

export interface TakeOptions {
  seed: number;
  dynamics: number;
  timing: number;
  bpm: number;
  bars: number;
}

/** One played step: what the Generator returned, copied. */
export interface PlayedStep {
  step: number;
  notes: { note: number; velocity: number; offset: number }[];
}

export interface Take {
  /** Every note as the Player sent it, its time in seconds from the start of the render. */
  notes: TimedNote[];
  steps: PlayedStep[];
  stepsPerBar: number;
  stepDuration: number;
  /** Seconds the render lasts: the lead, the bars and the tail. */
  seconds: number;
}

/** A clock this script turns by hand: offline there is no real time to wait for. */
function handClock(bpm: number): Clock & { emit(e: StepEvent): void } {
  const steps: ((e: StepEvent) => void)[] = [];
  return {
    running: true,
    bpm,
    now: () => 0,
    onStep: (cb) => (steps.push(cb), () => {}),
    onTransport: () => () => {},
    emit: (e) => steps.forEach((cb) => cb(e)),
  };
}

/**
 * `bars` bars of the model from `seed`, dynamics and timing set through the Generator's controls,
 * played by the Player on a clock at `bpm`: each note at its step's time plus its offset.
 */
export function takeOf(spec: ModelSpec, o: TakeOptions): Take {
  const spq = spec.meta.stepsPerQuarter ?? 4;
  const stepsPerBar = typeof spec.meta.stepsPerBar === 'number' ? spec.meta.stepsPerBar : spq * 4;
  const gen = new Generator(spec, { seed: o.seed });
  gen.setDynamics(o.dynamics);
  gen.setTiming(o.timing);
  const steps: PlayedStep[] = [];
  const playable: Playable = {
    tick: () => {
      const r = gen.tick();
      steps.push({ step: r.step, notes: r.notes.slice(0, r.count).map((n) => ({ note: n.note, velocity: n.velocity, offset: n.offset })) });
      return r;
    },
    get step() {
      return gen.step;
    },
    locate: (s) => gen.locate(s),
  };
  const notes: TimedNote[] = [];
  const sink: NoteSink = { noteOn: (note, velocity, channel, time, duration) => void notes.push({ note, velocity, channel, time, duration }), noteOff: () => {}, allNotesOff: () => {} };
  const clock = handClock(o.bpm);
  new Player(clock, playable, [sink]);
  const stepDuration = 60 / o.bpm / spq;
  const count = o.bars * stepsPerBar;
  for (let step = 0; step < count; step++) clock.emit({ step, time: LEAD_SECONDS + step * stepDuration, stepDuration, bpm: o.bpm });
  return { notes, steps, stepsPerBar, stepDuration, seconds: LEAD_SECONDS + count * stepDuration + TAIL_SECONDS };
}

/** The hits of bar `bar` of a take, by class. */
export function barHits(take: Take, bar: number): BarHit[] {
  const from = bar * take.stepsPerBar;
  return take.steps
    .filter((s) => s.step >= from && s.step < from + take.stepsPerBar)
    .flatMap((s) => s.notes.map((n) => ({ step: s.step - from, cls: drumClassOf(n.note), velocity: n.velocity, offset: n.offset })))
    .filter((h) => h.cls >= 0);
}

/** The bar with the most hits (the first of equals). */
export function busiestBar(take: Take): number {
  const bars = Math.floor(take.steps.length / take.stepsPerBar);
  let best = 0;
  for (let b = 1; b < bars; b++) if (barHits(take, b).length > barHits(take, best).length) best = b;
  return best;
}

export interface RealBar {
  file: string;
  bar: number;
  bpm: number;
  hits: BarHit[];
  /** Hits (step and class) both bars have, and either has. */
  shared: number;
  union: number;
}

/** The bar of `performances` whose hits (step and class) overlap `hits` most (Jaccard), the first of equals. */
export function closestBar(hits: readonly BarHit[], performances: readonly DrumSequence[], stepsPerBar: number, stepsPerQuarter = 4): RealBar {
  const mine = new Set(hits.map((h) => h.step * CLASSES + h.cls));
  let best: RealBar | null = null;
  let bestScore = -1;
  for (const p of performances) {
    const bars: BarHit[][] = Array.from({ length: Math.floor(p.tokens.length / stepsPerBar) }, () => []);
    for (const h of hitsOf(p)) bars[Math.floor(h.step / stepsPerBar)]?.push({ ...h, step: h.step % stepsPerBar });
    bars.forEach((real, bar) => {
      if (!real.length) return;
      const shared = real.filter((h) => mine.has(h.step * CLASSES + h.cls)).length;
      const union = mine.size + real.length - shared;
      if (shared / union > bestScore) {
        bestScore = shared / union;
        best = { file: p.file, bar, bpm: 60000 / (p.msPerStep * stepsPerQuarter), hits: real, shared, union };
      }
    });
  }
  if (!best) throw new Error('closestBar: the performances hold no bar with a hit');
  return best;
}

const PAGE_ENTRY = `
import { renderOffline, encodeOggOpus } from './src/io/tone-render.ts';
globalThis.pulseRender = async (notes, seconds, bitrate) => Array.from(await encodeOggOpus(await renderOffline(notes, seconds), bitrate));
`;

/** Each take rendered through the Tone.js kit and encoded as Ogg Opus, in one headless Chromium. */
export async function renderInChromium(takes: readonly Take[]): Promise<Uint8Array[]> {
  const bundle = await build({ stdin: { contents: PAGE_ENTRY, resolveDir: ROOT, sourcefile: 'render-page.ts', loader: 'ts' }, bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'error' });
  const executablePath = process.env.PULSE_RNN_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: install it (apt-get install chromium) or set PULSE_RNN_CHROMIUM`);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    // Tone only logs what throws inside its clock (a hit that failed): such a file would lack the hit
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    // WebCodecs needs a secure context: localhost is one, and the page never leaves this process
    await page.route('http://localhost/**', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>pulse-rnn render</title>' }));
    await page.goto('http://localhost/');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const files: Uint8Array[] = [];
    for (const t of takes) {
      const bytes = await page.evaluate(([notes, seconds, bitrate]) => (globalThis as unknown as { pulseRender: (n: unknown, s: number, b: number) => Promise<number[]> }).pulseRender(notes, seconds, bitrate), [t.notes, t.seconds, BITRATE] as const);
      files.push(Uint8Array.from(bytes));
    }
    if (errors.length) throw new Error(`the render page reported errors: ${errors.join('; ')}`);
    return files;
  } finally {
    await browser.close();
  }
}

export interface DemoOptions {
  model: string;
  seed: number;
  out: string;
  bpm: number;
  bars: number;
  /** The generated bar to draw, from 0 (default: the busiest). */
  bar?: number;
  /** The Groove MIDI Dataset folder and its info.csv (default: where the model was trained from). */
  data?: string;
  csv?: string;
}

/** The dataset folder and CSV: given, else the model's own training data. */
function dataOf(spec: ModelSpec, o: DemoOptions): { dir: string; csv?: string } {
  const training = (spec.meta.training ?? {}) as { data?: string; csv?: string };
  const dir = o.data ?? training.data;
  const csv = o.csv ?? (o.data ? (existsSync(join(o.data, 'info.csv')) ? join(o.data, 'info.csv') : undefined) : training.csv);
  if (!dir || !existsSync(dir)) throw new Error(`no Groove MIDI Dataset at ${dir ?? '(the model names none)'}: pass --data DIR (and --csv DIR/info.csv, which names the test split)`);
  if (csv && !existsSync(csv)) throw new Error(`--csv ${csv}: no such file`);
  return { dir, csv };
}

/** The picture of the take's busiest bar against its closest bar of the test split. */
export function demoSvg(spec: ModelSpec, take: Take, o: DemoOptions): string {
  const bar = o.bar ?? busiestBar(take);
  if (bar >= o.bars) throw new Error(`--bar ${bar + 1}: the take has ${o.bars} bars`);
  const hits = barHits(take, bar);
  const data = buildDrumDataset({ ...dataOf(spec, o), stepsPerQuarter: spec.meta.stepsPerQuarter ?? 4 });
  const real = closestBar(hits, data.splits.test, take.stepsPerBar, data.stepsPerQuarter);
  const name = basename(resolve(o.model));
  return barSvg({
    title: `${name}, seed ${o.seed}: one generated bar against a bar of the Groove MIDI Dataset test split`,
    subtitle: `generated bar ${bar + 1} of ${o.bars} (dynamics 1, timing 1, ${o.bpm} BPM) beside the test-split bar whose hits best match it (${real.shared} of ${real.union} hits in common)`,
    classes: DRUM_CLASSES,
    stepsPerBar: take.stepsPerBar,
    lanes: [
      { label: `Groove MIDI Dataset test split: ${real.file}, bar ${real.bar + 1} (${Math.round(real.bpm)} BPM)`, color: '#1f6fb4', hits: real.hits },
      { label: `${name}, seed ${o.seed}, bar ${bar + 1}`, color: '#e0701c', hits },
    ],
  });
}

/** Writes flat.ogg, expressive.ogg and bar.svg into `o.out`; returns their paths. */
export async function renderDemo(o: DemoOptions): Promise<{ flat: string; expressive: string; svg: string; seconds: number }> {
  const spec = await loadModelSpec(o.model);
  if (spec.meta.encoding !== 'drum-expressive') throw new Error(`${o.model}: encoding is ${JSON.stringify(spec.meta.encoding)}; the demo compares the velocities and offsets of a "drum-expressive" model`);
  const flat = takeOf(spec, { seed: o.seed, dynamics: 0, timing: 0, bpm: o.bpm, bars: o.bars });
  const expressive = takeOf(spec, { seed: o.seed, dynamics: 1, timing: 1, bpm: o.bpm, bars: o.bars });
  const svg = demoSvg(spec, expressive, o);
  const [flatOgg, expressiveOgg] = await renderInChromium([flat, expressive]);
  mkdirSync(o.out, { recursive: true });
  const paths = { flat: join(o.out, 'flat.ogg'), expressive: join(o.out, 'expressive.ogg'), svg: join(o.out, 'bar.svg') };
  writeFileSync(paths.flat, flatOgg);
  writeFileSync(paths.expressive, expressiveOgg);
  writeFileSync(paths.svg, svg);
  return { ...paths, seconds: expressive.seconds };
}

/** A whole number from `min` to `max` (or `fallback` when not given). */
function whole(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!(Number.isInteger(v) && v >= min && v <= max)) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return v;
}

const USAGE = 'usage: npx tsx scripts/render-demo.ts --model DIR [--seed N] [--out DIR] [--bpm 104] [--bars 8] [--bar N] [--data DIR] [--csv FILE]';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, bpm: { type: 'string' }, bars: { type: 'string' }, bar: { type: 'string' }, data: { type: 'string' }, csv: { type: 'string' } } });
  if (!values.model) throw new Error(USAGE);
  const bpm = values.bpm === undefined ? 104 : Number(values.bpm);
  const { min, max } = valueArg('bpm');
  if (!(bpm >= min && bpm <= max)) throw new Error(`--bpm must be a number from ${min} to ${max}, got ${JSON.stringify(values.bpm)}`);
  const bars = whole('bars', values.bars, 8, 1, MAX_BARS);
  const bar = values.bar === undefined ? undefined : whole('bar', values.bar, 1, 1, bars) - 1;
  const o: DemoOptions = { model: values.model, seed: whole('seed', values.seed, 1, 0, MAX_SEED), out: values.out ?? values.model, bpm, bars, bar, data: values.data, csv: values.csv };
  const r = await renderDemo(o);
  for (const p of [r.flat, r.expressive, r.svg]) console.log(`${p}: ${statSync(p).size} bytes`);
  console.log(`${r.seconds.toFixed(3)} s each render (${o.bars} bars at ${o.bpm} BPM, seed ${o.seed})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
