/** Small helpers the benchmarks share: percentiles of a sample and writing results as JSON. */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

const round = (v: number) => +v.toFixed(4);

/** Percentiles (nearest rank) of a sample, rounded to 0.1 µs when in ms. */
export function percentiles(sample: ArrayLike<number>): Percentiles {
  const s = Float64Array.from(sample).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  let sum = 0;
  for (const v of s) sum += v;
  return { n: s.length, p50: round(at(0.5)), p99: round(at(0.99)), p999: round(at(0.999)), max: round(s[s.length - 1]), mean: round(sum / s.length) };
}

/** Print `data` as JSON and write it to bench/results/<name>.json (whole or not at all). */
export function writeResult(name: string, data: unknown): void {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(data, null, 2);
  const file = join(dir, `${name}.json`);
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  console.log(text);
}
