/**
 * The count-in: before a cold start's first step, a drum model plays some bars silently, so
 * the first bar a performer hears already sits in a groove.
 *
 * Why: a recording starts with pickups and fills, not with its groove. In the Groove MIDI
 * Dataset's training beats only 49% of first bars have a kick on beat 1 (72% of second bars,
 * 78% of third), and a model that learnt them starts the same way: from a cold start its
 * first bar had a kick on 1 in about half the seeds. Counted in, the network's state, its
 * lookback bars and the random stream go on from the silent bars; nothing of them sounds,
 * is logged or shows in the history, so a performance is still a pure function of the model,
 * the options and the log. A phrase primed before the first step is read from a cold start
 * instead: the performer gave the context, and a count-in nobody heard is none.
 *
 * @example
 * countIn(machinery, state, 2 * codec.stepsPerBar); // the next step plays after two silent bars
 */
import type { ModelSpec } from '../engine/model.js';
import type { Codec } from './codec.js';
import type { Machinery } from './control-handlers.js';
import type { GeneratorState } from './generator-state.js';

/** Generate `steps` steps before `st.step` and keep only where they leave the model. */
export function countIn(m: Machinery, st: GeneratorState, steps: number): void {
  if (steps <= 0 || st.ring.size > 0) return;
  st.last.time = m.placer.startTime(st.step - steps);
  m.lookahead.fill(st, st.step * m.codec.ticksPerStep);
  // the silent steps leave the ring without undoing them: the state stays where they got to
  st.ring.size = 0;
  st.countedIn = true;
}

/**
 * The count-in the trainer writes into a drum model: from the third bar on, a cold start
 * keeps a kick on beat 1 as often as the training data does after its own start (bars 3
 * onward), and two bars of a 2×256 LSTM cost about 4 ms once at the start.
 */
export const DRUM_COUNT_IN = 2;

/** Whether a codec counts in: drum grids only (a melody or chord model starts on its first step). */
export const isDrumGrid = (codec: Codec): boolean => codec.kind === 'grid' && codec.voices.length > 0 && !codec.frameKeys;

/** Most bars a count-in may take (each costs a bar of network steps at the start; the metadata check says the same). */
export const MAX_COUNT_IN = 8;

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
