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
 * The queue is plain data (`Waiting`), part of the Generator's state record, so a snapshot
 * copies it with the rest; these functions work on it.
 *
 * @example
 * const q = emptyQueue();
 * for (let i = 0; i < 10_000; i++) queueControl(q, { type: 'temperature', value: 1 + i / 1e5 });
 * const batch: Control[] = [];
 * takeControls(q, 64, batch);   // batch: the last temperature only
 */
import type { Values } from './generator-state.js';
import type { Control, Settings } from './generator-types.js';

/** What a control sets, by family, for finding the earlier control a later one overrides. */
export type Family = 'temperature' | 'topP' | 'density' | 'dynamics' | 'timing' | 'velocityScale' | 'voiceDensity' | 'leaveOut' | 'seed' | 'voice' | 'step';

export interface Waiting {
  /** In order; a control a later one overrode is null. */
  pending: (Control | null)[];
  /**
   * Family by family, where in `pending` the control of each key sits, among those queued
   * since the last control they may depend on.
   */
  folds: Map<Family, Map<string, number>>;
}

const ALL = '*';

/**
 * Controls applied per tick, once those a later one overrides are gone (ten thousand
 * temperatures leave one). The rest wait for the next tick, and the log says when each applied.
 */
export const CONTROLS_PER_TICK = 64;

export function emptyQueue(): Waiting {
  return { pending: [], folds: new Map() };
}

/** Queue `c`; `exact` (a replayed log: it says what applied) folds nothing. */
export function queueControl(q: Waiting, c: Control, exact = false): void {
  const key = exact ? null : overrideKey(c);
  if (key === null) {
    const blocked = exact ? 'all' : barrierFor(c);
    if (blocked === 'all') q.folds.clear();
    else for (const f of blocked) q.folds.delete(f);
    q.pending.push(c);
    return;
  }
  let family = q.folds.get(key.family);
  if (!family) q.folds.set(key.family, (family = new Map()));
  if (key.key === ALL) {
    // a temperature for every head, or an unlock of every voice, overrides each one's own
    for (const i of family.values()) q.pending[i] = null;
    family.clear();
  } else {
    const i = family.get(key.key);
    if (i !== undefined) q.pending[i] = null;
  }
  family.set(key.key, q.pending.length);
  q.pending.push(c);
}

/** Move up to `limit` controls, oldest first, into `out` (emptied first); the rest wait. */
export function takeControls(q: Waiting, limit: number, out: Control[]): void {
  out.length = 0;
  const items = q.pending;
  let i = 0;
  while (i < items.length && out.length < limit) {
    const c = items[i++];
    if (c !== null) out.push(c);
  }
  if (i === items.length) items.length = 0;
  else items.splice(0, i);
  // what waits has kept its order; nothing later folds into it
  q.folds.clear();
}

/** The waiting controls, in order. */
export function waitingControls(q: Waiting): Control[] {
  return q.pending.filter((c): c is Control => c !== null);
}

/** The settings the waiting controls change, and only those, over `applied`: the values playing now. */
export function pendingSettings(q: Waiting, applied: Values): Partial<Settings> {
  const out: Partial<Settings> = {};
  let t: number[] | null = null;
  for (const c of waitingControls(q)) {
    if (c.type === 'temperature') {
      t ??= applied.temps.slice();
      if (c.head === undefined) t.fill(c.value);
      else t[c.head] = c.value;
      out.temperatures = t;
      out.temperature = t[0];
    } else if (c.type === 'velocityScale') {
      out.velocityScales ??= applied.scales.slice();
      out.velocityScales[c.voice] = c.value;
    } else if (c.type === 'voiceDensity') {
      out.voiceDensities ??= applied.voiceDensity.slice();
      out.voiceDensities[c.voice] = c.value;
    } else if (c.type === 'leaveOut' || c.type === 'bringBack') {
      out.leftOut ??= applied.leftOut.slice();
      out.leftOut[c.voice] = c.type === 'leaveOut';
    } else if (c.type === 'topP' || c.type === 'density' || c.type === 'dynamics' || c.type === 'timing' || c.type === 'seed') out[c.type] = c.value;
    else if (c.type === 'pause' || c.type === 'resume') out.paused = c.type === 'pause';
    else if (c.type === 'mute' || c.type === 'unmute') out.muted = c.type === 'mute';
  }
  return out;
}

/** What a control sets, when a later control of the same key makes it pointless (null: it must apply). */
function overrideKey(c: Control): { family: Family; key: string } | null {
  switch (c.type) {
    case 'temperature':
      return { family: 'temperature', key: c.head === undefined ? ALL : String(c.head) };
    case 'topP':
    case 'density':
    case 'dynamics':
    case 'timing':
      return { family: c.type, key: c.type };
    case 'velocityScale':
      return { family: 'velocityScale', key: String(c.voice) };
    case 'voiceDensity':
      return { family: 'voiceDensity', key: String(c.voice) };
    case 'leaveOut':
    case 'bringBack':
      return { family: 'leaveOut', key: String(c.voice) };
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
