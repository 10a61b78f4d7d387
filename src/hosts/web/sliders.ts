/**
 * The steering sliders (temperature, top-p, density, dynamics, timing), each built from its control in the
 * table: label, range, step, starting value and hint. A slider dragged across many values
 * sends the stage only the latest one per animation frame: the generator takes one value per
 * step anyway, and the performance log stays readable. The readout shows what the next step
 * plays, marked as pending until a step has applied it.
 *
 * @example
 * const sliders = bindSliders(stage, (e, c) => messages.error(e, c.label));
 * sliders.nudge('temperature', 1);   // one step up, as ↑ does
 * sliders.sync();                    // show the stage's settings
 */
import { control, valueArg, type ControlSpec, type NumberArg } from '../../music/controls.js';
import { hintOf } from './keys.js';
import type { Stage } from './stage.js';

export type SliderName = 'temperature' | 'topP' | 'density' | 'dynamics' | 'timing';

/** The sliders by control, with the id of each one's input in index.html. */
export const SLIDER_IDS: Record<SliderName, string> = { temperature: 'temperature', topP: 'top-p', density: 'density', dynamics: 'dynamics', timing: 'timing' };

interface Slider {
  readonly control: ControlSpec;
  readonly arg: NumberArg;
  readonly input: HTMLInputElement;
  readonly readout: HTMLOutputElement;
  readonly knob: HTMLElement;
  apply(v: number): void;
}

/** The lowest value a slider reaches: the range's own, or one step above it when the range leaves it out (top-p). */
export const sliderMin = (a: NumberArg): number => (a.minExclusive ? a.min + a.step : a.min);

/** Decimals of a step as written (0.05 → 2, 1 → 0): values are shown, and kept, at that precision. */
export const decimalsOf = (step: number): number => (String(step).split('.')[1] ?? '').length;

/** A value as a control's readout shows it: at its step's precision. */
export const showValue = (a: NumberArg, v: number): string => v.toFixed(decimalsOf(a.step));

/** A slider's value in whole steps, kept as the step is written (0.05, not 1.0500000000000003): the log keeps these values. */
export const stepValue = (a: NumberArg, v: number): number => Number(Math.min(a.max, Math.max(sliderMin(a), Math.round(v / a.step) * a.step)).toFixed(decimalsOf(a.step)));

/**
 * Values dragged, each slider's latest kept until the next animation frame and sent then: the
 * generator takes one value per step anyway, and the performance log stays readable.
 *
 * @example
 * const queue = perFrame((s, v) => s.apply(v), (e, s) => onError(e, s.control), onChange);
 * input.addEventListener('input', () => queue.set(s, Number(input.value)));
 */
export function perFrame<K>(send: (k: K, v: number) => void, onError: (e: unknown, k: K) => void, onChange: () => void) {
  const waiting = new Map<K, number>();
  let frame = 0;
  const flush = () => {
    frame = 0;
    for (const [k, v] of waiting) {
      try {
        send(k, v);
      } catch (e) {
        onError(e, k);
      }
    }
    waiting.clear();
    onChange();
  };
  return {
    /** Send `v` at the next frame (a later value for `k` before then replaces it). */
    set(k: K, v: number): void {
      waiting.set(k, v);
      frame ||= requestAnimationFrame(flush);
    },
    /** Whether a value for `k` waits for its frame (a display leaves it as dragged). */
    has: (k: K): boolean => waiting.has(k),
    /** Drop what waits. */
    clear: (): void => waiting.clear(),
  };
}

function setUp(stage: Stage, name: SliderName): Slider {
  const id = SLIDER_IDS[name];
  const input = document.getElementById(id) as HTMLInputElement;
  const knob = input.closest('.knob') as HTMLElement;
  const c = control(name);
  const a = valueArg(name);
  [input.min, input.max, input.step, input.value] = [sliderMin(a), a.max, a.step, a.default ?? a.min].map(String);
  (knob.querySelector(`label[for="${id}"]`) as HTMLLabelElement).textContent = c.label;
  (knob.querySelector('small') as HTMLElement).textContent = hintOf(c);
  const apply = (v: number) => ({ temperature: () => stage.setTemperature(v), topP: () => stage.setTopP(v), density: () => stage.setDensity(v), dynamics: () => stage.setDynamics(v), timing: () => stage.setTiming(v) })[name]();
  return { control: c, arg: a, input, readout: knob.querySelector('output') as HTMLOutputElement, knob, apply };
}

export function bindSliders(stage: Stage, onError: (e: unknown, c: ControlSpec) => void, onChange: () => void) {
  const sliders = Object.fromEntries((Object.keys(SLIDER_IDS) as SliderName[]).map((n) => [n, setUp(stage, n)])) as Record<SliderName, Slider>;
  const queue = perFrame<Slider>((s, v) => s.apply(v), (e, s) => onError(e, s.control), onChange);
  const set = (s: Slider, v: number) => {
    const clamped = stepValue(s.arg, v);
    s.input.value = String(clamped);
    s.readout.value = showValue(s.arg, clamped);
    queue.set(s, clamped);
  };
  for (const s of Object.values(sliders)) s.input.addEventListener('input', () => set(s, Number(s.input.value)));

  return {
    /** Move a slider by whole steps, as its keys do. */
    nudge(name: SliderName, steps: number): void {
      const s = sliders[name];
      set(s, Number(s.input.value) + steps * s.arg.step);
    },
    /** Show the stage's settings; a value still waiting for its frame stays as dragged. */
    sync(): void {
      const { settings, applied } = stage;
      for (const [name, s] of Object.entries(sliders) as [SliderName, Slider][]) {
        if (queue.has(s)) continue;
        showSetting(s.input, s.readout, s.knob, s.arg, settings[name], applied[name]);
      }
    },
  };
}

/** Show a value control's setting, marking it as pending while the value playing is another. */
export function showSetting(input: HTMLInputElement, readout: HTMLOutputElement | null, knob: HTMLElement, a: NumberArg, next: number, playing: number): void {
  const text = showValue(a, next);
  if (input.value !== String(next)) input.value = String(next);
  if (readout && readout.value !== text) readout.value = text;
  const pending = next !== playing;
  knob.classList.toggle('pending', pending);
  knob.title = pending ? `${showValue(a, next)} from the next step; ${showValue(a, playing)} plays now` : '';
}
