/**
 * The drum grid: one step per 16th note (4 steps per quarter by default); a step's token is
 * the set of drum classes hit in it, as a 9-bit mask (bit c = class c of `drum-map.ts`), so
 * 512 tokens. Models may also read the step's position in the bar (a second input).
 *
 * Reading MIDI: the drum part (channel 10, else what `drum-part.ts` finds, else every channel)
 * is mapped to classes and each onset goes to the nearest step; steps run from step 0 to the
 * step of the last hit.
 *
 * Playing: each class sounds its note (kick 36, snare 38, closed hat 42, open hat 46, toms
 * 45 48 50, crash 49, ride 51 unless overridden) on channel 10 for one step, at velocity 100;
 * with `accent`, 112 on beats, 100 on 8ths and 88 on the other 16ths.
 *
 * @example
 * const codec = drumGridCodec({ stepsPerQuarter: 4 });
 * codec.toNotes([[0b000000101]]); // kick (36) and closed hat (42) at tick 0
 * codec.eventFromNotes(['kick', 'snare']); // [0b11]
 */
import type { ModelSpec } from '../engine/model.js';
import type { MidiSong } from '../io/midi-read.js';
import type { NoteOut } from '../io/midi-write.js';
import { checkSongLength } from '../io/song-length.js';
import { registerCodec, stepsPerBarFor, type Codec, type EncodedSong, type PlayOptions } from './codec.js';
import { DEFAULT_DRUM_NOTES, DRUM_CLASSES, drumClassIndex, drumClassOf } from './drum-map.js';
import { drumNotesToRead, GM_DRUM_CHANNEL } from './drum-part.js';
import { tokenBias, voiceBiasOf } from './calibration.js';

export const DRUM_TOKENS = 1 << DRUM_CLASSES.length;

export interface DrumGridOptions extends PlayOptions {
  stepsPerQuarter?: number;
  stepsPerBar?: number;
  /** Whether the model reads the position in the bar as a second input. */
  positionInput?: boolean;
  /** The model's calibration: a logit offset per voice (`calibration.ts`). */
  voiceBias?: readonly number[] | null;
  ticksPerQuarter?: number;
}

/** Mark in `mask` every token that does not have `voice` as `hit` says: a lock of that voice. */
export function drumVoiceMask(voice: number, hit: boolean, mask: Uint8Array): void {
  const bit = 1 << voice;
  for (let t = 0; t < DRUM_TOKENS; t++) if (((t & bit) !== 0) !== hit) mask[t] = 1;
}

/** Whether a token hits drum class `voice`. */
export const hasDrumVoice = (token: number, voice: number): boolean => (token & (1 << voice)) !== 0;

/** How many drum classes a token hits. */
export const popcount = (v: number): number => {
  let n = 0;
  for (; v; v &= v - 1) n++;
  return n;
};

export function drumGridCodec(o: DrumGridOptions = {}): Codec {
  const spq = o.stepsPerQuarter ?? 4;
  const stepsPerBar = o.stepsPerBar ?? spq * 4;
  const tpq = o.ticksPerQuarter ?? 480;
  const notes = checkDrumNotes(o.drumNotes ?? DEFAULT_DRUM_NOTES);
  const velocity = o.velocity ?? 100;
  const channel = o.channel ?? GM_DRUM_CHANNEL;
  const ticksPerStep = tpq / spq;
  const hits = Float32Array.from({ length: DRUM_TOKENS }, (_, t) => popcount(t));
  const accent = accentFor(o, velocity, spq);
  const sound: DrumSound = { notes, channel, ticksPerStep, stepsPerBar, accent };
  // the methods called every step (inputs, delay, play, voiceMask) read these constants and allocate nothing
  const codec: Codec = {
    name: 'drum-grid',
    kind: 'grid',
    ticksPerQuarter: tpq,
    ticksPerStep,
    stepsPerBar,
    flatVelocity: velocity,
    firstEventIsPrimer: false,
    voices: DRUM_CLASSES,
    startEvent: () => [0],
    restToken: 0,
    tokenBias: tokenBias(o.voiceBias ?? null, 1 << DRUM_CLASSES.length, hasDrumVoice),
    inputs(prev, t, out) {
      out[0] = prev[0];
      // primed phrases may start before step 0
      if (o.positionInput) out[1] = ((t % stepsPerBar) + stepsPerBar) % stepsPerBar;
    },
    delay: () => ticksPerStep,
    play(event, stepInBar, _state, target) {
      const v = accent(stepInBar);
      for (let c = 0; c < DRUM_CLASSES.length; c++) if (event[0] & (1 << c)) target.noteOn(notes[c], v, channel, ticksPerStep);
    },
    densityWeights: (head) => (head === 0 ? hits : null),
    voiceMask: drumVoiceMask,
    hasVoice: hasDrumVoice,
    eventFromNotes(list) {
      let token = 0;
      for (const n of list) {
        const c = typeof n === 'string' ? drumClassIndex(n) : notes.indexOf(n) >= 0 ? notes.indexOf(n) : drumClassOf(n);
        if (c < 0) throw new Error(`note ${n} is not a drum this model plays; use a GM drum note or one of ${DRUM_CLASSES.join(', ')}`);
        token |= 1 << c;
      }
      return [token];
    },
    notesOf(event) {
      const out: number[] = [];
      for (let c = 0; c < DRUM_CLASSES.length; c++) if (event[0] & (1 << c)) out.push(notes[c]);
      return out;
    },
    fromSong: (song: MidiSong): EncodedSong => drumStepsOf(song, spq),
    toNotes: (events): NoteOut[] => drumNotesOf(events, sound),
    grid: (events) => drumGridText(events, spq, stepsPerBar),
  };
  return codec;
}

