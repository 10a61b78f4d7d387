/**
 * Standard MIDI Files out: one track of notes with an optional tempo map and time signature,
 * serialized by the `midi-file` library. At equal ticks note-offs come before note-ons, so a
 * note repeated back to back is never cut by its own predecessor's release.
 *
 * @example
 * const bytes = writeMidi({ ticksPerQuarter: 480, bpm: 120, notes: [{ tick: 0, note: 36, velocity: 100, channel: 9, durationTicks: 120 }] });
 * writeFileSync('out.mid', bytes);
 */
import { writeMidi as serialize } from 'midi-file';

export interface NoteOut {
  readonly tick: number;
  readonly note: number;
  readonly velocity: number;
  readonly channel: number;
  readonly durationTicks: number;
}

export interface SongOut {
  readonly ticksPerQuarter: number;
  /** A single tempo, or a tempo map (ticks → BPM). */
  readonly bpm?: number;
  readonly tempos?: readonly { tick: number; bpm: number }[];
  readonly timeSignature?: readonly [number, number];
  readonly trackName?: string;
  readonly notes: readonly NoteOut[];
}

type Ev = { tick: number; rank: number; ev: Record<string, unknown> };

export function writeMidi(song: SongOut): Uint8Array {
  const evs: Ev[] = [];
  if (song.trackName) evs.push({ tick: 0, rank: 0, ev: { type: 'trackName', text: song.trackName, meta: true } });
  if (song.timeSignature) {
    const [numerator, denominator] = song.timeSignature;
    evs.push({ tick: 0, rank: 0, ev: { type: 'timeSignature', numerator, denominator, metronome: 24, thirtyseconds: 8, meta: true } });
  }
  const tempos = song.tempos ?? (song.bpm ? [{ tick: 0, bpm: song.bpm }] : []);
  for (const t of tempos) {
    if (!(t.bpm > 0 && Number.isFinite(t.bpm))) throw new Error(`tempo ${t.bpm} BPM at tick ${t.tick} is not a positive number`);
    evs.push({ tick: t.tick, rank: 1, ev: { type: 'setTempo', microsecondsPerBeat: Math.round(60e6 / t.bpm), meta: true } });
  }
  for (const n of song.notes) {
    const bad = !Number.isInteger(n.tick) || n.tick < 0 || !(n.note >= 0 && n.note < 128) || !(n.channel >= 0 && n.channel < 16) || !(n.velocity >= 1 && n.velocity < 128) || !(n.durationTicks >= 0);
    if (bad) throw new Error(`cannot write note ${JSON.stringify(n)}: tick must be a whole number ≥ 0, note 0..127, velocity 1..127, channel 0..15`);
    evs.push({ tick: n.tick, rank: 3, ev: { type: 'noteOn', channel: n.channel, noteNumber: n.note, velocity: Math.round(n.velocity) } });
    evs.push({ tick: n.tick + Math.max(1, Math.round(n.durationTicks)), rank: 2, ev: { type: 'noteOff', channel: n.channel, noteNumber: n.note, velocity: 0 } });
  }
  evs.sort((a, b) => a.tick - b.tick || a.rank - b.rank);
  const track: Record<string, unknown>[] = [];
  let last = 0;
  for (const e of evs) {
    track.push({ deltaTime: e.tick - last, ...e.ev });
    last = e.tick;
  }
  track.push({ deltaTime: 0, type: 'endOfTrack', meta: true });
  const bytes = serialize({ header: { format: 0, numTracks: 1, ticksPerBeat: song.ticksPerQuarter }, tracks: [track] } as never, { running: false });
  return Uint8Array.from(bytes);
}
