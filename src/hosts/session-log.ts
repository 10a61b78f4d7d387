/**
 * What a live recording leaves beside its MIDI file: the Generator's performance log (options,
 * every control with the tick it applied at, ticks played) plus what the host knows and the
 * generator does not: which model played, the tempo map by tick, and the tick the recording
 * started at. `pulse-rnn replay` reads it back and plays the recorded ticks again note for note.
 *
 * @example
 * const log: SessionLog = { ...gen.log, session: { model: '/abs/weights/drums-gmd', bpm: 120, tempos: [{ tick: 0, bpm: 120 }], from: 32, clock: 'internal' } };
 * await writeAtomic('set.mid.log.json', JSON.stringify(log));
 * const again = parseSessionLog(readFileSync('set.mid.log.json', 'utf8'), 'set.mid.log.json');
 */
import type { Codec } from '../music/codec.js';
import type { PerformanceLog } from '../music/generator.js';
import { MidiRecorder } from '../io/recorder.js';
import { checkValue } from '../music/controls.js';
import { checkLane, type PartsLogFields } from '../music/parts.js';

/**
 * A tempo from a tick on. With `pulse`, it began at that pulse of the tick's step, after the
 * step was handed out (a change that took effect at once); without, at the step's start.
 */
export interface TempoEntry {
  tick: number;
  pulse?: number;
  bpm: number;
  /**
   * Steps handed out when the change came: a replay makes it between the same two steps, in
   * the log's order, so two changes in one step (or one at a step not yet handed out) come out
   * as they did. Older logs have none.
   */
  at?: number;
}

/**
 * The internal clock's swing from a tick on. `step` is the clock's step that tick went out as:
 * swing moves every second 16th of the clock's count, and a take may start on either.
 */
export interface SwingEntry {
  tick: number;
  swing: number;
  step: number;
}

export interface SessionInfo {
  /** Where the model was loaded from (absolute for folders). */
  model: string;
  /** Tempo at tick `from`. */
  bpm: number;
  /** Every tempo in effect from a tick on, oldest first (the first at tick 0). */
  tempos: TempoEntry[];
  /** First tick in the recording. */
  from: number;
  /** 'internal', or 'midi' when the tempo came from an external clock (then only approximated). */
  clock: 'internal' | 'midi';
  /** Seconds from the first recorded step to where quit() ended every note, when that was before the last step's end. */
  end?: number;
  /** The swing from each tick on, oldest first (none: straight throughout). */
  swings?: SwingEntry[];
}

/**
 * A log as read: the first part's performance log (version 1's shape), with every other part's
 * lane in `parts`. On disk a log with parts is version 2; `parseSessionLog` reads both.
 */
export interface SessionLog extends PerformanceLog, PartsLogFields {
  session?: SessionInfo;
}

