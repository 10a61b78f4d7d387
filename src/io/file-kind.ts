/**
 * What a directory entry that is not a regular file is, in the words a message gives a user:
 * a named pipe waits for a writer forever and a device may never end, so readers refuse them
 * and say which it was. Takes anything shaped like `fs.Stats`, so it imports nothing.
 *
 * @example
 * if (!st.isFile()) throw new Error(`${path}: ${fileKind(st)}, not a file`); // "a named pipe (FIFO), not a file"
 */
export interface EntryKind {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

/** 'a folder', 'a named pipe (FIFO)', 'a socket', 'a character device', 'a block device', else `otherwise`. */
export function fileKind(s: EntryKind, otherwise = 'not a regular file'): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  return otherwise;
}
