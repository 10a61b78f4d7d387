/**
 * The expressive drum grid (`drum-expressive`): the drum grid's steps (one per 16th, a token
 * per step = the 9-bit set of drum classes hit), each hit with its own velocity and timing, as
 * GrooVAE writes a performance. An event is 19 integers:
 *
 *   [token, vbin_0 … vbin_8, obin_0 … obin_8]
 *
 * vbin_c is class c's velocity bin and obin_c its offset bin (`expressive.ts`: 16 bins each);
 * a class not hit has −1 in both, the trainer's "no target". Reading MIDI, each class keeps the
 * loudest of its hits in a step, with that hit's offset from the step's grid line.
 *
 * The model reads, for step t: the token of t − 1, the position in the bar, t − 1's velocities
 * (/127) and offsets (0 where not hit), and the tokens of t − 16 and t − 32 (0 before the
 * start), which the caller keeps (`InputContext.back`, newest first). Its velocity and offset
 * heads are conditioned on the token the hits head sampled (`voiceHeads`).
 *
 * Playing: each hit at its bin's centre velocity and offset (so a performance is a function of
 * the bins drawn, and of nothing else); the Generator's dynamics, timing and velocity scales
 * shape them after. A hit of step 0 early in a MIDI file is written at tick 0.
 *
 * @example
 * const codec = expressiveGridCodec();
 * codec.eventFromNotes(['kick:40', 'snare']); // [3, 4, 12, -1 …, 8, 8, -1 …]: kick at 40, snare at 100, on the grid
 * codec.toNotes([codec.eventFromNotes(['kick:40'])]); // [{ tick: 0, note: 36, velocity: 36, … }]
 */
import type { ModelSpec } from '../engine/model.js';
import type { MidiSong } from '../io/midi-read.js';
import type { NoteOut } from '../io/midi-write.js';
import { checkSongLength } from '../io/song-length.js';
import { registerCodec, stepsPerBarFor, type Codec, type EncodedSong, type PlayOptions } from './codec.js';
import { drumVoiceMask, hasDrumVoice, popcount } from './drum-grid.js';
import { DEFAULT_DRUM_NOTES, DRUM_CLASSES, drumClassIndex, drumClassOf } from './drum-map.js';
import { drumNotesToRead, GM_DRUM_CHANNEL } from './drum-part.js';
import { OFFSET_BIN_WIDTH, OFFSET_CENTRES, offsetBin, offsetOfBin, stepOfTick, velocityBin, velocityOfBin } from './expressive.js';
import { tokenBias, voiceBiasOf } from './calibration.js';

const CLASSES = DRUM_CLASSES.length;
const TOKENS = 1 << CLASSES;
/** Where an event's velocity bins and offset bins start. */
export const VBIN = 1;
export const OBIN = 1 + CLASSES;
/** Integers in one event: the token, then a velocity and an offset bin per class. */
export const EXPRESSIVE_EVENT_LENGTH = 1 + 2 * CLASSES;
/** The bin of a class not hit (and the trainer's "no target"). */
export const NO_BIN = -1;
/** Tokens back the model reads: one bar (16 steps) and two. */
export const LOOKBACK = 32;
/** The offset bin of a hit on the grid line (a human's edit). */
const ON_GRID = offsetBin(0);

export interface ExpressiveGridOptions extends PlayOptions {
  stepsPerBar?: number;
  /** The model's calibration: a logit offset per voice (`calibration.ts`). */
  voiceBias?: readonly number[] | null;
  ticksPerQuarter?: number;
}

/** The event of silence: token 0, no bins. */
export function silentEvent(): number[] {
  return [0, ...new Array(2 * CLASSES).fill(NO_BIN)];
}

