/**
 * What is and is not a drum part. Channel 10, a rhythm bank or SysEx and a drum track name are
 * strong evidence; without them only a part whose notes look like a played kit is taken, and
 * flagged. Measured on real music: melodic collections written as MIDI files on other channels
 * (none may be taken) and Groove MIDI Dataset performances whose drums lost channel 10 and
 * their track names (most beats are still found).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMidi, type MidiSong } from '../src/io/midi-read.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { drumGridCodec } from '../src/music/drum-grid.js';
import { melodyGridCodec } from '../src/music/melody-grid.js';
import { codecFor } from '../src/music/codecs.js';
import type { ModelSpec } from '../src/engine/model.js';
import { findDrumPart } from '../src/music/drum-part.js';
import { buildDrumDataset, formatSummary } from '../src/train/dataset.js';
import { buildEventsDataset } from '../src/train/events-dataset.js';
import { buildMelodyDataset } from '../src/train/melody-dataset.js';
import { grooveFiles, writeGrooveOffChannel10, writeMelodicCorpus } from './helpers/corpora.js';
import { haveShared } from './helpers/shared.js';
import { END, smf } from './helpers/smf-bytes.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-drum-part-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const read = (file: string): MidiSong => readMidi(new Uint8Array(readFileSync(file)), basename(file));

/** Two bars of kick, snare and hats, as a drummer plays them, on `channel`. */
function beat(channel: number): NoteOut[] {
  const notes: NoteOut[] = [];
  for (let s = 0; s < 32; s++) {
    notes.push({ tick: s * 120, note: 42, velocity: 80, channel, durationTicks: 30 });
    if (s % 8 === 0 || s % 8 === 3) notes.push({ tick: s * 120, note: 36, velocity: 100, channel, durationTicks: 30 });
    if (s % 8 === 4) notes.push({ tick: s * 120, note: 38, velocity: 100, channel, durationTicks: 30 });
  }
  return notes;
}

/** A bass line that dwells on D2, E2 and F#2 (snare, snare and closed hat in GM drums), short and detached. */
function bass(channel: number): NoteOut[] {
  return Array.from({ length: 64 }, (_, s) => ({ tick: s * 120, note: [38, 38, 40, 42][s % 4], velocity: 90, channel, durationTicks: 60 }));
}

/** Bytes of a one-track file whose events come first (setup), then the notes. */
function withSetup(setup: number[], notes: NoteOut[]): Uint8Array {
  const plain = writeMidi({ ticksPerQuarter: 480, notes });
  const body = plain.subarray(22); // the track's events, after MThd (14) and the MTrk header (8)
  return smf([[...setup, ...body]], { ticksPerQuarter: 480 });
}

