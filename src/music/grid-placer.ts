/**
 * Grid models: one event per clock step, sitting on the step's start. A step a human wrote
 * plays as written; a locked voice is held to its pattern by masking every head-0 token that
 * would play it otherwise, and a voice left out by masking every token that plays it; the rest
 * is the model's draw. A codec with `voiceHeads` (the
 * expressive drum grid) then draws each hit's bins from heads conditioned on the token drawn,
 * but for a voice locked as it played, whose hits keep their bins (`held-bins.ts`).
 */
import type { Codec } from './codec.js';
import type { Cursor, GeneratorState } from './generator-state.js';
import type { HeadSampler, Placer, PlacerState } from './placer.js';
import { heldBin } from './held-bins.js';
import { holdKeys } from './held-keys.js';
import type { PrimeJob } from './prime-reader.js';
import { maskLeftOut } from './voice-bias.js';

export class GridPlacer implements Placer {
  private readonly ticksPerStep: number;
  private readonly voices: number;

  constructor(
    private readonly codec: Codec,
    private readonly heads: HeadSampler,
  ) {
    this.ticksPerStep = codec.ticksPerStep;
    this.voices = codec.voices.length;
  }

  initialState(): PlacerState {
    return {};
  }

  /** The event before step s is step s − 1's. */
  startTime(s: number): number {
    return (s - 1) * this.ticksPerStep;
  }

  /** The event that covers up to `until` is the one on the step before it. */
  fillLimit(until: number): number {
    return until - this.ticksPerStep;
  }

  /** The step the next event plays at. */
  position(last: Cursor): number {
    return Math.round(last.time / this.ticksPerStep) + 1;
  }

  choose(st: GeneratorState, step: number, ev: Int32Array): number {
    const at = st.last.time + this.ticksPerStep;
    const edit = st.edits.get(step);
    if (edit) {
      ev.set(this.codec.eventFromNotes(edit));
      return at;
    }
    if (this.codec.frameKeys) {
      this.heads.sampleFrame(st.values, ev);
      if (st.locks.length > 0) holdKeys(st.locks, step, ev, this.codec.stepsPerBar);
      return at;
    }
    const masked = this.maskLocks(st, step);
    const voiceHeads = this.codec.voiceHeads;
    if (!voiceHeads) {
      for (let h = 0; h < ev.length; h++) ev[h] = this.heads.sample(st.values, h, masked && h === 0);
      return at;
    }
    ev[0] = this.heads.sample(st.values, 0, masked);
    for (let k = 0; k < voiceHeads.length; k++) this.sampleVoices(st, step, ev, k);
    return at;
  }

  /**
   * The `k`th conditioned head, conditioned on the token just drawn: a bin for each voice the
   * token hits, into the event after the token; −1 for the others. A locked voice plays the bin
   * its lock holds. Silent and held voices draw nothing (the random stream moves only for the
   * bins drawn, so a bin never depends on what a silent voice would have drawn).
   */
  private sampleVoices(st: GeneratorState, step: number, ev: Int32Array, k: number): void {
    const h = (this.codec.voiceHeads as readonly number[])[k];
    const from = 1 + k * this.voices;
    const token = ev[0];
    this.heads.condition(h, token);
    const bins = this.heads.size(h) / this.voices;
    for (let v = 0; v < this.voices; v++) {
      if (!this.codec.hasVoice(token, v)) {
        ev[from + v] = -1;
        continue;
      }
      const held = st.locks.length > 0 ? heldBin(st.locks, step, v, k, this.codec.stepsPerBar) : -1;
      ev[from + v] = held >= 0 ? held : this.heads.sampleGroup(st.values, h, v * bins, bins);
    }
  }

  /**
   * Fill head 0's mask from the voices left out and the locks holding at `step`; whether any
   * does. A voice left out stays out even where a lock would play it: its lock is skipped.
   */
  private maskLocks(st: GeneratorState, step: number): boolean {
    const leftOut = st.values.leftOut;
    if (st.locks.length === 0 && leftOut.indexOf(true) < 0) return false;
    const mask = this.heads.masks[0];
    mask.fill(0);
    let masked = maskLeftOut(this.codec, leftOut, mask);
    for (let i = 0; i < st.locks.length; i++) {
      const l = st.locks[i];
      if (step < l.from || (l.until !== null && step >= l.until) || leftOut[l.voice]) continue;
      this.codec.voiceMask(l.voice, l.pattern[step % this.codec.stepsPerBar] === 1, mask);
      masked = true;
    }
    return masked;
  }

  // a grid event depends only on its step: nothing to remember or undo
  mark(): void {}
  rewind(): void {}

  checkNotes(notes: readonly (number | string)[]): void {
    this.codec.eventFromNotes(notes);
  }

  /** One event a step. */
  primeSteps(events: readonly number[][], steps: number | undefined): number {
    return steps ?? events.length;
  }

  /**
   * A phrase's first step is a bar line, as a MIDI file's is, so the model hears each hit at its
   * own place in the bar: a phrase that stops short of a bar line (a file ends with its last
   * note) is filled with rests to it, and when the step it takes effect at is not on a bar line,
   * the phrase's last bar goes on up to that step, as a drummer would keep playing it. A kick on
   * the phrase's beat one is thus heard on beat one wherever in the bar the prime lands.
   *
   * @example
   * placer.primePhrase(oneBarMinusItsLastRest, 20); // 15 steps → 16 (a rest) + the bar's first 4
   */
  primePhrase(events: number[][], end: number): number[][] {
    const bar = this.codec.stepsPerBar;
    const whole = Math.ceil(events.length / bar) * bar;
    const out = events.slice();
    while (out.length < whole) out.push(this.codec.startEvent());
    const into = ((end % bar) + bar) % bar;
    for (let j = 0; j < into; j++) out.push(out[whole - bar + j].slice());
    return out;
  }

  /** The phrase ends on the step before `job.end`, so each event reads its place in the bar. */
  primePosition(job: PrimeJob, i: number): number {
    return job.end - job.events.length + i;
  }

  linePrimeUp(st: GeneratorState): void {
    st.last.time = this.startTime(st.step);
  }
}
