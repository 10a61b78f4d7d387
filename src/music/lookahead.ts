/**
 * The events generated ahead of the step playing, in a ring of slots made once and reused.
 * Each slot keeps, beside its event, everything as it was just before the event was
 * generated (network state, random stream, the cursor, the placer's mark), so a control that
 * changes the future throws the forecast away from any slot and generates it again: what a
 * display shows ahead is what will play.
 *
 * @example
 * lookahead.fill(st, (st.step + 1 + 16) * codec.ticksPerStep); // 16 steps ahead
 * lookahead.regenerateFromStep(st, st.step + 4);              // an edit there: again from it
 */
import type { Network } from '../engine/network.js';
import type { Rng } from '../engine/prng.js';
import type { Codec } from './codec.js';
import { pushBack, type GeneratorState } from './generator-state.js';
import { NEVER, type Placer } from './placer.js';
import { slotAt, type Ring, type Slot } from './ring.js';

export class Lookahead {
  private readonly inputs: number[];
  /** What the codec reads besides the last event; `back` is pointed at the state's on each step. */
  private readonly ctx: { vectors: readonly (Float32Array | null)[]; back: Int32Array };

  constructor(
    private readonly net: Network,
    private readonly rng: Rng,
    private readonly codec: Codec,
    private readonly placer: Placer,
  ) {
    this.inputs = new Array(net.spec.inputs.length).fill(0);
    this.ctx = { vectors: net.vectors, back: new Int32Array(0) };
  }

  /** Generate until an event lands at or after tick `until`. */
  fill(st: GeneratorState, until: number): void {
    const limit = this.placer.fillLimit(until);
    while (st.last.time < limit) this.generateOne(st);
  }

  // no closures in here or in anything a tick calls: a function that makes one allocates
  // its context on every call
  private generateOne(st: GeneratorState): void {
    const slot = this.nextSlot(st.ring);
    const last = st.last;
    this.net.getState(slot.state);
    this.rng.getState(slot.rng);
    slot.prev.set(last.event);
    slot.back.set(last.back);
    slot.prevTime = last.time;
    slot.index = last.index;
    this.placer.mark(st, slot.mark);
    const position = this.placer.position(last);
    this.ctx.back = last.back;
    this.codec.inputs(last.event, position, this.inputs, this.ctx);
    this.net.step(this.inputs);
    slot.time = this.placer.choose(st, position, slot.event);
    last.event.set(slot.event);
    pushBack(last.back, slot.event[0]);
    last.time = slot.time;
    last.index++;
    st.ring.size++;
  }

  private nextSlot(ring: Ring): Slot {
    if (ring.size === ring.slots.length) this.grow(ring);
    let i = ring.first + ring.size;
    if (i >= ring.slots.length) i -= ring.slots.length;
    return ring.slots[i];
  }

  /** Double the ring (rare: only when more events are ahead than ever before). */
  private grow(ring: Ring): void {
    const ordered = Array.from({ length: ring.size }, (_, i) => slotAt(ring, i));
    const grown = Math.max(4, ring.slots.length * 2);
    const size = this.codec.startEvent().length;
    const back = this.codec.lookback ?? 0;
    for (let i = ordered.length; i < grown; i++) {
      ordered.push({ event: new Int32Array(size), time: 0, state: new Float32Array(this.net.stateSize), rng: new Uint32Array(4), prev: new Int32Array(size), back: new Int32Array(back), prevTime: 0, index: 0, mark: { doneEdit: -1, keepOut: NEVER } });
    }
    ring.slots = ordered;
    ring.first = 0;
  }

  /** Throw away the upcoming events from the `from`th on, going back to just before it. */
  regenerate(st: GeneratorState, from: number, restoreRng: boolean): void {
    if (from >= st.ring.size) return;
    const s = slotAt(st.ring, from);
    this.net.setState(s.state);
    if (restoreRng) this.rng.setState(s.rng);
    st.last.event.set(s.prev);
    st.last.back.set(s.back);
    st.last.time = s.prevTime;
    st.last.index = s.index;
    this.placer.rewind(st, s.mark);
    st.ring.size = from;
  }

  /** Generate again from the first event at or after `step` (an edit of it, say). */
  regenerateFromStep(st: GeneratorState, step: number): void {
    const t = step * this.codec.ticksPerStep;
    for (let i = 0; i < st.ring.size; i++) {
      if (slotAt(st.ring, i).time >= t) return this.regenerate(st, i, true);
    }
  }

  /** Throw every upcoming event away; the random stream goes on from where it is. */
  discard(st: GeneratorState): void {
    this.regenerate(st, 0, false);
  }

  /** The upcoming events as notes per step. */
  upcoming(st: GeneratorState): { step: number; notes: number[] }[] {
    const out: { step: number; notes: number[] }[] = [];
    for (let i = 0; i < st.ring.size; i++) {
      const s = slotAt(st.ring, i);
      const step = Math.floor(s.time / this.codec.ticksPerStep);
      if (out.length && out[out.length - 1].step === step) out[out.length - 1].notes.push(...this.codec.notesOf(s.event));
      else out.push({ step, notes: this.codec.notesOf(s.event) });
    }
    return out;
  }
}
