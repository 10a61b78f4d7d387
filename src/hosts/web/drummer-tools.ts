/**
 * What a drummer reaches for on the page, wired to the stage: the Tap button and key (tap
 * tempo), the swing slider, and the Record button that arms a take and saves it on Stop. Each
 * lives in its own module; this binds them to the page's elements in one place.
 *
 * @example
 * const tools = bindDrummerTools(stage, { error: (e, what) => messages.error(e, what), save: (f) => download(f.midi, 'take.mid', 'audio/midi'), onChange });
 * tools.sync();   // when the stage changed
 */
import { bindSwing } from './swing-slider.js';
import { bindTakePanel, type TakeFiles, type TakeRecorder } from './take-panel.js';
import { bindTapTempo } from './tap-tempo.js';
import type { Stage } from './stage.js';

export interface DrummerHooks {
  /** `what` names the control or panel, as the page's message bar says it. */
  error(e: unknown, what: string): void;
  /** Save an ended take (the page downloads its MIDI file and log). */
  save(files: TakeFiles): void;
  onChange(): void;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}: index.html and app.js are from different builds`);
  return e as T;
};

export function bindDrummerTools(stage: Stage, hooks: DrummerHooks): { sync(): void; take: TakeRecorder } {
  bindTapTempo(stage, $<HTMLButtonElement>('tap'), { onBpm: () => hooks.onChange(), onError: (e) => hooks.error(e, 'Tap tempo') });
  const swing = bindSwing(stage, $<HTMLInputElement>('swing'), (e) => hooks.error(e, ''), hooks.onChange);
  const panel = bindTakePanel(stage, { button: $<HTMLButtonElement>('take-record'), from: $<HTMLSelectElement>('take-from'), state: $('take-state') }, { save: hooks.save, onError: (e) => hooks.error(e, 'Record'), onChange: hooks.onChange });
  return {
    take: panel.take,
    sync(): void {
      swing.sync();
      panel.sync();
    },
  };
}
