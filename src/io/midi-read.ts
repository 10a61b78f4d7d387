/**
 * Standard MIDI Files in: any format-0 or format-1 file, any ticks per quarter, running status,
 * tempo maps. Parsing is done by the `midi-file` library; this module pairs note-ons with
 * note-offs and keeps what a musical encoding needs.
 *
 * @example
 * const song = readMidi(new Uint8Array(readFileSync('groove.mid')), 'groove.mid');
 * song.notes[0]; // { tick: 0, note: 36, velocity: 101, channel: 9, durationTicks: 60, track: 1 }
 */
import { parseMidi } from 'midi-file';

export interface MidiNote {
  /** Onset, in the file's ticks from the start. */
  readonly tick: number;
  readonly note: number;
  readonly velocity: number;
  /** Zero-based channel (9 is General MIDI drums). */
  readonly channel: number;
  readonly durationTicks: number;
  readonly track: number;
}

export interface TempoChange {
  readonly tick: number;
  readonly microsecondsPerQuarter: number;
}

export interface MidiSong {
  readonly file: string;
  readonly format: number;
  readonly ticksPerQuarter: number;
  /** Notes sorted by onset (stable: file order within a tick). */
  readonly notes: readonly MidiNote[];
  /** Sorted by tick; empty means the default 120 BPM. */
  readonly tempos: readonly TempoChange[];
  readonly timeSignatures: readonly { tick: number; numerator: number; denominator: number }[];
  readonly trackNames: readonly string[];
  /** The latest tick of any event. */
  readonly endTick: number;
}

/** Parse a Standard MIDI File. Throws an Error that names `file` and the problem. */
export function readMidi(bytes: Uint8Array, file: string): MidiSong {
  checkChunks(bytes, file);
  let parsed: ReturnType<typeof parseMidi>;
  try {
    parsed = parseMidi(bytes);
  } catch (e) {
    const why = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
    throw new Error(`${file}: not a readable MIDI file (${why})`);
  }
  const h = parsed.header;
  if (!h.ticksPerBeat) throw new Error(`${file}: SMPTE time division (${h.framesPerSecond} fps) is not supported; re-save with ticks per quarter note`);
  if (h.format === 2) throw new Error(`${file}: format 2 (independent sequences) is not supported`);
  const notes: (MidiNote & { order: number })[] = [];
  const tempos: TempoChange[] = [];
  const timeSignatures: { tick: number; numerator: number; denominator: number }[] = [];
  const trackNames: string[] = [];
  let endTick = 0;
  let order = 0;
  parsed.tracks.forEach((events, track) => {
    let tick = 0;
    const open = new Map<number, { tick: number; velocity: number; order: number }[]>();
    for (const e of events) {
      tick += e.deltaTime;
      if (e.type === 'noteOn' && e.velocity > 0) {
        const key = e.channel * 128 + e.noteNumber;
        const list = open.get(key) ?? [];
        list.push({ tick, velocity: e.velocity, order: order++ });
        open.set(key, list);
        continue;
      }
      if (e.type === 'noteOn' || e.type === 'noteOff') {
        // a note-on with velocity 0 is a note-off; it closes the oldest open note of that key
        const key = e.channel * 128 + e.noteNumber;
        const on = open.get(key)?.shift();
        if (on) notes.push({ tick: on.tick, note: e.noteNumber, velocity: on.velocity, channel: e.channel, durationTicks: tick - on.tick, track, order: on.order });
        continue;
      }
      switch (e.type) {
        case 'setTempo':
          tempos.push({ tick, microsecondsPerQuarter: e.microsecondsPerBeat });
          break;
        case 'timeSignature':
          timeSignatures.push({ tick, numerator: e.numerator, denominator: e.denominator });
          break;
        case 'trackName':
          trackNames[track] = e.text;
          break;
      }
    }
    endTick = Math.max(endTick, tick);
    // notes never released end with their track
    for (const [key, list] of open) {
      for (const on of list) notes.push({ tick: on.tick, note: key % 128, velocity: on.velocity, channel: key >> 7, durationTicks: tick - on.tick, track, order: on.order });
    }
  });
  notes.sort((a, b) => a.tick - b.tick || a.order - b.order);
  tempos.sort((a, b) => a.tick - b.tick);
  timeSignatures.sort((a, b) => a.tick - b.tick);
  return {
    file,
    format: h.format,
    ticksPerQuarter: h.ticksPerBeat,
    notes: notes.map(({ order: _o, ...n }) => n),
    tempos,
    timeSignatures,
    trackNames,
    endTick,
  };
}

/** The chunk structure, checked before parsing: the parser trusts lengths it should not. */
function checkChunks(bytes: Uint8Array, file: string): void {
  const fail = (why: string): never => {
    throw new Error(`${file}: not a readable MIDI file (${why})`);
  };
  const id = (o: number) => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]);
  const u32 = (o: number) => ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
  if (bytes.length < 14) fail(`${bytes.length} bytes is too short for a header`);
  if (id(0) !== 'MThd') fail(`starts with '${id(0).replace(/[^ -~]/g, '?')}', not 'MThd'`);
  const headLen = u32(4);
  if (headLen < 6 || 8 + headLen > bytes.length) fail(`header length ${headLen} does not fit the file`);
  const tracks = (bytes[10] << 8) | bytes[11];
  let o = 8 + headLen;
  let found = 0;
  while (o + 8 <= bytes.length && found < tracks) {
    const len = u32(o + 4);
    if (o + 8 + len > bytes.length) fail(`chunk '${id(o).replace(/[^ -~]/g, '?')}' at byte ${o} declares ${len} bytes, only ${bytes.length - o - 8} remain (truncated?)`);
    if (id(o) === 'MTrk') found++;
    o += 8 + len;
  }
  if (found < tracks) fail(`header promises ${tracks} track(s), the file holds ${found}`);
}
