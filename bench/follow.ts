/**
 * "Follow": does the human's input steer the model? For every 4/4 beat of the Groove MIDI
 * Dataset's test split, one bar of the groove (its second bar) is given to the generator,
 * either as a prime (the state reads it, nothing plays) or as edits (the bar plays as written
 * and the model reads it); the model then plays the next bar alone. We count how often that
 * bar's kick, snare and hi-hat steps agree with the given bar, against the same measure for a
 * model that was given nothing and for one given a different groove.
 *
 *   npx tsx bench/follow.ts [model folder ...]   (writes bench/results/follow.json)
 *
 * Models: the shipped drum model and the RNN-Drummer weights, where present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { readMidi, type MidiSong } from '../src/io/midi-read.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { drumClassOf } from '../src/music/drum-map.js';
import { Generator, type StepCopy } from '../src/music/generator.js';
import { writeResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = process.env.PULSE_RNN_SHARED ?? join(ROOT, '..', 'shared');
const GROOVE = join(SHARED, 'data', 'groove');
const SEEDS = [1, 2, 3];
const BAR = 16;
const VOICES = { kick: [0], snare: [1], hihat: [2, 3] } as const;

type Grid = boolean[][]; // [voice][step]

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
  const g: Grid = [0, 1, 2].map(() => new Array(BAR).fill(false));
  const per = song.ticksPerQuarter / 4;
  for (const n of song.notes) {
    const v = voiceOf(n.note);
    const s = Math.round(n.tick / per);
    if (v >= 0 && s < BAR) g[v][s] = true;
  }
  return g;
}

function gridOfSteps(steps: StepCopy[], first: number): Grid {
  const g: Grid = [0, 1, 2].map(() => new Array(BAR).fill(false));
  for (const s of steps) {
    const i = s.step - first;
    if (i < 0 || i >= BAR) continue;
    for (const n of s.notes) {
      const v = voiceOf(n.note);
      // event models: a note late in a step counts for the nearest step
      const at = i + Math.round(n.offset);
      if (v >= 0 && at < BAR) g[v][at] = true;
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
  perVoice: { agree: number; cells: number }[];
}
const tally = (): Tally => ({ cells: 0, agree: 0, tp: 0, fp: 0, fn: 0, perVoice: [0, 1, 2].map(() => ({ agree: 0, cells: 0 })) });

function compare(t: Tally, given: Grid, got: Grid): void {
  for (let v = 0; v < 3; v++) {
    for (let s = 0; s < BAR; s++) {
      const same = given[v][s] === got[v][s];
      t.cells++;
      t.perVoice[v].cells++;
      if (same) (t.agree++, t.perVoice[v].agree++);
      if (given[v][s] && got[v][s]) t.tp++;
      else if (got[v][s]) t.fp++;
      else if (given[v][s]) t.fn++;
    }
  }
}

function summary(t: Tally) {
  const f1 = (2 * t.tp) / (2 * t.tp + t.fp + t.fn || 1);
  return {
    agreement: +(t.agree / t.cells).toFixed(4),
    hitF1: +f1.toFixed(4),
    perVoiceAgreement: Object.fromEntries(Object.keys(VOICES).map((k, i) => [k, +(t.perVoice[i].agree / t.perVoice[i].cells).toFixed(4)])),
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

async function measure(name: string, spec: ModelSpec, grooves: { file: string; bar: MidiSong }[]) {
  const net = new Network(spec);
  const t = { prime: tally(), primeQuantized: tally(), edit: tally(), none: tally(), otherGroove: tally() };
  for (let i = 0; i < grooves.length; i++) {
    const { bar } = grooves[i];
    const given = gridOfSong(bar);
    const other = gridOfSong(grooves[(i + Math.floor(grooves.length / 2)) % grooves.length].bar);
    for (const seed of SEEDS) {
      // prime with the bar quantized to 16ths: the state reads it; the next bar is the model's
      net.resetState();
      const q = new Generator(net, { seed });
      q.prime(quantized(bar), { steps: BAR });
      compare(t.primeQuantized, given, gridOfSteps(play(q, BAR), 0));
      // prime: the state reads the bar as performed; the next bar is the model's
      net.resetState();
      const p = new Generator(net, { seed });
      p.prime(bar, { steps: BAR });
      const next = gridOfSteps(play(p, BAR), 0);
      compare(t.prime, given, next);
      compare(t.otherGroove, other, next);
      // edit: the bar plays as written, the model continues
      net.resetState();
      const e = new Generator(net, { seed });
      for (let s = 0; s < BAR; s++) {
        const notes = bar.notes.filter((n) => Math.round(n.tick / (bar.ticksPerQuarter / 4)) === s && voiceOf(n.note) >= 0).map((n) => n.note);
        e.edit(s, [...new Set(notes)]);
      }
      compare(t.edit, given, gridOfSteps(play(e, 2 * BAR), BAR));
      // nothing given
      net.resetState();
      compare(t.none, given, gridOfSteps(play(new Generator(net, { seed }), BAR), 0));
    }
  }
  return { model: name, encoding: spec.meta.encoding, grooves: grooves.length, seeds: SEEDS.length, primed: summary(t.prime), primedQuantized: summary(t.primeQuantized), edited: summary(t.edit), nothingGiven: summary(t.none), primedButComparedWithAnotherGroove: summary(t.otherGroove) };
}

async function main(): Promise<void> {
  if (!existsSync(join(GROOVE, 'info.csv'))) throw new Error(`Groove MIDI Dataset not found at ${GROOVE}`);
  const rows = readFileSync(join(GROOVE, 'info.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const grooves = rows
    .filter((r) => r[10] === 'test' && r[5] === 'beat' && r[6] === '4-4')
    .map((r) => {
      const song = readMidi(new Uint8Array(readFileSync(join(GROOVE, r[7]))), r[7]);
      return { file: r[7], bar: barOf(song, 1) };
    })
    .filter((g) => g.bar.notes.length > 0);
  const models = process.argv.slice(2);
  if (models.length === 0) {
    for (const m of [join(ROOT, 'weights', 'drums-gmd'), join(SHARED, 'fixtures', 'rnn-drummer')]) if (existsSync(m)) models.push(m);
  }
  const results = [];
  for (const m of models) {
    console.error(`follow: ${m}`);
    results.push(await measure(m.replace(ROOT, '').replace(`${SHARED}/`, 'shared/'), await loadModelSpec(m), grooves));
  }
  writeResult('follow', { bench: 'follow', date: new Date().toISOString(), split: 'test, 4/4 beats', bar: 'the second bar of each groove', voices: Object.keys(VOICES), results });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
