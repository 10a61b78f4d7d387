/**
 * Everything that plays on the page, wired together: the model's Generator, the clock, the
 * Player that ticks the generator on every step, the chosen output and a MIDI recorder of the
 * whole set. The page's controls call this; it calls the library. It holds no DOM and makes no
 * musical decision: every note comes from the Generator.
 *
 * Swaps happen while playing without a gap: a new model continues at the step the previous one
 * was to play next (which keeps playing until the new one has loaded), a new output takes over from
 * the next note, a new clock gets a new Player.
 *
 * @example
 * const stage = new Stage({ bpm: 120, onError: (e) => console.error(e) });
 * await stage.loadModel('weights/drums-gmd/');
 * button.onclick = () => stage.start();   // in a user gesture: audio starts here
 * stage.setTemperature(1.1);              // from the next step
 * stage.settings.temperature;             // 1.1 at once (the generator's pending value)
 * stage.toggleHit(stage.nextStep + 4, 0); // add or remove the kick 4 steps ahead
 */
import { drumClassOf } from '../../music/drum-map.js';
import { codecFor } from '../../music/codecs.js';
import { checkValue, defaults } from '../../music/controls.js';
import { Generator, type PerformanceLog, type PlayedNote, type Settings, type StepCopy, type StepResult } from '../../music/generator.js';
import { loadModelSpec } from '../../io/model-files.js';
import { readMidi } from '../../io/midi-read.js';
import { MidiRecorder } from '../../io/recorder.js';
import type { NoteSink } from '../../io/sink.js';
import type { StepEvent } from '../../time/clock.js';
import { Player, type Playable } from '../../time/player.js';
import type { SessionLog, TempoEntry } from '../session-log.js';
import { currentAudio, openAudio } from './audio.js';
import { internalClock, type PageClock } from './clocks.js';
import { toneOutput, type Output, type OutputKind } from './outputs.js';
import { SwingLog } from './swing-log.js';
import { stepPulses } from './keys-clock.js';
import { describe, noteRows, replayLocation, type ModelInfo } from './model-info.js';

export { modelName, type ModelInfo } from './model-info.js';


/** How a hit sounds: its velocity (1–127) and its offset from the step's grid line, in steps (−0.5 early … 1 late). */
export interface HitLook {
  readonly velocity: number;
  readonly offset: number;
}

/** What the grid shows, rows by index. */
export interface StageView {
  /** The next step the generator plays. */
  readonly next: number;
  /** Played steps of this take: step → rows hit (and note numbers, for melodic rows). */
  readonly played: ReadonlyMap<number, readonly number[]>;
  readonly upcoming: ReadonlyMap<number, readonly number[]>;
  /** Steps the performer wrote, as written (shown before the generator has taken them in). */
  readonly edits: ReadonlyMap<number, readonly number[]>;
  readonly locked: ReadonlySet<number>;
  readonly notes: ReadonlyMap<number, readonly number[]>;
  /** Step → row → how its hit sounds (the loudest note of the row): the steps played, and those ahead as they will play. */
  readonly looks: ReadonlyMap<number, ReadonlyMap<number, HitLook>>;
}

/** The value controls a performer can set before any model is loaded. */
type Starting = Pick<Settings, 'temperature' | 'topP' | 'density' | 'dynamics' | 'timing' | 'seed'>;

export interface StageOptions {
  /** The internal clock's tempo (the control table's default when left out). */
  bpm?: number;
  /** Errors from the clock or an output while playing (the music goes on). */
  onError(e: unknown): void;
}

/** Played steps kept: the grid shows two bars of them; the rest is slack for displays and tests. */
const HISTORY_STEPS = 128;
const IDLE: StepResult = { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: true, muted: false };

export class Stage {
  gen: Generator | null = null;
  model: ModelInfo | null = null;
  /** Notes handed to each kind of output (a read-out for the page and its tests). */
  readonly sent: Record<OutputKind, number> = { tone: 0, midi: 0, rnbo: 0 };
  /** Bumped by every step and every control: the view redraws when it changes. */
  version = 0;

