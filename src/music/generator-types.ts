/**
 * The words a Generator and its host share: options, settings, what a tick played, the
 * controls a performer sends and the performance log that keeps them. `generator.ts` exports
 * them all; they live here so the Generator's file holds only what it does.
 */
import type { KernelPreference } from '../engine/kernel.js';
import type { PlayOptions } from './codec.js';
import type { SlotSetFile } from './slots-file.js';
import type { RecallWhen } from './slots.js';

export interface GeneratorOptions extends PlayOptions {
  /** Seed of the random stream (default 1). */
  seed?: number;
  /** Sampling temperature, one for all heads (default 1; 0 = always the likeliest). */
  temperature?: number;
  topP?: number;
  /** Logit bias toward more (positive) or fewer (negative) notes (default 0). */
  density?: number;
  /** How far velocities stray from the codec's flat velocity: 0 flat, 1 as the model gives them (default), 2 twice as far. */
  dynamics?: number;
  /** How far notes sit from their nearest step line: 0 on it, 1 where the model places them (default). */
  timing?: number;
  /** Steps generated ahead of the one playing, for displays and edits (default 0). */
  lookahead?: number;
  /** Played steps kept for displays (default 64). */
  historyLength?: number;
  /** Bars a drum model plays silently before a cold start's first step (default: the model's `countIn`, else 0; see count-in.ts). */
  countIn?: number;
  kernel?: KernelPreference;
}

/** The value controls, as a host shows them. */
export interface Settings {
  /** Temperature of the first head (of every head, unless one was set alone). */
  temperature: number;
  /** Temperature of each head. */
  temperatures: number[];
  topP: number;
  density: number;
  dynamics: number;
  timing: number;
  /** The factor of each drum voice's velocities, by voice (`codec.voices`); empty for models without voices. */
  velocityScales: number[];
  /** The bias of each drum voice's hits over density, by voice; empty for models without voices. */
  voiceDensities: number[];
  /** Whether each drum voice is left out (the model plays without it), by voice. */
  leftOut: boolean[];
  seed: number;
  paused: boolean;
  muted: boolean;
}

/** One note a tick plays. */
export interface PlayedNote {
  note: number;
  velocity: number;
  channel: number;
  /** In steps; Infinity when the note is held until a release (melodies). */
  length: number;
  /** Where in the step it starts, as a fraction of the step in [0, 1) (0 for grid models). */
  offset: number;
}

export interface PlayedRelease {
  note: number;
  channel: number;
  offset: number;
}

/** What one tick played. Reused by the next tick: copy what you keep. */
export interface StepResult {
  /** The step that played, or -1 when paused. */
  step: number;
  /** Ticks since the generator was made (or reset by `replay`). */
  tick: number;
  count: number;
  readonly notes: PlayedNote[];
  releaseCount: number;
  readonly releases: PlayedRelease[];
  paused: boolean;
  muted: boolean;
}

export type Control =
  | { type: 'temperature'; value: number; head?: number }
  | { type: 'topP'; value: number }
  | { type: 'density'; value: number }
  | { type: 'dynamics'; value: number }
  | { type: 'timing'; value: number }
  | { type: 'velocityScale'; voice: number; value: number }
  | { type: 'voiceDensity'; voice: number; value: number }
  | { type: 'leaveOut'; voice: number }
  | { type: 'bringBack'; voice: number }
  | { type: 'seed'; value: number; reset?: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'mute' }
  | { type: 'unmute' }
  | { type: 'reset' }
  | { type: 'edit'; step: number; notes: (number | string)[] }
  | { type: 'clearEdit'; step: number }
  | { type: 'lock'; voice: number; pattern: number[] | null; from: number; until: number | null }
  | { type: 'unlock'; voice: number | null }
  | { type: 'prime'; events: number[][]; reset: boolean; steps: number }
  | { type: 'primeRandom' }
  | { type: 'locate'; step: number }
  | { type: 'store'; slot: number }
  | { type: 'recall'; slot: number; when: RecallWhen }
  | { type: 'undoRecall'; when: RecallWhen }
  | { type: 'loadSlots'; file: string; set: SlotSetFile };

export interface LogEntry {
  /** The tick at whose start the control applied. */
  tick: number;
  /** The step the generator was to play then (paused ticks play none): the step a performer reads. */
  step?: number;
  control: Control;
  /** Why the control failed as it applied (it was dropped; a replay drops it the same way). */
  dropped?: string;
}

/**
 * What a generator tells its host as it plays. A control that throws as it applies is dropped
 * and reported here, and the music goes on; a prime read in slices reports when it took effect.
 *
 * @example
 * gen.reports = {
 *   dropped: (c, err) => console.log(`${c.type}: ${err.message}; dropped`),
 *   primed: (step) => console.log(`primed: the model plays on from it at step ${step}`),
 * };
 */
export interface GeneratorReports {
  dropped?(control: Control, error: Error, tick: number): void;
  /** The last slice of a prime was read at the start of `tick`, which plays `step`. */
  primed?(step: number, tick: number): void;
}

/** Everything needed to play a performance again. */
export interface PerformanceLog {
  format: 'pulse-rnn-performance';
  version: 1;
  options: GeneratorOptions;
  entries: LogEntry[];
  /** Ticks the performance lasted. */
  ticks: number;
}

/** A copy of a played step, for history and replay. */
export interface StepCopy {
  tick: number;
  step: number;
  notes: PlayedNote[];
  releases: PlayedRelease[];
}

/** A standalone copy of a log entry. */
export function copyEntry(e: LogEntry): LogEntry {
  return { tick: e.tick, ...(e.step === undefined ? {} : { step: e.step }), control: JSON.parse(JSON.stringify(e.control)) as Control, ...(e.dropped === undefined ? {} : { dropped: e.dropped }) };
}

/** Tell the host through one of its reports; a report that throws must not stop the tick. */
export function tell<K extends keyof GeneratorReports>(reports: GeneratorReports, what: K, ...args: Parameters<NonNullable<GeneratorReports[K]>>): void {
  try {
    (reports[what] as ((...a: unknown[]) => void) | undefined)?.apply(reports, args);
  } catch {
    // nothing: the music goes on
  }
}
