/**
 * Files written whole or not at all: the bytes go to a temporary file beside the target, which
 * is then renamed over it, so a crash or a full disk never leaves half a recording where the
 * last good one was.
 *
 * @example
 * await writeAtomic('set.mid', recorder.toMidi());
 * await writeAtomic('set.mid.log.json', JSON.stringify(gen.log));
 */
import { rename, unlink, writeFile } from 'node:fs/promises';

export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
