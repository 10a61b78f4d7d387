/**
 * The live generator: a clock calls `tick()` once per step; the RNN state carries over from
 * tick to tick; a performer steers it while it plays.
 *
 * Everything a performer does (temperature, top-p, density, dynamics, timing, velocity scales,
 * seed, pause, mute, edit, lock, prime, reset) is checked when called (a bad value throws and changes nothing), then applies
 * at the start of the next tick and goes into the performance log with the tick it applied
 * at. A performance is a pure function of the model, the options and that log: `replay`
 * plays it again note for note, in any JS host.
 *
 * Upcoming steps (`lookahead`) are a forecast: any change that affects them regenerates them
 * from a snapshot taken before each, so what is shown is what will play.
 *
 * A tick: apply the controls due (`control-applier.ts`; `control-handlers.ts`, one handler per control), read a
 * slice of a phrase being primed (`prime-reader.ts`), fill the lookahead (`lookahead.ts`,
 * where a `Placer` puts each event on the clock: `grid-placer.ts` or `event-placer.ts`), play
 * the events of this step, shaped by dynamics, velocity scales and timing (`step-result.ts`),
 * advance, remember (`history.ts`). Everything that changes as it plays is one plain record
 * (`generator-state.ts`) that snapshot, restore and fork copy whole.
 *
 * @example
 * const gen = new Generator(new Network(spec), { seed: 7, temperature: 0.9, lookahead: 16 });
 * const out = gen.tick();              // step 0
 * for (let i = 0; i < out.count; i++) send(out.notes[i]);
 * gen.setTemperature(1.2);             // from the next tick
 * gen.setDynamics(0.5);                // velocities halfway to the flat 100
 * gen.edit(gen.step + 2, ['kick', 'snare']); // the model continues from the human's step
 * gen.lock('kick');                    // keep the kick as the last bar played it
 */
import { Network } from '../engine/network.js';
import type { ModelSpec } from '../engine/model.js';
import { Rng } from '../engine/prng.js';
import type { MidiSong } from '../io/midi-read.js';
import { codecFor, type Codec } from './codecs.js';
import { countIn, countInBars, isDrumGrid, settleCountIn } from './count-in.js';
import { ControlApplier } from './control-applier.js';
import type { Machinery } from './control-handlers.js';
import { checkOptions, checkUpcoming, headIndex, lockControl, primeControl, velocityScaleControl, voiceIndex } from './control-args.js';
import { pendingSettings, waitingControls } from './control-queue.js';
import { checkNumber as checkControlNumber, checkValue, control as controlSpec, defaults, scaleArg } from './controls.js';
import { deepCopy } from './deep-copy.js';
import { EventPlacer } from './event-placer.js';
import { pendingEdits, type EditedStep } from './pending-edits.js';
import { initialState, type GeneratorSnapshot, type GeneratorState } from './generator-state.js';
import { copyEntry, tell, type Control, type GeneratorOptions, type GeneratorReports, type PerformanceLog, type Settings, type StepCopy, type StepResult } from './generator-types.js';
import { GridPlacer } from './grid-placer.js';
import { keepPlayed } from './held-bins.js';
import { rowName } from './held-keys.js';
import { playedSteps, remember } from './history.js';
import { Lookahead } from './lookahead.js';
import { dropFirst, slotAt } from './ring.js';
import { HeadSampler } from './placer.js';
import { PRIME_SLICE, PrimeReader, primeTicks } from './prime-reader.js';
import { emptyResult, StepTarget } from './step-result.js';
import { UpcomingNotes } from './upcoming-notes.js';
import { checkSlot, playCue, saveSlots, type RecallWhen } from './slots.js';
import { loadSlotsControl, recallControl, slotsNow, undoRecallControl, type SlotsNow } from './slot-controls.js';
import type { SlotSetFile } from './slots-file.js';
import { leaveOutControl, voiceDensityControl } from './voice-bias.js';

