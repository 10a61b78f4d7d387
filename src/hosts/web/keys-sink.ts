/**
 * Where a second part's notes go: to the output the drums play through (whichever it is at
 * the note's time) and into the page's recording. It keeps the part's own held notes, so that
 * silencing the part (its stop, pause or mute) lets each of its keys go with a note-off of its
 * own and leaves the other part's sound alone: no key stuck, no cymbal cut.
 *
 * @example
 * const sink = new PartSink(stage);
 * sink.noteOn(60, 90, 1, t, Infinity);   // C4 on channel 2, through the drums' output
 * sink.allNotesOff(t + 0.5);             // C4 let go; the drums ring on
 */
import type { NoteSink } from '../../io/sink.js';
import { currentAudio } from './audio.js';
import type { OutputKind } from './outputs.js';
import type { Stage } from './stage.js';

export class PartSink implements NoteSink {
  /** Notes handed to each kind of output (a read-out for the page and its tests). */
  readonly sent: Record<OutputKind, number> = { tone: 0, midi: 0, rnbo: 0 };
  /** Notes on and not yet let go: channel × 128 + note → when it ends (Infinity: held). */
  private readonly held = new Map<number, number>();

  constructor(private readonly stage: Stage) {}

  /** The notes this part holds at `time`. */
  holding(time: number): number {
    let n = 0;
    for (const end of this.held.values()) if (end > time) n++;
    return n;
  }

  noteOn(note: number, velocity: number, channel: number, time: number, duration: number): void {
    this.held.set(channel * 128 + note, time + duration);
    const out = this.stage.output;
    if (out) {
      this.sent[out.kind]++;
      out.sink.noteOn(note, velocity, channel, time, duration);
    }
    this.stage.recorder?.noteOn(note, velocity, channel, time, duration);
  }

  noteOff(note: number, channel: number, time: number): void {
    const key = channel * 128 + note;
    const end = this.held.get(key);
    if (end !== undefined && end > time) this.held.set(key, time);
    this.off(note, channel, time);
  }

  allNotesOff(time?: number): void {
    const t = time ?? currentAudio()?.context.currentTime ?? 0;
    for (const [key, end] of this.held) {
      if (end <= t) continue;
      this.off(key % 128, Math.floor(key / 128), t);
    }
    this.held.clear();
  }

  /** A note-off to the output and the recording (called per step: nothing is made). */
  private off(note: number, channel: number, time: number): void {
    this.stage.output?.sink.noteOff(note, channel, time);
    this.stage.recorder?.noteOff(note, channel, time);
  }
}
