/**
 * The frame-level polyphonic benchmarks (JSB Chorales, Nottingham, Piano-midi.de, MuseData) as
 * their JSON files hold them: `{ train, valid, test }`, each a list of pieces, each a list of
 * frames, each a sorted list of the MIDI pitches (21–108, the 88 piano keys) sounding then.
 * Every value is checked as it is read, so a bad file fails here, naming the file, the split,
 * the piece, the frame and the value, rather than as a wrong number far into training.
 *
 * @example
 * const jsb = readPolyphonic('data/polyphonic/jsb_chorales.json');
 * jsb.test[0][0]; // [48, 60, 64, 67]: the first chord of the first test chorale
 */
import { readFileSync } from 'node:fs';

/** The lowest and highest piano keys: a frame's pitches lie in this range. */
export const LOWEST_KEY = 21;
export const HIGHEST_KEY = 108;
export const PIANO_KEYS = HIGHEST_KEY - LOWEST_KEY + 1;

/** One step's sounding pitches, ascending. */
export type Frame = readonly number[];
export type Piece = readonly Frame[];

export const POLY_SPLITS = ['train', 'valid', 'test'] as const;
export type PolySplit = (typeof POLY_SPLITS)[number];
export type PolyphonicSet = Record<PolySplit, Piece[]>;

/** Read and check one benchmark file. */
export function readPolyphonic(file: string): PolyphonicSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot be read (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: is not JSON (${(e as Error).message})`);
  }
  return checkPolyphonic(json, file);
}

/** Check parsed data against the format; `file` names it in every message. */
export function checkPolyphonic(json: unknown, file: string): PolyphonicSet {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file}: must be an object with the splits ${POLY_SPLITS.join(', ')}, got ${describe(json)}`);
  const o = json as Record<string, unknown>;
  const out = {} as PolyphonicSet;
  for (const split of POLY_SPLITS) {
    const pieces = o[split];
    if (!Array.isArray(pieces)) throw new Error(`${file}: field '${split}' must be a list of pieces, got ${describe(pieces)}`);
    out[split] = pieces.map((piece, p) => checkPiece(piece, `${file}: ${split}[${p}]`));
  }
  return out;
}

function checkPiece(piece: unknown, where: string): Piece {
  if (!Array.isArray(piece)) throw new Error(`${where} must be a list of frames, got ${describe(piece)}`);
  if (piece.length === 0) throw new Error(`${where} has no frames`);
  piece.forEach((frame, f) => checkFrame(frame, `${where}[${f}]`));
  return piece as Piece;
}

function checkFrame(frame: unknown, where: string): void {
  if (!Array.isArray(frame)) throw new Error(`${where} must be a list of MIDI pitches, got ${describe(frame)}`);
  for (let i = 0; i < frame.length; i++) {
    const k = frame[i];
    if (!(Number.isInteger(k) && k >= LOWEST_KEY && k <= HIGHEST_KEY)) throw new Error(`${where}[${i}] is ${describe(k)}; a pitch is a whole MIDI number from ${LOWEST_KEY} to ${HIGHEST_KEY}`);
    // sorted and distinct: a repeated key would count twice in a frame's likelihood
    if (i > 0 && k <= frame[i - 1]) throw new Error(`${where}[${i}] is ${k} after ${frame[i - 1]}; a frame's pitches are distinct and ascending`);
  }
}

const describe = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** A frame as its 88 keys, 1 where a pitch sounds (key k is MIDI pitch 21 + k), written into `out`. */
export function frameBits(frame: Frame, out: Float32Array | Uint8Array, offset = 0): void {
  out.fill(0, offset, offset + PIANO_KEYS);
  for (const p of frame) out[offset + p - LOWEST_KEY] = 1;
}
