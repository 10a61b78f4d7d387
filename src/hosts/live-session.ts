/**
 * A live performance: a Generator on a clock (the internal one, or an external MIDI clock),
 * playing into its outputs, with the performer's commands as methods. The REPL calls these
 * methods; so can a test or another host. Every command checks its arguments and reports a
 * problem as one line naming the value, and changes nothing then: no command ever throws, so
 * a typo never stops the music. Controls apply at the next step the generator plays.
 *
 * `record(file)` records what plays into a MIDI file and writes, beside it, the performance
 * log (`file.log.json`) that `pulse-rnn replay` plays again note for note. A take never
 * overwrites another: when `file` (or its log) exists, it goes to `file-2.mid`, `file-3.mid` …
 * and the prompt says so.
 *
 * Every step number the performer reads (messages, `status()`, the grid, the log's entries)
 * is the generator's step: the one an `edit` names, which stands still while paused.
 *
 * @example
 * const clock = new InternalClock({ bpm: 120 });
 * const session = new LiveSession({ spec, clock, sinks: [new WebMidiSink(output)], seed: 7 });
 * session.start();
 * session.temperature(1.2);        // from the next step
 * session.lock('kick');
 * await session.record('set.mid'); // … later: await session.stop() writes set.mid + set.mid.log.json
 * await session.quit();            // the last step plays out, every note ends, outputs close
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { checkUserFile, MAX_MIDI_BYTES } from '../io/user-file.js';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { ModelSpec } from '../engine/model.js';
import { readMidi } from '../io/midi-read.js';
import type { MidiRecorder } from '../io/recorder.js';
import type { NoteSink } from '../io/sink.js';
import { Generator, type GeneratorOptions, type StepResult } from '../music/generator.js';
import type { StepEvent, TransportEvent } from '../time/clock.js';
import { InternalClock } from '../time/internal-clock.js';
import type { MidiClockFollower } from '../time/midi-clock-follower.js';
import { Player, type Playable } from '../time/player.js';
import { writeAtomic } from '../io/atomic-file.js';
import { waitUntil } from './replay.js';
import { sessionRecorder, type SessionLog, type TempoEntry } from './session-log.js';
import { StepDisplay, parseNoteName } from './step-display.js';

export interface LiveSessionOptions {
  spec: ModelSpec;
  /** Where the model came from; written into recording logs so `replay` finds it. */
  model?: string;
  clock: InternalClock | MidiClockFollower;
  /** How the clock is described in `status()` (default: 'internal clock' or 'MIDI clock'). */
  clockName?: string;
  /** Outputs; they are closed by `quit()`. */
  sinks?: NoteSink[];
  seed?: number;
  temperature?: number;
  topP?: number;
  density?: number;
  /** Where messages and the step grid go (default console.log). */
  print?: (text: string) => void;
  /** Print the step grid while playing (default true). */
  grid?: boolean;
  /** Quit after this many clock steps. */
  steps?: number;
  /** Folder that relative file names in commands are read from and written to (default process.cwd()). */
  cwd?: string;
}

