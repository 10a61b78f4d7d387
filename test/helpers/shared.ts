/**
 * Access to the read-only data beside the repository (`../shared`). Tests that need it call
 * `needShared(path)`: when the data is missing they are skipped with a message, except under
 * CI=true, where missing data is a failure.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..');
export const SHARED = process.env.PULSE_RNN_SHARED ?? resolve(ROOT, '..', 'shared');

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
