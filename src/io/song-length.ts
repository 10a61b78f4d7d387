/**
 * How long a song may be. Every encoding lays a song out one step (or one slot) at a time, so
 * a single far-out event (one delta of 2^28 ticks at 1 tick per quarter is 37 bytes of file)
 * would ask for a billion steps; the length is checked against one limit before anything is
 * allocated per step, and a song past it is refused with its file, its length and the event
 * that makes it long.
 *
 * @example
 * songSteps({ ticksPerQuarter: 480, endTick: 1920, notes: [] }, 4); // 17: steps 0..16
 * songLengthProblem(song, 4);  // null, or "x.mid: 1,073,741,821 steps long (…), more than …"
 * checkSongLength(song, 4);    // throws that text
 */
import type { MidiSong } from './midi-read.js';

/** The most steps a song may span, at whatever steps per quarter its encoding uses. */
export const MAX_SONG_STEPS = 1_000_000;

/** Steps per quarter of the house grid (16ths), used where no encoding is known yet. */
export const GRID_STEPS_PER_QUARTER = 4;

type SongExtent = Pick<MidiSong, 'ticksPerQuarter' | 'endTick' | 'notes'> & Partial<Pick<MidiSong, 'file' | 'timeSignatures'>>;

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n));

/** The latest tick a song reaches: its last event, or the end of its longest note. */
function lastTick(song: Pick<MidiSong, 'endTick' | 'notes'>): number {
  let last = song.endTick;
  for (const n of song.notes) if (n.tick + n.durationTicks > last) last = n.tick + n.durationTicks;
  return last;
}

/** Steps from step 0 to the step of the song's last tick, inclusive. */
export function songSteps(song: Pick<MidiSong, 'ticksPerQuarter' | 'endTick' | 'notes'>, stepsPerQuarter: number): number {
  return stepsFor(lastTick(song), song.ticksPerQuarter, stepsPerQuarter);
}

const stepsFor = (tick: number, ticksPerQuarter: number, stepsPerQuarter: number): number => Math.floor((tick * stepsPerQuarter) / ticksPerQuarter) + 1;

/**
 * Why a song is too long to encode at `stepsPerQuarter`, or null when it fits. `where` names the
 * event that ends the song (e.g. "track 2"), when the caller knows it.
 */
export function songLengthProblem(song: SongExtent, stepsPerQuarter: number, where?: string): string | null {
  const tick = lastTick(song);
  return lengthProblem(song.file ?? 'the song', tick, song.ticksPerQuarter, stepsPerQuarter, song.timeSignatures?.[0], where);
}

/** The same check from the numbers alone (the reader calls it before it builds any notes). */
export function lengthProblem(file: string, tick: number, ticksPerQuarter: number, stepsPerQuarter: number, timeSignature?: { tick: number; numerator: number; denominator: number }, where?: string): string | null {
  if (!(ticksPerQuarter > 0)) return `${file}: ${ticksPerQuarter} ticks per quarter note gives no event a place in time; a song needs a positive resolution (e.g. 480)`;
  const steps = stepsFor(tick, ticksPerQuarter, stepsPerQuarter);
  if (steps <= MAX_SONG_STEPS) return null;
  const sig = timeSignature && timeSignature.tick === 0 && timeSignature.numerator > 0 && timeSignature.denominator > 0 ? timeSignature : { numerator: 4, denominator: 4 };
  const stepsPerBar = (stepsPerQuarter * 4 * sig.numerator) / sig.denominator;
  const quarters = tick / ticksPerQuarter;
  return (
    `${file}: ${fmt(steps)} steps long (${fmt(steps / stepsPerBar)} bars of ${sig.numerator}/${sig.denominator} at ${stepsPerQuarter} steps per quarter), ` +
    `more than the ${fmt(MAX_SONG_STEPS)} steps a song may span; its last event${where ? ` (${where})` : ''} is at tick ${fmt(tick)}, ` +
    `${fmt(quarters)} quarter notes in at ${fmt(ticksPerQuarter)} tick(s) per quarter. Remove that event, or split the file into shorter songs`
  );
}

/** Throw `songLengthProblem` when the song is too long for `stepsPerQuarter`. */
export function checkSongLength(song: SongExtent, stepsPerQuarter: number): void {
  const why = songLengthProblem(song, stepsPerQuarter);
  if (why) throw new RangeError(why);
}
