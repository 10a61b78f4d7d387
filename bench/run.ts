/**
 * `npm run bench`: every benchmark, each in its own Node process (with --expose-gc), one
 * after another so they do not compete for the two cores. Each prints JSON and writes
 * bench/results/<name>.json.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  // the helpers the benchmarks share are not benchmarks
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'stats.ts', 'live-watch.ts'].includes(f))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
let failed = 0;
for (const f of benches) {
  console.error(`== ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
