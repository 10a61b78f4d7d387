/**
 * Locks on a chord part (a codec with `frameKeys`): a lock holds one pitch row, the key sounding
 * or not at each step of the bar as the last bar played it (or as a pattern gives it), while the
 * model draws the other keys around it and hears the key as held; or, locked as 'chords', the
 * whole part: every step of the bar plays the frame it played in the last bar, so the part
 * repeats its bar of chords until unlocked. A row lock's `voice` is the key (0 = A0); the whole
 * part's is `frameKeys`, and its `bins` hold the bar's frames (`stepsPerBar` × keys).
 *
 * @example
 * holdKeys(st.locks, step, ev, codec.stepsPerBar); // after the frame is drawn
 * rowIndex('C4', 88); // 39; rowIndex('chords', 88) === 88
 */
import type { Lock } from './generator-state.js';
import { LOWEST_KEY } from './piano-roll-codec.js';

/** The name a chord part's whole-part lock goes by. */
export const WHOLE_PART = 'chords';

const NAMES: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** A note name such as 'C4', 'F#3' or 'Bb2' (C4 = 60) as its MIDI number, or null. */
export function noteNumber(name: string): number | null {
  const m = /^([A-Ga-g])([#b]?)(-?\d)$/.exec(name.trim());
  if (!m) return null;
  return 12 * (Number(m[3]) + 1) + NAMES[m[1].toUpperCase()] + (m[2] === '#' ? 1 : m[2] === 'b' ? -1 : 0);
}

/** The lock row of a pitch (a MIDI number or a name) or of 'chords' (the whole part: `keys`); throws naming what it takes. */
export function rowIndex(row: string | number, keys: number): number {
  if (row === WHOLE_PART) return keys;
  const p = typeof row === 'number' ? row : noteNumber(row);
  const k = p === null ? -1 : p - LOWEST_KEY;
  if (!(Number.isInteger(k) && k >= 0 && k < keys)) throw new Error(`lock: a chord part locks a pitch row (a piano key, MIDI ${LOWEST_KEY}..${LOWEST_KEY + keys - 1} or a name such as 'C4') or '${WHOLE_PART}' (the whole part), got ${JSON.stringify(row)}`);
  return k;
}

/** The name of lock row `k`: its MIDI number as a string, or 'chords'. */
export const rowName = (k: number, keys: number): string => (k === keys ? WHOLE_PART : String(LOWEST_KEY + k));

/** Hold the locked rows (and a locked whole part) at `step` in the frame `ev` just drawn. */
export function holdKeys(locks: readonly Lock[], step: number, ev: Int32Array, stepsPerBar: number): void {
  const pos = ((step % stepsPerBar) + stepsPerBar) % stepsPerBar;
  const keys = ev.length;
  for (let i = 0; i < locks.length; i++) {
    const l = locks[i];
    if (step < l.from || (l.until !== null && step >= l.until)) continue;
    if (l.voice === keys) {
      for (let k = 0; k < keys; k++) ev[k] = l.bins[pos * keys + k];
    } else ev[l.voice] = l.pattern[pos];
  }
}

/** What a lock of row `k` keeps from the last bar (`lastBar`: the bar's frames by position): the row's pattern into `out`, and for the whole part the frames themselves. */
export function lastBarRow(lastBar: Int32Array, k: number, keys: number, out: Uint8Array): Int32Array {
  if (k === keys) {
    out.fill(1);
    return lastBar.slice();
  }
  for (let p = 0; p < out.length; p++) out[p] = lastBar[p * keys + k] === 1 ? 1 : 0;
  return new Int32Array(0);
}
