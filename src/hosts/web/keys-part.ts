/**
 * A second part beside the drums: a melodic or chord model (the keys) with a Generator of its
 * own, stepped by the page's one clock. Each step the clock hands out reaches the keys just
 * before the drums, at the same step: the keys follow the clock's count as the drums do (a
 * jump, a pause or a new drum model leaves both on the same step of the same bar), and the
 * transport's pause and mute. Its notes go on their own MIDI channel to the output the drums play through (the Tone.js
 * kit's melodic synth, a Web MIDI port, an RNBO device) and into the page's recording; a stop,
 * pause or mute lets every key go, and the drums' ringing cymbals are left alone.
 *
 * @example
 * const keys = new KeysPart(stage, { onError: (e) => messages.error(e, 'Keys') });
 * await keys.load('weights/chords-jsb/');
 * keys.setTemperature(1.1);           // the keys' own, from their next step
 * keys.roll.toggle(keys.gen!.step + 2, 64);
 */
import { codecFor } from '../../music/codecs.js';
import { checkValue, defaults } from '../../music/controls.js';
import { Generator, type Settings, type StepResult } from '../../music/generator.js';
import { loadModelSpec } from '../../io/model-files.js';
import { barStartAfter, stepsPerPartStep } from '../../music/parts.js';
import { Player, type Playable } from '../../time/player.js';
import { PartClock } from '../part-clock.js';
import { FollowClock, stepPulses } from './keys-clock.js';
import { PartSink } from './keys-sink.js';
import { describe, type ModelInfo } from './model-info.js';
import { pitchRange } from './piano-roll-steps.js';
import { RollPart } from './piano-roll-part.js';
import type { Stage } from './stage.js';

/** The keys' MIDI channel, zero-based: channel 2 (the drums play on 10). */
export const KEYS_CHANNEL = 1;
/** Played steps kept for the lane, as the drum grid keeps them. */
const HISTORY_STEPS = 128;
const IDLE: StepResult = { step: -1, tick: 0, count: 0, notes: [], releaseCount: 0, releases: [], paused: true, muted: false };

export class KeysPart implements Playable {
  gen: Generator | null = null;
  model: ModelInfo | null = null;
  range = { low: 21, high: 108 };
  readonly roll = new RollPart(() => this.gen);
  readonly sink: PartSink;
  /** Bumped by every step and every control: the lane redraws when it changes. */
  version = 0;
  /** Clock steps one of the keys' steps lasts (4 for a chord model of quarters beside drums in 16ths). */
  every = 1;
  private readonly clock: FollowClock;
  /** The keys' view of the clock (every `every`-th step, from a bar line) and the Player on it, per model. */
  private partClock: PartClock | null = null;
  private player: Player | null = null;
  private readonly onError: (e: unknown) => void;
  private loads = 0;
  private readonly starting = { temperature: defaults().temperature, seed: defaults().seed };
  private readonly stopHook: () => void;

  constructor(
    private readonly stage: Stage,
    options: { onError(e: unknown): void },
  ) {
    this.clock = new FollowClock(stage);
    this.sink = new PartSink(stage);
    this.onError = options.onError;
    this.stopHook = stage.beforeStep((e) => {
      if (stage.running) this.clock.step(e);
    });
  }

  /** Load the keys' model from a folder or model.json URL; the keys play it from the next step. Null when a later load won. */
  async load(url: string): Promise<ModelInfo | null> {
    const where = url.trim();
    if (!where) throw new Error('keys model URL is empty: give a weights folder (…/chords-jsb/) or its model.json');
    const ticket = ++this.loads;
    const spec = await loadModelSpec(where);
    const codec = codecFor(spec, { channel: KEYS_CHANNEL });
    if (codec.name.startsWith('drum')) throw new Error(`${where}: a drum model (${codec.name}); the keys play melodic or chord models`);
    const s = this.settings;
    const gen = new Generator(spec, { seed: s.seed, temperature: s.temperature, lookahead: codec.stepsPerBar, historyLength: HISTORY_STEPS, channel: KEYS_CHANNEL });
    if (ticket !== this.loads) return null;
    const every = stepsPerPartStep(stepPulses(codec), this.stage.pulsesPerStep, 'keys');
    this.follow(every, codec.stepsPerBar);
    this.gen = gen;
    this.roll.fromTick = 0;
    this.range = pitchRange(spec.meta);
    this.model = describe(where, spec.layers.map((l) => `${l.cell.toUpperCase()} ${l.units}`), codec);
    this.version++;
    return this.model;
  }