  private bpmValue: number;
  private clock: PageClock | null = null;
  private player: Player | null = null;
  private outputValue: Output | null = null;
  private outputSink: NoteSink | null = null;
  private recorderValue: MidiRecorder | null = null;
  /** From Start until the first step: the clock the take's recorder will read (it starts at that step). */
  private takeClock: (() => number) | null = null;
  private armed = false;
  private noteRow = new Map<number, number>();
  private readonly editsShown = new Map<number, number[]>();
  private readonly lockedRows = new Set<number>();
  /** Recent steps with the audio time each starts at, for the play head. */
  private readonly timeline: { step: number; time: number }[] = [];
  private lastEvent: StepEvent | null = null;
  /** The tempo from each tick of the current generator on, for the log. */
  private tempos: TempoEntry[] = [];
  /** The internal clock's swing, and from which tick and clock step, for the log. */
  private readonly swings = new SwingLog();
  /** Called with every step before it plays (a take begun there records it), and the sinks they add. */
  private readonly stepHooks = new Set<(e: StepEvent) => void>();
  private readonly hookSinks = new Set<NoteSink>();
  private viewFromTick = 0;
  private loads = 0;
  /** What the performer set before any model was loaded: the first model starts from it. */
  private readonly starting: Starting;
  private readonly onError: (e: unknown) => void;

  // what the Player ticks: whichever generator is current, silent until armed
  private readonly playable: Playable = (() => {
    const self = this;
    return {
      tick: () => self.tick(),
      get step() {
        return self.gen?.step ?? 0;
      },
      locate: (s: number) => self.gen?.locate(s),
      // the clock hands steps out as early as the current model's notes can be
      get codec() {
        return self.gen?.codec ?? null;
      },
    };
  })();

  constructor(options: StageOptions) {
    const start = defaults();
    this.starting = { temperature: start.temperature, topP: start.topP, density: start.density, dynamics: start.dynamics, timing: start.timing, seed: start.seed };
    this.bpmValue = options.bpm ?? start.bpm;
    checkValue('bpm', this.bpmValue);
    this.onError = options.onError;
  }

  // ---- reading ---------------------------------------------------------------------------

  get bpm(): number {
    return this.clock?.bpm ?? this.bpmValue;
  }
  get running(): boolean {
    return this.armed && (this.clock?.running ?? false);
  }
  /** Armed and waiting for an external clock's start. */
  get waiting(): boolean {
    return this.armed && !(this.clock?.running ?? false);
  }
  get output(): Output | null {
    return this.outputValue;
  }
  get clockLabel(): string {
    return this.clock?.label ?? 'Internal';
  }
  get clockKind(): 'internal' | 'midi' {
    return this.clock?.kind ?? 'internal';
  }
  get paused(): boolean {
    return this.gen?.paused ?? false;
  }
  get muted(): boolean {
    return this.gen?.muted ?? false;
  }
  /** The value controls as the page shows them: the generator's (pending over applied), or the starting values before any model. */
  get settings(): Settings {
    if (this.gen) return this.gen.settings;
    const s = this.starting;
    return { ...s, temperatures: [s.temperature], velocityScales: [], voiceDensities: [], leftOut: [], paused: false, muted: false };
  }
  /** The settings playing now (the starting values before any model). */
  get applied(): Settings {
    return this.gen?.applied ?? this.settings;
  }
  get nextStep(): number {
    return this.gen?.step ?? 0;
  }
  get ticks(): number {
    return this.gen?.ticks ?? 0;
  }
  /**
   * The generator's performance log with what `pulse-rnn replay` needs besides: which model
   * played (a package-relative folder for the page's own weights, else its URL) and the
   * tempo by tick.
   */
  get log(): SessionLog | null {
    const gen = this.gen;
    if (!gen || !this.model) return null;
    const log: PerformanceLog = gen.log;
    return { ...log, session: { model: replayLocation(this.model.url), bpm: this.tempos[0].bpm, tempos: this.tempos.map((t) => ({ ...t })), from: 0, clock: this.clockKind, swings: this.swings.entries() } };
  }
  /** The take's recorder: null until the first step after the first Start, then the whole set. */
  get recorder(): MidiRecorder | null {
    return this.recorderValue;
  }

