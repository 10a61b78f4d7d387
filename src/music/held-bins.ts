/**
 * What a lock holds of an expressive voice besides its hits: the velocity and offset bins it
 * played in the bar before the lock, step by step. A locked hi-hat keeps its accents and its
 * lean as played, and the model reads them back as the next step's expression input, as it
 * reads any hit it played.
 *
 * The Generator keeps the event last played at each step of the bar (`GeneratorState.lastBar`);
 * a lock copies its voice's bins from there as it applies; the grid placer plays a held bin in
 * place of a draw. Codecs without `voiceHeads` keep nothing and hold nothing.
 *
 * @example
 * keepPlayed(st.lastBar, event, step, codec.stepsPerBar);    // as each step plays
 * const bins = lockedBins(codec, st.lastBar, voice, pattern); // as a lock applies
 * heldBin(st.locks, step, voice, 0, codec.stepsPerBar);      // the velocity bin it holds, or −1
 */
import type { Codec } from './codec.js';
import type { Lock } from './generator-state.js';

const position = (step: number, bar: number): number => ((step % bar) + bar) % bar;

/** Remember `event` as the one played at `step`'s place in the bar. */
export function keepPlayed(lastBar: Int32Array, event: Int32Array, step: number, stepsPerBar: number): void {
  if (lastBar.length === 0) return;
  lastBar.set(event, position(step, stepsPerBar) * event.length);
}

/**
 * The bins a lock of `voice` holds: per conditioned head, per step of the bar, the bin of the
 * voice's hit in `lastBar` where `pattern` hits; −1 elsewhere, and everywhere without a
 * pattern taken from the last bar (a pattern given by hand has no played bins: the model draws them).
 */
export function lockedBins(codec: Codec, lastBar: Int32Array, voice: number, pattern: Uint8Array | null): Int32Array {
  const heads = codec.voiceHeads?.length ?? 0;
  const bar = codec.stepsPerBar;
  const bins = new Int32Array(heads * bar).fill(-1);
  if (pattern === null || lastBar.length === 0) return bins;
  const length = lastBar.length / bar;
  const voices = codec.voices.length;
  for (let p = 0; p < bar; p++) {
    const at = p * length;
    if (!pattern[p] || !codec.hasVoice(lastBar[at], voice)) continue;
    for (let k = 0; k < heads; k++) bins[k * bar + p] = lastBar[at + 1 + k * voices + voice];
  }
  return bins;
}

/** The bin of conditioned head `k` that a lock holding at `step` keeps for `voice`, or −1 (the model draws it). */
export function heldBin(locks: readonly Lock[], step: number, voice: number, k: number, stepsPerBar: number): number {
  for (let i = 0; i < locks.length; i++) {
    const l = locks[i];
    if (l.voice !== voice || l.bins.length === 0 || step < l.from || (l.until !== null && step >= l.until)) continue;
    return l.bins[k * stepsPerBar + position(step, stepsPerBar)];
  }
  return -1;
}
