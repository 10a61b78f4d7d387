/**
 * Play a recorded performance again: a fresh Generator replays the log (the same notes, tick
 * for tick), and the recorded ticks go through the same Player that played them live, so gate,
 * pauses, mutes and held notes come out as they did. To a MIDI file, the steps are handed out
 * by a clock that runs as fast as it can on the log's tempo map; to a port, by the internal
 * clock in real time.
 *
 * @example
 * const log = parseSessionLog(readFileSync('set.mid.log.json', 'utf8'), 'set.mid.log.json');
 * const spec = await loadModelSpec(log.session!.model);
 * const { bytes, notes } = replayToMidi(spec, log);        // the recorded ticks, as set.mid had them
 * await replayToPort(spec, log, await openOutput('IAC'));  // or live, in time
 */
import type { ModelSpec } from '../engine/model.js';
import { WebMidiSink, type MidiOutputLike } from '../io/webmidi-sink.js';
import { tracksFile } from './part-take.js';
import { Generator, type StepCopy, type StepResult } from '../music/generator.js';
import type { Codec } from '../music/codec.js';
import { PPQN, type Clock, type StepEvent, type TransportEvent } from '../time/clock.js';
import { InternalClock } from '../time/internal-clock.js';
import { Listeners } from '../time/listeners.js';
import { Player, type Playable } from '../time/player.js';
import { swingLag } from '../time/swing.js';
import { TempoMap } from '../time/tempo-map.js';
import { sessionRecorder, stepsPerQuarter, type SessionLog, type SwingEntry, type TempoEntry } from './session-log.js';
import { StepDisplay } from './step-display.js';
import type { NoteSink } from '../io/sink.js';
import type { PartLane } from '../music/parts.js';
import { PartClock } from './part-clock.js';
import { ChannelSink } from './part-sink.js';

export interface ReplayOptions {
  /** Tempo for a log without session information (default 120). */
  bpm?: number;
  /** Where a problem with the log is reported as coming from. */
  file?: string;
  /** The models of the log's other parts (`log.parts.others`), in its order. */
  parts?: readonly ModelSpec[];
}

/** A part beside the first, replayed: its lane and its ticks. */
interface LaneReplayed {
  lane: PartLane;
  r: Replayed;
}

/** Every other part of a log played again, each by a fresh Generator of its model. */
function replayLanes(log: SessionLog, opts: ReplayOptions): LaneReplayed[] {
  const others = log.parts?.others ?? [];
  if (others.length > (opts.parts?.length ?? 0)) throw new Error(`${opts.file ?? 'the log'}: it has ${others.length + 1} parts; the models of ${others.map((l) => l.name).join(', ')} are needed to replay it`);
  return others.map((lane, i) => {
    const r = replaySteps((opts.parts as readonly ModelSpec[])[i], { ...lane.log, session: undefined }, { file: `${opts.file ?? 'the log'} (part ${lane.name})` });
    return { lane, r: { ...r, from: lane.from } };
  });
}

/** A part's sink as it played live: on its channel when it has one. */
const onChannel = (sink: NoteSink, channel: number | null | undefined): NoteSink => (channel == null ? sink : new ChannelSink(sink, channel - 1));

/** The other parts' players on `clock` (whose steps are the first part's ticks, offset by `shift`), each into its sink. */
function lanePlayers(lanes: readonly LaneReplayed[], clock: Clock, shift: number, sinkOf: (l: LaneReplayed) => NoteSink): { player: Player; clock: PartClock; sink: NoteSink }[] {
  return lanes.map((l) => {
    const partClock = new PartClock(clock, { every: l.lane.every, from: l.lane.start + shift });
    const sink = sinkOf(l);
    return { player: new Player(partClock, new ReplayPlayable(l.r, undefined, true), [sink]), clock: partClock, sink };
  });
}

