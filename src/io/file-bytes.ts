/**
 * Read a model's files from disk (Node) the careful way: only regular files (a FIFO or a
 * device would block or never end), only inside the model's folder once symbolic links are
 * resolved, and never more than a cap, checked before reading. Errors say what is wrong
 * without the path; callers put the file's name in front.
 *
 * Node modules are imported on first use, so this file bundles into browser code untouched.
 *
 * @example
 * const bytes = await readFileBytes('weights/m/shard.bin', 4_000_000, 'weights/m');
 */
import { fileKind } from './file-kind.js';

/**
 * The bytes of the regular file `path`, refused when it holds more than `maxBytes` (`limit`
 * names that cap in words, e.g. "the 4096 bytes model.json declares") or, with `within`, when its real path leaves that folder.
 */
export async function readFileBytes(path: string, maxBytes: number, within?: string, limit = ''): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  const nodePath = await import('node:path');
  let real: string;
  try {
    real = await fs.realpath(path);
  } catch (e) {
    throw new Error(reason(e));
  }
  if (within !== undefined) {
    const folder = await fs.realpath(within);
    const rel = nodePath.relative(folder, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(rel)) {
      throw new Error(`it resolves to ${real}, outside the model's folder ${folder} (through a symbolic link); a model's files must lie inside its folder: copy the file there`);
    }
  }
  let handle;
  try {
    // non-blocking, so opening a FIFO returns at once instead of waiting for a writer
    handle = await fs.open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new Error('is a folder, not a file');
    throw new Error(reason(e));
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`is ${fileKind(st)}, not a regular file; only regular files are read`);
    if (st.size > maxBytes) throw new Error(`${st.size} bytes, more than ${limit || `the ${maxBytes} allowed`}`);
    const out = new Uint8Array(st.size);
    let at = 0;
    while (at < out.length) {
      const { bytesRead } = await handle.read(out, at, out.length - at, at);
      if (bytesRead === 0) break; // shrank while being read: what is there is what the caller checks
      at += bytesRead;
    }
    return at === out.length ? out : out.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/** Whether `path` exists at all (any kind of entry, links followed). */
export async function pathExists(path: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', ELOOP: 'a loop of symbolic links', ENOTDIR: 'a part of the path is not a folder', ENAMETOOLONG: 'the name is too long' };
  return err.code ? `${why[err.code] ?? 'cannot open it'} (${err.code})` : err.message;
}
