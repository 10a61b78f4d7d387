/**
 * A live performance: a Generator on a clock (the internal one, or an external MIDI clock),
 * playing into its outputs, with the performer's commands as methods. The REPL calls these
 * methods; so can a test or another host. Every command checks its arguments and reports a
 * problem as one line naming the value, and changes nothing then: no command ever throws, so
 * a typo never stops the music. The commands are the control table's controls, with its
 * names and ranges (`prompt-commands.ts`), and the session's own (record, stop, grid, status,
 * help, quit). Controls apply at the next step the generator plays (bpm at the next pulse); a
 * control called with no value says what plays now and what is queued, read from the generator.
 * Groups of commands live in their own modules, each a one-line method here: the drum voices'
 * (`voice-commands.ts`), the pattern slots' (`slot-commands.ts`), the MIDI mapping's
 * (`midi-mapper.ts`); how a command prints, reports and tells a watching page is `command-runner.ts`.
 * A performance holds one part or more (`part.ts`, `part-set.ts`), coming and going as it plays
 * (`part-live.ts`): the first is `generator`, which unprefixed controls steer; `partCommand`, another.
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
import type { NoteSink } from '../io/sink.js';
import { Generator, type GeneratorOptions, type StepResult } from '../music/generator.js';
import type { StepEvent, TransportEvent } from '../time/clock.js';
import { InternalClock } from '../time/internal-clock.js';
import type { MidiClockFollower } from '../time/midi-clock-follower.js';
import type { Player } from '../time/player.js';
import { waitUntil } from './replay.js';
import { randomSeed } from '../music/controls.js';
import { CommandError, errorText, fileArg, helpText, noteArg, numberArg, positionArg, readMidiArg, readWhilePlaying, show, stepArg, usageOf } from './prompt-commands.js';
import type { SwingEntry, TempoEntry } from './session-log.js';
import { VALUE_CONTROLS, lockedVoices, valueText, voiceSteering, type ValueControl } from './session-status.js';
import { Take } from './take.js';
import { StepDisplay } from './step-display.js';
import { loadSlotsCommand, recallCommand, saveSlotsCommand, storeCommand, undoRecallCommand } from './slot-commands.js';
import { MappingCommands } from './midi-mapper.js';
import { CommandRunner, safely } from './command-runner.js';
import { bringBackCommand, leaveOutCommand, lockCommand, unlockCommand, velocityScaleCommand, voiceDensityCommand } from './voice-commands.js';
import { Part, type PartOptions } from './part.js';
import { PartSet } from './part-set.js';
import { partRefusal, partsHelp } from './part-commands.js';
import { everySlotSet, loadEverySlots, recallEvery, saveEverySlots, storeEvery, undoRecallEvery } from './part-slots.js';
import { PartLive, isPartOptions } from './part-live.js';
import type { LiveSessionOptions } from './live-session-options.js';

export type { SessionWatcher } from './command-runner.js';
export type { LiveSessionOptions } from './live-session-options.js';

/**
 * quit() ends every note within this many seconds, whatever the step in progress: at the
 * table's slowest tempo (20 BPM) a 16th lasts 0.75 s, an external clock may be slower still, and a performer who quits means now.
 */
const QUIT_WITHIN = 0.5;

export class LiveSession extends CommandRunner {
  readonly player: Player;
  readonly clock: InternalClock | MidiClockFollower;
  /** Resolves when the session has quit and its outputs are closed. */
  readonly done: Promise<void>;

