/**
 * The page's clocks, all on the AudioContext's timebase so that every output schedules on the
 * same clock the sound is made by: the internal clock reads `context.currentTime`; a MIDI clock
 * from a Web MIDI input counts pulses on performance.now()'s timebase, and its step times are
 * moved to context time on their way out.
 *
 * @example
 * const audio = openAudio();
 * const clock = internalClock(audio, 120);
 * clock.start();
 * const external = await midiClock('IAC Driver Bus 1', audio);  // steps follow the master's start/stop
 */
import type { Clock, StepEvent, TransportEvent } from '../../time/clock.js';
import { InternalClock } from '../../time/internal-clock.js';
import type { Audio } from './audio.js';

/** A clock the page can start, stop and set the tempo of, or only listen to. */
export interface PageClock extends Clock {
  readonly kind: 'internal' | 'midi';
  readonly label: string;
  /** Internal: start from the top. MIDI: nothing (the master starts). */
  start(): void;
  stop(): void;
  setTempo(bpm: number): void;
  /** Swing the steps (the internal clock; a MIDI clock places its own). */
  setSwing?(swing: number): void;
  dispose(): void;
}

/** The page's own clock; a step lasts `pulsesPerStep` of its 24 pulses a quarter (6: a 16th; a chord model of quarters: 24). */
export function internalClock(audio: Audio, bpm: number, onError?: (e: unknown) => void, pulsesPerStep = 6): PageClock {
  const clock = new InternalClock({ bpm, now: () => audio.context.currentTime, onError, pulsesPerStep });
  return Object.assign(clock, { kind: 'internal' as const, label: 'Internal', dispose: () => clock.stop() });
}

/** Follow the MIDI clock (24 PPQN, start/stop/continue/song position) of a Web MIDI input. */
export async function midiClock(inputName: string, audio: Audio, onError?: (e: unknown) => void): Promise<PageClock> {
  const [{ openInput }, { MidiClockFollower }] = await Promise.all([import('../../io/midi-ports.js'), import('../../time/midi-clock-follower.js')]);
  const input = await openInput(inputName);
  const follower = new MidiClockFollower(input, { onError });
  const toContext = (t: number) => audio.fromPerformanceSeconds(t);
  return {
    kind: 'midi',
    label: `MIDI clock: ${input.name}`,
    now: () => audio.context.currentTime,
    onStep: (cb: (e: StepEvent) => void) => follower.onStep((e) => cb({ ...e, time: toContext(e.time) })),
    onTransport: (cb: (e: TransportEvent) => void) => follower.onTransport((e) => cb({ ...e, time: toContext(e.time) })),
    get running() {
      return follower.running;
    },
    get bpm() {
      return follower.bpm;
    },
    start: () => {},
    stop: () => {},
    setTempo: () => {},
    dispose: () => follower.dispose(),
  };
}
