/**
 * The page as a view of the terminal's performance (`pulse-rnn start`): a Stage that runs no
 * Generator of its own. The grid shows the steps the performance hands out; every control the
 * page's sliders, keys and grid send goes to the performance by the table's name (checked and
 * logged there as if typed at the prompt); the settings shown are the performance's, whoever
 * changed them. Start makes the page play the performance's notes through its output (the
 * Tone.js kit unless another is chosen), each at its step's time plus `MARGIN`. A step's time on
 * the page's audio clock is read from its "seconds until" on arrival; a message the browser's
 * busy main thread delivered late reads a later time, so the page places every step by the
 * least delayed of the recent arrivals (`PLACE_BY`), and a late delivery moves no note.
 *
 * It is a Stage (the page's controls, grid and keys take one and work unchanged) for the
 * performance's first part; every other part (`parts`: keys beside the drums) keeps its own
 * steps, edits and locks for a lane of its own, sounds through the same output placed on the
 * same clock, and takes controls sent with its name (`partControl`). Parts come and go while the
 * music plays (`parts`: `partsVersion` moves); one that leaves lets go of the keys it held on the
 * page's output. What a page does alone
 * (load a model, prime, pick a clock) is the terminal's here, and says so.
 *
 * @example
 * const stage = new RemoteStage({ onError: (e) => messages.error(e) });
 * const link = openLink({ onMessage: (m) => stage.receive(m), onClose: (why) => messages.error(why) });
 * stage.connect(link);
 * stage.setTemperature(1.3);      // sent; every page and the prompt show it
 * await stage.start();            // in a click: the page sounds
 */
import { checkValue, defaults, type ControlName } from '../../music/controls.js';
import type { Settings, StepCopy } from '../../music/generator.js';
import type { HelloMessage, LiveSettings, PartHello, ServerMessage, SlotsState, StepMessage } from '../live-protocol.js';
import type { SessionLog } from '../session-log.js';
import { currentAudio, openAudio } from './audio.js';
import type { Link } from './live-link.js';
import { toneOutput } from './outputs.js';
import { Stage, type HitLook, type ModelInfo, type StageOptions, type StageView } from './stage.js';

/** Seconds added to every step's time on arrival: more than loopback's jitter (see bench/live-link.ts), less than a performer notices. */
export const MARGIN = 0.05;
/** Played steps the grid keeps. */
const KEEP = 64;
/** Arrivals kept to measure the jitter. */
const SAMPLES = 512;
/** Recent arrivals whose least delayed one places the steps: 8 s at 120 BPM, so the audio clock's drift (under 500 ppm) moves it by 4 ms at most. */
const PLACE_BY = 64;
/** Arrivals after Start left out of the timing: an audio context just started reads its clock a few hundred ms off for its first half second or so. */
const SETTLING = 8;

/** A part of the performance besides the first, as its lane shows it. */
export interface RemotePart {
  readonly name: string;
  readonly hello: PartHello;
  /** Its steps as they arrived (the last `KEEP`). */
  readonly steps: StepMessage[];
  /** Its next step (its own count: a chord part's count quarters). */
  next: number;
  settings: Settings;
  applied: Settings;
  locked: readonly string[];
  edits: readonly { step: number; notes: readonly (number | string)[] }[];
  wasSilent: boolean;
  /** Notes sent to the page's output that sound until a release (note → channel), and when its last step sent ends on the audio clock. */
  readonly held: Map<number, number>;
  endsAt: number;
}

/**
 * How steady the steps are on the page: each step's start on the page's audio clock less its
 * start on the performance's clock, as read on arrival ("seconds until" + the audio clock then)
 * and as placed. The two clocks run at slightly different rates (an audio device's crystal is
 * not the system's): that drift is fitted out of both before their spread is taken.
 */
export interface ArrivalTiming {
  readonly steps: number;
  /** Spread (largest less smallest) of the arrivals' readings, in ms: what placing each step by its own arrival would wander by. */
  readonly arrivalSpreadMs: number;
  /** Their standard deviation, in ms. */
  readonly arrivalSdMs: number;
  /** Spread of the steps' starts as placed (by the least delayed recent arrival), in ms: the notes' jitter. */
  readonly placedSpreadMs: number;
  /** How much faster the page's audio clock runs than the performance's, in parts per million. */
  readonly driftPpm: number;
  /** Notes whose time had passed when they arrived (sent at once). */
  readonly late: number;
}