  /** The generator step sounding at audio time `now` (while paused: the last one played), or -1 (stopped, not yet started). */
  playhead(now: number): number {
    if (!this.running) return -1;
    for (let i = this.timeline.length - 1; i >= 0; i--) if (this.timeline[i].time <= now) return this.timeline[i].step;
    return -1;
  }

  /** The rows a step's notes fall on. */
  rowsOf(notes: readonly number[]): number[] {
    const rows = new Set<number>();
    for (const n of notes) {
      const r = this.noteRow.get(n) ?? (this.model?.editable ? drumClassOf(n) : 0);
      if (r >= 0) rows.add(r);
    }
    return [...rows].sort((a, b) => a - b);
  }

  /** What the grid shows now (and forgets the performer's edits of steps already played). */
  view(): StageView {
    const played = new Map<number, number[]>();
    const upcoming = new Map<number, number[]>();
    const notes = new Map<number, number[]>();
    const looks = new Map<number, Map<number, HitLook>>();
    const gen = this.gen;
    if (gen) {
      for (const s of gen.played()) {
        if (s.step < 0 || s.tick < this.viewFromTick) continue;
        const n = s.notes.map((x) => x.note);
        played.set(s.step, this.rowsOf(n));
        notes.set(s.step, n);
        looks.set(s.step, this.looksOf(s.notes));
      }
      for (const u of gen.upcoming()) {
        upcoming.set(u.step, this.rowsOf(u.notes));
        notes.set(u.step, u.notes);
      }
      // the hits ahead as they will sound: the grid draws their velocity and offset as it does the played ones'
      for (const u of gen.upcomingNotes()) looks.set(u.step, this.looksOf(u.notes, u.count));
      for (const s of this.editsShown.keys()) if (s < gen.step) this.editsShown.delete(s);
    }
    return { next: gen?.step ?? 0, played, upcoming, edits: new Map(this.editsShown), locked: new Set(this.lockedRows), notes, looks };
  }

  /** Row → the velocity and offset of its loudest note (of the first `count`). */
  private looksOf(notes: readonly PlayedNote[], count = notes.length): Map<number, HitLook> {
    const looks = new Map<number, HitLook>();
    for (let i = 0; i < count; i++) {
      const n = notes[i];
      const [row] = this.rowsOf([n.note]);
      const had = looks.get(row);
      if (row !== undefined && (!had || n.velocity > had.velocity)) looks.set(row, { velocity: n.velocity, offset: n.offset });
    }
    return looks;
  }

  /** The generator's last steps (a copy), for displays and tests. */
  played(): StepCopy[] {
    return this.gen?.played() ?? [];
  }

  // ---- model -----------------------------------------------------------------------------

  /**
   * Load a model from a folder URL or a model.json URL and play it from the next step. On any
   * error the current model plays on and the error is thrown. Resolves to null when a later
   * load started meanwhile (the later one wins).
   */
  async loadModel(url: string): Promise<ModelInfo | null> {
    const where = url.trim();
    if (!where) throw new Error('model URL is empty: give a weights folder (…/drums-gmd/) or its model.json');
    const ticket = ++this.loads;
    const spec = await loadModelSpec(where);
    const codec = codecFor(spec);
    const s = this.settings;
    const gen = new Generator(spec, { seed: s.seed, temperature: s.temperature, topP: s.topP, density: s.density, dynamics: s.dynamics, timing: s.timing, lookahead: codec.stepsPerBar, historyLength: HISTORY_STEPS });
    if (ticket !== this.loads) return null;
    const old = this.gen;
    if (old) {
      carryOver(old, gen, s);
      this.player?.panic();
    }
    // play on from the step the previous model was to play next: the count the performer reads
    // (and the log's) goes on. That is the clock's next step, unless a pause held the music while
    // the clock ran on; the clock's step would jump the count by the pause. When stopped, no
    // locate: the Player moves the model to wherever the clock starts (a locate still waiting
    // in the queue would take it away from there).
    if (old && this.running) gen.locate(old.step);
    this.gen = gen;
    this.viewFromTick = 0;
    this.tempos = [{ tick: 0, bpm: this.bpm }];
    this.swings.restart();
    this.editsShown.clear();
    this.lockedRows.clear();
    this.model = describe(where, spec.layers.map((l) => `${l.cell.toUpperCase()} ${l.units}`), codec);
    this.noteRow = noteRows(codec);
    // a model of other steps (a chord model of quarters) needs the internal clock at its steps
    if (this.clock?.kind === 'internal' && this.pulsesPerStep !== stepPulses(this.gen?.codec)) this.useClock(internalClock(openAudio(), this.bpm, this.onError, stepPulses(this.gen?.codec)));
    this.version++;
    return this.model;
  }

