/**
 * Event models: each event carries its own delay, so events land anywhere in time and the
 * clock's steps only cut them into what each tick plays.
 *
 * A human's edit of step s must sound at the start of s, and the model's own events must stay
 * out of every step a human wrote (notes or silence). So, for each event:
 *
 * 1. events of an edit being fed go first, all at the edited step's start;
 * 2. delays that would land in a written step, before `keepOut`, or on a model stuck at delay
 *    0 are masked out of the delay head;
 * 3. the heads are drawn in order, as the offline sampler draws them;
 * 4. if the event would land at or past the next edited step, the human's notes play there
 *    instead (the model reads them as its input and continues from them).
 */
import type { Codec } from './codec.js';
import type { Cursor, GeneratorState } from './generator-state.js';
import { NEVER, type EventPlacerState, type HeadSampler, type Placer, type PlacerMark } from './placer.js';
import type { PrimeJob } from './prime-reader.js';

const MAX_ZERO_DELAYS = 16;
// what maskDelays found
const MASKED = 1; // some delays are masked, not all: the mask is used
const IN_EDIT = 2; // some delay lands in a written step

export class EventPlacer implements Placer {
  private readonly ticksPerStep: number;
  private readonly delayHead: number;
  /** An event whose delay head is varied, to ask the codec each delay token's ticks. */
  private readonly probe: Int32Array;

  constructor(
    private readonly codec: Codec,
    private readonly heads: HeadSampler,
  ) {
    this.ticksPerStep = codec.ticksPerStep;
    this.delayHead = codec.delayHead as number;
    this.probe = new Int32Array(heads.masks.length);
  }

  initialState(): EventPlacerState {
    return { forced: [], forcedTime: 0, doneEdit: -1, keepOut: NEVER, zeroDelays: 0 };
  }

  /** The first event's delay counts from the step's start. */
  startTime(s: number): number {
    return s * this.ticksPerStep;
  }

  /** One event past `until`, so every event before it is known. */
  fillLimit(until: number): number {
    return until;
  }

  position(last: Cursor): number {
    return last.index;
  }

  choose(st: GeneratorState, _position: number, ev: Int32Array): number {
    const p = st.placer as EventPlacerState;
    let at: number;
    if (p.forced.length > 0) {
      ev.set(p.forced.shift() as number[]);
      at = p.forcedTime;
    } else at = this.chooseOwn(st, p, ev);
    if (at >= p.keepOut) p.keepOut = NEVER;
    p.zeroDelays = at === st.last.time ? p.zeroDelays + 1 : 0;
    return at;
  }

  /** The model's own event (steps 2–4 above); returns its time. */
  private chooseOwn(st: GeneratorState, p: EventPlacerState, ev: Int32Array): number {
    const edited = this.nextEditedStep(st, p);
    const editStart = edited < 0 ? Infinity : edited * this.ticksPerStep;
    const found = this.maskDelays(st, p, editStart);
    const masked = (found & MASKED) !== 0;
    for (let h = 0; h < ev.length; h++) ev[h] = this.heads.sample(st.values, h, masked && h === this.delayHead);
    let at = st.last.time + this.codec.delay(ev);
    // every delay was masked and some land in written steps: a silence longer than any delay
    // the model knows, so its note waits for the written steps to end
    if (found & IN_EDIT && !masked) at = this.afterWrittenSteps(st, at, editStart);
    if (at >= editStart) {
      this.forceEdit(st, p, edited, ev);
      return editStart;
    }
    return at;
  }

