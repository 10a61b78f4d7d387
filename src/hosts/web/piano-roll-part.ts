/**
 * The performer's hands on a melodic or chord part: what its piano roll shows, a pitch
 * toggled at an upcoming step (written with the Generator's `edit`, so the model hears it and
 * continues from it), the edits ahead cleared, and the lock the part's model offers. Every
 * musical decision stays the Generator's; this only turns a click into its controls.
 *
 * @example
 * const part = new RollPart(() => stage.gen);
 * part.toggle(gen.step + 3, 64);      // E4 at the step three ahead (a melody: instead of what was there)
 * part.clearEdits();                  // the model chooses those steps again
 * part.toggleLock();                  // a chord part: its last bar of chords, bar after bar
 * part.togglePitchLock(60);           // a chord part: C4 where it sounded in the last bar
 */
import type { Generator } from '../../music/generator.js';
import { WHOLE_PART } from '../../music/held-keys.js';
import { rollSteps, toggledStep, type RollStep } from './piano-roll-steps.js';

export class RollPart {
  /** The first tick the roll shows (a Start shows only the steps played since). */
  fromTick = 0;

  constructor(private readonly current: () => Generator | null) {}

  get gen(): Generator | null {
    return this.current();
  }

  /** Step → what sounds through it, from the steps played since `fromTick` to the end of the lookahead. */
  steps(): Map<number, RollStep> {
    const gen = this.current();
    if (!gen) return new Map();
    const played = gen.played().filter((s) => s.tick >= this.fromTick);
    return rollSteps(played, gen.upcomingNotes(), gen.edits, gen.step);
  }

  /** Toggle `pitch` at the upcoming `step`; returns what the step now holds, as written. */
  toggle(step: number, pitch: number): (number | string)[] {
    const gen = this.need('edit');
    if (step < gen.step) throw new Error(`step ${step + 1} has already played`);
    const now = this.steps().get(step)?.sounding ?? [];
    const notes = toggledStep(gen.codec, now, pitch);
    gen.edit(step, notes);
    return notes;
  }

  /** Forget every edit of a step still to play: the model chooses those steps again. */
  clearEdits(): number {
    const gen = this.current();
    if (!gen) return 0;
    const ahead = gen.edits.filter((e) => e.step >= gen.step);
    for (const e of ahead) gen.clearEdit(e.step);
    return ahead.length;
  }

  /**
   * Why the part cannot be locked, or null when it can: a chord model locks the whole part (its
   * last bar of chords, again and again) and each pitch row; a melody has nothing a lock could
   * hold (the codec's own words say so).
   */
  lockRefusal(): string | null {
    const gen = this.current();
    if (!gen) return 'no model loaded yet';
    if (gen.codec.frameKeys || gen.codec.voices.length > 0) return null;
    try {
      gen.codec.voiceMask(0, false, new Uint8Array(0));
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    return null;
  }

  /** Whether the whole part is locked (a chord part's 'chords', or every voice). */
  get locked(): boolean {
    const gen = this.current();
    if (!gen) return false;
    return gen.codec.frameKeys ? gen.locks.some((l) => l.voice === WHOLE_PART) : gen.locks.length > 0;
  }

  /** The pitch rows locked on their own (a chord part's). */
  lockedRows(): Set<number> {
    const gen = this.current();
    const rows = new Set<number>();
    if (gen?.codec.frameKeys) for (const l of gen.locks) if (l.voice !== WHOLE_PART) rows.add(Number(l.voice));
    return rows;
  }

  /** Lock the whole part as the last bar played it, or free it; returns whether it is locked now. */
  toggleLock(): boolean {
    const gen = this.need('lock');
    const why = this.lockRefusal();
    if (why) throw new Error(why.startsWith('lock') ? why : `lock: ${why}`);
    const whole = gen.codec.frameKeys ? [WHOLE_PART] : gen.codec.voices;
    if (this.locked) {
      for (const v of whole) gen.unlock(v);
      return false;
    }
    for (const v of whole) gen.lock(v);
    return true;
  }

  /** Lock one pitch row (a chord part's key: it sounds where it sounded in the last bar), or free it. */
  togglePitchLock(pitch: number): boolean {
    const gen = this.need('lock');
    if (!gen.codec.frameKeys) throw new Error(`lock: a pitch row locks on a chord model; ${this.lockRefusal() ?? `${gen.codec.name} models lock whole`}`);
    if (this.lockedRows().has(pitch)) {
      gen.unlock(pitch);
      return false;
    }
    gen.lock(pitch);
    return true;
  }

  private need(what: string): Generator {
    const gen = this.current();
    if (!gen) throw new Error(`${what}: no model loaded yet`);
    return gen;
  }
}
