/**
 * Standard MIDI Files in: any format-0 or format-1 file, any ticks per quarter, running status,
 * tempo maps. Parsing is done by the `midi-file` library; this module pairs note-ons with
 * note-offs and keeps what a musical encoding needs.
 *
 * @example
 * const song = readMidi(new Uint8Array(readFileSync('groove.mid')), 'groove.mid');
 * song.notes[0]; // { tick: 0, note: 36, velocity: 101, channel: 9, durationTicks: 60, track: 1 }
 */
import { parseMidi, type MidiData, type MidiEvent } from 'midi-file';
import { GRID_STEPS_PER_QUARTER, lengthProblem } from './song-length.js';

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

/**
 * What a file says about a channel's sound, in file order: a bank select (controller 0, its
 * value), a program change (0-based program), or a rhythm part declared by SysEx (GS "use for
 * rhythm part", XG "part mode"; value 0 means the part is melodic again).
 */
export interface ChannelSetup {
  readonly tick: number;
  readonly track: number;
  readonly channel: number;
  readonly kind: 'bank' | 'program' | 'rhythm-part';
  readonly value: number;
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
  /** Bank selects, program changes and rhythm-part SysEx, sorted by tick (the reader always fills it). */
  readonly channelSetup?: readonly ChannelSetup[];
  /** The latest tick of any event. */
  readonly endTick: number;
}

/** Parse a Standard MIDI File. Throws an Error that names `file` and the problem. */
export function readMidi(bytes: Uint8Array, file: string): MidiSong {
  const parsed = parseChecked(bytes, file);
  const h = parsed.header;
  const ticksPerQuarter = h.ticksPerBeat as number; // checkChunks refused SMPTE and 0
  refuseTooLong(parsed, file, ticksPerQuarter);
  const g: Gathered = { notes: [], tempos: [], timeSignatures: [], trackNames: [], channelSetup: [], endTick: 0, order: 0 };
  parsed.tracks.forEach((events, track) => readTrack(events, track, g));
  g.notes.sort((a, b) => a.tick - b.tick || a.order - b.order);
  g.tempos.sort((a, b) => a.tick - b.tick);
  g.timeSignatures.sort((a, b) => a.tick - b.tick);
  g.channelSetup.sort((a, b) => a.tick - b.tick);
  return {
    file,
    format: h.format,
    ticksPerQuarter,
    notes: g.notes.map(({ order: _o, ...n }) => n),
    tempos: g.tempos,
    timeSignatures: g.timeSignatures,
    trackNames: g.trackNames,
    channelSetup: g.channelSetup,
    endTick: g.endTick,
  };
}

/** The file parsed by the library, after checkChunks; the library's own complaint is passed on with what to do. */
function parseChecked(bytes: Uint8Array, file: string): MidiData {
  const layout = checkChunks(bytes, file);
  try {
    return parseMidi(layout.bytes);
  } catch (e) {
    const why = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
    throw new Error(`${file}: not a readable MIDI file (${why}); re-save it as a Standard MIDI File (.mid) from the program that made it`);
  }
}

/**
 * Refuses a file whose last event lies too far out to lay on a grid. The length is known from
 * the deltas alone, so this comes before anything is built per note or step.
 */
function refuseTooLong(parsed: MidiData, file: string, ticksPerQuarter: number): void {
  let far = { tick: 0, track: 0 };
  let meter: { tick: number; numerator: number; denominator: number } | undefined;
  parsed.tracks.forEach((events, track) => {
    let tick = 0;
    for (const e of events) {
      tick += e.deltaTime;
      if (e.type === 'timeSignature' && tick === 0) meter ??= { tick, numerator: e.numerator, denominator: e.denominator };
    }
    if (tick > far.tick) far = { tick, track };
  });
  const tooLong = lengthProblem(file, far.tick, ticksPerQuarter, GRID_STEPS_PER_QUARTER, meter, `on track ${far.track + 1} of ${parsed.tracks.length}`);
  if (tooLong) throw new RangeError(tooLong);
}

/** What the tracks hold, gathered across them in file order. */
interface Gathered {
  readonly notes: (MidiNote & { order: number })[];
  readonly tempos: TempoChange[];
  readonly timeSignatures: { tick: number; numerator: number; denominator: number }[];
  readonly trackNames: string[];
  readonly channelSetup: ChannelSetup[];
  endTick: number;
  /** The next note-on's place in the whole file, which orders notes that start on one tick. */
  order: number;
}