  /** Pulses (24 a quarter) a step of the page's clock lasts: 6, a 16th, unless the model steps slower. */
  get pulsesPerStep(): number {
    return (this.clock as { pulsesPerStep?: number } | null)?.pulsesPerStep ?? 6;
  }

  // ---- transport -------------------------------------------------------------------------

  /** Start playing (or arm for an external clock). Call from a user gesture: audio starts here. */
  async start(): Promise<void> {
    const audio = openAudio(); // synchronously, while the gesture counts
    if (!this.clock) this.useClock(internalClock(audio, this.bpmValue, this.onError, stepPulses(this.gen?.codec)));
    if (!this.outputValue) this.setOutput(toneOutput(audio));
    await audio.context.resume();
    if (!this.recorderValue) this.takeClock = () => audio.context.currentTime;
    this.armed = true;
    this.viewFromTick = this.gen?.ticks ?? 0;
    this.timeline.length = 0;
    (this.clock as PageClock).start();
    this.version++;
  }

  stop(): void {
    this.clock?.stop();
    this.armed = false;
    this.player?.panic();
    // a written step that was not reached would otherwise play when the count comes round again
    for (const s of this.editsShown.keys()) if (this.gen && s >= this.gen.step) this.gen.clearEdit(s);
    this.editsShown.clear();
    this.version++;
  }

  /** Silence every output now, without stopping. */
  panic(): void {
    this.player?.panic();
  }

  /** The internal clock's tempo, from its next pulse on. */
  setBpm(bpm: number): void {
    checkValue('bpm', bpm);
    this.bpmValue = bpm;
    // the internal clock says when the change takes effect (its 'tempo' event); otherwise, from the next step
    if (this.clock?.kind === 'internal') this.clock.setTempo(bpm);
    else this.noteTempo(bpm);
    this.version++;
  }

  /** The internal clock's swing, from the next step handed out (an external clock places its own steps). */
  get swing(): number {
    return this.swings.swing;
  }
  setSwing(swing: number): void {
    this.swings.set(this.gen?.ticks ?? 0, swing);
    this.clock?.setSwing?.(swing);
    this.version++;
  }

  /** `hook` hears every step before it plays; returns how to stop. A sink added here survives a change of clock. */
  beforeStep(hook: (e: StepEvent) => void): () => void {
    this.stepHooks.add(hook);
    return () => this.stepHooks.delete(hook);
  }
  addSink(sink: NoteSink): void {
    this.hookSinks.add(sink);
    this.player?.addSink(sink);
  }
  removeSink(sink: NoteSink): void {
    this.hookSinks.delete(sink);
    this.player?.removeSink(sink);
  }

  /** Use another clock; the previous one stops. */
  useClock(clock: PageClock): void {
    const wasRunning = this.running;
    this.player?.dispose();
    this.clock?.dispose();
    this.clock = clock;
    // before the Player's listener: it runs first, so a take begun here records this step
    clock.setSwing?.(this.swings.swing);
    clock.onStep((e) => {
      this.lastEvent = e;
      if (this.takeClock) this.beginTake(e);
      if (clock.kind === 'internal' && this.gen && this.armed) this.swings.step(this.gen.ticks, e.step);
      for (const hook of this.stepHooks) hook(e);
    });
    clock.onTransport((e) => {
      if (e.type === 'tempo') this.noteTempo(e.bpm, clock.kind === 'internal' ? e.pulse : undefined);
    });
    const sinks = [this.outputSink, this.recorderValue, ...this.hookSinks].filter((s): s is NoteSink => s !== null);
    this.player = new Player(clock, this.playable, sinks, { onError: this.onError });
    if (wasRunning && clock.kind === 'internal') clock.start();
    this.version++;
  }

