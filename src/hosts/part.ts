/**
 * One part of a live performance: a Generator with its own model, seed and controls, its Player
 * on the performance's clock (through a `PartClock`: a part may step slower than the clock and
 * starts on a bar line), and its outputs on its own MIDI channel. The performance (`LiveSession`)
 * holds the parts; the first is the one every host knew before there were parts.
 *
 * @example
 * const keys = new Part({ name: 'keys', spec, model: '/abs/weights/chords', channel: 2, sinks: [portSink] }, clock, { every: 4, from: 0 }, onError);
 * keys.generator.setTemperature(1.2);
 * keys.dispose();   // every note of the part ends; the port stays open
 */
import type { ModelSpec } from '../engine/model.js';
import type { NoteSink } from '../io/sink.js';
import { Generator, type GeneratorOptions, type StepResult } from '../music/generator.js';
import type { Clock, StepEvent } from '../time/clock.js';
import { Player, type Playable } from '../time/player.js';
import { PartClock, type PartClockOptions } from './part-clock.js';
import { ChannelSink } from './part-sink.js';
import { VALUE_CONTROLS, valueText } from './session-status.js';

/** A part as a performance is given it. */
export interface PartOptions extends Omit<GeneratorOptions, 'channel'> {
  /** Letters and digits, not a command's name (`checkPartName`). */
  name: string;
  spec: ModelSpec;
  /** Where the model came from, for the performance log (default: the spec's source). */
  model?: string;
  /** MIDI channel 1–16 its notes go out on (default: the model's own). */
  channel?: number | null;
  /** Its outputs; a port shared with other parts is wrapped so the part silences only its own notes. */
  sinks?: NoteSink[];
  /** Where its notes go, in words, for `status()` (`"IAC Driver Bus 2"`, `the virtual MIDI output "pulse-rnn-keys"`). */
  output?: string;
}

export class Part {
  readonly name: string;
  readonly generator: Generator;
  readonly player: Player;
  readonly clock: PartClock;
  readonly model: string;
  /** What it was made with: a restart makes it again from these. */
  readonly options: PartOptions;
  /** MIDI channel 1–16, or null: the model's own. */
  readonly channel: number | null;
  /** Where its notes go, in words (null: not said). */
  readonly output: string | null;
  /** What the part ticked last (reused by the next tick). */
  last: StepResult | null = null;
  private readonly offs: (() => void)[] = [];

  /** `wrap`: its sinks are on its channel and silence only its notes (false: given as they are, the one part of a performance). */
  constructor(o: PartOptions, clock: Clock, at: PartClockOptions, onError: (e: unknown) => void, onTick: (part: Part, r: StepResult) => void, wrap = true) {
    if (o.channel != null && !(Number.isInteger(o.channel) && o.channel >= 1 && o.channel <= 16)) throw new Error(`${o.name}: channel ${JSON.stringify(o.channel)} is not a MIDI channel; give 1 to 16`);
    this.options = o;
    const { name, spec, model, channel, sinks, output, ...options } = o;
    this.name = name;
    this.output = output ?? null;
    this.generator = new Generator(spec, options);
    this.model = model ?? spec.source;
    this.channel = channel ?? null;
    this.clock = new PartClock(clock, at);
    const gen = this.generator;
    const playable: Playable = {
      tick: () => {
        const r = gen.tick();
        this.last = r;
        onTick(this, r);
        return r;
      },
      get step() {
        return gen.step;
      },
      locate: (step) => gen.locate(step),
      codec: gen.codec,
    };
    this.player = new Player(this.clock, playable, (sinks ?? []).map((s) => (wrap ? this.wrap(s) : s)), { onError });
  }

  /** A sink as this part sends to it: on its channel, silencing only its own notes. */
  wrap(sink: NoteSink): NoteSink {
    return new ChannelSink(sink, this.channel === null ? null : this.channel - 1);
  }

  /** A recorder as this part records into it: on its channel, when it has one. */
  wrapRecorder(sink: NoteSink): NoteSink {
    return this.channel === null ? sink : new ChannelSink(sink, this.channel - 1);
  }

  /** The model's folder name (`chords-jsb`), as a line says it. */
  get modelName(): string {
    return this.model.split(/[\\/]/).filter(Boolean).pop() ?? this.model;
  }

  /** The part's line of `status()`: its name, model, output and channel, step and controls. */
  status(): string {
    const gen = this.generator;
    const state = gen.paused ? 'paused' : gen.muted ? 'muted' : 'playing';
    const bar = gen.codec.stepsPerBar;
    return `${this.name}: ${this.modelName} (${gen.codec.name}) · ${this.output === null ? '' : `to ${this.output}, `}channel ${this.channel ?? "the model's"} · step ${gen.step} (bar ${Math.floor(gen.step / bar) + 1}) · ${state} · ${VALUE_CONTROLS.map((name) => valueText(gen, name)).join(' · ')}`;
  }

  /** Hear every step of the part after its Player has sent it. */
  onStep(cb: (e: StepEvent) => void): void {
    this.offs.push(this.clock.onStep(cb));
  }

  /** Every note of the part ends (now, and after the last one scheduled); it stops following the clock. */
  dispose(): void {
    for (const off of this.offs) off();
    this.player.dispose();
    this.clock.dispose();
  }
}
