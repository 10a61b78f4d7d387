/**
 * Notes out through a WEBMIDI.js `Output`, in Node (WEBMIDI.js loads JZZ there) and in the
 * browser. Every message carries a timestamp, so the clock's lookahead becomes exact timing on
 * the port instead of callback jitter.
 *
 * @example
 * import { openOutput } from './midi-ports.js';
 * const sink = new WebMidiSink(await openOutput('IAC Driver Bus 1'));
 * const t = performance.now() / 1000 + 0.1;  // the default timebase: performance.now() in seconds
 * sink.noteOn(36, 110, 9, t, 0.1);           // a kick on the GM drum channel (zero-based 9)
 * sink.noteOn(60, 90, 0, t, Infinity);       // held until noteOff / allNotesOff
 * sink.allNotesOff(t + 0.5);
 * await sink.close();
 */
import { MidiVoices, checkNote } from './midi-voices.js';
import type { NoteSink } from './sink.js';

/** What the sink needs from a port: WEBMIDI.js's `Output.send` (message, `{ time }` in ms on performance.now()). */
export interface MidiOutputLike {
  send(message: number[], options?: { time?: number }): unknown;
}

export interface WebMidiSinkOptions {
  /**
   * Clock seconds to the port's milliseconds on performance.now()'s timebase. The default
   * (seconds × 1000) fits a clock that counts `performance.now() / 1000`; for a clock on an
   * AudioContext pass a mapping through `context.getOutputTimestamp()`.
   */
  toDeviceTime?: (seconds: number) => number;
  /**
   * Note-offs due more than this many seconds ahead are held and sent later, so a re-struck key
   * or allNotesOff can still move them (default 0.2). See `MidiVoicesOptions.holdBeyond`.
   */
  releaseHorizon?: number;
  /** Seconds each note-off is sent early so it lands before a note-on at the same instant (default 0.001). */
  releaseLead?: number;
  /** Send CC 123 on the channels used, after the note-offs of allNotesOff (default true). */
  allNotesOffCC?: boolean;
}

export class WebMidiSink implements NoteSink {
  private readonly voices: MidiVoices;
  private readonly toDeviceTime: (seconds: number) => number;
  private closed = false;

  constructor(
    readonly output: MidiOutputLike,
    options: WebMidiSinkOptions = {},
  ) {
    this.toDeviceTime = options.toDeviceTime ?? ((s) => s * 1000);
    this.voices = new MidiVoices((bytes, ms) => output.send(bytes, { time: ms }), {
      // WEBMIDI.js timestamps are performance.now() milliseconds, whatever the clock's timebase.
      now: () => performance.now(),
      holdBeyond: (options.releaseHorizon ?? 0.2) * 1000,
      releaseLead: (options.releaseLead ?? 0.001) * 1000,
      allNotesOffCC: options.allNotesOffCC ?? true,
    });
  }

  noteOn(note: number, velocity: number, channel: number, time: number, duration: number): void {
    this.open();
    checkNote(note, velocity, channel, time);
    const on = this.toDeviceTime(time);
    const off = duration === Infinity ? Infinity : this.toDeviceTime(time + Math.max(0, duration));
    this.voices.noteOn(note, velocity, channel, on, off);
  }

  noteOff(note: number, channel: number, time: number): void {
    this.open();
    checkNote(note, 0, channel, time);
    this.voices.noteOff(note, channel, this.toDeviceTime(time));
  }

  allNotesOff(time?: number): void {
    if (this.closed) return;
    this.voices.allNotesOff(time === undefined ? undefined : this.toDeviceTime(time));
  }

  /** Ends every note now. The port stays open: it belongs to whoever opened it. */
  close(): void {
    if (this.closed) return;
    this.voices.allNotesOff();
    this.voices.dispose();
    this.closed = true;
  }

  /** Notes started and not yet over, as far as the sink knows. */
  get sounding(): number {
    return this.voices.sounding;
  }

  private open(): void {
    if (this.closed) throw new Error('WebMidiSink is closed');
  }
}
