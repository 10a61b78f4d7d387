/**
 * Which notes of a song are its drum part. Channel 10 is the evidence a General MIDI file
 * gives (unless the file makes it a melodic part: a GS or XG SysEx, or the GM2 melodic bank
 * 121); without it a part (the notes of one channel in one track) is taken as drums only on
 * evidence as strong:
 *
 * - the file makes its channel a rhythm channel: bank select 120 (GM2 rhythm bank) or 127 (XG
 *   drum kits), or a GS "use for rhythm part" / XG "part mode" SysEx;
 * - its track is named for drums (Drums, Percussion, Kit, Kick, Snare, Hi-hat, …) and at least
 *   half its notes are General MIDI drum notes;
 * - its notes look like a drum kit played (the weaker rule, `byStatistics`): at least 16 notes,
 *   95% on GM drum notes, 60% on the few a kit keeps time with (kicks, snares, hi-hats, ride),
 *   a quarter of its kicks struck with a cymbal and a fifth of its cymbal hits without a kick,
 *   at least three drum voices, and at most 10% of notes longer than a quarter.
 *   A melody whose pitches happen to lie in the percussion range fails on one or the other: a
 *   chordal part moves through its scale (under half its notes on those few), and a line that
 *   dwells on them (a bass in E or B can) strikes no cymbal note together with a kick note,
 *   and a left hand of B–F♯ fifths (a "kick" and a "hi-hat" at once) never strikes its
 *   "hi-hat" alone.
 *   Files found this way are flagged so a user can check them.
 *
 * A program change alone is no evidence: the GM percussive programs (Agogo, Steel Drums,
 * Woodblock, Taiko, Melodic Tom, Synth Drum) are pitched instruments, and GS and GM2 kits are
 * chosen by program only on a channel already made a rhythm channel.
 *
 * The weaker rule's thresholds were measured on the Groove MIDI Dataset with its drums moved
 * off channel 10 and their track names removed (395 of its 503 beats found; of its 647 fills,
 * mostly under 16 notes and without a kick, 90) and on 200 pieces of chorales, folk tunes,
 * piano and orchestral music in all twelve keys, written on other channels without names
 * (none taken: their chordal parts put at most 0.45 of their notes on the time-keeping notes,
 * their single lines up to 0.62 but never a kick with a cymbal). test/drum-part.test.ts
 * measures it again.
 *
 * @example
 * const part = findDrumPart(song);
 * part?.how;          // 'channel 10', "track named 'Drums'", 'a rhythm bank or SysEx', 'drum-like notes (…)'
 * part?.where;        // e.g. 'bank select 127 on channel 2', 'channel 1 of track 2'
 * part?.byStatistics; // true when only the notes' statistics said so: worth checking by ear
 * melodicNotes(song);   // every note outside the drum part
 * melodyPart(song);     // what a melody model reads: those notes, or every note of a file that is all drum part
 */
import type { MidiNote, MidiSong } from '../io/midi-read.js';
import { DRUM_CLASSES, drumClassOf } from './drum-map.js';

export const GM_DRUM_CHANNEL = 9;

export interface DrumPart {
  readonly notes: MidiNote[];
  /** How it was found, one of a few kinds, for counting in a summary. */
  readonly how: string;
  /** Where in the file: the channels, tracks, names or setup messages. */
  readonly where: string;
  /** Found only by the notes' statistics (no channel 10, name, program or bank). */
  readonly byStatistics: boolean;
}

/** Statistics of one part's notes that tell a drum kit from a melody. */
interface PartStatistics {
  readonly notes: number;
  /** Share of notes on General MIDI drum notes (those the drum map folds into a class). */
  readonly drumNotes: number;
  /** Share on the notes a kit keeps time with: kicks, snares, hi-hats, ride. */
  readonly timekeepers: number;
  /** Share of kick onsets struck together with a hi-hat, ride or crash. */
  readonly kickWithCymbal: number;
  /** Share of cymbal hits with no kick struck with them (a kit's hi-hat keeps time between the kicks). */
  readonly cymbalsAlone: number;
  /** Share of notes held for longer than a quarter note. */
  readonly long: number;
  /** Drum classes (kick, snare, closed hat, …) that hold at least 3% of the notes each. */
  readonly voices: number;
}

