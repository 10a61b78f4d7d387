/**
 * The live generator: a clock calls `tick()` once per step; the RNN state carries over from
 * tick to tick; a performer steers it while it plays.
 *
 * Everything a performer does (temperature, top-p, density, seed, pause, mute, edit, lock,
 * prime, reset) is checked when called (a bad value throws and changes nothing), then applies
 * at the start of the next tick and goes into the performance log with the tick it applied
 * at. A performance is a pure function of the model, the options and that log: `replay`
 * plays it again note for note, in any JS host.
 *
 * Upcoming steps (`lookahead`) are a forecast: any change that affects them regenerates them
 * from a snapshot taken before each, so what is shown is what will play.
 *
 * @example
 * const gen = new Generator(new Network(spec), { seed: 7, temperature: 0.9, lookahead: 16 });
 * const out = gen.tick();              // step 0
 * for (let i = 0; i < out.count; i++) send(out.notes[i]);
 * gen.setTemperature(1.2);             // from the next tick
 * gen.edit(gen.step + 2, ['kick', 'snare']); // the model continues from the human's step
 * gen.lock('kick');                    // keep the kick as the last bar played it
 */
import type { KernelPreference } from '../engine/kernel.js';
import { Network } from '../engine/network.js';
import type { ModelSpec } from '../engine/model.js';
import { Rng } from '../engine/prng.js';
import { Sampler, type SampleOptions } from '../engine/sampling.js';
import type { MidiSong } from '../io/midi-read.js';
import { codecFor, type Codec, type NoteTarget, type PlayOptions, type PlayState } from './codecs.js';
import { ControlQueue } from './control-queue.js';
import { checkLoggedControl, checkNumber as checkControlNumber, checkValue, control as controlSpec, defaults } from './controls.js';

export interface GeneratorOptions extends PlayOptions {
  /** Seed of the random stream (default 1). */
  seed?: number;
  /** Sampling temperature, one for all heads (default 1; 0 = always the likeliest). */
  temperature?: number;
  topP?: number;
  /** Logit bias toward more (positive) or fewer (negative) notes (default 0). */
  density?: number;
  /** Steps generated ahead of the one playing, for displays and edits (default 0). */
  lookahead?: number;
  /** Played steps kept for displays (default 64). */
  historyLength?: number;
  kernel?: KernelPreference;
}

/** The value controls, as a host shows them. */
export interface Settings {
  /** Temperature of the first head (of every head, unless one was set alone). */
  temperature: number;
  /** Temperature of each head. */
  temperatures: number[];
  topP: number;
  density: number;
  seed: number;
  paused: boolean;
  muted: boolean;
}

/** One note a tick plays. */
export interface PlayedNote {
  note: number;
  velocity: number;
  channel: number;
  /** In steps; Infinity when the note is held until a release (melodies). */
  length: number;
  /** Where in the step it starts, as a fraction of the step in [0, 1) (0 for grid models). */
  offset: number;
}

export interface PlayedRelease {
  note: number;
  channel: number;
  offset: number;
}

/** What one tick played. Reused by the next tick: copy what you keep. */
export interface StepResult {
  /** The step that played, or -1 when paused. */
  step: number;
  /** Ticks since the generator was made (or reset by `replay`). */
  tick: number;
  count: number;
  readonly notes: PlayedNote[];
  releaseCount: number;
  readonly releases: PlayedRelease[];
  paused: boolean;
  muted: boolean;
}

export type Control =
  | { type: 'temperature'; value: number; head?: number }
  | { type: 'topP'; value: number }
  | { type: 'density'; value: number }
  | { type: 'seed'; value: number; reset?: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'mute' }
  | { type: 'unmute' }
  | { type: 'reset' }
  | { type: 'edit'; step: number; notes: (number | string)[] }
  | { type: 'clearEdit'; step: number }
  | { type: 'lock'; voice: number; pattern: number[] | null; from: number; until: number | null }
  | { type: 'unlock'; voice: number | null }
  | { type: 'prime'; events: number[][]; reset: boolean; steps: number }
  | { type: 'primeRandom' }
  | { type: 'locate'; step: number };

export interface LogEntry {
  /** The tick at whose start the control applied. */
  tick: number;
  /** The step the generator was to play then (paused ticks play none): the step a performer reads. */
  step?: number;
  control: Control;
  /** Why the control failed as it applied (it was dropped; a replay drops it the same way). */
  dropped?: string;
}

/**
 * What a generator tells its host as it plays. A control that throws as it applies is dropped
 * and reported here, and the music goes on; a prime read in slices reports when it took effect.
 *
 * @example
 * gen.reports = {
 *   dropped: (c, err) => console.log(`${c.type}: ${err.message}; dropped`),
 *   primed: (step) => console.log(`primed: the model plays on from it at step ${step}`),
 * };
 */
export interface GeneratorReports {
  dropped?(control: Control, error: Error, tick: number): void;
  /** The last slice of a prime was read at the start of `tick`, which plays `step`. */
  primed?(step: number, tick: number): void;
}

/** Everything needed to play a performance again. */
export interface PerformanceLog {
  format: 'pulse-rnn-performance';
  version: 1;
  options: GeneratorOptions;
  entries: LogEntry[];
  /** Ticks the performance lasted. */
  ticks: number;
}

/** A copy of a played step, for history and replay. */
export interface StepCopy {
  tick: number;
  step: number;
  notes: PlayedNote[];
  releases: PlayedRelease[];
}

interface Slot {
  readonly event: Int32Array;
  time: number;
  // snapshot taken before this event was generated
  readonly state: Float32Array;
  readonly rng: Uint32Array;
  readonly prev: Int32Array;
  prevTime: number;
  index: number;
  doneEdit: number;
  keepOut: number;
}

/** A phrase being read into a state of its own, a slice per tick, while the music plays on. */
interface PrimeJob {
  events: number[][];
  /** Events read so far. */
  read: number;
  steps: number;
  /** The step the phrase ends before, as foreseen when it began (grid models read positions from it). */
  end: number;
  /** Ticks of delay the whole phrase spans (event models). */
  span: number;
  state: Float32Array;
  last: Int32Array;
  index: number;
  /** The tick at whose start it takes effect, however much was read ahead. */
  effectTick: number;
}

interface Lock {
  voice: number;
  pattern: Uint8Array;
  from: number;
  until: number | null;
}

