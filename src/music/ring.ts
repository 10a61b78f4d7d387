/**
 * The ring of slots the lookahead generates into: made once, reused, oldest first.
 *
 * @example
 * const next = slotAt(st.ring, 0); // the event that plays next
 * dropFirst(st.ring);              // it has played
 */
import type { PlacerMark } from './placer.js';

export interface Slot {
  readonly event: Int32Array;
  time: number;
  // as it was before this event was generated
  readonly state: Float32Array;
  readonly rng: Uint32Array;
  readonly prev: Int32Array;
  readonly back: Int32Array;
  prevTime: number;
  index: number;
  readonly mark: PlacerMark;
}

export interface Ring {
  slots: Slot[];
  /** Where the oldest event is. */
  first: number;
  /** Events generated and not played yet. */
  size: number;
}

export function emptyRing(): Ring {
  return { slots: [], first: 0, size: 0 };
}

/** The `i`th upcoming event. */
export function slotAt(ring: Ring, i: number): Slot {
  return ring.slots[(ring.first + i) % ring.slots.length];
}

/** The oldest event has played. */
export function dropFirst(ring: Ring): void {
  ring.first = (ring.first + 1) % ring.slots.length;
  ring.size--;
}
