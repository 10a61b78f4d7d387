/**
 * A cold start at the step the generator is at: the network's state zeroed, the model reading
 * its start event with an empty lookback, as before anything was played. `reset` starts over
 * this way; a count-in taken back returns here.
 *
 * @example
 * coldStart(machinery, state); // the next event generated is the first of a new performance
 */
import type { Machinery } from './control-handlers.js';
import type { GeneratorState } from './generator-state.js';

export function coldStart(m: Machinery, st: GeneratorState): void {
  m.net.resetState();
  st.last.event.set(m.codec.startEvent());
  st.last.back.fill(0);
  st.last.time = m.placer.startTime(st.step);
  st.last.index = 0;
}