interface SnapshotData {
  state: Float32Array;
  rng: Uint32Array;
  seed: number;
  temps: number[];
  topP: number;
  density: number;
  paused: boolean;
  muted: boolean;
  edits: [number, (number | string)[]][];
  locks: Lock[];
  slots: Slot[];
  lastEvent: Int32Array;
  lastTime: number;
  eventIndex: number;
  zeroDelays: number;
  step: number;
  tick: number;
  forced: number[][];
  doneEdit: number;
  keepOut: number;
  forcedTime: number;
  sounding: number;
  history: StepResult[];
  entries: LogEntry[];
  pending: Control[];
  prime: PrimeJob | null;
}

/** A complete copy of a generator's musical state (not its model), for `restore` and `fork`. */
export interface GeneratorSnapshot {
  readonly data: SnapshotData;
}

const MAX_ZERO_DELAYS = 16;
/**
 * Events of a prime a tick reads at most, so a phrase of n events takes effect ceil(n / 128)
 * ticks after it applies: a 20,000-step file 157 ticks (20 s at 120 BPM), a 5-minute groove
 * 19. A step of the shipped 2×256 LSTM costs 0.25 ms on a busy machine, so a slice is 32 ms at
 * worst; a host that calls `readAhead` between ticks leaves the ticks next to nothing to read.
 * A count, not a time budget: a replay must take the prime in at the same tick.
 */
export const PRIME_SLICE = 128;
/**
 * Controls applied per tick, once those a later one overrides are gone (ten thousand
 * temperatures leave one). The rest wait for the next tick, and the log says when each applied.
 */
export const CONTROLS_PER_TICK = 64;

/** A time before every event. Slot fields hold only small integers, so V8 stores them unboxed. */
const NEVER = -(2 ** 30);

function makeSlot(heads: number, stateSize: number): Slot {
  return { event: new Int32Array(heads), time: 0, state: new Float32Array(stateSize), rng: new Uint32Array(4), prev: new Int32Array(heads), prevTime: 0, index: 0, doneEdit: -1, keepOut: NEVER };
}

export class Generator {
  readonly net: Network;
  readonly codec: Codec;
  readonly options: Readonly<GeneratorOptions>;

  private readonly heads: number;
  private readonly sampler: Sampler;
  private readonly rng: Rng;
  private readonly inputs: number[];
  private readonly masks: Uint8Array[];
  private readonly biases: (Float32Array | null)[];
  private readonly weights: (Float32Array | null)[];
  private readonly ticksPerStep: number;
  private readonly target: NoteTarget;
  private readonly playState: PlayState = { sounding: -1 };
  private readonly result: StepResult;
  private readonly sampleOptions: SampleOptions = { temperature: 1, topP: 1, mask: null, bias: null };
  private readonly probe: Int32Array;

  // controls
  private seedValue: number;
  private temps: number[];
  private topPValue: number;
  private densityValue: number;
  private pausedFlag = false;
  private mutedFlag = false;
  private readonly lookaheadSteps: number;
  private readonly edits = new Map<number, (number | string)[]>();
  private locks: Lock[] = [];

  // generation
  private slots: Slot[] = [];
  private first = 0; // ring start
  private size = 0;
  private lastEvent: Int32Array;
  private lastTime: number;
  private eventIndex = 0;
  private zeroDelays = 0;
  private stepIndex = 0;
  private tickCount = 0;
  // event codecs: a human's edited step is fed as forced events at its exact time, and the
  // model's own events are kept out of that step
  private forced: number[][] = [];
  private forcedTime = 0;
  private doneEdit = -1;
  private keepOut = NEVER;

  // history
  private readonly historyLength: number;
  private history: StepResult[] = []; // a ring once full
  private historyStart = 0;

  // the log, and controls waiting for the next tick
  private readonly entries: LogEntry[] = [];
  private readonly queued: ControlQueue;
  private readonly applying: Control[] = [];
  private replaying = false;
  /** While replaying: the controls the log marks as dropped, which drop again without a word. */
  private droppedBefore: ReadonlySet<Control> | null = null;
  private primeJob: PrimeJob | null = null;
  private readonly playingState: Float32Array;

  /** Where dropped controls and primes taking effect are told (default: dropped controls to console.error). */
  reports: GeneratorReports = { dropped: (c, e) => console.error(`pulse-rnn: ${e.message.startsWith(`${c.type}: `) ? '' : `${c.type}: `}${e.message}; dropped`) };

  constructor(model: Network | ModelSpec, options: GeneratorOptions = {}) {
    this.net = model instanceof Network ? model : new Network(model, { kernel: options.kernel });
    const start = defaults();
    const { seed = start.seed, temperature = start.temperature, topP = start.topP, density = start.density, lookahead = 0, historyLength = 64 } = options;
    checkValue('temperature', temperature);
    checkValue('topP', topP);
    checkValue('seed', seed);
    checkValue('density', density);
    checkNumber('lookahead', lookahead, (v) => Number.isInteger(v) && v >= 0 && v <= 4096, 'a whole number of steps from 0 to 4096');
    checkNumber('historyLength', historyLength, (v) => Number.isInteger(v) && v >= 0, 'a whole number of steps ≥ 0');
    this.options = { ...options };
    this.codec = codecFor(this.net.spec, options);
    this.heads = this.net.logits.length;
    this.sampler = new Sampler(Math.max(...this.net.logits.map((l) => l.length)));
    this.rng = new Rng(seed);
    this.seedValue = seed;
    this.temps = new Array(this.heads).fill(temperature);
    this.topPValue = topP;
    this.densityValue = density;
    this.lookaheadSteps = lookahead;
    this.historyLength = historyLength;
    this.inputs = new Array(this.net.spec.inputs.length).fill(0);
    this.masks = this.net.logits.map((l) => new Uint8Array(l.length));
    this.weights = this.net.logits.map((_, h) => this.codec.densityWeights(h));
    this.biases = this.net.logits.map((l, h) => (this.weights[h] ? new Float32Array(l.length) : null));
    this.ticksPerStep = this.codec.ticksPerStep;
    this.lastEvent = Int32Array.from(this.codec.startEvent());
    this.probe = new Int32Array(this.heads);
    this.playingState = new Float32Array(this.net.stateSize);
    this.queued = new ControlQueue();
    this.lastTime = this.startTime(0);
    this.result = { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: false, muted: false };
    const self = this;
    let offsetTicks = 0;
    this.target = {
      noteOn(note, velocity, channel, lengthTicks) {
        const r = self.result;
        if (r.count === r.notes.length) r.notes.push({ note: 0, velocity: 0, channel: 0, length: 0, offset: 0 });
        const n = r.notes[r.count++];
        n.note = note;
        n.velocity = velocity;
        n.channel = channel;
        n.length = lengthTicks / self.ticksPerStep;
        n.offset = offsetTicks / self.ticksPerStep;
      },
      release(note, channel) {
        const r = self.result;
        if (r.releaseCount === r.releases.length) r.releases.push({ note: 0, channel: 0, offset: 0 });
        const x = r.releases[r.releaseCount++];
        x.note = note;
        x.channel = channel;
        x.offset = offsetTicks / self.ticksPerStep;
      },
    };
    this.setOffset = (t) => (offsetTicks = t);
    this.updateBiases();
  }