/** One track's notes (each note-on paired with its note-off) and the tempo, meter, name and channel setup it holds. */
function readTrack(events: readonly MidiEvent[], track: number, g: Gathered): void {
  let tick = 0;
  const open = new Map<number, { tick: number; velocity: number; order: number }[]>();
  for (const e of events) {
    tick += e.deltaTime;
    if (e.type === 'noteOn' && e.velocity > 0) {
      const key = e.channel * 128 + e.noteNumber;
      const list = open.get(key) ?? [];
      list.push({ tick, velocity: e.velocity, order: g.order++ });
      open.set(key, list);
      continue;
    }
    if (e.type === 'noteOn' || e.type === 'noteOff') {
      // a note-on with velocity 0 is a note-off; it closes the oldest open note of that key
      const key = e.channel * 128 + e.noteNumber;
      const on = open.get(key)?.shift();
      if (on) g.notes.push({ tick: on.tick, note: e.noteNumber, velocity: on.velocity, channel: e.channel, durationTicks: tick - on.tick, track, order: on.order });
      continue;
    }
    readOtherEvent(e, tick, track, g);
  }
  g.endTick = Math.max(g.endTick, tick);
  // notes never released end with their track
  for (const [key, list] of open) {
    for (const on of list) g.notes.push({ tick: on.tick, note: key % 128, velocity: on.velocity, channel: key >> 7, durationTicks: tick - on.tick, track, order: on.order });
  }
}

/** An event other than a note: kept when it is a tempo, a meter, a track name or part of a channel's setup. */
function readOtherEvent(e: MidiEvent, tick: number, track: number, g: Gathered): void {
  switch (e.type) {
    case 'setTempo':
      g.tempos.push({ tick, microsecondsPerQuarter: e.microsecondsPerBeat });
      break;
    case 'timeSignature':
      g.timeSignatures.push({ tick, numerator: e.numerator, denominator: e.denominator });
      break;
    case 'trackName':
      g.trackNames[track] = e.text;
      break;
    case 'controller':
      if (e.controllerType === 0) g.channelSetup.push({ tick, track, channel: e.channel, kind: 'bank', value: e.value });
      break;
    case 'programChange':
      g.channelSetup.push({ tick, track, channel: e.channel, kind: 'program', value: e.programNumber });
      break;
    case 'sysEx': {
      const part = rhythmPart(e.data);
      if (part) g.channelSetup.push({ tick, track, ...part, kind: 'rhythm-part' });
      break;
    }
  }
}

/**
 * A SysEx message (without its F0) that makes a part a rhythm part: Roland GS "use for rhythm
 * part" (address 40 1x 15; block x is part 10 for 0, parts 1-9 for 1-9, parts 11-16 for A-F),
 * or Yamaha XG "part mode" (address 08 pp 07; part pp on channel pp by default).
 */
function rhythmPart(d: ArrayLike<number>): { channel: number; value: number } | null {
  if (d.length >= 8 && d[0] === 0x41 && d[2] === 0x42 && d[3] === 0x12 && d[4] === 0x40 && (d[5] & 0xf0) === 0x10 && d[6] === 0x15) {
    const block = d[5] & 0x0f;
    return { channel: block === 0 ? 9 : block <= 9 ? block - 1 : block, value: d[7] };
  }
  if (d.length >= 7 && d[0] === 0x43 && (d[1] & 0xf0) === 0x10 && d[2] === 0x4c && d[3] === 0x08 && d[4] < 16 && d[5] === 0x07) return { channel: d[4], value: d[6] };
  return null;
}

