/**
 * One take of a live session: the MIDI file it is recorded to and the performance log written
 * beside it. A take never overwrites another: when the name (or its log) exists, it goes to
 * `name-2.mid`, `name-3.mid` …, and the message says so.
 *
 * @example
 * const { take, said } = Take.begin('/sets/set.mid', 'set.mid', null);   // said: "recording to set.mid …"
 * take.start(codec, e.bpm, e.time, gen.ticks);                           // at the first step it records
 * player.removeSink(take.end(lastStepEnd));                             // every note ends
 * const line = await take.write({ log: gen.log, model, tempos, clock: 'internal', cutAt: null });
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { writeAtomic } from '../io/atomic-file.js';
import type { MidiRecorder } from '../io/recorder.js';
import type { NoteSink } from '../io/sink.js';
import type { PartsLogFields } from '../music/parts.js';
import { PartTakes, tracksFile } from './part-take.js';
import type { Part } from './part.js';
import type { StepEvent } from '../time/clock.js';
import type { Codec } from '../music/codec.js';
import type { PerformanceLog } from '../music/generator.js';
import { CommandError, errorText, show } from './prompt-commands.js';
import { sessionRecorder, type SessionLog, type SwingEntry, type TempoEntry } from './session-log.js';

export interface TakeEnd {
  /** The generator's performance so far. */
  log: PerformanceLog;
  model: string;
  tempos: readonly TempoEntry[];
  /** The internal clock's swing by tick (none: straight, or another clock). */
  swings?: readonly SwingEntry[];
  clock: 'internal' | 'midi';
  /** Where quit() cut the last step short, if it did. */
  cutAt: number | null;
  /** The pattern slots, written beside the take (`set.mid.slots.json`) for `loadSlots`; none when no slot holds a groove. */
  slots?: object | null;
  /** With more than one part: the first part's name and channel (the others are in `parts`). */
  first?: { name: string; channel: number | null };
}

export class Take {
  /** Null until the first step after `record()`. */
  recorder: MidiRecorder | null = null;
  /** The generator's tick the take starts at. */
  from = -1;
  bpm = 0;
  /** Time of the first recorded step. */
  origin = 0;
  /** The parts beside the first, each with its track and log lane (none: one part). */
  parts: PartTakes | null = null;
  /** What the first part's player sends to: the recorder, on the part's channel. */
  private sink: NoteSink | null = null;

  private constructor(
    readonly path: string,
    readonly name: string,
  ) {}

  /**
   * A take to `path` (`name` as the performer typed it), or beside it when that is taken
   * (by a file, a log, or `current`, the take in progress). Throws when it cannot be written.
   */
  static begin(path: string, name: string, current: Take | null): { take: Take; said: string } {
    checkWritable(path, name);
    const used = unusedPath(path, current);
    const take = new Take(used, renamed(name, path, used));
    const moved = used === path ? '' : `${show(name)} exists, so this take goes to ${show(take.name)} (the old one stays); `;
    return { take, said: `${moved}recording to ${take.name} from the next step; record() or stop() writes it` };
  }

  /**
   * Start recording at the step that plays at `time`, the generator's tick `tick`; the sink to
   * add to the player (the recorder, or `wrap` of it: on the part's channel), on a track `name`.
   */
  start(codec: Codec, bpm: number, time: number, tick: number, name?: string, wrap: (r: MidiRecorder) => NoteSink = (r) => r): NoteSink {
    this.recorder = sessionRecorder(codec, bpm, time, name);
    this.from = tick;
    this.bpm = bpm;
    this.origin = time;
    return (this.sink = wrap(this.recorder));
  }

  /**
   * Start recording every part at the clock's step `e`: the first part's track, and with more
   * parts each other's from its next step (which plays with the first part's tick that many
   * clock steps on).
   */
  startParts(parts: readonly Part[], e: StepEvent): void {
    const [first, ...others] = parts;
    const gen = first.generator;
    first.player.addSink(this.start(gen.codec, e.bpm, e.time, gen.ticks, others.length ? first.name : undefined, (r) => first.wrapRecorder(r)));
    if (others.length === 0) return;
    this.parts = new PartTakes(e.time, e.bpm);
    for (const p of others) this.parts.begin(p, gen.ticks + p.clock.nextOwned(e.step) - e.step);
  }

