/**
 * The count-in: before a cold start's first step, a drum model plays some bars silently, so
 * the first bar a performer hears already sits in a groove.
 *
 * Why: a recording starts with pickups and fills, not with its groove. In the Groove MIDI
 * Dataset's training beats only 49% of first bars have a kick on beat 1 (72% of second bars,
 * 78% of third), and a model that learnt them starts the same way: from a cold start its
 * first bar had a kick on 1 for 52% of 200 seeds, counted in two bars 71%. Counted in, the
 * network's state, its lookback bars and the random stream go on from the silent bars;
 * nothing of them sounds, is logged or shows in the history, so a performance is still a pure
 * function of the model, the options and the log.
 *
 * It is played when the generator is made or reset, off the clock's path. A performer who
 * gives the model its context before the first tick (a phrase to prime from, a step written
 * in the first bar) gets no count-in: a groove nobody heard would fight theirs.
 *
 * @example
 * new Generator(spec, { countIn: 2 }); // its first tick plays what two silent bars led to
 */
import type { ModelSpec } from '../engine/model.js';
import { MAX_COUNT_IN } from '../engine/model-meta.js';
import { coldStart } from './cold-start.js';
import type { Codec } from './codec.js';
import type { Machinery } from './control-handlers.js';
import type { GeneratorState } from './generator-state.js';

/**
 * The count-in the trainer writes into a drum model. Two bars: the training data's own third
 * bars are the first to play like the rest of a performance (above), and two bars of a 2×256
 * LSTM cost about 4 ms once.
 */
export const DRUM_COUNT_IN = 2;

/** Whether a codec counts in: drum grids only (a melody or chord model starts on its first step). */
export const isDrumGrid = (codec: Codec): boolean => codec.kind === 'grid' && codec.voices.length > 0 && !codec.frameKeys;

/**
 * The count-in in bars: the option when given, else the model's `countIn`, else none.
 *
 * @example
 * countInBars(spec, undefined); // 2 for the shipped drums-expressive
 */
export function countInBars(spec: ModelSpec, option: number | undefined): number {
  const fromModel = (spec.meta as { countIn?: unknown }).countIn;
  const [bars, where] = option !== undefined ? [option, 'countIn'] : fromModel !== undefined ? [fromModel, `${spec.source}: metadata 'countIn'`] : [0, ''];
  if (typeof bars !== 'number' || !Number.isInteger(bars) || bars < 0 || bars > MAX_COUNT_IN) throw new Error(`${where} must be a whole number of bars from 0 to ${MAX_COUNT_IN}, got ${JSON.stringify(bars)}`);
  return bars;
}

/**
 * Count in from a cold start: generate `m.countIn` steps before `st.step` and keep only where
 * they leave the model (network state, cursor, lookback, random stream).
 */
export function countIn(m: Machinery, st: GeneratorState): void {
  st.countedIn = null;
  if (m.countIn <= 0 || st.ring.size > 0) return;
  st.countedIn = m.rng.getState();
  st.last.time = m.placer.startTime(st.step - m.countIn);
  m.lookahead.fill(st, st.step * m.codec.ticksPerStep);
  // the silent steps leave the ring without undoing them: the state stays where they got to
  st.ring.size = 0;
}

/**
 * At the first tick after a count-in, once its controls applied: a step written in the first
 * bar takes the count-in back (the cold start and its random stream return), so the model
 * goes on from the performer's steps alone. A phrase primed by then is read from a cold start
 * by the prime itself.
 */
export function settleCountIn(m: Machinery, st: GeneratorState): void {
  const before = st.countedIn as Uint32Array;
  st.countedIn = null;
  if (st.ring.size > 0) return;
  for (const step of st.edits.keys()) {
    if (step < st.step || step >= st.step + m.codec.stepsPerBar) continue;
    coldStart(m, st);
    m.rng.setState(before);
    return;
  }
}
