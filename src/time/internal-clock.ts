/**
 * The internal clock: a lookahead scheduler in the manner of Tone.js's Clock. A loose timer
 * wakes every `interval` seconds; each wake hands out every pulse and step whose exact time
 * falls before `now() + lookahead`, stamped with that exact time. The timer can be late by
 * anything up to the lookahead without a note moving: listeners schedule ahead at the time
 * they are given, and times come from a tempo map, never from when the timer fired.
 *
 * Steps go out `maxEarly` of a step (default half, at the tempo of the moment) sooner than
 * that, so a hit played early by as much as an expressive drum model plays it (offset -0.5) is
 * still ahead of now when its step is handed out: at 120 BPM a step goes out 100 + 62.5 ms
 * ahead, at 60 BPM 100 + 125 ms, at 20 BPM (the slowest a performer can set, and the most added
 * at any tempo) 100 + 375 ms. A performer's change, and a stop, apply that much later;
 * `maxEarly: 0` hands steps out as late as the lookahead allows, for models that never play
 * early. A Player sets it from the model it plays (`maxEarlyFor`: 0.5 for drum-expressive, 0
 * for flat models), and again when the model changes while playing. Pulses still go out a lookahead ahead: a tempo change moves every pulse not yet handed
 * out, except those a step handed out ahead already starts on.
 *
 * Transport changes land at a step boundary not yet handed out, because what was handed out
 * may already be scheduled in a device and cannot be called back: `stop()` stops at the start
 * of the next step not yet emitted, `locate()` jumps there.
 *
 * @example
 * import { InternalClock } from './internal-clock.js';
 * const clock = new InternalClock({ bpm: 120, swing: 0.2 });
 * clock.onStep((e) => console.log(e.step, e.time.toFixed(4)));  // 0 t0, 1 t0+0.15, 2 t0+0.25 …
 * clock.start();
 * clock.setTempo(140, 96);            // from bar 2 on (96 pulses = 4 beats)
 * setTimeout(() => clock.stop(), 2000);
 */
import { PPQN, checkMaxEarly, type Clock, type StepEvent, type TransportEvent } from './clock.js';
import { Listeners, reportError } from './listeners.js';
import { TempoMap, checkBpm, secondsPerPulse } from './tempo-map.js';
import { defaultNow, defaultTimers, type Now, type Timers } from './time-source.js';
import { checkValue, valueArg } from '../music/controls.js';
import { swungPulse } from './swing.js';

/** The slowest tempo a performer can set (the control table's): steps go out early enough for it and no earlier. */
const SLOWEST_BPM = valueArg('bpm').min;

export interface InternalClockOptions {
  bpm: number;
  /** Pulses (24 per quarter) per step: 6 = 16ths (default), 12 = 8ths, 3 = 32nds. */
  pulsesPerStep?: number;
  /** 0..0.5 (the control table's swing): every second 16th starts `swing` × a 16th late (default 0). */
  swing?: number;
  /** How far ahead of `now()` pulses are handed out, in seconds (default 0.1). */
  lookahead?: number;
  /**
   * The earliest a note may come before its step, as a fraction of the step (default 0.5: an
   * expressive drum hit's offset goes down to -0.5). Steps are handed out that much sooner.
   */
  maxEarly?: number;
  /** How often the timer wakes, in seconds (default 0.025). */
  interval?: number;
  /** Time source in seconds (default: performance.now()/1000; pass `() => ctx.currentTime` for an AudioContext). */
  now?: Now;
  /** setTimeout/clearTimeout to wake with (tests pass fakes). */
  timers?: Timers;
  /** Where exceptions thrown by listeners go (default console.error); the clock keeps going. */
  onError?: (err: unknown) => void;
}

/** One MIDI clock pulse (24 per quarter note) at its exact time. */
export interface PulseEvent {
  /** Pulse index since song position 0. */
  pulse: number;
  time: number;
}

export class InternalClock implements Clock {
  readonly pulsesPerStep: number;
  readonly lookahead: number;
  readonly interval: number;
  readonly now: Now;