/** The spread and standard deviation of `y` over `x` once a straight line is fitted out, and the line's slope. */
function detrended(x: readonly number[], y: readonly number[]): { spread: number; sd: number; slope: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  const slope = sxx > 0 ? x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / sxx : 0;
  const r = y.map((v, i) => v - my - slope * (x[i] - mx));
  return { spread: Math.max(...r) - Math.min(...r), sd: Math.sqrt(r.reduce((s, v) => s + v * v, 0) / n), slope };
}

/** A part's lane as a hello or a `parts` message first tells it. */
function remotePart(h: PartHello): RemotePart {
  return { name: h.name, hello: h, steps: [], next: h.step, settings: h.settings, applied: h.applied, locked: h.locked, edits: h.edits, wasSilent: false, held: new Map(), endsAt: 0 };
}

export class RemoteStage extends Stage {
  private link: Link | null = null;
  private live: (LiveSettings & { step: number }) | null = null;
  private hello: HelloMessage | null = null;
  private listening = false;
  private readonly steps: StepMessage[] = [];
  /** Step → the page's audio time it starts at, for the play head. */
  private readonly times: { step: number; time: number }[] = [];
  /** Each step's time on the performance's clock, and its start on the page's audio clock less that: as read on arrival, and as placed. */
  private readonly arrivals: { time: number; read: number; placed: number }[] = [];
  private late = 0;
  /** The first arrival the steps may be placed by (after an audio clock that stalled or jumped). */
  private placeFrom = 0;
  private wasSilent = false;
  /** The performance's edits, step → notes as it holds them (`kick:40` keeps its velocity): from every page and the prompt. */
  private readonly edits = new Map<number, readonly (number | string)[]>();
  /** The first part's name (its steps are this Stage's), and the other parts by name. */
  private firstPart: string | null = null;
  readonly parts = new Map<string, RemotePart>();
  /** Counts the changes of the parts (a hello, a part in or out): the lanes are built again when it moves. */
  partsVersion = 0;

  constructor(options: StageOptions) {
    super(options);
  }

  connect(link: Link): void {
    this.link = link;
  }

  /** What the performance says: the page's view follows it. Returns the model when a hello brought one. */
  receive(m: ServerMessage): ModelInfo | null {
    if (m.type === 'hello') {
      // a hello after a reconnect is another performance: nothing of the last one's steps stays
      if (this.hello) this.forget();
      this.hello = m;
      this.live = { ...m, step: m.step };
      this.takeParts(m);
      this.model = { ...m.model, url: m.model.path ?? '', rows: [...m.model.rows] };
      this.takeEdits(m.edits);
      this.version++;
      return this.model;
    }
    if (m.type === 'parts') {
      this.changeParts(m.parts);
      this.version++;
      return null;
    }
    const other = m.type === 'settings' || m.type === 'step' ? this.parts.get(m.part) : undefined;
    if (m.type === 'settings' && other) Object.assign(other, { settings: m.settings, applied: m.applied, locked: m.locked, edits: m.edits });
    else if (m.type === 'settings' && this.live) {
      this.live = { ...m, step: this.live.step };
      this.takeEdits(m.edits);
    }
    if (m.type === 'step' && other) this.onPartStep(other, m);
    else if (m.type === 'step') this.onStep(m);
    this.version++;
    return null;
  }

  /** Whether the socket to the performance is open (false: not yet, or looking for it again). */
  get connected(): boolean {
    return this.link?.open ?? false;
  }

  /** What the performance's pattern slots hold (the slot panel shows them). */
  get slots(): SlotsState | null {
    return this.live?.slots ?? null;
  }

  /** Where the sound is, as the performance said. */
  get sound(): { where: string; page: boolean } | null {
    return this.hello ? { where: this.hello.sound, page: this.hello.pageSounds } : null;
  }

  /** How steady the steps arrive (measured once the page sounds). */
  timing(): ArrivalTiming {
    const a = this.arrivals.slice(SETTLING);
    if (a.length < 2) return { steps: a.length, arrivalSpreadMs: 0, arrivalSdMs: 0, placedSpreadMs: 0, driftPpm: 0, late: this.late };
    const x = a.map((p) => p.time);
    const read = detrended(x, a.map((p) => p.read));
    const placed = detrended(x, a.map((p) => p.placed));
    return { steps: a.length, arrivalSpreadMs: read.spread * 1000, arrivalSdMs: read.sd * 1000, placedSpreadMs: placed.spread * 1000, driftPpm: placed.slope * 1e6, late: this.late };
  }

