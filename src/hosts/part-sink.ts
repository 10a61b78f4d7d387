/**
 * A part's output on a port shared with other parts: every note goes out on the part's MIDI
 * channel (or the model's own), and silencing the part (its pause, mute, removal) ends only the
 * notes this part started, each by its own note-off, never the other parts' (an all-notes-off
 * to the port would cut the keys when the drums pause). Closing it leaves the port open: the
 * performance closes the ports.
 *
 * @example
 * const keys = new ChannelSink(portSink, 1);       // MIDI channel 2 (zero-based 1)
 * keys.noteOn(60, 90, 0, t, Infinity);             // goes out on channel 2
 * keys.allNotesOff(t + 1);                         // a note-off for 60 on channel 2, nothing else
 */
import type { NoteSink } from '../io/sink.js';

interface Sounding {
  note: number;
  channel: number;
  /** When it ends (Infinity: held until a note-off). */
  end: number;
}

export class ChannelSink implements NoteSink {
  /** Notes started that may still sound, reused in place. */
  private readonly sounding: Sounding[] = [];
  private count = 0;

  /** `channel`: zero-based (0–15), or null to keep the model's own. */
  constructor(
    readonly inner: NoteSink,
    readonly channel: number | null,
  ) {
    if (channel !== null && !(Number.isInteger(channel) && channel >= 0 && channel <= 15)) throw new RangeError(`channel must be 0..15 (zero-based) or null, got ${channel}`);
  }

  noteOn(note: number, velocity: number, channel: number, time: number, duration: number): void {
    const ch = this.channel ?? channel;
    this.inner.noteOn(note, velocity, ch, time, duration);
    this.forget(time);
    if (this.count === this.sounding.length) this.sounding.push({ note: 0, channel: 0, end: 0 });
    const x = this.sounding[this.count++];
    x.note = note;
    x.channel = ch;
    x.end = time + duration;
  }

  noteOff(note: number, channel: number, time: number): void {
    const ch = this.channel ?? channel;
    this.inner.noteOff(note, ch, time);
    for (let i = 0; i < this.count; i++) {
      const x = this.sounding[i];
      if (x.note === note && x.channel === ch && x.end > time) x.end = time;
    }
  }

  /** Ends, at `time`, every note of this part still sounding then. */
  allNotesOff(time?: number): void {
    const at = time ?? 0;
    for (let i = 0; i < this.count; i++) {
      const x = this.sounding[i];
      if (x.end > at) this.inner.noteOff(x.note, x.channel, at);
    }
    this.count = 0;
  }

  tempo(bpm: number, time: number): void {
    this.inner.tempo?.(bpm, time);
  }

  /** Ends this part's notes now; the port stays open for the others. */
  close(): void {
    this.allNotesOff();
  }

  /** Drops what has ended by `time`, keeping the list as long as the notes that overlap. */
  private forget(time: number): void {
    let k = 0;
    for (let i = 0; i < this.count; i++) {
      const x = this.sounding[i];
      if (x.end > time) {
        if (k !== i) {
          this.sounding[i] = this.sounding[k];
          this.sounding[k] = x;
        }
        k++;
      }
    }
    this.count = k;
  }
}