  private readonly setOffset: (ticks: number) => void;

  // ---- reading the state ------------------------------------------------------------------

  /** The next step to play. */
  get step(): number {
    return this.stepIndex;
  }
  get ticks(): number {
    return this.tickCount;
  }
  get paused(): boolean {
    return this.pausedFlag;
  }
  get muted(): boolean {
    return this.mutedFlag;
  }
  get seed(): number {
    return this.seedValue;
  }
  get temperature(): number {
    return this.temps[0];
  }
  /** Temperature of each head. */
  get temperatures(): readonly number[] {
    return this.temps.slice();
  }
  get topP(): number {
    return this.topPValue;
  }
  get density(): number {
    return this.densityValue;
  }
  get lookahead(): number {
    return this.lookaheadSteps;
  }

  /**
   * The settings playing now. The getters above (`temperature`, `seed`, …) read these too: a
   * control set a moment ago shows in `pending` until the tick that applies it.
   */
  get applied(): Settings {
    return { temperature: this.temps[0], temperatures: this.temps.slice(), topP: this.topPValue, density: this.densityValue, seed: this.seedValue, paused: this.pausedFlag, muted: this.mutedFlag };
  }

  /** The settings that queued controls change at the next tick, and only those. */
  get pending(): Partial<Settings> {
    const out: Partial<Settings> = {};
    let temps: number[] | null = null;
    for (const c of this.queued.list()) {
      if (c.type === 'temperature') {
        temps ??= (out.temperatures ?? this.temps).slice();
        if (c.head === undefined) temps.fill(c.value);
        else temps[c.head] = c.value;
        out.temperatures = temps;
        out.temperature = temps[0];
      } else if (c.type === 'topP' || c.type === 'density' || c.type === 'seed') out[c.type] = c.value;
      else if (c.type === 'pause' || c.type === 'resume') out.paused = c.type === 'pause';
      else if (c.type === 'mute' || c.type === 'unmute') out.muted = c.type === 'mute';
    }
    return out;
  }

  /** What will play from the next tick: the applied settings with the pending ones laid over them. What a host shows. */
  get settings(): Settings {
    return { ...this.applied, ...this.pending };
  }

  /** The performance so far, for `replay`. */
  get log(): PerformanceLog {
    return { format: 'pulse-rnn-performance', version: 1, options: { ...this.options }, entries: this.entries.map(copyEntry), ticks: this.tickCount };
  }

  /** The last played steps, oldest first. */
  played(): StepCopy[] {
    const n = this.history.length;
    return Array.from({ length: n }, (_, i) => copyStep(this.history[(this.historyStart + i) % n]));
  }

  /** The upcoming steps already generated (the lookahead), as notes per step. */
  upcoming(): { step: number; notes: number[] }[] {
    const out: { step: number; notes: number[] }[] = [];
    for (let i = 0; i < this.size; i++) {
      const s = this.slot(i);
      const step = Math.floor(s.time / this.ticksPerStep);
      if (out.length && out[out.length - 1].step === step) out[out.length - 1].notes.push(...this.codec.notesOf(s.event));
      else out.push({ step, notes: this.codec.notesOf(s.event) });
    }
    return out;
  }

  // ---- the performer's controls (checked now, applied at the next tick) --------------------

  /** Temperature for every head, or for one head (by index or name). */
  setTemperature(value: number, head?: number | string): void {
    checkValue('temperature', value);
    this.queue({ type: 'temperature', value, ...(head === undefined ? {} : { head: this.headIndex(head) }) });
  }
  set temperature(v: number) {
    this.setTemperature(v);
  }

  setTopP(value: number): void {
    checkValue('topP', value);
    this.queue({ type: 'topP', value });
  }
  set topP(v: number) {
    this.setTopP(v);
  }

  setDensity(value: number): void {
    checkValue('density', value);
    this.queue({ type: 'density', value });
  }
  set density(v: number) {
    this.setDensity(v);
  }

  /** A new random stream. With `reset`, the model's state starts over too; with `prime`, it then reads a phrase. */
  reseed(value: number, opts: { reset?: boolean; prime?: readonly (readonly number[])[] | MidiSong } = {}): void {
    checkValue('seed', value);
    const primed = opts.prime ? this.primeControl(opts.prime, { reset: opts.reset ?? true }) : null;
    this.queue({ type: 'seed', value, ...(opts.reset ? { reset: true } : {}) });
    if (primed) this.queue(primed); // the seed first, then the phrase
  }
  set seed(v: number) {
    this.reseed(v);
  }

  /** Stop playing; the state freezes. `resume` continues from the same place. */
  pause(): void {
    this.queue({ type: 'pause' });
  }
  resume(): void {
    this.queue({ type: 'resume' });
  }
  /** Keep running in time, silently. */
  mute(): void {
    this.queue({ type: 'mute' });
  }
  unmute(): void {
    this.queue({ type: 'unmute' });
  }
  /** Start the model over from its start event (edits and locks stay). */
  reset(): void {
    this.queue({ type: 'reset' });
  }