export type { Control, GeneratorOptions, GeneratorReports, LogEntry, PerformanceLog, PlayedNote, PlayedRelease, Settings, StepCopy, StepResult } from './generator-types.js';
export { copyStep } from './step-result.js';
export { PRIME_SLICE } from './prime-reader.js';
export { CONTROLS_PER_TICK } from './control-queue.js';
export type { GeneratorSnapshot } from './generator-state.js';

export class Generator {
  readonly net: Network;
  readonly codec: Codec;
  readonly options: Readonly<GeneratorOptions>;
  /** Where dropped controls and primes taking effect are told (default: dropped controls to console.error). */
  reports: GeneratorReports = { dropped: (c, e) => console.error(`pulse-rnn: ${e.message.startsWith(`${c.type}: `) ? '' : `${c.type}: `}${e.message}; dropped`) };

  /** Everything that changes as it plays (see generator-state.ts); nothing musical lives beside it. */
  private state: GeneratorState;
  /** The fixed parts: random stream, sampler, placer, lookahead, prime reader, note target. */
  private readonly parts: Machinery;
  private readonly lookaheadSteps: number;
  private readonly historyLength: number;
  /** The tick's result, reused. */
  private readonly result: StepResult;
  /** Queues the controls and applies them at the tick (control-applier.ts). */
  private readonly controls = new ControlApplier();

  constructor(model: Network | ModelSpec, options: GeneratorOptions = {}) {
    this.net = model instanceof Network ? model : new Network(model, { kernel: options.kernel });
    const start = defaults();
    const { seed = start.seed, temperature = start.temperature, topP = start.topP, density = start.density, dynamics = start.dynamics, timing = start.timing, lookahead = 0, historyLength = 64 } = options;
    checkOptions({ temperature, topP, seed, density, dynamics, timing, lookahead, historyLength });
    // the count-in the model asked for is written into the options, so a log replays with it
    // even if the model's metadata changes
    const bars = countInBars(this.net.spec, options.countIn);
    this.options = { ...options, countIn: bars };
    this.codec = codecFor(this.net.spec, options);
    this.lookaheadSteps = lookahead;
    this.historyLength = historyLength;
    this.result = emptyResult();
    const { net, codec } = this;
    const rng = new Rng(seed);
    const heads = new HeadSampler(net, rng, codec);
    const placer = codec.kind === 'grid' ? new GridPlacer(codec, heads) : new EventPlacer(codec, heads);
    const ahead = new Lookahead(net, rng, codec, placer);
    const primes = new PrimeReader(net, codec, placer, ahead);
    this.parts = { net, rng, codec, heads, placer, lookahead: ahead, primes, target: new StepTarget(this.result, codec), channel: options.channel ?? 0, ahead: new UpcomingNotes(codec), countIn: isDrumGrid(codec) ? bars * codec.stepsPerBar : 0 };
    const scales = new Array<number>(codec.voices.length).fill(scaleArg().default as number);
    const voiceDensity = new Array<number>(codec.voices.length).fill(0);
    const leftOut = new Array<boolean>(codec.voices.length).fill(false);
    this.state = initialState({ temps: new Array(net.logits.length).fill(temperature), topP, density, dynamics, timing, scales, voiceDensity, leftOut, seed, paused: false, muted: false }, codec, placer);
    // counted in now, off the clock's path; the first tick takes it back if the performer gave the context
    countIn(this.parts, this.state);
  }

  // ---- reading the state ------------------------------------------------------------------

  /** The next step to play. */
  get step(): number {
    return this.state.step;
  }
  get ticks(): number {
    return this.state.tick;
  }
  get paused(): boolean {
    return this.state.values.paused;
  }
  get muted(): boolean {
    return this.state.values.muted;
  }
  get seed(): number {
    return this.state.values.seed;
  }
  get temperature(): number {
    return this.state.values.temps[0];
  }
  /** Temperature of each head. */
  get temperatures(): readonly number[] {
    return this.state.values.temps.slice();
  }
  get topP(): number {
    return this.state.values.topP;
  }
  get density(): number {
    return this.state.values.density;
  }
  get dynamics(): number {
    return this.state.values.dynamics;
  }
  get timing(): number {
    return this.state.values.timing;
  }
  /** The velocity factor of each drum voice, by voice (`codec.voices`). */
  get velocityScales(): readonly number[] {
    return this.state.values.scales.slice();
  }
  get lookahead(): number {
    return this.lookaheadSteps;
  }

