/**
 * The controls a performer has sent and the generator has not applied yet. A control that a
 * later one makes pointless (a temperature followed by another temperature, a lock of the kick
 * followed by its unlock) is dropped as the later one arrives, so ten thousand temperature()
 * calls in one go leave one; what is left is taken a bounded number at a time, in order.
 *
 * Only controls whose settings do not depend on each other's order fold into later ones, and
 * only across such controls: a seed followed by a random prime and another seed keeps all three.
 *
 * @example
 * const q = new ControlQueue(1);
 * for (let i = 0; i < 10_000; i++) q.push({ type: 'temperature', value: 1 + i / 1e5 });
 * const batch: Control[] = [];
 * q.take(64, batch);   // batch: the last temperature only
 */
import type { Control } from './generator.js';

export class ControlQueue {
  // a control a later one overrides becomes null; `keys` finds the earlier one by what it
  // sets, among those queued since the last control others may depend on (`barrier`)
  private items: (Control | null)[] = [];
  private readonly keys = new Map<string, number>();
  private barrier = 0;

  constructor(private readonly heads: number) {}

  /** Whether nothing is waiting. */
  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Queue `c`; `exact` (a replayed log: it says what applied) folds nothing. */
  push(c: Control, exact = false): void {
    const key = exact ? null : overrideKey(c);
    if (key === null) {
      this.keys.clear();
      this.items.push(c);
      this.barrier = this.items.length;
      return;
    }
    this.drop(key);
    // a temperature for every head overrides each head's own
    if (key === 'temperature') for (let h = 0; h < this.heads; h++) this.drop(`temperature:${h}`);
    this.keys.set(key, this.items.length);
    this.items.push(c);
  }

  /** Move up to `limit` controls, oldest first, into `out` (emptied first); the rest wait. */
  take(limit: number, out: Control[]): void {
    out.length = 0;
    const items = this.items;
    let i = 0;
    while (i < items.length && out.length < limit) {
      const c = items[i++];
      if (c !== null) out.push(c);
    }
    if (i === items.length) items.length = 0;
    else items.splice(0, i);
    // what waits has kept its order; nothing later folds into it
    this.keys.clear();
    this.barrier = items.length;
  }

  some(test: (c: Control) => boolean): boolean {
    return this.items.some((c) => c !== null && test(c));
  }

  /** The waiting controls, in order. */
  list(): Control[] {
    return this.items.filter((c): c is Control => c !== null);
  }

  /** Replace what waits (restoring a snapshot); nothing later folds into these. */
  reset(controls: readonly Control[]): void {
    this.items = [...controls];
    this.keys.clear();
    this.barrier = this.items.length;
  }

  private drop(key: string): void {
    const i = this.keys.get(key);
    if (i !== undefined && i >= this.barrier) this.items[i] = null;
    this.keys.delete(key);
  }
}

/** What a control sets, when a later control of the same key makes it pointless (null: it must apply). */
function overrideKey(c: Control): string | null {
  switch (c.type) {
    case 'temperature':
      return c.head === undefined ? 'temperature' : `temperature:${c.head}`;
    case 'topP':
    case 'density':
      return c.type;
    case 'seed':
      return c.reset ? null : 'seed';
    case 'lock':
      return `voice:${c.voice}`;
    case 'unlock':
      return c.voice === null ? null : `voice:${c.voice}`;
    case 'edit':
    case 'clearEdit':
      return `step:${c.step}`;
    default:
      return null;
  }
}
