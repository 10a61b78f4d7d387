/**
 * The shape of a row of the control table (controls.ts): a control's name, kind, arguments
 * (a number in a range, or a step, notes, a voice …), when it applies, how it is logged, and
 * its keys and label on the page. The table and every host that reads it share these types.
 *
 * @example
 * const arg: NumberArg = { name: 'value', type: 'number', min: 0, max: 2, step: 0.05, default: 1, description: 'sampling temperature' };
 * const isNumber = (a: ControlArg): a is NumberArg => a.type === 'number' || a.type === 'integer';
 */

/** A number with a range: a slider or a knob on the page, a value at the prompt. */
export interface NumberArg {
  readonly name: string;
  readonly type: 'number' | 'integer';
  readonly min: number;
  readonly max: number;
  /** The range leaves out `min` itself (top-p: above 0, up to 1). */
  readonly minExclusive?: boolean;
  /** The step a slider, a key press or a knob's detent moves by. */
  readonly step: number;
  readonly unit?: string;
  readonly default?: number;
  readonly optional?: boolean;
  /** Words for the two ends, as the range is told ("0 (always the likeliest)"). */
  readonly ends?: readonly [low: string, high: string];
  readonly description: string;
}

/** An argument that is not a number in a range: a step, notes, a voice, a head, a phrase. */
export interface OtherArg {
  readonly name: string;
  readonly type: 'step' | 'notes' | 'voice' | 'head' | 'pattern' | 'bars' | 'phrase' | 'when';
  readonly optional?: boolean;
  readonly description: string;
}

export type ControlArg = NumberArg | OtherArg;

/**
 * - `value`: a setting that holds until changed (a slider, a knob, a field).
 * - `toggle`: one of a pair that switches a state on and off (pause/resume, mute/unmute).
 * - `trigger`: a one-shot button (reset, reseed).
 * - `command`: an action with arguments (edit, lock, prime).
 */
export type ControlKind = 'value' | 'toggle' | 'trigger' | 'command';

/** When a control changes what plays. */
export type Moment = 'next step' | 'next pulse' | 'after the phrase is read';

export interface ControlSpec {
  readonly name: ControlName;
  readonly kind: ControlKind;
  readonly args: readonly ControlArg[];
  /** One line, as `help()` and the command line print it. */
  readonly description: string;
  /** A call as typed at the prompt. */
  readonly example: string;
  readonly applies: Moment;
  /** What goes into the performance log when it applies. */
  readonly logged: string;
  /** The toggle this one undoes (pause ↔ resume). */
  readonly pair?: ControlName;
  /** Who owns it: the Generator (logged with the tick it applied at), or the clock (the tempo list). */
  readonly owner: 'generator' | 'clock';
  /** Keys on the page, with what each does. */
  readonly keys?: readonly (readonly [key: string, action: string])[];
  /** The page's label for it. */
  readonly label: string;
}

export type ControlName =
  | 'temperature'
  | 'topP'
  | 'density'
  | 'dynamics'
  | 'timing'
  | 'velocityScale'
  | 'voiceDensity'
  | 'leaveOut'
  | 'bringBack'
  | 'seed'
  | 'reseed'
  | 'pause'
  | 'resume'
  | 'mute'
  | 'unmute'
  | 'reset'
  | 'edit'
  | 'clearEdit'
  | 'lock'
  | 'unlock'
  | 'prime'
  | 'primeRandom'
  | 'locate'
  | 'store'
  | 'recall'
  | 'undoRecall'
  | 'bpm'
  | 'swing';