  /** Any control of the table by name, as the prompt takes it: how other page features reach the performance. */
  control(name: ControlName | string, args: readonly unknown[]): void {
    if (!this.link) throw new Error(`${name}: not connected to the performance in the terminal`);
    this.link.control(name, args);
  }

  /**
   * The first part as a piano-roll lane draws it, when its model is melodic or chord (a drum
   * model's steps fill the grid instead); null before a hello. Its steps, edits and locks are
   * this Stage's: a copy, made anew for each frame drawn.
   *
   * @example
   * const first = remote.firstLane();
   * if (first) lane.roll.render(rollOf(first), first.next, head);
   */
  firstLane(): RemotePart | null {
    const h = this.hello;
    if (!h || !this.live || !this.model || this.model.editable) return null;
    const next = this.nextStep;
    const edits = [...this.edits].filter(([step]) => step >= next).map(([step, notes]) => ({ step, notes }));
    // a version 1 hello lists no parts: its top level is the first part's
    const hello: PartHello = h.parts?.[0] ?? { ...h, name: '', channel: null, every: 1 };
    return { ...remotePart(hello), name: this.firstPart ?? '', steps: this.steps, next, settings: this.settings, applied: this.applied, locked: this.live.locked, edits };
  }

  /** The first part's step as a lane wrote it (null: its edit cleared), shown until the performance answers. */
  firstEdited(step: number, notes: readonly (number | string)[] | null): void {
    if (notes) this.edits.set(step, notes);
    else this.edits.delete(step);
    this.version++;
  }

  /** A control for the first part (`part` null or its name: sent by name when the performance named it) or another part by its name. */
  laneControl(part: string | null, name: ControlName | string, args: readonly unknown[]): void {
    if (part === null) this.firstPart ? this.partControl(this.firstPart, name, args) : this.control(name, args);
    else this.partControl(part, name, args);
  }

  /** A control for one of the other parts, by its name (`keys`): as `keys.edit(…)` at the prompt. */
  partControl(part: string, name: ControlName | string, args: readonly unknown[]): void {
    if (!this.link) throw new Error(`${part}.${name}: not connected to the performance in the terminal`);
    this.link.control(name, args, part);
  }

  // ---- reading: the performance's state ---------------------------------------------------

  override get settings(): Settings {
    return this.live?.settings ?? super.settings;
  }
  override get applied(): Settings {
    return this.live?.applied ?? this.settings;
  }
  override get bpm(): number {
    return this.live?.bpm ?? defaults().bpm;
  }
  override get running(): boolean {
    return this.listening;
  }
  override get waiting(): boolean {
    return false;
  }
  override get clockKind(): 'internal' | 'midi' {
    return this.live && !this.live.bpmSettable ? 'midi' : 'internal';
  }
  override get clockLabel(): string {
    return "the terminal's";
  }
  override get nextStep(): number {
    return this.live?.step ?? 0;
  }
  override get ticks(): number {
    return this.steps.at(-1)?.tick ?? 0;
  }
  override get log(): SessionLog | null {
    return null;
  }

  override playhead(now: number): number {
    const t = this.times;
    // not sounding: the step last handed out
    if (!currentAudio() || !this.listening) return t.length ? (this.steps.at(-1)?.step ?? -1) : -1;
    for (let i = t.length - 1; i >= 0; i--) if (t[i].time <= now) return t[i].step;
    return -1;
  }

  override played(): StepCopy[] {
    const copy = (s: StepMessage): StepCopy => ({
      step: s.step,
      tick: s.tick,
      notes: s.notes.map((n) => ({ note: n.note, velocity: n.velocity, channel: n.channel, length: n.duration === null ? Infinity : n.duration / s.stepDuration, offset: n.at / s.stepDuration })),
      releases: s.releases.map((x) => ({ note: x.note, channel: x.channel, offset: x.at / s.stepDuration })),
    });
    return this.steps.filter((s) => s.step >= 0).map(copy);
  }