  /** Send notes to another output from the next note on; the previous one is silenced and released. */
  setOutput(output: Output): void {
    const old = this.outputValue;
    if (old && this.outputSink) {
      this.player?.removeSink(this.outputSink);
      old.dispose();
    }
    this.outputValue = output;
    this.outputSink = this.counted(output);
    this.player?.addSink(this.outputSink);
    const audio = currentAudio();
    if (audio) output.sink.tempo?.(this.bpm, audio.context.currentTime);
    this.version++;
  }

  // ---- the performer's controls: checked by the generator, applied at the next step --------

  setTemperature(v: number): void {
    this.setValue('temperature', v, (g) => g.setTemperature(v));
  }
  setTopP(v: number): void {
    this.setValue('topP', v, (g) => g.setTopP(v));
  }
  setDensity(v: number): void {
    this.setValue('density', v, (g) => g.setDensity(v));
  }
  setDynamics(v: number): void {
    this.setValue('dynamics', v, (g) => g.setDynamics(v));
  }
  setTiming(v: number): void {
    this.setValue('timing', v, (g) => g.setTiming(v));
  }
  /** One drum voice's velocity factor (0 silences it), from the next step. */
  setVelocityScale(voice: string, v: number): void {
    this.need('velocityScale').setVelocityScale(voice, v);
    this.version++;
  }
  /** One drum voice's own density over density, from the next step. */
  setVoiceDensity(voice: string, v: number): void {
    this.need('voiceDensity').setVoiceDensity(voice, v);
    this.version++;
  }
  /** The model plays without a drum voice (`out`), or with it again, from the next step. */
  setLeftOut(voice: string, out: boolean): void {
    const gen = this.need(out ? 'leaveOut' : 'bringBack');
    if (out) gen.leaveOut(voice);
    else gen.bringBack(voice);
    this.version++;
  }
  /** A new random stream from `seed`; the model plays on from where it is. */
  reseed(seed: number): void {
    this.setValue('seed', seed, (g) => g.reseed(seed));
  }
  reset(): void {
    this.gen?.reset();
    this.version++;
  }
  togglePause(): boolean {
    const gen = this.need('pause');
    // the generator's flag changes at the next tick: decide from what was asked last
    const pause = !gen.settings.paused;
    if (pause) gen.pause();
    else gen.resume();
    this.version++;
    return pause;
  }
  toggleMute(): boolean {
    const gen = this.need('mute');
    const mute = !gen.settings.muted;
    if (mute) gen.mute();
    else gen.unmute();
    this.version++;
    return mute;
  }
  /** What pause/mute will be once the next step has applied the last request. */
  get willPause(): boolean {
    return this.settings.paused;
  }
  get willMute(): boolean {
    return this.settings.muted;
  }

  /** Add or remove one voice's hit at an upcoming step; the model continues from the new step. */
  toggleHit(step: number, row: number): readonly number[] {
    const gen = this.need('edit');
    const model = this.model as ModelInfo;
    if (!model.editable) throw new Error(`editing steps is for drum models; ${model.name} (${model.encoding}) has no drum voices`);
    if (step < gen.step) throw new Error(`step ${step + 1} has already played`);
    const shown = this.editsShown.get(step) ?? this.rowsOf(gen.upcoming().find((u) => u.step === step)?.notes ?? []);
    const rows = shown.includes(row) ? shown.filter((r) => r !== row) : [...shown, row].sort((a, b) => a - b);
    gen.edit(step, rows.map((r) => model.rows[r]));
    this.editsShown.set(step, rows);
    this.version++;
    return rows;
  }

  /** Lock a voice to what it played in the last bar, or free it again. Returns whether it is locked. */
  toggleLock(row: number): boolean {
    const gen = this.need('lock');
    const model = this.model as ModelInfo;
    if (!model.editable) throw new Error(`locks are for drum models; ${model.name} (${model.encoding}) has no drum voices`);
    const voice = model.rows[row];
    if (this.lockedRows.has(row)) {
      gen.unlock(voice);
      this.lockedRows.delete(row);
    } else {
      gen.lock(voice);
      this.lockedRows.add(row);
    }
    this.version++;
    return this.lockedRows.has(row);
  }

