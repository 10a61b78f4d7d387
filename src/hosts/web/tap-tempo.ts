/**
 * Tap tempo: the performer taps a button or the T key on the beat, and the BPM becomes the
 * average of the last few taps' intervals. A pause of more than two seconds starts over (the
 * next tap is a first tap again); the result is clamped to the BPM control's range and kept at
 * its step. The key is the page's own, not a control of the table: it lives beside Space and
 * Escape in the key legend (`keys.ts`).
 *
 * @example
 * const taps = new TapTempo();
 * taps.tap(0); taps.tap(500); taps.tap(1000);   // 120 after the second tap, and still 120
 * bindTapTempo(stage, document.querySelector('#tap')!, { onBpm: (bpm) => say(bpm), onError });
 */
import { checkValue, valueArg } from '../../music/controls.js';
import { TAP_KEY, keyOf } from './keys.js';
import { stepValue } from './sliders.js';

/** A longer pause than this between taps starts over, in ms. */
export const TAP_RESET_MS = 2000;
/** Intervals averaged: the last few, so a tempo change follows within a bar. */
export const TAP_INTERVALS = 4;

export class TapTempo {
  private times: number[] = [];

  /** A tap at `ms` (a timestamp in milliseconds); returns the tempo it gives, or null for a first tap. */
  tap(ms: number): number | null {
    const last = this.times[this.times.length - 1];
    if (last === undefined || ms - last > TAP_RESET_MS || ms <= last) this.times = [];
    this.times.push(ms);
    if (this.times.length > TAP_INTERVALS + 1) this.times.shift();
    if (this.times.length < 2) return null;
    const mean = (this.times[this.times.length - 1] - this.times[0]) / (this.times.length - 1);
    // clamped to the control's range and kept at its step, as the BPM field takes it
    return stepValue(valueArg('bpm'), 60000 / mean);
  }

  /** How many taps count now (1 after a first tap, 0 before any). */
  get count(): number {
    return this.times.length;
  }
}

export interface TapHooks {
  /** The stage has the new tempo. */
  onBpm(bpm: number): void;
  onError(e: unknown): void;
}

/** The Tap button and the T key set the stage's tempo; each tap reads the event's own time. */
export function bindTapTempo(stage: { setBpm(bpm: number): void }, button: HTMLButtonElement, hooks: TapHooks): TapTempo {
  const taps = new TapTempo();
  const tap = (ms: number) => {
    const bpm = taps.tap(ms);
    button.dataset.taps = String(taps.count);
    if (bpm === null) return;
    try {
      checkValue('bpm', bpm);
      stage.setBpm(bpm);
      hooks.onBpm(bpm);
    } catch (e) {
      hooks.onError(e);
    }
  };
  const hint = `tap on the beat: the tempo follows the last ${TAP_INTERVALS + 1} taps; a pause of ${TAP_RESET_MS / 1000} s starts over · ${TAP_KEY.toUpperCase()}`;
  button.title = hint;
  const small = button.closest('.knob')?.querySelector('small');
  if (small) small.textContent = hint;
  // on press, not on release: a tap is the moment the finger lands
  button.addEventListener('pointerdown', (e) => tap(e.timeStamp));
  button.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) {
      e.preventDefault();
      e.stopPropagation();
      tap(e.timeStamp);
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat || keyOf(e) !== TAP_KEY) return;
    // typing in a field keeps its keys
    if ((e.target as HTMLElement).matches?.('input:not([type=range]):not([type=radio]):not([type=file]), select, textarea, [contenteditable]')) return;
    e.preventDefault();
    tap(e.timeStamp);
  });
  return taps;
}
