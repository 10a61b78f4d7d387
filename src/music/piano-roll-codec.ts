/**
 * The piano roll: one frame per clock step, the set of the 88 piano keys sounding (MIDI 21–108),
 * as the polyphonic benchmarks (JSB Chorales, Nottingham, …) encode music. An event holds one
 * 0/1 per key, lowest key first; the model reads the previous frame's keys as a vector and
 * gives the next frame through its key head (`FrameHead`).
 *
 * Hold or re-strike is the codec's: a key sounding in consecutive steps is held (one note-on,
 * released in the first step without it), so a chord sounds until the next change. A repeated
 * chord therefore ties rather than strikes again, as the frame encoding cannot tell the two
 * apart. Every held key is released by `StepTarget.releaseHeld` (pause, mute, reset, a reseed
 * that resets, a locate, a recall) and by the Player's all-notes-off on stop and dropout.
 *
 * Reading MIDI: notes outside the drum part (`drum-part.ts`), each sounding in every frame
 * from its onset to its end (both snapped to the nearest frame, at least one frame);
 * pitches outside the piano move by octaves onto it.
 *
 * Steps per quarter come from the model's metadata (the JSB benchmark's frames are quarter
 * notes: 1); the clock then hands out one step every 24 / steps-per-quarter pulses.
 *
 * @example
 * const codec = pianoRollCodec({ stepsPerQuarter: 1 });
 * const c = codec.eventFromNotes([60, 64, 67]);      // C major: keys 39, 43, 46 on
 * codec.toNotes([c, c, codec.startEvent()]);         // three notes held for two quarters
 */
import type { ModelSpec } from '../engine/model.js';
import type { MidiSong } from '../io/midi-read.js';
import type { NoteOut } from '../io/midi-write.js';
import { checkSongLength } from '../io/song-length.js';
import { registerCodec, stepsPerBarFor, type Codec, type EncodedSong, type PlayOptions } from './codec.js';
import { melodyPart } from './drum-part.js';

/** The lowest piano key (A0) and how many keys a frame holds. */
export const LOWEST_KEY = 21;
export const PIANO_KEYS = 88;

export interface PianoRollOptions extends PlayOptions {
  stepsPerQuarter?: number;
  ticksPerQuarter?: number;
}

export function pianoRollCodec(o: PianoRollOptions = {}): Codec {
  const spq = o.stepsPerQuarter ?? 4;
  if (!(Number.isInteger(spq) && spq >= 1 && spq <= 24 && 24 % spq === 0)) throw new Error(`piano roll: steps per quarter must divide the clock's 24 pulses (1, 2, 3, 4, 6, 8, 12 or 24), got ${spq}`);
  const stepsPerBar = o.stepsPerBar ?? spq * 4;
  const tpq = o.ticksPerQuarter ?? 480;
  const ticksPerStep = tpq / spq;
  const velocity = o.velocity ?? 80;
  const channel = o.channel ?? 0;
  const hi = LOWEST_KEY + PIANO_KEYS - 1;
  // the methods called every step (inputs, delay, play) read these constants and allocate nothing
  const codec: Codec = {
    name: 'piano-roll',
    kind: 'grid',
    ticksPerQuarter: tpq,
    ticksPerStep,
    stepsPerBar,
    flatVelocity: velocity,
    firstEventIsPrimer: false,
    frameKeys: PIANO_KEYS,
    voices: [],
    startEvent: () => new Array<number>(PIANO_KEYS).fill(0),
    inputs(prev, _t, out, ctx) {
      const x = ctx?.vectors[0];
      if (!x) throw new Error('piano roll: the model reads the previous frame as a vector input, and none was given');
      for (let k = 0; k < PIANO_KEYS; k++) x[k] = prev[k];
      out[0] = 0;
    },
    delay: () => ticksPerStep,
    play(e, _stepInBar, state, target) {
      const held = state.keys as Uint8Array;
      // releases before strikes: a key let go and struck in one step ends up sounding
      for (let k = 0; k < PIANO_KEYS; k++) {
        const note = LOWEST_KEY + k;
        if (e[k] === 0 && held[note] === 1) {
          target.release(note, channel);
          held[note] = 0;
        }
      }
      for (let k = 0; k < PIANO_KEYS; k++) {
        const note = LOWEST_KEY + k;
        if (e[k] === 1 && held[note] === 0) {
          target.noteOn(note, velocity, channel, Infinity);
          held[note] = 1;
        }
      }
    },
    densityWeights: () => null,
    voiceMask() {
      throw new Error("chord models have no drum voices; lock a pitch row (lock('C4'), lock(60)) or the whole part (lock('chords'))");
    },
    hasVoice: () => false,
    eventFromNotes(list) {
      const e = new Array<number>(PIANO_KEYS).fill(0);
      if (list.length === 1 && list[0] === 'rest') return e;
      for (const p of list) {
        if (!(typeof p === 'number' && Number.isInteger(p) && p >= LOWEST_KEY && p <= hi)) throw new Error(`a chord step holds piano keys, MIDI ${LOWEST_KEY}..${hi} (or 'rest'); ${JSON.stringify(p)} is not one`);
        e[p - LOWEST_KEY] = 1;
      }
      return e;
    },
    notesOf(e) {
      const out: number[] = [];
      for (let k = 0; k < PIANO_KEYS; k++) if (e[k] === 1) out.push(LOWEST_KEY + k);
      return out;
    },
    fromSong: (song: MidiSong): EncodedSong => framesOfSong(song, spq),
    toNotes: (events): NoteOut[] => frameNotes(events, velocity, channel, ticksPerStep),
    grid: (events) => frameGridText(events, spq, stepsPerBar),
  };
  return codec;
}

