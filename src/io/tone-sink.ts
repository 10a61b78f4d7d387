/**
 * Notes into Tone.js instruments at exact context times: the drum channel plays the built-in
 * kit, every other channel a `MelodicSynth`. The clock's timebase is the Tone context's
 * `currentTime` (seconds). Each note is handed to its instrument, with its exact time, a little
 * before that time comes (two ticks of the context's clock, ahead of its lookahead): the audio
 * clock, not the callback, decides when it sounds, and until it is handed over allNotesOff can
 * still call it off. Not at the note's time itself: an OfflineContext's clock ticks every 128
 * frames, so that hand-over would come after the time, and Tone clamps a source's start to the
 * current time (PolySynth's offline notes start up to a render quantum late for this reason).
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
import { getContext, type InputNode } from 'tone';
import { checkNote } from './midi-voices.js';
import type { NoteSink } from './sink.js';
import { MelodicSynth, ToneKit, type SynthNote } from './tone-kit.js';

type Context = ReturnType<typeof getContext>;

export interface ToneSinkOptions {
  /** Default: Tone's current context (inside `Tone.Offline`, the offline one). */
  context?: Context;
  /** Where the built-in instruments sound (default: the context's destination). */
  destination?: InputNode;
  /** Drum sounds (default: a new `ToneKit`). Instruments passed in are not disposed by `close`. */
  kit?: ToneKit;
  /** Melodic sounds (default: a new `MelodicSynth`). */
  synth?: MelodicSynth;
  /** Zero-based channel played by the kit (default 9, General MIDI drums); -1 for none. */
  drumChannel?: number;
}

interface Held {
  readonly note: number;
  readonly channel: number;
  readonly on: number;
  /** When its release is due (Infinity: held until noteOff). */
  off: number;
  /** The context timeout that will start it, while it can still be called off. */
  attack: number | null;
  /** The synth's note, once started; its release is passed on as soon as it is known. */
  voice: SynthNote | null;
}

/** An envelope released at its attack's instant is still at 0 and ignores the release; a note lasts at least this long. */
const MIN_LENGTH = 1e-3;

export class ToneSink implements NoteSink {
  readonly kit: ToneKit;
  readonly synth: MelodicSynth;
  readonly context: Context;
  private readonly drumChannel: number;
  private readonly owned: { dispose(): unknown }[] = [];
  private held: Held[] = [];
  /** Drum hits not yet handed to the kit: timeout id → time. */
  private readonly hits = new Map<number, number>();
  private closed = false;

  constructor(options: ToneSinkOptions = {}) {
    const context = (this.context = options.context ?? getContext());
    const destination = options.destination;
    this.kit = options.kit ?? this.own(new ToneKit({ context, destination }));
    this.synth = options.synth ?? this.own(new MelodicSynth({ context, destination }));
    this.drumChannel = options.drumChannel ?? 9;
  }

  noteOn(note: number, velocity: number, channel: number, time: number, duration: number): void {
    this.open();
    checkNote(note, velocity, channel, time);
    if (channel === this.drumChannel) {
      // Drum sounds are one-shots: their length is their own, as on a drum machine.
      const hit = { id: null as number | null };
      hit.id = this.defer(time, () => {
        if (hit.id !== null) this.hits.delete(hit.id);
        this.kit.play(note, velocity, time);
      });
      if (hit.id !== null) this.hits.set(hit.id, time);
      return;
    }
    this.prune();
    const h: Held = { note, channel, on: time, off: Infinity, attack: null, voice: null };
    h.attack = this.defer(time, () => {
      h.attack = null;
      h.voice = this.synth.attack(note, time, Math.min(1, Math.max(0, velocity / 127)));
      if (h.off !== Infinity) h.voice.release(h.off);
    });
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

  /**
   * At `time` (default now): releases every melodic note, calls off notes and hits scheduled
   * to start after it that have not reached the instruments yet, and cuts ringing cymbals.
   * Hits at exactly `time` still play (the Player silences at the last note-on it sent).
   */
  allNotesOff(time?: number): void {
    if (this.closed) return;
    const t = time ?? this.context.currentTime;
    for (const [id, at] of this.hits) {
      if (at <= t) continue;
      this.context.clearTimeout(id);
      this.hits.delete(id);
    }
    for (const h of this.held) {
      if (h.attack !== null && h.on > t) {
        this.context.clearTimeout(h.attack);
        h.attack = null;
        h.off = h.on;
      } else if (h.off > t) this.release(h, t);
    }
    this.synth.releaseAll(t);
    this.kit.stopAll(t);
  }

  /**
   * Melodic notes that sound at `time` (default now), or will: started and not yet released, or
   * waiting for their start. 0 once every key has been let go (what a stop must leave).
   */
  sounding(time = this.context.currentTime): number {
    let n = 0;
    for (const h of this.held) if (h.off > time && (h.attack !== null || h.voice !== null)) n++;
    return n;
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

  /** How long before its time a call is handed to an instrument: two ticks of the context's clock. */
  private get lead(): number {
    const tick = (this.context as { updateInterval?: number }).updateInterval ?? 128 / this.context.sampleRate;
    return 2 * tick;
  }

  /**
   * Run `fn` once `time` is near (at once if it already is). Returns the timeout id, or null
   * when `fn` already ran.
   */
  private defer(time: number, fn: () => void): number | null {
    const wait = time - this.lead - this.context.now();
    if (wait <= 0) {
      fn();
      return null;
    }
    return this.context.setTimeout(fn, wait);
  }

  /** Release at `at` (never before its start plus MIN_LENGTH): passed to the voice now, or by the attack when it runs. */
  private release(h: Held, at: number): void {
    h.off = Math.max(at, h.on + MIN_LENGTH);
    h.voice?.release(h.off);
  }

  private prune(): void {
    const now = this.context.currentTime;
    const over = (h: Held) => h.attack === null && h.off < now;
    if (this.held.some(over)) this.held = this.held.filter((h) => !over(h));
  }

  private own<T extends { dispose(): unknown }>(x: T): T {
    this.owned.push(x);
    return x;
  }

  private open(): void {
    if (this.closed) throw new Error('ToneSink is closed');
  }
}
