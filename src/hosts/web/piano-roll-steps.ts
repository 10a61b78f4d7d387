/**
 * What a piano roll draws, read from a melodic or chord Generator: for every step on screen,
 * the pitches sounding through it and which of them start there. A note sounds from its onset
 * to its release (a melody's or a chord's held note) or for its length (an event model's), so
 * a held note is one bar across the steps it sounds. Steps the performer wrote show as
 * written until the generator has taken them in.
 *
 * Also what a click on a cell writes: the step's pitches with that one added or taken away, as
 * the model's encoding holds a step (a melody: one pitch or a rest; a chord: the set).
 *
 * @example
 * const roll = rollSteps(gen.played(), gen.upcomingNotes(), gen.edits, gen.step);
 * roll.get(gen.step)?.sounding;                  // pitches the next step sounds
 * gen.edit(s, toggledStep(gen.codec, roll.get(s)?.sounding ?? [], 64));
 */
import type { Codec } from '../../music/codecs.js';
import type { PlayedNote, PlayedRelease } from '../../music/generator.js';

/** One step of a roll: the pitches sounding, those struck at the step, and whether the performer wrote it. */
export interface RollStep {
  readonly sounding: readonly number[];
  readonly onsets: readonly number[];
  readonly upcoming: boolean;
  readonly edited: boolean;
}

/** What a step played or will play: its notes (the first `count`, when given) and releases. */
interface StepNotes {
  readonly step: number;
  readonly notes: readonly PlayedNote[];
  readonly count?: number;
  readonly releases: readonly PlayedRelease[];
  readonly releaseCount?: number;
}

/** A pitch → the step its note ends before (Infinity: until released). */
type Sounding = Map<number, number>;

/**
 * The steps played and the steps ahead, each with what sounds through it, oldest first;
 * `edits` (steps written and not yet played) replace the forecast of their steps.
 */
export function rollSteps(played: readonly StepNotes[], upcoming: readonly StepNotes[], edits: readonly { step: number; notes: readonly (number | string)[] }[], next: number): Map<number, RollStep> {
  const out = new Map<number, RollStep>();
  const sounding: Sounding = new Map();
  const written = new Map(edits.map((e) => [e.step, e.notes]));
  const walk = (s: StepNotes, ahead: boolean) => {
    for (const [p, end] of sounding) if (end <= s.step) sounding.delete(p);
    const releases = s.releaseCount ?? s.releases.length;
    for (let i = 0; i < releases; i++) sounding.delete(s.releases[i].note);
    const onsets: number[] = [];
    const count = s.count ?? s.notes.length;
    for (let i = 0; i < count; i++) {
      const n = s.notes[i];
      sounding.set(n.note, n.length === Infinity ? Infinity : s.step + Math.max(1, Math.ceil(n.length)));
      if (!onsets.includes(n.note)) onsets.push(n.note);
    }
    out.set(s.step, { sounding: [...sounding.keys()].sort((a, b) => a - b), onsets, upcoming: ahead, edited: false });
  };
  for (const s of played) if (s.step >= 0 && s.step < next) walk(s, false);
  for (const s of upcoming) if (s.step >= next) walk(s, true);
  for (const [step, notes] of written) {
    if (step < next) continue;
    const before = out.get(step - 1)?.sounding ?? [];
    const pitches = notes.filter((n): n is number => typeof n === 'number');
    const held = notes.includes('hold') ? before : [];
    const all = [...new Set([...held, ...pitches])].sort((a, b) => a - b);
    out.set(step, { sounding: all, onsets: pitches, upcoming: true, edited: true });
  }
  return out;
}

/**
 * The notes to write at a step that sounds `sounding`, with `pitch` toggled: a melody holds one
 * pitch (a click on the one sounding rests, on another plays it); a chord or event model, the
 * set with the pitch added or taken out.
 */
export function toggledStep(codec: Pick<Codec, 'name'>, sounding: readonly number[], pitch: number): (number | string)[] {
  const on = sounding.includes(pitch);
  if (codec.name === 'melody-grid') return on ? ['rest'] : [pitch];
  return on ? sounding.filter((p) => p !== pitch) : [...sounding, pitch].sort((a, b) => a - b);
}

/** The pitches a melodic model plays, low to high: its metadata's range, else the piano's 88 keys. */
export function pitchRange(meta: Record<string, unknown>): { low: number; high: number } {
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 128 ? v : null);
  const low = num(meta.minPitch) ?? num(meta.lowestKey) ?? 21;
  const high = num(meta.maxPitch) ?? num(meta.highestKey) ?? 108;
  return low <= high ? { low, high } : { low: 21, high: 108 };
}
