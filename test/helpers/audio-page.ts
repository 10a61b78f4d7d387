/**
 * Runs in the test page (bundled by test/browser-audio.test.ts): renders note sequences through
 * the RNBO and Tone.js sinks in OfflineAudioContexts and measures where the sound starts.
 */
import * as Tone from 'tone';
import { loadRnboDevice, type RnboRuntime } from '../../src/io/rnbo-device.js';
import { RnboSink } from '../../src/io/rnbo-sink.js';
import { ToneKit } from '../../src/io/tone-kit.js';
import { ToneSink } from '../../src/io/tone-sink.js';

export interface PlannedNote {
  note: number;
  velocity: number;
  channel: number;
  time: number;
  duration: number;
}

export interface Onset {
  note: number;
  time: number;
  /** First sample above the threshold, searching from 100 ms before `time`, in seconds (NaN: none). */
  onset: number;
  /** onset − time, in ms. */
  errorMs: number;
  /** Peak from 100 ms to 1 ms before `time` (should be silence; a device may start a sample early). */
  peakBefore: number;
}

export interface Render {
  sampleRate: number;
  onsets: Onset[];
  /** Peak and RMS over each requested window [from, to) in seconds. */
  windows: { from: number; to: number; peak: number; rms: number }[];
  warnings: string[];
  deviceType?: string;
}

const THRESHOLD = 1e-3;

function analyse(data: Float32Array, sampleRate: number, notes: readonly PlannedNote[], windows: readonly [number, number][]): Pick<Render, 'onsets' | 'windows'> {
  const peak = (from: number, to: number) => {
    let p = 0;
    for (let i = Math.max(0, Math.floor(from * sampleRate)); i < Math.min(data.length, Math.floor(to * sampleRate)); i++) p = Math.max(p, Math.abs(data[i]));
    return p;
  };
  const onsets = notes.map((n) => {
    let i = Math.max(0, Math.round((n.time - 0.1) * sampleRate));
    while (i < data.length && Math.abs(data[i]) <= THRESHOLD) i++;
    const onset = i < data.length ? i / sampleRate : Number.NaN;
    return { note: n.note, time: n.time, onset, errorMs: (onset - n.time) * 1000, peakBefore: peak(n.time - 0.1, n.time - 0.001) };
  });
  const rms = (from: number, to: number) => {
    const a = Math.max(0, Math.floor(from * sampleRate));
    const b = Math.min(data.length, Math.floor(to * sampleRate));
    let sum = 0;
    for (let i = a; i < b; i++) sum += data[i] * data[i];
    return b > a ? Math.sqrt(sum / (b - a)) : 0;
  };
  return { onsets, windows: windows.map(([from, to]) => ({ from, to, peak: peak(from, to), rms: rms(from, to) })) };
}

export interface RnboPlan {
  url: string;
  notes: PlannedNote[];
  /** Notes to hold (duration Infinity) and the all-notes-off time that ends them. */
  held?: PlannedNote[];
  allNotesOffAt?: number;
  /** Notes scheduled before the all-notes-off but starting after it: they must not sound. */
  cancelled?: PlannedNote[];
  windows?: [number, number][];
  seconds: number;
}

export async function renderRnbo(plan: RnboPlan): Promise<Render> {
  const rnbo = (globalThis as unknown as { RNBO: RnboRuntime }).RNBO;
  const sampleRate = 48000;
  const context = new OfflineAudioContext(2, Math.ceil(plan.seconds * sampleRate), sampleRate);
  const { device, warnings, type } = await loadRnboDevice(context, plan.url, { rnbo });
  device.node.connect(context.destination);
  const sink = new RnboSink(device, { rnbo, transport: true });
  sink.tempo(120, 0);
  for (const n of plan.notes) sink.noteOn(n.note, n.velocity, n.channel, n.time, n.duration);
  for (const n of plan.held ?? []) sink.noteOn(n.note, n.velocity, n.channel, n.time, Infinity);
  for (const n of plan.cancelled ?? []) sink.noteOn(n.note, n.velocity, n.channel, n.time, n.duration);
  if (plan.allNotesOffAt !== undefined) sink.allNotesOff(plan.allNotesOffAt);
  // offline, events reach the worklet only after this barrier (the fixture's README)
  await sink.flush();
  const buffer = await context.startRendering();
  return { sampleRate, deviceType: type, warnings, ...analyse(buffer.getChannelData(0), sampleRate, [...plan.notes, ...(plan.held ?? [])], plan.windows ?? []) };
}

