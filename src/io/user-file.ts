/**
 * A file a user names on the command line (a MIDI file to score, a split CSV), read only when it
 * is a regular file of a plausible size: a named pipe waits for a writer forever, a device such
 * as /dev/zero never ends, and a huge file would be read whole into memory before anything
 * looked at it. Errors name the path and say what to do. Node only.
 *
 * @example
 * const bytes = readUserFile('groove.mid', MAX_MIDI_BYTES, 'a MIDI file');
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { fileKind } from './file-kind.js';
import { systemErrorLine } from './system-error.js';

/** Larger than any Standard MIDI File made by hand or by a program (the largest are a few MB). */
export const MAX_MIDI_BYTES = 128 * 1024 * 1024;
/** Larger than any list of files with their splits. */
export const MAX_CSV_BYTES = 64 * 1024 * 1024;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** The size of `path` when it is a regular file of at most `maxBytes`; otherwise an Error naming it and what it is. */
export function checkUserFile(path: string, maxBytes: number, what: string): number {
  let s: Stats;
  try {
    s = statSync(path);
  } catch (e) {
    throw new Error(systemErrorLine(e) ?? `${path}: ${(e as Error).message}`);
  }
  if (!s.isFile()) throw new Error(`${path}: ${fileKind(s)}, not a file; name ${what}`);
  if (s.size > maxBytes) throw new Error(`${path}: ${mb(s.size)}, more than ${what} holds (at most ${mb(maxBytes)}); check that it is the file you meant`);
  return s.size;
}

/** The bytes of `path`, checked first by `checkUserFile`. */
export function readUserFile(path: string, maxBytes: number, what: string): Uint8Array {
  checkUserFile(path, maxBytes, what);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new Error(systemErrorLine(e) ?? `${path}: ${(e as Error).message}`);
  }
}
