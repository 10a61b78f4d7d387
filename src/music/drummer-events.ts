/**
 * The RNN-Drummer's events: (drum note, ticks since the previous hit) at 480 ticks per
 * quarter, both chosen from the app's fixed class tables; hits at the same moment have
 * delta 0. A note-events codec with those tables.
 *
 * Reading MIDI: the drum part (`drum-part.ts`; the whole file when it has none), onsets
 * re-timed to 480 ticks per quarter, delta = onset minus previous onset (the first from tick
 * 0). Files written by the Drummer's own writer (1-tick notes at 480 tpq) store each event
 * `delta − 1` ticks after the previous note-off, so for those the first delta is its onset + 1,
 * exactly inverting that writer. Notes outside the 17 classes go through the Drummer
 * converter's remap table or are dropped; deltas snap to the nearest class.
 *
 * Playing: each hit sounds for a 16th at velocity 100 on channel 10 (General MIDI drums; the
 * original files use zero-based channel 10, which synths read as channel 11).
 *
 * @example
 * const codec = drummerCodec();
 * codec.toNotes([[0, 0], [2, 120]]); // kick at 0, snare 120 tick classes later
 */
import type { MidiSong } from '../io/midi-read.js';
import { DRUMMER_NOTES, DRUMMER_TICKS, DRUMMER_TICKS_PER_QUARTER } from '../engine/drummer-format.js';
import { registerCodec, type Codec, type PlayOptions } from './codec.js';
import { findDrumPart, GM_DRUM_CHANNEL } from './drum-part.js';
import { noteEventsCodec } from './note-events.js';

/** The converter's own remap of non-GM notes, as in its training-data script. */
const REMAP: Record<number, number> = { 21: 44, 22: 42, 24: 46, 25: 46, 26: 46, 60: 46, 62: 44, 63: 42, 75: 41, 80: 47, 82: 48 };

const ownWriter = (song: MidiSong): boolean =>
  song.ticksPerQuarter === DRUMMER_TICKS_PER_QUARTER && song.notes.length > 0 && song.notes.every((n) => n.durationTicks === 1);

export function drummerCodec(play: PlayOptions = {}): Codec {
  return noteEventsCodec({
    name: 'drummer-events',
    heads: { pitch: DRUMMER_NOTES, delay: DRUMMER_TICKS },
    ticksPerQuarter: DRUMMER_TICKS_PER_QUARTER,
    remap: (n) => REMAP[n],
    firstEventIsPrimer: true,
    // lstm.py's sampler seeds with a kick at tick 0
    start: { pitch: 36, delay: 0 },
    firstDelayFrom: (song) => (ownWriter(song) ? -1 : 0),
    // the drum part; a file with none (the Drummer's own files use channel 11) is read whole
    part: (song) => findDrumPart(song)?.notes ?? song.notes,
    ...play,
    channel: play.channel ?? GM_DRUM_CHANNEL,
  });
}

registerCodec('drummer-events', (_spec, play) => drummerCodec(play));
