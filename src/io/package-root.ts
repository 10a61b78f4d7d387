/**
 * The package folder, found from wherever the calling code runs (src/… or dist/), so the
 * shipped weights are found both from a clone and from a global install.
 *
 * @example
 * join(packageRoot(), 'weights', 'drums-expressive'); // the shipped expressive drummer
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
