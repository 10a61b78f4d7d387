/**
 * What a tick played, written in place: the codec plays an event into a `StepTarget`, which
 * fills the tick's reused `StepResult` (note objects are made the first time a step holds that
 * many, then reused, so a tick allocates nothing). `copyStep` cuts a standalone copy to keep.
 *
 * The performer's expressive controls act here, on the notes as they are emitted, so they
 * change how the model's notes sound and never which notes it plays (the lookahead stands):
 *
 * - dynamics d spreads each velocity v around the codec's flat velocity f (100 for drums):
 *   v' = clamp(round(f + d·(v − f)), 1, 127). 0 plays every note at f, exactly as a model
 *   without velocities plays; 1 leaves v as the model gives it; 2 doubles its distance from f.
 *   The centre is f, not the mean of the velocities, so that 0 is that flat model.
 * - velocityScale s of a drum voice then multiplies its notes' velocities: clamp(round(v'·s),
 *   1, 127); at 0 the voice's notes are left out (the model still hears them).
 * - timing t scales a note's distance from its grid line (see the Generator's `placed`).
 *
 * @example
 * const target = new StepTarget(emptyResult(), codec);
 * target.offset = 3;                        // half way into a step of 6 codec ticks
 * codec.play(event, 0, { sounding: -1 }, target);
 * target.shape(0, values);                  // dynamics, velocity scales, timing
 * copyStep(target.result);                  // { tick, step, notes: [{ note, …, offset: 0.5 }], releases: [] }
 */
import type { NoteOut } from '../io/midi-write.js';
import type { Codec, NoteTarget, PlayState } from './codec.js';
import type { Values } from './generator-state.js';
import type { PlayedNote, PlayedRelease, StepCopy, StepResult } from './generator-types.js';

const velocity = (v: number): number => Math.max(1, Math.min(127, Math.round(v)));

/**
 * Notes written offline (`codec.toNotes`) shaped as a live performance at these values would
 * play them: velocities by dynamics around the codec's flat velocity, ticks by timing toward
 * their nearest step line (rounded to whole ticks).
 *
 * @example
 * shapeNotes(codec.toNotes(events), codec, { dynamics: 0, timing: 0 }); // flat, on the grid
 */
export function shapeNotes(notes: NoteOut[], codec: Pick<Codec, 'ticksPerStep' | 'flatVelocity'>, o: { dynamics: number; timing: number }): NoteOut[] {
  const tps = codec.ticksPerStep;
  return notes.map((n) => {
    const line = Math.round(n.tick / tps) * tps;
    return {
      ...n,
      velocity: o.dynamics === 1 ? n.velocity : velocity(codec.flatVelocity + o.dynamics * (n.velocity - codec.flatVelocity)),
      tick: o.timing === 1 ? n.tick : Math.round(line + o.timing * (n.tick - line)),
    };
  });
}

export function emptyResult(): StepResult {
  return { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: false, muted: false };
}

/** Notes into `result`, each at `offset` codec ticks into the step. */
export class StepTarget implements NoteTarget {
  /** Where in the step the event being played sits, in codec ticks. */
  offset = 0;

  private readonly ticksPerStep: number;
  private readonly flatVelocity: number;
  /** The codec voice of each MIDI note, -1 for notes of no voice. */
  private readonly voiceOf = new Int8Array(128).fill(-1);

  constructor(
    readonly result: StepResult,
    codec: Pick<Codec, 'ticksPerStep' | 'flatVelocity' | 'voices' | 'notesOf' | 'eventFromNotes'>,
  ) {
    this.ticksPerStep = codec.ticksPerStep;
    this.flatVelocity = codec.flatVelocity;
    codec.voices.forEach((name, v) => {
      for (const n of codec.notesOf(codec.eventFromNotes([name]))) this.voiceOf[n] = v;
    });
  }

  noteOn(note: number, velocity: number, channel: number, lengthTicks: number, lateTicks = 0): void {
    const r = this.result;
    if (r.count === r.notes.length) r.notes.push(newNote());
    const n = r.notes[r.count++];
    n.note = note;
    n.velocity = velocity;
    n.channel = channel;
    n.length = lengthTicks / this.ticksPerStep;
    n.offset = (this.offset + lateTicks) / this.ticksPerStep;
  }