/** A log's ticks played again, with the part a recording kept and its tempo map. */
export interface Replayed {
  codec: Codec;
  steps: StepCopy[];
  /** Whether the generator was muted at each tick. */
  muted: Uint8Array;
  from: number;
  tempos: TempoEntry[];
  /** Seconds after the first recorded step at which the take ended, if before its last step did. */
  end?: number;
  /** The swing from `from` on, oldest first: the one in force at `from`, then each change. */
  swings: SwingEntry[];
}

/** Every tick of a log, played again by a fresh Generator made with the log's options. */
export function replaySteps(spec: ModelSpec, log: SessionLog, opts: ReplayOptions = {}): Replayed {
  let gen: Generator;
  let steps: StepCopy[];
  try {
    // a log from before count-ins names none: its cold start played at once
    gen = new Generator(spec, { countIn: 0, ...log.options });
    steps = gen.replay(log);
  } catch (e) {
    throw new Error(`${opts.file ?? 'the log'}: ${(e as Error).message}`);
  }
  const from = log.session?.from ?? 0;
  const tempos: TempoEntry[] = log.session ? [{ tick: from, bpm: log.session.bpm }, ...log.session.tempos.filter((t) => (t.at !== undefined ? t.at > from : t.tick > from || (t.tick === from && t.pulse !== undefined)))] : [{ tick: 0, bpm: opts.bpm ?? 120 }];
  return { codec: gen.codec, steps, muted: mutedTicks(log), from, tempos, swings: swingsFrom(log.session?.swings ?? [], from), ...(log.session?.end === undefined ? {} : { end: log.session.end }) };
}

/** The swing in force at tick `from` (as a clock step of its own), then the changes after it. */
function swingsFrom(swings: readonly SwingEntry[], from: number): SwingEntry[] {
  let first: SwingEntry = { tick: from, swing: 0, step: from };
  for (const x of swings) if (x.tick <= from) first = { tick: from, swing: x.swing, step: x.step + from - x.tick };
  return [first, ...swings.filter((x) => x.tick > from).map((x) => ({ ...x }))];
}

/** The recorded ticks of a log as a Standard MIDI File. */
export function replayToMidi(spec: ModelSpec, log: SessionLog, opts: ReplayOptions = {}): { bytes: Uint8Array; notes: number; steps: number } {
  const r = replaySteps(spec, log, opts);
  const pps = pulsesPerStep(r.codec);
  const map = new TempoMap(r.tempos[0].bpm);
  const clock = new HandClock(map);
  // tick 0 of the file is the first recorded step's start, swung as it went out live
  const swingAt = (t: number) => r.swings.reduce((x, y) => (y.tick <= t ? y : x), r.swings[0]);
  const lagAt = (t: number, sw = swingAt(t)) => swingLag((sw.step + t - sw.tick) * pps, sw.swing);
  const origin = map.timeOf(lagAt(r.from));
  const lanes = replayLanes(log, opts);
  const first = log.parts?.first;
  const recorder = sessionRecorder(r.codec, r.tempos[0].bpm, origin, lanes.length ? first?.name : undefined);
  const player = new Player(clock, new ReplayPlayable(r), [onChannel(recorder, first?.channel)]);
  const laneRecorders = lanes.map((l) => sessionRecorder(l.r.codec, r.tempos[0].bpm, origin, l.lane.name));
  const others = lanePlayers(lanes, clock, 0, (l) => onChannel(laneRecorders[lanes.indexOf(l)], l.lane.channel));
  let next = 1;
  const tempoPulse = (x: TempoEntry) => (x.tick - r.from) * pps + (x.pulse ?? 0);
  // in the log's order, between the steps it came between (older logs: a change with a pulse
  // came after its step was handed out, one without before it)
  const due = (x: TempoEntry, t: number, handedOut: boolean) => (x.at !== undefined ? !handedOut && x.at <= t : x.tick <= t && (x.pulse !== undefined) === handedOut);
  const applyDue = (t: number, handedOut: boolean) => {
    while (next < r.tempos.length && due(r.tempos[next], t, handedOut)) clock.tempo(tempoPulse(r.tempos[next]), r.tempos[next++].bpm);
  };
  for (let t = r.from; t < r.steps.length; t++) {
    const pulse = (t - r.from) * pps;
    applyDue(t, false);
    const sw = swingAt(t);
    clock.step(t, pulse, pps, sw.swing, (sw.step + t - sw.tick) * pps);
    applyDue(t, true);
  }
  // changes after the last step was handed out still shaped it
  applyDue(r.steps.length, false);
  // as a live recording ends: at the end of its last step, or where quit() cut it short
  const last = r.steps.length - 1;
  const end = map.timeOf((r.steps.length - r.from) * pps + lagAt(last + 1, swingAt(last)));
  const endAt = Math.min(end, origin + (r.end ?? Infinity));
  for (const o of others) o.sink.allNotesOff(endAt);
  for (const rec of [recorder, ...laneRecorders]) {
    rec.allNotesOff(endAt);
    rec.close();
  }
  player.dispose();
  for (const o of others) (o.player.dispose(), o.clock.dispose());
  const tracks = [recorder, ...laneRecorders];
  return { bytes: tracksFile(tracks.map((x) => x.toMidi())), notes: tracks.reduce((n, x) => n + x.song().notes.length, 0), steps: r.steps.length - r.from };
}

