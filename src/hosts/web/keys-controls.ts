/**
 * The keys part's own temperature slider and seed field, built from the control table as the
 * drums' are (label, range, step, starting value, hint): a value dragged goes to the keys'
 * Generator once per animation frame, and shows as pending until a step has applied it.
 *
 * @example
 * const controls = keysControls(lane.controls, keys, (e) => messages.error(e, 'Keys'), redraw);
 * controls.sync();
 */
import { control, randomSeed, valueArg } from '../../music/controls.js';
import { hintOf } from './keys.js';
import type { KeysPart } from './keys-part.js';
import { perFrame, showSetting, sliderMin, stepValue } from './sliders.js';

export function keysControls(into: HTMLElement, keys: KeysPart, onError: (e: unknown) => void, onChange: () => void): { sync(): void } {
  const t = control('temperature');
  const ta = valueArg('temperature');
  const knob = el('div', 'knob lane-knob');
  const input = el('input', '') as HTMLInputElement;
  input.type = 'range';
  input.id = 'keys-temperature';
  [input.min, input.max, input.step, input.value] = [sliderMin(ta), ta.max, ta.step, ta.default ?? ta.min].map(String);
  const label = el('label', '', t.label) as HTMLLabelElement;
  label.htmlFor = input.id;
  const readout = el('output', '') as HTMLOutputElement;
  input.title = hintOf(t);
  knob.append(label, input, readout);
  const queue = perFrame<'temperature'>((_, v) => keys.setTemperature(v), onError, onChange);
  input.addEventListener('input', () => {
    const v = stepValue(ta, Number(input.value));
    readout.value = String(v);
    queue.set('temperature', v);
  });

  const sa = valueArg('seed');
  const seedKnob = el('div', 'knob lane-knob seed');
  const seed = el('input', '') as HTMLInputElement;
  seed.type = 'number';
  seed.id = 'keys-seed';
  [seed.min, seed.max, seed.step, seed.value] = [sa.min, sa.max, sa.step, sa.default].map(String);
  const seedLabel = el('label', '', control('seed').label) as HTMLLabelElement;
  seedLabel.htmlFor = seed.id;
  seed.title = hintOf(control('seed'));
  const reseed = el('button', '', control('reseed').label) as HTMLButtonElement;
  reseed.type = 'button';
  reseed.id = 'keys-reseed';
  reseed.title = hintOf(control('reseed'));
  const apply = (v: number) => {
    try {
      keys.reseed(v);
    } catch (e) {
      onError(e);
    }
    seed.value = String(keys.settings.seed);
    onChange();
  };
  seed.addEventListener('change', () => apply(seed.value.trim() === '' ? NaN : Number(seed.value)));
  reseed.addEventListener('click', () => apply(randomSeed()));
  seedKnob.append(seedLabel, seed, reseed);
  into.replaceChildren(knob, seedKnob);

  return {
    sync() {
      if (!queue.has('temperature')) showSetting(input, readout, knob, ta, keys.settings.temperature, keys.applied.temperature);
      if (document.activeElement !== seed) showSetting(seed, null, seedKnob, sa, keys.settings.seed, keys.applied.seed);
    },
  };
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