/** The header's fields and the track chunks, checked before parsing: the parser trusts lengths it should not. */
function checkChunks(bytes: Uint8Array, file: string): { bytes: Uint8Array } {
  const fail = (why: string): never => {
    throw new Error(`${file}: not a readable MIDI file (${why}); re-save it as a Standard MIDI File (.mid) from the program that made it`);
  };
  const refuse = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  const id = (o: number) => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]).replace(/[^ -~]/g, '?');
  const u32 = (o: number) => ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
  const u16 = (o: number) => (bytes[o] << 8) | bytes[o + 1];
  if (bytes.length < 14) fail(`${bytes.length} bytes is too short for a header`);
  if (id(0) !== 'MThd') fail(`starts with '${id(0)}', not 'MThd'`);
  const headLen = u32(4);
  if (headLen < 6 || 8 + headLen > bytes.length) fail(`header length ${headLen} does not fit the file`);
  const format = u16(8);
  const tracks = u16(10);
  const division = u16(12);
  if (format > 2) refuse(`the header's format is ${format}; Standard MIDI Files are format 0, 1 or 2 (re-save it as format 0 or 1)`);
  if (format === 2) refuse('format 2 (independent sequences) is not supported; re-save it as format 0 or 1');
  if (division & 0x8000) {
    const fps = 256 - (division >> 8);
    const rate = [24, 25, 29, 30].includes(fps) ? `${fps === 29 ? '29.97' : fps} fps, ${division & 255} ticks per frame` : `an invalid frame rate of ${fps}`;
    refuse(`SMPTE time division (${rate}) is not supported; re-save with ticks per quarter note`);
  }
  if (division === 0) refuse('the header says 0 ticks per quarter note, so no event has a place in time; re-save it with a positive resolution (e.g. 480)');
  if (tracks === 0) refuse(`the header declares 0 tracks; a MIDI file needs at least one`);
  // the parser reads only MTrk chunks, in order; chunks of other kinds are skipped, as the standard asks
  const kept: [number, number][] = [[0, 8 + headLen]];
  let o = 8 + headLen;
  let found = 0;
  let alien = false;
  while (o + 8 <= bytes.length && found < tracks) {
    const len = u32(o + 4);
    if (o + 8 + len > bytes.length) fail(`chunk '${id(o)}' at byte ${o} declares ${len} bytes, only ${bytes.length - o - 8} remain (truncated?)`);
    if (id(o) === 'MTrk') {
      found++;
      kept.push([o, o + 8 + len]);
    } else alien = true;
    o += 8 + len;
  }
  if (found < tracks) fail(`header promises ${tracks} track(s), the file holds ${found}`);
  // whole track chunks past the header's count are read too (a writer that miscounted loses no
  // notes); anything else after the last track is ignored, as other readers do
  let extra = 0;
  while (o + 8 <= bytes.length && id(o) === 'MTrk' && o + 8 + u32(o + 4) <= bytes.length && found + extra < 0xffff) {
    kept.push([o, o + 8 + u32(o + 4)]);
    extra++;
    o += 8 + u32(o + 4);
  }
  kept.slice(1).forEach(([s, e], t) => scanTrack(bytes, s + 8, e, t + 1, refuse));
  if (!alien && !extra) return { bytes };
  const out = new Uint8Array(kept.reduce((a, [s, e]) => a + e - s, 0));
  let at = 0;
  for (const [s, e] of kept) {
    out.set(bytes.subarray(s, e), at);
    at += e - s;
  }
  out[10] = (found + extra) >> 8;
  out[11] = (found + extra) & 255;
  return { bytes: out };
}

const CHANNEL_EVENTS: Record<number, [string, number]> = {
  0x8: ['note-off', 2],
  0x9: ['note-on', 2],
  0xa: ['key pressure', 2],
  0xb: ['controller', 2],
  0xc: ['program change', 1],
  0xd: ['channel pressure', 1],
  0xe: ['pitch bend', 2],
};

/**
 * Walk one track's events as the parser will, checking what it takes on trust: variable-length
 * numbers of at most 4 bytes (a fifth wraps around in its 32-bit arithmetic: a delta of −1, or
 * a note moved to the start), data bytes that are there and below 128, and no status byte of
 * the messages only a cable carries (0xF1 to 0xFE, but the escape 0xF7).
 */
function scanTrack(bytes: Uint8Array, start: number, end: number, track: number, refuse: (why: string) => never): void {
  const damaged = 'the file is damaged: re-save it from the program that made it';
  let o = start;
  let tick = 0;
  let status = -1;
  let event = 0;
  const vlq = (what: string): number => {
    let v = 0;
    for (let n = 1; o < end; n++) {
      const b = bytes[o++];
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) return v;
      if (n === 4) refuse(`track ${track}, event ${event} (after tick ${tick}): a ${what} longer than the 4 bytes a MIDI file allows; ${damaged}`);
    }
    return v; // cut off by the end of the track: the parser reads no event after it
  };
  while (o < end) {
    event++;
    tick += vlq('delta time');
    if (o >= end) return;
    const b = bytes[o];
    if (b === 0xff) {
      o += 2;
      const len = vlq('length');
      o += len;
      continue;
    }
    if (b === 0xf0 || b === 0xf7) {
      o++;
      const len = vlq('length');
      o += len;
      continue;
    }
    if (b >= 0xf0) refuse(`track ${track} at tick ${tick}: status byte 0x${b.toString(16).toUpperCase()} (a real-time or system message, sent over a cable) has no place in a MIDI file; ${damaged}`);
    if (b >= 0x80) {
      status = b;
      o++;
    } else if (status < 0) {
      refuse(`track ${track} at tick ${tick}: a data byte (${b}) comes before any status byte; ${damaged}`);
    }
    const [kind, size] = CHANNEL_EVENTS[status >> 4];
    for (let i = 0; i < size; i++, o++) {
      if (o >= end) refuse(`track ${track} at tick ${tick}: a ${kind} is cut off by the end of the track; ${damaged}`);
      if (bytes[o] >= 0x80) refuse(`track ${track} at tick ${tick}: a ${kind} holds ${bytes[o]} where a data byte (0 to 127) belongs; ${damaged}`);
    }
  }
}