  private readonly timers: Timers;
  private readonly map: TempoMap;
  private readonly steps: Listeners<StepEvent>;
  private readonly pulses: Listeners<PulseEvent>;
  private readonly transport: Listeners<TransportEvent>;
  private swingAmount: number;
  private early: number;
  private isRunning = false;
  private timer: unknown = null;
  /** The next pulse to hand out. */
  private nextPulse = 0;
  /** The next step to hand out: a step goes out with the pulse it starts on, or before it. */
  private nextStep = 0;
  // bumped by every transport change, so an emitting loop notices a listener stopped or moved us
  private epoch = 0;
  /** Inside the loop that hands pulses out: a listener's tempo change is handed out by it. */
  private emitting = false;

  constructor(options: InternalClockOptions) {
    const { bpm, pulsesPerStep = 6, swing = 0, lookahead = 0.1, interval = 0.025, maxEarly = 0.5 } = options;
    checkBpm(bpm);
    if (!(Number.isInteger(pulsesPerStep) && pulsesPerStep >= 1 && pulsesPerStep <= 96)) throw new RangeError(`pulsesPerStep must be an integer in [1, 96], got ${pulsesPerStep}`);
    if (!(lookahead > 0 && lookahead <= 10)) throw new RangeError(`lookahead must be in (0, 10] seconds, got ${lookahead}`);
    checkMaxEarly(maxEarly);
    if (!(interval > 0 && interval <= lookahead)) throw new RangeError(`interval must be in (0, lookahead], got ${interval}`);
    checkSwing(swing);
    this.pulsesPerStep = pulsesPerStep;
    this.swingAmount = swing;
    this.lookahead = lookahead;
    this.early = maxEarly;
    this.interval = interval;
    this.now = options.now ?? defaultNow;
    this.timers = options.timers ?? defaultTimers;
    const onError = options.onError ?? reportError;
    this.steps = new Listeners(onError);
    this.pulses = new Listeners(onError);
    this.transport = new Listeners(onError);
    this.map = new TempoMap(bpm);
  }

  onStep(cb: (e: StepEvent) => void): () => void {
    return this.steps.add(cb);
  }

  onTransport(cb: (e: TransportEvent) => void): () => void {
    return this.transport.add(cb);
  }

  /** Every pulse (24 per quarter, straight: swing moves steps, not pulses), e.g. to send MIDI clock. */
  onPulse(cb: (e: PulseEvent) => void): () => void {
    return this.pulses.add(cb);
  }

  get running(): boolean {
    return this.isRunning;
  }

  /** The tempo at the playhead (the next pulse to go out). */
  get bpm(): number {
    return this.map.bpmAt(this.nextPulse);
  }

  /** The next step to be handed out (while stopped: where `continue()` resumes). */
  get position(): number {
    return Math.max(this.nextStep, Math.ceil(this.nextPulse / this.pulsesPerStep));
  }

  get swing(): number {
    return this.swingAmount;
  }

  /** How far ahead of its pulse's lookahead a step goes out, as a fraction of a step. */
  get maxEarly(): number {
    return this.early;
  }

  /**
   * From the next wake on (a model loaded while playing): steps already handed out stay out,
   * the others go out `maxEarly` of a step ahead of their time, plus the lookahead.
   */
  setMaxEarly(maxEarly: number): void {
    checkMaxEarly(maxEarly);
    this.early = maxEarly;
  }

  /** Applies to steps not yet handed out: the next step goes out swung the new way (the one in progress keeps its length). */
  setSwing(swing: number): void {
    checkSwing(swing);
    this.swingAmount = swing;
  }

  /** Exact time of a step on the current tempo map, swing included. */
  timeOfStep(step: number): number {
    return this.map.timeOf(this.swungPulse(step * this.pulsesPerStep));
  }

  /** Exact time of a pulse on the current tempo map (pulses are not swung). */
  timeOfPulse(pulse: number): number {
    return this.map.timeOf(pulse);
  }

  /**
   * How far ahead of its time a step is handed out now, seconds: the lookahead and `maxEarly`
   * of a step at the tempo of the next pulse (a swung step's longer half included).
   */
  get ahead(): number {
    const pulse = this.nextPulse;
    const longest = this.pulsesPerStep * (1 + this.swingAmount);
    // no further than at the slowest tempo a performer can set: a clock put to 1 BPM would
    // otherwise hand steps out 7.5 s ahead, and a change back to a playing tempo comes that late
    const step = Math.min(this.map.timeOf(pulse + longest) - this.map.timeOf(pulse), longest * secondsPerPulse(SLOWEST_BPM));
    return this.lookahead + this.early * step;
  }

