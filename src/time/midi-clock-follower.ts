/**
 * Follow an external MIDI clock on a WEBMIDI.js `Input` (or a native one, native-midi.ts): 0xF8 pulses (24 per quarter), 0xFA
 * start, 0xFB continue, 0xFC stop, 0xF2 song position. Steps advance by counting pulses, 6 to a
 * 16th, never by the tempo estimate, so the follower cannot drift from its master by a single
 * step whatever the jitter. The tempo and the times handed out come from `PulseFit`, a line
 * through the last beat of pulses: a step's time is the de-jittered time of the pulse that
 * starts it (the pulse's timestamp from WEBMIDI.js, on performance.now()'s timebase).
 *
 * Steps are handed out ahead of their pulse, so a hit played early (an expressive drum model's
 * offset goes down to -0.5 of a step) is still ahead of now: once the fit holds three pulses,
 * each pulse hands out every step whose predicted time (the line carried forward) is within
 * `maxEarly` of a step plus `margin` of the next pulse's arrival. A step is so handed out
 * between that lead and a pulse more ahead of its time (at 120 BPM 72.5 to 93 ms). When the
 * prediction turns out wrong (a tempo jump, a stop, a song position, a dropout), a step
 * already handed out keeps its notes and time; it is never handed out again, no step is
 * skipped, and the steps after it follow the new fit. Until the fit holds three pulses (after
 * a start with no clock before it, after a dropout), each step goes out when its own pulse
 * arrives, as with `maxEarly: 0`, which a Player sets for a model that never plays early
 * (`maxEarlyFor`: flat models), so following costs those no latency.
 *
 * The protocol, as read here:
 * - 0xFA start: song position 0; the first 0xF8 after it is pulse 0, and starts step 0.
 * - 0xFB continue: from the position where the clock stopped (or was put by 0xF2); the first
 *   0xF8 after it is that position's pulse. A continue without a start plays from 0 (or from the
 *   song position received); a continue while running changes nothing.
 * - 0xFC stop: no more steps; the position stays at the last pulse counted. Stop twice: nothing.
 * - 0xF2 song position (LSB, MSB: 16ths since the top): sets the position; the next pulse
 *   counted is 6 × that. The MIDI spec has masters send it only while stopped (then 0xFB), and
 *   says nothing of a receiver's duty while playing, so by default it is followed while running
 *   too (Ableton Live sends it on a loop jump): the next 0xF8 is the new position's pulse.
 *   `positionWhileRunning: 'ignore'` does as Ardour does instead.
 * - 0xF8 while stopped: tempo only (many masters keep sending clock when stopped).
 * - 0xFF system reset: stop, position 0.
 * - No pulse for max(250 ms, 3 periods) while running: a 'dropout' event, no steps. The period
 *   is the longer of the fitted one and the last interval, so a clock that slows down, however
 *   far, is followed and not dropped; before two pulses have given a tempo, any gap a clock of
 *   1 BPM could leave is waited out (a 5 BPM clock locks). The next pulse after a dropout
 *   re-locks the tempo from scratch and counting goes on from the last pulse counted; pulses
 *   lost in the gap are not guessed (a start or song position from the master puts it right).
 * - A gap the follower could not watch, because its own timer was held up as long (the event
 *   loop blocked, say by a flood of SysEx: JZZ splits every byte of every message in
 *   JavaScript before WEBMIDI.js drops SysEx on an input opened without it, about 45 ms per
 *   64 KB here), is a stall, not a dropout: the pulses were late, not gone, and are counted.
 * - A message whose timestamp is not a finite number: a pulse is refused (its time is all it
 *   carries), any other message is taken at `now()`; reported once through `onError`.
 * Nothing here throws on a message, in any order.
 *
 * @example
 * import { WebMidi } from 'webmidi';
 * import { MidiClockFollower } from './midi-clock-follower.js';
 * await WebMidi.enable();
 * const clock = new MidiClockFollower(WebMidi.getInputByName('IAC Driver Bus 1'));
 * clock.onStep((e) => console.log(e.step, e.time, e.bpm.toFixed(1)));
 * clock.onTransport((e) => console.log(e.type));
 * // … later: clock.dispose();
 */
