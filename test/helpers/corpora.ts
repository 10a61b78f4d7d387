/**
 * Real music as MIDI files in a temporary folder, for tests of what is and is not a drum part:
 *
 * - `writeMelodicCorpus`: pieces of the polyphonic piano-roll collections in ../shared
 *   (JSB chorales, Nottingham folk tunes, Piano-midi.de, MuseData, and the four-voice 16th-note
 *   chorales) written as MIDI files on channels other than 10, without track names, in all
 *   twelve keys: a piano piece as one track or as two hands, a chorale as four voices, some
 *   legato, some staccato;
 * - `writeGrooveOffChannel10`: Groove MIDI Dataset performances with their drums moved from
 *   channel 10 to another channel (a drum track that lost its channel).
 *
 * @example
 * const files = writeMelodicCorpus(dir, 20); // 20 pieces from each collection
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Midi } from '@tonejs/midi';
import { parseMidi, writeMidi } from 'midi-file';
import { sharedPath } from './shared.js';

type Roll = number[][];

interface Collection {
  file: string;
  /** Frames per quarter note. */
  perQuarter: number;
  /** How the notes are laid out in tracks. */
  layout: 'one' | 'hands' | 'voices';
}

const COLLECTIONS: Collection[] = [
  { file: 'jsb_chorales.json', perQuarter: 1, layout: 'one' },
  { file: 'nottingham.json', perQuarter: 2, layout: 'hands' },
  { file: 'piano_midi_de.json', perQuarter: 2, layout: 'hands' },
  { file: 'musedata.json', perQuarter: 2, layout: 'one' },
  { file: 'jsb16th-separated/Jsb16thSeparated.json', perQuarter: 4, layout: 'voices' },
];

/** Channels a melodic file may use: any but 10. */
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15];

/** Notes of a piano roll: a pitch held over consecutive frames is one note. */
function notesOf(roll: Roll, ticksPerFrame: number): { pitch: number; start: number; length: number }[] {
  const out: { pitch: number; start: number; length: number }[] = [];
  const open = new Map<number, number>();
  roll.forEach((frame, t) => {
    // the separated chorales mark a resting voice with pitch −1: no note (a writer turns it into byte 253)
    const now = new Set(frame.filter((p) => p >= 0));
    for (const [p, s] of open) {
      if (!now.has(p)) {
        out.push({ pitch: p, start: s * ticksPerFrame, length: (t - s) * ticksPerFrame });
        open.delete(p);
      }
    }
    for (const p of now) if (!open.has(p)) open.set(p, t);
  });
  for (const [p, s] of open) out.push({ pitch: p, start: s * ticksPerFrame, length: (roll.length - s) * ticksPerFrame });
  return out.sort((a, b) => a.start - b.start || a.pitch - b.pitch);
}

/**
 * Up to `perCollection` pieces of each collection (spread over its test split) as .mid files in
 * `dir`; returns their paths. Every other piece is played staccato (each note a 16th at most).
 */
export function writeMelodicCorpus(dir: string, perCollection: number): string[] {
  const files: string[] = [];
  let k = 0;
  for (const c of COLLECTIONS) {
    const data = JSON.parse(readFileSync(sharedPath('data/polyphonic', c.file), 'utf8')) as Record<string, Roll[] | Roll[][]>;
    const pieces = data.test as Roll[];
    const every = Math.max(1, Math.floor(pieces.length / perCollection));
    for (let i = 0; i < pieces.length && files.length < (COLLECTIONS.indexOf(c) + 1) * perCollection; i += every) {
      const midi = new Midi();
      const tpq = midi.header.ppq;
      const perFrame = tpq / c.perQuarter;
      const staccato = k % 2 === 1;
      // the collections are in C; spread the pieces over all twelve keys (−5 to +6 semitones)
      const shift = ((k * 7) % 12) - 5;
      const notes = notesOf(pieces[i], perFrame);
      // the separated chorales keep each voice as a part of its own: frame[v] is voice v
      const voiceOf = (n: { pitch: number; start: number }) => (c.layout === 'voices' ? Math.max(0, pieces[i][n.start / perFrame].indexOf(n.pitch)) : c.layout === 'hands' ? (n.pitch < 60 ? 1 : 0) : 0);
      const tracks = c.layout === 'voices' ? 4 : c.layout === 'hands' ? 2 : 1;
      for (let v = 0; v < tracks; v++) {
        const track = midi.addTrack();
        track.channel = CHANNELS[(k + v) % CHANNELS.length];
        for (const n of notes) {
          if (voiceOf(n) !== v) continue;
          const length = staccato ? Math.min(n.length, tpq / 4) : n.length;
          track.addNote({ midi: n.pitch + shift, ticks: n.start, durationTicks: Math.max(1, length - 1), velocity: 0.7 });
        }
      }
      const name = join(dir, `${c.file.replace(/[/.]json$|\.json$/, '').replace(/\//g, '-')}-${i}.mid`);
      writeFileSync(name, midi.toArray());
      files.push(name);
      k++;
    }
  }
  return files;
}

/** Every Groove MIDI Dataset file under ../shared/data/groove, sorted. */
export function grooveFiles(): string[] {
  const all: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.mid')) all.push(join(d, e.name));
    }
  };
  walk(sharedPath('data/groove'));
  return all.sort();
}

/**
 * `files` rewritten into `dir` with every channel-10 event moved to `channel` (0-based), and
 * with `names: false` their track names removed too; returns the new paths.
 */
export function writeGrooveOffChannel10(dir: string, files: readonly string[], o: { channel?: number; names?: boolean } = {}): string[] {
  return files.map((f, i) => {
    const parsed = parseMidi(readFileSync(f));
    parsed.tracks = parsed.tracks.map((track) => {
      const kept: typeof track = [];
      let carry = 0;
      for (const e of track as (typeof track[number] & { channel?: number })[]) {
        if (e.type === 'trackName' && o.names === false) {
          carry += e.deltaTime;
          continue;
        }
        if (e.channel === 9) e.channel = o.channel ?? 0;
        kept.push({ ...e, deltaTime: e.deltaTime + carry });
        carry = 0;
      }
      return kept;
    });
    const out = join(dir, `${i}-${basename(f)}`);
    writeFileSync(out, Uint8Array.from(writeMidi(parsed)));
    return out;
  });
}