  /**
   * The settings playing now. The getters above (`temperature`, `seed`, …) read these too: a
   * control set a moment ago shows in `pending` until the tick that applies it.
   */
  get applied(): Settings {
    const v = this.state.values;
    return { temperature: v.temps[0], temperatures: v.temps.slice(), topP: v.topP, density: v.density, dynamics: v.dynamics, timing: v.timing, velocityScales: v.scales.slice(), voiceDensities: v.voiceDensity.slice(), leftOut: v.leftOut.slice(), seed: v.seed, paused: v.paused, muted: v.muted };
  }

  /** The settings that queued controls change at the next tick, and only those. */
  get pending(): Partial<Settings> {
    return pendingSettings(this.state, this.state.values);
  }

  /** What will play from the next tick: the applied settings with the pending ones laid over them. What a host shows. */
  get settings(): Settings {
    return { ...this.applied, ...this.pending };
  }

  /** The steps edited and not yet played, edits still queued included: what a host shows as edits. */
  get edits(): EditedStep[] {
    return pendingEdits(this.state);
  }

  /**
   * The voices held by `lock`, as they apply now: each voice's name, the 0/1 pattern it plays
   * per step of the bar, and the steps the lock spans (`until` null: until `unlock`).
   */
  get locks(): { voice: string; pattern: number[]; from: number; until: number | null }[] {
    const keys = this.codec.frameKeys;
    return this.state.locks.map((l) => ({ voice: keys ? rowName(l.voice, keys) : this.codec.voices[l.voice], pattern: [...l.pattern], from: l.from, until: l.until }));
  }

  /** The performance so far, for `replay`. */
  get log(): PerformanceLog {
    return { format: 'pulse-rnn-performance', version: 1, options: { ...this.options }, entries: this.state.entries.map(copyEntry), ticks: this.state.tick };
  }

  /** The last played steps, oldest first. */
  played(): StepCopy[] {
    return playedSteps(this.state.history);
  }

  /** The upcoming steps already generated (the lookahead), as notes per step. */
  upcoming(): { step: number; notes: number[] }[] {
    return this.parts.lookahead.upcoming(this.state);
  }

  /**
   * The upcoming steps as they will sound: each note with the velocity and the offset the tick
   * that plays it will give it, at the settings applied now (`upcoming-notes.ts`). The steps are
   * reused by the next call: copy what you keep.
   *
   * @example
   * for (const s of gen.upcomingNotes()) for (let i = 0; i < s.count; i++) console.log(s.step, s.notes[i].velocity, s.notes[i].offset);
   */
  upcomingNotes(): readonly StepResult[] {
    return this.parts.ahead.read(this.state);
  }

  // ---- the performer's controls (checked now, applied at the next tick) --------------------