  /**
   * Write the notes of an upcoming step (drum notes or voice names for drums; one pitch,
   * 'hold' or 'rest' for melodies; notes for event models). The model reads this step as
   * its input, so what follows continues from it. An array of steps edits a range.
   */
  edit(step: number | readonly number[], notes: readonly (number | string)[]): void {
    const steps = typeof step === 'number' ? [step] : [...step];
    if (steps.length === 0) throw new Error('edit: no steps given');
    for (const s of steps) this.checkUpcoming(s, 'edit');
    if (!Array.isArray(notes)) throw new Error(`edit: notes must be a list, got ${JSON.stringify(notes)}`);
    if (this.codec.kind === 'grid') this.codec.eventFromNotes(notes);
    else for (const n of notes) this.codec.eventAt?.(n, 0);
    for (const s of steps) this.queue({ type: 'edit', step: s, notes: [...notes] });
  }

  /** Undo an edit of an upcoming step: the model chooses it again. */
  clearEdit(step: number): void {
    this.checkUpcoming(step, 'clearEdit');
    this.queue({ type: 'clearEdit', step });
  }

  /**
   * Hold a voice (drum models): it plays exactly `pattern` (one 0/1 per step of the bar,
   * repeating), or, without a pattern, what it played in the last bar. The model fills the
   * other voices around it. `bars` limits the lock; without it the lock holds until `unlock`.
   */
  lock(voice: string | number, opts: { pattern?: readonly (number | boolean)[]; bars?: number } = {}): void {
    const v = this.voiceIndex(voice);
    const bar = this.codec.stepsPerBar;
    let pattern: number[] | null = null;
    if (opts.pattern !== undefined) {
      if (!Array.isArray(opts.pattern) || opts.pattern.length !== bar || !opts.pattern.every((x) => x === 0 || x === 1 || x === true || x === false)) {
        throw new Error(`lock: pattern must list ${bar} steps of 0/1, got ${JSON.stringify(opts.pattern)}`);
      }
      pattern = opts.pattern.map((x) => (x ? 1 : 0));
    }
    if (opts.bars !== undefined) checkNumber('bars', opts.bars, (b) => Number.isInteger(b) && b > 0, 'a whole number of bars ≥ 1, e.g. { bars: 2 }');
    const from = this.stepIndex;
    this.queue({ type: 'lock', voice: v, pattern, from, until: opts.bars ? from + opts.bars * bar : null });
  }

  /** Release a locked voice, or every lock. */
  unlock(voice?: string | number): void {
    this.queue({ type: 'unlock', voice: voice === undefined ? null : this.voiceIndex(voice) });
  }

  /**
   * Set the state from a phrase without playing it: events (as the codec makes them) or a
   * MIDI song. The phrase ends just before the next step, so it lines up with the bar. For
   * event models `steps` says how long the phrase lasts (default: its notes rounded up to
   * whole bars), so the model's next delay counts from the phrase's last note.
   *
   * A long phrase is read into a state of its own while the music plays on from the old one,
   * at most `PRIME_SLICE` events a tick (`readAhead` reads more between ticks); it takes
   * effect `primeTicks(events)` ticks after it applies, lined up to end before that tick's
   * step, which `reports.primed` names.
   */
  prime(phrase: readonly (readonly number[])[] | MidiSong, opts: { reset?: boolean; steps?: number } = {}): void {
    this.queue(this.primeControl(phrase, opts));
  }

  /** Ticks a prime of `events` events takes to take effect, counting the tick it applies at. */
  static primeTicks(events: number): number {
    return Math.max(1, Math.ceil(events / PRIME_SLICE));
  }

  /** Whether a prime is queued or being read (it has not taken effect yet). */
  get priming(): boolean {
    return this.primeJob !== null || this.queued.some((c) => c.type === 'prime');
  }

  /**
   * Read up to `events` more events of a prime being read, between ticks (from an idle
   * callback, say), so the ticks have less to read. When the prime takes effect does not
   * change: only the work moves. Returns whether any are left to read.
   *
   * @example
   * const more = () => gen.readAhead(32) && setImmediate(more);
   */
  readAhead(events = 32): boolean {
    const job = this.primeJob;
    if (!job) return false;
    this.readPrime(job, Math.min(job.events.length, job.read + Math.max(0, Math.floor(events))));
    return job.read < job.events.length;
  }

  private primeControl(phrase: readonly (readonly number[])[] | MidiSong, opts: { reset?: boolean; steps?: number }): Control {
    const events = isSong(phrase) ? this.codec.fromSong(phrase).events : phrase.map((e) => [...e]);
    if (events.length === 0) throw new Error('prime: the phrase has no events');
    for (const e of events) this.checkEvent(e);
    if (opts.steps !== undefined) checkNumber('steps', opts.steps, (v) => Number.isInteger(v) && v > 0, 'a whole number of steps ≥ 1');
    let steps = opts.steps ?? events.length;
    if (this.codec.kind === 'events') {
      const span = events.reduce((t, e) => t + this.codec.delay(e), 0);
      const bar = this.codec.stepsPerBar;
      steps = opts.steps ?? Math.max(1, Math.ceil((span + 1) / (this.ticksPerStep * bar))) * bar;
    }
    return { type: 'prime', events, reset: opts.reset ?? true, steps };
  }

  /**
   * Jump to another step (a song position from the clock): the next tick plays `step`. The
   * model's state goes on; drum models read the new position in the bar from there.
   */
  locate(step: number): void {
    checkControlNumber('locate', controlSpec('locate').args[0] as Parameters<typeof checkControlNumber>[1], step);
    this.queue({ type: 'locate', step });
  }

  /** Start from one random event, as Howl does. */
  primeRandom(): void {
    this.queue({ type: 'primeRandom' });
  }

  // ---- the clock's call ------------------------------------------------------------------

  /** Play one step. The result is reused by the next tick. */
  tick(): StepResult {
    const r = this.result;
    r.count = 0;
    r.releaseCount = 0;
    r.tick = this.tickCount;
    if (!this.queued.empty) this.applyPending();
    if (this.primeJob) this.readPrimeSlice();
    this.tickCount++;
    r.paused = this.pausedFlag;
    r.muted = this.mutedFlag;
    if (this.pausedFlag) {
      r.step = -1;
      return r;
    }
    const s = this.stepIndex;
    r.step = s;
    this.fill((s + 1 + this.lookaheadSteps) * this.ticksPerStep);
    const end = (s + 1) * this.ticksPerStep;
    const stepInBar = s % this.codec.stepsPerBar;
    while (this.size > 0 && this.slot(0).time < end) {
      const e = this.slot(0);
      this.setOffset(Math.max(0, e.time - s * this.ticksPerStep));
      const before = r.count;
      this.codec.play(e.event, stepInBar, this.playState, this.target);
      if (this.mutedFlag) r.count = before;
      this.first = (this.first + 1) % this.slots.length;
      this.size--;
    }
    this.stepIndex++;
    if (this.edits.size > 0) this.edits.delete(s);
    for (let i = 0; i < this.locks.length; i++) {
      const until = this.locks[i].until;
      if (until !== null && until <= this.stepIndex) this.locks.splice(i--, 1);
    }
    if (this.historyLength > 0) this.remember(r);
    return r;
  }

