/**
 * Files that are whole or absent: written under a temporary name and renamed (a rename is
 * atomic on one file system), and shards named by their content.
 *
 * @example
 * writeAtomic('weights/m/model.json', json);
 */
import { createHash } from 'node:crypto';
import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Write a file whole or not at all. */
export function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Remove temporary files a killed writer left in `dir` (their targets are whole or absent); returns their names. */
export function removeLeftovers(dir: string): string[] {
  const gone = readdirSync(dir).filter((f) => /\.\d+\.tmp$/.test(f));
  for (const f of gone) rmSync(join(dir, f), { force: true });
  return gone;
}

/** A weights shard's file name, from its bytes: a new shard never overwrites the one model.json names. */
export const contentName = (bytes: Uint8Array): string => `weights-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.bin`;
