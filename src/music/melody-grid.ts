/**
 * The melody grid: one token per step: 0 = rest (the held note ends), 1 = hold (it goes on),
 * 2 + k = a new note of pitch `minPitch + k`. A monophonic line, as Magenta's melody models.
 *
 * Reading MIDI: notes outside the drum part (`drum-part.ts`; every note, with a warning, when the
 * drum part is the whole file), onsets and ends snapped to the nearest step; where
 * notes overlap the highest wins; pitches outside the model's range move by octaves into it.
 *
 * Playing: a note starts on its token, sounds at velocity 90 on channel 1, and is released
 * at the next rest or new note.
 *
 * @example
 * const codec = melodyGridCodec({ minPitch: 48, maxPitch: 84 });
 * codec.toNotes([[2 + 12], [1], [0]]); // C4 (60) held for two steps
 */
import type { ModelSpec } from '../engine/model.js';
import type { MidiSong } from '../io/midi-read.js';
import type { NoteOut } from '../io/midi-write.js';
import { checkSongLength } from '../io/song-length.js';
import { registerCodec, stepsPerBarFor, type Codec, type EncodedSong, type PlayOptions } from './codec.js';
import { melodyPart } from './drum-part.js';

export const REST = 0;
export const HOLD = 1;

export interface MelodyGridOptions extends PlayOptions {
  minPitch?: number;
  maxPitch?: number;
  stepsPerQuarter?: number;
  stepsPerBar?: number;
  positionInput?: boolean;
  ticksPerQuarter?: number;
}

export function melodyGridCodec(o: MelodyGridOptions = {}): Codec {
  const lo = o.minPitch ?? 48;
  const hi = o.maxPitch ?? 84;
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && hi < 128 && lo <= hi)) throw new Error(`melody range ${lo}..${hi} must be MIDI notes with min ≤ max`);
  const spq = o.stepsPerQuarter ?? 4;
  const stepsPerBar = o.stepsPerBar ?? spq * 4;
  const tpq = o.ticksPerQuarter ?? 480;
  const ticksPerStep = tpq / spq;
  const velocity = o.velocity ?? 90;
  const channel = o.channel ?? 0;
  const vocab = 2 + hi - lo + 1;
  const onsets = Float32Array.from({ length: vocab }, (_, t) => (t >= 2 ? 1 : 0));
  const pitchOf = (t: number) => lo + t - 2;
  // the methods called every step (inputs, delay, play) read these constants and allocate nothing
  const codec: Codec = {
    name: 'melody-grid',
    kind: 'grid',
    ticksPerQuarter: tpq,
    ticksPerStep,
    stepsPerBar,
    flatVelocity: velocity,
    firstEventIsPrimer: false,
    voices: [],
    startEvent: () => [REST],
    inputs(prev, t, out) {
      out[0] = prev[0];
      // primed phrases may start before step 0
      if (o.positionInput) out[1] = ((t % stepsPerBar) + stepsPerBar) % stepsPerBar;
    },
    delay: () => ticksPerStep,
    play(e, _stepInBar, state, target) {
      const t = e[0];
      if (t === HOLD && state.sounding >= 0) return;
      if (state.sounding >= 0) target.release(state.sounding, channel);
      state.sounding = -1;
      if (t >= 2) {
        target.noteOn(pitchOf(t), velocity, channel, Infinity);
        state.sounding = pitchOf(t);
      }
    },
    densityWeights: (head) => (head === 0 ? onsets : null),
    voiceMask() {
      throw new Error('melody models have no voices to lock; locks are for drum-grid models');
    },
    hasVoice: () => false,
    eventFromNotes(list) {
      if (list.length === 0 || list[0] === 'rest') return [REST];
      if (list.length === 1 && list[0] === 'hold') return [HOLD];
      if (list.length !== 1 || typeof list[0] !== 'number') throw new Error(`a melody step holds one pitch, 'hold' or 'rest', got ${JSON.stringify(list)}`);
      const p = list[0];
      if (!(Number.isInteger(p) && p >= lo && p <= hi)) throw new Error(`pitch ${p} is outside this model's range ${lo}..${hi}`);
      return [2 + p - lo];
    },
    notesOf: (e) => (e[0] >= 2 ? [pitchOf(e[0])] : []),
    fromSong: (song: MidiSong): EncodedSong => melodyStepsOf(song, spq, lo, hi),
    toNotes: (events): NoteOut[] => melodyNotesOf(events, pitchOf, velocity, channel, ticksPerStep),
    grid: (events) => melodyGridText(events, pitchOf, spq, stepsPerBar),
  };
  return codec;
}

