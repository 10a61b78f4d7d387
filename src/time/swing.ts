/**
 * Swing as the clock plays it: a piecewise-linear warp of each 8th (12 pulses), its first 16th
 * stretched by (1 + swing) and its second squeezed by (1 - swing), so every second 16th starts
 * `swing` × a 16th late. Steps of any size keep their order under it, and the warped pulse's
 * time comes from the tempo map, so swing follows tempo changes. The internal clock, an offline
 * replay and the Max script all read a step's lateness here, so a swung take replays the same.
 *
 * @example
 * swungPulse(6, 0.2);    // 7.2: the second 16th of the 8th, a fifth of a 16th late
 * swungPulse(12, 0.2);   // 12: the next 8th starts on time
 * swingLag(18, 0.5);     // 3 pulses
 */
import { PPQN } from './clock.js';

/** Pulses in a 16th: swing is counted in them. */
const SIXTEENTH = PPQN / 4;

/** How many pulses late swing puts `pulse` (a clock pulse counted from song position 0). */
export function swingLag(pulse: number, swing: number): number {
  if (swing === 0) return 0;
  const u = ((pulse % (2 * SIXTEENTH)) + 2 * SIXTEENTH) % (2 * SIXTEENTH);
  return swing * (u <= SIXTEENTH ? u : 2 * SIXTEENTH - u);
}

/** The (fractional) pulse whose straight time `pulse` plays at under `swing`. */
export function swungPulse(pulse: number, swing: number): number {
  return pulse + swingLag(pulse, swing);
}

/**
 * A file's tick (at `ticksPerQuarter`) where `swing` puts it, to the nearest tick: for notes
 * written offline, which have no clock to swing them.
 *
 * @example
 * swungTick(120, 480, 0.5);   // 180: the second 16th, half a 16th late
 */
export function swungTick(tick: number, ticksPerQuarter: number, swing: number): number {
  const perPulse = ticksPerQuarter / PPQN;
  return Math.round(swungPulse(tick / perPulse, swing) * perPulse);
}
