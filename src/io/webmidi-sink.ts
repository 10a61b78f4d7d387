/**
 * Notes out through a WEBMIDI.js `Output`, in Node (WEBMIDI.js loads JZZ there) and in the
 * browser. In a browser every message carries a timestamp, so the clock's lookahead becomes
 * exact timing on the port instead of callback jitter. In Node the sink holds each message
 * until it is due and sends it then: JZZ's timestamps are timers of its own, and one that fires
 * after its port went away (a USB interface unplugged) throws where nobody can catch it, which
 * ends the process. Here a vanished port costs an error report, and the music goes on.
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
  /**
   * 'port': timestamps go to the port (the default in browsers); 'self': the sink sends each
   * message when it is due (the default in Node, see above).
   */
  schedule?: 'port' | 'self';
  /** Where a failed send is reported (default: console.error, once per kind of failure). */
  onError?: (err: unknown) => void;
}

const inNode = () => typeof process === 'object' && typeof process.versions?.node === 'string';

/**
 * Timestamped messages held until due, then sent untimed, in time order (equal times in the
 * order given). A send that throws is reported; the others still go out.
 */
class DueQueue {
  private queue: { at: number; bytes: number[] }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Infinity;

  constructor(private readonly sendNow: (bytes: number[]) => void) {}

  send(bytes: number[], at: number): void {
    if (at <= performance.now() && this.queue.length === 0) return this.sendNow(bytes);
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].at > at) i--;
    this.queue.splice(i, 0, { at, bytes });
    this.arm();
  }

  /** Send what releases (note-offs, controllers) at once, drop note-ons not yet due. */
  flushReleases(): void {
    const q = this.queue;
    this.queue = [];
    this.stop();
    for (const m of q) if ((m.bytes[0] & 0xf0) !== 0x90 || m.bytes[2] === 0) this.sendNow(m.bytes);
  }

  private arm(): void {
    const first = this.queue[0].at;
    if (this.timer !== null && this.armedFor <= first) return;
    this.stop();
    this.armedFor = first;
    this.timer = setTimeout(() => this.flush(), Math.max(0, first - performance.now()));
  }

  private flush(): void {
    this.timer = null;
    this.armedFor = Infinity;
    // a timer may wake a little early; half a millisecond is within MIDI's own resolution
    const now = performance.now() + 0.5;
    while (this.queue.length && this.queue[0].at <= now) this.sendNow(this.queue.shift()!.bytes);
    if (this.queue.length) this.arm();
  }

  private stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }
}

/** console.error, once for each kind of failure (a vanished port fails on every message). */
function reportOnce(): (err: unknown) => void {
  const seen = new Set<string>();
  return (err) => {
    const text = err instanceof Error ? err.message : String(err);
    if (seen.has(text)) return;
    seen.add(text);
    console.error(`MIDI output: ${text} (further messages like this one are not shown)`);
  };
}

export class WebMidiSink implements NoteSink {
  private readonly voices: MidiVoices;
  private readonly toDeviceTime: (seconds: number) => number;
  private readonly due: DueQueue | null;
  private closed = false;

  constructor(
    readonly output: MidiOutputLike,
    options: WebMidiSinkOptions = {},
  ) {
    this.toDeviceTime = options.toDeviceTime ?? ((s) => s * 1000);
    const onError = options.onError ?? reportOnce();
    const guarded = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        onError(e);
      }
    };
    const due = (options.schedule ?? (inNode() ? 'self' : 'port')) === 'self' ? new DueQueue((bytes) => guarded(() => output.send(bytes))) : null;
    this.due = due;
    const send = due ? (bytes: number[], ms: number) => due.send(bytes, ms) : (bytes: number[], ms: number) => guarded(() => output.send(bytes, { time: ms }));
    this.voices = new MidiVoices(send, {
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
    this.due?.flushReleases();
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
