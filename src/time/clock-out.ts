/**
 * Send MIDI clock from an `InternalClock` to a WEBMIDI.js `Output`, so pulse-rnn can be the
 * master: 0xF8 for every pulse, stamped with its exact time (sent ahead, as the clock hands
 * pulses out a lookahead early), 0xFA on start, 0xFB on continue, 0xFC on stop, 0xF2 on locate.
 *
 * Start, continue and a locate while running go out in one message with the first pulse they
 * apply to (0xFA 0xF8; for a locate, as the MIDI spec wants a master to send it, 0xFC 0xF2 LSB
 * MSB 0xFB 0xF8): a follower counts the first 0xF8 after a start as pulse 0, and messages sent
 * apart can swap. (JZZ in Node schedules each timestamped message on its own setTimeout, which
 * counts from libuv's cached loop time; on a loaded machine a start sent 1 ms before its first
 * pulse arrived after it, and every step came a pulse early.) What this cannot fix: in Node,
 * messages whose timestamps are closer than the event loop's lag can still swap, so a pulse
 * sent a pulse period before a locate can land after it when the process is starved of CPU for
 * longer than a pulse (8 ms at 300 BPM); the follower then counts one pulse more. Browsers'
 * Web MIDI keeps timestamped messages in order.
 *
 * The song position is written as the spec has it, 0xF2 LSB MSB. (WEBMIDI.js 3.3.1's
 * `sendSongPosition` puts the MSB first, so it is not used.) A position that is not a whole
 * number of 16ths (steps smaller than a 16th) goes out rounded down to one.
 *
 * @example
 * import { WebMidi } from 'webmidi';
 * import { InternalClock } from './internal-clock.js';
 * import { ClockOut } from './clock-out.js';
 * await WebMidi.enable();
 * const clock = new InternalClock({ bpm: 124 });
 * const out = new ClockOut(clock, WebMidi.getOutputByName('IAC Driver Bus 1'));
 * clock.start();   // 0xFA, then 0xF8 × 24 per beat
 * // … clock.stop(); out.dispose();
 */
import type { Output } from 'webmidi';
import type { TransportEvent } from './clock.js';
import type { InternalClock, PulseEvent } from './internal-clock.js';
import { defaultNow } from './time-source.js';

export interface ClockOutOptions {
  /**
   * Clock seconds → the output's timestamp (performance.now() milliseconds). Default: `× 1000`
   * when the clock runs on the default time source, else the offset between `clock.now()` and
   * `performance.now()` read at each send.
   */
  toMidiTime?: (time: number) => number;
}

const CLOCK = [0xf8];
const STOP = [0xfc];

export class ClockOut {
  private readonly offs: (() => void)[];
  private readonly toMidiTime: (time: number) => number;
  /** Transport bytes waiting to go out with the next pulse. */
  private prefix: number[] | null = null;
  private prefixTime = 0;

  constructor(
    private readonly clock: InternalClock,
    private readonly output: Output,
    options: ClockOutOptions = {},
  ) {
    this.toMidiTime = options.toMidiTime ?? defaultMapping(clock);
    this.offs = [clock.onPulse(this.pulse), clock.onTransport(this.transportEvent)];
  }

  /** Stop sending (the clock goes on). */
  dispose(): void {
    this.flush();
    for (const off of this.offs) off();
    this.offs.length = 0;
  }

  private readonly pulse = (e: PulseEvent): void => {
    if (this.prefix === null) return this.send(CLOCK, e.time);
    this.prefix.push(0xf8);
    this.send(this.prefix, e.time);
    this.prefix = null;
  };

  private withNextPulse(bytes: number[], time: number): void {
    this.flush();
    this.prefix = bytes;
    this.prefixTime = time;
  }

  /** Transport bytes that found no pulse to travel with go out alone. */
  private flush(): void {
    if (this.prefix === null) return;
    this.send(this.prefix, this.prefixTime);
    this.prefix = null;
  }

  private readonly transportEvent = (e: TransportEvent): void => {
    switch (e.type) {
      case 'start':
        return this.withNextPulse([0xfa], e.time);
      case 'continue':
        return this.withNextPulse([0xfb], e.time);
      case 'stop':
        this.flush();
        return this.send(STOP, e.time);
      case 'position': {
        const beats = Math.min(0x3fff, Math.floor((e.step * this.clock.pulsesPerStep) / 6));
        const lsb = beats & 0x7f;
        const msb = (beats >> 7) & 0x7f;
        if (!this.clock.running) {
          this.flush();
          return this.send([0xf2, lsb, msb], e.time);
        }
        return this.withNextPulse([0xfc, 0xf2, lsb, msb, 0xfb], e.time);
      }
    }
  };

  private send(bytes: number[], time: number): void {
    // a time already past goes out now, as WEBMIDI.js does with any timestamp before now
    this.output.send(bytes, { time: Math.max(0, this.toMidiTime(time)) });
  }
}

function defaultMapping(clock: InternalClock): (time: number) => number {
  if (clock.now === defaultNow) return (time) => time * 1000;
  return (time) => performance.now() + (time - clock.now()) * 1000;
}