  /** Mask the delay tokens the model may not draw now; says what it found (MASKED, IN_EDIT). */
  private maskDelays(st: GeneratorState, p: EventPlacerState, editStart: number): number {
    const mask = this.heads.masks[this.delayHead];
    const probe = this.probe;
    const tps = this.ticksPerStep;
    const anyEdits = st.edits.size > 0;
    mask.fill(0);
    let found = 0;
    let all = true;
    for (let k = 0; k < mask.length; k++) {
      probe[this.delayHead] = k;
      const d = this.codec.delay(probe);
      const at = st.last.time + d;
      const inEdit = anyEdits && at < editStart + tps && st.edits.has(Math.floor(at / tps));
      // a model stuck on delay 0 must let time move on
      if (inEdit || at < p.keepOut || (d === 0 && p.zeroDelays >= MAX_ZERO_DELAYS)) {
        mask[k] = 1;
        found |= MASKED | (inEdit ? IN_EDIT : 0);
      } else all = false;
    }
    // a mask of every token is no mask: the sampler would have nothing to draw
    return all ? found & ~MASKED : found;
  }

  /** Move `at` past the written steps it falls in, up to the next edited step. */
  private afterWrittenSteps(st: GeneratorState, at: number, editStart: number): number {
    const tps = this.ticksPerStep;
    while (at < editStart && st.edits.has(Math.floor(at / tps))) at = (Math.floor(at / tps) + 1) * tps;
    return at;
  }

  /**
   * Play the human's notes of step `edited` instead of the model's event: the first now (its
   * delay from the last event reaches the step's start), the rest queued at the same time.
   * The model's own events then stay out of that step.
   */
  private forceEdit(st: GeneratorState, p: EventPlacerState, edited: number, ev: Int32Array): void {
    const start = edited * this.ticksPerStep;
    const notes = st.edits.get(edited) as (number | string)[];
    const eventAt = this.codec.eventAt as NonNullable<Codec['eventAt']>;
    const events = notes.map((n, i) => eventAt.call(this.codec, n, i === 0 ? start - st.last.time : 0));
    p.doneEdit = edited;
    p.forcedTime = start;
    p.keepOut = start + this.ticksPerStep;
    ev.set(events[0]);
    p.forced = events.slice(1);
  }

  /** The first step ahead of the last event that a human wrote notes into and that is not fed yet; -1 if none. */
  private nextEditedStep(st: GeneratorState, p: EventPlacerState): number {
    if (st.edits.size === 0) return -1;
    let best = -1;
    for (const [s, notes] of st.edits) {
      if (notes.length > 0 && s > p.doneEdit && s * this.ticksPerStep > st.last.time && (best < 0 || s < best)) best = s;
    }
    return best;
  }

  mark(st: GeneratorState, m: PlacerMark): void {
    const p = st.placer as EventPlacerState;
    m.doneEdit = p.doneEdit;
    m.keepOut = p.keepOut;
  }

  rewind(st: GeneratorState, m: PlacerMark): void {
    const p = st.placer as EventPlacerState;
    p.doneEdit = m.doneEdit;
    p.keepOut = m.keepOut;
    p.forced.length = 0;
    p.zeroDelays = 0;
  }

  checkNotes(notes: readonly (number | string)[]): void {
    for (const n of notes) this.codec.eventAt?.(n, 0);
  }

  /** The phrase's delays rounded up to whole bars. */
  primeSteps(events: readonly number[][], steps: number | undefined): number {
    if (steps !== undefined) return steps;
    const bar = this.codec.stepsPerBar;
    return Math.max(1, Math.ceil((this.span(events) + 1) / (this.ticksPerStep * bar))) * bar;
  }

  private span(events: readonly number[][]): number {
    return events.reduce((t, e) => t + this.codec.delay(e), 0);
  }

  // an event phrase has no bar lines of its own: it is read as given
  primePhrase(events: number[][]): number[][] {
    return events;
  }

  primePosition(job: PrimeJob): number {
    return job.index;
  }

  /**
   * The phrase started `job.steps` steps before now, its notes at their delays: the model's
   * next delay counts from its last note, but lands no earlier than now.
   */
  linePrimeUp(st: GeneratorState, job: PrimeJob): void {
    const now = st.step * this.ticksPerStep;
    st.last.time = Math.min(now - job.steps * this.ticksPerStep + job.span, now);
    (st.placer as EventPlacerState).keepOut = now;
  }
}