/** Loads an export and reports the error message or the warnings. */
export async function tryLoad(url: string): Promise<{ error?: string; warnings?: string[] }> {
  const rnbo = (globalThis as unknown as { RNBO: RnboRuntime }).RNBO;
  const context = new OfflineAudioContext(2, 4800, 48000);
  try {
    const { warnings } = await loadRnboDevice(context, url, { rnbo });
    return { warnings };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export interface TonePlan {
  notes: PlannedNote[];
  held?: PlannedNote[];
  noteOffs?: { note: number; channel: number; time: number }[];
  /** Close the sink right after scheduling (context time 0: everything is called off). */
  close?: boolean;
  allNotesOffAt?: number;
  cancelled?: PlannedNote[];
  windows?: [number, number][];
  /** Notes handed over late: at context time `at`, after their own times (a main thread that stalled). */
  late?: { at: number; notes: PlannedNote[] };
  seconds: number;
  sampleRate?: number;
}

/** What the kit was asked to play: hits sounded, hits merged into one at the same time, errors thrown. */
export interface KitCalls {
  sounded: number;
  merged: number;
  errors: string[];
  /** Where each hit sounded, by voice, in order of the calls. */
  times: Record<string, number[]>;
}

/** A kit that counts its calls and keeps the errors (thrown inside Tone's clock, they would only be logged). */
function countingKit(calls: KitCalls): ToneKit {
  const kit = new ToneKit();
  const play = kit.play.bind(kit);
  kit.play = (note, velocity, time) => {
    try {
      const at = play(note, velocity, time);
      if (at === null) calls.merged++;
      else {
        calls.sounded++;
        (calls.times[ToneKit.voiceOf(note)] ??= []).push(at);
      }
      return at;
    } catch (e) {
      calls.errors.push(`${note}@${time}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  return kit;
}

/**
 * Everything a long run asks of Tone.js, without the samples: the sink and the kit schedule on
 * an OfflineContext whose clock is run to the end (Tone's checks, such as a source's start
 * after its last one, are made there), but nothing is rendered. Rendering a minute of a busy kit
 * takes minutes on two cores (every automation event is scheduled before the first sample); the
 * clock alone takes about a second.
 */
export async function scheduleTone(plan: TonePlan): Promise<{ kit: KitCalls; clockMs: number }> {
  const kit: KitCalls = { sounded: 0, merged: 0, errors: [], times: {} };
  const context = new Tone.OfflineContext(1, plan.seconds, plan.sampleRate ?? 48000);
  const runClock = (context as unknown as { _renderClock?: (asynchronous: boolean) => Promise<void> })._renderClock;
  if (typeof runClock !== 'function') throw new Error('Tone.OfflineContext has no _renderClock: this Tone.js version runs its offline clock another way; update scheduleTone');
  const previous = Tone.getContext();
  Tone.setContext(context);
  try {
    const sink = new ToneSink({ kit: countingKit(kit) });
    for (const n of plan.notes) sink.noteOn(n.note, n.velocity, n.channel, n.time, n.duration);
    const t0 = performance.now();
    await runClock.call(context, false);
    return { kit, clockMs: performance.now() - t0 };
  } finally {
    Tone.setContext(previous);
  }
}

export async function renderTone(plan: TonePlan): Promise<Render & { kit: KitCalls }> {
  const sampleRate = plan.sampleRate ?? 48000;
  const kit: KitCalls = { sounded: 0, merged: 0, errors: [], times: {} };
  const buffer = await Tone.Offline(
    (context) => {
      const sink = new ToneSink({ kit: countingKit(kit) });
      for (const n of plan.notes) sink.noteOn(n.note, n.velocity, n.channel, n.time, n.duration);
      const late = plan.late;
      if (late) context.setTimeout(() => late.notes.forEach((n) => sink.noteOn(n.note, n.velocity, n.channel, n.time, n.duration)), late.at);
      for (const n of plan.held ?? []) sink.noteOn(n.note, n.velocity, n.channel, n.time, Infinity);
      for (const n of plan.cancelled ?? []) sink.noteOn(n.note, n.velocity, n.channel, n.time, n.duration);
      for (const o of plan.noteOffs ?? []) sink.noteOff(o.note, o.channel, o.time);
      if (plan.allNotesOffAt !== undefined) sink.allNotesOff(plan.allNotesOffAt);
      if (plan.close) sink.close();
    },
    plan.seconds,
    1,
    sampleRate,
  );
  const data = buffer.getChannelData(0);
  return { sampleRate, warnings: [], kit, ...analyse(data, sampleRate, [...plan.notes, ...(plan.held ?? [])], plan.windows ?? []) };
}

// ---- the generator in the loop: Generator → Player → sink, rendered offline ----

import { Generator } from '../../src/music/generator.js';
import { Player } from '../../src/time/player.js';
import type { Clock, StepEvent, TransportEvent } from '../../src/time/clock.js';
import type { NoteSink } from '../../src/io/sink.js';
import { drumGridSpec } from './models.js';

export interface GeneratedPlan {
  target: 'rnbo' | 'tone';
  url?: string;
  steps: number;
  bpm: number;
  density: number;
  seed: number;
  seconds: number;
}

/** A clock the page drives by hand: offline rendering has no real time to wait for. */
class HandClock implements Clock {
  readonly running = true;
  private steps: ((e: StepEvent) => void)[] = [];
  constructor(readonly bpm: number) {}
  now(): number {
    return 0;
  }
  onStep(cb: (e: StepEvent) => void): () => void {
    this.steps.push(cb);
    return () => {};
  }
  onTransport(_cb: (e: TransportEvent) => void): () => void {
    return () => {};
  }
  emit(e: StepEvent): void {
    for (const cb of this.steps) cb(e);
  }
}

/** Drive a drum Generator through the Player into a sink; returns what was scheduled. */
function playGenerated(plan: GeneratedPlan, sink: NoteSink): PlannedNote[] {
  const scheduled: PlannedNote[] = [];
  const spy: NoteSink = {
    noteOn: (note, velocity, channel, time, duration) => (scheduled.push({ note, velocity, channel, time, duration }), sink.noteOn(note, velocity, channel, time, duration)),
    noteOff: (note, channel, time) => sink.noteOff(note, channel, time),
    allNotesOff: (time) => sink.allNotesOff(time),
  };
  const clock = new HandClock(plan.bpm);
  const gen = new Generator(drumGridSpec(3), { seed: plan.seed, density: plan.density });
  new Player(clock, gen, [spy]);
  const stepDuration = 60 / plan.bpm / 4;
  for (let s = 0; s < plan.steps; s++) clock.emit({ step: s, time: 0.2 + s * stepDuration, stepDuration, bpm: plan.bpm });
  return scheduled;
}

export async function renderGenerated(plan: GeneratedPlan): Promise<Render & { scheduled: PlannedNote[] }> {
  const sampleRate = 48000;
  let scheduled: PlannedNote[] = [];
  let data: Float32Array;
  if (plan.target === 'rnbo') {
    const rnbo = (globalThis as unknown as { RNBO: RnboRuntime }).RNBO;
    const context = new OfflineAudioContext(2, Math.ceil(plan.seconds * sampleRate), sampleRate);
    const { device } = await loadRnboDevice(context, plan.url as string, { rnbo });
    device.node.connect(context.destination);
    const sink = new RnboSink(device, { rnbo });
    scheduled = playGenerated(plan, sink);
    await sink.flush();
    data = (await context.startRendering()).getChannelData(0);
  } else {
    const buffer = await Tone.Offline(() => void (scheduled = playGenerated(plan, new ToneSink())), plan.seconds, 1, sampleRate);
    data = buffer.getChannelData(0);
  }
  // one onset per scheduled time
  const times = [...new Map(scheduled.map((n) => [n.time, n])).values()];
  return { sampleRate, warnings: [], scheduled, ...analyse(data, sampleRate, times, []) };
}