  /** Set the model's state from a MIDI file (the next step continues from it). */
  prime(bytes: Uint8Array, file: string): { steps: number; warnings: string[] } {
    const gen = this.need('prime');
    const song = readMidi(bytes, file);
    const { events, warnings } = gen.codec.fromSong(song);
    if (events.length === 0) throw new Error(`${file}: no notes this model can read (${gen.codec.name})`);
    gen.prime(song);
    this.version++;
    return { steps: events.length, warnings };
  }

  // ---- inside ----------------------------------------------------------------------------

  /** Hand a value to the generator, or keep it for the first model when none is loaded yet. */
  private setValue(name: keyof Starting, v: number, set: (gen: Generator) => void): void {
    if (this.gen) set(this.gen);
    else {
      checkValue(name, v);
      this.starting[name] = v;
    }
    this.version++;
  }

  /**
   * A tempo for the log. At the internal clock's `pulse`, while it plays: at that pulse of the
   * tick it falls in, after the steps handed out so far (as the terminal's log has it), so a
   * take's replay changes tempo where the take did. Otherwise from the next step.
   */
  private noteTempo(bpm: number, pulse?: number): void {
    const tick = this.gen?.ticks ?? 0;
    const offset = this.swings.offset;
    if (pulse !== undefined && offset !== null && this.running) {
      const pps = (this.clock as PageClock & { pulsesPerStep: number }).pulsesPerStep;
      this.tempos.push({ tick: Math.max(0, Math.floor(pulse / pps) - offset), pulse: pulse % pps, bpm, at: tick });
      return;
    }
    const last = this.tempos[this.tempos.length - 1];
    if (last && last.tick === tick) last.bpm = bpm;
    else if (!last || last.bpm !== bpm) this.tempos.push({ tick, bpm });
  }

  private need(what: string): Generator {
    if (!this.gen) throw new Error(`${what}: no model loaded yet`);
    return this.gen;
  }

  private tick(): StepResult {
    const gen = this.gen;
    if (!gen || !this.armed) return IDLE;
    const r = gen.tick();
    const t = this.lastEvent?.time ?? 0;
    // a paused tick plays no step: the performer still reads where the music stopped
    const step = r.step >= 0 ? r.step : (this.timeline[this.timeline.length - 1]?.step ?? -1);
    this.timeline.push({ step, time: t });
    if (this.timeline.length > 32) this.timeline.splice(0, 16);
    this.version++;
    return r;
  }

  /**
   * The take's recorder, from step `e` on: tick 0 is that step's grid line, as the Node host's
   * take has it, so a first hit played early sits before it (at tick 0 in the file) and the rest
   * of the take keeps its place on the grid rather than moving by that hit's lead.
   */
  private beginTake(e: StepEvent): void {
    const now = this.takeClock as () => number;
    this.takeClock = null;
    this.recorderValue = new MidiRecorder({ bpm: e.bpm, origin: e.time, now, trackName: 'pulse-rnn' });
    this.player?.addSink(this.recorderValue);
  }

  /** The output's sink, counting what it is sent. */
  private counted(output: Output): NoteSink {
    const sink = output.sink;
    const sent = this.sent;
    return {
      noteOn(note, velocity, channel, time, duration) {
        sent[output.kind]++;
        sink.noteOn(note, velocity, channel, time, duration);
      },
      noteOff: (note, channel, time) => sink.noteOff(note, channel, time),
      allNotesOff: (time) => sink.allNotesOff(time),
      tempo: (bpm, time) => sink.tempo?.(bpm, time),
    };
  }
}

/**
 * What a new model takes over from the one playing, besides the values it was built with: each
 * head's temperature when the heads are the same, and pause and mute (each as last asked).
 */
function carryOver(old: Generator, gen: Generator, s: Settings): void {
  const heads = (g: Generator) => g.net.spec.heads.map((h) => h.name).join('\n');
  if (heads(old) === heads(gen)) s.temperatures.forEach((t, h) => t !== s.temperature && gen.setTemperature(t, h));
  if (s.paused) gen.pause();
  if (s.muted) gen.mute();
}