  /** Play a recorded performance again from this (fresh) generator; returns every step. */
  replay(log: PerformanceLog): StepCopy[] {
    if (!log || log.format !== 'pulse-rnn-performance' || !Array.isArray(log.entries)) throw new Error('replay: not a pulse-rnn performance log');
    if (this.tickCount !== 0 || this.entries.length !== 0) throw new Error('replay needs a fresh generator (made with the log\'s options)');
    const out: StepCopy[] = [];
    let next = 0;
    const entries = [...log.entries].sort((a, b) => a.tick - b.tick);
    this.replaying = true;
    // the performer was told of these as they played; a replay that drops another is news
    this.droppedBefore = new Set(entries.filter((e) => e.dropped !== undefined).map((e) => e.control));
    try {
      for (let t = 0; t < log.ticks; t++) {
        while (next < entries.length && entries[next].tick === t) this.queue(entries[next++].control, true);
        out.push(copyStep(this.tick()));
      }
    } finally {
      this.replaying = false;
      this.droppedBefore = null;
    }
    return out;
  }

  // ---- snapshot, restore, fork -----------------------------------------------------------

  snapshot(): GeneratorSnapshot {
    return {
      data: {
        state: this.net.getState(),
        rng: this.rng.getState(),
        seed: this.seedValue,
        temps: this.temps.slice(),
        topP: this.topPValue,
        density: this.densityValue,
        paused: this.pausedFlag,
        muted: this.mutedFlag,
        edits: [...this.edits].map(([k, v]): [number, (number | string)[]] => [k, [...v]]),
        locks: this.locks.map((l) => ({ ...l, pattern: l.pattern.slice() })),
        slots: Array.from({ length: this.size }, (_, i) => cloneSlot(this.slot(i))),
        lastEvent: this.lastEvent.slice(),
        lastTime: this.lastTime,
        eventIndex: this.eventIndex,
        zeroDelays: this.zeroDelays,
        step: this.stepIndex,
        tick: this.tickCount,
        forced: this.forced.map((e) => [...e]),
        doneEdit: this.doneEdit,
        keepOut: this.keepOut,
        forcedTime: this.forcedTime,
        sounding: this.playState.sounding,
        history: this.history.map((_, i, all) => {
          const c = emptyResult();
          copyInto(c, all[(this.historyStart + i) % all.length]);
          return c;
        }),
        entries: this.entries.map(copyEntry),
        pending: this.queued.list().map(structuredCloneLite),
        prime: this.primeJob && clonePrime(this.primeJob),
      },
    };
  }

  restore(snap: GeneratorSnapshot): void {
    const d = snap?.data;
    if (!d || !(d.state instanceof Float32Array) || d.state.length !== this.net.stateSize) throw new Error('restore: the snapshot is not from a generator of this model');
    this.net.setState(d.state);
    this.rng.setState(d.rng);
    this.seedValue = d.seed;
    this.temps = d.temps.slice();
    this.topPValue = d.topP;
    this.densityValue = d.density;
    this.pausedFlag = d.paused;
    this.mutedFlag = d.muted;
    this.edits.clear();
    for (const [k, v] of d.edits) this.edits.set(k, [...v]);
    this.locks = d.locks.map((l) => ({ ...l, pattern: l.pattern.slice() }));
    this.slots = d.slots.map(cloneSlot);
    this.first = 0;
    this.size = this.slots.length;
    this.lastEvent = d.lastEvent.slice();
    this.lastTime = d.lastTime;
    this.eventIndex = d.eventIndex;
    this.zeroDelays = d.zeroDelays;
    this.stepIndex = d.step;
    this.tickCount = d.tick;
    this.forced = d.forced.map((e) => [...e]);
    this.doneEdit = d.doneEdit;
    this.keepOut = d.keepOut;
    this.forcedTime = d.forcedTime;
    this.playState.sounding = d.sounding;
    this.history = d.history.map((h) => {
      const c = emptyResult();
      copyInto(c, h);
      return c;
    });
    this.historyStart = 0;
    this.entries.length = 0;
    for (const e of d.entries) this.entries.push(copyEntry(e));
    this.queued.reset(d.pending.map(structuredCloneLite));
    this.primeJob = d.prime ? clonePrime(d.prime) : null;
    this.updateBiases();
  }

  /** An independent generator that continues exactly as this one would. */
  fork(): Generator {
    const g = new Generator(this.net.spec, { ...this.options, kernel: this.net.kernel.name });
    g.restore(this.snapshot());
    return g;
  }

  // ---- applying controls -------------------------------------------------------------------

  private queue(c: Control, replaying = false): void {
    // a log says what applied: nothing of it is folded into later controls
    if (replaying) checkLoggedControl(c);
    this.queued.push(c, replaying);
  }

  /** Apply the queued controls, at most CONTROLS_PER_TICK of them (all of them in a replay). */
  private applyPending(): void {
    this.queued.take(this.replaying ? Infinity : CONTROLS_PER_TICK, this.applying);
    for (let i = 0; i < this.applying.length; i++) this.applySafely(this.applying[i]);
    this.applying.length = 0;
  }

  /** A control that throws is dropped and reported; the log keeps it, marked, so a replay does the same. */
  private applySafely(c: Control): void {
    const at = this.entries.length;
    try {
      this.apply(c);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const entry = this.entries[at];
      if (entry) entry.dropped = err.message;
      if (this.droppedBefore?.has(c)) return;
      try {
        this.reports.dropped?.(c, err, this.tickCount);
      } catch {
        // a host's report that throws must not stop the tick either
      }
    }
  }