describe('strong evidence', () => {
  it('channel 10, a rhythm bank, a rhythm-part SysEx or a drum track name; none of them flagged', () => {
    const cases: [string, Uint8Array, string][] = [
      ['ch10.mid', writeMidi({ ticksPerQuarter: 480, notes: beat(9) }), 'channel 10'],
      ['gm2.mid', withSetup([0x00, 0xb1, 0x00, 120, 0x00, 0xc1, 0x00], beat(1)), 'bank select 120 on channel 2'],
      ['xg.mid', withSetup([0x00, 0xb2, 0x00, 127, 0x00, 0xc2, 0x19], beat(2)), 'bank select 127 on channel 3'],
      ['gs.mid', withSetup([0x00, 0xf0, 10, 0x41, 0x10, 0x42, 0x12, 0x40, 0x1a, 0x15, 0x02, 0x0f, 0xf7], beat(10)), 'a rhythm-part SysEx for channel 11'],
      ['xg-part.mid', withSetup([0x00, 0xf0, 8, 0x43, 0x10, 0x4c, 0x08, 0x03, 0x07, 0x01, 0xf7], beat(3)), 'a rhythm-part SysEx for channel 4'],
      ['named.mid', writeMidi({ ticksPerQuarter: 480, trackName: 'Drum Kit', notes: bass(0) }), "track named 'Drum Kit'"],
    ];
    for (const [name, bytes, where] of cases) {
      const part = findDrumPart(readMidi(bytes, name));
      expect(part, name).not.toBeNull();
      expect(part?.where, name).toBe(where);
      expect(part?.byStatistics, name).toBe(false);
      expect(part?.notes.length, name).toBeGreaterThan(0);
    }
  });

  it('a drum track name that is very long or holds control characters (terminal escapes) is shown short and harmless', () => {
    const escape = '\u001b[2J Drums \u001b[0m\u0007';
    const long = `Drums ${'x'.repeat(100_000)}`;
    for (const name of [escape, long]) {
      const part = findDrumPart(readMidi(writeMidi({ ticksPerQuarter: 480, trackName: name, notes: bass(0) }), 'n.mid'));
      expect(part?.byStatistics).toBe(false);
      for (const text of [part?.how ?? '', part?.where ?? '']) {
        expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
        expect(text.length).toBeLessThan(100);
      }
    }
    expect(findDrumPart(readMidi(writeMidi({ ticksPerQuarter: 480, trackName: escape, notes: bass(0) }), 'n.mid'))?.where).toBe("track named '?[2J Drums ?[0m?'");
  });

  it('a bank select back to a melodic bank, or a name that only looks like one, is no evidence', () => {
    const back = withSetup([0x00, 0xb1, 0x00, 127, 0x00, 0xb1, 0x00, 0x00, 0x00, 0xc1, 0x00], bass(1));
    expect(findDrumPart(readMidi(back, 'back.mid'))).toBeNull();
    expect(findDrumPart(readMidi(writeMidi({ ticksPerQuarter: 480, trackName: "Kit's tune", notes: bass(0) }), 'kit.mid'))).toBeNull();
    // a GM percussive program (Agogo) plays pitches, not a kit
    expect(findDrumPart(readMidi(withSetup([0x00, 0xc1, 113], bass(1)), 'agogo.mid'))).toBeNull();
  });
});

describe('the weaker rule: notes that look like a played kit', () => {
  it('takes a kit that lost its channel, flags it, and the drum grid says where it read the drums', () => {
    const song = readMidi(writeMidi({ ticksPerQuarter: 480, notes: beat(0) }), 'lost.mid');
    const part = findDrumPart(song);
    expect(part).toMatchObject({ byStatistics: true, where: 'channel 1 of track 1' });
    const { events, warnings } = drumGridCodec().fromSong(song);
    expect(events[0][0]).toBe(0b101); // kick and closed hat
    expect(warnings.join()).toMatch(/lost\.mid: nothing on channel 10; reading channel 1 of track 1 as drums because its notes look like a kit/);
  });

  it('leaves a left hand of B–F♯ and E–B fifths alone: its "kick" and "hi-hat" always sound together', () => {
    const fifths: NoteOut[] = [];
    for (let s = 0; s < 64; s++) for (const p of s % 8 < 6 ? [35, 42] : [40, 47]) fifths.push({ tick: s * 240, note: p, velocity: 90, channel: 0, durationTicks: 100 });
    expect(findDrumPart(readMidi(writeMidi({ ticksPerQuarter: 480, notes: fifths }), 'fifths.mid'))).toBeNull();
  });

  it('leaves a bass line on drum-note pitches alone, and a drum model reading it says so', () => {
    const song = readMidi(writeMidi({ ticksPerQuarter: 480, notes: bass(0) }), 'bass.mid');
    expect(findDrumPart(song)).toBeNull();
    expect(drumGridCodec().fromSong(song).warnings.join()).toMatch(/bass\.mid: no drum part \(nothing on channel 10, no drum track name, rhythm bank or drum-like notes\); reading every channel as drums/);
  });
});