/** A track name that says drums, in the words DAWs and notation programs use. */
const DRUM_NAME = /\b(drums?|drum ?kit|kit(?!['’])|percussion|perc|kick|bass ?drum|snare|hi-?hats?|cymbals?|batterie|schlagzeug|bater[ií]a|batteria)\b/i;

const KICKS = new Set([35, 36]);
// e-kits (the Groove data's Roland among them) also send 22 and 26 for hi-hat edge hits
const TIMEKEEPERS = new Set([22, 26, 35, 36, 37, 38, 40, 42, 44, 46, 51, 53, 59]);
const CYMBALS = new Set([22, 26, 42, 44, 46, 49, 51, 52, 53, 55, 57, 59]);

/** The weaker rule's thresholds (see the module comment for where they come from). */
const DRUM_STATISTICS = {
  minNotes: 16,
  minDrumNotes: 0.95,
  minTimekeepers: 0.6,
  minKickWithCymbal: 0.25,
  minCymbalsAlone: 0.2,
  maxLong: 0.1,
  minVoices: 3,
} as const;

/** Statistics of one part; `notes` in onset order, as the reader gives them. */
function partStatistics(notes: readonly MidiNote[], ticksPerQuarter: number): PartStatistics {
  const n = notes.length;
  if (n === 0) return { notes: 0, drumNotes: 0, timekeepers: 0, kickWithCymbal: 0, cymbalsAlone: 0, long: 0, voices: 0 };
  let drum = 0;
  let keep = 0;
  let long = 0;
  const perClass = new Array(DRUM_CLASSES.length).fill(0);
  for (const x of notes) {
    const c = drumClassOf(x.note);
    if (c >= 0) (drum++, perClass[c]++);
    if (TIMEKEEPERS.has(x.note)) keep++;
    if (x.durationTicks > ticksPerQuarter) long++;
  }
  // a kick struck with a cymbal: one within a 32nd either side (a played kit is not quantized)
  const near = ticksPerQuarter / 8;
  const cymbalTicks = notes.filter((x) => CYMBALS.has(x.note)).map((x) => x.tick);
  const kickTicks = notes.filter((x) => KICKS.has(x.note)).map((x) => x.tick);
  const together = (at: number[], other: number[]): number => {
    let hits = 0;
    let j = 0;
    for (const t of at) {
      while (j < other.length && other[j] < t - near) j++;
      if (j < other.length && other[j] <= t + near) hits++;
    }
    return hits;
  };
  const kicks = kickTicks.length;
  const kickCym = together(kickTicks, cymbalTicks);
  const cymbalsAlone = cymbalTicks.length ? 1 - together(cymbalTicks, kickTicks) / cymbalTicks.length : 0;
  return { notes: n, drumNotes: drum / n, timekeepers: keep / n, kickWithCymbal: kicks ? kickCym / kicks : 0, cymbalsAlone, long: long / n, voices: perClass.filter((k) => k >= 0.03 * n).length };
}

/** Whether statistics alone make a part a drum kit. */
function looksLikeDrums(s: PartStatistics): boolean {
  const t = DRUM_STATISTICS;
  return s.notes >= t.minNotes && s.drumNotes >= t.minDrumNotes && s.timekeepers >= t.minTimekeepers && s.kickWithCymbal >= t.minKickWithCymbal && s.cymbalsAlone >= t.minCymbalsAlone && s.long <= t.maxLong && s.voices >= t.minVoices;
}

/** Channels the file makes rhythm channels by bank (GM2 120, XG 127) or SysEx, with how. */
function rhythmChannels(song: MidiSong): Map<number, string> {
  const out = new Map<number, string>();
  for (const c of song.channelSetup ?? []) {
    if (c.kind === 'bank' && (c.value === 120 || c.value === 127)) out.set(c.channel, `bank select ${c.value} on channel ${c.channel + 1}`);
    else if (c.kind === 'bank') out.delete(c.channel);
    else if (c.kind === 'rhythm-part') {
      if (c.value > 0) out.set(c.channel, `a rhythm-part SysEx for channel ${c.channel + 1}`);
      else out.delete(c.channel);
    }
  }
  return out;
}

/**
 * Whether the file itself makes channel 10 a melodic part: a GS or XG SysEx that sets part 10
 * to a normal part, or the GM2 melodic bank (121). A bank select 0, which a GS reset sends to
 * every channel, is not enough: on a GS synth channel 10 stays a kit.
 */
function channel10Melodic(song: MidiSong): boolean {
  let melodic = false;
  for (const c of song.channelSetup ?? []) {
    if (c.channel !== GM_DRUM_CHANNEL) continue;
    if (c.kind === 'rhythm-part') melodic = c.value === 0;
    else if (c.kind === 'bank' && c.value === 121) melodic = true;
    else if (c.kind === 'bank' && (c.value === 120 || c.value === 127)) melodic = false;
  }
  return melodic;
}

/** The song's drum part, or null when nothing is strong evidence of one. */
export function findDrumPart(song: MidiSong): DrumPart | null {
  const ch10 = channel10Melodic(song) ? [] : song.notes.filter((n) => n.channel === GM_DRUM_CHANNEL);
  if (ch10.length > 0) return { notes: ch10, how: 'channel 10', where: 'channel 10', byStatistics: false };
  if (song.notes.length === 0) return null;
  const rhythm = rhythmChannels(song);
  const byRhythm = song.notes.filter((n) => rhythm.has(n.channel));
  if (byRhythm.length > 0) return { notes: byRhythm, how: 'a rhythm bank or SysEx', where: [...new Set(byRhythm.map((n) => rhythm.get(n.channel)))].join(', '), byStatistics: false };
  // parts: one channel of one track
  const parts = new Map<string, MidiNote[]>();
  for (const n of song.notes) {
    const key = `${n.track}:${n.channel}`;
    const list = parts.get(key);
    if (list) list.push(n);
    else parts.set(key, [n]);
  }
  const named = new Set<string>();
  const names = new Set<string>();
  const drumLike = new Set<string>();
  const where: string[] = [];
  for (const [key, notes] of parts) {
    const { track, channel } = notes[0];
    const name = song.trackNames[track] ?? '';
    const stats = partStatistics(notes, song.ticksPerQuarter);
    if (DRUM_NAME.test(name) && stats.drumNotes >= 0.5) {
      named.add(key);
      names.add(name);
    } else if (looksLikeDrums(stats)) {
      drumLike.add(key);
      where.push(`channel ${channel + 1} of track ${track + 1}`);
    }
  }
  // in file order, as the reader sorted them
  const of = (keys: Set<string>) => song.notes.filter((n) => keys.has(`${n.track}:${n.channel}`));
  if (named.size) {
    const all = [...names].map((n) => `'${shown(n)}'`);
    const label = `track named ${all.length > 3 ? `${all.slice(0, 3).join(', ')} and ${all.length - 3} more` : all.join(', ')}`;
    return { notes: of(named), how: label, where: label, byStatistics: false };
  }
  if (drumLike.size) return { notes: of(drumLike), how: 'drum-like notes (no channel 10, drum name, rhythm bank or SysEx)', where: where.length > 3 ? `${where.slice(0, 3).join(', ')} and ${where.length - 3} more` : where.join(', '), byStatistics: true };
  return null;
}

/**
 * The notes a drum codec reads from a song (to prime or score with): its drum part, or every
 * note when it has none, since the performer chose the file for a drum model. What was assumed
 * goes into `warnings`.
 */
export function drumNotesToRead(song: MidiSong, warnings: string[]): readonly MidiNote[] {
  const part = findDrumPart(song);
  if (part?.byStatistics) warnings.push(`${song.file}: nothing on channel 10; reading ${part.where} as drums because its notes look like a kit`);
  if (part) return part.notes;
  if (song.notes.length > 0) warnings.push(`${song.file}: no drum part (nothing on channel 10, no drum track name, rhythm bank or drum-like notes); reading every channel as drums`);
  return song.notes;
}

/**
 * A track name as the summaries print it: a file's name can hold anything, and a terminal
 * obeys the escapes in it (clear the screen, retitle the window), so control characters show
 * as "?" and a long name is cut.
 */
function shown(name: string): string {
  const safe = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return safe.length > 40 ? `${safe.slice(0, 40)}…` : safe;
}

/** Every note of the song outside its drum part (what melodic encodings read). */
export function melodicNotes(song: MidiSong): MidiNote[] {
  const part = findDrumPart(song);
  return part ? notesOutside(song, part) : song.notes.slice();
}

/** The song's notes that are not in `part`, in file order. */
function notesOutside(song: MidiSong, part: DrumPart): MidiNote[] {
  const drums = new Set(part.notes);
  return song.notes.filter((n) => !drums.has(n));
}

/**
 * The notes a melodic model reads from a file a performer chose: those outside the drum part;
 * but when the drum part holds every note (a tune written on channel 10 by a converter that
 * numbers channels by track), all of them, with a warning, as a drum model reads every channel
 * of a file without drums. Datasets keep to `melodicNotes`: they never train a melody on drums.
 */
export function melodyPart(song: MidiSong): { notes: MidiNote[]; warning: string | null } {
  const part = findDrumPart(song);
  if (!part) return { notes: song.notes.slice(), warning: null };
  if (part.notes.length < song.notes.length) return { notes: notesOutside(song, part), warning: null };
  return { notes: song.notes.slice(), warning: `${song.file}: every note is in the drum part (${part.where}); reading them as the melody, as the file holds nothing else (if they are drums, use a drum model)` };
}
