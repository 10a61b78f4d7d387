/**
 * The page's keys, as the control table gives them: which control a key press steers, the
 * glyph a key is shown with, the hint under a slider and the key legend at the foot of the
 * page. Space (start/stop), Escape (silence) and the grid's own keys are the page's transport
 * and cursor, not controls: they are listed here, once, beside the table's.
 *
 * @example
 * keyOf(new KeyboardEvent('keydown', { key: 'R' }));   // 'r'
 * controlKeys().get('r');                             // { control: reseed, index: 0, action: 'a new random seed' }
 * writeKeyLegend(document.querySelector('footer.keys'));
 */
import { CONTROLS, type ControlName, type ControlSpec } from '../../music/controls.js';

/** A key as the table spells it: letters in lower case, named keys as the browser names them. */
export const keyOf = (e: { key: string }): string => (e.key.length === 1 ? e.key.toLowerCase() : e.key);

const GLYPHS: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→', ' ': 'Space', Escape: 'Esc', Enter: 'Enter' };

/** How a key is printed on the page: ↑ for ArrowUp, R for r. */
export const keyGlyph = (key: string): string => GLYPHS[key] ?? key.toUpperCase();

export interface ControlKey {
  readonly control: ControlSpec;
  /** Its place in the control's list: a value control's first key steps up, its second down. */
  readonly index: number;
  readonly action: string;
}

/** Every control key of the table, by key. */
export function controlKeys(): Map<string, ControlKey> {
  const keys = new Map<string, ControlKey>();
  for (const c of CONTROLS) (c.keys ?? []).forEach(([key, action], index) => keys.set(key, { control: c, index, action }));
  return keys;
}

/** The page's key for tap tempo (`tap-tempo.ts`): not a control of the table, a way to set one. */
export const TAP_KEY = 't';

/** The page's own keys: transport, tap tempo and the grid's cursor. */
export const PAGE_KEYS: readonly (readonly [keys: readonly string[], what: string])[] = [
  [[' '], 'start/stop'],
  [['Escape'], 'silence'],
  [[TAP_KEY], 'tap tempo'],
];

/** The hint under a control: what it does, and its keys. */
export function hintOf(c: ControlSpec): string {
  const keys = (c.keys ?? []).map(([k]) => keyGlyph(k)).join(' ');
  return keys ? `${c.description} · ${keys}` : c.description;
}

/** What the legend calls a control: its label, with its pair's for a toggle (pause/resume). */
function legendName(c: ControlSpec): string {
  const pair = c.pair ? CONTROLS.find((x) => x.name === c.pair) : undefined;
  return (pair ? `${c.label}/${pair.label}` : c.label).toLowerCase();
}

function entry(keys: readonly string[], what: string, title: string, control?: ControlName): HTMLSpanElement {
  const span = document.createElement('span');
  if (control) span.dataset.control = control;
  span.title = title;
  for (const k of keys) {
    const kbd = document.createElement('kbd');
    kbd.dataset.key = k;
    kbd.textContent = keyGlyph(k);
    span.append(kbd);
  }
  span.append(` ${what}`);
  return span;
}

/** Write the key legend: the page's transport keys, then each control's keys from the table, then the grid's. */
export function writeKeyLegend(into: HTMLElement): void {
  const [start, silence, tap] = PAGE_KEYS.map(([keys, what]) => entry(keys, what, what));
  const controls = CONTROLS.filter((c) => c.keys?.length).map((c) =>
    entry(
      (c.keys ?? []).map(([k]) => k),
      legendName(c),
      (c.keys ?? []).map(([k, a]) => `${keyGlyph(k)}: ${a}`).join(' · '),
      c.name,
    ),
  );
  const grid = document.createElement('span');
  grid.append('grid: arrows, ', entry(['Enter'], 'toggle', 'add or remove the hit under the cursor'));
  into.replaceChildren(start, tap, ...controls, silence, grid);
}