/** The commands a performer can type, with what each does, for `help()` and tab completion. */
export const COMMANDS: readonly (readonly [name: string, usage: string, what: string])[] = [
  ['temperature', 'temperature(1.2)', 'sampling temperature, 0 (always the likeliest) to 10; temperature() shows it'],
  ['topp', 'topp(0.9)', 'nucleus sampling mass, in (0, 1]'],
  ['density', 'density(0.3)', 'more notes (> 0) or fewer (< 0), -100 to 100'],
  ['seed', 'seed(7)', 'a new random stream (whole number 0..4294967295)'],
  ['pause', 'pause()', 'freeze the model; resume() goes on where it stopped'],
  ['resume', 'resume()', 'play on after pause()'],
  ['mute', 'mute()', 'keep running in time, silently'],
  ['unmute', 'unmute()', 'sound again after mute()'],
  ['reset', 'reset()', 'start the model over (edits and locks stay)'],
  ['edit', "edit(64, ['kick', 'snare'])", "write an upcoming step (a step number, or '+4' for 4 steps ahead); [] is silence"],
  ['lock', "lock('kick')", 'keep a drum voice as the last bar played it; the model fills the rest'],
  ['unlock', "unlock('kick')", 'free a locked voice; unlock() frees all'],
  ['prime', "prime('groove.mid')", 'set the state from a MIDI file without playing it (a long file is read while playing; a message says when it took effect)'],
  ['record', "record('set.mid')", 'record to a MIDI file and its log (set.mid.log.json); record() again writes them; never over another take (set-2.mid …)'],
  ['stop', 'stop()', 'end the recording and write it'],
  ['bpm', 'bpm(128)', 'tempo of the internal clock, 1 to 999, at once (the step in progress ends at the new tempo)'],
  ['grid', 'grid(false)', 'show or hide the step grid; grid() toggles'],
  ['status', 'status()', 'where the music is and what every control is set to'],
  ['help', 'help()', 'this list'],
  ['quit', 'quit()', 'stop cleanly: the last step plays out, every note ends, outputs close'],
];

/** A problem with a command's arguments: reported, never thrown past the session. */
class CommandError extends Error {}

const MAX_SEED = 0xffffffff;
/**
 * quit() ends every note within this many seconds, whatever the step in progress: at 1 BPM a
 * step lasts 15 s, and a performer who quits means now.
 */
const QUIT_WITHIN = 0.5;
/** Edits further ahead than this are surely a typo (256 bars of 16ths). */
const MAX_EDIT_AHEAD = 4096;

interface Recording {
  path: string;
  name: string;
  recorder: MidiRecorder | null;
  from: number;
  bpm: number;
  /** Time of the first recorded step. */
  origin: number;
}

export class LiveSession {
  readonly generator: Generator;
  readonly player: Player;
  readonly clock: InternalClock | MidiClockFollower;
  /** Resolves when the session has quit and its outputs are closed. */
  readonly done: Promise<void>;
  /** Where messages go; a REPL replaces it to keep its prompt intact. */
  printer: (text: string) => void;
  /** The last problem a command reported (null when the last command worked). */
  lastError: string | null = null;

  private readonly model: string;
  private readonly clockName: string;
  private readonly sinks: NoteSink[];
  private readonly display: StepDisplay;
  private showGrid: boolean;
  private readonly stepLimit: number;
  private readonly cwd: string;
  private readonly offs: (() => void)[] = [];
  private stepsHandedOut = 0;
  private lastStepEnd = -Infinity;
  private lastBpm = 0;
  /** The clock's number of the last step handed out. */
  private lastClockStep = -1;
  /** Where quit() cut the last step short, if it did. */
  private cutAt: number | null = null;
  private recording: Recording | null = null;
  private readonly tempos: TempoEntry[] = [];
  private readonly locks = new Map<string, number>();
  private quitting: Promise<void> | null = null;
  /** The file a prime being read came from. */
  private priming: string | null = null;
  private readingAhead = false;
  private resolveDone: () => void = () => {};
  /** Controls the generator dropped in the tick being played, by type: the first reason and how many more. */
  private readonly drops = new Map<string, { message: string; more: number }>();

