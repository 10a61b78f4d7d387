/**
 * What a live benchmark watches while the music plays: the longest the event loop was held up
 * (the longest gap between turns of a 1 ms timer) and how far ahead of its time each step was
 * handed out (negative: late). Start it once the set is playing, stop it when the burst is over.
 *
 * @example
 * const watch = watchLive(clock);
 * await session.prime('groove.mid');
 * const { maxBlockMs, minAheadMs, late } = watch.stop();
 */
import type { InternalClock } from '../src/time/internal-clock.js';

export interface LiveWatch {
  stop(): { maxBlockMs: number; minAheadMs: number; late: number };
}

export function watchLive(clock: InternalClock): LiveWatch {
  let minAhead = Infinity;
  let late = 0;
  let measuring = true;
  clock.onStep((e) => {
    if (!measuring) return;
    const ahead = (e.time - clock.now()) * 1000;
    minAhead = Math.min(minAhead, ahead);
    if (ahead < 0) late++;
  });
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      measuring = false;
      return { maxBlockMs: +maxGap.toFixed(1), minAheadMs: +minAhead.toFixed(1), late };
    },
  };
}
