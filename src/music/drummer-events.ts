/**
 * The RNN-Drummer's events: (drum note, ticks since the previous hit) at 480 ticks per
 * quarter, both chosen from fixed class tables. Hits at the same moment have delta 0.
 *
 * Reading MIDI: onsets in time order, re-timed to 480 ticks per quarter, delta = onset minus
 * previous onset (the first from tick 0). Files written by the Drummer's own writer
 * (1-tick notes at 480 tpq) store each event `delta − 1` ticks after the previous note-off,
 * so for those the first event's delta is its onset + 1, exactly inverting that writer.
 * Notes outside the 17 classes go through the Drummer's own remap table or are dropped;
 * deltas go to the nearest tick class.
 *
 * @example
 * const codec = drummerCodec();
 * codec.toNotes([[0, 0], [2, 120]]); // kick at 0, snare at tick 120
 */
import type { MidiSong } from '../io/midi-read.js';
import type { NoteOut } from '../io/midi-write.js';
import { DRUMMER_NOTES, DRUMMER_TICKS, DRUMMER_TICKS_PER_QUARTER } from '../engine/drummer-format.js';
import { registerCodec, type Codec, type EncodedSong } from './codec.js';
import { GM_DRUM_CHANNEL } from './drum-grid.js';

/** The converter's own remap of non-GM notes, as in its training-data script. */
const REMAP: Record<number, number> = { 21: 44, 22: 42, 24: 46, 25: 46, 26: 46, 60: 46, 62: 44, 63: 42, 75: 41, 80: 47, 82: 48 };

const TPQ = DRUMMER_TICKS_PER_QUARTER;

function nearestTick(delta: number): number {
  let best = 0;
  for (let i = 1; i < DRUMMER_TICKS.length; i++) {
    if (Math.abs(DRUMMER_TICKS[i] - delta) < Math.abs(DRUMMER_TICKS[best] - delta)) best = i;
  }
  return best;
}

export interface DrummerOptions {
  velocity?: number;
  durationTicks?: number;
  channel?: number;
}

export function drummerCodec(o: DrummerOptions = {}): Codec {
  const velocity = o.velocity ?? 100;
  const duration = o.durationTicks ?? TPQ / 4;
  const channel = o.channel ?? GM_DRUM_CHANNEL;
  return {
    name: 'drummer-events',
    ticksPerQuarter: TPQ,
    firstEventIsPrimer: true,
    startEvent: () => [DRUMMER_NOTES.indexOf(36), DRUMMER_TICKS.indexOf(0)],
    inputs(prev, _t, out) {
      out[0] = prev[0];
      out[1] = prev[1];
    },
    fromSong(song: MidiSong): EncodedSong {
      const warnings: string[] = [];
      const scale = TPQ / song.ticksPerQuarter;
      const ownWriter = song.ticksPerQuarter === TPQ && song.notes.length > 0 && song.notes.every((n) => n.durationTicks === 1);
      const events: number[][] = [];
      const dropped = new Map<number, number>();
      let off = 0;
      let prev = ownWriter ? -1 : 0;
      for (const n of song.notes) {
        const note = DRUMMER_NOTES.includes(n.note) ? n.note : REMAP[n.note];
        if (note === undefined) {
          dropped.set(n.note, (dropped.get(n.note) ?? 0) + 1);
          continue;
        }
        const at = Math.round(n.tick * scale);
        const delta = at - prev;
        prev = at;
        const k = nearestTick(delta);
        off = Math.max(off, Math.abs(DRUMMER_TICKS[k] - delta));
        events.push([DRUMMER_NOTES.indexOf(note), k]);
      }
      for (const [note, count] of dropped) warnings.push(`${song.file}: note ${note} has no Drummer class; ${count} hit(s) dropped`);
      if (off > 0) warnings.push(`${song.file}: some deltas are not Drummer tick classes; moved by up to ${off} ticks`);
      return { events, warnings };
    },
    toNotes(events): NoteOut[] {
      let tick = 0;
      return events.map((e) => {
        tick += DRUMMER_TICKS[e[1]];
        return { tick, note: DRUMMER_NOTES[e[0]], velocity, channel, durationTicks: duration };
      });
    },
    grid(events) {
      // one row per note that occurs, 16th-note columns
      const notes = this.toNotes(events);
      const used = [...new Set(notes.map((n) => n.note))].sort((a, b) => a - b);
      const cols = Math.ceil((notes.length ? notes[notes.length - 1].tick + 1 : 0) / (TPQ / 4));
      return used
        .map((note) => {
          const row: string[] = Array.from({ length: cols }, (_, c) => (c % 4 === 0 ? '.' : ' '));
          for (const n of notes) if (n.note === note) row[Math.round(n.tick / (TPQ / 4))] = 'x';
          return `${String(note).padEnd(11)}${row.map((ch, c) => (c > 0 && c % 16 === 0 ? '|' : '') + ch).join('')}`;
        })
        .join('\n');
    },
  };
}

registerCodec('drummer-events', () => drummerCodec());
