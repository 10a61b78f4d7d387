/**
 * The RNN-Drummer's class tables, as the Drummer app hard-codes them: the drum note of each
 * note class and the tick delta (480 per quarter) of each tick class. A token of its note head
 * indexes DRUMMER_NOTES; a token of its tick head indexes DRUMMER_TICKS.
 *
 * @example
 * DRUMMER_NOTES[0]; // 36, the kick
 * DRUMMER_TICKS[DRUMMER_TICKS.length - 1]; // 487 ticks, about a quarter note
 */

/** Drum notes by class index. */
export const DRUMMER_NOTES: readonly number[] = [36, 37, 38, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53];

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Tick deltas (480 per quarter) by class index. */
export const DRUMMER_TICKS: readonly number[] = [
  ...range(0, 95), 98, ...range(100, 132), 136, 154, 159, 161, 166, 208, 214,
  ...range(220, 254), ...range(346, 363), 365, 367, 458, 463, ...range(467, 480), 487,
];

export const DRUMMER_TICKS_PER_QUARTER = 480;