  /** Temperature for every head, or for one head (by index or name). */
  setTemperature(value: number, head?: number | string): void {
    checkValue('temperature', value);
    this.queue({ type: 'temperature', value, ...(head === undefined ? {} : { head: headIndex(this.net, head) }) });
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

  /**
   * How far velocities stray from the codec's flat velocity: 0 flat (every note at 100 on the
   * drum grid), 1 as the model gives them, 2 twice as far (clamped to 1–127).
   */
  setDynamics(value: number): void {
    checkValue('dynamics', value);
    this.queue({ type: 'dynamics', value });
  }
  set dynamics(v: number) {
    this.setDynamics(v);
  }

  /**
   * How far notes sit from their nearest step line: 0 on it, 1 where the model places them.
   * A note nearer the next step line than its own moves toward that one (at 0 it plays with
   * the next step). The internal clock's swing moves the steps themselves, so both apply.
   */
  setTiming(value: number): void {
    checkValue('timing', value);
    this.queue({ type: 'timing', value });
  }
  set timing(v: number) {
    this.setTiming(v);
  }

  /**
   * Multiply one drum voice's velocities (after dynamics) by `value`, 0–2; at 0 the voice is
   * silent while the model goes on playing it.
   *
   * @example
   * gen.setVelocityScale('closed-hat', 0.6); // softer hats from the next step
   */
  setVelocityScale(voice: string | number, value: number): void {
    this.queue(velocityScaleControl(this.codec, voice, value));
  }

  /**
   * A bias toward more (above 0) or fewer hits of one drum voice, over density, in density's
   * range (voice-bias.ts). Drum models only.
   *
   * @example
   * gen.setVoiceDensity('snare', -1.5); // fewer snares from the next step
   */
  setVoiceDensity(voice: string | number, value: number): void {
    this.queue(voiceDensityControl(this.codec, voice, value));
  }

  /** The model plays without `voice` (its hits are masked) and hears that it did; `bringBack` ends it. Drum models only. */
  leaveOut(voice: string | number): void {
    this.queue(leaveOutControl(this.codec, voice, 'leaveOut'));
  }
  bringBack(voice: string | number): void {
    this.queue(leaveOutControl(this.codec, voice, 'bringBack'));
  }

  /** A new random stream. With `reset`, the model's state starts over too; with `prime`, it then reads a phrase. */
  reseed(value: number, opts: { reset?: boolean; prime?: readonly (readonly number[])[] | MidiSong } = {}): void {
    checkValue('seed', value);
    const primed = opts.prime ? primeControl(this.net, this.codec, this.parts.placer, opts.prime, { reset: opts.reset ?? true }) : null;
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
   * 'hold' or 'rest' for melodies; a chord's pitches for chord models, [] a rest; notes for
   * event models). The model reads this step as
   * its input, so what follows continues from it. An array of steps edits a range.
   */
  edit(step: number | readonly number[], notes: readonly (number | string)[]): void {
    const steps = typeof step === 'number' ? [step] : [...step];
    if (steps.length === 0) throw new Error('edit: no steps given');
    for (const s of steps) checkUpcoming(s, this.state.step, 'edit');
    if (!Array.isArray(notes)) throw new Error(`edit: notes must be a list, got ${JSON.stringify(notes)}`);
    this.parts.placer.checkNotes(notes);
    for (const s of steps) this.queue({ type: 'edit', step: s, notes: [...notes] });
  }

  /** Undo an edit of an upcoming step: the model chooses it again. */
  clearEdit(step: number): void {
    checkUpcoming(step, this.state.step, 'clearEdit');
    this.queue({ type: 'clearEdit', step });
  }

  /**
   * Hold a voice (drum models): it plays exactly `pattern` (one 0/1 per step of the bar,
   * repeating), or, without a pattern, what it played in the last bar: on an expressive drum
   * model each hit at the velocity and timing it had there, which the model hears as it plays
   * them. The model fills the other voices around it. `bars` limits the lock; without it the
   * lock holds until `unlock`. A chord model locks a pitch row ('C4' or 60: the key sounds at
   * the steps of the bar it sounded at in the last bar, or as `pattern` says) or 'chords' (the
   * whole part plays its last bar of chords again, bar after bar); see held-keys.ts.
   */
  lock(voice: string | number, opts: { pattern?: readonly (number | boolean)[]; bars?: number } = {}): void {
    this.queue(lockControl(this.codec, voice, opts, this.state.step));
  }

  /** Release a locked voice, or every lock. */
  unlock(voice?: string | number): void {
    this.queue({ type: 'unlock', voice: voice === undefined ? null : voiceIndex(this.codec, voice) });
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
    this.queue(primeControl(this.net, this.codec, this.parts.placer, phrase, opts));
  }

  /** Ticks a prime of `events` events takes to take effect, counting the tick it applies at. */
  static primeTicks(events: number): number {
    return primeTicks(events);
  }

  /** Whether a prime is queued or being read (it has not taken effect yet). */
  get priming(): boolean {
    return this.state.prime !== null || waitingControls(this.state).some((c) => c.type === 'prime');
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
    return this.parts.primes.readAhead(this.state, events);
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

  // ---- pattern slots (slot-controls.ts, slots.ts) ----------------------------------------------

  /**
   * Keep the performance as it stands before the next step in slot `slot` (1–8): the groove
   * (network state, random stream), the settings, edits and locks. Storing again replaces it.
   *
   * @example
   * gen.store(1);                 // at the next step
   * gen.recall(1);                // later: slot 1 takes over at the slot's place in the next bar
   * gen.recall(2, 'now');         // slot 2 from the next step
   * gen.undoRecall();             // back to how it was before the last recall
   */
  store(slot = 1): void {
    checkSlot('store', slot);
    this.queue({ type: 'store', slot });
  }

  /**
   * Play slot `slot` again: `'bar'` (default) from the next step with the slot's place in the
   * bar (the next bar line for a slot stored at one), `'now'` from the next step. The step count
   * goes on; the slot's groove, settings, edits and locks take over (pause and mute stay).
   */
  recall(slot = 1, when: RecallWhen = 'bar'): void {
    this.queue(recallControl(this.parts, this.state, slot, when));
  }

  /** Back to the performance as it was just before the last recall (a recall still waiting is called off instead). */
  undoRecall(when: RecallWhen = 'bar'): void {
    this.queue(undoRecallControl(this.state, when));
  }

  /** Replace the slots with a set file's (its JSON, `file` naming it in errors) at the next step; throws when it is not from this model. */
  loadSlots(set: SlotSetFile, file: string): void {
    this.queue(loadSlotsControl(this.parts, this.state, set, file));
  }

  /** The step slot `slot` was stored at (null: empty): a recall at the bar comes in at its place in the bar. */
  slotStep(slot: number): number | null {
    return this.state.slots[slot]?.step ?? null;
  }

  /** The slots as a set file's JSON, to save. */
  slotSet(): SlotSetFile {
    return saveSlots(this.parts, this.state);
  }

  /**
   * The filled slots, the recall waiting and the step it takes over at (slot 0: an undo; a
   * recall sent a moment ago shows here at once) and whether a recall can be undone.
   */
  get slots(): SlotsNow {
    return slotsNow(this.state, this.codec.stepsPerBar);
  }

  // ---- the clock's call ------------------------------------------------------------------

  /** Play one step. The result is reused by the next tick. */
  tick(): StepResult {
    const st = this.state;
    const r = this.result;
    r.count = 0;
    r.releaseCount = 0;
    r.tick = st.tick;
    // 1. the controls due, in the order they came
    if (st.pending.length > 0) this.controls.apply(this.parts, st, this.reports);
    // a recall whose step has come
    if (st.cue !== null && st.step >= st.cue.step) this.recallNow(st);
    // a cold start's first tick: the count-in gives way to a step the performer wrote in the first bar
    if (st.countedIn !== null) settleCountIn(this.parts, st);
    // 2. a slice of a phrase being read; at its tick it takes effect
    if (st.prime !== null && this.parts.primes.readSlice(st)) tell(this.reports, 'primed', st.step, st.tick);
    st.tick++;
    r.paused = st.values.paused;
    r.muted = st.values.muted;
    if (st.values.paused) {
      r.step = -1;
      return r;
    }
    // 3. generate up to the end of this step and the steps shown ahead
    const s = st.step;
    r.step = s;
    this.parts.lookahead.fill(st, (s + 1 + this.lookaheadSteps) * this.codec.ticksPerStep);
    // 4. play the events that fall in this step
    this.playStep(s);
    // 5. advance: the step's edit is spent, locks that ran out end
    st.step++;
    if (st.edits.size > 0) st.edits.delete(s);
    for (let i = 0; i < st.locks.length; i++) {
      const until = st.locks[i].until;
      if (until !== null && until <= st.step) st.locks.splice(i--, 1);
    }
    // 6. remember it
    if (this.historyLength > 0) remember(st.history, r, this.historyLength);
    return r;
  }

  /**
   * Sound the events placed before step `s + 1`, each at its place in the step, shaped by the
   * performer's dynamics, velocity scales and timing.
   */
  private playStep(s: number): void {
    const { ring, play, values } = this.state;
    const { codec, target } = this.parts;
    const r = this.result;
    const tps = codec.ticksPerStep;
    const start = s * tps;
    const end = start + tps;
    const stepInBar = s % codec.stepsPerBar;
    while (ring.size > 0 && this.placed(slotAt(ring, 0).time) < end) {
      const e = slotAt(ring, 0);
      // an event held back to this step's line, or placed before a jump, sounds at its start
      target.offset = Math.max(0, this.placed(e.time) - start);
      const before = r.count;
      codec.play(e.event, stepInBar, play, target);
      keepPlayed(this.state.lastBar, e.event, s, codec.stepsPerBar);
      if (values.muted) r.count = before;
      else target.shape(before, values);
      dropFirst(ring);
    }
  }

  /**
   * Where timing puts an event made for tick `t`: its distance from its grid line, the nearest
   * step line (as `stepOfTick` in expressive.ts rounds, half a step late going to the next),
   * scaled by `timing`. Grid events sit on their line already. For an event model (the
   * RNN-Drummer) a note late in a step moves toward the next step's line; at timing 0 it
   * reaches it and plays with that step. From 0 to 1 the order of events never changes.
   */
  private placed(t: number): number {
    // timing is read here, not passed in: a fraction handed to a call V8 did not inline is
    // boxed, an allocation per event
    const timing = this.state.values.timing;
    if (timing === 1) return t;
    const tps = this.codec.ticksPerStep;
    const line = Math.round(t / tps) * tps;
    // an event on its line stays an integer tick (see StepTarget.shape: no boxed floats)
    return t === line ? t : line + timing * (t - line);
  }

  /** Play a recorded performance again from this (fresh) generator; returns every step. */
  replay(log: PerformanceLog): StepCopy[] {
    if (!log || log.format !== 'pulse-rnn-performance' || !Array.isArray(log.entries)) throw new Error('replay: not a pulse-rnn performance log');
    if (this.state.tick !== 0 || this.state.entries.length !== 0) throw new Error('replay needs a fresh generator (made with the log\'s options)');
    return this.controls.replay(log, (c) => this.controls.queue(this.state, c, true), () => this.tick());
  }

  private recallNow(st: GeneratorState): void {
    const slot = (st.cue as { slot: number }).slot;
    const why = playCue(this.parts, st);
    if (why !== null) tell(this.reports, 'dropped', slot === 0 ? { type: 'undoRecall', when: 'now' } : { type: 'recall', slot, when: 'now' }, new Error(why), st.tick);
  }

  // ---- snapshot, restore, fork -----------------------------------------------------------

  snapshot(): GeneratorSnapshot {
    return { data: { ...deepCopy(this.state, 'state'), network: this.net.getState(), rng: this.parts.rng.getState() } };
  }

  restore(snap: GeneratorSnapshot): void {
    const d = snap?.data;
    const fits = d && d.network instanceof Float32Array && d.network.length === this.net.stateSize && d.last?.event instanceof Int32Array && d.last.event.length === this.codec.startEvent().length;
    if (!fits) throw new Error('restore: the snapshot is not from a generator of this model');
    const { network, rng, ...state } = d;
    this.state = deepCopy(state, 'snapshot');
    this.net.setState(network);
    this.parts.rng.setState(rng);
  }

  /** An independent generator that continues exactly as this one would. */
  fork(): Generator {
    const g = new Generator(this.net.spec, { ...this.options, kernel: this.net.kernel.name });
    g.restore(this.snapshot());
    return g;
  }

  // ---- applying controls -------------------------------------------------------------------

  private queue(c: Control): void {
    this.controls.queue(this.state, c);
  }
}
