/**
 * The page's clock as a second part hears it: the steps the stage's clock hands out (whichever
 * clock that is, internal or MIDI, and after a change of clock too), passed on as they come,
 * and a stop when the page stops. A Player on it steps its part in time with the drums. And how
 * many of the clock's pulses a model's step lasts, which sets how the clock and a part step.
 *
 * @example
 * const clock = new FollowClock(stage);
 * stage.beforeStep((e) => clock.step(e));
 * new Player(clock, keysGenerator, [sink]);
 */
import type { Codec } from '../../music/codecs.js';
import { PPQN, type Clock, type StepEvent, type TransportEvent } from '../../time/clock.js';
import { currentAudio } from './audio.js';
import type { Stage } from './stage.js';

export class FollowClock implements Clock {
  private readonly steps = new Set<(e: StepEvent) => void>();
  private readonly transports = new Set<(e: TransportEvent) => void>();
  /** The clock step after the last one handed out (0 before any). */
  nextStep = 0;

  constructor(private readonly stage: Stage) {}

  /** The page's clocks all count on the AudioContext's time. */
  now(): number {
    return currentAudio()?.context.currentTime ?? 0;
  }
  get running(): boolean {
    return this.stage.running;
  }
  get bpm(): number {
    return this.stage.bpm;
  }

  onStep(cb: (e: StepEvent) => void): () => void {
    this.steps.add(cb);
    return () => this.steps.delete(cb);
  }
  onTransport(cb: (e: TransportEvent) => void): () => void {
    this.transports.add(cb);
    return () => this.transports.delete(cb);
  }

  /** A step of the stage's clock. */
  step(e: StepEvent): void {
    this.nextStep = e.step + 1;
    for (const cb of this.steps) cb(e);
  }

  /** The page stopped: the next step is a new start. */
  stop(): void {
    this.nextStep = 0;
    const e: TransportEvent = { type: 'stop', time: this.now() };
    for (const cb of this.transports) cb(e);
  }
}

/** Pulses (24 a quarter) one step of a model lasts: 6 for a model of 16ths, 24 for a chord model of quarters; 6 without one. */
export function stepPulses(codec: Pick<Codec, 'ticksPerStep' | 'ticksPerQuarter'> | null | undefined): number {
  return codec ? Math.max(1, Math.round((PPQN * codec.ticksPerStep) / codec.ticksPerQuarter)) : PPQN / 4;
}