  release(note: number, channel: number): void {
    const r = this.result;
    if (r.releaseCount === r.releases.length) r.releases.push(newRelease());
    const x = r.releases[r.releaseCount++];
    x.note = note;
    x.channel = channel;
    x.offset = this.offset / this.ticksPerStep;
  }

  /**
   * Shape the notes from the `from`th on by the performer's values: velocities by dynamics,
   * then by their voice's scale; each note's distance from `line` (the offset its event was
   * placed at, in steps: what a codec adds to it is the hit's own timing) by timing. At the
   * default values nothing changes.
   */
  shape(from: number, values: Values): void {
    // the offset its event was placed at, in steps; computed here rather than passed in, for a
    // fraction handed to a call V8 did not inline is boxed
    const line = this.offset / this.ticksPerStep;
    const r = this.result;
    const { dynamics, timing, scales } = values;
    const flat = this.flatVelocity;
    let kept = from;
    for (let i = from; i < r.count; i++) {
      const n = r.notes[i];
      const voice = n.note >= 0 && n.note < 128 ? this.voiceOf[n.note] : -1;
      const scale = voice >= 0 ? scales[voice] : 1;
      if (scale === 0) continue;
      if (dynamics !== 1) n.velocity = velocity(flat + dynamics * (n.velocity - flat));
      if (scale !== 1) n.velocity = velocity(n.velocity * scale);
      // a note on its line stays put without arithmetic: a float result stored in a field that
      // has held only small integers would be boxed, an allocation per note
      if (timing !== 1 && n.offset !== line) n.offset = line + timing * (n.offset - line);
      if (kept !== i) {
        // swap, not copy: every note object stays owned by one slot
        r.notes[i] = r.notes[kept];
        r.notes[kept] = n;
      }
      kept++;
    }
    r.count = kept;
  }

  /** Release the note a melody holds, or every key a chord holds (pause, mute, reset, locate), at the start of the step. */
  releaseHeld(play: PlayState, channel: number): void {
    this.offset = 0;
    const keys = play.keys;
    if (keys) {
      for (let note = 0; note < keys.length; note++) {
        if (keys[note] === 0) continue;
        this.release(note, channel);
        keys[note] = 0;
      }
    }
    if (play.sounding < 0) return;
    this.release(play.sounding, channel);
    play.sounding = -1;
  }
}

/** Copy `r` into `h`, growing (never shrinking) its note lists. */
/** Grow `h`'s note and release objects to at least these many, so copies up to them make none. */
export function reserve(h: StepResult, notes: number, releases: number): void {
  while (h.notes.length < notes) h.notes.push(newNote());
  while (h.releases.length < releases) h.releases.push(newRelease());
}

export function copyInto(h: StepResult, r: StepResult): void {
  h.step = r.step;
  h.tick = r.tick;
  h.paused = r.paused;
  h.muted = r.muted;
  h.count = r.count;
  h.releaseCount = r.releaseCount;
  reserve(h, r.count, r.releaseCount);
  for (let i = 0; i < r.count; i++) {
    const a = h.notes[i];
    const b = r.notes[i];
    a.note = b.note;
    a.velocity = b.velocity;
    a.channel = b.channel;
    a.length = b.length;
    a.offset = b.offset;
  }
  for (let i = 0; i < r.releaseCount; i++) {
    const a = h.releases[i];
    const b = r.releases[i];
    a.note = b.note;
    a.channel = b.channel;
    a.offset = b.offset;
  }
}

// Lengths and offsets are fractions of a step: their fields start out holding a fraction, so V8
// gives them a float representation from the first object on. A field that held only small
// integers and is then handed a fraction (or a float zero computed by timing) stores each new
// value as a fresh heap number: an allocation per note per tick, in some runs and not others.
function newNote(): PlayedNote {
  const n = { note: 0, velocity: 0, channel: 0, length: 0.5, offset: 0.5 };
  n.length = 0;
  n.offset = 0;
  return n;
}

function newRelease(): PlayedRelease {
  const x = { note: 0, channel: 0, offset: 0.5 };
  x.offset = 0;
  return x;
}

/** A standalone copy of a step, its lists cut to length. */
export function copyStep(r: StepResult): StepCopy {
  return { tick: r.tick, step: r.step, notes: r.notes.slice(0, r.count).map((n) => ({ ...n })), releases: r.releases.slice(0, r.releaseCount).map((x) => ({ ...x })) };
}
