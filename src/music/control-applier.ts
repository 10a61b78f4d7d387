/**
 * How the Generator's controls reach the music: queued when the performer calls them (checked
 * then), applied at the start of the next tick in the order they came, at most
 * CONTROLS_PER_TICK a tick (every one in a replay), each going into the performance log with
 * the tick and step it applied at (`control-handlers.ts` does what each one means). A control
 * that throws then is dropped and reported, and the log keeps it marked, so a replay drops it
 * again without a word. Applying allocates nothing but the log's entry.
 *
 * @example
 * const controls = new ControlApplier();
 * controls.queue(state, { type: 'density', value: 1 });   // when called
 * controls.apply(parts, state, reports);                   // at the next tick
 */
import { HANDLERS, type Machinery } from './control-handlers.js';
import { CONTROLS_PER_TICK, queueControl, takeControls } from './control-queue.js';
import { checkLoggedControl } from './controls.js';
import type { GeneratorState } from './generator-state.js';
import { tell, type Control, type GeneratorReports, type LogEntry, type PerformanceLog, type StepCopy, type StepResult } from './generator-types.js';
import { copyStep } from './step-result.js';

export class ControlApplier {
  /** The controls a tick applies, reused. */
  private readonly applying: Control[] = [];
  private replaying = false;
  /** While replaying: the controls the log marks as dropped, which drop again without a word. */
  private droppedBefore: ReadonlySet<Control> | null = null;

  queue(st: GeneratorState, c: Control, replaying = false): void {
    // a log says what applied: nothing of it is folded into later controls
    if (replaying) checkLoggedControl(c);
    queueControl(st, c, replaying);
  }

  /** Apply the queued controls, at most CONTROLS_PER_TICK of them (all of them in a replay). */
  apply(m: Machinery, st: GeneratorState, reports: GeneratorReports): void {
    takeControls(st, this.replaying ? Infinity : CONTROLS_PER_TICK, this.applying);
    for (let i = 0; i < this.applying.length; i++) this.applySafely(m, st, reports, this.applying[i]);
    this.applying.length = 0;
  }

  /**
   * Play a log's ticks again: before each, `queue` takes the controls the log applied at it;
   * `tick` plays it. Returns every step.
   */
  replay(log: PerformanceLog, queue: (c: Control) => void, tick: () => StepResult): StepCopy[] {
    const out: StepCopy[] = [];
    let next = 0;
    const entries = [...log.entries].sort((a, b) => a.tick - b.tick);
    this.replaying = true;
    // the performer was told of these as they played; a replay that drops another is news
    this.droppedBefore = new Set(entries.filter((e) => e.dropped !== undefined).map((e) => e.control));
    try {
      for (let t = 0; t < log.ticks; t++) {
        while (next < entries.length && entries[next].tick === t) queue(entries[next++].control);
        out.push(copyStep(tick()));
      }
    } finally {
      this.replaying = false;
      this.droppedBefore = null;
    }
    return out;
  }

  /** A control that throws is dropped and reported; the log keeps it, marked, so a replay does the same. */
  private applySafely(m: Machinery, st: GeneratorState, reports: GeneratorReports, c: Control): void {
    const entry: LogEntry = { tick: st.tick, step: st.step, control: c };
    st.entries.push(entry);
    try {
      (HANDLERS[c.type] as (m: Machinery, st: GeneratorState, c: Control) => void)(m, st, c);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      entry.dropped = err.message;
      if (!this.droppedBefore?.has(c)) tell(reports, 'dropped', c, err, st.tick);
    }
  }
}