/** Parse and check a log file's text; errors name the file and what is wrong. */
export function parseSessionLog(text: string, file: string): SessionLog {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  const log = json as SessionLog;
  if (!log || typeof log !== 'object' || log.format !== 'pulse-rnn-performance') throw new Error(`${file}: not a pulse-rnn performance log (no "format": "pulse-rnn-performance")`);
  const version = log.version as number;
  if (version !== 1 && version !== 2) throw new Error(`${file}: performance log version ${JSON.stringify(log.version)} is not supported (this reads versions 1 and 2)`);
  if (version === 2) {
    checkParts(log.parts, file);
    // the first part's log, as one part's is
    log.version = 1;
  } else delete log.parts;
  if (!Array.isArray(log.entries)) throw new Error(`${file}: "entries" must be a list`);
  if (!(Number.isInteger(log.ticks) && log.ticks >= 0)) throw new Error(`${file}: "ticks" must be a whole number ≥ 0, got ${JSON.stringify(log.ticks)}`);
  if (typeof log.options !== 'object' || log.options === null) throw new Error(`${file}: "options" must be an object`);
  const s = log.session;
  if (s !== undefined) {
    if (typeof s.model !== 'string') throw new Error(`${file}: "session.model" must be a string`);
    if (!(Number.isInteger(s.from) && s.from >= 0 && s.from <= log.ticks)) throw new Error(`${file}: "session.from" must be a tick from 0 to ${log.ticks}, got ${JSON.stringify(s.from)}`);
    if (!isBpm(s.bpm)) throw new Error(`${file}: "session.bpm" must be in [1, 999], got ${JSON.stringify(s.bpm)}`);
    if (s.end !== undefined && !(typeof s.end === 'number' && Number.isFinite(s.end) && s.end >= 0)) throw new Error(`${file}: "session.end" must be a number of seconds ≥ 0, got ${JSON.stringify(s.end)}`);
    if (!Array.isArray(s.tempos) || !s.tempos.every((t) => Number.isInteger(t?.tick) && t.tick >= 0 && isBpm(t.bpm) && (t.pulse === undefined || (Number.isInteger(t.pulse) && t.pulse >= 0 && t.pulse < 96)) && (t.at === undefined || (Number.isInteger(t.at) && t.at >= 0)))) {
      throw new Error(`${file}: "session.tempos" must list { tick, bpm } (and a pulse 0..95 within the tick and the steps handed out before it, if any) with bpm in [1, 999]`);
    }
    if (s.swings !== undefined) checkSwings(s.swings, file);
  }
  return log;
}

/** A version 2 log's parts: the first's name and channel, and each other part's lane. */
function checkParts(parts: unknown, file: string): void {
  const p = parts as SessionLog['parts'];
  if (!p || typeof p !== 'object' || !p.first || typeof p.first.name !== 'string' || !Array.isArray(p.others)) throw new Error(`${file}: "parts" must be { first: { name, channel }, others: [lanes] } in a version 2 log`);
  p.others.forEach((lane, i) => checkLane(lane, `${file}: "parts.others[${i}]"`));
}

/** Each swing entry: a tick and a clock step (whole numbers ≥ 0) and a swing in the table's range; the message names the entry and the value. */
function checkSwings(swings: unknown, file: string): void {
  if (!Array.isArray(swings)) throw new Error(`${file}: "session.swings" must be a list of { tick, swing, step }`);
  swings.forEach((e: Partial<SwingEntry> | null, i) => {
    const where = `${file}: "session.swings[${i}]"`;
    if (typeof e !== 'object' || e === null) throw new Error(`${where} must be { tick, swing, step }, got ${JSON.stringify(e)}`);
    for (const k of ['tick', 'step'] as const) if (!(Number.isInteger(e[k]) && (e[k] as number) >= 0)) throw new Error(`${where}.${k} must be a whole number ≥ 0, got ${JSON.stringify(e[k])}`);
    try {
      checkValue('swing', e.swing);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
  });
}

const isBpm = (v: unknown): v is number => typeof v === 'number' && v >= 1 && v <= 999;

/** Steps per quarter note of a codec (4 for 16ths). */
export function stepsPerQuarter(codec: Codec): number {
  return codec.ticksPerQuarter / codec.ticksPerStep;
}

/**
 * The recorder a live session and a replay both use, so the two files agree: tick 0 at the
 * first recorded step, the bar's time signature, 480 ticks per quarter.
 */
export function sessionRecorder(codec: Codec, bpm: number, origin: number, trackName = 'pulse-rnn'): MidiRecorder {
  const spq = stepsPerQuarter(codec);
  const bar = codec.stepsPerBar;
  const sixteenths = bar * (4 / spq);
  // a file's denominator is a power of two: quarters, else 16ths, else none at all
  const timeSignature: [number, number] | undefined = Number.isInteger(bar / spq) ? [bar / spq, 4] : Number.isInteger(sixteenths) ? [sixteenths, 16] : undefined;
  return new MidiRecorder({ bpm, origin, timeSignature, trackName });
}
