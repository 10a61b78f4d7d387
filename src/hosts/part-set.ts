/**
 * The parts of a live performance, in order: the first is the one the clock's step is made for
 * (and the one unprefixed commands steer), the others step every whole number of its steps and
 * begin on a bar line. Adding a part checks its name (letters and digits, not a command's, not
 * another part's) and its step; removing one ends every note it started.
 *
 * @example
 * const parts = new PartSet(() => 0, clock, { error, tick, step, say });
 * parts.add({ name: 'drums', spec: drums }, 'as-is');
 * parts.add({ name: 'keys', spec: keys, channel: 2, sinks: [port] }, 'wrap');
 * parts.get('keys')?.generator.setTemperature(1.2);
 */
import type { StepResult } from '../music/generator.js';
import { barStartAfter, checkPartName, defaultPartName, stepsPerPartStep } from '../music/parts.js';
import { codecFor } from '../music/codecs.js';
import type { Clock, StepEvent } from '../time/clock.js';
import { Part, type PartOptions } from './part.js';
import { commandNames } from './prompt-commands.js';
import { pulsesPerStep } from './replay.js';
import type { NoteSink } from '../io/sink.js';
import type { PartTakes } from './part-take.js';

/** What a part tells its performance: an output's problem, a tick played, a step sent. */
export interface PartEvents {
  error(e: unknown): void;
  tick(part: Part, r: StepResult): void;
  /** After the part's Player has sent the step. */
  step(part: Part, e: StepEvent): void;
  /** A line for the performer (a part's control dropped at its step). */
  say(text: string): void;
}

export class PartSet {
  private readonly list: Part[] = [];

  constructor(
    /** The clock step the performance hands out next (0 before the first). */
    private readonly nextClockStep: () => number,
    private readonly clock: Clock & { readonly pulsesPerStep: number },
    private readonly on: PartEvents,
  ) {}

  get first(): Part {
    return this.list[0];
  }

  get all(): readonly Part[] {
    return this.list;
  }

  get names(): string[] {
    return this.list.map((p) => p.name);
  }

  get(name: string): Part | undefined {
    return this.list.find((p) => p.name === name);
  }

  /**
   * A new part, stepping from the next bar line (from the clock's start for a part given at the
   * start). `sinks` 'wrap': on its channel, silencing only its own notes (ports shared with other
   * parts); 'as-is': the one part of a performance, as before there were parts.
   */
  add(o: Omit<PartOptions, 'name'> & { name?: string }, sinks: 'wrap' | 'as-is'): Part {
    const codec = codecFor(o.spec);
    const name = checkPartName(o.name ?? (this.list.length === 0 ? defaultPartName(codec.voices) : undefined), commandNames(), this.names, Object.getOwnPropertyNames(globalThis));
    const every = this.list.length === 0 ? 1 : stepsPerPartStep(pulsesPerStep(codec), this.clock.pulsesPerStep, name);
    const next = this.nextClockStep();
    const from = next === 0 || this.list.length === 0 ? 0 : barStartAfter(next, this.first.generator.codec.stepsPerBar, codec.stepsPerBar * every);
    const part = new Part({ ...o, name }, this.clock, { every, from }, (e) => this.on.error(e), (p, r) => this.on.tick(p, r), sinks === 'wrap');
    part.onStep((e) => this.on.step(part, e));
    // the first part's drops are the performance's own lines; another's name the part
    if (this.list.length > 0) part.generator.reports = { dropped: (c, e) => this.on.say(`${name}: ${c.type}: ${e.message.replace(`${c.type}: `, '')}; dropped, the music goes on`) };
    this.list.push(part);
    return part;
  }

  /**
   * A part added while the music plays (`add`, on its channel): its sinks join `sinks` (closed
   * with the performance), and a take in progress (`take`) records it from its first step.
   */
  join(o: PartOptions, sinks: NoteSink[], take: PartTakes | null, at = this.list.length): Part {
    const part = this.add(o, 'wrap');
    // in its place in the order
    this.list.splice(at, 0, ...this.list.splice(this.list.indexOf(part), 1));
    for (const sink of o.sinks ?? []) if (!sinks.includes(sink)) sinks.push(sink);
    const next = this.nextClockStep();
    take?.begin(part, this.first.generator.ticks + part.clock.nextOwned(next) - next);
    return part;
  }

  /**
   * A part made again from its model and options (not the first): its notes end, and the new
   * one begins at the next bar line, in the same place in the order (a take records it on).
   */
  restart(name: string, sinks: NoteSink[], take: PartTakes | null): Part {
    const at = this.list.findIndex((p) => p.name === name);
    const old = this.remove(name);
    return this.join(old.options, sinks, take, at);
  }

  /** Takes a part out (not the first): its notes end, its outputs stay open for the others. */
  remove(name: string): Part {
    const i = this.list.findIndex((p) => p.name === name);
    if (i < 0) throw new Error(`no part named '${name}'; parts are ${this.names.join(', ')}`);
    if (i === 0) throw new Error(`${name} is the first part, which the clock steps by; quit() ends the performance`);
    const [part] = this.list.splice(i, 1);
    part.dispose();
    return part;
  }

  /** Every part stops following the clock; their notes end. */
  dispose(): void {
    for (const p of this.list) p.dispose();
  }
}