  private apply(c: Control): void {
    this.entries.push({ tick: this.tickCount, step: this.stepIndex, control: c });
    switch (c.type) {
      case 'temperature':
        if (c.head === undefined) this.temps.fill(c.value);
        else this.temps[c.head] = c.value;
        return this.regenerate(0, true);
      case 'topP':
        this.topPValue = c.value;
        return this.regenerate(0, true);
      case 'density':
        this.densityValue = c.value;
        this.updateBiases();
        return this.regenerate(0, true);
      case 'seed':
        this.seedValue = c.value;
        this.regenerate(0, true);
        this.rng.seed(c.value);
        if (c.reset) this.restart();
        return;
      case 'pause':
        this.pausedFlag = true;
        return this.releaseHeld();
      case 'resume':
        this.pausedFlag = false;
        return;
      case 'mute':
        this.mutedFlag = true;
        return this.releaseHeld();
      case 'unmute':
        this.mutedFlag = false;
        return;
      case 'reset':
        this.rng.seed(this.seedValue);
        return this.restart();
      case 'edit':
        // a burst can hold an edit back past its step (CONTROLS_PER_TICK): it is dropped, said
        if (c.step < this.stepIndex) throw new Error(`edit: step ${c.step} had played before the edit's turn came (the next step is ${this.stepIndex}); edit fewer steps at once`);
        this.edits.set(c.step, c.notes);
        return this.regenerateFromStep(c.step);
      case 'clearEdit':
        this.edits.delete(c.step);
        return this.regenerateFromStep(c.step);
      case 'lock': {
        const pattern = new Uint8Array(this.codec.stepsPerBar);
        if (c.pattern) pattern.set(c.pattern);
        else this.lastBarOf(c.voice, pattern);
        this.locks = this.locks.filter((l) => l.voice !== c.voice);
        this.locks.push({ voice: c.voice, pattern, from: c.from, until: c.until });
        return this.regenerate(0, true);
      }
      case 'unlock':
        this.locks = c.voice === null ? [] : this.locks.filter((l) => l.voice !== c.voice);
        return this.regenerate(0, true);
      case 'prime':
        return this.beginPrime(c.events, c.reset, c.steps);
      case 'locate':
        this.regenerate(0, true);
        this.stepIndex = c.step;
        this.lastTime = this.startTime(c.step);
        return;
      case 'primeRandom': {
        this.primeJob = null;
        const e = this.net.logits.map((l) => this.rng.int(l.length));
        return this.beginPrime([e], false, 1);
      }
    }
  }

  /** Zero state, start event, nothing generated ahead. */
  private restart(): void {
    this.primeJob = null; // a phrase still being read would undo the fresh start
    this.releaseHeld();
    this.discard();
    this.net.resetState();
    this.lastEvent = Int32Array.from(this.codec.startEvent());
    this.lastTime = this.startTime(this.stepIndex);
    this.eventIndex = 0;
  }

  /**
   * Start reading a phrase that spans `steps` steps into a state of its own: from zero with
   * `reset`, else from the state after the last step played. A phrase already being read is
   * replaced. The first slice is read at once, so a short phrase takes effect at this tick.
   */
  private beginPrime(events: number[][], reset: boolean, steps: number): void {
    const state = new Float32Array(this.net.stateSize);
    let last: Int32Array;
    let index: number;
    if (reset) {
      last = Int32Array.from(this.codec.startEvent());
      index = 0;
    } else if (this.size > 0) {
      const s = this.slot(0);
      state.set(s.state);
      last = s.prev.slice();
      index = s.index;
    } else {
      this.net.getState(state);
      last = this.lastEvent.slice();
      index = this.eventIndex;
    }
    const ticks = Generator.primeTicks(events.length);
    const end = this.stepIndex + (this.pausedFlag ? 0 : ticks - 1);
    const span = events.reduce((t, e) => t + this.codec.delay(e), 0);
    this.primeJob = { events, read: 0, steps, end, span, state, last, index, effectTick: this.tickCount + ticks - 1 };
  }

  /** A tick's share of the phrase; at its effect tick, the rest of it, then play on from it. */
  private readPrimeSlice(): void {
    const job = this.primeJob as PrimeJob;
    const n = job.events.length;
    const due = this.tickCount >= job.effectTick;
    this.readPrime(job, due ? n : Math.min(n, job.read + PRIME_SLICE));
    if (due) this.takePrime(job);
  }

  /** Read the phrase's events up to `stop` into the job's own state; the playing state is kept. */
  private readPrime(job: PrimeJob, stop: number): void {
    if (stop <= job.read) return;
    const n = job.events.length;
    const grid = this.codec.kind === 'grid';
    this.net.getState(this.playingState);
    try {
      this.net.setState(job.state);
      for (let i = job.read; i < stop; i++) {
        this.codec.inputs(job.last, grid ? job.end - n + i : job.index, this.inputs);
        this.net.step(this.inputs);
        job.last.set(job.events[i]);
        job.index++;
      }
      this.net.getState(job.state);
    } finally {
      this.net.setState(this.playingState);
    }
    job.read = stop;
  }

  private takePrime(job: PrimeJob): void {
    const grid = this.codec.kind === 'grid';
    this.primeJob = null;
    this.discard();
    this.net.setState(job.state);
    this.lastEvent = job.last;
    this.eventIndex = job.index;
    if (grid) this.lastTime = this.startTime(this.stepIndex);
    else {
      const time = (this.stepIndex - job.steps) * this.ticksPerStep + job.span; // the phrase's start, then its delays
      // the model's next delay counts from the phrase's last note, but lands no earlier than now
      this.lastTime = Math.min(time, this.stepIndex * this.ticksPerStep);
      this.keepOut = this.stepIndex * this.ticksPerStep;
    }
    try {
      this.reports.primed?.(this.stepIndex, this.tickCount);
    } catch {
      // the host's report must not stop the tick
    }
  }

  /** Where the last event sits before step `s`: grid events sit on the step before; event models start at the step. */
  private startTime(s: number): number {
    return this.codec.kind === 'grid' ? (s - 1) * this.ticksPerStep : s * this.ticksPerStep;
  }

