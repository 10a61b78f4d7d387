/**
 * Parts brought in and taken out while the music plays, by name, from the prompt or a joined
 * page: `addPart('keys')` (the shipped chord model), `addPart('bass', 'weights/x', 3)` (a model
 * folder or URL, and a MIDI channel), `removePart('keys')`. Each argument is checked before the
 * model is read, a refusal names the value, and the model is read while the music plays: the
 * part comes in at the next bar line once it is loaded (`PartSet.join`). Whoever watches the
 * parts (the prompt's objects, the pages) hears every change (`watch`).
 *
 * @example
 * const live = new PartLive(partSet, { sinks, output: { sinks }, cwd: process.cwd(), take: () => null, stopping: () => false, print: console.log });
 * live.watch(() => console.log('the parts changed'));
 * await live.add('keys', undefined, undefined);          // 'keys: chords-jsb (piano-roll) comes in at the next bar line …'
 * live.remove('keys');                                   // 'keys is out: …'
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../engine/model.js';
import { loadModelSpec } from '../io/model-files.js';
import { checkPartName } from '../music/parts.js';
import type { NoteSink } from '../io/sink.js';
import type { Part, PartOptions } from './part.js';
import type { PartSet } from './part-set.js';
import { PartTakes } from './part-take.js';
import type { Take } from './take.js';
import { CommandError, commandNames, show } from './prompt-commands.js';

/** What `addPart` takes when no model is named: the shipped chord model, found beside the package. */
export function shippedKeys(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'weights', 'chords-jsb');
}

/** A part to add, checked: its name, where its model is (as typed, and resolved) and its channel. */
export interface PartArgs {
  name: string;
  /** As the performer typed it (or the shipped model's folder). */
  typed: string;
  /** A folder or file resolved from the session's folder, or a URL as it is. */
  model: string;
  channel: number;
}

/** The channel a part plays on now: its own, or its model's (drums 10, else 1). */
const channelOf = (p: Part): number => p.channel ?? (p.generator.codec.voices.length > 0 ? 10 : 1);

/**
 * `addPart`'s arguments checked against the parts there are: a free part name, a model folder
 * or URL (none: the shipped chord model), a channel 1–16 (none: the lowest no part plays on).
 */
export function partArgs(name: unknown, model: unknown, channel: unknown, parts: readonly Part[], cwd: string): PartArgs {
  if (name === undefined) throw new CommandError("name the part, e.g. addPart('keys') for the shipped chord model, or addPart('bass', 'path/to/model', 3)");
  let checked: string;
  try {
    checked = checkPartName(name, commandNames(), parts.map((p) => p.name), Object.getOwnPropertyNames(globalThis));
  } catch (e) {
    throw new CommandError((e as Error).message);
  }
  if (model !== undefined && model !== null && (typeof model !== 'string' || model.trim() === '')) throw new CommandError(`${show(model)} is not a model; give a model folder or URL, e.g. addPart('${checked}', 'weights/chords-jsb', 3)`);
  if (channel !== undefined && channel !== null && !(typeof channel === 'number' && Number.isInteger(channel) && channel >= 1 && channel <= 16)) throw new CommandError(`channel ${show(channel)} is not a MIDI channel; give 1 to 16`);
  const used = new Set(parts.map(channelOf));
  const free = Array.from({ length: 16 }, (_, i) => i + 1).find((c) => !used.has(c)) ?? 1;
  const typed = typeof model === 'string' ? model.trim() : shippedKeys();
  const url = /^[a-z][a-z0-9+.-]+:/i.test(typed) && !/^[a-z]:[\\/]/i.test(typed);
  return { name: checked, typed, model: url ? typed : resolve(cwd, typed), channel: typeof channel === 'number' ? channel : free };
}

/** The model of a part to add; a folder without one is refused naming it, as typed. */
export async function loadPartModel(a: PartArgs): Promise<ModelSpec> {
  try {
    return await loadModelSpec(a.model);
  } catch (e) {
    throw new CommandError(`${a.name}: no model loads from ${show(a.typed)}: ${(e as Error).message}`);
  }
}

