import { readFileSync } from 'node:fs';
import { Midi } from '@tonejs/midi';
import { writeMidi as rawWrite } from 'midi-file';
import { describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi } from '../src/io/midi-write.js';
import { haveShared, sharedPath } from './helpers/shared.js';
import { END, note, smf } from './helpers/smf-bytes.js';

const notes = [
  { tick: 0, note: 36, velocity: 100, channel: 9, durationTicks: 60 },
  { tick: 0, note: 42, velocity: 80, channel: 9, durationTicks: 60 },
  { tick: 120, note: 38, velocity: 110, channel: 9, durationTicks: 60 },
  // the same key again right where the previous one ends
  { tick: 180, note: 38, velocity: 90, channel: 9, durationTicks: 60 },
];

describe('MIDI files', () => {
  it('round-trips notes, tempo and time signature, and an independent parser agrees', () => {
    const bytes = writeMidi({ ticksPerQuarter: 480, bpm: 96, timeSignature: [3, 4], trackName: 't', notes });
    const song = readMidi(bytes, 'mem.mid');
    expect(song.ticksPerQuarter).toBe(480);
    expect(song.notes.map(({ track: _t, ...n }) => n)).toEqual(notes);
    expect(song.tempos[0].microsecondsPerQuarter).toBe(625000);
    expect(song.timeSignatures[0]).toMatchObject({ numerator: 3, denominator: 4 });
    const other = new Midi(bytes);
    expect(other.header.ppq).toBe(480);
    expect(Math.round(other.header.tempos[0].bpm)).toBe(96);
    const theirs = other.tracks.flatMap((t) => t.notes.map((n) => ({ tick: n.ticks, note: n.midi, velocity: Math.round(n.velocity * 127), channel: t.channel, durationTicks: n.durationTicks })));
    theirs.sort((a, b) => a.tick - b.tick || a.note - b.note);
    const ours = [...notes].sort((a, b) => a.tick - b.tick || a.note - b.note);
    expect(theirs).toEqual(ours);
  });

  it('reads running status, type 1 tracks, note-on velocity 0 as note-off, and unterminated notes', () => {
    const bytes = Uint8Array.from(
      rawWrite(
        {
          header: { format: 1, numTracks: 2, ticksPerBeat: 96 },
          tracks: [
            [{ deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: 500000 }, { deltaTime: 96, meta: true, type: 'setTempo', microsecondsPerBeat: 400000 }, { deltaTime: 0, meta: true, type: 'endOfTrack' }],
            [
              { deltaTime: 0, type: 'noteOn', channel: 9, noteNumber: 36, velocity: 100 },
              { deltaTime: 24, type: 'noteOn', channel: 9, noteNumber: 36, velocity: 0 },
              { deltaTime: 0, type: 'noteOn', channel: 9, noteNumber: 38, velocity: 90 },
              { deltaTime: 48, type: 'noteOn', channel: 9, noteNumber: 42, velocity: 70 },
              { deltaTime: 10, type: 'noteOff', channel: 9, noteNumber: 38, velocity: 0 },
              { deltaTime: 14, meta: true, type: 'endOfTrack' },
            ],
          ],
        } as never,
        { running: true },
      ),
    );
    const song = readMidi(bytes, 'type1.mid');
    expect(song.format).toBe(1);
    expect(song.tempos.map((t) => t.tick)).toEqual([0, 96]);
    expect(song.notes.map((n) => [n.tick, n.note, n.durationTicks])).toEqual([
      [0, 36, 24],
      [24, 38, 58],
      [72, 42, 24], // never released: ends with its track
    ]);
  });

  it('a file that is not MIDI says what to do', () => {
    expect(() => readMidi(new TextEncoder().encode('hello world, not midi'), 'x.mid')).toThrow(/^x\.mid: not a readable MIDI file \(starts with 'hell', not 'MThd'\); re-save it as a Standard MIDI File \(\.mid\) from the program that made it$/);
  });

  it('names the file for bad input', () => {
    expect(() => readMidi(new TextEncoder().encode('hello world, not midi'), 'x.mid')).toThrow(/x\.mid: not a readable MIDI file/);
    const smpte = Uint8Array.from(rawWrite({ header: { format: 0, numTracks: 1, framesPerSecond: 25, ticksPerFrame: 40 }, tracks: [[{ deltaTime: 0, meta: true, type: 'endOfTrack' }]] } as never));
    expect(() => readMidi(smpte, 's.mid')).toThrow(/s\.mid: SMPTE time division/);
    expect(() => writeMidi({ ticksPerQuarter: 480, notes: [{ tick: 0, note: 200, velocity: 1, channel: 0, durationTicks: 1 }] })).toThrow(/note 0\.\.127/);
  });

  it('checks every header field and says which one is wrong', () => {
    const body = [...note(0, 60, 96), ...END];
    const fails = (o: Parameters<typeof smf>[1], tracks: number[][] = [body]) => {
      try {
        readMidi(smf(tracks, o), 'h.mid');
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(fails({ division: 0 })).toMatch(/^h\.mid: the header says 0 ticks per quarter note, .*re-save it with a positive resolution/);
    expect(fails({ division: 0 })).not.toMatch(/SMPTE|undefined/);
    expect(fails({ division: 0xe728 })).toBe('h.mid: SMPTE time division (25 fps, 40 ticks per frame) is not supported; re-save with ticks per quarter note');
    expect(fails({ division: 0xe228 })).toMatch(/^h\.mid: SMPTE time division \(30 fps, 40 ticks per frame\)/);
    expect(fails({ division: 0x8028 })).toMatch(/^h\.mid: SMPTE time division \(an invalid frame rate of 128\)/);
    for (const format of [3, 7, 0xffff]) expect(fails({ format })).toMatch(new RegExp(`^h\\.mid: the header's format is ${format}; Standard MIDI Files are format 0, 1 or 2`));
    expect(fails({ format: 2 })).toMatch(/^h\.mid: format 2 \(independent sequences\) is not supported/);
    expect(fails({ declaredTracks: 0 })).toMatch(/^h\.mid: the header declares 0 tracks/);
    expect(fails({ declaredTracks: 3 })).toMatch(/^h\.mid: not a readable MIDI file \(header promises 3 track\(s\), the file holds 1\)/);
    expect(fails({ ticksPerQuarter: 96 })).toBe('');
  });

  it('skips chunks of other kinds between the tracks, as the standard asks, and reads every whole track the header did not count', () => {
    const a = [...note(0, 36, 24, 9), ...END];
    const b = [...note(48, 60, 24), ...END];
    const plain = smf([a, b], { ticksPerQuarter: 96 });
    // an 'XFIH'-style chunk of 5 bytes after the first track
    const at = 14 + 8 + a.length;
    const withAlien = Uint8Array.from([...plain.subarray(0, at), ...[...'XFIH'].map((c) => c.charCodeAt(0)), 0, 0, 0, 5, 1, 2, 3, 4, 5, ...plain.subarray(at)]);
    const song = readMidi(withAlien, 'alien.mid');
    expect(song.notes.map((n) => [n.tick, n.note, n.track])).toEqual([
      [0, 36, 0],
      [48, 60, 1],
    ]);
    expect(readMidi(plain, 'plain.mid').notes).toEqual(song.notes);
    // a header that counts fewer tracks than the file holds loses none of them
    const miscounted = smf([a, b], { ticksPerQuarter: 96, declaredTracks: 1 });
    expect(readMidi(miscounted, 'count.mid').notes).toEqual(song.notes);
    // bytes after the last track that are not a whole track are ignored
    expect(readMidi(Uint8Array.from([...plain, 0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 99, 1]), 'tail.mid').notes).toEqual(song.notes);
  });

  it('keeps bank selects, program changes and rhythm-part SysEx per channel', () => {
    const gs = [0xf0, 10, 0x41, 0x10, 0x42, 0x12, 0x40, 0x1a, 0x15, 0x02, 0x0f, 0xf7]; // GS: part 11 is a rhythm part
    const xg = [0xf0, 8, 0x43, 0x10, 0x4c, 0x08, 0x03, 0x07, 0x01, 0xf7]; // XG: part 4 in drum mode
    const bytes = smf([[0x00, 0xb1, 0x00, 120, 0x00, 0xc1, 0x00, 0x00, ...gs, 0x00, ...xg, ...note(0, 36, 10, 1), ...END]], { ticksPerQuarter: 96 });
    expect(readMidi(bytes, 'setup.mid').channelSetup).toEqual([
      { tick: 0, track: 0, channel: 1, kind: 'bank', value: 120 },
      { tick: 0, track: 0, channel: 1, kind: 'program', value: 0 },
      { tick: 0, track: 0, channel: 10, kind: 'rhythm-part', value: 2 },
      { tick: 0, track: 0, channel: 3, kind: 'rhythm-part', value: 1 },
    ]);
  });

  it.skipIf(!haveShared('fixtures/rnn-drummer'))('reads the Drummer fixtures', () => {
    const demo = readMidi(new Uint8Array(readFileSync(sharedPath('fixtures/rnn-drummer/demo.mid'))), 'demo.mid');
    expect(demo.notes.length).toBe(200);
    expect(demo.notes.every((n) => n.channel === 10 && n.durationTicks === 1)).toBe(true);
    const p1 = readMidi(new Uint8Array(readFileSync(sharedPath('fixtures/rnn-drummer/pattern1.mid'))), 'pattern1.mid');
    expect(p1.ticksPerQuarter).toBe(480);
    expect(p1.notes.length).toBeGreaterThan(8);
    expect(p1.timeSignatures[0]).toMatchObject({ numerator: 4, denominator: 4 });
  });
});

describe('damaged events', () => {
  const message = (bytes: Uint8Array, name: string): string => {
    try {
      const s = readMidi(bytes, name);
      return `read: ${JSON.stringify(s.notes)} ${JSON.stringify(s.channelSetup)}`;
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('a delta time longer than four bytes (it would wrap to a negative or far tick) is refused by track and tick', () => {
    // five-byte deltas: 2^32 − 1 + … reads as −1 in 32-bit arithmetic, 0x8f ff ff ff 7f as −2^31 − 1
    const wraps: number[][] = [
      [0xff, 0xff, 0xff, 0xff, 0x7f],
      [0x8f, 0xff, 0xff, 0xff, 0x7f],
      [0x88, 0x80, 0x80, 0x80, 0x00],
      [0x90, 0x80, 0x80, 0x80, 0x00], // 2^32: wraps to 0, the note would move to the start
    ];
    for (const d of wraps) {
      const file = smf([[...note(0, 60, 96), ...d, 0x90, 62, 100, 0, 0x80, 62, 0, ...END]], { ticksPerQuarter: 96 });
      expect(message(file, 'w.mid')).toMatch(/^w\.mid: track 1, event 3 \(after tick 96\): a delta time longer than the 4 bytes a MIDI file allows; the file is damaged: re-save it/);
    }
    // four bytes, the most there may be, still read (and a far event is the song-length check's)
    expect(message(smf([[0x8f, 0xff, 0xff, 0x7f, 0xff, 0x01, 0, ...note(0, 60, 1), ...END]], { ticksPerQuarter: 96 }), 'f.mid')).toMatch(/^f\.mid: [\d,]+ steps long/);
    expect(message(smf([[0x80, 0x80, 0x81, 0x00, 0x90, 60, 100, 0x01, 0x80, 60, 0, ...END]], { ticksPerQuarter: 96 }), 'p.mid')).toMatch(/^read: \[\{"tick":128,/);
  });

  it('an event cut off by the end of its track, or a status byte where a data byte belongs, is refused by track, tick and event', () => {
    const cases: [number[], RegExp][] = [
      [[0x00, 0x90], /^c\.mid: track 1 at tick 0: a note-on is cut off by the end of the track; the file is damaged/],
      [[0x00, 0x90, 60], /^c\.mid: track 1 at tick 0: a note-on is cut off by the end of the track/],
      [[0x00, 0xc0], /^c\.mid: track 1 at tick 0: a program change is cut off by the end of the track/],
      [[0x00, 0xb0, 0x00], /^c\.mid: track 1 at tick 0: a controller is cut off by the end of the track/],
      [[0x00, 0xe0, 0x00], /^c\.mid: track 1 at tick 0: a pitch bend is cut off by the end of the track/],
      [[...note(0, 60, 96), 0x00, 0x90, 60, 200, 0x00, 0x80, 60, 0, ...END], /^c\.mid: track 1 at tick 96: a note-on holds 200 where a data byte \(0 to 127\) belongs; the file is damaged/],
      [[0x00, 0x90, 0xff, 100, ...END], /^c\.mid: track 1 at tick 0: a note-on holds 255 where a data byte/],
      [[0x00, 60, 100, ...END], /^c\.mid: track 1 at tick 0: a data byte \(60\) comes before any status byte; the file is damaged/],
      [[0x00, 0xf8, ...note(0, 60, 96), ...END], /^c\.mid: track 1 at tick 0: status byte 0xF8 \(a real-time or system message, sent over a cable\) has no place in a MIDI file; the file is damaged/],
      [[...note(0, 60, 96), 0x00, 0xf4, ...END], /^c\.mid: track 1 at tick 96: status byte 0xF4/],
      // a meta event's length in five bytes
      [[0x00, 0xff, 0x01, 0x80, 0x80, 0x80, 0x80, 0x01, 0x41, ...END], /^c\.mid: track 1, event 1 \(after tick 0\): a length longer than the 4 bytes a MIDI file allows/],
    ];
    // the second track is the one named, and a good file around it reads
    expect(message(smf([[...note(0, 60, 96), ...END], [...note(0, 62, 96), 0x00, 0x90]], { ticksPerQuarter: 96 }), 't.mid')).toMatch(/^t\.mid: track 2 at tick 96: a note-on is cut off/);
    expect(message(smf([[...note(0, 60, 96), 0x00, 0xff, 0x01, 0x01, 0x41, 0x10, 62, 0, ...END]], { ticksPerQuarter: 96 }), 'r.mid')).toMatch(/^read: /);
    for (const [track, want] of cases) expect(message(smf([track], { ticksPerQuarter: 96 }), 'c.mid')).toMatch(want);
  });
});
