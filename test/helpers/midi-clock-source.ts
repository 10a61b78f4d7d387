/**
 * A MIDI clock master for tests: a JZZ virtual input port (WEBMIDI.js lists it like a device)
 * that sends bytes at chosen moments on performance.now(). JZZ delivers to WEBMIDI.js listeners
 * synchronously and stamps each message when it is delivered, so the follower sees the moment
 * a byte left here. Waits sleep most of the way and spin the last 2 ms, so a message leaves
 * within microseconds of its time unless the event loop was held up for longer.
 */
import JZZ from 'jzz';
import type { StepEvent, TransportEvent } from '../../src/time/clock.js';
import type { MidiClockFollower } from '../../src/time/midi-clock-follower.js';
import type { FakeTime } from './fake-time.js';

/** What a follower reports: its steps, its transport events, and their kinds without the tempo changes. */
export function record(clock: MidiClockFollower) {
  const steps: StepEvent[] = [];
  const transport: TransportEvent[] = [];
  clock.onStep((e) => steps.push({ ...e }));
  clock.onTransport((e) => transport.push({ ...e }));
  return { steps, transport, types: () => transport.filter((e) => e.type !== 'tempo').map((e) => e.type) };
}

/** `send(bytes, ms)`: a message at `ms`, fake time moving on to it first (the watchdog's timers fire on the way). */
export function sender(clock: MidiClockFollower, ft: FakeTime): (bytes: number[], ms: number) => void {
  return (bytes, ms) => {
    ft.advance(Math.max(0, ms / 1000 - ft.t));
    clock.receive(bytes, ms);
  };
}

export interface Timed {
  /** ms on performance.now(). */
  at: number;
  bytes: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ClockSource {
  private readonly widget: { send(bytes: number[]): unknown };

  constructor(readonly name: string) {
    this.widget = JZZ.Widget() as unknown as { send(bytes: number[]): unknown };
    (JZZ as unknown as { addMidiIn(name: string, w: unknown): void }).addMidiIn(name, this.widget);
  }

  send(...bytes: number[]): void {
    this.widget.send(bytes);
  }

  /** Send each message at its time; returns when each actually left (ms). */
  async play(messages: readonly Timed[]): Promise<number[]> {
    const sent: number[] = [];
    for (const m of messages) {
      const wait = m.at - performance.now();
      if (wait > 3) await sleep(wait - 2);
      while (performance.now() < m.at) {
        // spin: setTimeout alone is only good to a millisecond or worse
      }
      this.widget.send(m.bytes);
      sent.push(performance.now());
    }
    return sent;
  }
}

/** A seeded uniform draw in [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** `count` clock pulses from `from` ms at `bpm`, each moved by up to ±`jitter` ms; the grid times too. */
export function pulses(from: number, bpm: number, count: number, jitter = 0, rand: () => number = Math.random): { messages: Timed[]; grid: number[]; end: number } {
  const period = 60000 / bpm / 24;
  const grid = Array.from({ length: count }, (_, i) => from + i * period);
  const messages = grid.map((g) => ({ at: g + (rand() * 2 - 1) * jitter, bytes: [0xf8] }));
  return { messages, grid, end: from + count * period };
}

/**
 * Follower options that hand each step out when its own pulse arrives, for tests of counting
 * and the tempo fit, whose step times are the pulses' own; test/midi-clock-ahead.test.ts
 * covers steps handed out ahead of their pulse (the default).
 */
export const AT_PULSE = { maxEarly: 0 } as const;
