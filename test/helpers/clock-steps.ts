/**
 * Waiting on a clock in a live test: resolves once the clock has handed out `n` more steps.
 *
 * @example
 * session.start();
 * await steps(clock, 16);   // a bar of 16ths has gone out
 */
import type { Clock } from '../../src/time/clock.js';

export function steps(clock: Clock, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const off = clock.onStep(() => {
      if (++seen >= n) {
        off();
        resolve();
      }
    });
  });
}
