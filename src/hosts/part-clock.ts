/**
 * One part's view of the performance's clock: every `every`-th step of it from step `from` on,
 * as one step of the part's, lasting `every` clock steps. A chord part stepping once a quarter
 * beside drums in 16ths sees every fourth step; a part added mid-set sees its first at the next
 * bar line (`from`), so its step in the bar is the clock's. Transport (start, stop, dropout,
 * tempo) passes through as it is, so the part's Player silences and follows as the first's does.
 * The clock hands steps out as early as the earliest of the parts asks (`setMaxEarly`).
 *
 * @example
 * const keys = new PartClock(clock, { every: 4, from: 32 });   // quarters, from bar 3 of 16ths
 * const player = new Player(keys, keysGenerator, [keysSink]);
 * // … keys.dispose() when the part leaves
 */
import type { Clock, StepEvent, TransportEvent } from '../time/clock.js';
import { Listeners } from '../time/listeners.js';

export interface PartClockOptions {
  /** Clock steps a part step lasts (default 1). */
  every?: number;
  /** The clock step of the part's first step (default 0); steps before it are not the part's. */
  from?: number;
}

/** How far ahead each part's Player asked the shared clock to hand steps out. */
const early = new WeakMap<Clock, Map<PartClock, number>>();

export class PartClock implements Clock {
  readonly every: number;
  readonly from: number;
  private readonly steps = new Listeners<StepEvent>((e) => {
    throw e;
  });
  private readonly transport = new Listeners<TransportEvent>((e) => {
    throw e;
  });
  private readonly offs: (() => void)[];
  /** Reused: a step is handed out without allocating. */
  private readonly event: StepEvent = { step: 0, time: 0, stepDuration: 0, bpm: 0 };

  constructor(
    readonly clock: Clock,
    o: PartClockOptions = {},
  ) {
    this.every = o.every ?? 1;
    this.from = o.from ?? 0;
    if (!(Number.isInteger(this.every) && this.every >= 1)) throw new RangeError(`every must be a whole number ≥ 1, got ${this.every}`);
    if (!(Number.isInteger(this.from) && this.from >= 0)) throw new RangeError(`from must be a whole number ≥ 0, got ${this.from}`);
    this.offs = [clock.onStep((e) => this.step(e)), clock.onTransport((e) => this.transport.emit(e))];
  }

  get running(): boolean {
    return this.clock.running;
  }

  get bpm(): number {
    return this.clock.bpm;
  }

  now(): number {
    return this.clock.now();
  }

  onStep(cb: (e: StepEvent) => void): () => void {
    return this.steps.add(cb);
  }

  onTransport(cb: (e: TransportEvent) => void): () => void {
    return this.transport.add(cb);
  }

  /** Whether the clock's step `step` is one of the part's. */
  owns(step: number): boolean {
    return step >= this.from && (step - this.from) % this.every === 0;
  }

  /** The first of the part's steps at or after the clock's step `step`, as a clock step. */
  nextOwned(step: number): number {
    return step <= this.from ? this.from : this.from + Math.ceil((step - this.from) / this.every) * this.every;
  }

  /** The clock hands steps out as early as the earliest part asks. */
  setMaxEarly(maxEarly: number): void {
    let asked = early.get(this.clock);
    if (!asked) early.set(this.clock, (asked = new Map()));
    asked.set(this, maxEarly);
    this.clock.setMaxEarly?.(Math.max(...asked.values()));
  }

  /** Stops following the clock. */
  dispose(): void {
    for (const off of this.offs) off();
    this.offs.length = 0;
    const asked = early.get(this.clock);
    if (asked?.delete(this) && asked.size > 0) this.clock.setMaxEarly?.(Math.max(...asked.values()));
  }

  private step(e: StepEvent): void {
    if (!this.owns(e.step)) return;
    const x = this.event;
    x.step = Math.floor(e.step / this.every);
    x.time = e.time;
    x.stepDuration = e.stepDuration * this.every;
    x.bpm = e.bpm;
    this.steps.emit(x);
  }
}
