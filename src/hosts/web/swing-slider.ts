/**
 * The page's swing slider, built from the control table's swing (label, range, step, hint) as
 * the steering sliders are. Swing is the internal clock's: a new value moves the steps not yet
 * handed out, from the next one on. With a MIDI clock the slider is disabled: the clock master
 * places the steps.
 *
 * @example
 * const swing = bindSwing(stage, document.querySelector('#swing')!, (e) => messages.error(e), () => (dirty = true));
 * swing.sync();   // each frame something changed
 */
import { control, valueArg } from '../../music/controls.js';
import { hintOf } from './keys.js';
import { perFrame, showValue, sliderMin, stepValue } from './sliders.js';

interface SwingStage {
  readonly swing: number;
  readonly clockKind: 'internal' | 'midi';
  setSwing(swing: number): void;
}

export function bindSwing(stage: SwingStage, input: HTMLInputElement, onError: (e: unknown) => void, onChange: () => void): { sync(): void } {
  const c = control('swing');
  const a = valueArg('swing');
  const knob = input.closest('.knob') as HTMLElement;
  const readout = knob.querySelector('output') as HTMLOutputElement;
  [input.min, input.max, input.step, input.value] = [sliderMin(a), a.max, a.step, a.default ?? a.min].map(String);
  (knob.querySelector(`label[for="${input.id}"]`) as HTMLLabelElement).textContent = c.label;
  (knob.querySelector('small') as HTMLElement).textContent = hintOf(c);
  readout.value = showValue(a, Number(input.value));
  const queue = perFrame<'swing'>((_, v) => stage.setSwing(v), (e) => onError(e), onChange);
  input.addEventListener('input', () => {
    const v = stepValue(a, Number(input.value));
    input.value = String(v);
    readout.value = showValue(a, v);
    queue.set('swing', v);
  });
  return {
    sync(): void {
      const midi = stage.clockKind === 'midi';
      input.disabled = midi;
      knob.title = midi ? 'the MIDI clock places the steps: swing them at the clock master' : '';
      if (queue.has('swing') || document.activeElement === input) return;
      const text = showValue(a, stage.swing);
      if (input.value !== String(stage.swing)) input.value = String(stage.swing);
      if (readout.value !== text) readout.value = text;
    },
  };
}