  /**
   * Play from song position 0, the first step at `time` (default: `now()` + `ahead`, so step
   * 0 has as much headroom as any other). While running: stops first, then starts over.
   */
  start(time?: number): void {
    let at = time ?? this.now() + this.ahead;
    if (this.isRunning) {
      const stopped = this.halt();
      this.transport.emit({ type: 'stop', time: stopped });
      at = Math.max(at, stopped);
    }
    this.map.reset(0, at, this.map.bpmAt(this.nextPulse));
    this.nextPulse = 0;
    this.nextStep = 0;
    this.run({ type: 'start', time: at });
  }

  /** Play on from where `stop()` left off (or from a `locate`), the first step at `time`. */
  continue(time?: number): void {
    if (this.isRunning) return;
    const at = time ?? this.now() + this.ahead;
    this.map.anchor(this.nextPulse, at);
    this.run({ type: 'continue', time: at });
  }

  /** Stop at the start of the next step not yet handed out; the 'stop' event carries that time. */
  stop(): void {
    if (!this.isRunning) return;
    const time = this.halt();
    this.transport.emit({ type: 'stop', time });
  }

  /**
   * Jump to `step`. Stopped: `continue()` starts there. Running: the next step handed out is
   * `step`, at the time the next step would have had. Either way the tempo in effect stays and
   * tempo changes scheduled ahead are dropped (their pulses meant the old position).
   */
  locate(step: number): void {
    if (!(Number.isInteger(step) && step >= 0)) throw new RangeError(`step must be an integer ≥ 0, got ${step}`);
    const pulse = step * this.pulsesPerStep;
    if (!this.isRunning) {
      this.epoch++;
      this.map.reset(pulse, this.map.timeOf(this.nextPulse), this.map.bpmAt(this.nextPulse));
      this.nextPulse = pulse;
      this.nextStep = step;
      this.transport.emit({ type: 'position', step, time: this.now() });
      return;
    }
    const epoch = this.flushToStep();
    if (epoch !== this.epoch) return; // a pulse listener moved the transport itself
    const time = this.map.timeOf(this.nextPulse);
    this.epoch++;
    this.map.reset(pulse, time, this.map.bpmAt(this.nextPulse));
    this.nextPulse = pulse;
    this.nextStep = step;
    this.transport.emit({ type: 'position', step, time });
  }

  /**
   * Change the tempo from pulse `atPulse` on (a pulse already handed out cannot change, so
   * earlier pulses mean the next one). The change replaces any change scheduled at or after
   * that pulse. Emits a 'tempo' event at the change's time.
   *
   * Without `atPulse` the change takes effect at once, in the step in progress: the next pulse
   * comes a period of the new tempo after the last one handed out (at 1 BPM a pulse is 2.5 s
   * away; changed to 120 BPM it comes 21 ms after the last one, or now if that is past, and
   * goes out at once, not at the next wake, by when it would be past). When it cannot come
   * that soon, the one pulse in between takes the time it takes, as a tempo of
   * its own, so the map (and a recording of it) stays a list of tempo changes at pulses.
   */
  setTempo(bpm: number, atPulse?: number): void {
    checkBpm(bpm);
    if (atPulse !== undefined && !Number.isInteger(atPulse)) throw new RangeError(`atPulse must be an integer, got ${atPulse}`);
    // the first pulse whose time may change: not one handed out, nor one a step handed out starts on
    const next = Math.max(this.nextPulse, (this.nextStep - 1) * this.pulsesPerStep + 1);
    if (atPulse === undefined && this.isRunning && next > 0) {
      const last = this.map.timeOf(next - 1);
      const due = this.map.timeOf(next);
      const period = secondsPerPulse(bpm);
      // never before now (a late pulse), never later than the old tempo had it
      const gap = Math.max(period, Math.min(due, this.now()) - last);
      this.map.prune(this.nextPulse - 1);
      if (gap > period * (1 + 1e-9)) {
        const between = 60 / (gap * PPQN);
        this.map.restartAt(next - 1, last, between);
        this.map.setTempo(next, bpm);
        this.transport.emit({ type: 'tempo', bpm: between, time: last, pulse: next - 1 });
        this.transport.emit({ type: 'tempo', bpm, time: last + gap, pulse: next });
      } else {
        this.map.restartAt(next - 1, last, bpm);
        this.transport.emit({ type: 'tempo', bpm, time: last, pulse: next - 1 });
      }
      // the next pulse may now be due within the lookahead, or at once (a change from a slow
      // tempo): hand it out now rather than at the next wake, when it would be past
      if (!this.emitting && this.isRunning) this.emitBefore(this.now());
      return;
    }
    const pulse = Math.max(atPulse ?? next, next);
    this.map.prune(this.nextPulse);
    this.map.setTempo(pulse, bpm);
    this.transport.emit({ type: 'tempo', bpm, time: this.isRunning ? this.map.timeOf(pulse) : this.now(), pulse });
  }

