/**
 * The performer's controls: the steering sliders, the seed, the transport buttons, the BPM
 * field and the keyboard, each read from the control table (range, step, label, keys, hint).
 * What they show is the stage's settings, read from the Generator: a value set a moment ago
 * shows at once, marked as pending until the step that applies it.
 *
 * @example
 * const controls = bindControls(stage, {
 *   onError: (e, what) => messages.error(e, what),
 *   onStartStop: () => (stage.running ? stage.stop() : stage.start()),
 *   onChange: () => (dirty = true),
 * });
 * controls.sync();   // after a model load, or once a step has played
 */
import { checkValue, control, rangeText, randomSeed, valueArg, type ControlName, type ControlSpec } from '../../music/controls.js';
import { controlKeys, hintOf, keyGlyph, keyOf, writeKeyLegend } from './keys.js';
import { bindSliders, decimalsOf, showSetting, type SliderName } from './sliders.js';
import type { Stage } from './stage.js';

export interface ControlHooks {
  /** `what` is empty when the message names the control itself. */
  onError(e: unknown, what: string): void;
  /** Start or stop (Start needs the user gesture: call it right in the handler). */
  onStartStop(): void;
  /** Something changed that the top bar shows. */
  onChange(): void;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Report an error under the control's label, unless the message already starts with its name (the table's messages do). */
const reporter = (hooks: ControlHooks) => (e: unknown, c: ControlSpec) => hooks.onError(e, e instanceof Error && e.message.startsWith(`${c.name}:`) ? '' : c.label);

/**
 * A number field's value, checked against its control. A field holding text the browser could
 * not read is '' (and Number('') is 0): that is said as such.
 */
function fieldValue(el: HTMLInputElement, name: ControlName): number {
  if (el.value.trim() === '') throw new RangeError(`${name}: nothing a number can be read from; give ${rangeText(valueArg(name))}`);
  const v = Number(el.value);
  checkValue(name, v);
  return v;
}

/** A number field takes its control's range and step. */
function setUpField(el: HTMLInputElement, name: ControlName): void {
  const a = valueArg(name);
  [el.min, el.max, el.step] = [a.min, a.max, a.step].map(String);
  el.value = String(a.default);
}

function bindSeed(stage: Stage, hooks: ControlHooks) {
  const field = $<HTMLInputElement>('seed');
  const knob = field.closest('.knob') as HTMLElement;
  const report = reporter(hooks);
  setUpField(field, 'seed');
  knob.querySelector('label')!.textContent = control('seed').label;
  const reseedKeys = (control('reseed').keys ?? []).map(([k, action]) => `${keyGlyph(k)}: ${action}`);
  knob.querySelector('small')!.textContent = [hintOf(control('seed')), ...reseedKeys].join(' · ');
  const reseed = $<HTMLButtonElement>('reseed');
  reseed.textContent = control('reseed').label;
  reseed.title = hintOf(control('reseed'));
  const sync = () => {
    if (document.activeElement !== field) showSetting(field, null, knob, valueArg('seed'), stage.settings.seed, stage.applied.seed);
  };
  const apply = (read: () => number) => {
    try {
      stage.reseed(read());
    } catch (e) {
      report(e, control('seed'));
    }
    // the field shows the seed in force: the new one, or after a refused value the one before
    field.value = String(stage.settings.seed);
    sync();
    hooks.onChange();
  };
  field.addEventListener('change', () => {
    // the field showing the seed in force (after a refused value, say) changes nothing
    if (field.value !== String(stage.settings.seed)) apply(() => fieldValue(field, 'seed'));
  });
  const newSeed = () => apply(randomSeed);
  reseed.addEventListener('click', newSeed);
  return { sync, reseed: newSeed };
}

function bindTransport(stage: Stage, hooks: ControlHooks) {
  const report = reporter(hooks);
  const act = (name: ControlName, fn: () => void) => () => {
    try {
      fn();
    } catch (e) {
      report(e, control(name));
    }
    hooks.onChange();
  };
  const reset = $<HTMLButtonElement>('reset');
  reset.textContent = control('reset').label;
  reset.title = hintOf(control('reset'));
  reset.addEventListener('click', act('reset', () => stage.reset()));
  const pause = act('pause', () => stage.togglePause());
  const mute = act('mute', () => stage.toggleMute());
  $('start').addEventListener('click', () => hooks.onStartStop());
  $('pause').addEventListener('click', pause);
  $('mute').addEventListener('click', mute);
  // the buttons show what a press does (app.ts turns them to Resume and Unmute while set)
  $('pause').textContent = control('pause').label;
  $('mute').textContent = control('mute').label;
  return { pause, mute };
}

function bindBpm(stage: Stage, hooks: ControlHooks) {
  const field = $<HTMLInputElement>('bpm');
  const report = reporter(hooks);
  setUpField(field, 'bpm');
  (field.closest('label')?.querySelector('span') as HTMLElement).textContent = control('bpm').label;
  field.title = hintOf(control('bpm'));
  // at the step's precision, or finer when a value between steps was typed (120.5)
  const shown = () => String(Number(stage.bpm.toFixed(Math.max(1, decimalsOf(valueArg('bpm').step)))));
  field.addEventListener('change', () => {
    try {
      stage.setBpm(fieldValue(field, 'bpm'));
    } catch (e) {
      report(e, control('bpm'));
    }
    field.value = shown();
    hooks.onChange();
  });
  return {
    sync() {
      if (document.activeElement !== field && stage.clockKind === 'internal' && field.value !== shown()) field.value = shown();
    },
  };
}

type Actions = Partial<Record<ControlName, (index: number) => void>>;

/**
 * The table's keys, and the page's own (Space, Escape). A value control's first key steps it
 * up, its second down; a key whose control the page has no action for here (lock: the grid's
 * focused row) is left to whoever handles it.
 */
function bindKeyboard(stage: Stage, hooks: ControlHooks, actions: Actions): void {
  const keys = controlKeys();
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement;
    // typing in a field, choosing in a list, or moving a focused slider keeps its keys
    if (t.matches('input:not([type=range]):not([type=radio]):not([type=file]), select, textarea, [contenteditable]')) return;
    const key = keyOf(e);
    const k = keys.get(key);
    if (key === ' ') hooks.onStartStop();
    else if (key === 'Escape') stage.panic();
    else if (k && actions[k.control.name] && !(key.startsWith('Arrow') && t.matches('input[type=range]'))) actions[k.control.name]?.(k.index);
    else return;
    // Space would also press the focused button, arrows would scroll
    e.preventDefault();
  });
}

export function bindControls(stage: Stage, hooks: ControlHooks): { sync(): void } {
  const sliders = bindSliders(stage, reporter(hooks), hooks.onChange);
  const seed = bindSeed(stage, hooks);
  const transport = bindTransport(stage, hooks);
  const bpm = bindBpm(stage, hooks);
  const step = (name: SliderName) => (index: number) => sliders.nudge(name, index === 0 ? 1 : -1);
  bindKeyboard(stage, hooks, { temperature: step('temperature'), density: step('density'), pause: transport.pause, mute: transport.mute, reseed: seed.reseed });
  writeKeyLegend(document.querySelector('footer.keys') as HTMLElement);
  return {
    /** Show the stage's settings (after a model load, and as steps apply what was set). */
    sync() {
      sliders.sync();
      seed.sync();
      bpm.sync();
    },
  };
}