/** What sounds a drum grid's steps: the note of each class, on which channel, for how long, how loud. */
interface DrumSound {
  readonly notes: readonly number[];
  readonly channel: number;
  readonly ticksPerStep: number;
  readonly stepsPerBar: number;
  /** The velocity of a hit at this step of the bar. */
  readonly accent: (stepInBar: number) => number;
}

/**
 * The velocity of a hit at a step of the bar: with `accent`, 12 louder on beats and 12 softer
 * on the 16ths between 8ths, the way a drummer leans on the pulse; without, `velocity` always.
 */
function accentFor(o: DrumGridOptions, velocity: number, spq: number): (stepInBar: number) => number {
  return (stepInBar) => {
    if (!o.accent) return velocity;
    const v = stepInBar % spq === 0 ? velocity + 12 : (stepInBar * 2) % spq === 0 ? velocity : velocity - 12;
    return Math.max(1, Math.min(127, v));
  };
}

/** The notes each class plays, refused unless there is one MIDI note per class: a hit must always have a note. */
function checkDrumNotes(notes: readonly number[]): readonly number[] {
  if (notes.length !== DRUM_CLASSES.length || !notes.every((n) => Number.isInteger(n) && n >= 0 && n < 128)) {
    throw new Error(`drum notes must be ${DRUM_CLASSES.length} MIDI notes (one per class: ${DRUM_CLASSES.join(', ')}), got ${JSON.stringify(notes)}`);
  }
  return notes;
}

/**
 * A song's drum part as one token per step, each onset at its nearest step. A file with no drum
 * part is read whole, since the performer chose it for a drum model; notes outside the drum map
 * are dropped and counted in the warnings.
 */
function drumStepsOf(song: MidiSong, spq: number): EncodedSong {
  checkSongLength(song, spq); // before anything is laid out per step
  const warnings: string[] = [];
  const drums = drumNotesToRead(song, warnings);
  const dropped = new Map<number, number>();
  const perStep = song.ticksPerQuarter / spq;
  const tokens: number[] = [];
  for (const n of drums) {
    const c = drumClassOf(n.note);
    if (c < 0) {
      dropped.set(n.note, (dropped.get(n.note) ?? 0) + 1);
      continue;
    }
    const step = Math.round(n.tick / perStep);
    while (tokens.length <= step) tokens.push(0);
    tokens[step] |= 1 << c;
  }
  for (const [note, count] of dropped) warnings.push(`${song.file}: note ${note} is not a mapped drum; ${count} hit(s) dropped`);
  return { events: tokens.map((t) => [t]), warnings };
}

/** Every hit of `events` as a note one step long, accented by its place in the bar. */
function drumNotesOf(events: readonly (readonly number[])[], s: DrumSound): NoteOut[] {
  const out: NoteOut[] = [];
  events.forEach((e, t) => {
    const v = s.accent(t % s.stepsPerBar);
    for (let c = 0; c < DRUM_CLASSES.length; c++) {
      if (e[0] & (1 << c)) out.push({ tick: t * s.ticksPerStep, note: s.notes[c], velocity: v, channel: s.channel, durationTicks: s.ticksPerStep });
    }
  });
  return out;
}

/** One line per drum class: x for a hit, a dot on each beat, a bar line between bars. */
function drumGridText(events: readonly (readonly number[])[], spq: number, stepsPerBar: number): string {
  return DRUM_CLASSES.map((name, c) => {
    let line = name.padEnd(11);
    events.forEach((e, t) => {
      if (t > 0 && t % stepsPerBar === 0) line += '|';
      line += e[0] & (1 << c) ? 'x' : t % spq === 0 ? '.' : ' ';
    });
    return line;
  }).join('\n');
}

registerCodec('drum-grid', (spec: ModelSpec, play: PlayOptions) => {
  const m = spec.meta;
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  return drumGridCodec({
    stepsPerQuarter: num(m.stepsPerQuarter, 4),
    positionInput: spec.inputs.length > 1,
    voiceBias: voiceBiasOf(spec, DRUM_CLASSES.length),
    drumNotes: Array.isArray(m.drumNotes) ? (m.drumNotes as number[]) : undefined,
    ...play,
    stepsPerBar: stepsPerBarFor(spec, play.stepsPerBar ?? num(m.stepsPerBar, num(m.stepsPerQuarter, 4) * 4)),
  });
});
