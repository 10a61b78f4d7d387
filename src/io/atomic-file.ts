/**
 * Files written whole or not at all: the bytes go to a temporary file beside the target, which
 * is then renamed over it (a rename is atomic on one file system), so a crash, a kill or a full
 * disk never leaves half a recording or half a weights file where the last good one was.
 * Node only.
 *
 * @example
 * await writeAtomic('set.mid', recorder.toMidi());
 * await writeAtomic('weights/m/model.json', json);
 * removeLeftovers('weights/m'); // temporary files a killed writer left
 */
import { readdirSync, rmSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

let written = 0;

export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}-${++written}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    // the temporary name means nothing to whoever asked for `path`
    const err = e as NodeJS.ErrnoException;
    if (err.path === tmp) {
      err.path = path;
      err.message = err.message.split(tmp).join(path);
    }
    throw e;
  }
}

/** Remove the temporary files a killed writer left in `dir` (their targets are whole or absent); returns their names. */
export function removeLeftovers(dir: string): string[] {
  const gone = readdirSync(dir).filter((f) => /\.\d+-\d+\.tmp$/.test(f));
  for (const f of gone) rmSync(join(dir, f), { force: true });
  return gone;
}
