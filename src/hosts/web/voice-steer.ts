/**
 * The per-voice steering in each row of the voices panel (voice-scales.ts): a density slider of
 * the voice's own (the table's `voiceDensity`: its range, step and default) and a leave-out
 * switch (`leaveOut` / `bringBack`: the model plays without the voice and hears that it did,
 * where the velocity scale at 0 only silences it). Values set show as pending until the step
 * that applies them, as the other sliders do.
 *
 * @example
 * const steer = voiceSteer(stage, onError, onChange);
 * row.append(...steer.cells('snare'));  // beside the snare's velocity-scale slider
 * steer.sync();                         // show the stage's settings
 */
import { control, voiceDensityArg } from '../../music/controls.js';
import { voiceLabel } from './grid-view.js';
import { perFrame, showSetting, showValue, stepValue } from './sliders.js';
import type { Stage } from './stage.js';

interface VoiceCells {
  readonly voice: string;
  readonly density: HTMLInputElement;
  readonly readout: HTMLOutputElement;
  readonly wrap: HTMLElement;
  readonly out: HTMLInputElement;
  readonly outLabel: HTMLElement;
}

export function voiceSteer(stage: Stage, onError: (e: unknown) => void, onChange: () => void) {
  const a = voiceDensityArg();
  const dc = control('voiceDensity');
  const lc = control('leaveOut');
  let rows: VoiceCells[] = [];
  const queue = perFrame<VoiceCells>((r, v) => stage.setVoiceDensity(r.voice, v), onError, onChange);

  const densityCell = (voice: string): Pick<VoiceCells, 'density' | 'readout' | 'wrap'> => {
    const wrap = document.createElement('span');
    wrap.className = 'voice-density';
    const density = document.createElement('input');
    const readout = document.createElement('output');
    density.type = 'range';
    density.id = `voice-density-${voice}`;
    [density.min, density.max, density.step, density.value] = [a.min, a.max, a.step, a.default ?? 0].map(String);
    density.setAttribute('aria-label', `${dc.label}: ${voiceLabel(voice)}`);
    density.title = dc.description;
    readout.htmlFor.add(density.id);
    readout.value = showValue(a, Number(density.value));
    wrap.append(density, readout);
    return { density, readout, wrap };
  };

  const leaveOutCell = (voice: string): Pick<VoiceCells, 'out' | 'outLabel'> => {
    const outLabel = document.createElement('label');
    outLabel.className = 'leave-out';
    outLabel.title = lc.description;
    const out = document.createElement('input');
    out.type = 'checkbox';
    out.id = `leave-out-${voice}`;
    out.setAttribute('aria-label', `${lc.label}: ${voiceLabel(voice)}`);
    outLabel.append(out, document.createTextNode(lc.label.toLowerCase()));
    return { out, outLabel };
  };

  return {
    /** What the two cells do, for the panel's hint. */
    hint: `${dc.label}: ${dc.description}; ${lc.label}: ${lc.description}`,
    /** The cells for `voice`'s row, wired to the stage; the row keeps them until `clear`. */
    cells(voice: string): HTMLElement[] {
      const r: VoiceCells = { voice, ...densityCell(voice), ...leaveOutCell(voice) };
      r.density.addEventListener('input', () => {
        const v = stepValue(a, Number(r.density.value));
        r.readout.value = showValue(a, v);
        queue.set(r, v);
      });
      r.out.addEventListener('change', () => {
        try {
          stage.setLeftOut(voice, r.out.checked);
        } catch (e) {
          r.out.checked = !r.out.checked;
          onError(e);
        }
        onChange();
      });
      rows.push(r);
      return [r.wrap, r.outLabel];
    },
    /** Forget the rows (another model's voices are coming). */
    clear(): void {
      queue.clear();
      rows = [];
    },
    /** Show the stage's settings; a value still waiting for its frame stays as dragged. */
    sync(): void {
      const { settings, applied } = stage;
      rows.forEach((r, i) => {
        if (!queue.has(r) && i < settings.voiceDensities.length) showSetting(r.density, r.readout, r.wrap, a, settings.voiceDensities[i], applied.voiceDensities[i]);
        const out = settings.leftOut[i] ?? false;
        if (r.out.checked !== out) r.out.checked = out;
        r.outLabel.classList.toggle('pending', out !== (applied.leftOut[i] ?? false));
      });
    },
  };
}