  private readonly model: string;
  private readonly clockName: string;
  private readonly sinks: NoteSink[];
  private readonly display: StepDisplay;
  private showGrid: boolean;
  private readonly stepLimit: number;
  private readonly cwd: string;
  private readonly sound: string | null;
  private lastResult: StepResult | null = null;
  private readonly offs: (() => void)[] = [];
  private stepsHandedOut = 0;
  private lastStepEnd = -Infinity;
  private lastBpm = 0;
  /** The clock's number of the last step handed out. */
  private lastClockStep = -1;
  /** Where quit() cut the last step short, if it did. */
  private cutAt: number | null = null;
  private recording: Take | null = null;
  private readonly tempos: TempoEntry[] = [];
  private readonly swings: SwingEntry[] = [];
  private quitting: Promise<void> | null = null;
  /** The file a prime being read came from. */
  private priming: string | null = null;
  private resolveDone: () => void = () => {};
  /** Controls the generator dropped in the tick being played, by type: the first reason and how many more. */
  private readonly drops = new Map<string, { message: string; more: number }>();
  private readonly partSet: PartSet;
  /** The part a part's command (`keys.temperature(1.2)`) acts on while it runs; null: the first, or every part for the slots and status. */
  private focus: Part | null = null;
  /** Parts in and out while the music plays (part-live.ts). */
  private readonly partLive: PartLive;

  constructor(o: LiveSessionOptions) {
    super();
    // the table's defaults fill in what is not given: the Generator checks each against its range
    const genOptions: GeneratorOptions = {};
    for (const name of VALUE_CONTROLS) if (o[name] !== undefined) genOptions[name] = o[name];
    if (o.lookahead !== undefined) genOptions.lookahead = o.lookahead;
    this.clock = o.clock;
    this.model = o.model ?? o.spec.source;
    this.clockName = o.clockName ?? (o.clock instanceof InternalClock ? 'internal clock' : 'MIDI clock');
    this.sinks = [...(o.sinks ?? [])];
    this.printer = o.print ?? ((text) => console.log(text));
    // the order matters: a recording starts before the parts send a step, the limit is
    // checked after the first part has (the others step after it, from the same clock step)
    this.offs.push(this.clock.onStep(this.beforeStep));
    const onError = (e: unknown) => this.printer(`output: ${errorText(e)}`);
    this.partSet = new PartSet(() => this.lastClockStep + 1, this.clock, {
      error: onError,
      tick: (part, r) => (part === this.partSet.first ? this.afterTick(r) : this.showGrid && this.display.addPart(part, r)),
      step: (part, e) => part !== this.partSet.first && this.tellStep(part.last, e, part.name),
      say: (text) => this.printer(text),
    });
    const first = this.partSet.add({ ...genOptions, spec: o.spec, model: this.model, name: o.name, channel: o.channel, output: o.output, sinks: this.sinks }, o.parts?.length || o.channel != null ? 'wrap' : 'as-is');
    this.player = first.player;
    this.partLive = new PartLive(this.partSet, { sinks: this.sinks, output: o.partOutput ?? { sinks: first.options.sinks ?? [], output: first.output ?? undefined }, lookahead: o.lookahead, cwd: o.cwd ?? process.cwd(), take: () => this.recording, stopping: () => this.stopping, print: (t) => this.printer(t) });
    this.display = new StepDisplay(this.generator.codec, (text) => this.printer(text), first.name);
    this.showGrid = o.grid ?? true;
    if (o.steps !== undefined && !(Number.isInteger(o.steps) && o.steps > 0)) throw new RangeError(`steps must be a whole number ≥ 1, got ${o.steps}`);
    this.stepLimit = o.steps ?? Infinity;
    this.cwd = o.cwd ?? process.cwd();
    this.sound = o.sound ?? null;
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
    this.offs.push(this.clock.onStep(this.afterStep));
    for (const p of o.parts ?? []) {
      this.partSet.add({ lookahead: o.lookahead, ...p }, 'wrap');
      for (const sink of p.sinks ?? []) if (!this.sinks.includes(sink)) this.sinks.push(sink);
    }
    this.offs.push(this.clock.onTransport(this.onTransport));
    this.tempos.push({ tick: 0, bpm: this.clock.bpm });
    if (this.clock instanceof InternalClock) this.swings.push({ tick: 0, swing: this.clock.swing, step: this.clock.position });
  }

  /** The first part's generator: the one every unprefixed control steers (while a part's command runs, that part's). */
  get generator(): Generator {
    return (this.focus ?? this.partSet.first).generator;
  }