/** A pitch moved by octaves onto the piano. */
const ontoPiano = (p: number): number => {
  while (p < LOWEST_KEY) p += 12;
  while (p > LOWEST_KEY + PIANO_KEYS - 1) p -= 12;
  return p;
};

/**
 * A song's frames at `spq` per quarter: each note outside the drum part sounds in every frame
 * from its onset to its end, both snapped to the nearest frame (at least one frame).
 */
export function framesOfSong(song: MidiSong, spq: number): EncodedSong {
  checkSongLength(song, spq); // before anything is laid out per step
  const warnings: string[] = [];
  const per = song.ticksPerQuarter / spq;
  const part = melodyPart(song);
  if (part.warning) warnings.push(part.warning);
  const events: number[][] = [];
  let moved = 0;
  for (const n of part.notes) {
    const p = ontoPiano(n.note);
    if (p !== n.note) moved++;
    const s = Math.round(n.tick / per);
    const end = Math.max(s + 1, Math.round((n.tick + n.durationTicks) / per));
    while (events.length < end) events.push(new Array<number>(PIANO_KEYS).fill(0));
    for (let f = s; f < end; f++) events[f][p - LOWEST_KEY] = 1;
  }
  if (moved) warnings.push(`${song.file}: ${moved} note(s) moved by octaves onto the piano's keys ${LOWEST_KEY}..${LOWEST_KEY + PIANO_KEYS - 1}`);
  return { events, warnings };
}

/** The notes of frames: a key's run of consecutive frames is one note. */
function frameNotes(events: readonly (readonly number[])[], velocity: number, channel: number, ticksPerStep: number): NoteOut[] {
  const out: NoteOut[] = [];
  const start = new Int32Array(PIANO_KEYS).fill(-1);
  const close = (k: number, s: number) => {
    out.push({ tick: start[k] * ticksPerStep, note: LOWEST_KEY + k, velocity, channel, durationTicks: (s - start[k]) * ticksPerStep });
    start[k] = -1;
  };
  events.forEach((e, s) => {
    for (let k = 0; k < PIANO_KEYS; k++) {
      if (e[k] === 1 && start[k] < 0) start[k] = s;
      else if (e[k] !== 1 && start[k] >= 0) close(k, s);
    }
  });
  for (let k = 0; k < PIANO_KEYS; k++) if (start[k] >= 0) close(k, events.length);
  return out.sort((a, b) => a.tick - b.tick || a.note - b.note);
}

/** One line per pitch row played, highest first: x where the key is struck, - while it holds, a bar line between bars. */
function frameGridText(events: readonly (readonly number[])[], spq: number, stepsPerBar: number): string {
  const rows: number[] = [];
  for (let k = PIANO_KEYS - 1; k >= 0; k--) if (events.some((e) => e[k] === 1)) rows.push(k);
  return rows
    .map((k) => {
      let line = String(LOWEST_KEY + k).padEnd(11);
      events.forEach((e, s) => {
        if (s > 0 && s % stepsPerBar === 0) line += '|';
        const on = e[k] === 1;
        line += on ? (s > 0 && events[s - 1][k] === 1 ? '-' : 'x') : s % spq === 0 ? '.' : ' ';
      });
      return line;
    })
    .join('\n');
}

registerCodec('piano-roll', (spec: ModelSpec, play: PlayOptions) => {
  const m = spec.meta;
  const spq = typeof m.stepsPerQuarter === 'number' ? m.stepsPerQuarter : 4;
  const bar = typeof m.stepsPerBar === 'number' ? m.stepsPerBar : spq * 4;
  const head = spec.heads[0];
  if (!(head?.bernoulli && head.size === PIANO_KEYS)) throw new Error(`${spec.source}: a piano-roll model's first head is ${PIANO_KEYS} Bernoulli keys; this one is '${head?.name}' of ${head?.size}${head?.bernoulli ? '' : ' (softmax)'}`);
  const x = spec.inputs[0];
  if (!(x?.kind === 'vector' && x.size === PIANO_KEYS)) throw new Error(`${spec.source}: a piano-roll model reads the previous frame as a vector of ${PIANO_KEYS}; its first input is '${x?.name}'`);
  return pianoRollCodec({ stepsPerQuarter: spq, ...play, stepsPerBar: stepsPerBarFor(spec, play.stepsPerBar ?? bar) });
});