import type { MidiInputLike, MidiMessageLike } from '../io/native-midi.js';
import { PPQN, checkMaxEarly, type Clock, type StepEvent, type TransportEvent } from './clock.js';
import { Listeners, reportError } from './listeners.js';
import { PulseFit } from './pulse-fit.js';
import { checkBpm } from './tempo-map.js';
import { defaultTimers, type Now, type Timers } from './time-source.js';
import { valueArg } from '../music/controls.js';

export interface MidiClockFollowerOptions {
  /** Pulses per step (default 6: a 16th). */
  pulsesPerStep?: number;
  /** The tempo assumed before two pulses have come (default 120). */
  bpm?: number;
  /** Pulses in the tempo fit (default 24, a beat). */
  window?: number;
  /** Jitter in seconds below which a pulse is always taken as on time (default 0.004). */
  tolerance?: number;
  /** A song position while running: 'follow' (default) or 'ignore'. */
  positionWhileRunning?: 'follow' | 'ignore';
  /** The shortest silence that is a dropout, in seconds (default 0.25; 3 periods if longer). */
  dropoutAfter?: number;
  /** Tempo changes smaller than this (BPM) are not reported as 'tempo' events (default 0.5). */
  tempoResolution?: number;
  /**
   * The earliest a note may come before its step, as a fraction of the step (default 0.5): steps
   * are handed out that much ahead of their predicted time, plus `margin`. 0: at their pulse.
   */
  maxEarly?: number;
  /** Seconds more than `maxEarly` of a step that a step is handed out ahead (default 0.01). */
  margin?: number;
  /** Time source in seconds on the timestamps' timebase (default performance.now() / 1000). */
  now?: Now;
  timers?: Timers;
  onError?: (err: unknown) => void;
}

export type FollowerState = 'stopped' | 'running' | 'dropout';

const CLOCK = 0xf8;
const START = 0xfa;
const CONTINUE = 0xfb;
const STOP = 0xfc;
const SONG_POSITION = 0xf2;
const RESET = 0xff;
/** Seconds per pulse at 1 BPM, the slowest tempo followed: a gap up to 3 of these may be a slow clock. */
const SLOWEST_PERIOD = 60 / PPQN;
/** Pulses in the fit before its line is carried forward to hand steps out ahead. */
const PREDICT_FROM = 3;
/** The slowest tempo a performer can set: steps go out early enough for it and no earlier. */
const SLOWEST_BPM = valueArg('bpm').min;
/** How late the follower's own timer may fire before the event loop counts as blocked, seconds. */
const STALL_SLACK = 0.1;

export class MidiClockFollower implements Clock {
  readonly pulsesPerStep: number;
  readonly margin: number;
  readonly now: Now;

  private readonly input: MidiInputLike | null;
  private readonly fit: PulseFit;
  private readonly timers: Timers;
  private readonly steps: Listeners<StepEvent>;
  private readonly transport: Listeners<TransportEvent>;
  private readonly initialBpm: number;
  private readonly followPosition: boolean;
  private readonly dropoutAfter: number;
  private readonly tempoResolution: number;
  private early: number;
  private stateValue: FollowerState = 'stopped';
  /** The next pulse to count, since song position 0. */
  private nextPulse = 0;
  /** The next step to hand out: ahead of `nextPulse` when steps went out before their pulse. */
  private nextStepOut = 0;
  /** The time of the last step handed out: a later one never comes before it. */
  private lastStepTime = -Infinity;
  /** Time of the last pulse (or of the start/continue that is waiting for one), seconds. */
  private lastActivity = -Infinity;
  private lastPulse = -Infinity;
  private reportedBpm = NaN;
  private pulsesSeen = 0;
  /** Seconds between the last two pulses (NaN after a reset: it would measure the gap). */
  private lastInterval = NaN;
  private watchdog: unknown = null;
  /** When the watchdog should fire (seconds on now()). */
  private watchdogDue = Infinity;
  private readonly onError: (err: unknown) => void;
  private badTimestampReported = false;
  private disposed = false;