describe.skipIf(!haveShared('data/polyphonic') || !haveShared('data/groove'))('measured on real music', () => {
  it('a folder of melodic music: an honest "no drum part" for each file', () => {
    const dir = join(tmp, 'melodic');
    mkdirSync(dir);
    const files = writeMelodicCorpus(dir, 40);
    const taken = files.filter((f) => findDrumPart(read(f)) !== null);
    console.log(`drum part: ${taken.length} of ${files.length} melodic files wrongly taken as drums`);
    expect(taken).toEqual([]);
    expect(() => buildDrumDataset({ dir })).toThrow(new RegExp(`the training split is empty: ${files.length} file\\(s\\) read, ${files.length} skipped \\(${files.length}× no drum part`));
  }, 300_000);

  it('Groove performances moved off channel 10: found by name, and most beats by their notes alone', () => {
    const all = grooveFiles().filter((_, i) => i % 3 === 0);
    const named = join(tmp, 'named');
    const bare = join(tmp, 'bare');
    mkdirSync(named);
    mkdirSync(bare);
    const withNames = writeGrooveOffChannel10(named, all, { channel: 0 });
    const without = writeGrooveOffChannel10(bare, all, { channel: 2, names: false });
    const found = (files: string[]) => files.filter((f) => findDrumPart(read(f)) !== null);
    const beats = without.filter((f) => /_beat_/.test(f));
    const beatsFound = found(beats);
    const foundNamed = found(withNames);
    console.log(`drum part: Groove files off channel 10: ${foundNamed.length} of ${withNames.length} found with their track names; without names ${beatsFound.length} of ${beats.length} beats and ${found(without.filter((f) => /_fill_/.test(f))).length} of ${without.length - beats.length} fills`);
    expect(beatsFound.length / beats.length).toBeGreaterThan(0.7);
    expect(foundNamed.length).toBeGreaterThanOrEqual(found(without).length);
    // everything found without names was found by statistics, and the dataset lists each one
    const ds = buildDrumDataset({ dir: bare, seed: 1 });
    const listed = ds.summary.drumPartByStatistics.map((d) => d.file).sort();
    // but not the few in 3/4 or 6/8, which a drum dataset leaves out before it looks for their drums
    expect(listed).toEqual(found(without).map((f) => basename(f)).filter((f) => /_4-4\.mid$/.test(f)).sort());
    expect(formatSummary(ds.summary)).toMatch(/check: \S+\.mid: drums read from channel 3 of track \d+ only because its notes look like a kit/);
    expect(ds.summary.drumPart['drum-like notes (no channel 10, drum name, rhythm bank or SysEx)']).toBe(listed.length);
  }, 300_000);
});

it('a dataset of files found by strong evidence lists none to check', () => {
  const dir = join(tmp, 'strong');
  mkdirSync(dir);
  for (let i = 0; i < 4; i++) writeFileSync(join(dir, `g${i}.mid`), writeMidi({ ticksPerQuarter: 480, notes: beat(9) }));
  writeFileSync(join(dir, 'lost.mid'), writeMidi({ ticksPerQuarter: 480, notes: beat(0) }));
  writeFileSync(join(dir, 'end.mid'), smf([[...END]]));
  const s = buildDrumDataset({ dir, seed: 1 }).summary;
  expect(s.drumPartByStatistics).toEqual([{ file: 'lost.mid', where: 'channel 1 of track 1' }]);
  expect(s.skipped).toEqual([{ file: 'end.mid', reason: 'no notes' }]);
});

it('the melodic datasets leave out a drum part on a rhythm bank, as the drum dataset takes it', () => {
  const dir = join(tmp, 'gm2');
  mkdirSync(dir);
  const tune = Array.from({ length: 16 }, (_, q) => ({ tick: q * 480, note: 60 + ((q * 5) % 12), velocity: 90, channel: 0, durationTicks: 400 }));
  for (let i = 0; i < 5; i++) writeFileSync(join(dir, `song${i}.mid`), withSetup([0x00, 0xb1, 0x00, 120, 0x00, 0xc1, 0x00], [...beat(1), ...tune].sort((a, b) => a.tick - b.tick)));
  const drums = buildDrumDataset({ dir, seed: 1 }).summary;
  expect(drums.drumPart).toEqual({ 'a rhythm bank or SysEx': 5 });
  const events = buildEventsDataset({ dir, seed: 1 }).summary;
  expect(events.notes.train + events.notes.validation + events.notes.test).toBe(5 * tune.length);
  const melody = buildMelodyDataset({ dir, seed: 1 });
  for (const q of Object.values(melody.splits).flat()) expect(Math.min(...Array.from(q.tokens).filter((t) => t >= 2)) + 48 - 2).toBeGreaterThanOrEqual(60);
});