/** Play the recorded ticks of a log to a MIDI output in real time; resolves when the last note has ended. */
export async function replayToPort(spec: ModelSpec, log: SessionLog, output: MidiOutputLike, opts: ReplayOptions & { print?: (text: string) => void; signal?: AbortSignal } = {}): Promise<{ steps: number }> {
  const r = replaySteps(spec, log, opts);
  const pps = pulsesPerStep(r.codec);
  const total = r.steps.length - r.from;
  if (total === 0) return { steps: 0 };
  const port = new WebMidiSink(output);
  const lanes = replayLanes(log, opts);
  // with parts, each on its channel and silencing only its own notes, as live
  const sink = lanes.length ? new ChannelSink(port, log.parts?.first.channel == null ? null : log.parts.first.channel - 1) : port;
  const clock = new InternalClock({ bpm: r.tempos[0].bpm, pulsesPerStep: pps, swing: r.swings[0].swing });
  // the clock counts from the step the take began on, so its swing falls on the same 16ths
  const first = r.swings[0].step;
  const others = lanePlayers(lanes, clock, first - r.from, (l) => new ChannelSink(port, l.lane.channel == null ? null : l.lane.channel - 1));
  const display = opts.print ? new StepDisplay(r.codec, opts.print) : null;
  const playable = new ReplayPlayable(r, (res) => display?.add(res));
  let played = 0;
  let end = -Infinity;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const player = new Player(clock, playable, [sink]);
  const off = clock.onStep((e) => {
    end = e.time + e.stepDuration;
    // a swing change applies from the step after this one, as it did live
    const change = r.swings.find((x) => x.tick === r.from + played + 1);
    if (change) clock.setSwing(change.swing);
    if (++played >= total) {
      clock.stop();
      finish();
    }
  });
  const abort = () => {
    clock.stop();
    finish();
  };
  opts.signal?.addEventListener('abort', abort);
  clock.locate(first);
  clock.continue();
  for (const t of r.tempos.slice(1)) clock.setTempo(t.bpm, (first + t.tick - r.from) * pps + (t.pulse ?? 0));
  await finished;
  opts.signal?.removeEventListener('abort', abort);
  off();
  display?.flush();
  if (Number.isFinite(end)) for (const x of [sink, ...others.map((o) => o.sink)]) x.allNotesOff(end);
  await waitUntil(clock, end);
  player.dispose();
  for (const o of others) (o.player.dispose(), o.clock.dispose());
  port.close();
  return { steps: played };
}

/** Sleep until the clock passes `time` (and a little more, so timestamped messages have gone out). */
export async function waitUntil(clock: Clock, time: number, margin = 0.05): Promise<void> {
  const wait = Number.isFinite(time) ? time - clock.now() + margin : margin;
  await new Promise((r) => setTimeout(r, Math.max(0, wait * 1000)));
}

