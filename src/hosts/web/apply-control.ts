/**
 * A control of the table run on the page by name, through the same stage methods its sliders,
 * buttons and keys use, so a knob on a controller and the slider under the mouse cannot differ.
 * Every control call from outside the page's own widgets (a MIDI mapping) goes through this one
 * function.
 *
 * @example
 * applyControl(stage, 'temperature', [1.2]);        // as the Temperature slider sets it
 * applyControl(stage, 'velocityScale', ['kick', 0.5]);
 * applyControl(stage, 'pause', []);                 // pauses (does nothing when already paused)
 */
import { checkNumber, control, randomSeed, scaleArg, valueArg, voiceDensityArg, type ControlName } from '../../music/controls.js';
import { runSlotControl } from './slots-view.js';
import type { Stage } from './stage.js';

type Args = readonly (string | number)[];

const num = (name: ControlName, v: unknown): number => {
  checkNumber(name, valueArg(name), v);
  return v;
};

/** A drum voice's row in the grid, by name or index. */
function rowOf(stage: Stage, name: ControlName, voice: unknown): number {
  const rows = stage.model?.rows ?? [];
  const row = typeof voice === 'number' ? voice : rows.indexOf(String(voice));
  if (!stage.model?.editable || row < 0 || row >= rows.length || !Number.isInteger(row)) throw new Error(`${name}: ${JSON.stringify(voice)} is not a voice of this model${rows.length ? `; voices are ${rows.join(', ')}` : ''}`);
  return row;
}

const isLocked = (stage: Stage, row: number): boolean => stage.view().locked.has(row);

/** What each control does on the page. */
const HANDLERS: Partial<Record<ControlName, (stage: Stage, args: Args) => void>> = {
  temperature: (s, [v, head]) => {
    if (head !== undefined) throw new Error("temperature: one head's temperature is set at the prompt or in Max; the page sets them all");
    s.setTemperature(num('temperature', v));
  },
  topP: (s, [v]) => s.setTopP(num('topP', v)),
  density: (s, [v]) => s.setDensity(num('density', v)),
  dynamics: (s, [v]) => s.setDynamics(num('dynamics', v)),
  timing: (s, [v]) => s.setTiming(num('timing', v)),
  velocityScale: (s, [voice, v]) => {
    checkNumber('velocityScale', scaleArg(), v);
    s.setVelocityScale(s.model?.rows[rowOf(s, 'velocityScale', voice)] as string, v);
  },
  voiceDensity: (s, [voice, v]) => {
    checkNumber('voiceDensity', voiceDensityArg(), v);
    s.setVoiceDensity(s.model?.rows[rowOf(s, 'voiceDensity', voice)] as string, v);
  },
  leaveOut: (s, [voice]) => s.setLeftOut(s.model?.rows[rowOf(s, 'leaveOut', voice)] as string, true),
  bringBack: (s, [voice]) => s.setLeftOut(s.model?.rows[rowOf(s, 'bringBack', voice)] as string, false),
  seed: (s, [v]) => s.reseed(num('seed', v)),
  reseed: (s, [v]) => s.reseed(v === undefined ? randomSeed() : num('seed', v)),
  pause: (s) => void (s.willPause || s.togglePause()),
  resume: (s) => void (s.willPause && s.togglePause()),
  mute: (s) => void (s.willMute || s.toggleMute()),
  unmute: (s) => void (s.willMute && s.toggleMute()),
  reset: (s) => s.reset(),
  lock: (s, [voice]) => {
    const row = rowOf(s, 'lock', voice);
    if (!isLocked(s, row)) s.toggleLock(row);
  },
  unlock: (s, [voice]) => {
    const rows = voice === undefined ? [...s.view().locked] : [rowOf(s, 'unlock', voice)];
    for (const row of rows) if (isLocked(s, row)) s.toggleLock(row);
  },
  bpm: (s, [v]) => s.setBpm(num('bpm', v)),
  swing: (s, [v]) => s.setSwing(num('swing', v)),
  // as the slot buttons run them
  store: (s, args) => runSlotControl(s.gen, 'store', args),
  recall: (s, args) => runSlotControl(s.gen, 'recall', args),
  undoRecall: (s, args) => runSlotControl(s.gen, 'undoRecall', args),
};

/** Whether the page can run a control (the MIDI map panel offers only these). */
export const pageRuns = (name: ControlName): boolean => HANDLERS[name] !== undefined;

/** Run control `name` with `args` (as the prompt takes them) on the page; throws naming the control when it cannot. */
export function applyControl(stage: Stage, name: string, args: Args): void {
  const c = control(name);
  const run = HANDLERS[c.name];
  if (!run) throw new Error(`${c.name}: the page has no ${c.label} control yet; use the prompt (${c.example}) or Max`);
  run(stage, args);
}