  /** Take the keys out: every key let go, no more steps. */
  remove(): void {
    this.unfollow();
    this.gen = null;
    this.model = null;
    this.version++;
  }

  /** The page started: the lane shows the steps played from here. */
  started(): void {
    this.roll.fromTick = this.gen?.ticks ?? 0;
    this.version++;
  }

  /** The page stopped: every key let go, and steps written ahead forgotten (the count starts over). */
  stopped(): void {
    this.clock.stop();
    this.player?.panic();
    this.roll.clearEdits();
    // the next Start counts from the top: keys added mid-set come in with the drums then, not at the bar they first joined at
    if (this.gen && this.partClock && this.partClock.from !== 0) this.follow(this.every, this.gen.codec.stepsPerBar);
    this.version++;
  }

  /** Every key let go now (Escape, a new output). */
  panic(): void {
    this.player?.panic();
  }

  /** The keys' value controls as the page shows them (pending over applied), or the starting ones. */
  get settings(): Pick<Settings, 'temperature' | 'seed'> {
    return this.gen?.settings ?? this.starting;
  }
  get applied(): Pick<Settings, 'temperature' | 'seed'> {
    return this.gen?.applied ?? this.starting;
  }

  setTemperature(v: number): void {
    if (this.gen) this.gen.setTemperature(v);
    else this.starting.temperature = checked('temperature', v);
    this.version++;
  }

  reseed(v: number): void {
    if (this.gen) this.gen.reseed(v);
    else this.starting.seed = checked('seed', v);
    this.version++;
  }

  dispose(): void {
    this.stopHook();
    this.unfollow();
  }

  /**
   * Step the keys every `every` clock steps, from the clock's start when stopped, else from the
   * next bar line of both parts: the keys' step in their bar is then the clock's.
   */
  private follow(every: number, stepsPerBar: number): void {
    this.unfollow();
    const next = this.stage.running ? this.clock.nextStep : 0;
    const from = next === 0 ? 0 : barStartAfter(next, this.stage.model?.stepsPerBar ?? 16, stepsPerBar * every);
    this.every = every;
    this.partClock = new PartClock(this.clock, { every, from });
    this.player = new Player(this.partClock, this, [this.sink], { onError: this.onError });
  }

  private unfollow(): void {
    this.player?.dispose();
    this.partClock?.dispose();
    this.player = null;
    this.partClock = null;
  }

  // ---- what the keys' Player steps ----------------------------------------------------------

  /** The keys' next step. */
  get step(): number {
    return this.gen?.step ?? 0;
  }
  /** The clock jumped: the keys go with it, as the drums do. */
  locate(step: number): void {
    this.gen?.locate(step);
  }
  /** How early the keys' notes can be, for the clock (the drums' model sets how early it hands steps out). */
  get codec(): Playable['codec'] {
    return this.gen?.codec ?? null;
  }

  /**
   * One step of the keys (the Player's call), paused and muted as the transport is: the drums
   * pause at the same step, so both parts go on from the same step of the bar.
   */
  tick(): StepResult {
    const gen = this.gen;
    if (!gen) return IDLE;
    const { willPause, willMute } = this.stage;
    if (willPause !== gen.settings.paused) {
      if (willPause) gen.pause();
      else gen.resume();
    }
    if (willMute !== gen.settings.muted) {
      if (willMute) gen.mute();
      else gen.unmute();
    }
    const r = gen.tick();
    this.version++;
    return r;
  }
}

/** A value for a control, checked against the table, for the first model to start from. */
function checked(name: 'temperature' | 'seed', v: number): number {
  checkValue(name, v);
  return v;
}