export function expressiveGridCodec(o: ExpressiveGridOptions = {}): Codec {
  const spq = 4;
  const stepsPerBar = o.stepsPerBar ?? 16;
  const tpq = o.ticksPerQuarter ?? 480;
  const ticksPerStep = tpq / spq;
  const notes = o.drumNotes ?? DEFAULT_DRUM_NOTES;
  if (notes.length !== CLASSES || !notes.every((n) => Number.isInteger(n) && n >= 0 && n < 128)) {
    throw new Error(`drum notes must be ${CLASSES} MIDI notes (one per class: ${DRUM_CLASSES.join(', ')}), got ${JSON.stringify(notes)}`);
  }
  const flat = o.velocity ?? 100;
  const channel = o.channel ?? GM_DRUM_CHANNEL;
  const hits = Float32Array.from({ length: TOKENS }, (_, t) => popcount(t));
  // each bin's offset read from tables where a step is played: a call returning a fraction that
  // V8 does not inline returns it boxed, one heap number per hit
  const offsetOf = Float64Array.from(OFFSET_CENTRES);
  const lateTicksOf = Float64Array.from(OFFSET_CENTRES, (o) => o * ticksPerStep);
  const classOfNote = (n: number): number => (notes.indexOf(n) >= 0 ? notes.indexOf(n) : drumClassOf(n));
  // inputs and play run every step: they read these constants and allocate nothing
  return {
    name: 'drum-expressive',
    kind: 'grid',
    ticksPerQuarter: tpq,
    ticksPerStep,
    stepsPerBar,
    flatVelocity: flat,
    firstEventIsPrimer: false,
    voices: DRUM_CLASSES,
    voiceHeads: [1, 2],
    lookback: LOOKBACK,
    // the lowest offset bin's lower edge (-0.5): its notes play at its centre, or nearer the line
    earliest: offsetOfBin(0) - OFFSET_BIN_WIDTH / 2,
    startEvent: silentEvent,
    restToken: 0,
    tokenBias: tokenBias(o.voiceBias ?? null, TOKENS, hasDrumVoice),
    inputs(prev, t, out, ctx) {
      if (!ctx) throw new Error('drum-expressive: the model reads vector inputs and past tokens; pass an InputContext');
      out[0] = prev[0];
      out[1] = ((t % stepsPerBar) + stepsPerBar) % stepsPerBar;
      const x = ctx.vectors[2] as Float32Array;
      for (let c = 0; c < CLASSES; c++) {
        const hit = (prev[0] & (1 << c)) !== 0;
        const vb = prev[VBIN + c];
        const ob = prev[OBIN + c];
        x[c] = hit ? (vb >= 0 ? velocityOfBin(vb) : flat) / 127 : 0;
        x[CLASSES + c] = hit && ob >= 0 ? offsetOf[ob] : 0;
      }
      out[2] = 0;
      out[3] = ctx.back.length >= 16 ? ctx.back[15] : 0;
      out[4] = ctx.back.length >= 32 ? ctx.back[31] : 0;
    },
    delay: () => ticksPerStep,
    play(event, _stepInBar, _state, target) {
      for (let c = 0; c < CLASSES; c++) {
        if (!(event[0] & (1 << c))) continue;
        const vb = event[VBIN + c];
        const ob = event[OBIN + c];
        target.noteOn(notes[c], vb >= 0 ? velocityOfBin(vb) : flat, channel, ticksPerStep, ob >= 0 ? lateTicksOf[ob] : 0);
      }
    },
    densityWeights: (head) => (head === 0 ? hits : null),
    voiceMask: drumVoiceMask,
    hasVoice: hasDrumVoice,
    eventFromNotes(list) {
      const e = silentEvent();
      for (const n of list) {
        const [what, vel] = splitVelocity(n);
        const c = typeof what === 'string' && !/^\d+$/.test(what) ? drumClassIndex(what) : classOfNote(Number(what));
        if (c < 0) throw new Error(`note ${what} is not a drum this model plays; use a GM drum note or one of ${DRUM_CLASSES.join(', ')}`);
        e[0] |= 1 << c;
        e[VBIN + c] = velocityBin(vel ?? flat);
        e[OBIN + c] = ON_GRID;
      }
      return e;
    },
    notesOf(event) {
      const out: number[] = [];
      for (let c = 0; c < CLASSES; c++) if (event[0] & (1 << c)) out.push(notes[c]);
      return out;
    },
    fromSong: (song) => expressiveStepsOf(song),
    toNotes: (events) => expressiveNotesOf(events, notes, channel, ticksPerStep, flat),
    grid: (events) => expressiveGridText(events, spq, stepsPerBar),
  };
}

