/**
 * Voice frames as notes: a JSON file of pieces written one voice per slot at a fixed grid
 * (`{ train, valid, test }`, each a list of pieces, each a list of frames, each frame one MIDI
 * pitch per voice, −1 where the voice is silent), as the four-voice 16th-note Bach chorales
 * are (`Jsb16thSeparated.json`: soprano, alto, tenor, bass). A voice's pitch sounding in
 * consecutive frames is one held note: the format cannot tell a held note from a re-struck
 * one, so a repeated note is heard as one long note. The frames carry no loudness, so every
 * note gets one velocity. Every value is checked as it is read: a bad file fails here, naming
 * the file, the split, the piece, the frame and the value.
 *
 * @example
 * const set = readVoiceFrames('Jsb16thSeparated.json');
 * set.splits.test[0].notes[0]; // { pitch: 53, onset: 0, duration: 24, velocity: 100 }: the bass's first quarter
 */
import { readUserFile } from '../io/user-file.js';
import type { SplitName } from './dataset.js';
import type { RawNote } from './events-dataset.js';

/** Pulses a frame lasts: the chorales' frames are 16ths, at 24 pulses a quarter. */
export const PULSES_PER_FRAME = 6;
/** The one velocity of notes read from frames, which hold none. */
export const FRAME_VELOCITY = 100;
/** A voice that does not sound in a frame. */
export const SILENT = -1;

const SPLIT_FIELDS: readonly [string, SplitName][] = [
  ['train', 'train'],
  ['valid', 'validation'],
  ['test', 'test'],
];
/** Larger than any such file (the chorales' is 1.5 MB). */
const MAX_FRAMES_BYTES = 256 * 1024 * 1024;

export interface VoicePiece {
  /** The piece as messages name it: `file: split[index]`. */
  readonly file: string;
  readonly notes: RawNote[];
}

export interface VoiceFramesSet {
  readonly splits: Record<SplitName, VoicePiece[]>;
  /** Voices per frame (the same in every piece). */
  readonly voices: number;
}

/** Whether `--data` names a voice-frames file rather than a folder of MIDI files. */
export const isVoiceFramesFile = (path: string): boolean => /\.json$/i.test(path);

/** Read and check a voice-frames file, and turn each piece into notes. */
export function readVoiceFrames(file: string): VoiceFramesSet {
  const text = new TextDecoder().decode(readUserFile(file, MAX_FRAMES_BYTES, 'a JSON file of voice frames'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: is not JSON (${(e as Error).message})`);
  }
  return voiceFramesNotes(json, file);
}

/** Parsed voice frames as notes; `file` names the data in every message. */
export function voiceFramesNotes(json: unknown, file: string): VoiceFramesSet {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file}: must be an object with the splits train, valid, test, got ${describe(json)}`);
  const o = json as Record<string, unknown>;
  const splits = { train: [], validation: [], test: [] } as Record<SplitName, VoicePiece[]>;
  let voices = 0;
  for (const [field, split] of SPLIT_FIELDS) {
    const pieces = o[field];
    if (!Array.isArray(pieces)) throw new Error(`${file}: field '${field}' must be a list of pieces, got ${describe(pieces)}`);
    pieces.forEach((piece, p) => {
      const where = `${file}: ${field}[${p}]`;
      voices ||= voiceCount(piece, where);
      splits[split].push({ file: where, notes: pieceNotes(piece, where, voices) });
    });
  }
  return { splits, voices };
}

/** The voices of a piece's first frame, which every frame of every piece must match. */
function voiceCount(piece: unknown, where: string): number {
  const first = Array.isArray(piece) ? piece[0] : undefined;
  if (!Array.isArray(first)) return 0; // pieceNotes says what is wrong
  if (first.length === 0) throw new Error(`${where}[0] holds no voices; a frame holds one pitch per voice`);
  return first.length;
}

/**
 * A piece's notes in time order (lower pitch first at one onset): each run of one pitch in a
 * voice is a note from its first frame to the frame after its last.
 */
function pieceNotes(piece: unknown, where: string, voices: number): RawNote[] {
  if (!Array.isArray(piece)) throw new Error(`${where} must be a list of frames, got ${describe(piece)}`);
  if (piece.length === 0) throw new Error(`${where} has no frames`);
  const notes: RawNote[] = [];
  const start = new Array<number>(voices).fill(0);
  const held = new Array<number>(voices).fill(SILENT);
  const end = (v: number, f: number) => {
    if (held[v] !== SILENT) notes.push({ pitch: held[v], onset: start[v] * PULSES_PER_FRAME, duration: (f - start[v]) * PULSES_PER_FRAME, velocity: FRAME_VELOCITY });
  };
  piece.forEach((frame, f) => {
    checkFrame(frame, `${where}[${f}]`, voices);
    for (let v = 0; v < voices; v++) {
      const pitch = (frame as number[])[v];
      if (pitch === held[v]) continue;
      end(v, f);
      held[v] = pitch;
      start[v] = f;
    }
  });
  for (let v = 0; v < voices; v++) end(v, piece.length);
  return notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}

function checkFrame(frame: unknown, where: string, voices: number): void {
  if (!Array.isArray(frame)) throw new Error(`${where} must be a list of one pitch per voice, got ${describe(frame)}`);
  if (frame.length !== voices) throw new Error(`${where} holds ${frame.length} voice${frame.length === 1 ? '' : 's'} (${describe(frame)}); every frame holds ${voices}, one pitch per voice`);
  for (let i = 0; i < frame.length; i++) {
    const k = frame[i];
    if (!(k === SILENT || (Number.isInteger(k) && k >= 0 && k <= 127))) throw new Error(`${where}[${i}] is ${describe(k)}; a voice's pitch is a whole MIDI number from 0 to 127, or ${SILENT} when it is silent`);
  }
}

const describe = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};