/** Clock pulses per model step (6 for 16ths); the model must divide a quarter evenly. */
export function pulsesPerStep(codec: Codec): number {
  const pps = PPQN / stepsPerQuarter(codec);
  if (!(Number.isInteger(pps) && pps >= 1)) throw new Error(`${codec.name}: ${stepsPerQuarter(codec)} steps per quarter do not divide the clock's 24 pulses per quarter`);
  return pps;
}

function mutedTicks(log: SessionLog): Uint8Array {
  const out = new Uint8Array(log.ticks);
  const changes = log.entries.filter((e) => e.control?.type === 'mute' || e.control?.type === 'unmute').sort((a, b) => a.tick - b.tick);
  let muted = 0;
  let j = 0;
  for (let t = 0; t < log.ticks; t++) {
    while (j < changes.length && changes[j].tick <= t) muted = changes[j++].control.type === 'mute' ? 1 : 0;
    out[t] = muted;
  }
  return out;
}

/** Hands a Player the replayed ticks from `from` on, as the generator handed them out live. */
class ReplayPlayable implements Playable {
  private i: number;
  private readonly result: StepResult = { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: false, muted: false };

  /** `ended`: past the last tick, silence (a part taken out before the take ended); else a tick missing is an error. */
  constructor(
    private readonly r: Replayed,
    private readonly onTick?: (res: StepResult) => void,
    private readonly ended = false,
  ) {
    this.i = r.from;
  }

  get step(): number {
    return this.r.steps[this.i]?.step ?? -1;
  }

  /** The model's codec: the clock hands steps out as early as its notes can be. */
  get codec(): Codec {
    return this.r.codec;
  }

  tick(): StepResult {
    const s = this.r.steps[this.i];
    const res = this.result;
    if (!s && this.ended) {
      res.count = res.releaseCount = 0;
      return res;
    }
    if (!s) throw new Error(`replay: no tick ${this.i} in the log`);
    res.step = s.step;
    res.tick = s.tick;
    res.paused = s.step < 0;
    res.muted = this.r.muted[this.i] === 1;
    res.notes.length = 0;
    res.notes.push(...s.notes);
    res.count = s.notes.length;
    res.releases.length = 0;
    res.releases.push(...s.releases);
    res.releaseCount = s.releases.length;
    this.i++;
    this.onTick?.(res);
    return res;
  }
}

/** A clock whose steps are handed out by calls, timed by a tempo map: for rendering offline. */
class HandClock implements Clock {
  readonly running = true;
  private readonly steps = new Listeners<StepEvent>((e) => {
    throw e;
  });
  private readonly transport = new Listeners<TransportEvent>((e) => {
    throw e;
  });
  private time = 0;

  constructor(private readonly map: TempoMap) {}

  get bpm(): number {
    return this.map.bpmAt(0);
  }

  now(): number {
    return this.time;
  }

  onStep(cb: (e: StepEvent) => void): () => void {
    return this.steps.add(cb);
  }

  onTransport(cb: (e: TransportEvent) => void): () => void {
    return this.transport.add(cb);
  }

  tempo(pulse: number, bpm: number): void {
    this.map.setTempo(pulse, bpm);
    this.transport.emit({ type: 'tempo', bpm, time: this.map.timeOf(pulse) });
  }

  /** Hand out `step` at map pulse `pulse`, swung as the live clock swung its pulse `clockPulse`. */
  step(step: number, pulse: number, pps: number, swing = 0, clockPulse = pulse): void {
    const time = this.map.timeOf(pulse + swingLag(clockPulse, swing));
    const stepDuration = this.map.timeOf(pulse + pps + swingLag(clockPulse + pps, swing)) - time;
    // a step ahead of its time, as a live clock hands it out: early hits are not late
    this.time = time - stepDuration;
    this.steps.emit({ step, time, stepDuration, bpm: this.map.bpmAt(pulse) });
  }
}
