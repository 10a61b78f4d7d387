/**
 * Access to the read-only data beside the repository (`../shared`). Tests that need it call
 * `needShared(path)`: when the data is missing they are skipped with a message, except under
 * CI=true, where missing data is a failure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..');

/** The shared folder: $PULSE_RNN_SHARED, else beside this checkout, else beside the local repository it was cloned from. */
function findShared(): string {
  if (process.env.PULSE_RNN_SHARED) return process.env.PULSE_RNN_SHARED;
  const beside = resolve(ROOT, '..', 'shared');
  if (existsSync(beside)) return beside;
  try {
    const origin = execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (isAbsolute(origin)) {
      const there = resolve(origin, '..', 'shared');
      if (existsSync(there)) return there;
    }
  } catch {
    // not a git checkout, or no origin
  }
  return beside;
}

export const SHARED = findShared();

export const sharedPath = (...parts: string[]): string => join(SHARED, ...parts);

/** Whether `rel` exists under shared/; throws under CI=true when it does not. */
export function haveShared(rel: string): boolean {
  const ok = existsSync(sharedPath(rel));
  if (!ok) {
    const msg = `shared data missing: ${sharedPath(rel)}`;
    if (process.env.CI === 'true') throw new Error(`${msg} (required when CI=true)`);
    console.warn(`skipping: ${msg}`);
  }
  return ok;
}