  /** `input` may be null to feed messages through `receive()` yourself. */
  constructor(input: MidiInputLike | null, options: MidiClockFollowerOptions = {}) {
    const { pulsesPerStep = 6, bpm = 120, window = 24, tolerance = 0.004, positionWhileRunning = 'follow', dropoutAfter = 0.25, tempoResolution = 0.5, maxEarly = 0.5, margin = 0.01 } = options;
    checkMaxEarly(maxEarly);
    if (!(margin >= 0 && margin <= 1)) throw new RangeError(`margin must be in [0, 1] seconds, got ${margin}`);
    if (!(Number.isInteger(pulsesPerStep) && pulsesPerStep >= 1 && pulsesPerStep <= 96)) throw new RangeError(`pulsesPerStep must be an integer in [1, 96], got ${pulsesPerStep}`);
    checkBpm(bpm);
    if (!(dropoutAfter > 0)) throw new RangeError(`dropoutAfter must be > 0 seconds, got ${dropoutAfter}`);
    if (positionWhileRunning !== 'follow' && positionWhileRunning !== 'ignore') throw new RangeError(`positionWhileRunning must be 'follow' or 'ignore'`);
    this.pulsesPerStep = pulsesPerStep;
    this.early = maxEarly;
    this.margin = margin;
    this.initialBpm = bpm;
    this.fit = new PulseFit({ window, tolerance });
    this.followPosition = positionWhileRunning === 'follow';
    this.dropoutAfter = dropoutAfter;
    this.tempoResolution = tempoResolution;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.timers = options.timers ?? defaultTimers;
    const onError = options.onError ?? reportError;
    this.onError = onError;
    this.steps = new Listeners(onError);
    this.transport = new Listeners(onError);
    this.input = input;
    input?.addListener('midimessage', this.onMessage);
  }

  onStep(cb: (e: StepEvent) => void): () => void {
    return this.steps.add(cb);
  }

  onTransport(cb: (e: TransportEvent) => void): () => void {
    return this.transport.add(cb);
  }

  /** True while steps are being handed out: started, not stopped, pulses arriving. */
  get running(): boolean {
    return this.stateValue === 'running';
  }

  get state(): FollowerState {
    return this.stateValue;
  }

  /** The estimated tempo (the initial guess until two pulses have come). */
  get bpm(): number {
    const p = this.fit.period;
    return p > 0 ? clampBpm(this.fit.bpm) : this.initialBpm;
  }

  /** True once a beat of pulses is in the tempo fit. */
  get locked(): boolean {
    return this.fit.size >= PPQN;
  }

  /** The next step a pulse will start (while stopped: where a continue resumes). */
  get position(): number {
    return Math.ceil(this.nextPulse / this.pulsesPerStep);
  }

  /** The next step to be handed out: ahead of `position` while steps go out before their pulse. */
  get nextStep(): number {
    return this.nextStepOut;
  }

  /** How far ahead of its predicted time a step goes out (plus `margin`), as a fraction of a step. */
  get maxEarly(): number {
    return this.early;
  }

  /**
   * From the next pulse on (a model loaded while playing): steps already handed out stay out;
   * at 0 the others go out at their own pulse.
   */
  setMaxEarly(maxEarly: number): void {
    checkMaxEarly(maxEarly);
    this.early = maxEarly;
  }

  /** Seconds per pulse, estimated. */
  get pulsePeriod(): number {
    return 60 / (this.bpm * PPQN);
  }