/** Whether `addPart` was handed a part as a program makes one (not arguments typed at the prompt). */
export function isPartOptions(o: unknown): o is PartOptions {
  return typeof o === 'object' && o !== null && 'spec' in o;
}

/** The take's lanes a part joining now records into: made when a take of one part is under way. */
export function partTakesOf(take: Take | null): PartTakes | null {
  // a take not started yet records every part at its first step
  if (!take?.recorder) return null;
  return (take.parts ??= new PartTakes(take.origin, take.bpm));
}

/** What a performance hands `PartLive`. */
export interface PartLiveOptions {
  /** Every output the performance closes at quit: a joining part's own join them. */
  sinks: NoteSink[];
  /** Where an added part plays, and that in words. */
  output: { sinks: NoteSink[]; output?: string };
  lookahead?: number;
  /** The folder a model's path is read from. */
  cwd: string;
  take(): Take | null;
  stopping(): boolean;
  print(text: string): void;
}

/** A performance's parts coming and going while it plays (LiveSession's addPart, removePart, restartPart). */
export class PartLive {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly parts: PartSet,
    private readonly o: PartLiveOptions,
  ) {}

  /** A part as a program makes it, from the next bar line (a take under way records it). */
  join(o: PartOptions): Part {
    this.shareFirst();
    const part = this.parts.join(o, this.o.sinks, partTakesOf(this.o.take()));
    this.tell();
    return part;
  }

  /** `addPart` as typed: checked, its model read while the music plays, then joined; the line that says so. */
  async add(name: unknown, model: unknown, channel: unknown): Promise<string> {
    const a = partArgs(name, model, channel, this.parts.all, this.o.cwd);
    const spec = await loadPartModel(a);
    if (this.o.stopping()) throw new CommandError('the performance is stopping');
    const first = this.parts.first.generator;
    // a seed of its own, the next after the parts' as the command line gives them
    const seed = (first.settings.seed + this.parts.all.length) >>> 0;
    const part = this.join({ ...this.o.output, lookahead: this.o.lookahead, seed, name: a.name, spec, model: a.model, channel: a.channel });
    const bar = first.codec.stepsPerBar;
    return `${part.name}: ${part.modelName} (${part.generator.codec.name}) comes in at the next bar line (bar ${Math.floor(part.clock.from / bar) + 1} of the clock) on MIDI channel ${a.channel}; ${part.name}.temperature(1.2) steers it, removePart('${part.name}') takes it out`;
  }

  /** `removePart` as typed: the part's notes end, the others play on; the line that says so. */
  remove(name: unknown): string {
    if (typeof name !== 'string') throw new CommandError(`${name === undefined ? 'name the part to take out' : `${show(name)} is not a part's name`}; parts are ${this.parts.names.join(', ')}`);
    try {
      this.parts.remove(name);
    } catch (e) {
      throw new CommandError((e as Error).message);
    }
    this.tell();
    return `${name} is out: every note it started has ended; ${this.parts.names.join(', ')} play${this.parts.all.length === 1 ? 's' : ''} on`;
  }

  /** A part made again from its model and options, from the next bar line. */
  restart(name: string): Part {
    const part = this.parts.restart(name, this.o.sinks, partTakesOf(this.o.take()));
    this.tell();
    return part;
  }

  /**
   * The first part, alone until now, played straight into its outputs (its mute or pause ended
   * every note there): from now on it silences only its own notes, as every part does.
   */
  private shareFirst(): void {
    const first = this.parts.first;
    for (const sink of first.options.sinks ?? []) {
      if (!first.player.sinks.includes(sink)) continue;
      first.player.addSink(first.wrap(sink));
      first.player.removeSink(sink);
    }
  }

  /** Hear every change of the parts; returns the function that stops it. */
  watch(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => void this.listeners.delete(cb);
  }

  /** Everyone hears; one that throws is said in a line and the others still hear. */
  private tell(): void {
    for (const cb of [...this.listeners]) {
      try {
        cb();
      } catch (e) {
        this.o.print(`parts: ${(e as Error).message}`);
      }
    }
  }
}
