/**
 * The Player ties a clock to a generator and its outputs: on every step the clock hands out,
 * it ticks the generator once and sends what it played to every sink, each note at
 * `step time + offset × step duration`, lasting `length × step duration × gate`. An expressive
 * drum model plays hits up to half a step early (offset down to -0.5): the Player has the clock
 * hand steps out that far ahead of their time (`Clock.setMaxEarly`, from the generator's codec,
 * when it starts and whenever the generator's codec changes, as when a page loads another
 * model), and no further for a model never early. A note whose time has already passed when
 * its step is handed out is sent at once and counted in `lateNotes`. It keeps the
 * outputs silent when the music stops: on stop, dropout, pause and mute every sink gets
 * `allNotesOff`, so no note is left hanging whatever the transport does. A tempo change
 * shortens what already sounds past it: a note's part after the change plays at the new
 * tempo (a step handed out at 1 BPM lasts 15 s; at 120 BPM what is left of it ends at once).
 *
 * When the clock jumps (a start from the top, a song position, a locate, steps lost in a
 * dropout) the player moves the generator with it (`gen.locate(step)`), so a drum model's
 * position in the bar stays the clock's.
 *
 * @example
 * import { Generator, loadModelSpec } from 'pulse-rnn';
 * import { openOutput } from '../io/midi-ports.js';
 * import { WebMidiSink } from '../io/webmidi-sink.js';
 * import { InternalClock } from './internal-clock.js';
 * import { Player } from './player.js';
 * const gen = new Generator(await loadModelSpec('weights/drums-gmd'), { seed: 7 });
 * const clock = new InternalClock({ bpm: 120 });
 * const player = new Player(clock, gen, [new WebMidiSink(await openOutput('IAC Driver Bus 1'))]);
 * clock.start();
 * // … gen.pause(); gen.resume(); player.panic(); clock.stop(); player.dispose();
 */
import type { StepResult } from '../music/generator.js';
import type { NoteSink } from '../io/sink.js';
import { maxEarlyFor, type Clock, type StepEvent, type TransportEvent } from './clock.js';

/** What the player needs of a generator: `Generator` has all of it. */
export interface Playable {
  tick(): StepResult;
  /** The next step the generator will play. */
  readonly step: number;
  /** Move to `step` at the next tick. Optional so an older generator still plays (it then ignores jumps). */
  locate?(step: number): void;
  /**
   * What the model's notes are (`Generator.codec`): how early they can be sets how far ahead
   * the clock hands steps out. Left out or null: the clock's own setting stays.
   */
  readonly codec?: { readonly earliest?: number } | null;
}

export interface PlayerOptions {
  /** Fraction of a note's length it sounds (default 0.9); held notes (length Infinity) stay held. */
  gate?: number;
  /** Where exceptions from a sink go (default console.error); the other sinks still get the event. */
  onError?: (err: unknown) => void;
}

interface SoundingNote {
  note: number;
  channel: number;
  on: number;
  end: number;
  /** The tempo its length was measured in. */
  bpm: number;
}

/**
 * Seconds a tempo change must take off a note before it is shortened: ends nearer than that
 * may already be on their way to the device (WebMidiSink hands a note-off over 0.2 s ahead),
 * and a second note-off for them would cut the key's next note.
 */
const SHORTEN_AT_LEAST = 0.25;

export class Player {
  readonly clock: Clock;
  readonly generator: Playable;
  private readonly sinkList: NoteSink[];
  private readonly gate: number;
  private readonly onError: (err: unknown) => void;
  private readonly offs: (() => void)[];
  /** The step the clock should hand out next, or -1 after a transport change (check the generator). */
  private expected = -1;
  /** The sinks were silenced by a stop or dropout: the generator lets go of what it holds, so a held chord strikes again when the music goes on. */
  private silenced = false;
  private wasPaused = false;
  private wasMuted = false;
  /** The latest note-on sent: silencing before it would leave that note sounding. */
  private lastOn = -Infinity;
  /** Notes sent with a set length that may still sound, reused in place: a tempo change rescales them. */
  private readonly sounding: SoundingNote[] = [];
  private soundingCount = 0;
  private late = 0;
  /** The codec the clock's `maxEarly` was last set for. */
  private earlyFor: { readonly earliest?: number } | null = null;

  constructor(clock: Clock, generator: Playable, sinks: readonly NoteSink[] = [], options: PlayerOptions = {}) {
    const { gate = 0.9 } = options;
    if (!(gate > 0 && gate <= 1)) throw new RangeError(`gate must be in (0, 1], got ${gate}`);
    this.clock = clock;
    this.generator = generator;
    this.sinkList = [...sinks];
    this.gate = gate;
    this.onError = options.onError ?? ((err) => console.error('pulse-rnn player:', err));
    this.offs = [clock.onStep((e) => this.step(e)), clock.onTransport((e) => this.transport(e))];
    this.followCodec();
  }

  /**
   * Notes whose time had passed when their step was handed out (an early hit the clock did not
   * hand out far enough ahead, a timer held up past the lookahead): each went out at once.
   */
  get lateNotes(): number {
    return this.late;
  }

  get sinks(): readonly NoteSink[] {
    return this.sinkList;
  }

  addSink(sink: NoteSink): void {
    if (!this.sinkList.includes(sink)) this.sinkList.push(sink);
  }