  /**
   * Take one MIDI message, as the Input listener does: `data` its bytes, `timestamp` in
   * milliseconds on performance.now()'s timebase (WEBMIDI.js's `event.timestamp`). Tests and
   * benchmarks feed synthetic messages here.
   */
  receive(data: ArrayLike<number>, timestamp: number): void {
    if (this.disposed || data.length === 0) return;
    let t = timestamp / 1000;
    if (!Number.isFinite(t)) {
      if (!this.badTimestampReported) {
        this.badTimestampReported = true;
        this.onError(new Error(`MIDI clock: a message stamped ${timestamp} ms was ${data[0] === CLOCK ? 'refused' : 'taken as arriving now'}; timestamps must be finite milliseconds on performance.now()'s timebase (further ones are not reported)`));
      }
      if (data[0] === CLOCK) return;
      t = this.now();
    }
    switch (data[0]) {
      case CLOCK:
        return this.pulse(t);
      case START:
        return this.begin(0, { type: 'start', time: t }, t);
      case CONTINUE:
        if (this.stateValue === 'running') return;
        return this.begin(this.nextPulse, { type: 'continue', time: t }, t);
      case STOP:
        if (this.stateValue === 'stopped') return;
        return this.halt({ type: 'stop', time: t });
      case SONG_POSITION: {
        if (data.length < 3 || data[1] > 0x7f || data[2] > 0x7f) return;
        if (this.stateValue !== 'stopped' && !this.followPosition) return;
        this.moveTo((data[1] | (data[2] << 7)) * 6);
        this.transport.emit({ type: 'position', step: this.position, time: t });
        return;
      }
      case RESET:
        this.moveTo(0, true);
        this.fit.reset();
        this.lastInterval = NaN;
        if (this.stateValue !== 'stopped') this.halt({ type: 'stop', time: t });
        return;
    }
  }

  /** Stop listening to the input and stop the watchdog. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.input?.removeListener('midimessage', this.onMessage);
    this.stopWatchdog();
    this.stateValue = 'stopped';
  }

  // ---- the protocol ---------------------------------------------------------------------

  private readonly onMessage = (e: MidiMessageLike): void => {
    this.receive(e.message.rawData, e.timestamp);
  };

  /**
   * The next pulse counted is `pulse`. Steps handed out ahead from where the count already was
   * are not handed out again (a continue, or a song position to the same place, as masters send
   * on stop); a real jump starts handing out from the new place.
   */
  private moveTo(pulse: number, fromTop = false): void {
    if (!fromTop && pulse === this.nextPulse && this.nextStepOut >= this.position) return;
    this.nextPulse = pulse;
    this.nextStepOut = this.position;
    this.lastStepTime = -Infinity;
  }

  private begin(pulse: number, e: TransportEvent, t: number): void {
    this.moveTo(pulse, e.type === 'start');
    this.stateValue = 'running';
    this.lastActivity = t;
    this.transport.emit(e);
    this.startWatchdog();
  }

  private halt(e: TransportEvent): void {
    this.stateValue = 'stopped';
    this.stopWatchdog();
    this.transport.emit(e);
  }

  private pulse(t: number): void {
    const gap = t - this.lastPulse;
    if (gap > this.silence()) {
      // a gap the watchdog should have seen but could not (its timer held up as long: the
      // event loop was blocked) is a stall: the pulses were late, not gone
      const stalled = this.stateValue === 'running' && this.watchdog !== null && this.now() > this.watchdogDue + STALL_SLACK;
      if (!stalled) {
        // stale pulses say nothing of this tempo
        if (this.stateValue === 'running' && t - this.lastActivity > this.silence()) this.drop(this.lastActivity + this.silence());
        this.fit.reset();
        this.lastInterval = NaN;
      }
    } else if (gap >= 0) this.lastInterval = gap;
    this.lastPulse = t;
    const time = this.fit.add(t);
    if (++this.pulsesSeen % this.pulsesPerStep === 0 && this.fit.size >= 2) this.reportTempo(time);
    if (this.stateValue === 'stopped') return;
    if (this.stateValue === 'dropout') {
      this.stateValue = 'running';
      this.startWatchdog();
    }
    this.lastActivity = t;
    const pulse = this.nextPulse++;
    const bpm = this.bpm;
    const stepDuration = (this.pulsesPerStep * 60) / (bpm * PPQN);
    // its own step, unless it went out ahead
    if (pulse % this.pulsesPerStep === 0 && pulse / this.pulsesPerStep >= this.nextStepOut) this.emitStep(pulse / this.pulsesPerStep, time, stepDuration, bpm);
    this.handOutAhead(pulse, time, stepDuration, bpm);
  }