  /** Throw away the generated upcoming events, going back to the state before the first. */
  private regenerate(fromSlot: number, restoreRng: boolean): void {
    if (fromSlot >= this.size) return;
    const s = this.slot(fromSlot);
    this.net.setState(s.state);
    if (restoreRng) this.rng.setState(s.rng);
    this.lastEvent = s.prev.slice();
    this.lastTime = s.prevTime;
    this.eventIndex = s.index;
    this.doneEdit = s.doneEdit;
    this.keepOut = s.keepOut;
    this.size = fromSlot;
    this.forced.length = 0;
    this.zeroDelays = 0;
  }

  private regenerateFromStep(step: number): void {
    const t = step * this.ticksPerStep;
    for (let i = 0; i < this.size; i++) {
      if (this.slot(i).time >= t) return this.regenerate(i, true);
    }
  }

  private discard(): void {
    if (this.size > 0) this.regenerate(0, false);
  }

  private releaseHeld(): void {
    if (this.playState.sounding >= 0) {
      this.setOffset(0);
      this.target.release(this.playState.sounding, this.options.channel ?? 0);
      this.playState.sounding = -1;
    }
  }

  private updateBiases(): void {
    for (let h = 0; h < this.heads; h++) {
      const b = this.biases[h];
      const w = this.weights[h];
      if (b && w) for (let i = 0; i < b.length; i++) b[i] = this.densityValue * w[i];
    }
  }

  // ---- generating ------------------------------------------------------------------------

  private slot(i: number): Slot {
    return this.slots[(this.first + i) % this.slots.length];
  }

  /** Generate until an event lands at or after `until` (ticks). */
  private fill(until: number): void {
    // grid events sit on their step's start; an event model needs one event past `until`
    const limit = this.codec.kind === 'grid' ? until - this.ticksPerStep : until;
    while (this.lastTime < limit) this.generateOne();
  }

  // no closures in here or in anything a tick calls: a function that makes one allocates
  // its context on every call
  private newSlot(): Slot {
    if (this.size === this.slots.length) this.growSlots();
    let i = this.first + this.size;
    if (i >= this.slots.length) i -= this.slots.length;
    return this.slots[i];
  }

  /** Double the ring (rare: only when more events are ahead than ever before). */
  private growSlots(): void {
    const ordered = Array.from({ length: this.size }, (_, i) => this.slot(i));
    const grown = Math.max(4, this.slots.length * 2);
    for (let i = ordered.length; i < grown; i++) ordered.push(makeSlot(this.heads, this.net.stateSize));
    this.slots = ordered;
    this.first = 0;
  }

  private generateOne(): void {
    const slot = this.newSlot();
    this.net.getState(slot.state);
    this.rng.getState(slot.rng);
    slot.prev.set(this.lastEvent);
    slot.prevTime = this.lastTime;
    slot.index = this.eventIndex;
    slot.doneEdit = this.doneEdit;
    slot.keepOut = this.keepOut;
    const grid = this.codec.kind === 'grid';
    const t = grid ? Math.round(this.lastTime / this.ticksPerStep) + 1 : this.eventIndex;
    this.codec.inputs(this.lastEvent, t, this.inputs);
    this.net.step(this.inputs);
    const ev = slot.event;
    if (grid) {
      this.chooseGridEvent(t, ev);
      slot.time = this.lastTime + this.ticksPerStep;
    } else {
      slot.time = this.chooseTimedEvent(ev);
      if (slot.time >= this.keepOut) this.keepOut = NEVER;
    }
    this.zeroDelays = slot.time === this.lastTime ? this.zeroDelays + 1 : 0;
    this.lastEvent.set(ev);
    this.lastTime = slot.time;
    this.eventIndex++;
    this.size++;
  }

  private sampleHead(h: number, masked: boolean): number {
    const o = this.sampleOptions;
    o.temperature = this.temps[h];
    o.topP = this.topPValue;
    o.mask = masked ? this.masks[h] : null;
    o.bias = this.densityValue ? this.biases[h] : null;
    return this.sampler.sample(this.net.logits[h], o, this.rng);
  }

  private chooseGridEvent(step: number, ev: Int32Array): void {
    const edit = this.edits.get(step);
    if (edit) {
      ev.set(this.codec.eventFromNotes(edit));
      return;
    }
    let masked = false;
    if (this.locks.length) {
      const mask = this.masks[0];
      mask.fill(0);
      for (const l of this.locks) {
        if (step < l.from || (l.until !== null && step >= l.until)) continue;
        this.codec.voiceMask(l.voice, l.pattern[step % this.codec.stepsPerBar] === 1, mask);
        masked = true;
      }
    }
    for (let h = 0; h < this.heads; h++) ev[h] = this.sampleHead(h, masked && h === 0);
  }

  // Event models: a human's edit of step s is fed as events at the start of s, and the
  // model's own events are kept out of every step a human wrote (notes or silence).
  // Returns the event's time: a forced event sits at the edited step's exact time (the
  // model reads the nearest delay it knows).
  private chooseTimedEvent(ev: Int32Array): number {
    const D = this.codec.delayHead as number;
    if (this.forced.length) {
      ev.set(this.forced.shift() as number[]);
      return this.forcedTime;
    }
    const mask = this.masks[D];
    mask.fill(0);
    let masked = false;
    let blocked = false; // some delay lands in a written step
    const probe = this.probe;
    const edited = this.nextEditedStep();
    const start = edited === null ? Infinity : edited * this.ticksPerStep;
    const edits = this.edits.size > 0;
    for (let k = 0; k < mask.length; k++) {
      probe[D] = k;
      const d = this.codec.delay(probe);
      const at = this.lastTime + d;
      const inEdit = edits && at < start + this.ticksPerStep && this.edits.has(Math.floor(at / this.ticksPerStep));
      // a model stuck on delay 0 must let time move on
      if (inEdit || at < this.keepOut || (d === 0 && this.zeroDelays >= MAX_ZERO_DELAYS)) {
        mask[k] = 1;
        masked = true;
        blocked ||= inEdit;
      }
    }
    if (masked) {
      let all = true;
      for (let k = 0; k < mask.length && all; k++) if (!mask[k]) all = false;
      if (all) masked = false;
    }
    // heads in order, as the offline sampler draws them
    for (let h = 0; h < this.heads; h++) ev[h] = this.sampleHead(h, masked && h === D);
    let at = this.lastTime + this.codec.delay(ev);
    // a silence longer than any delay the model knows: its note waits for the silence to end
    if (blocked && !masked) while (at < start && this.edits.has(Math.floor(at / this.ticksPerStep))) at = (Math.floor(at / this.ticksPerStep) + 1) * this.ticksPerStep;
    if (at >= start) {
      // the model would move past the edited step: play the human's notes there instead
      this.forceEdit(edited as number, ev);
      return start;
    }
    return at;
  }