  /** The parts, the first first. */
  get parts(): readonly Part[] {
    return this.partSet.all;
  }

  /**
   * Run a command on one part, as `keys.temperature(1.2)` at the prompt does: the part's
   * controls, slots and status (`PART_COMMANDS`). Its lines and errors name the part.
   */
  partCommand(name: string, command: string, args: readonly unknown[]): unknown {
    const part = this.partSet.get(name);
    const refused = partRefusal(name, command, part ? null : this.partSet.names);
    if (refused || !part) return void this.report(refused?.[0] ?? name, refused?.[1] ?? '');
    const [focus, scope] = [this.focus, this.scope];
    [this.focus, this.scope] = [part, { prefix: `${part.name}: `, part: part.name }];
    try {
      return (this as unknown as Record<string, (...a: unknown[]) => unknown>)[command](...args);
    } finally {
      [this.focus, this.scope] = [focus, scope];
    }
  }

  /**
   * Add a part while the music plays, from the next bar line, into `o.sinks`; a take records it
   * from there. At the prompt: `addPart('keys')` or `addPart('bass', 'path/to/model', 3)` (part-live.ts).
   */
  addPart(o: PartOptions): Part;
  addPart(name?: string, model?: string, channel?: number, ...extra: unknown[]): Promise<void>;
  addPart(...a: unknown[]): Part | Promise<void> {
    return isPartOptions(a[0]) ? this.partLive.join(a[0]) : this.commandAsync('addPart', a.slice(3), () => this.partLive.add(a[0], a[1], a[2]));
  }

  /** Take a part out (not the first, which says so): every note it started ends; the others play on. */
  removePart = (name?: unknown, ...extra: unknown[]): void => this.command('removePart', extra, () => this.partLive.remove(name));
  /** Make a part again from its model and options (not the first): it begins at the next bar line. */
  restartPart = (name: string): Part => this.partLive.restart(name);
  /** Hear every change of the parts (one added, removed or made again); returns the function that stops it. */
  onParts = (cb: () => void): (() => void) => this.partLive.watch(cb);

