/**
 * The shared clock's 16ths as one part's steps. Every `[v8]` of a Max set is banged by the same
 * clock, one bang a 16th, and counts the bangs since the last `locate` (a MIDI start sends
 * `locate 0` to every part). A model of 4 steps a quarter (drums, melodies) plays a step every
 * bang; one of 2 or 1 (a chord model whose steps are quarter notes) every 2nd or 4th bang, on
 * the 16ths the bar starts from, so its steps fall on the beats the drums count. A part
 * loaded mid-set comes in at the step the clock has reached, in step with the others.
 *
 * @example
 * const clock = new SixteenthClock();
 * clock.setStepsPerQuarter(1);   // chords, a step a quarter
 * [0, 1, 2, 3, 4].map(() => clock.bang()); // [true, false, false, false, true]
 * clock.step;                    // 2: the step the next bang that plays one plays
 */
export const SIXTEENTHS_PER_QUARTER = 4;

export class SixteenthClock {
  /** The number of the next 16th, counted from the last `locate` (or from the first bang). */
  next = 0;
  /** Bangs a step of the model takes. */
  every = 1;

  /**
   * Set from the model's steps per quarter; returns why the 16ths cannot carry it (more than 4
   * a quarter, or 3: a step would fall between two bangs), when they cannot: the model then
   * plays one step a bang.
   */
  setStepsPerQuarter(spq: number): string | null {
    if (spq > 0 && SIXTEENTHS_PER_QUARTER % spq === 0) {
      this.every = SIXTEENTHS_PER_QUARTER / spq;
      return null;
    }
    this.every = 1;
    return `its ${spq} steps a quarter do not fall on a clock of 16ths: it plays one step a bang, so set the clock to its steps`;
  }

  /** One bang of the clock: whether it starts a step of the model. */
  bang(): boolean {
    const starts = this.next % this.every === 0;
    this.next++;
    return starts;
  }

  /** The clock jumps to step `step` of the model: the next bang starts it. */
  locate(step: number): void {
    this.next = step * this.every;
  }

  /** The step of the model the next bang that starts one plays. */
  get step(): number {
    return Math.ceil(this.next / this.every);
  }
}
