/**
 * The performer's controls: transport buttons, the steering sliders (temperature, top-p,
 * density), the seed, and the keyboard. A slider dragged across many values sends the stage
 * only the latest one per animation frame: the generator takes one value per step anyway, and
 * the performance log stays readable.
 *
 * @example
 * bindControls(stage, {
 *   onError: (e, what) => messages.error(e, what),
 *   onStartStop: () => (stage.running ? stage.stop() : stage.start()),
 * });
 */
import { TEMPERATURE_RANGE } from './control-ranges.js';
import type { Stage } from './stage.js';

export interface ControlHooks {
  onError(e: unknown, what: string): void;
  /** Start or stop (Start needs the user gesture: call it right in the handler). */
  onStartStop(): void;
  /** Something changed that the top bar shows. */
  onChange(): void;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Slider {
  input: HTMLInputElement;
  readout: HTMLOutputElement;
  apply(v: number): void;
}

export function bindControls(stage: Stage, hooks: ControlHooks): { sync(): void } {
  const slider = (id: string, apply: (v: number) => void): Slider => ({ input: $<HTMLInputElement>(id), readout: $<HTMLOutputElement>(`${id}-value`), apply });
  const sliders = {
    temperature: slider('temperature', (v) => stage.setTemperature(v)),
    topP: slider('top-p', (v) => stage.setTopP(v)),
    density: slider('density', (v) => stage.setDensity(v)),
  };
  const temperature = sliders.temperature.input;
  [temperature.min, temperature.max, temperature.step] = [TEMPERATURE_RANGE.min, TEMPERATURE_RANGE.max, TEMPERATURE_RANGE.step].map(String);
  const waiting = new Map<Slider, number>();
  let frame = 0;
  const flush = () => {
    frame = 0;
    for (const [s, v] of waiting) {
      try {
        s.apply(v);
      } catch (e) {
        hooks.onError(e, s.input.labels?.[0]?.textContent ?? s.input.id);
      }
    }
    waiting.clear();
    hooks.onChange();
  };
  const setSlider = (s: Slider, v: number) => {
    const min = Number(s.input.min);
    const max = Number(s.input.max);
    const step = Number(s.input.step);
    // whole steps, printed as the step is (0.05, not 1.0500000000000003): the log keeps these values
    const decimals = (s.input.step.split('.')[1] ?? '').length;
    const clamped = Number(Math.min(max, Math.max(min, Math.round(v / step) * step)).toFixed(decimals));
    s.input.value = String(clamped);
    s.readout.value = clamped.toFixed(2);
    waiting.set(s, clamped);
    frame ||= requestAnimationFrame(flush);
  };
  for (const s of Object.values(sliders)) s.input.addEventListener('input', () => setSlider(s, Number(s.input.value)));

  const guard = (fn: () => void, what: string) => {
    try {
      fn();
    } catch (e) {
      hooks.onError(e, what);
    }
    hooks.onChange();
  };

  // a number field holding text the browser could not read is '' (and Number('') is 0)
  const numberIn = (el: HTMLInputElement) => (el.value.trim() === '' ? NaN : Number(el.value));
  const shown = (el: HTMLInputElement) => (el.value.trim() === '' ? 'nothing a number can be read from' : JSON.stringify(el.value));

  const seed = $<HTMLInputElement>('seed');
  const applySeed = (v: number) => {
    try {
      if (!Number.isSafeInteger(v)) throw new Error(`the seed must be a whole number, got ${shown(seed)}`);
      stage.reseed(v);
      seed.value = String(v);
    } catch (e) {
      hooks.onError(e, 'Seed');
      seed.value = String(stage.settings.seed);
    }
    hooks.onChange();
  };
  seed.addEventListener('change', () => {
    // the field showing the seed in force (after a refused value, say) changes nothing
    const v = numberIn(seed);
    if (v !== stage.settings.seed) applySeed(v);
  });
  const reseed = () => applySeed(Math.floor(Math.random() * 2 ** 31));
  $('reseed').addEventListener('click', reseed);
  $('reset').addEventListener('click', () => guard(() => stage.reset(), 'Reset'));

  const pause = () => guard(() => stage.togglePause(), 'Pause');
  const mute = () => guard(() => stage.toggleMute(), 'Mute');
  $('start').addEventListener('click', () => hooks.onStartStop());
  $('pause').addEventListener('click', pause);
  $('mute').addEventListener('click', mute);

  const bpm = $<HTMLInputElement>('bpm');
  bpm.addEventListener('change', () => {
    const v = numberIn(bpm);
    guard(() => {
      if (Number.isNaN(v)) throw new RangeError(`BPM must be a number from 20 to 300, got ${shown(bpm)}`);
      stage.setBpm(v);
    }, 'BPM');
    bpm.value = String(Math.round(stage.bpm * 10) / 10);
  });

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement;
    // typing in a field, choosing in a list, or moving a focused slider keeps its keys
    const typing = t.matches('input:not([type=range]):not([type=radio]):not([type=file]), select, textarea, [contenteditable]');
    const onSlider = t.matches('input[type=range]');
    if (typing) return;
    const step = (s: Slider, d: number) => setSlider(s, Number(s.input.value) + d * Number(s.input.step));
    switch (e.key) {
      case ' ':
        hooks.onStartStop();
        break;
      case 'p':
      case 'P':
        pause();
        break;
      case 'm':
      case 'M':
        mute();
        break;
      case 'r':
      case 'R':
        reseed();
        break;
      case 'Escape':
        stage.panic();
        break;
      case 'ArrowUp':
      case 'ArrowDown':
        if (onSlider) return;
        step(sliders.temperature, e.key === 'ArrowUp' ? 1 : -1);
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
        if (onSlider) return;
        step(sliders.density, e.key === 'ArrowRight' ? 1 : -1);
        break;
      default:
        return;
    }
    // Space would also press the focused button, arrows would scroll
    e.preventDefault();
  });

  return {
    /** Show the stage's current settings (after a model load, for instance). */
    sync() {
      sliders.temperature.input.value = String(stage.settings.temperature);
      sliders.temperature.readout.value = stage.settings.temperature.toFixed(2);
      sliders.topP.input.value = String(stage.settings.topP);
      sliders.topP.readout.value = stage.settings.topP.toFixed(2);
      sliders.density.input.value = String(stage.settings.density);
      sliders.density.readout.value = stage.settings.density.toFixed(2);
      seed.value = String(stage.settings.seed);
    },
  };
}
