/**
 * A phrase read into a state of its own while the music plays on from the old one, a slice a
 * tick, then taken as the state to play on from. The work of reading may move (a host reads
 * ahead between ticks) but the tick it takes effect at is fixed when it begins, so a replay
 * takes it in at the same tick.
 */
import type { Network } from '../engine/network.js';
import type { Codec } from './codec.js';
import { pushBack, type GeneratorState } from './generator-state.js';
import type { Lookahead } from './lookahead.js';
import { slotAt } from './ring.js';
import type { Placer } from './placer.js';

/** A phrase being read. */
export interface PrimeJob {
  events: number[][];
  /** Events read so far. */
  read: number;
  steps: number;
  /** The step the phrase ends before, as foreseen when it began (grid models read positions from it). */
  end: number;
  /** Ticks of delay the whole phrase spans (event models). */
  span: number;
  state: Float32Array;
  last: Int32Array;
  /** The tokens before `last`, as the cursor keeps them. */
  back: Int32Array;
  index: number;
  /** The tick at whose start it takes effect, however much was read ahead. */
  effectTick: number;
}

/**
 * Events of a prime a tick reads at most (the last tick also reads a grid phrase's filling out
 * to its bar, under two bars), so a phrase of n events takes effect ceil(n / 128)
 * ticks after it applies: a 20,000-step file 157 ticks (20 s at 120 BPM), a 5-minute groove
 * 19. A step of the shipped 2×256 LSTM costs 0.25 ms on a busy machine, so a slice is 32 ms at
 * worst; a host that calls `readAhead` between ticks leaves the ticks next to nothing to read.
 * A count, not a time budget: a replay must take the prime in at the same tick.
 */
export const PRIME_SLICE = 128;

/** Ticks a prime of `events` events takes to take effect, counting the tick it applies at. */
export function primeTicks(events: number): number {
  return Math.max(1, Math.ceil(events / PRIME_SLICE));
}

export class PrimeReader {
  private readonly inputs: number[];
  /** The playing state, kept aside while the phrase's state is stepped. */
  private readonly playing: Float32Array;

  constructor(
    private readonly net: Network,
    private readonly codec: Codec,
    private readonly placer: Placer,
    private readonly lookahead: Lookahead,
  ) {
    this.inputs = new Array(net.spec.inputs.length).fill(0);
    this.playing = new Float32Array(net.stateSize);
  }

  /**
   * Start reading a phrase that spans `steps` steps: from zero with `reset`, else from the
   * state after the last step played. A phrase already being read is replaced. A `phrase` is
   * laid out as the placer reads phrases (a grid's from a bar line); a single injected event is not.
   */
  begin(st: GeneratorState, events: number[][], reset: boolean, steps: number, phrase = true): void {
    const state = new Float32Array(this.net.stateSize);
    let last: Int32Array;
    let back = new Int32Array(this.codec.lookback ?? 0);
    let index: number;
    if (reset) {
      last = Int32Array.from(this.codec.startEvent());
      index = 0;
    } else if (st.ring.size > 0) {
      // the lookahead ran past the step played: go from before its first event
      const s = slotAt(st.ring, 0);
      state.set(s.state);
      last = s.prev.slice();
      back = s.back.slice();
      index = s.index;
    } else {
      this.net.getState(state);
      last = st.last.event.slice();
      back = st.last.back.slice();
      index = st.last.index;
    }
    // the tick it takes effect at follows the phrase as given, so a host can say it beforehand
    const ticks = primeTicks(events.length);
    const end = st.step + (st.values.paused ? 0 : ticks - 1);
    const span = events.reduce((t, e) => t + this.codec.delay(e), 0);
    const read = phrase ? this.placer.primePhrase(events, end) : events;
    st.prime = { events: read, read: 0, steps, end, span, state, last, back, index, effectTick: st.tick + ticks - 1 };
  }

  /** A tick's share of the phrase; at its effect tick, the rest of it, and it takes effect. Returns whether it did. */
  readSlice(st: GeneratorState): boolean {
    const job = st.prime as PrimeJob;
    const n = job.events.length;
    const due = st.tick >= job.effectTick;
    this.read(job, due ? n : Math.min(n, job.read + PRIME_SLICE));
    if (due) this.take(st, job);
    return due;
  }

  /** Read up to `events` more events between ticks; whether any are left. */
  readAhead(st: GeneratorState, events: number): boolean {
    const job = st.prime;
    if (!job) return false;
    this.read(job, Math.min(job.events.length, job.read + Math.max(0, Math.floor(events))));
    return job.read < job.events.length;
  }

  /** Read the phrase's events up to `stop` into the job's own state; the playing state is kept. */
  private read(job: PrimeJob, stop: number): void {
    if (stop <= job.read) return;
    this.net.getState(this.playing);
    try {
      this.net.setState(job.state);
      for (let i = job.read; i < stop; i++) {
        this.codec.inputs(job.last, this.placer.primePosition(job, i), this.inputs, { vectors: this.net.vectors, back: job.back });
        this.net.step(this.inputs);
        job.last.set(job.events[i]);
        pushBack(job.back, job.events[i][0]);
        job.index++;
      }
      this.net.getState(job.state);
    } finally {
      this.net.setState(this.playing);
    }
    job.read = stop;
  }

  /** Play on from the phrase: the forecast made from the old state goes. */
  private take(st: GeneratorState, job: PrimeJob): void {
    st.prime = null;
    this.lookahead.discard(st);
    this.net.setState(job.state);
    st.last.event.set(job.last);
    st.last.back.set(job.back);
    st.last.index = job.index;
    this.placer.linePrimeUp(st, job);
  }
}
