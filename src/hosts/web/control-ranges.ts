/**
 * The page's slider ranges that are not the control's whole domain, each with its reason.
 *
 * @example
 * input.min = String(TEMPERATURE_RANGE.min);
 */

/**
 * Temperature on the page: low plays a steady groove, high a wilder one. The slider starts
 * where the shipped drum model still plays a groove. Below it sampling is nearly greedy, and
 * greedy decoding repeats the likeliest step for ever: from a cold start that is a rest (0 hits
 * a bar at 0), or a snare on every 16th (15.5 hits a bar, no kick, at 0.1–0.3); once primed with
 * a rock groove, kick and snare on every 16th (31.8 hits a bar at 0–0.1). At 0.6 it is a groove:
 * from cold, 32 hits a bar with 4.2 kicks and 6.6 snares; primed, 43 hits with 9.7 kicks
 * (drums-gmd, 512 steps × 5 seeds). The generator itself still takes 0 (greedy) from code.
 */
export const TEMPERATURE_RANGE = { min: 0.6, max: 2, step: 0.05 } as const;