  constructor(o: LiveSessionOptions) {
    // the random stream takes 32 bits: -1 would play as 4294967295, and seed() refuses both
    if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= MAX_SEED)) throw new RangeError(`seed ${o.seed} is out of range; give a whole number from 0 to ${MAX_SEED}, as seed() at the prompt takes`);
    const genOptions: GeneratorOptions = { seed: o.seed ?? 1, temperature: o.temperature ?? 1 };
    if (o.topP !== undefined) genOptions.topP = o.topP;
    if (o.density !== undefined) genOptions.density = o.density;
    this.generator = new Generator(o.spec, genOptions);
    this.clock = o.clock;
    this.model = o.model ?? o.spec.source;
    this.clockName = o.clockName ?? (o.clock instanceof InternalClock ? 'internal clock' : 'MIDI clock');
    this.sinks = [...(o.sinks ?? [])];
    this.printer = o.print ?? ((text) => console.log(text));
    this.display = new StepDisplay(this.generator.codec, (text) => this.printer(text));
    this.showGrid = o.grid ?? true;
    if (o.steps !== undefined && !(Number.isInteger(o.steps) && o.steps > 0)) throw new RangeError(`steps must be a whole number ≥ 1, got ${o.steps}`);
    this.stepLimit = o.steps ?? Infinity;
    this.cwd = o.cwd ?? process.cwd();
    this.done = new Promise((r) => (this.resolveDone = r));

    const gen = this.generator;
    gen.reports = {
      dropped: (c, e) => {
        const same = this.drops.get(c.type);
        if (same) same.more++;
        else this.drops.set(c.type, { message: e.message, more: 0 });
      },
      primed: (step) => {
        const name = this.priming;
        this.priming = null;
        if (name !== null) this.printer(`${name} primed: the model plays on from it at step ${step}`);
      },
    };
    const playable: Playable = {
      tick: () => {
        const r = gen.tick();
        this.afterTick(r);
        return r;
      },
      get step() {
        return gen.step;
      },
      locate: (step) => gen.locate(step),
    };
    // the order matters: a recording starts before the player sends a step, the limit is
    // checked after it has
    this.offs.push(this.clock.onStep(this.beforeStep));
    this.player = new Player(this.clock, playable, this.sinks, { onError: (e) => this.printer(`output: ${errorText(e)}`) });
    this.offs.push(this.clock.onStep(this.afterStep));
    this.offs.push(this.clock.onTransport(this.onTransport));
    this.tempos.push({ tick: 0, bpm: this.clock.bpm });
  }

  /** True once quit() has begun. */
  get stopping(): boolean {
    return this.quitting !== null;
  }

  /** Start playing (internal clock), or wait for the external clock's start. */
  start(): void {
    if (this.clock instanceof InternalClock) this.clock.start();
    else this.printer(`waiting for the ${this.clockName} to start`);
  }

  // ---- the performer's commands --------------------------------------------------------

  temperature(value?: unknown, ...extra: unknown[]): void {
    this.command('temperature', extra, () => {
      if (value === undefined) return `temperature ${this.generator.temperature}`;
      const t = numberIn(value, 0, 10, 'a number from 0 (always the likeliest) to 10');
      this.generator.setTemperature(t);
      return `temperature ${t} from step ${this.generator.step}`;
    });
  }

  topp(value?: unknown, ...extra: unknown[]): void {
    this.command('topp', extra, () => {
      if (value === undefined) return `topp ${this.generator.topP}`;
      const p = numberIn(value, 0, 1, 'a number in (0, 1]');
      if (p === 0) throw new CommandError(`0 is out of range; give a number in (0, 1] (1 samples from everything)`);
      this.generator.setTopP(p);
      return `topp ${p} from step ${this.generator.step}`;
    });
  }

  density(value?: unknown, ...extra: unknown[]): void {
    this.command('density', extra, () => {
      if (value === undefined) return `density ${this.generator.density}`;
      const d = numberIn(value, -100, 100, 'a number from -100 (fewer notes) to 100 (more)');
      this.generator.setDensity(d);
      return `density ${d} from step ${this.generator.step}`;
    });
  }

  seed(value?: unknown, ...extra: unknown[]): void {
    this.command('seed', extra, () => {
      if (value === undefined) return `seed ${this.generator.seed}`;
      const s = wholeIn(value, 0, MAX_SEED, `a whole number from 0 to ${MAX_SEED}`);
      this.generator.reseed(s);
      return `seed ${s} from step ${this.generator.step}`;
    });
  }

  pause(...extra: unknown[]): void {
    this.command('pause', extra, () => (this.generator.pause(), `paused from step ${this.generator.step}; resume() plays on`));
  }

  resume(...extra: unknown[]): void {
    this.command('resume', extra, () => (this.generator.resume(), `playing from step ${this.generator.step}`));
  }

  mute(...extra: unknown[]): void {
    this.command('mute', extra, () => (this.generator.mute(), `muted from step ${this.generator.step}`));
  }

  unmute(...extra: unknown[]): void {
    this.command('unmute', extra, () => (this.generator.unmute(), `sounding from step ${this.generator.step}`));
  }

  reset(...extra: unknown[]): void {
    this.command('reset', extra, () => (this.generator.reset(), `the model starts over at step ${this.generator.step}`));
  }

  edit(step?: unknown, notes?: unknown, ...extra: unknown[]): void {
    this.command('edit', extra, () => {
      const gen = this.generator;
      if (step === undefined) throw new CommandError(`give a step and its notes, e.g. edit('+4', ['kick', 'snare'])`);
      let at: number;
      if (typeof step === 'string' && /^\+\d+$/.test(step.trim())) at = gen.step + Number(step.trim().slice(1));
      else if (typeof step === 'number' && Number.isInteger(step)) at = step;
      else throw new CommandError(`step ${show(step)} is not a step; give a whole number (the next step is ${gen.step}) or '+N' for N steps ahead`);
      if (at < gen.step) throw new CommandError(`step ${at} has already played (the next step is ${gen.step})`);
      if (at > gen.step + MAX_EDIT_AHEAD) throw new CommandError(`step ${at} is more than ${MAX_EDIT_AHEAD} steps ahead (the next step is ${gen.step})`);
      if (notes === undefined) throw new CommandError(`give the notes of step ${at}: a list such as ['kick', 'snare'], or [] for silence`);
      const list = (Array.isArray(notes) ? notes : [notes]).map((n) => this.noteArg(n));
      gen.edit(at, list);
      return `edit step ${at}: ${list.length ? list.join(' ') : 'silence'}`;
    });
  }

  lock(voice?: unknown, options?: unknown, ...extra: unknown[]): void {
    this.command('lock', extra, () => {
      const voices = this.generator.codec.voices;
      if (voice === undefined) throw new CommandError(voices.length ? `name a voice: ${voices.join(', ')}` : 'this model has no voices to lock');
      if (typeof voice !== 'string' && typeof voice !== 'number') throw new CommandError(`${show(voice)} is not a voice; voices are ${voices.join(', ') || '(none)'}`);
      if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) throw new CommandError(`options ${show(options)} must be an object such as { bars: 2 } or { pattern: [1,0,0,0, …] }`);
      const opts = (options ?? {}) as { pattern?: (number | boolean)[]; bars?: number };
      this.generator.lock(voice, opts);
      const name = typeof voice === 'number' ? voices[voice] : voice;
      this.locks.set(name, opts.bars ? this.generator.step + opts.bars * this.generator.codec.stepsPerBar : Infinity);
      return `lock ${name} from step ${this.generator.step}${opts.bars ? ` for ${opts.bars} bar(s)` : ''}`;
    });
  }

  unlock(voice?: unknown, ...extra: unknown[]): void {
    this.command('unlock', extra, () => {
      if (voice !== undefined && typeof voice !== 'string' && typeof voice !== 'number') throw new CommandError(`${show(voice)} is not a voice; voices are ${this.generator.codec.voices.join(', ') || '(none)'}`);
      this.generator.unlock(voice as string | number | undefined);
      if (voice === undefined) {
        this.locks.clear();
        return `every voice free from step ${this.generator.step}`;
      }
      const name = typeof voice === 'number' ? this.generator.codec.voices[voice] : voice;
      this.locks.delete(name);
      return `${name} free from step ${this.generator.step}`;
    });
  }

  /** Read a MIDI file and set the model's state from it (it is not played). */
  async prime(file?: unknown, ...extra: unknown[]): Promise<void> {
    await this.commandAsync('prime', extra, async () => {
      const path = this.fileArg(file, "name a MIDI file, e.g. prime('groove.mid')");
      let bytes: Buffer;
      // a pipe would hold the prompt forever, /dev/zero would fill the memory of a live set;
      // a path that is not there at all is the read's to report
      if (existsSync(path)) {
        try {
          checkUserFile(path, MAX_MIDI_BYTES, 'a MIDI file');
        } catch (e) {
          throw new CommandError(errorText(e));
        }
      }
      try {
        bytes = await readFile(path);
      } catch (e) {
        throw new CommandError(`cannot read ${show(file)} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
      }
      const song = readMidi(new Uint8Array(bytes), String(file));
      const gen = this.generator;
      // a turn of the event loop between the file's parsing and its encoding: each blocks
      // for a while on a long file, and the clock must get its wake-ups in between
      await nextTurn();
      const { events } = gen.codec.fromSong(song);
      await nextTurn();
      if (this.quitting) throw new CommandError('the session is stopping');
      gen.prime(events);
      const ticks = Generator.primeTicks(events.length);
      this.priming = ticks === 1 ? null : String(file);
      if (ticks === 1) return `primed from ${file} (${song.notes.length} notes) before step ${gen.step}`;
      this.readAhead();
      // read a slice a step, so no step is late; it says when it has taken effect
      return `reading ${file} (${song.notes.length} notes, ${events.length} steps) while playing: it takes effect in about ${ticks} steps`;
    });
  }

  /**
   * `record('set.mid')` starts recording at the next step; `record()` or `stop()` ends it and
   * writes set.mid and set.mid.log.json (each whole or not at all). Recording to another file
   * while recording writes the first one and starts the next.
   */
  async record(file?: unknown, ...extra: unknown[]): Promise<void> {
    await this.commandAsync('record', extra, async () => {
      if (file === undefined) {
        if (this.recording) return this.finishRecording();
        throw new CommandError("name a file to record to, e.g. record('set.mid')");
      }
      const asked = this.fileArg(file, "name a file to record to, e.g. record('set.mid')");
      if (this.quitting) throw new CommandError('the session is stopping');
      checkWritable(asked, String(file));
      const before = this.recording ? await this.finishRecording() : '';
      const path = unusedPath(asked, this.recording);
      const name = renamed(String(file), asked, path);
      this.recording = { path, name, recorder: null, from: -1, bpm: 0, origin: 0 };
      const moved = path === asked ? '' : `${show(String(file))} exists, so this take goes to ${show(name)} (the old one stays); `;
      return `${before ? `${before}\n` : ''}${moved}recording to ${name} from the next step; record() or stop() writes it`;
    });
  }

  /** End the recording and write it. */
  async stop(...extra: unknown[]): Promise<void> {
    await this.commandAsync('stop', extra, async () => {
      if (!this.recording) throw new CommandError('nothing is being recorded (quit() ends the session)');
      return this.finishRecording();
    });
  }

  bpm(value?: unknown, ...extra: unknown[]): void {
    this.command('bpm', extra, () => {
      const clock = this.clock;
      if (value === undefined) return `bpm ${round(clock.bpm, 2)}`;
      if (!(clock instanceof InternalClock)) throw new CommandError(`the tempo follows the ${this.clockName} (now ${round(clock.bpm, 1)} BPM); set it there`);
      const bpm = numberIn(value, 1, 999, 'a number from 1 to 999');
      // from the next pulse: the step in progress ends at the new tempo
      clock.setTempo(bpm);
      return `bpm ${bpm} from step ${this.generator.step}`;
    });
  }

  grid(on?: unknown, ...extra: unknown[]): void {
    this.command('grid', extra, () => {
      if (on !== undefined && typeof on !== 'boolean') throw new CommandError(`${show(on)} is not true or false`);
      this.showGrid = on ?? !this.showGrid;
      if (!this.showGrid) this.display.flush();
      return `grid ${this.showGrid ? 'shown' : 'hidden'}`;
    });
  }

  status(...extra: unknown[]): void {
    this.command('status', extra, () => this.statusLine());
  }

  help(...extra: unknown[]): void {
    this.command('help', extra, () => {
      const width = Math.max(...COMMANDS.map((c) => c[1].length));
      return COMMANDS.map(([, usage, what]) => `${usage.padEnd(width)}  ${what}`).join('\n');
    });
  }

  /**
   * Stop cleanly: the clock stops at the next step boundary, so the steps already handed out
   * play to their end; every note ends; a recording is written; the outputs close. Calling it
   * again returns the same promise.
   */
  quit(...extra: unknown[]): Promise<void> {
    if (extra.length) this.report('quit', `takes no arguments, got ${extra.map(show).join(', ')}; quitting anyway`);
    if (!this.quitting) this.quitting = this.shutdown();
    return this.quitting;
  }

  /** One line: where the music is and how every control is set. */
  statusLine(): string {
    const gen = this.generator;
    const bar = gen.codec.stepsPerBar;
    const state = this.quitting ? 'stopping' : !this.clock.running ? 'waiting for the clock' : gen.paused ? 'paused' : gen.muted ? 'muted' : 'playing';
    const locks = [...this.locks].filter(([, until]) => until > gen.step).map(([v]) => v);
    const rec = this.recording ? `recording ${this.recording.name}${this.recording.recorder ? ` (${gen.ticks - this.recording.from} steps)` : ''}` : 'not recording';
    return [
      `step ${gen.step} (bar ${Math.floor(gen.step / bar) + 1})`,
      state,
      `${round(this.clock.bpm, 1)} BPM (${this.clockName})`,
      `temperature ${gen.temperature}`,
      `topp ${gen.topP}`,
      `density ${gen.density}`,
      `seed ${gen.seed}`,
      `locked ${locks.length ? locks.join(', ') : 'none'}`,
      rec,
    ].join(' · ');
  }

  /**
   * Read a prime between steps, a few events a turn of the event loop, so the steps that
   * take it in have next to nothing left to read. When it takes effect does not change.
   */
  private readAhead(): void {
    if (this.readingAhead) return;
    this.readingAhead = true;
    const turn = () => {
      const gen = this.generator;
      if (this.quitting || !gen.priming) {
        this.readingAhead = false;
        return;
      }
      // 16 events: about 4 ms of the shipped model, well inside the clock's 25 ms wake-ups
      if (gen.readAhead(16)) setImmediate(turn);
      else setTimeout(turn, 5); // queued, not applied yet (or all read, waiting for its tick)
    };
    setImmediate(turn);
  }

  // ---- the clock's calls ------------------------------------------------------------------

  private readonly beforeStep = (e: StepEvent): void => {
    const rec = this.recording;
    if (rec && !rec.recorder) {
      rec.recorder = sessionRecorder(this.generator.codec, e.bpm, e.time);
      rec.from = this.generator.ticks;
      rec.bpm = e.bpm;
      rec.origin = e.time;
      this.player.addSink(rec.recorder);
    }
  };

  private afterTick(r: StepResult): void {
    // a burst can drop dozens of edits in one step: one line a control type, not one a control
    for (const [type, d] of this.drops) this.report(type, `${d.message}; dropped${d.more ? ` (and ${d.more} more ${type} control${d.more > 1 ? 's' : ''} this step)` : ''}, the music goes on`);
    this.drops.clear();
    if (this.showGrid) this.display.add(r);
  }

  private readonly afterStep = (e: StepEvent): void => {
    this.lastStepEnd = e.time + e.stepDuration;
    this.lastBpm = e.bpm;
    this.lastClockStep = e.step;
    if (++this.stepsHandedOut === this.stepLimit) {
      this.stopClock();
      void this.quit();
    }
  };

  private readonly onTransport = (e: TransportEvent): void => {
    if (e.type === 'tempo') {
      // what is left of the step in progress now passes at the new tempo (as the Player plays it)
      // (later when it slows down: a held note sounds to the step's real end, as in a replay)
      if (this.lastStepEnd > e.time && this.lastBpm > 0) {
        this.lastStepEnd = this.clock instanceof InternalClock ? this.clock.timeOfStep(this.lastClockStep + 1) : e.time + ((this.lastStepEnd - e.time) * this.lastBpm) / e.bpm;
      }
      this.lastBpm = e.bpm;
      // the internal clock says at which pulse; the log keeps it, so a replay has the same map
      const internal = this.clock instanceof InternalClock && e.pulse !== undefined;
      const pps = this.clock.pulsesPerStep;
      const tick = internal ? Math.floor((e.pulse as number) / pps) : this.generator.ticks;
      // every change, even two at one pulse: each shortened the notes sounding, and a replay must too
      const at = this.generator.ticks;
      this.tempos.push(internal ? { tick, pulse: (e.pulse as number) % pps, bpm: e.bpm, at } : { tick, bpm: e.bpm, at });
      return;
    }
    if (this.clock instanceof InternalClock || this.quitting) return;
    // an external clock's transport is news to the performer
    if (e.type === 'stop' || e.type === 'dropout') this.display.flush();
    if (e.type === 'dropout') this.printer('the MIDI clock stopped sending pulses; waiting for it');
    else if (e.type === 'position') this.printer(`MIDI song position: step ${e.step}`);
    else this.printer(`MIDI clock ${e.type}`);
  };

  // ---- stopping -------------------------------------------------------------------------

  private stopClock(): void {
    if (this.clock instanceof InternalClock) this.clock.stop();
    else this.clock.dispose();
  }

  private async shutdown(): Promise<void> {
    // the last step plays out, unless it is long (a slow tempo): then everything ends within
    // QUIT_WITHIN. Silenced before the clock stops, whose own stop lands at the step's end.
    const end = Math.min(this.lastStepEnd, this.clock.now() + QUIT_WITHIN);
    if (end < this.lastStepEnd) this.cutAt = end;
    this.lastStepEnd = end;
    if (Number.isFinite(end)) for (const sink of this.player.sinks) safely(() => sink.allNotesOff(end), this.printer);
    this.stopClock();
    if (this.showGrid) this.display.flush();
    if (this.recording) {
      try {
        this.printer(await this.finishRecording());
      } catch (e) {
        this.printer(`record: ${errorText(e)}`);
      }
    }
    // notes handed out ahead, and their note-offs, reach the ports before they close
    await waitUntil(this.clock, end);
    for (const off of this.offs) off();
    this.player.dispose();
    for (const sink of this.sinks) {
      try {
        await sink.close?.();
      } catch (e) {
        this.printer(`output: ${errorText(e)}`);
      }
    }
    this.printer(`stopped after ${this.stepsHandedOut} steps`);
    this.resolveDone();
  }

  /** Ends the recording with the last step handed out and writes the file and its log. */
  private async finishRecording(): Promise<string> {
    const rec = this.recording as Recording;
    this.recording = null;
    const recorder = rec.recorder;
    if (!recorder) return `nothing recorded to ${rec.name}: no step played since record()`;
    recorder.allNotesOff(this.lastStepEnd);
    recorder.close();
    this.player.removeSink(recorder);
    const log: SessionLog = {
      ...this.generator.log,
      session: {
        model: this.model,
        bpm: rec.bpm,
        tempos: this.tempos.map((t) => ({ ...t })),
        from: rec.from,
        clock: this.clock instanceof InternalClock ? 'internal' : 'midi',
        ...(this.cutAt === null ? {} : { end: this.cutAt - rec.origin }),
      },
    };
    const bytes = recorder.toMidi();
    const notes = recorder.song().notes.length;
    // another take (or program) may have written the name since record() chose it
    const path = unusedPath(rec.path, null);
    const name = renamed(rec.name, rec.path, path);
    const moved = path === rec.path ? '' : `${show(rec.name)} appeared while recording, so this take goes to ${show(name)}; `;
    try {
      await writeAtomic(path, bytes);
      await writeAtomic(`${path}.log.json`, JSON.stringify(log));
    } catch (e) {
      throw new CommandError(`cannot write ${show(name)} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
    }
    return `${moved}wrote ${name} (${notes} notes over ${log.ticks - rec.from} steps) and ${name}.log.json (pulse-rnn replay plays it again)`;
  }

  // ---- reporting --------------------------------------------------------------------------

  private command(name: string, extra: unknown[], run: () => string): void {
    try {
      if (extra.length) throw new CommandError(`too many arguments (${extra.map(show).join(', ')}); usage: ${usageOf(name)}`);
      const said = run();
      this.lastError = null;
      this.printer(said);
    } catch (e) {
      this.report(name, errorText(e));
    }
  }

  private async commandAsync(name: string, extra: unknown[], run: () => Promise<string>): Promise<void> {
    try {
      if (extra.length) throw new CommandError(`too many arguments (${extra.map(show).join(', ')}); usage: ${usageOf(name)}`);
      const said = await run();
      this.lastError = null;
      this.printer(said);
    } catch (e) {
      this.report(name, errorText(e));
    }
  }

  private report(name: string, message: string): void {
    // the generator's own messages often start with the control's name already
    const text = `${name}: ${message.replace(new RegExp(`^${name}: `, 'i'), '')}`;
    this.lastError = text;
    this.printer(text);
  }

  private fileArg(file: unknown, hint: string): string {
    if (file === undefined) throw new CommandError(hint);
    if (typeof file !== 'string' || file.trim() === '') throw new CommandError(`${show(file)} is not a file name; ${hint}`);
    return resolve(this.cwd, file);
  }

  /** A note of an edit: drum voices and notes pass as they are; melodic models also take 'C4'. */
  private noteArg(n: unknown): number | string {
    if (typeof n === 'number') {
      if (!(Number.isInteger(n) && n >= 0 && n < 128)) throw new CommandError(`note ${show(n)} is not a MIDI note (0..127)`);
      return n;
    }
    if (typeof n !== 'string') throw new CommandError(`note ${show(n)} is neither a name nor a MIDI note`);
    if (this.generator.codec.voices.length === 0) return parseNoteName(n) ?? n;
    return n;
  }
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

// ---- argument checks ------------------------------------------------------------------------

function numberIn(v: unknown, lo: number, hi: number, rule: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new CommandError(`${show(v)} is not a number; give ${rule}`);
  if (!(v >= lo && v <= hi)) throw new CommandError(`${show(v)} is out of range; give ${rule}`);
  return v;
}

function wholeIn(v: unknown, lo: number, hi: number, rule: string): number {
  const n = numberIn(v, lo, hi, rule);
  if (!Number.isInteger(n)) throw new CommandError(`${show(v)} is not a whole number; give ${rule}`);
  return n;
}

/** The name the performer gave (`name`, for `asked`), moved to the file `path` that was used. */
function renamed(name: string, asked: string, path: string): string {
  return path === asked ? name : join(dirname(name), basename(path));
}

/**
 * `path`, or the first of `stem-2.ext`, `stem-3.ext` … that neither exists nor has a log
 * beside it nor is the take in progress: a take on stage never overwrites another.
 */
function unusedPath(path: string, current: Recording | null): string {
  const taken = (p: string) => existsSync(p) || existsSync(`${p}.log.json`) || current?.path === p;
  if (!taken(path)) return path;
  const ext = extname(path);
  const base = basename(path, ext);
  const m = /^(.*)-(\d+)$/.exec(base);
  const stem = m ? m[1] : base;
  for (let n = m ? Number(m[2]) + 1 : 2; ; n++) {
    const candidate = join(dirname(path), `${stem}-${n}${ext}`);
    if (!taken(candidate)) return candidate;
  }
}

function checkWritable(path: string, name: string): void {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new CommandError(`${show(name)} is a folder; name a file in it`);
    accessSync(dirname(path), constants.W_OK);
  } catch (e) {
    if (e instanceof CommandError) throw e;
    throw new CommandError(`cannot write ${show(name)}: its folder ${dirname(path)} is missing or not writable`);
  }
}

/** A value as the performer typed it: strings quoted, numbers as numbers, the rest as JSON. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return v.toString();
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = undefined;
  }
  text ??= String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function usageOf(name: string): string {
  return COMMANDS.find((c) => c[0] === name)?.[1] ?? `${name}()`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function safely(run: () => void, print: (text: string) => void): void {
  try {
    run();
  } catch (e) {
    print(`output: ${errorText(e)}`);
  }
}
