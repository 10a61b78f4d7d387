/**
 * What a tick played, written in place: the codec plays an event into a `StepTarget`, which
 * fills the tick's reused `StepResult` (note objects are made the first time a step holds that
 * many, then reused, so a tick allocates nothing). `copyStep` cuts a standalone copy to keep.
 *
 * @example
 * const target = new StepTarget(emptyResult(), 6);
 * target.offset = 3;                        // half way into the step, in codec ticks
 * codec.play(event, 0, { sounding: -1 }, target);
 * copyStep(target.result);                  // { tick, step, notes: [{ note, …, offset: 0.5 }], releases: [] }
 */
import type { NoteTarget, PlayState } from './codec.js';
import type { StepCopy, StepResult } from './generator-types.js';

export function emptyResult(): StepResult {
  return { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: false, muted: false };
}

/** Notes into `result`, each at `offset` codec ticks into the step. */
export class StepTarget implements NoteTarget {
  /** Where in the step the event being played sits, in codec ticks. */
  offset = 0;

  constructor(
    readonly result: StepResult,
    private readonly ticksPerStep: number,
  ) {}

  noteOn(note: number, velocity: number, channel: number, lengthTicks: number): void {
    const r = this.result;
    if (r.count === r.notes.length) r.notes.push({ note: 0, velocity: 0, channel: 0, length: 0, offset: 0 });
    const n = r.notes[r.count++];
    n.note = note;
    n.velocity = velocity;
    n.channel = channel;
    n.length = lengthTicks / this.ticksPerStep;
    n.offset = this.offset / this.ticksPerStep;
  }

  release(note: number, channel: number): void {
    const r = this.result;
    if (r.releaseCount === r.releases.length) r.releases.push({ note: 0, channel: 0, offset: 0 });
    const x = r.releases[r.releaseCount++];
    x.note = note;
    x.channel = channel;
    x.offset = this.offset / this.ticksPerStep;
  }

  /** Release the note a melody holds (pause, mute), at the start of the step. */
  releaseHeld(play: PlayState, channel: number): void {
    if (play.sounding < 0) return;
    this.offset = 0;
    this.release(play.sounding, channel);
    play.sounding = -1;
  }
}

/** Copy `r` into `h`, growing (never shrinking) its note lists. */
export function copyInto(h: StepResult, r: StepResult): void {
  h.step = r.step;
  h.tick = r.tick;
  h.paused = r.paused;
  h.muted = r.muted;
  h.count = r.count;
  h.releaseCount = r.releaseCount;
  while (h.notes.length < r.count) h.notes.push({ note: 0, velocity: 0, channel: 0, length: 0, offset: 0 });
  for (let i = 0; i < r.count; i++) Object.assign(h.notes[i], r.notes[i]);
  while (h.releases.length < r.releaseCount) h.releases.push({ note: 0, channel: 0, offset: 0 });
  for (let i = 0; i < r.releaseCount; i++) Object.assign(h.releases[i], r.releases[i]);
}

/** A standalone copy of a step, its lists cut to length. */
export function copyStep(r: StepResult): StepCopy {
  return { tick: r.tick, step: r.step, notes: r.notes.slice(0, r.count).map((n) => ({ ...n })), releases: r.releases.slice(0, r.releaseCount).map((x) => ({ ...x })) };
}
