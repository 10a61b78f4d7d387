/**
 * A fake time source with fake timers, for clocks: time moves only when the test says, and
 * timers fire in order, each as late as `lateness()` says (to play a loaded event loop).
 */
import type { Timers } from '../../src/time/time-source.js';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeTime {
  t: number;
  private queue: Pending[] = [];
  private nextId = 1;
  /** Every timer's intended and actual firing time, for lateness checks. */
  readonly fired: { due: number; at: number }[] = [];

  constructor(start = 0, private readonly lateness: () => number = () => 0) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly timers: Timers = {
    setTimeout: (fn, ms) => {
      const p = { id: this.nextId++, at: this.t + Math.max(0, ms) / 1000, fn };
      this.queue.push(p);
      return p.id;
    },
    clearTimeout: (id) => {
      this.queue = this.queue.filter((p) => p.id !== id);
    },
  };

  get pending(): number {
    return this.queue.length;
  }

  /** Move time forward to `t + seconds`, firing every timer due on the way. */
  advance(seconds: number): void {
    const end = this.t + seconds;
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.queue.length; i++) if (best < 0 || this.queue[i].at < this.queue[best].at) best = i;
      if (best < 0) break;
      const p = this.queue[best];
      const at = p.at + this.lateness();
      if (at > end) break;
      this.queue.splice(best, 1);
      this.t = Math.max(this.t, at);
      this.fired.push({ due: p.at, at: this.t });
      p.fn();
    }
    this.t = end;
  }
}