  // ---- scheduling ---------------------------------------------------------------------

  private run(e: TransportEvent): void {
    this.isRunning = true;
    const epoch = ++this.epoch;
    this.transport.emit(e);
    if (epoch === this.epoch) this.wake();
  }

  private readonly wake = (): void => {
    this.timer = null;
    if (!this.isRunning) return;
    this.emitBefore(this.now());
    if (this.isRunning && this.timer === null) this.timer = this.timers.setTimeout(this.wake, this.interval * 1000);
  };

  /**
   * Hand out every pulse (and the step it starts) whose time is before `now` + the lookahead,
   * then the steps whose first pulse is before `now` + `ahead`, ahead of their pulses.
   */
  private emitBefore(now: number): void {
    this.emitting = true;
    try {
      this.emitUntil(now);
    } finally {
      this.emitting = false;
    }
  }

  private emitUntil(now: number): void {
    const epoch = this.epoch;
    const stepHorizon = now + this.ahead;
    while (this.isRunning && epoch === this.epoch) {
      const pulse = this.nextPulse;
      const time = this.map.timeOf(pulse);
      if (time >= now + this.lookahead) break;
      this.emitPulse(pulse, time);
    }
    while (this.isRunning && epoch === this.epoch && this.map.timeOf(this.nextStep * this.pulsesPerStep) < stepHorizon) this.emitStep(this.nextStep);
  }

  private emitPulse(pulse: number, time: number): void {
    const epoch = this.epoch;
    this.nextPulse = pulse + 1;
    if (this.pulses.size) this.pulses.emit({ pulse, time });
    if (epoch !== this.epoch || pulse % this.pulsesPerStep !== 0) return;
    const step = pulse / this.pulsesPerStep;
    if (step >= this.nextStep) this.emitStep(step);
    if (step % 64 === 0 && epoch === this.epoch) this.map.prune(pulse);
  }

  private emitStep(step: number): void {
    this.nextStep = step + 1;
    const start = this.timeOfStep(step);
    const stepDuration = this.timeOfStep(step + 1) - start;
    this.steps.emit({ step, time: start, stepDuration, bpm: this.map.bpmAt(step * this.pulsesPerStep) });
  }

  /** Hand out the pulses up to the next step not yet handed out, so pulses and steps agree on where we are. */
  private flushToStep(): number {
    const epoch = this.epoch;
    while (this.isRunning && epoch === this.epoch && this.nextPulse < this.nextStep * this.pulsesPerStep) {
      this.emitPulse(this.nextPulse, this.map.timeOf(this.nextPulse));
    }
    return this.epoch;
  }

  /** Stop the timer at the next step boundary; returns its time. */
  private halt(): number {
    this.flushToStep();
    this.isRunning = false;
    this.epoch++;
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    // a swung step starts after its pulse: the last step handed out plays to its end
    return Math.max(this.map.timeOf(this.nextPulse), this.timeOfStep(this.nextStep), this.now());
  }

  private swungPulse(pulse: number): number {
    return swungPulse(pulse, this.swingAmount);
  }
}

function checkSwing(swing: number): void {
  checkValue('swing', swing);
}
