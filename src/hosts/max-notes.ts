/**
 * What the Max script sends for each note on its left outlet: `note velocity duration-ms
 * delay-ms`, for `[unpack 0 0 0 0.]` → `[pipe 0 0 0 0]` → `[makenote]`. The script runs in
 * Max's low-priority thread and keeps no time; `[pipe]` waits in Max's scheduler.
 *
 * The delay counts from the bang of the note's step: half a step (`LEAD_STEPS`) plus the
 * note's offset from its grid line. A model may play a hit up to half a step early, and a
 * delay cannot be negative, so everything sounds half a step after its bang (62.5 ms at
 * 120 BPM, 125 ms at 60) and an early hit keeps its place before the beat. The lead is the
 * same for a flat model, whose hits are never early: a model loaded mid-set then keeps the
 * drums where they were against the rest of the band, instead of moving them half a step.
 * On a stop the patch sends `clear` to the pipe, so hits still waiting there do not sound.
 *
 * In a set of several parts on one clock of 16ths the lead is half a 16th for every part,
 * whatever its model's step (`leadMs`): a chord model stepping in quarters sounds with the
 * drums, not half a quarter after them.
 *
 * @example
 * const stepMs = 60000 / 120 / 4;                                         // 125
 * noteList({ note: 38, velocity: 30, length: 1, offset: -0.1, channel: 9 }, stepMs); // [38, 30, 125, 50]
 */
import type { PlayedNote, PlayedRelease } from '../music/generator-types.js';

/** How long after its bang a note on its grid line sounds, in steps: the earliest offset a model gives. */
export const LEAD_STEPS = 0.5;

/** The delay for `[pipe]` of a note `offset` steps from its grid line, `leadMs` after the bang, in ms to 0.01 (never below 0). */
export function delayMs(offset: number, stepMs: number, leadMs?: number): number {
  const ms = leadMs === undefined ? (LEAD_STEPS + offset) * stepMs : leadMs + offset * stepMs;
  return Math.max(0, Math.round(ms * 100) / 100);
}

/** A note as outlet 0 sends it; a held note (a melody's) has duration 0 and ends with its release. */
export function noteList(n: PlayedNote, stepMs: number, leadMs?: number): [number, number, number, number] {
  return [n.note, n.velocity, Number.isFinite(n.length) ? Math.round(n.length * stepMs) : 0, delayMs(n.offset, stepMs, leadMs)];
}

/** A release as outlet 0 sends it: velocity 0, at its own time. */
export function releaseList(x: PlayedRelease, stepMs: number, leadMs?: number): [number, number, number, number] {
  return [x.note, 0, 0, delayMs(x.offset, stepMs, leadMs)];
}
