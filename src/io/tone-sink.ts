/**
 * Notes into Tone.js instruments at exact context times: the drum channel plays the built-in
 * kit, every other channel a PolySynth. The clock's timebase is the Tone context's
 * `currentTime` (seconds). Tone schedules on the audio thread's clock, so the loose callback
 * that calls `noteOn` does not move the sound.
 *
 * @example
 * import * as Tone from 'tone';
 * await Tone.start();
 * const sink = new ToneSink();                    // kit + synth on Tone's context, to its destination
 * const t = Tone.getContext().currentTime + 0.1;
 * sink.noteOn(36, 110, 9, t, 0.1);                // kick
 * sink.noteOn(64, 90, 0, t + 0.25, 0.5);          // E4 on the synth
 *
 * @example
 * // offline: render two bars without a sound card
 * const buffer = await Tone.Offline(() => {
 *   const sink = new ToneSink();
 *   for (let i = 0; i < 8; i++) sink.noteOn(i % 2 ? 38 : 36, 100, 9, i * 0.5, 0.1);
 * }, 4);
 */
import { Frequency, getContext, type InputNode, type PolySynth, type Synth } from 'tone';
import { checkNote } from './midi-voices.js';
import type { NoteSink } from './sink.js';
import { ToneKit, melodicSynth } from './tone-kit.js';

type Context = ReturnType<typeof getContext>;

export interface ToneSinkOptions {
  /** Default: Tone's current context (inside `Tone.Offline`, the offline one). */
  context?: Context;
  /** Where the built-in instruments sound (default: the context's destination). */
  destination?: InputNode;
  /** Drum sounds (default: a new `ToneKit`). Instruments passed in are not disposed by `close`. */
  kit?: ToneKit;
  /** Melodic sounds (default: `melodicSynth()`). */
  synth?: PolySynth<Synth>;
  /** Zero-based channel played by the kit (default 9, General MIDI drums); -1 for none. */
  drumChannel?: number;
}

interface Held {
  readonly note: number;
  readonly channel: number;
  readonly on: number;
  /** When its release is due (Infinity: held until noteOff). */
  off: number;
  /** The context timeout that hands the release to the synth, while it is still ours to move. */
  timer: number | null;
  /** The release went to the synth; from then on only `releaseAll` can move it. */
  handed: boolean;
}

/** A note's release never coincides with its attack, so the synth always sees the attack first. */
const MIN_LENGTH = 1e-4;

export class ToneSink implements NoteSink {
  readonly kit: ToneKit;
  readonly synth: PolySynth<Synth>;
  readonly context: Context;
  private readonly drumChannel: number;
  private readonly owned: { dispose(): unknown }[] = [];
  private held: Held[] = [];
  private closed = false;

  constructor(options: ToneSinkOptions = {}) {
    this.context = options.context ?? getContext();
    const { context, destination } = { context: this.context, destination: options.destination };
    this.kit = options.kit ?? this.own(new ToneKit({ context, destination }));
    this.synth = options.synth ?? this.own(melodicSynth({ context, destination }));
    this.drumChannel = options.drumChannel ?? 9;
  }

  noteOn(note: number, velocity: number, channel: number, time: number, duration: number): void {
    this.open();
    checkNote(note, velocity, channel, time);
    if (channel === this.drumChannel) {
      // drum sounds are one-shots: their length is their own, as on a drum machine
      this.kit.play(note, velocity, time);
      return;
    }
    this.prune();
    this.synth.triggerAttack(hzOf(note), time, Math.min(1, Math.max(0, velocity / 127)));
    const h: Held = { note, channel, on: time, off: Infinity, timer: null, handed: false };
    this.held.push(h);
    if (duration !== Infinity) this.release(h, time + duration);
  }

  noteOff(note: number, channel: number, time: number): void {
    this.open();
    checkNote(note, 0, channel, time);
    if (channel === this.drumChannel) return;
    const h = this.held.find((h) => h.note === note && h.channel === channel && h.off === Infinity);
    if (h) this.release(h, time);
  }

  /** Releases every melodic note at `time` (default now), including ones scheduled to start later, and cuts ringing cymbals. */
  allNotesOff(time?: number): void {
    if (this.closed) return;
    const t = time ?? this.context.currentTime;
    for (const h of this.held) if (!h.handed) this.release(h, Math.min(h.off, t));
    // voices whose releases the synth already holds, later than t
    this.synth.releaseAll(t);
    this.kit.stopAll(t);
  }

  /** Ends every note now; instruments this sink made are disposed once their releases have rung out. */
  close(): void {
    if (this.closed) return;
    this.allNotesOff();
    this.closed = true;
    const owned = this.owned.splice(0);
    const last = this.held.reduce((a, h) => Math.max(a, h.off), this.context.currentTime);
    if (owned.length) this.context.setTimeout(() => owned.forEach((o) => o.dispose()), last - this.context.now() + 2);
  }

  /**
   * Release at `at`, through a context timeout even when due now: the synth defers attacks
   * the same way, and a release handed over before its attack would find no voice to end.
   */
  private release(h: Held, at: number): void {
    if (h.timer !== null) this.context.clearTimeout(h.timer);
    h.off = Math.max(at, h.on + MIN_LENGTH);
    h.timer = this.context.setTimeout(() => {
      h.timer = null;
      h.handed = true;
      // PolySynth ends the oldest unreleased voice of the pitch, so repeated pitches end in order.
      this.synth.triggerRelease(hzOf(h.note), h.off);
    }, Math.max(0, h.off - this.context.now()));
  }

  private prune(): void {
    const now = this.context.currentTime;
    if (this.held.some((h) => h.handed && h.off < now)) this.held = this.held.filter((h) => !(h.handed && h.off < now));
  }

  private own<T extends { dispose(): unknown }>(x: T): T {
    this.owned.push(x);
    return x;
  }

  private open(): void {
    if (this.closed) throw new Error('ToneSink is closed');
  }
}

const hzOf = (note: number): number => Frequency(note, 'midi').toFrequency();
