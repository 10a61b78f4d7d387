/**
 * The upcoming steps (the lookahead) as they will sound: each event generated ahead played
 * through the codec, at the place in its step the performer's timing gives it, and shaped by
 * dynamics and velocity scales as they apply now, just as the tick that plays it will (a
 * control still waiting changes what a later read shows). A display draws each hit's velocity
 * and offset ahead of the play head from this. Mute is left out: a muted performance shows
 * what it would play.
 *
 * The steps and their notes are made the first time that many are ahead, then reused: a read
 * allocates nothing once the lookahead is full (as many steps ahead as before, which a grid
 * model always has), and each read overwrites the last one's steps (copy what you keep, as with
 * `tick()`'s result).
 *
 * @example
 * const ahead = new UpcomingNotes(codec);
 * for (const s of ahead.read(st)) for (let i = 0; i < s.count; i++) draw(s.step, s.notes[i]);
 */
import type { Codec, PlayState } from './codec.js';
import type { GeneratorState } from './generator-state.js';
import type { StepResult } from './generator-types.js';
import { slotAt } from './ring.js';
import { copyInto, emptyResult, reserve, StepTarget } from './step-result.js';

export class UpcomingNotes {
  /** Where one step's events are played before they are copied out. */
  private readonly scratch = emptyResult();
  private readonly target: StepTarget;
  /** The held note as it will be, step by step (a melody's), apart from the generator's. */
  private readonly play: PlayState;
  /** Every step object made so far; `steps` lists the ones the last read filled. */
  private readonly made: StepResult[] = [];
  private readonly steps: StepResult[] = [];
  /** Steps filled by the read under way. */
  private filled = 0;
  /** The most notes and releases any step has held: every step object grows to them at once. */
  private mostNotes = 0;
  private mostReleases = 0;

  constructor(private readonly codec: Codec) {
    this.target = new StepTarget(this.scratch, codec);
    this.play = codec.frameKeys ? { sounding: -1, keys: new Uint8Array(128) } : { sounding: -1 };
  }

  /** The steps ahead, in order, each with its notes (`count` of them) and releases. */
  read(st: GeneratorState): readonly StepResult[] {
    const { ring, values } = st;
    const tps = this.codec.ticksPerStep;
    const bar = this.codec.stepsPerBar;
    const r = this.scratch;
    this.play.sounding = st.play.sounding;
    if (this.play.keys && st.play.keys) this.play.keys.set(st.play.keys);
    this.filled = 0;
    for (let i = 0; i < ring.size; i++) {
      const e = slotAt(ring, i);
      const t = placed(e.time, tps, values.timing);
      // an event placed before the step playing next (after a jump) sounds at that step's start
      const step = Math.max(st.step, Math.floor(t / tps));
      if (i === 0 || step !== r.step) {
        if (i > 0) this.keep(st);
        r.step = step;
        r.count = 0;
        r.releaseCount = 0;
      }
      this.target.offset = Math.max(0, t - step * tps);
      const before = r.count;
      this.codec.play(e.event, ((step % bar) + bar) % bar, this.play, this.target);
      this.target.shape(before, values);
    }
    if (ring.size > 0) this.keep(st);
    // entries are overwritten in place, and the list cut only when fewer steps are ahead than
    // before: emptying it and pushing again would make its backing store anew on every read
    if (this.steps.length > this.filled) this.steps.length = this.filled;
    return this.steps;
  }

  /** Copy the step just played into the next step object. */
  private keep(st: GeneratorState): void {
    const k = this.filled++;
    if (k === this.made.length) this.made.push(emptyResult());
    const out = this.made[k];
    // each of the step objects would otherwise grow note by note, each the first time it holds
    // that many, for thousands of reads after the lookahead is full
    if (this.scratch.count > this.mostNotes) this.mostNotes = this.scratch.count;
    if (this.scratch.releaseCount > this.mostReleases) this.mostReleases = this.scratch.releaseCount;
    reserve(out, this.mostNotes, this.mostReleases);
    copyInto(out, this.scratch);
    // the tick it will play at, when nothing pauses it
    out.tick = st.tick + (out.step - st.step);
    out.paused = false;
    out.muted = st.values.muted;
    if (k < this.steps.length) this.steps[k] = out;
    else this.steps.push(out);
  }
}

/** Where the performer's timing puts an event made for tick `t`: as the Generator's tick places it. */
function placed(t: number, tps: number, timing: number): number {
  if (timing === 1) return t;
  const line = Math.round(t / tps) * tps;
  return line + timing * (t - line);
}