  /**
   * Every step whose predicted time would be too near once the next pulse comes: within
   * `maxEarly` of a step (as at the slowest tempo a performer sets, at most) and `margin`.
   */
  private handOutAhead(pulse: number, time: number, stepDuration: number, bpm: number): void {
    if (this.early === 0 || this.fit.size < PREDICT_FROM) return;
    const period = stepDuration / this.pulsesPerStep;
    const reach = this.early * Math.min(stepDuration, (this.pulsesPerStep * 60) / (SLOWEST_BPM * PPQN)) + this.margin + period;
    const epoch = this.nextPulse;
    for (;;) {
      const step = this.nextStepOut;
      const at = time + (step * this.pulsesPerStep - pulse) * period;
      if (at - time > reach || this.stateValue !== 'running' || this.nextPulse !== epoch) return;
      this.emitStep(step, at, stepDuration, bpm);
    }
  }

  private emitStep(step: number, time: number, stepDuration: number, bpm: number): void {
    // a tempo that sped up since the step before went out: never before it
    const at = Math.max(time, this.lastStepTime);
    this.nextStepOut = step + 1;
    this.lastStepTime = at;
    this.steps.emit({ step, time: at, stepDuration, bpm });
  }

  private reportTempo(time: number): void {
    const bpm = this.bpm;
    if (Math.abs(bpm - this.reportedBpm) < this.tempoResolution) return;
    this.reportedBpm = bpm;
    this.transport.emit({ type: 'tempo', bpm, time });
  }

  private drop(time: number): void {
    this.stateValue = 'dropout';
    this.stopWatchdog();
    this.reportedBpm = NaN;
    this.transport.emit({ type: 'dropout', time });
  }

  /**
   * The silence that means the pulses stopped: max(dropoutAfter, 3 periods), the period the
   * longer of the fitted one and the last interval; with neither, a period at 1 BPM.
   */
  private silence(): number {
    const fitted = this.fit.size >= 2 ? this.fit.period : NaN;
    let period = Math.max(Number.isFinite(fitted) ? fitted : 0, Number.isFinite(this.lastInterval) ? this.lastInterval : 0);
    if (!(period > 0)) period = SLOWEST_PERIOD;
    return Math.max(this.dropoutAfter, 3 * period);
  }

  // ---- the watchdog: a loose timer, only while running -----------------------------------

  private startWatchdog(): void {
    if (this.watchdog === null) this.arm();
  }

  private arm(): void {
    const ms = this.checkEvery();
    this.watchdogDue = this.now() + ms / 1000;
    this.watchdog = this.timers.setTimeout(this.check, ms);
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) this.timers.clearTimeout(this.watchdog);
    this.watchdog = null;
    this.watchdogDue = Infinity;
  }

  private checkEvery(): number {
    return Math.min(50, (this.silence() * 1000) / 4);
  }

  private readonly check = (): void => {
    this.watchdog = null;
    this.watchdogDue = Infinity;
    if (this.stateValue !== 'running' || this.disposed) return;
    const now = this.now();
    if (now - this.lastActivity > this.silence()) return this.drop(now);
    this.arm();
  };
}

function clampBpm(bpm: number): number {
  return Math.min(999, Math.max(1, bpm));
}