/** A pitch moved by octaves into lo..hi, or −1 when the range is narrower than an octave and misses it. */
function foldInto(p: number, lo: number, hi: number): number {
  while (p < lo) p += 12;
  while (p > hi) p -= 12;
  return p >= lo ? p : -1;
}

/**
 * A song's melody as one token per step: each onset and end snapped to its nearest step, the
 * highest of overlapping notes kept (the tune usually lies on top), then holds until each
 * note's end and rests after it.
 */
function melodyStepsOf(song: MidiSong, spq: number, lo: number, hi: number): EncodedSong {
  checkSongLength(song, spq); // before anything is laid out per step
  const warnings: string[] = [];
  const per = song.ticksPerQuarter / spq;
  const tokens: number[] = [];
  const end: number[] = []; // step each step's note ends at
  let moved = 0;
  const part = melodyPart(song);
  if (part.warning) warnings.push(part.warning);
  for (const n of part.notes) {
    const p = foldInto(n.note, lo, hi);
    if (p !== n.note) moved++;
    if (p < 0) continue;
    const s = Math.round(n.tick / per);
    const e = Math.max(s + 1, Math.round((n.tick + n.durationTicks) / per));
    while (tokens.length < e) (tokens.push(-1), end.push(-1));
    const cur = tokens[s];
    if (cur >= 2 && lo + cur - 2 >= p) continue; // the highest note wins
    tokens[s] = 2 + p - lo;
    end[s] = e;
  }
  // fill holds and rests between onsets
  let until = -1;
  for (let s = 0; s < tokens.length; s++) {
    if (tokens[s] >= 2) until = end[s];
    else tokens[s] = s < until ? HOLD : REST;
  }
  if (moved) warnings.push(`${song.file}: ${moved} note(s) moved by octaves into the model's range ${lo}..${hi}`);
  return { events: tokens.map((t) => [t]), warnings };
}

/** The notes of a melody: each from its onset token through its holds, until a rest or the next note. */
function melodyNotesOf(events: readonly (readonly number[])[], pitchOf: (t: number) => number, velocity: number, channel: number, ticksPerStep: number): NoteOut[] {
  const out: NoteOut[] = [];
  let start = -1;
  let pitch = -1;
  const close = (s: number) => {
    if (pitch >= 0) out.push({ tick: start * ticksPerStep, note: pitch, velocity, channel, durationTicks: (s - start) * ticksPerStep });
    pitch = -1;
  };
  events.forEach((e, s) => {
    if (e[0] === HOLD && pitch >= 0) return;
    close(s);
    if (e[0] >= 2) (start = s), (pitch = pitchOf(e[0]));
  });
  close(events.length);
  return out;
}

/** One line per pitch played, highest first: x at an onset, - while it holds, a bar line between bars. */
function melodyGridText(events: readonly (readonly number[])[], pitchOf: (t: number) => number, spq: number, stepsPerBar: number): string {
  const pitches = [...new Set(events.filter((e) => e[0] >= 2).map((e) => pitchOf(e[0])))].sort((a, b) => b - a);
  return pitches
    .map((p) => {
      let line = String(p).padEnd(11);
      let on = false;
      events.forEach((e, s) => {
        if (s > 0 && s % stepsPerBar === 0) line += '|';
        if (e[0] >= 2) on = pitchOf(e[0]) === p;
        else if (e[0] === REST) on = false;
        line += e[0] >= 2 && on ? 'x' : on ? '-' : s % spq === 0 ? '.' : ' ';
      });
      return line;
    })
    .join('\n');
}

registerCodec('melody-grid', (spec: ModelSpec, play: PlayOptions) => {
  const m = spec.meta;
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  return melodyGridCodec({
    minPitch: num(m.minPitch, 48),
    maxPitch: num(m.maxPitch, 84),
    stepsPerQuarter: num(m.stepsPerQuarter, 4),
    positionInput: spec.inputs.length > 1,
    ...play,
    stepsPerBar: stepsPerBarFor(spec, play.stepsPerBar ?? num(m.stepsPerBar, num(m.stepsPerQuarter, 4) * 4)),
  });
});
