/**
 * The page's swing and its history for the performance log. The internal clock swings by its
 * own step count, which starts over at every Start while the generator's ticks go on; so each
 * entry says which clock step its tick went out as, and a new entry is written whenever the two
 * counts part (a Start, another clock). `pulse-rnn replay` then swings the same 16ths.
 *
 * @example
 * const swings = new SwingLog();
 * clock.onStep((e) => swings.step(gen.ticks, e.step));   // before the step plays
 * swings.set(gen.ticks, 0.2);                            // from the next step handed out
 * log.session.swings = swings.entries();
 */
import { checkValue } from '../../music/controls.js';
import type { SwingEntry } from '../session-log.js';

export class SwingLog {
  private list: SwingEntry[] = [];
  /** Clock step − tick of the last step handed out (null: none yet since the last restart). */
  private stepOffset: number | null = null;
  private value = 0;

  /** Clock step − generator tick of the steps going out now (null: none since the last restart). */
  get offset(): number | null {
    return this.stepOffset;
  }

  /** The swing in force (or to be, from the next step). */
  get swing(): number {
    return this.value;
  }

  /** A new generator: its ticks count from 0, and its log starts over. */
  restart(): void {
    this.list = [];
    this.stepOffset = null;
  }

  /** A step about to play: tick `tick` of the generator, step `step` of the clock. */
  step(tick: number, step: number): void {
    if (this.stepOffset === step - tick) return;
    this.stepOffset = step - tick;
    this.list.push({ tick, swing: this.value, step });
  }

  /** A new swing from the next step handed out (tick `tick`); throws naming a value out of range. */
  set(tick: number, swing: number): void {
    checkValue('swing', swing);
    this.value = swing;
    if (this.stepOffset !== null) this.list.push({ tick, swing, step: tick + this.stepOffset });
  }

  /** The entries so far (copies), oldest first. */
  entries(): SwingEntry[] {
    return this.list.map((x) => ({ ...x }));
  }
}
