/**
 * Where clocks read the time and how they sleep. Both are injectable so a test can drive a
 * clock with a fake time source and fake timers and get the same result on every run.
 *
 * The default time source is `performance.now()` in seconds in every host, so that times
 * handed out by a clock convert to WEBMIDI.js timestamps (performance.now() milliseconds) by
 * a plain `× 1000`. In Node it is read from `process.hrtime.bigint()` (nanoseconds, no
 * floating-point loss however long the process runs), aligned once to performance.now().
 *
 * @example
 * import { defaultNow } from './time-source.js';
 * const t = defaultNow();          // seconds, e.g. 12.345678901
 * const ms = t * 1000;             // what WEBMIDI.js calls `WebMidi.time`
 */

/** A time source: seconds, monotonic. */
export type Now = () => number;

/** The two timer functions a clock needs; `setTimeout`'s delay is in milliseconds. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

function nodeNow(): Now | null {
  const proc = (globalThis as { process?: { hrtime?: { bigint?: () => bigint } } }).process;
  const hr = proc?.hrtime?.bigint;
  if (typeof hr !== 'function' || typeof performance === 'undefined') return null;
  // the first performance.now() call in Node loads perf_hooks and can take milliseconds:
  // warm it up, then keep the tightest of a few brackets
  performance.now();
  let best = Infinity;
  let origin = 0n;
  for (let i = 0; i < 5; i++) {
    const a = hr();
    const p = performance.now();
    const b = hr();
    if (b - a < best) {
      best = Number(b - a);
      origin = (a + b) / 2n - BigInt(Math.round(p * 1e6));
    }
  }
  return () => Number(hr() - origin) / 1e9;
}

/** performance.now() in seconds (Node: from hrtime); Date.now() where neither exists. */
export const defaultNow: Now =
  nodeNow() ?? (typeof performance !== 'undefined' ? () => performance.now() / 1000 : () => Date.now() / 1000);
