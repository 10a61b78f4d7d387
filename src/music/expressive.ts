/**
 * How a drum hit's loudness and timing are written down, in one place: every reader of MIDI,
 * every model head and every player uses these, so a hit means the same thing everywhere.
 *
 * Offset: where a hit falls from its step's grid time, as a fraction of a step, in
 * [-0.5, 0.5), positive = late. A hit belongs to the NEAREST step (`Math.round`, the drum
 * grid's quantization), so a hit more than half a step late belongs to the next step, early.
 * Exactly half a step late rounds up: -0.5 of the next step (the range is closed below).
 * A hit 10 ms late at 120 BPM, 4 steps per quarter (125 ms a step) is +0.08 of a step.
 *
 * Velocity: MIDI 1–127. Models read it as 16 bins of width 8 (centres 4, 12, …, 124), and
 * offsets as 16 bins of width 1/16 of a step over [-0.5, 0.5) (centres -0.46875 … 0.46875).
 *
 * @example
 * // 480 ticks per quarter, 120 ticks per 16th: a hit at tick 250 is step 2 (tick 240), 10 ticks late
 * stepOfTick(250, 120);            // { step: 2, offset: 0.0833… }
 * offsetOf(250, 240, 120);         // 0.0833…
 * tickOfOffset(0.0833, 240, 120);  // ≈ 250
 * offsetMs(0.08, 120, 4);          // 10 (ms at 120 BPM)
 * velocityBin(100);                // 12; velocityOfBin(12) = 100
 * offsetBin(0.08);                 // 9;  offsetOfBin(9) = 0.09375
 */

export const VELOCITY_BINS = 16;
export const OFFSET_BINS = 16;
/** Width of a velocity bin in MIDI velocity. */
export const VELOCITY_BIN_WIDTH = 128 / VELOCITY_BINS;
/** Width of an offset bin as a fraction of a step. */
export const OFFSET_BIN_WIDTH = 1 / OFFSET_BINS;

/**
 * A hit's offset from its step as a fraction of a step, positive = late.
 *
 * @example
 * offsetOf(250, 240, 120); // 0.0833… (10 ticks late)
 * offsetOf(180, 240, 120); // -0.5   (the hit half a step early belongs to step 2)
 */
export function offsetOf(hitTick: number, stepTick: number, ticksPerStep: number): number {
  return (hitTick - stepTick) / ticksPerStep;
}

/**
 * The tick of a hit played `offset` of a step from its step's grid time: `offsetOf`'s inverse.
 *
 * @example
 * tickOfOffset(-0.25, 240, 120); // 210
 */
export function tickOfOffset(offset: number, stepTick: number, ticksPerStep: number): number {
  return stepTick + offset * ticksPerStep;
}

/**
 * The step a hit at `tick` belongs to (the nearest, as the drum grid quantizes) and its offset
 * from it, always in [-0.5, 0.5).
 *
 * @example
 * stepOfTick(190, 120); // { step: 2, offset: -0.4166… } (more than half a step late for step 1)
 */
export function stepOfTick(tick: number, ticksPerStep: number): { step: number; offset: number } {
  const step = Math.round(tick / ticksPerStep);
  return { step, offset: offsetOf(tick, step * ticksPerStep, ticksPerStep) };
}

/**
 * An offset (fraction of a step) in milliseconds at a tempo.
 *
 * @example
 * offsetMs(0.08, 120, 4); // 10
 */
export function offsetMs(offset: number, bpm: number, stepsPerQuarter: number): number {
  return (offset * 60000) / bpm / stepsPerQuarter;
}

/**
 * The bin of a MIDI velocity: 0 for 0–7, …, 15 for 120–127 (out-of-range values clamp).
 *
 * @example
 * velocityBin(100); // 12
 */
export function velocityBin(v: number): number {
  return Math.max(0, Math.min(VELOCITY_BINS - 1, Math.floor(v / VELOCITY_BIN_WIDTH)));
}

/**
 * The MIDI velocity a bin plays: its centre (4, 12, …, 124).
 *
 * @example
 * velocityOfBin(12); // 100
 */
export function velocityOfBin(b: number): number {
  return b * VELOCITY_BIN_WIDTH + VELOCITY_BIN_WIDTH / 2;
}

/**
 * The bin of an offset: 0 for [-0.5, -0.4375), …, 15 for [0.4375, 0.5) (out-of-range values clamp).
 *
 * @example
 * offsetBin(0); // 8
 */
export function offsetBin(o: number): number {
  return Math.max(0, Math.min(OFFSET_BINS - 1, Math.floor((o + 0.5) * OFFSET_BINS)));
}

/**
 * The offset a bin plays: its centre, as a fraction of a step.
 *
 * @example
 * offsetOfBin(8); // 0.03125
 */
export function offsetOfBin(b: number): number {
  return -0.5 + (b + 0.5) * OFFSET_BIN_WIDTH;
}

/** Each velocity bin's centre, by bin. */
export const VELOCITY_CENTRES: readonly number[] = Array.from({ length: VELOCITY_BINS }, (_, b) => velocityOfBin(b));
/** Each offset bin's centre (fraction of a step), by bin. */
export const OFFSET_CENTRES: readonly number[] = Array.from({ length: OFFSET_BINS }, (_, b) => offsetOfBin(b));
