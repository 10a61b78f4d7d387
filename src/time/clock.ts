/**
 * Clocks hand out pulses (24 per quarter note) with exact timestamps, whatever the timers
 * that wake them. Steps are every `pulsesPerStep` pulses (6: a 16th note).
 *
 * @example
 * const clock = new InternalClock({ bpm: 120 });
 * clock.onStep((e) => player.step(e));   // e: { step, time, stepDuration, bpm }
 * clock.start();
 */
export const PPQN = 24;

/** One step of the clock: which step, when it starts (seconds on the clock's timebase), and how long it lasts. */
export interface StepEvent {
  /** Step index since the clock's song position 0. */
  step: number;
  /** Exact start time of the step, in seconds on `Clock.now()`'s timebase. */
  time: number;
  /** Expected duration of the step at the current tempo, in seconds. */
  stepDuration: number;
  bpm: number;
}

export type TransportEvent =
  | { type: 'start'; time: number }
  | { type: 'stop'; time: number }
  | { type: 'continue'; time: number }
  | { type: 'position'; step: number; time: number }
  /** `pulse`: where the tempo starts on the clock's count of pulses, when the clock knows it. */
  | { type: 'tempo'; bpm: number; time: number; pulse?: number }
  | { type: 'dropout'; time: number }; // pulses stopped arriving

export interface Clock {
  /** Seconds on this clock's timebase. */
  now(): number;
  onStep(cb: (e: StepEvent) => void): () => void;
  onTransport(cb: (e: TransportEvent) => void): () => void;
  readonly running: boolean;
  readonly bpm: number;
  /**
   * Hand steps out `maxEarly` of a step (0..1) sooner from now on, so a note that early is not
   * late (`maxEarlyFor`). Clocks that hand steps out as late as they can leave it out.
   */
  setMaxEarly?(maxEarly: number): void;
}

/**
 * How far ahead a clock must hand steps out for a model, as a fraction of a step: how early its
 * earliest note can be (`Codec.earliest`). 0.5 for drum-expressive (hits down to half a step
 * early), 0 for a model that never plays before its step's line (drum-grid, note events).
 *
 * @example
 * clock.setMaxEarly(maxEarlyFor(generator.codec)); // Player does this for its generator
 */
export function maxEarlyFor(codec: { readonly earliest?: number }): number {
  return Math.min(1, Math.max(0, -(codec.earliest ?? 0)));
}

/** Refuses a `maxEarly` outside [0, 1] of a step. */
export function checkMaxEarly(maxEarly: number): void {
  if (!(maxEarly >= 0 && maxEarly <= 1)) throw new RangeError(`maxEarly must be in [0, 1] of a step, got ${maxEarly}`);
}