  /** End every note of the take at `time` and take no more; the sink to take off the player. */
  end(time: number): NoteSink | null {
    this.sink?.allNotesOff(time);
    this.recorder?.allNotesOff(time);
    this.recorder?.close();
    this.parts?.end(time);
    return this.sink;
  }

  /** Write the ended take and its log, each whole or not at all; says what was written. */
  async write(o: TakeEnd): Promise<string> {
    const recorder = this.recorder;
    if (!recorder) return `nothing recorded to ${this.name}: no step played since record()`;
    const lanes = this.parts?.logLanes() ?? [];
    const parts: PartsLogFields = lanes.length && o.first ? { parts: { first: o.first, others: lanes } } : {};
    const log: SessionLog = {
      ...o.log,
      // a log with parts is version 2 on disk (a reader of version 1 would miss them)
      ...(lanes.length ? { version: 2 as unknown as 1 } : {}),
      ...parts,
      session: {
        model: o.model,
        bpm: this.bpm,
        tempos: o.tempos.map((t) => ({ ...t })),
        from: this.from,
        clock: o.clock,
        ...(o.cutAt === null ? {} : { end: o.cutAt - this.origin }),
        ...(o.swings?.length ? { swings: o.swings.map((x) => ({ ...x })) } : {}),
      },
    };
    const tracks = [recorder, ...(this.parts?.tracks() ?? [])];
    const bytes = tracksFile(tracks.map((r) => r.toMidi()));
    const notes = tracks.reduce((n, r) => n + r.song().notes.length, 0);
    // another take (or program) may have written the name since record() chose it
    const path = unusedPath(this.path, null);
    const name = renamed(this.name, this.path, path);
    const moved = path === this.path ? '' : `${show(this.name)} appeared while recording, so this take goes to ${show(name)}; `;
    try {
      await writeAtomic(path, bytes);
      await writeAtomic(`${path}.log.json`, JSON.stringify(log));
      if (o.slots) await writeAtomic(`${path}.slots.json`, JSON.stringify(o.slots));
    } catch (e) {
      throw new CommandError(`cannot write ${show(name)} (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
    }
    return `${moved}wrote ${name} (${notes} notes over ${log.ticks - this.from} steps) and ${name}.log.json (pulse-rnn replay plays it again)${o.slots ? `; its slots in ${name}.slots.json (loadSlots reads them)` : ''}`;
  }
}

/** The name the performer gave (`name`, for `asked`), moved to the file `path` that was used. */
function renamed(name: string, asked: string, path: string): string {
  return path === asked ? name : join(dirname(name), basename(path));
}

/**
 * `path`, or the first of `stem-2.ext`, `stem-3.ext` … that neither exists nor has a log
 * beside it nor is the take in progress: a take on stage never overwrites another.
 */
function unusedPath(path: string, current: Take | null): string {
  const taken = (p: string) => existsSync(p) || existsSync(`${p}.log.json`) || current?.path === p;
  if (!taken(path)) return path;
  const ext = extname(path);
  const base = basename(path, ext);
  const m = /^(.*)-(\d+)$/.exec(base);
  const stem = m ? m[1] : base;
  for (let n = m ? Number(m[2]) + 1 : 2; ; n++) {
    const candidate = join(dirname(path), `${stem}-${n}${ext}`);
    if (!taken(candidate)) return candidate;
  }
}

function checkWritable(path: string, name: string): void {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new CommandError(`${show(name)} is a folder; name a file in it`);
    accessSync(dirname(path), constants.W_OK);
  } catch (e) {
    if (e instanceof CommandError) throw e;
    throw new CommandError(`cannot write ${show(name)}: its folder ${dirname(path)} is missing or not writable`);
  }
}
