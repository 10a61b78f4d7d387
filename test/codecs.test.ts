import { describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi } from '../src/io/midi-write.js';
import { DEFAULT_DRUM_NOTES, DRUM_CLASSES, drumClassIndex, drumClassOf } from '../src/music/drum-map.js';
import { drumGridCodec } from '../src/music/drum-grid.js';
import { drummerCodec } from '../src/music/drummer-events.js';
import { melodyGridCodec } from '../src/music/melody-grid.js';
import { noteEventsCodec } from '../src/music/note-events.js';
import { codecFor } from '../src/music/codecs.js';
import { howlSpec } from './helpers/models.js';
import { smf, trackOf } from './helpers/smf-bytes.js';

describe('drum map', () => {
  it('folds GM notes into the nine classes', () => {
    const expect9 = { 36: 0, 35: 0, 38: 1, 40: 1, 37: 1, 42: 2, 44: 2, 22: 2, 46: 3, 26: 3, 45: 4, 41: 4, 48: 5, 47: 5, 50: 6, 49: 7, 57: 7, 51: 8, 59: 8 };
    for (const [n, c] of Object.entries(expect9)) expect(drumClassOf(Number(n))).toBe(c);
    expect(drumClassOf(0)).toBe(-1);
    expect(drumClassOf(127)).toBe(-1);
    expect(DEFAULT_DRUM_NOTES).toEqual([36, 38, 42, 46, 45, 48, 50, 49, 51]);
    expect(drumClassIndex('snare')).toBe(1);
    expect(() => drumClassIndex('cowbell')).toThrow(/unknown drum voice "cowbell"; voices are kick, snare/);
    expect(DRUM_CLASSES).toHaveLength(9);
  });
});

describe('drum grid codec', () => {
  const codec = drumGridCodec({ stepsPerQuarter: 4, positionInput: true });

  it('quantizes onsets to the nearest 16th and folds notes into class bits', () => {
    // 96 ticks per quarter: a 16th is 24 ticks
    const bytes = writeMidi({
      ticksPerQuarter: 96,
      notes: [
        { tick: 0, note: 36, velocity: 100, channel: 9, durationTicks: 10 },
        { tick: 2, note: 42, velocity: 100, channel: 9, durationTicks: 10 }, // 2 ticks late: step 0
        { tick: 35, note: 40, velocity: 100, channel: 9, durationTicks: 10 }, // 35/24 = 1.46: step 1
        { tick: 37, note: 39, velocity: 100, channel: 9, durationTicks: 10 }, // 1.54: step 2
        { tick: 96, note: 100, velocity: 100, channel: 9, durationTicks: 10 }, // not a drum
        { tick: 96, note: 60, velocity: 100, channel: 0, durationTicks: 10 }, // not channel 10
        { tick: 120, note: 51, velocity: 100, channel: 9, durationTicks: 10 }, // step 5
      ],
    });
    const { events, warnings } = codec.fromSong(readMidi(bytes, 'g.mid'));
    expect(events.map((e) => e[0])).toEqual([0b101, 0b10, 0b10, 0, 0, 1 << 8]);
    expect(warnings.join()).toMatch(/g\.mid: note 100 is not a mapped drum; 1 hit\(s\) dropped/);
  });

  it('decodes tokens to notes on channel 10 and reads the position input', () => {
    const notes = codec.toNotes([[0b11], [0], [1 << 7]]);
    expect(notes.map((n) => [n.tick, n.note, n.channel])).toEqual([
      [0, 36, 9],
      [0, 38, 9],
      [240, 49, 9],
    ]);
    const out: number[] = [];
    codec.inputs([5], 17, out);
    expect(out).toEqual([5, 1]);
    expect(codec.grid([[1], [0], [0], [0], [2]]).split('\n')[0]).toBe('kick       x   .');
  });
});

