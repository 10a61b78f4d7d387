/**
 * Where scheduled notes go. Every output (WEBMIDI.js port, RNBO device, Tone.js synth, MIDI
 * file recorder) implements `NoteSink`; the `Player` drives them all from the same events.
 *
 * Times are seconds on the clock's own timebase (`Clock.now()`): Node's high-resolution clock,
 * or a browser AudioContext's `currentTime`. A sink converts to its device's time (WEBMIDI.js:
 * performance.now() milliseconds; RNBO: context milliseconds) and sends ahead of time.
 *
 * @example
 * const sink: NoteSink = new WebMidiSink(await openOutput('IAC Driver Bus 1'));
 * sink.noteOn(36, 100, 9, clock.now() + 0.05, 0.1); // a kick (zero-based channel 9) 50 ms from now, 100 ms long
 * sink.allNotesOff(clock.now());                     // stop, pause, mute and panic
 */
export interface NoteSink {
  /** A note starting at `time` (seconds) and ending `duration` seconds later (Infinity: until `noteOff`). */
  noteOn(note: number, velocity: number, channel: number, time: number, duration: number): void;
  /** End a held note at `time`. */
  noteOff(note: number, channel: number, time: number): void;
  /** Silence everything this sink started, at `time` (default: now); no note may stay stuck. */
  allNotesOff(time?: number): void;
  /** The tempo from `time` on (recorders write it into the tempo map; RNBO can follow it). */
  tempo?(bpm: number, time: number): void;
  /** Release the device; notes still sounding are ended first. */
  close?(): void | Promise<void>;
}
