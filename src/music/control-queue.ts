/**
 * The controls a performer has sent and the generator has not applied yet. A control that a
 * later one makes pointless (a temperature followed by another temperature, a lock of the kick
 * followed by its unlock) is dropped as the later one arrives, so ten thousand temperature()
 * calls in one go leave one; what is left is taken a bounded number at a time, in order.
 *
 * Only controls whose settings do not depend on each other's order fold into later ones, and
 * only across controls that do not read them: a seed followed by a random prime and another
 * seed keeps all three; edits of one step around an unlock() fold into the last.
 *
 * @example
 * const q = new ControlQueue();
 * for (let i = 0; i < 10_000; i++) q.push({ type: 'temperature', value: 1 + i / 1e5 });
 * const batch: Control[] = [];
 * q.take(64, batch);   // batch: the last temperature only
 */
import type { Control } from './generator.js';

export class ControlQueue {
  // a control a later one overrides becomes null; `keys` finds the earlier one by what it
  // sets, family by family, among those queued since the last control it may depend on
  private items: (Control | null)[] = [];
  private readonly keys = new Map<Family, Map<string, number>>();

  /** Whether nothing is waiting. */
  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Queue `c`; `exact` (a replayed log: it says what applied) folds nothing. */
  push(c: Control, exact = false): void {
    const key = exact ? null : overrideKey(c);
    if (key === null) {
      const blocked = exact ? 'all' : barrierFor(c);
      if (blocked === 'all') this.keys.clear();
      else for (const f of blocked) this.keys.delete(f);
      this.items.push(c);
      return;
    }
    let family = this.keys.get(key.family);
    if (!family) this.keys.set(key.family, (family = new Map()));
    if (key.key === ALL) {
      // a temperature for every head, or an unlock of every voice, overrides each one's own
      for (const i of family.values()) this.items[i] = null;
      family.clear();
    } else {
      const i = family.get(key.key);
      if (i !== undefined) this.items[i] = null;
    }
    family.set(key.key, this.items.length);
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
  }
}

/** What settings a control belongs to: a later control of the same family and key overrides it. */
type Family = 'temperature' | 'topP' | 'density' | 'seed' | 'voice' | 'step';
const ALL = '*';

/** What a control sets, when a later control of the same key makes it pointless (null: it must apply). */
function overrideKey(c: Control): { family: Family; key: string } | null {
  switch (c.type) {
    case 'temperature':
      return { family: 'temperature', key: c.head === undefined ? ALL : String(c.head) };
    case 'topP':
    case 'density':
      return { family: c.type, key: c.type };
    case 'seed':
      return c.reset ? null : { family: 'seed', key: 'seed' };
    case 'lock':
      return { family: 'voice', key: String(c.voice) };
    case 'unlock':
      return { family: 'voice', key: c.voice === null ? ALL : String(c.voice) };
    case 'edit':
    case 'clearEdit':
      return { family: 'step', key: String(c.step) };
    default:
      return null;
  }
}

/**
 * The families a control that must apply keeps from folding across it: those whose effect
 * depends on which side of it they apply. A reset or a random prime reads the random stream a
 * seed set; pause and mute read no setting; a prime or a jump to another step may read any.
 * A thousand edits and seeds around unlock() or pause() still fold into the last of each.
 */
function barrierFor(c: Control): 'all' | readonly Family[] {
  switch (c.type) {
    case 'pause':
    case 'resume':
    case 'mute':
    case 'unmute':
      return [];
    case 'seed': // with reset
    case 'reset':
    case 'primeRandom':
      return ['seed'];
    default:
      return 'all';
  }
}
