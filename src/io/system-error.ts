/**
 * A file system error as one line a user can act on: the path, what is wrong with it in words,
 * and what to do, instead of Node's `ENOTDIR: not a directory, mkdir '…'`.
 *
 * @example
 * systemErrorLine(e); // "/etc/passwd/x: a part of this path is a file, not a folder (ENOTDIR); choose a path under a folder"
 * systemErrorLine(new Error('other')); // null: not a file system error
 */

const WHY: Record<string, [what: string, todo: string]> = {
  ENOENT: ['no such file or folder', 'check the path'],
  ENOTDIR: ['a part of this path is a file, not a folder', 'choose a path under a folder'],
  EISDIR: ['a folder, where a file was expected', 'name a file'],
  EACCES: ['permission denied', 'choose a place you may use, or change its permissions'],
  EPERM: ['not permitted', 'choose a place you may use, or change its permissions'],
  EROFS: ['on a read-only file system', 'choose a writable place'],
  ENOSPC: ['the disk is full', 'free some space and run it again'],
  EDQUOT: ['the disk quota is used up', 'free some space and run it again'],
  ENAMETOOLONG: ['the name is too long', 'choose a shorter path'],
  ELOOP: ['a loop of symbolic links', 'fix the link'],
  EEXIST: ['already exists', 'choose another path'],
  EMFILE: ['too many open files', 'close some programs and run it again'],
};

/** One line for an error from `node:fs` about a path (it has a code, a syscall and the path); null for any other error, sockets' included. */
export function systemErrorLine(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code !== 'string' || typeof err.syscall !== 'string' || typeof err.path !== 'string') return null;
  const [what, todo] = WHY[err.code] ?? [`cannot ${err.syscall} it`, 'check the path'];
  return `${err.path}: ${what} (${err.code}); ${todo}`;
}