  override view(): StageView {
    const played = new Map<number, number[]>();
    const notes = new Map<number, number[]>();
    const looks = new Map<number, Map<number, HitLook>>();
    for (const s of this.steps) {
      if (s.step < 0) continue;
      const n = s.notes.map((x) => x.note);
      played.set(s.step, this.rowsOf(n));
      notes.set(s.step, n);
      const look = new Map<number, HitLook>();
      for (const x of s.notes) {
        const [row] = this.rowsOf([x.note]);
        if (row !== undefined && (look.get(row)?.velocity ?? -1) < x.velocity) look.set(row, { velocity: x.velocity, offset: x.at / s.stepDuration });
      }
      looks.set(s.step, look);
    }
    const upcoming = new Map<number, number[]>();
    for (const u of this.steps.at(-1)?.upcoming ?? []) {
      upcoming.set(u.step, this.rowsOf(u.notes));
      notes.set(u.step, [...u.notes]);
    }
    const next = this.nextStep;
    for (const s of this.edits.keys()) if (s < next) this.edits.delete(s);
    const rows = this.model?.rows ?? [];
    const locked = new Set((this.live?.locked ?? []).map((v) => rows.indexOf(v)).filter((r) => r >= 0));
    const edits = new Map([...this.edits].map(([step, n]) => [step, this.rowsOfEdit(n)] as const));
    return { next, played, upcoming, edits, locked, notes, looks };
  }

  // ---- what a page does alone is the terminal's here ---------------------------------------

  override async loadModel(): Promise<ModelInfo | null> {
    throw new Error(`the performance in the terminal plays ${this.model?.name ?? 'its model'}: start it with another (pulse-rnn start --model DIR) to change it`);
  }
  override prime(): { steps: number; warnings: string[] } {
    throw new Error("prime the performance at the terminal's prompt: prime('groove.mid')");
  }
  override useClock(): void {
    throw new Error("the performance follows the terminal's clock (pulse-rnn start --clock …)");
  }

  // ---- sound: the page plays the performance's notes once started --------------------------

  override async start(): Promise<void> {
    const audio = openAudio(); // synchronously, while the gesture counts
    if (!this.output) this.setOutput(toneOutput(audio));
    await audio.context.resume();
    this.listening = true;
    this.times.length = 0;
    // a new start may be on another audio clock (a context made anew): placed from new arrivals
    this.arrivals.length = 0;
    this.placeFrom = 0;
    this.version++;
  }

  override stop(): void {
    this.listening = false;
    this.panic();
    this.version++;
  }

  override panic(): void {
    const audio = currentAudio();
    if (audio) this.output?.sink.allNotesOff(audio.context.currentTime);
  }

  // ---- the performer's controls: sent by name --------------------------------------------

  override setTemperature(v: number): void {
    this.value('temperature', v);
  }
  override setTopP(v: number): void {
    this.value('topP', v);
  }
  override setDensity(v: number): void {
    this.value('density', v);
  }
  override setDynamics(v: number): void {
    this.value('dynamics', v);
  }
  override setTiming(v: number): void {
    this.value('timing', v);
  }
  override reseed(seed: number): void {
    this.value('seed', seed);
  }
  override setBpm(bpm: number): void {
    checkValue('bpm', bpm);
    this.control('bpm', [bpm]);
    if (this.live) this.live = { ...this.live, bpm };
    this.version++;
  }
  /** The terminal's clock's swing, as the performance last said (a change from the prompt shows too). */
  override get swing(): number {
    return this.live?.swing ?? 0;
  }
  override setSwing(swing: number): void {
    checkValue('swing', swing);
    this.control('swing', [swing]);
    if (this.live) this.live = { ...this.live, swing };
    this.version++;
  }
  override setVelocityScale(voice: string, v: number): void {
    this.control('velocityScale', [voice, v]);
  }
  override setVoiceDensity(voice: string, v: number): void {
    this.control('voiceDensity', [voice, v]);
  }
  override setLeftOut(voice: string, out: boolean): void {
    this.control(out ? 'leaveOut' : 'bringBack', [voice]);
  }
  override reset(): void {
    this.control('reset', []);
  }
  override togglePause(): boolean {
    const pause = !this.settings.paused;
    this.control(pause ? 'pause' : 'resume', []);
    this.expect({ paused: pause });
    return pause;
  }
  override toggleMute(): boolean {
    const mute = !this.settings.muted;
    this.control(mute ? 'mute' : 'unmute', []);
    this.expect({ muted: mute });
    return mute;
  }

