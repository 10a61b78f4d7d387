/**
 * "Follow": does the human's input steer the model? For every 4/4 beat of the Groove MIDI
 * Dataset's test split, one bar of the groove (its second bar) is given to the generator,
 * either as a prime (the state reads it, nothing plays) or as edits (the bar plays as written
 * and the model reads it); the model then plays the next bar alone. We count how often that
 * bar's kick, snare and hi-hat steps agree with the given bar, against the same measure for a
 * model that was given nothing and for one given a different groove, and against the
 * drummer's own next bar ("repeat the given bar": the groove's third bar scored against its
 * second, which is also how well repeating the given bar predicts what the drummer played).
 *
 * Drum models of both grid encodings: `drum-grid` (every hit 100, on the grid) and
 * `drum-expressive` (velocity and offset per hit). A note belongs to the step of the tick that
 * played it, so a hit played early (negative offset) stays in its own step; event models place
 * a note at the step nearest its time. Where a cell is hit in both bars compared, the mean
 * |velocity difference| says how close the loudness came (edits carry the written velocities
 * to an expressive model; its hits are on the grid, as an edit is).
 *
 *   npx tsx bench/follow.ts [model folder ...]   (writes bench/results/follow.json)
 *
 * Models: the shipped drum models and the RNN-Drummer weights, where present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { readMidi, type MidiSong } from '../src/io/midi-read.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { codecFor } from '../src/music/codecs.js';
import { drumClassOf } from '../src/music/drum-map.js';
import { Generator, type StepCopy } from '../src/music/generator.js';
import { writeResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = process.env.PULSE_RNN_SHARED ?? join(ROOT, '..', 'shared');
const GROOVE = join(SHARED, 'data', 'groove');
const SEEDS = [1, 2, 3];
const BAR = 16;
const VOICES = { kick: [0], snare: [1], hihat: [2, 3] } as const;

/** [voice][step]: the loudest velocity of the voice's hits in the step, 0 where not hit. */
type Grid = number[][];
const emptyGrid = (): Grid => [0, 1, 2].map(() => new Array(BAR).fill(0));

function voiceOf(note: number): number {
  const c = drumClassOf(note);
  return c === 0 ? 0 : c === 1 ? 1 : c === 2 || c === 3 ? 2 : -1;
}

/** The notes of bar `bar` (0-based) of a 4/4 song, moved to start at tick 0. */
function barOf(song: MidiSong, bar: number): MidiSong {
  const len = song.ticksPerQuarter * 4;
  const notes = song.notes.filter((n) => n.channel === 9 && n.tick >= bar * len - song.ticksPerQuarter / 8 && n.tick < (bar + 1) * len - song.ticksPerQuarter / 8);
  return { ...song, notes: notes.map((n) => ({ ...n, tick: Math.max(0, n.tick - bar * len) })), endTick: len };
}

/** The song with every onset moved to the nearest 16th. */
function quantized(song: MidiSong): MidiSong {
  const per = song.ticksPerQuarter / 4;
  return { ...song, notes: song.notes.map((n) => ({ ...n, tick: Math.round(n.tick / per) * per })) };
}

function gridOfSong(song: MidiSong): Grid {
  const g = emptyGrid();
  const per = song.ticksPerQuarter / 4;
  for (const n of song.notes) {
    const v = voiceOf(n.note);
    const s = Math.round(n.tick / per);
    if (v >= 0 && s < BAR) g[v][s] = Math.max(g[v][s], n.velocity);
  }
  return g;
}

/**
 * The bar from step `first` of what a generator played. A grid model's note belongs to the
 * step of its tick whatever its offset (an early hit has a negative one); an event model's
 * note to the step nearest its time. Counts the hits played early in `early`.
 */