describe('a melody written on channel 10', () => {
  // a tune on channel 10 alone, as a converter that numbers channels by track writes it
  const tune = (channel: number): NoteOut[] => Array.from({ length: 16 }, (_, q) => ({ tick: q * 480, note: 60 + ((q * 5) % 12), velocity: 90, channel, durationTicks: 400 }));
  const noteEvents = codecFor({ source: 'm', inputs: [], layers: [], heads: [], meta: { encoding: 'note-events', tables: { pitch: Array.from({ length: 128 }, (_, i) => i), delay: [0, 6, 12, 24, 48, 96] } } } as unknown as ModelSpec);
  const melody = melodyGridCodec({ minPitch: 48, maxPitch: 84, ticksPerQuarter: 480 });
  const song = (notes: NoteOut[], name: string) => readMidi(writeMidi({ ticksPerQuarter: 480, notes: notes.sort((a, b) => a.tick - b.tick) }), name);

  it('melody models read it, and say that they read the drum channel because the file has nothing else', () => {
    const only = song(tune(9), 'ch10.mid');
    for (const codec of [melody, noteEvents]) {
      const { events, warnings } = codec.fromSong(only);
      expect(codec.toNotes(events).map((n) => n.note), codec.name).toEqual(tune(9).map((n) => n.note));
      expect(warnings, codec.name).toContainEqual(expect.stringMatching(/^ch10\.mid: every note is in the drum part \(channel 10\); reading them as the melody, as the file holds nothing else \(if they are drums, use a drum model\)$/));
    }
  });

  it('a file that makes channel 10 melodic (GS or XG SysEx, GM2 melodic bank) has no drum part there', () => {
    const gsOff = [0x00, 0xf0, 10, 0x41, 0x10, 0x42, 0x12, 0x40, 0x10, 0x15, 0x00, 0x1b, 0xf7]; // GS: part 10 is a normal part
    const xgOff = [0x00, 0xf0, 8, 0x43, 0x10, 0x4c, 0x08, 0x09, 0x07, 0x00, 0xf7]; // XG: part 10 in normal mode
    const gm2 = [0x00, 0xb9, 0x00, 121, 0x00, 0xc9, 73]; // GM2: melodic bank, a flute, on channel 10
    for (const [name, setup] of [['gs-off.mid', gsOff], ['xg-off.mid', xgOff], ['gm2-flute.mid', gm2]] as const) {
      const song = readMidi(withSetup(setup, tune(9)), name);
      expect(findDrumPart(song), name).toBeNull();
      const { events, warnings } = melody.fromSong(song);
      expect(melody.toNotes(events).map((n) => n.note), name).toEqual(tune(9).map((n) => n.note));
      expect(warnings, name).toEqual([]);
    }
    // a bank select 0 on every channel (a GS reset does that) leaves channel 10 a kit
    const reset = readMidi(withSetup([0x00, 0xb9, 0x00, 0x00, 0x00, 0xc9, 0x00], beat(9)), 'reset.mid');
    expect(findDrumPart(reset)?.where).toBe('channel 10');
  });

  it('beside a melody on another channel, the drums on channel 10 are left out, without a word', () => {
    const both = song([...beat(9), ...tune(0)], 'gm.mid');
    for (const codec of [melody, noteEvents]) {
      const { events, warnings } = codec.fromSong(both);
      expect(codec.toNotes(events).map((n) => n.note), codec.name).toEqual(tune(0).map((n) => n.note));
      expect(warnings.filter((w) => /drum/.test(w)), codec.name).toEqual([]);
    }
  });

  it('a melodic dataset still leaves a file of drums alone out', () => {
    const dir = join(tmp, 'drums-only');
    mkdirSync(dir);
    for (let i = 0; i < 3; i++) writeFileSync(join(dir, `g${i}.mid`), writeMidi({ ticksPerQuarter: 480, notes: beat(9) }));
    expect(() => buildEventsDataset({ dir, seed: 1 })).toThrow(/g0\.mid: no notes outside the drum part/);
  });
});