describe('Drummer codec', () => {
  it('round-trips events through notes and MIDI', () => {
    const c = drummerCodec();
    const events = [[0, 0], [2, 120], [5, 0], [0, 150]]; // (note class, tick class) indices
    const bytes = writeMidi({ ticksPerQuarter: 480, notes: c.toNotes(events) });
    // our writer's notes are longer than one tick, so the first delta is measured from tick 0
    const back = c.fromSong(readMidi(bytes, 'd.mid'));
    expect(back.events).toEqual(events);
    expect(back.warnings).toEqual([]);
  });

  it('remaps, drops and snaps as the Drummer converter did', () => {
    const c = drummerCodec();
    const bytes = writeMidi({
      ticksPerQuarter: 960,
      notes: [
        { tick: 0, note: 22, velocity: 90, channel: 9, durationTicks: 10 }, // → 42
        { tick: 200, note: 39, velocity: 90, channel: 9, durationTicks: 10 }, // no class: dropped
        { tick: 1194, note: 36, velocity: 90, channel: 9, durationTicks: 10 }, // 597 ticks at 480 tpq: snaps to 487
      ],
    });
    const { events, warnings } = c.fromSong(readMidi(bytes, 'r.mid'));
    expect(events).toEqual([[5, 0], [0, 208]]);
    expect(warnings.join('\n')).toMatch(/note 39 has no class in this model; 1 hit/);
    expect(warnings.join('\n')).toMatch(/moved by up to 110 ticks/);
  });
});

describe('each codec reads its own part of a song', () => {
  const groove = (channel: number) =>
    Array.from({ length: 32 }, (_, s) => [
      { tick: s * 120, note: 42, velocity: 80, channel, durationTicks: 30 },
      ...(s % 4 === 0 ? [{ tick: s * 120, note: 36, velocity: 100, channel, durationTicks: 30 }] : []),
      ...(s % 8 === 4 ? [{ tick: s * 120, note: 38, velocity: 100, channel, durationTicks: 30 }] : []),
    ]).flat();
  const tune = Array.from({ length: 8 }, (_, q) => ({ tick: q * 480, note: [60, 62, 64, 65, 67, 65, 64, 62][q], velocity: 90, channel: 1, durationTicks: 400 }));
  // drums named as such on channel 1 (not 10), the tune on channel 2
  const band = readMidi(smf([trackOf(writeMidi({ ticksPerQuarter: 480, trackName: 'Drums', notes: groove(0) })), trackOf(writeMidi({ ticksPerQuarter: 480, trackName: 'Flute', notes: tune }))], { ticksPerQuarter: 480 }), 'band.mid');

  it('a melody model reads the tune, not a drum track that left channel 10', () => {
    const { events } = melodyGridCodec({ minPitch: 48, maxPitch: 84 }).fromSong(band);
    const pitches = new Set(events.filter((e) => e[0] >= 2).map((e) => 48 + e[0] - 2));
    expect([...pitches].sort()).toEqual([60, 62, 64, 65, 67]);
  });

  it("a Howl model reads the tune; the Drummer reads the drums", () => {
    const howl = codecFor(howlSpec());
    expect(howl.fromSong(band).events).toHaveLength(tune.length);
    expect(drummerCodec().fromSong(band).events).toHaveLength(groove(0).length);
  });
});

describe('note events over a long silence', () => {
  it("a grid of events whose delays span past the song limit is refused, not drawn cell by cell", () => {
    const c = noteEventsCodec({ heads: { pitch: [60, 62], delay: [0, 6, 2 ** 28] }, ticksPerQuarter: 24 });
    expect(c.grid([[0, 1], [1, 1]]).split('\n')).toHaveLength(2);
    expect(() => c.grid([[0, 1], [1, 2]])).toThrow(/these events span 44,739,244 steps, more than the 1,000,000 a grid shows; write them to a MIDI file instead/);
    // the notes themselves are just far apart
    expect(c.toNotes([[0, 1], [1, 2]]).map((n) => n.tick)).toEqual([6, 6 + 2 ** 28]);
  });
});
