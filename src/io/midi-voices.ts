/**
 * The bookkeeping shared by sinks that send timestamped MIDI bytes (WEBMIDI.js ports, RNBO
 * devices): which notes were started, when each must end, and what to send so that none is
 * left hanging. Times here are the device's milliseconds; the sinks convert from seconds.
 *
 * @example
 * const sent: [number[], number][] = [];
 * const voices = new MidiVoices((bytes, ms) => sent.push([bytes, ms]), { now: () => 0 });
 * voices.noteOn(60, 100, 0, 1000, Infinity); // held until noteOff or allNotesOff
 * voices.allNotesOff(1500);                  // note-off for 60 at 1500, then CC 123 on channel 1
 */

/** Sends one MIDI message to take effect at `ms` (device milliseconds). */
export type SendMidi = (bytes: number[], ms: number) => void;

export interface MidiVoicesOptions {
  /** The device's current time in milliseconds. */
  now(): number;
  /**
   * Note-offs due later than this many ms from now are held back and sent when they come
   * within it, so that a re-struck key or an all-notes-off can still move them: a note-off
   * already handed to the device cannot be taken back, and would cut whatever note of the same
   * key is playing when it lands. Infinity sends each note-off with its note-on (needed where
   * device time does not run while we wait, as in an OfflineAudioContext). Default Infinity.
   */
  holdBeyond?: number;
  /**
   * Note-offs are sent this many ms before their time, and never sooner than this after their
   * note-on. Messages with equal timestamps do not always arrive in the order they were sent
   * (JZZ in Node runs each one through its own setTimeout; the order flipped in 3 of 200 tries
   * here), and a release landing after the next note-on of its key would silence that note.
   * Default 0.
   */
  releaseLead?: number;
  /** After the note-offs of `allNotesOff`, send CC 123 (All Notes Off) on every channel used. Default true. */
  allNotesOffCC?: boolean;
}

interface Voice {
  readonly channel: number;
  readonly note: number;
  readonly on: number;
  /** When the note should end (Infinity: held until noteOff). */
  off: number;
  /** When the note-off sent for it lands; NaN while none was sent. */
  sentAt: number;
}

const NOTE_ON = 0x90;
const NOTE_OFF = 0x80;
const CC = 0xb0;
const ALL_NOTES_OFF = 123;
/** The release velocity the MIDI spec asks senders without release sensing to use. */
const RELEASE_VELOCITY = 64;

export function checkNote(note: number, velocity: number, channel: number, time: number): void {
  if (!(Number.isInteger(note) && note >= 0 && note < 128)) throw new RangeError(`note ${note} is not a MIDI note (0..127)`);
  if (!(Number.isInteger(channel) && channel >= 0 && channel < 16)) throw new RangeError(`channel ${channel} is not a zero-based MIDI channel (0..15)`);
  if (!(velocity >= 0 && velocity <= 127)) throw new RangeError(`velocity ${velocity} is not a MIDI velocity (0..127)`);
  if (!Number.isFinite(time)) throw new RangeError(`time ${time} is not a finite number of seconds`);
}

/** Velocity 0 would be read as a note-off by the device, so a note that should sound gets at least 1. */
export const noteVelocity = (v: number): number => Math.min(127, Math.max(1, Math.round(v)));

export class MidiVoices {
  private voices: Voice[] = [];
  private readonly channels = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly holdBeyond: number;
  private readonly lead: number;
  private readonly cc: boolean;

  constructor(
    private readonly send: SendMidi,
    private readonly options: MidiVoicesOptions,
  ) {
    this.holdBeyond = options.holdBeyond ?? Infinity;
    this.lead = options.releaseLead ?? 0;
    this.cc = options.allNotesOffCC ?? true;
  }

  /** Notes started and not yet over (for inspection and tests). */
  get sounding(): number {
    this.prune();
    return this.voices.length;
  }

  noteOn(note: number, velocity: number, channel: number, on: number, off: number): void {
    this.prune();
    // Re-striking a key that still sounds: its release moves to the new onset (if still ours to move).
    for (const v of this.voices) {
      if (v.channel === channel && v.note === note && v.on < on && v.off > on && Number.isNaN(v.sentAt)) {
        v.off = on;
        this.release(v, on);
      }
    }
    this.send([NOTE_ON | channel, note, noteVelocity(velocity)], on);
    this.channels.add(channel);
    const v: Voice = { channel, note, on, off: Math.max(on, off), sentAt: NaN };
    this.voices.push(v);
    this.schedule(v);
  }

  /** End the oldest held note of this key at `at`; with none known, send a plain note-off anyway. */
  noteOff(note: number, channel: number, at: number): void {
    const open = (v: Voice) => v.channel === channel && v.note === note && Number.isNaN(v.sentAt);
    const v = this.voices.find((v) => open(v) && v.off === Infinity) ?? this.voices.find(open);
    if (!v) {
      this.send([NOTE_OFF | channel, note, RELEASE_VELOCITY], at);
      return;
    }
    v.off = Math.max(at, v.on);
    this.schedule(v);
  }

  /** End every note at `at` (default now); notes already handed over that start later end as they start. */
  allNotesOff(at?: number): void {
    const t = at ?? this.options.now();
    for (const v of this.voices) {
      if (v.sentAt <= t) continue; // its own note-off already lands by then
      this.release(v, t);
    }
    if (this.cc) for (const ch of [...this.channels].sort((a, b) => a - b)) this.send([CC | ch, ALL_NOTES_OFF, 0], t);
    this.voices = [];
    this.disarm();
  }

  /** Stop the timer that sends held note-offs (call `allNotesOff` first, or notes may hang). */
  dispose(): void {
    this.disarm();
  }

  private release(v: Voice, at: number): void {
    const t = Math.max(at - this.lead, v.on + this.lead);
    this.send([NOTE_OFF | v.channel, v.note, RELEASE_VELOCITY], t);
    v.sentAt = t;
  }

  private schedule(v: Voice): void {
    if (v.off === Infinity) return;
    if (v.off - this.options.now() <= this.holdBeyond) this.release(v, v.off);
    else this.arm();
  }

  private arm(): void {
    let due = Infinity;
    for (const v of this.voices) if (Number.isNaN(v.sentAt) && v.off < due) due = v.off;
    this.disarm();
    if (due === Infinity) return;
    const wait = Math.max(0, due - this.holdBeyond - this.options.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = this.options.now();
      for (const v of this.voices) if (Number.isNaN(v.sentAt) && v.off - now <= this.holdBeyond) this.release(v, v.off);
      this.arm();
    }, wait);
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Forget notes whose note-off has landed. */
  private prune(): void {
    const now = this.options.now();
    if (this.voices.some((v) => v.sentAt < now)) this.voices = this.voices.filter((v) => !(v.sentAt < now));
  }
}