  override toggleHit(step: number, row: number): readonly number[] {
    const model = this.needModel('edit');
    if (!model.editable) throw new Error(`editing steps is for drum models; ${model.name} (${model.encoding}) has no drum voices`);
    if (step < this.nextStep) throw new Error(`step ${step + 1} has already played`);
    const ahead = this.steps.at(-1)?.upcoming.find((u) => u.step === step)?.notes ?? [];
    // an edit's own notes keep their velocities; the forecast's become plain voice names
    const shown = this.edits.get(step) ?? this.rowsOf(ahead).map((r) => model.rows[r]);
    const notes = this.rowsOfEdit(shown).includes(row) ? shown.filter((n) => !this.rowsOfEdit([n]).includes(row)) : [...shown, model.rows[row]];
    this.control('edit', [step, notes]);
    this.edits.set(step, notes);
    this.version++;
    return this.rowsOfEdit(notes);
  }

  override toggleLock(row: number): boolean {
    const model = this.needModel('lock');
    if (!model.editable) throw new Error(`locks are for drum models; ${model.name} (${model.encoding}) has no drum voices`);
    const voice = model.rows[row];
    const locked = this.live?.locked.includes(voice) ?? false;
    this.control(locked ? 'unlock' : 'lock', [voice]);
    if (this.live) this.live = { ...this.live, locked: locked ? this.live.locked.filter((v) => v !== voice) : [...this.live.locked, voice] };
    this.version++;
    return !locked;
  }

  // ---- inside ----------------------------------------------------------------------------

  /** A value control: checked here against the table, sent, and shown at once (the performance's answer follows). */
  private value(name: 'temperature' | 'topP' | 'density' | 'dynamics' | 'timing' | 'seed', v: number): void {
    checkValue(name, v);
    this.control(name, [v]);
    this.expect({ [name]: v, ...(name === 'temperature' ? { temperatures: this.settings.temperatures.map(() => v) } : {}) });
  }

  private expect(change: Partial<Settings>): void {
    if (this.live) this.live = { ...this.live, settings: { ...this.live.settings, ...change } };
    this.version++;
  }

  /** The rows an edit's notes fall on: a voice name (with or without `:velocity`) or a MIDI note. */
  private rowsOfEdit(notes: readonly (number | string)[]): number[] {
    const rows = this.model?.rows ?? [];
    const named = notes.filter((n): n is string => typeof n === 'string').map((n) => rows.indexOf(n.split(':')[0])).filter((r) => r >= 0);
    return [...new Set([...named, ...this.rowsOf(notes.filter((n): n is number => typeof n === 'number'))])].sort((a, b) => a - b);
  }

  /** The performance's edits replace the page's (a performance without them keeps what the page has). */
  private takeEdits(edits: readonly { step: number; notes: readonly (number | string)[] }[] | undefined): void {
    if (!edits) return;
    this.edits.clear();
    for (const e of edits) this.edits.set(e.step, e.notes);
  }

  /** Everything of the last performance's steps and timing, for a new one joined on the same page. */
  private forget(): void {
    this.panic();
    this.steps.length = 0;
    this.times.length = 0;
    this.arrivals.length = 0;
    this.placeFrom = 0;
    this.late = 0;
    this.wasSilent = false;
    this.edits.clear();
    this.parts.clear();
  }

  private needModel(what: string): ModelInfo {
    if (!this.model) throw new Error(`${what}: not connected to the performance yet`);
    return this.model;
  }

  /** The other parts of a hello (a version 1 hello has none). */
  private takeParts(m: HelloMessage): void {
    this.parts.clear();
    const [first, ...others] = m.parts ?? [];
    this.firstPart = first?.name ?? null;
    for (const h of others) this.parts.set(h.name, remotePart(h));
    this.partsVersion++;
  }

  /** The parts as they are now: a new one gets a lane, one made again keeps its steps, one gone lets its keys go. */
  private changeParts(list: readonly PartHello[]): void {
    const others = list.slice(1);
    for (const [name, p] of this.parts) {
      if (others.some((h) => h.name === name)) continue;
      this.release(p);
      this.parts.delete(name);
    }
    for (const h of others) {
      const had = this.parts.get(h.name);
      this.parts.set(h.name, had ? { ...had, hello: h, next: h.step, settings: h.settings, applied: h.applied, locked: h.locked, edits: h.edits } : remotePart(h));
    }
    this.partsVersion++;
  }