function gridOfSteps(steps: StepCopy[], first: number, onGrid: boolean, early?: { hits: number; early: number }): Grid {
  const g = emptyGrid();
  for (const s of steps) {
    const i = s.step - first;
    if (i < 0 || i >= BAR) continue;
    for (const n of s.notes) {
      const v = voiceOf(n.note);
      const at = onGrid ? i : i + Math.round(n.offset);
      if (v < 0 || at >= BAR) continue;
      g[v][at] = Math.max(g[v][at], n.velocity);
      if (early) (early.hits++, n.offset < 0 && early.early++);
    }
  }
  return g;
}

interface Tally {
  cells: number;
  agree: number;
  tp: number;
  fp: number;
  fn: number;
  /** Sum of |velocity difference| over the cells hit in both bars (the tp cells). */
  velocityError: number;
  perVoice: { agree: number; cells: number }[];
}
const tally = (): Tally => ({ cells: 0, agree: 0, tp: 0, fp: 0, fn: 0, velocityError: 0, perVoice: [0, 1, 2].map(() => ({ agree: 0, cells: 0 })) });

function compare(t: Tally, given: Grid, got: Grid): void {
  for (let v = 0; v < 3; v++) {
    for (let s = 0; s < BAR; s++) {
      const a = given[v][s] > 0;
      const b = got[v][s] > 0;
      t.cells++;
      t.perVoice[v].cells++;
      if (a === b) (t.agree++, t.perVoice[v].agree++);
      if (a && b) (t.tp++, (t.velocityError += Math.abs(given[v][s] - got[v][s])));
      else if (b) t.fp++;
      else if (a) t.fn++;
    }
  }
}

function summary(t: Tally) {
  const f1 = (2 * t.tp) / (2 * t.tp + t.fp + t.fn || 1);
  return {
    agreement: +(t.agree / t.cells).toFixed(4),
    hitF1: +f1.toFixed(4),
    perVoiceAgreement: Object.fromEntries(Object.keys(VOICES).map((k, i) => [k, +(t.perVoice[i].agree / t.perVoice[i].cells).toFixed(4)])),
    velocityMaeOnSharedHits: t.tp ? +(t.velocityError / t.tp).toFixed(2) : null,
    cells: t.cells,
  };
}

function play(g: Generator, n: number): StepCopy[] {
  const out: StepCopy[] = [];
  for (let i = 0; i < n; i++) {
    const r = g.tick();
    out.push({ tick: r.tick, step: r.step, notes: r.notes.slice(0, r.count).map((x) => ({ ...x })), releases: [] });
  }
  return out;
}

export interface Groove {
  file: string;
  bar: MidiSong;
  /** The bar the drummer played after it, where the file has one. */
  next: MidiSong | null;
}

/** The notes of each step of a bar as edits: note numbers, with their velocities for a codec that keeps them. */
function editsOf(bar: MidiSong, withVelocity: boolean): (number | string)[][] {
  const per = bar.ticksPerQuarter / 4;
  const steps: Map<number, number>[] = Array.from({ length: BAR }, () => new Map());
  for (const n of bar.notes) {
    const s = Math.round(n.tick / per);
    if (s < BAR && voiceOf(n.note) >= 0) steps[s].set(n.note, Math.max(steps[s].get(n.note) ?? 0, n.velocity));
  }
  return steps.map((m) => [...m].map(([note, v]) => (withVelocity ? `${note}:${v}` : note)));
}

