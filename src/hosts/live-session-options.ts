/**
 * What a live performance (`LiveSession`) is made with: its first part's model, the clock, the
 * outputs, the starting values of the value controls, and the parts beside the first.
 *
 * @example
 * const o: LiveSessionOptions = { spec, clock: new InternalClock({ bpm: 120 }), sinks: [portSink], seed: 7 };
 * new LiveSession(o).start();
 */
import type { ModelSpec } from '../engine/model.js';
import type { NoteSink } from '../io/sink.js';
import type { GeneratorOptions } from '../music/generator.js';
import type { InternalClock } from '../time/internal-clock.js';
import type { MidiClockFollower } from '../time/midi-clock-follower.js';
import type { PartOptions } from './part.js';
import type { ValueControl } from './session-status.js';

/** A session: its model, clock and outputs, and the starting values of the value controls (seed, temperature, …; the table's defaults when left out). */
export interface LiveSessionOptions extends Partial<Pick<GeneratorOptions, ValueControl>> {
  spec: ModelSpec;
  /** Where the model came from; written into recording logs so `replay` finds it. */
  model?: string;
  clock: InternalClock | MidiClockFollower;
  /** How the clock is described in `status()` (default: 'internal clock' or 'MIDI clock'). */
  clockName?: string;
  /** Outputs; they are closed by `quit()`. */
  sinks?: NoteSink[];
  /** Where messages and the step grid go (default console.log). */
  print?: (text: string) => void;
  /** Print the step grid while playing (default true). */
  grid?: boolean;
  /** Quit after this many clock steps. */
  steps?: number;
  /** Folder that relative file names in commands are read from and written to (default process.cwd()). */
  cwd?: string;
  /** Where the sound is, in words, for `status()` (e.g. 'the page at http://127.0.0.1:8317/'). */
  sound?: string;
  /** Steps the generator forecasts, for pages whose grid shows them (default none). */
  lookahead?: number;
  /** The first part's name (default: drums for a drum model, else keys), MIDI channel (1–16; default the model's own) and output in words (for `status()`). */
  name?: string;
  channel?: number | null;
  output?: string;
  /** More parts, each with its own model, seed, controls, channel and outputs, on the same clock (`part.ts`). */
  parts?: PartOptions[];
  /** Where a part added at the prompt or a page plays, and that in words (default: the first part's). */
  partOutput?: { sinks: NoteSink[]; output?: string };
}