  /** Every key a part holds on the page's output ends, after the last step it sent. */
  private release(p: RemotePart): void {
    const audio = currentAudio();
    const sink = this.output?.sink;
    if (!audio || !sink) return;
    const at = Math.max(audio.context.currentTime, p.endsAt);
    for (const [note, channel] of p.held) sink.noteOff(note, channel, at);
    p.held.clear();
  }

  /** The least delayed arrival since the audio clock settled (or last moved on), within PLACE_BY, or `read`. */
  private leastDelay(read: number): number {
    const from = Math.max(SETTLING, this.placeFrom, this.arrivals.length - PLACE_BY + 1);
    return this.arrivals.slice(from).reduce((least, p) => Math.min(least, p.read), read);
  }

  /** A step of another part: kept for its lane, and sounded placed as the first part's steps are. */
  private onPartStep(part: RemotePart, m: StepMessage): void {
    part.applied = m.applied;
    if (m.step >= 0) part.next = m.step + 1;
    if (m.edits) part.edits = m.edits;
    part.steps.push(m);
    if (part.steps.length > KEEP) part.steps.splice(0, part.steps.length - KEEP);
    const audio = currentAudio();
    if (!audio || !this.listening) return;
    const now = audio.context.currentTime;
    const offset = this.leastDelay(now + m.in - m.time);
    const silent = this.wasSilent;
    this.wasSilent = part.wasSilent;
    const start = m.time + offset + MARGIN;
    this.play(m, start, now);
    part.wasSilent = this.wasSilent;
    this.wasSilent = silent;
    for (const x of m.releases) part.held.delete(x.note);
    for (const n of m.notes) if (n.duration === null) part.held.set(n.note, n.channel);
    if (m.paused || m.muted) part.held.clear();
    part.endsAt = start + m.stepDuration;
  }

  private onStep(m: StepMessage): void {
    if (this.firstPart && m.part !== undefined && m.part !== this.firstPart) return;
    if (this.live) this.live = { ...this.live, applied: m.applied, slots: m.slots, step: m.step >= 0 ? m.step + 1 : this.live.step };
    this.takeEdits(m.edits);
    this.steps.push(m);
    if (this.steps.length > KEEP) this.steps.splice(0, this.steps.length - KEEP);
    const audio = currentAudio();
    if (!audio || !this.listening) return;
    const now = audio.context.currentTime;
    const read = now + m.in - m.time;
    let offset = this.leastDelay(read);
    // placed in the past: the audio clock has stalled or jumped since; start over from this arrival
    if (m.time + offset + MARGIN + m.notes.reduce((early, n) => Math.min(early, n.at), 0) < now) {
      this.placeFrom = this.arrivals.length;
      offset = read;
    }
    const start = m.time + offset + MARGIN;
    this.arrivals.push({ time: m.time, read, placed: offset });
    if (this.arrivals.length > SAMPLES + SETTLING) {
      this.arrivals.splice(SETTLING, 1);
      this.placeFrom = Math.max(0, this.placeFrom - 1);
    }
    if (m.step >= 0) this.times.push({ step: m.step, time: start });
    if (this.times.length > 32) this.times.splice(0, 16);
    this.play(m, start, now);
  }

  /** The step's notes into the page's output at their times (a note already past goes at once). */
  private play(m: StepMessage, start: number, now: number): void {
    const sink = this.output?.sink;
    if (!sink) return;
    try {
      for (const x of m.releases) sink.noteOff(x.note, x.channel, Math.max(now, start + x.at));
      // pause and mute silence what still sounds, once, as the Player does
      const silent = m.paused || m.muted;
      if (silent && !this.wasSilent) sink.allNotesOff(Math.max(now, start));
      this.wasSilent = silent;
      for (const n of m.notes) {
        let at = start + n.at;
        if (at < now) {
          this.late++;
          at = now;
        }
        this.sent[this.output!.kind]++;
        // a held note (no duration) lasts until its release: as long as a sink's longest
        sink.noteOn(n.note, n.velocity, n.channel, at, n.duration ?? Infinity);
      }
    } catch (e) {
      this.panic();
      throw e;
    }
  }
}