  private forceEdit(edited: number, ev: Int32Array): void {
    const start = edited * this.ticksPerStep;
    const notes = this.edits.get(edited) as (number | string)[];
    const eventAt = this.codec.eventAt as NonNullable<Codec['eventAt']>;
    const events = notes.map((n, i) => eventAt.call(this.codec, n, i === 0 ? start - this.lastTime : 0));
    this.doneEdit = edited;
    this.forcedTime = start;
    this.keepOut = start + this.ticksPerStep;
    ev.set(events[0]);
    this.forced = events.slice(1);
  }

  /** The first step ahead of the last event that a human wrote notes into (not yet fed). */
  private nextEditedStep(): number | null {
    if (this.edits.size === 0) return null;
    let best: number | null = null;
    for (const [s, notes] of this.edits) {
      if (notes.length > 0 && s > this.doneEdit && s * this.ticksPerStep > this.lastTime && (best === null || s < best)) best = s;
    }
    return best;
  }

  // ---- history and checks ------------------------------------------------------------------

  private remember(r: StepResult): void {
    // once full, overwrite the oldest entry and its note objects: no allocation
    if (this.history.length < this.historyLength) {
      const h = emptyResult();
      copyInto(h, r);
      this.history.push(h);
      return;
    }
    copyInto(this.history[this.historyStart], r);
    this.historyStart = (this.historyStart + 1) % this.history.length;
  }

  /** What `voice` played in the last bar, by position in the bar. */
  private lastBarOf(voice: number, out: Uint8Array): void {
    const bar = this.codec.stepsPerBar;
    const notes = this.codec.notesOf(this.codec.eventFromNotes([this.codec.voices[voice]]));
    for (const h of this.played().slice(-bar)) {
      if (h.notes.some((n) => notes.includes(n.note))) out[((h.step % bar) + bar) % bar] = 1;
    }
  }

  private checkUpcoming(step: number, what: string): void {
    if (!Number.isInteger(step)) throw new Error(`${what}: step must be a whole number, got ${JSON.stringify(step)}`);
    if (step < this.stepIndex) throw new Error(`${what}: step ${step} has already played (the next step is ${this.stepIndex})`);
  }

  private checkEvent(e: readonly number[]): void {
    if (!Array.isArray(e) || e.length !== this.heads) throw new Error(`prime: each event needs ${this.heads} token(s), got ${JSON.stringify(e)}`);
    e.forEach((tok, h) => {
      if (!(Number.isInteger(tok) && tok >= 0 && tok < this.net.logits[h].length)) throw new Error(`prime: token ${tok} of head '${this.net.spec.heads[h].name}' is outside 0..${this.net.logits[h].length - 1}`);
    });
  }

  private headIndex(head: number | string): number {
    const i = typeof head === 'number' ? head : this.net.spec.heads.findIndex((h) => h.name === head);
    if (!(Number.isInteger(i) && i >= 0 && i < this.heads)) throw new Error(`unknown head ${JSON.stringify(head)}; heads are ${this.net.spec.heads.map((h) => h.name).join(', ')}`);
    return i;
  }

  private voiceIndex(voice: string | number): number {
    const voices = this.codec.voices;
    if (voices.length === 0) this.codec.voiceMask(0, false, new Uint8Array(0)); // throws the codec's reason
    const i = typeof voice === 'number' ? voice : voices.indexOf(voice);
    if (!(Number.isInteger(i) && i >= 0 && i < voices.length)) throw new Error(`unknown voice ${JSON.stringify(voice)}; voices are ${voices.join(', ')}`);
    return i;
  }
}

function checkNumber(name: string, v: unknown, ok: (v: number) => boolean, rule: string): void {
  if (typeof v !== 'number' || !ok(v)) throw new Error(`${name}: ${typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v))} is not allowed; give ${rule}`);
}

function isSong(p: unknown): p is MidiSong {
  return typeof p === 'object' && p !== null && !Array.isArray(p) && Array.isArray((p as MidiSong).notes);
}


function copyEntry(e: LogEntry): LogEntry {
  return { tick: e.tick, ...(e.step === undefined ? {} : { step: e.step }), control: structuredCloneLite(e.control), ...(e.dropped === undefined ? {} : { dropped: e.dropped }) };
}

function clonePrime(p: PrimeJob): PrimeJob {
  return { ...p, events: p.events.map((e) => [...e]), state: p.state.slice(), last: p.last.slice() };
}

function structuredCloneLite<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function emptyResult(): StepResult {
  return { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: false, muted: false };
}

/** Copy `r` into `h`, growing (never shrinking) its note lists. */
function copyInto(h: StepResult, r: StepResult): void {
  h.step = r.step;
  h.tick = r.tick;
  h.paused = r.paused;
  h.muted = r.muted;
  h.count = r.count;
  h.releaseCount = r.releaseCount;
  while (h.notes.length < r.count) h.notes.push({ note: 0, velocity: 0, channel: 0, length: 0, offset: 0 });
  for (let i = 0; i < r.count; i++) Object.assign(h.notes[i], r.notes[i]);
  while (h.releases.length < r.releaseCount) h.releases.push({ note: 0, channel: 0, offset: 0 });
  for (let i = 0; i < r.releaseCount; i++) Object.assign(h.releases[i], r.releases[i]);
}

/** A standalone copy of a step, its lists cut to length. */
export function copyStep(r: StepResult): StepCopy {
  return { tick: r.tick, step: r.step, notes: r.notes.slice(0, r.count).map((n) => ({ ...n })), releases: r.releases.slice(0, r.releaseCount).map((x) => ({ ...x })) };
}

function cloneSlot(s: Slot): Slot {
  const c = makeSlot(s.event.length, s.state.length);
  c.event.set(s.event);
  c.state.set(s.state);
  c.rng.set(s.rng);
  c.prev.set(s.prev);
  c.time = s.time;
  c.prevTime = s.prevTime;
  c.index = s.index;
  c.doneEdit = s.doneEdit;
  c.keepOut = s.keepOut;
  return c;
}