  /** Removes a sink, silencing it first. */
  removeSink(sink: NoteSink): void {
    const i = this.sinkList.indexOf(sink);
    if (i < 0) return;
    this.silence(sink, Math.max(this.clock.now(), this.lastOn));
    this.sinkList.splice(i, 1);
  }

  /** Every sink silent now, and again after the last note already scheduled ahead. */
  panic(): void {
    const now = this.clock.now();
    this.allNotesOff(now);
    if (this.lastOn >= now) this.allNotesOff(this.lastOn);
  }

  /** Stop listening to the clock and silence the sinks (they stay open: they are the caller's). */
  dispose(): void {
    for (const off of this.offs) off();
    this.offs.length = 0;
    this.panic();
  }

  // ---- the clock's calls ------------------------------------------------------------------

  private step(e: StepEvent): void {
    const gen = this.generator;
    this.followCodec();
    // a jump of the clock: the generator follows (guarded for generators without locate)
    const jumped = this.silenced || (this.expected < 0 ? gen.step !== e.step : e.step !== this.expected);
    this.silenced = false;
    if (jumped && typeof gen.locate === 'function') gen.locate(e.step);
    this.expected = e.step + 1;

    const r = gen.tick();
    const dur = e.stepDuration;
    const sinks = this.sinkList;
    // releases first: a key let go and struck again at the same instant must end up sounding
    for (let i = 0; i < r.releaseCount; i++) {
      const x = r.releases[i];
      const time = e.time + x.offset * dur;
      for (let s = 0; s < sinks.length; s++) {
        try {
          sinks[s].noteOff(x.note, x.channel, time);
        } catch (err) {
          this.onError(err);
        }
      }
    }
    if ((r.paused && !this.wasPaused) || (r.muted && !this.wasMuted)) this.allNotesOff(Math.max(e.time, this.lastOn));
    this.wasPaused = r.paused;
    this.wasMuted = r.muted;
    const now = r.count > 0 ? this.clock.now() : 0;
    for (let i = 0; i < r.count; i++) {
      const n = r.notes[i];
      let time = e.time + n.offset * dur;
      let length = n.length === Infinity ? Infinity : n.length * dur * this.gate;
      if (time < now) {
        // past already: at once, as short as it would have ended (a note-off keeps its time)
        this.late++;
        if (length !== Infinity) length = Math.max(0, time + length - now);
        time = now;
      }
      if (time > this.lastOn) this.lastOn = time;
      if (length !== Infinity) this.remember(n.note, n.channel, time, time + length, e.bpm, e.time);
      for (let s = 0; s < sinks.length; s++) {
        try {
          sinks[s].noteOn(n.note, n.velocity, n.channel, time, length);
        } catch (err) {
          this.onError(err);
        }
      }
    }
  }

  /** The clock hands steps out as early as the generator's model needs, from its next step. */
  private followCodec(): void {
    const codec = this.generator.codec;
    if (!codec || codec === this.earlyFor) return;
    this.earlyFor = codec;
    try {
      this.clock.setMaxEarly?.(maxEarlyFor(codec));
    } catch (err) {
      this.onError(err);
    }
  }

  private transport(e: TransportEvent): void {
    switch (e.type) {
      case 'stop':
      case 'dropout':
        this.expected = -1;
        this.silenced = true;
        return this.allNotesOff(Math.max(e.time, this.lastOn));
      case 'start':
      case 'continue':
      case 'position':
        this.expected = -1;
        return;
      case 'tempo':
        this.rescale(e.bpm, e.time);
        for (const sink of this.sinkList) {
          try {
            sink.tempo?.(e.bpm, e.time);
          } catch (err) {
            this.onError(err);
          }
        }
        return;
    }
  }

  private allNotesOff(time: number): void {
    this.soundingCount = 0;
    for (const sink of this.sinkList) this.silence(sink, time);
  }

  private remember(note: number, channel: number, on: number, end: number, bpm: number, stepTime: number): void {
    // forget what has ended by this step: the list stays as long as the notes that overlap
    let k = 0;
    for (let i = 0; i < this.soundingCount; i++) {
      const x = this.sounding[i];
      if (x.end > stepTime) {
        if (k !== i) {
          this.sounding[i] = this.sounding[k];
          this.sounding[k] = x;
        }
        k++;
      }
    }
    this.soundingCount = k;
    if (k === this.sounding.length) this.sounding.push({ note: 0, channel: 0, on: 0, end: 0, bpm: 0 });
    const x = this.sounding[this.soundingCount++];
    x.note = note;
    x.channel = channel;
    x.on = on;
    x.end = end;
    x.bpm = bpm;
  }

  /** The part of each note after `time` lasts as long at `bpm` as it did at the note's tempo. */
  private rescale(bpm: number, time: number): void {
    for (let i = 0; i < this.soundingCount; i++) {
      const x = this.sounding[i];
      if (x.end <= time) continue;
      const end = Math.max(x.on, time + ((x.end - time) * x.bpm) / bpm);
      // only shorter (a note-off already sent cannot move later), and only notes ending far
      // away: a followed clock's small tempo wobbles leave notes as they are
      if (end < x.end - SHORTEN_AT_LEAST) {
        x.end = end;
        for (const sink of this.sinkList) {
          try {
            sink.noteOff(x.note, x.channel, end);
          } catch (err) {
            this.onError(err);
          }
        }
        x.bpm = bpm;
      }
    }
  }

  private silence(sink: NoteSink, time: number): void {
    try {
      sink.allNotesOff(time);
    } catch (err) {
      this.onError(err);
    }
  }
}