/** 'kick:40' → ['kick', 40]; 'kick' and 36 → no velocity. Velocities are MIDI 1–127. */
function splitVelocity(n: number | string): [number | string, number | undefined] {
  if (typeof n === 'number') return [n, undefined];
  const at = n.indexOf(':');
  if (at < 0) return [n, undefined];
  const v = Number(n.slice(at + 1));
  if (!(Number.isInteger(v) && v >= 1 && v <= 127)) throw new Error(`${JSON.stringify(n)}: a hit's velocity after ':' is a whole number from 1 to 127`);
  return [n.slice(0, at), v];
}

/**
 * A song's drum part as one event per step: each class's loudest hit in the step, its velocity
 * and its offset from the step's line. A file with no drum part is read whole, as the drum grid does.
 */
function expressiveStepsOf(song: MidiSong): EncodedSong {
  checkSongLength(song, 4);
  const warnings: string[] = [];
  const drums = drumNotesToRead(song, warnings);
  const perStep = song.ticksPerQuarter / 4;
  const events: number[][] = [];
  const loudest: number[][] = [];
  const dropped = new Map<number, number>();
  for (const n of drums) {
    const c = drumClassOf(n.note);
    if (c < 0) {
      dropped.set(n.note, (dropped.get(n.note) ?? 0) + 1);
      continue;
    }
    const { step, offset } = stepOfTick(n.tick, perStep);
    if (step < 0) continue;
    while (events.length <= step) {
      events.push(silentEvent());
      loudest.push(new Array(CLASSES).fill(0));
    }
    const e = events[step];
    e[0] |= 1 << c;
    if (n.velocity > loudest[step][c]) {
      loudest[step][c] = n.velocity;
      e[VBIN + c] = velocityBin(n.velocity);
      e[OBIN + c] = offsetBin(offset);
    }
  }
  for (const [note, count] of dropped) warnings.push(`${song.file}: note ${note} is not a mapped drum; ${count} hit(s) dropped`);
  return { events, warnings };
}

/** Every hit as a note one step long, at its velocity, moved off its step's line by its offset. */
function expressiveNotesOf(events: readonly (readonly number[])[], notes: readonly number[], channel: number, tps: number, flat: number): NoteOut[] {
  const out: NoteOut[] = [];
  events.forEach((e, t) => {
    for (let c = 0; c < CLASSES; c++) {
      if (!(e[0] & (1 << c))) continue;
      const vb = e[VBIN + c] ?? NO_BIN;
      const ob = e[OBIN + c] ?? NO_BIN;
      const tick = Math.max(0, Math.round(t * tps + (ob >= 0 ? offsetOfBin(ob) : 0) * tps));
      out.push({ tick, note: notes[c], velocity: vb >= 0 ? velocityOfBin(vb) : flat, channel, durationTicks: tps });
    }
  });
  return out.sort((a, b) => a.tick - b.tick);
}

/** One line per class: X for a hit of velocity 96 or more, x from 48, o softer; dots on beats. */
function expressiveGridText(events: readonly (readonly number[])[], spq: number, stepsPerBar: number): string {
  return DRUM_CLASSES.map((name, c) => {
    let line = name.padEnd(11);
    events.forEach((e, t) => {
      if (t > 0 && t % stepsPerBar === 0) line += '|';
      if (e[0] & (1 << c)) {
        const v = e[VBIN + c] >= 0 ? velocityOfBin(e[VBIN + c]) : 100;
        line += v >= 96 ? 'X' : v >= 48 ? 'x' : 'o';
      } else line += t % spq === 0 ? '.' : ' ';
    });
    return line;
  }).join('\n');
}

registerCodec('drum-expressive', (spec: ModelSpec, play: PlayOptions) => {
  const m = spec.meta;
  if (spec.inputs.length !== 5 || spec.heads.length !== 3) {
    throw new Error(`${spec.source}: a drum-expressive model reads 5 inputs (hits, position, expression, hits_bar1, hits_bar2) and has 3 heads (hits, velocity, offset); this one has ${spec.inputs.length} and ${spec.heads.length}`);
  }
  return expressiveGridCodec({
    drumNotes: Array.isArray(m.drumNotes) ? (m.drumNotes as number[]) : undefined,
    voiceBias: voiceBiasOf(spec, CLASSES),
    ...play,
    stepsPerBar: stepsPerBarFor(spec, play.stepsPerBar ?? (typeof m.stepsPerBar === 'number' ? m.stepsPerBar : 16)),
  });
});