export async function measure(name: string, spec: ModelSpec, grooves: Groove[]) {
  const net = new Network(spec);
  const onGrid = codecFor(spec).kind === 'grid';
  const withVelocity = spec.meta.encoding === 'drum-expressive';
  const t = { prime: tally(), primeQuantized: tally(), primeVsNext: tally(), edit: tally(), none: tally(), otherGroove: tally(), repeat: tally() };
  const early = { hits: 0, early: 0 };
  for (let i = 0; i < grooves.length; i++) {
    const { bar, next: nextBar } = grooves[i];
    const given = gridOfSong(bar);
    const truth = nextBar && gridOfSong(nextBar);
    const other = gridOfSong(grooves[(i + Math.floor(grooves.length / 2)) % grooves.length].bar);
    // the drummer's own next bar: what repeating the given bar scores
    if (truth) compare(t.repeat, given, truth);
    for (const seed of SEEDS) {
      // prime with the bar quantized to 16ths: the state reads it; the next bar is the model's
      net.resetState();
      const q = new Generator(net, { seed });
      q.prime(quantized(bar), { steps: BAR });
      compare(t.primeQuantized, given, gridOfSteps(play(q, BAR), 0, onGrid));
      // prime: the state reads the bar as performed; the next bar is the model's
      net.resetState();
      const p = new Generator(net, { seed });
      p.prime(bar, { steps: BAR });
      const next = gridOfSteps(play(p, BAR), 0, onGrid, early);
      compare(t.prime, given, next);
      compare(t.otherGroove, other, next);
      if (truth) compare(t.primeVsNext, truth, next);
      // edit: the bar plays as written, the model continues
      net.resetState();
      const e = new Generator(net, { seed });
      editsOf(bar, withVelocity).forEach((notes, s) => e.edit(s, notes));
      compare(t.edit, given, gridOfSteps(play(e, 2 * BAR), BAR, onGrid));
      // nothing given
      net.resetState();
      compare(t.none, given, gridOfSteps(play(new Generator(net, { seed }), BAR), 0, onGrid));
    }
  }
  return {
    model: name,
    encoding: spec.meta.encoding,
    grooves: grooves.length,
    seeds: SEEDS.length,
    primed: summary(t.prime),
    primedQuantized: summary(t.primeQuantized),
    edited: summary(t.edit),
    nothingGiven: summary(t.none),
    primedButComparedWithAnotherGroove: summary(t.otherGroove),
    repeatTheGivenBar: { ...summary(t.repeat), grooves: grooves.filter((g) => g.next).length },
    primedComparedWithTheDrummersNextBar: summary(t.primeVsNext),
    primedHitsPlayedEarly: +(early.early / (early.hits || 1)).toFixed(4),
  };
}

/** The grooves of these files of the dataset (paths as info.csv names them): each one's second bar, and its third. */
export function groovesOf(files: readonly string[]): Groove[] {
  return files
    .map((f) => {
      const song = readMidi(new Uint8Array(readFileSync(join(GROOVE, f))), f);
      const next = barOf(song, 2);
      return { file: f, bar: barOf(song, 1), next: next.notes.length > 0 ? next : null };
    })
    .filter((g) => g.bar.notes.length > 0);
}

async function main(): Promise<void> {
  if (!existsSync(join(GROOVE, 'info.csv'))) throw new Error(`Groove MIDI Dataset not found at ${GROOVE}`);
  const rows = readFileSync(join(GROOVE, 'info.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const grooves = groovesOf(rows.filter((r) => r[10] === 'test' && r[5] === 'beat' && r[6] === '4-4').map((r) => r[7]));
  const models = process.argv.slice(2);
  if (models.length === 0) {
    for (const m of [join(ROOT, 'weights', 'drums-gmd'), join(ROOT, 'weights', 'drums-expressive'), join(SHARED, 'fixtures', 'rnn-drummer')]) if (existsSync(m)) models.push(m);
  }
  const results = [];
  for (const m of models) {
    console.error(`follow: ${m}`);
    results.push(await measure(resolve(m).replace(ROOT, '').replace(`${SHARED}/`, 'shared/'), await loadModelSpec(m), grooves));
  }
  writeResult('follow', { bench: 'follow', date: new Date().toISOString(), split: 'test, 4/4 beats', bar: 'the second bar of each groove', drummersNextBar: 'the third bar', voices: Object.keys(VOICES), results });
}

// run as a command; imported (bench/finetune.ts), it only lends its measure
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