  /** Whether a command typed without a part's name acts on every part: the slots' and status, with more than one part. */
  private get everyPart(): boolean {
    return this.focus === null && this.partSet.all.length > 1;
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

  // ---- the performer's controls (the control table's, in its order) -------------------------

  temperature(value?: unknown, ...extra: unknown[]): void {
    this.valueCommand('temperature', value, extra, (t) => this.generator.setTemperature(t));
  }

  topP(value?: unknown, ...extra: unknown[]): void {
    this.valueCommand('topP', value, extra, (p) => this.generator.setTopP(p));
  }

  density(value?: unknown, ...extra: unknown[]): void {
    this.valueCommand('density', value, extra, (d) => this.generator.setDensity(d));
  }

  dynamics(value?: unknown, ...extra: unknown[]): void {
    this.valueCommand('dynamics', value, extra, (d) => this.generator.setDynamics(d));
  }

  timing(value?: unknown, ...extra: unknown[]): void {
    this.valueCommand('timing', value, extra, (t) => this.generator.setTiming(t));
  }

  /** The drum voices' own commands (voice-commands.ts). */
  velocityScale = (voice?: unknown, scale?: unknown, ...extra: unknown[]): void => this.command('velocityScale', extra, () => velocityScaleCommand(this.generator, voice, scale));
  voiceDensity = (voice?: unknown, amount?: unknown, ...extra: unknown[]): void => this.command('voiceDensity', extra, () => voiceDensityCommand(this.generator, voice, amount));
  leaveOut = (voice?: unknown, ...extra: unknown[]): void => this.command('leaveOut', extra, () => leaveOutCommand(this.generator, voice));
  bringBack = (voice?: unknown, ...extra: unknown[]): void => this.command('bringBack', extra, () => bringBackCommand(this.generator, voice));

  seed(value?: unknown, ...extra: unknown[]): void {
    this.valueCommand('seed', value, extra, (s) => this.generator.reseed(s));
  }

  /** A new seed, random when none is given; the model plays on from where it is. */
  reseed(value?: unknown, ...extra: unknown[]): void {
    this.command('reseed', extra, () => {
      const s = value === undefined ? randomSeed() : numberArg('seed', value);
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
      if (step === undefined) throw new CommandError(`give a step and its notes, e.g. ${usageOf('edit')}`);
      const at = stepArg(step, gen.step, 'edit');
      if (notes === undefined) throw new CommandError(`give the notes of step ${at}: a list such as ['kick', 'snare'], or [] for silence`);
      const list = (Array.isArray(notes) ? notes : [notes]).map((n) => noteArg(n, gen.codec));
      gen.edit(at, list);
      return `edit step ${at}: ${list.length ? list.join(' ') : 'silence'}`;
    });
  }

  clearEdit(step?: unknown, ...extra: unknown[]): void {
    this.command('clearEdit', extra, () => {
      if (step === undefined) throw new CommandError(`give the step to clear, e.g. ${usageOf('clearEdit')}`);
      const at = stepArg(step, this.generator.step, 'clearEdit');
      this.generator.clearEdit(at);
      return `step ${at}: the model chooses it again`;
    });
  }

  lock = (voice?: unknown, options?: unknown, ...extra: unknown[]): void => this.command('lock', extra, () => lockCommand(this.generator, voice, options));
  unlock = (voice?: unknown, ...extra: unknown[]): void => this.command('unlock', extra, () => unlockCommand(this.generator, voice));

  /** Read a MIDI file and set the model's state from it (it is not played). */
  async prime(file?: unknown, ...extra: unknown[]): Promise<void> {
    // the part typed for, whatever runs while the file is read
    const gen = this.generator;
    await this.commandAsync('prime', extra, async () => {
      const song = await readMidiArg(fileArg(file, this.cwd, `name a MIDI file, e.g. ${usageOf('prime')}`), String(file));
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
      readWhilePlaying(gen, () => this.quitting !== null);
      // read a slice a step, so no step is late; it says when it has taken effect
      return `reading ${file} (${song.notes.length} notes, ${events.length} steps) while playing: it takes effect in about ${ticks} steps`;
    });
  }

  /** Start from one random event. */
  primeRandom(...extra: unknown[]): void {
    this.command('primeRandom', extra, () => (this.generator.primeRandom(), `the model starts from a random event at step ${this.generator.step}`));
  }

  /**
   * Jump to a step, as a song position from a MIDI clock does: `locate(0)` starts the bar
   * count again (to line the drums up with a loop started by hand). An external clock's next
   * song position moves it again.
   */
  locate(step?: unknown, ...extra: unknown[]): void {
    this.command('locate', extra, () => {
      if (step === undefined) throw new CommandError(`give the step to play next, e.g. ${usageOf('locate')}`);
      const at = positionArg(step);
      this.generator.locate(at);
      return `step ${at} plays next (bar ${Math.floor(at / this.generator.codec.stepsPerBar) + 1})`;
    });
  }

  bpm(value?: unknown, ...extra: unknown[]): void {
    this.command('bpm', extra, () => {
      const clock = this.clock;
      if (value === undefined) return `bpm ${round(clock.bpm, 2)}`;
      if (!(clock instanceof InternalClock)) throw new CommandError(`the tempo follows the ${this.clockName} (now ${round(clock.bpm, 1)} BPM); set it there`);
      const bpm = numberArg('bpm', value);
      // from the next pulse: the step in progress ends at the new tempo
      clock.setTempo(bpm);
      return `bpm ${bpm} from the next pulse (step ${this.generator.step})`;
    });
  }

  /** The internal clock's swing, from the next step handed out: `swing(0.2)`. */
  swing(value?: unknown, ...extra: unknown[]): void {
    this.command('swing', extra, () => {
      const clock = this.clock;
      if (!(clock instanceof InternalClock)) throw new CommandError(`the ${this.clockName} places the steps; swing is the internal clock's`);
      if (value === undefined) return `swing ${clock.swing}`;
      const swing = numberArg('swing', value);
      clock.setSwing(swing);
      // the steps not yet handed out: the next one is the generator's next tick
      this.swings.push({ tick: this.generator.ticks, swing, step: clock.position });
      return `swing ${swing} from step ${this.generator.step}`;
    });
  }

  // ---- the session's own commands -------------------------------------------------------------

  /**
   * `record('set.mid')` starts recording at the next step; `record()` or `stop()` ends it and
   * writes set.mid and set.mid.log.json (each whole or not at all). Recording to another file
   * while recording writes the first one and starts the next.
   */
  async record(file?: unknown, ...extra: unknown[]): Promise<void> {
    await this.commandAsync('record', extra, async () => {
      if (file === undefined) {
        if (this.recording) return this.finishRecording();
        throw new CommandError(`name a file to record to, e.g. ${usageOf('record')}`);
      }
      const asked = fileArg(file, this.cwd, `name a file to record to, e.g. ${usageOf('record')}`);
      if (this.quitting) throw new CommandError('the session is stopping');
      const { take, said } = Take.begin(asked, String(file), this.recording);
      const before = this.recording ? await this.finishRecording() : '';
      this.recording = take;
      return `${before ? `${before}\n` : ''}${said}`;
    });
  }

  /** End the recording and write it. */
  async stop(...extra: unknown[]): Promise<void> {
    await this.commandAsync('stop', extra, async () => {
      if (!this.recording) throw new CommandError('nothing is being recorded (quit() ends the session)');
      return this.finishRecording();
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
    this.command('status', extra, () => (this.everyPart ? [this.statusLine(), ...this.partSet.all.map((p) => `  ${p.status()}`)].join('\n') : this.statusLine()));
  }


  /** The MIDI mapping's commands (midi-mapper.ts); `--map FILE` opens it with `midi.open`. */
  readonly midi = new MappingCommands(this, () => this.cwd);
  learn = (...args: unknown[]): Promise<void> => this.midi.learn(args);
  map = (...args: unknown[]): Promise<void> => this.midi.map(args);
  unmap = (...args: unknown[]): Promise<void> => this.midi.unmap(args);
  saveMap = (...args: unknown[]): Promise<void> => this.midi.saveMap(args);

  /** Pattern slots (slot-commands.ts): the table's store, recall and undoRecall, and the session's saveSlots and loadSlots. */
  /** Without a part's name and with more than one part, each acts on every part (part-slots.ts). */
  store = (slot?: unknown, ...extra: unknown[]): void => this.command('store', extra, () => (this.everyPart ? storeEvery(this.parts, slot) : storeCommand(this.generator, slot)));
  recall = (slot?: unknown, when?: unknown, ...extra: unknown[]): void => this.command('recall', extra, () => (this.everyPart ? recallEvery(this.parts, slot, when) : recallCommand(this.generator, slot, when)));
  undoRecall = (when?: unknown, ...extra: unknown[]): void => this.command('undoRecall', extra, () => (this.everyPart ? undoRecallEvery(this.parts, when) : undoRecallCommand(this.generator, when)));
  saveSlots = (file?: unknown, ...extra: unknown[]): Promise<void> => this.commandAsync('saveSlots', extra, () => (this.everyPart ? saveEverySlots(this.parts, file, this.cwd) : saveSlotsCommand(this.generator, file, this.cwd)));
  loadSlots = (file?: unknown, ...extra: unknown[]): Promise<void> => this.commandAsync('loadSlots', extra, () => (this.everyPart ? loadEverySlots(this.parts, file, this.cwd) : loadSlotsCommand(this.generator, file, this.cwd)));

  help(...extra: unknown[]): void {
    this.command('help', extra, () => (this.partSet.all.length > 1 ? `${helpText()}${partsHelp(this.partSet.names)}` : helpText()));
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

  /** One line: where the music is, the model playing, and how every control is set (a queued value beside the one playing). */
  statusLine(): string {
    const gen = this.generator;
    const bar = gen.codec.stepsPerBar;
    const state = this.quitting ? 'stopping' : !this.clock.running ? 'waiting for the clock' : gen.paused ? 'paused' : gen.muted ? 'muted' : 'playing';
    const locks = lockedVoices(gen);
    const rec = this.recording ? `recording ${this.recording.name}${this.recording.recorder ? ` (${this.partSet.first.generator.ticks - this.recording.from} steps)` : ''}` : 'not recording';
    return [
      `step ${gen.step} (bar ${Math.floor(gen.step / bar) + 1})`,
      state,
      // with several parts, each part's line names its model
      ...(this.partSet.all.length === 1 ? [`${this.partSet.first.modelName} (${gen.codec.name})`] : []),
      `${round(this.clock.bpm, 1)} BPM (${this.clockName})${this.clock instanceof InternalClock && this.clock.swing > 0 ? `, swing ${this.clock.swing}` : ''}`,
      ...(this.sound === null ? [] : [`sound: ${this.sound}`]),
      ...VALUE_CONTROLS.map((name) => valueText(gen, name)),
      `locked ${locks.length ? locks.join(', ') : 'none'}`,
      ...voiceSteering(gen),
      rec,
    ].join(' · ');
  }

  // ---- the clock's calls ------------------------------------------------------------------

  private readonly beforeStep = (e: StepEvent): void => {
    const rec = this.recording;
    if (rec && !rec.recorder) rec.startParts(this.partSet.all, e);
  };

  /** A part sent its step: pages watching hear it with the part's name. */
  private tellStep(r: StepResult | null, e: StepEvent, part: string): void {
    if (r && this.watchers.size > 0) for (const w of this.watchers) safely(() => w.step?.(r, e, part), this.printer);
  }

  private afterTick(r: StepResult): void {
    this.lastResult = r;
    // a burst can drop dozens of edits in one step: one line a control type, not one a control
    for (const [type, d] of this.drops) this.report(type, `${d.message}; dropped${d.more ? ` (and ${d.more} more ${type} control${d.more > 1 ? 's' : ''} this step)` : ''}, the music goes on`);
    this.drops.clear();
    if (this.showGrid) this.display.add(r);
  }

  private readonly afterStep = (e: StepEvent): void => {
    this.lastStepEnd = e.time + e.stepDuration;
    this.lastBpm = e.bpm;
    this.lastClockStep = e.step;
    this.tellStep(this.lastResult, e, this.partSet.first.name);
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
    if (Number.isFinite(end)) for (const p of this.partSet.all) for (const sink of p.player.sinks) safely(() => sink.allNotesOff(end), this.printer);
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
    this.partSet.dispose();
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
    const take = this.recording as Take;
    this.recording = null;
    const recorder = take.end(this.lastStepEnd);
    if (recorder) this.player.removeSink(recorder);
    const clock = this.clock instanceof InternalClock ? 'internal' : 'midi';
    const parts = this.partSet.all.length > 1;
    const slots = parts ? everySlotSet(this.partSet.all) : this.generator.slots.filled.length ? this.generator.slotSet() : null;
    const first = this.partSet.first;
    return take.write({ log: first.generator.log, model: this.model, tempos: this.tempos, swings: this.swings, clock, cutAt: this.cutAt, slots, first: { name: first.name, channel: first.channel } });
  }

  // ---- the value controls ---------------------------------------------------------------------

  /** A value control: with no value it shows the one playing (and a queued one); else checks and sets it. */
  private valueCommand(name: ValueControl, value: unknown, extra: unknown[], set: (v: number) => void): void {
    this.command(name, extra, () => {
      if (value === undefined) return valueText(this.generator, name);
      const v = numberArg(name, value);
      set(v);
      return `${name} ${v} from step ${this.generator.step}`;
    });
  }
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
