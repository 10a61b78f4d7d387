/**
 * One velocity-scale slider per drum voice of the model playing (the table's `velocityScale`:
 * its label, description, range, step and default), so a performer can pull the hats back or
 * push the kick without touching the model; beside each, the voice's own density and a switch
 * that leaves it out (voice-steer.ts). Hidden for models without voices. As with the
 * steering sliders, a drag sends the stage the latest value once per animation frame, and a
 * value set shows as pending until the step that applies it.
 *
 * @example
 * const scales = bindVoiceScales(stage, document.getElementById('scales')!, (e) => messages.error(e, ''), () => (dirty = true));
 * scales.setModel(['kick', 'snare']);  // after a model load
 * scales.sync();                       // show the stage's settings
 */
import { control, scaleArg } from '../../music/controls.js';
import { voiceLabel } from './grid-view.js';
import { hintOf } from './keys.js';
import { perFrame, showSetting, showValue, stepValue } from './sliders.js';
import type { Stage } from './stage.js';
import { voiceSteer } from './voice-steer.js';

interface VoiceSlider {
  readonly voice: string;
  readonly input: HTMLInputElement;
  readonly readout: HTMLOutputElement;
  readonly knob: HTMLElement;
}

export function bindVoiceScales(stage: Stage, root: HTMLElement, onError: (e: unknown) => void, onChange: () => void) {
  const c = control('velocityScale');
  const a = scaleArg();
  const list = root.querySelector('.voice-scales') as HTMLElement;
  (root.querySelector('h2') as HTMLElement).textContent = c.label;
  (root.querySelector('.hint') as HTMLElement).textContent = hintOf(c);
  let sliders: VoiceSlider[] = [];
  const queue = perFrame<VoiceSlider>((s, v) => stage.setVelocityScale(s.voice, v), onError, onChange);
  // each row also holds the voice's own density and its leave-out switch
  const steer = voiceSteer(stage, onError, onChange);
  (root.querySelector('.hint') as HTMLElement).textContent += ` · ${steer.hint}`;
  // each row holds two sliders and a switch: say which is which, in the table's words
  const columns = document.createElement('p');
  columns.className = 'voice-columns';
  columns.textContent = `each voice: ${c.label.toLowerCase()} · ${control('voiceDensity').label.toLowerCase()} · ${control('leaveOut').label.toLowerCase()}`;
  (root.querySelector('h2') as HTMLElement).before(columns);
  const make = (voice: string, i: number): VoiceSlider => {
    const knob = document.createElement('div');
    knob.className = 'voice-scale';
    knob.style.setProperty('--row', String(i));
    const label = document.createElement('label');
    const input = document.createElement('input');
    const readout = document.createElement('output');
    input.type = 'range';
    input.id = `scale-${voice}`;
    label.htmlFor = input.id;
    label.textContent = voiceLabel(voice);
    [input.min, input.max, input.step, input.value] = [a.min, a.max, a.step, a.default ?? 1].map(String);
    input.setAttribute('aria-label', `${c.label}: ${voiceLabel(voice)}`);
    readout.htmlFor.add(input.id);
    readout.value = showValue(a, Number(input.value));
    knob.append(label, input, readout, ...steer.cells(voice));
    const s = { voice, input, readout, knob };
    input.addEventListener('input', () => {
      const v = stepValue(a, Number(input.value));
      readout.value = showValue(a, v);
      queue.set(s, v);
    });
    return s;
  };
  return {
    /** One slider per voice of the model now playing (none, and hidden, for a model without voices). */
    setModel(voices: readonly string[]): void {
      queue.clear();
      steer.clear();
      sliders = voices.map(make);
      list.replaceChildren(...sliders.map((s) => s.knob));
      root.hidden = voices.length === 0;
    },
    /** Show the stage's settings; a value still waiting for its frame stays as dragged. */
    sync(): void {
      const next = stage.settings.velocityScales;
      const playing = stage.applied.velocityScales;
      sliders.forEach((s, i) => {
        if (!queue.has(s) && i < next.length) showSetting(s.input, s.readout, s.knob, a, next[i], playing[i]);
      });
      steer.sync();
    },
  };
}
