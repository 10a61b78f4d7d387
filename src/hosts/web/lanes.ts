/**
 * A lane on the page for a melodic or chord part: its title and model, the buttons a performer
 * reaches for (lock, clear the edits ahead), room for the part's own controls, and its piano
 * roll, which scrolls on its own (sideways on a narrow screen, down for a wide range of pitches).
 * The buttons' words come from the control table.
 *
 * @example
 * const lane = buildLane(document.querySelector('#keys-lane')!, 'Keys', { toggle: (s, p) => part.toggle(s, p) });
 * lane.lock.addEventListener('click', () => part.toggleLock());
 * lane.roll.render(part.steps(), gen.step, playhead);
 */
import { control } from '../../music/controls.js';
import { hintOf } from './keys.js';
import { PianoRollView, type RollHandlers } from './piano-roll-view.js';

export interface Lane {
  readonly section: HTMLElement;
  readonly roll: PianoRollView;
  /** The part's name and its model's. */
  readonly title: HTMLElement;
  readonly model: HTMLElement;
  readonly lock: HTMLButtonElement;
  readonly clear: HTMLButtonElement;
  /** Where the part's own controls go. */
  readonly controls: HTMLElement;
  /** Show the lock as held or free, or as refused with the reason. */
  showLock(locked: boolean, refusal: string | null): void;
}

export function buildLane(section: HTMLElement, name: string, handlers: RollHandlers): Lane {
  section.classList.add('lane');
  const head = el('div', 'lane-head');
  const title = el('h2', 'lane-title', name);
  const model = el('span', 'lane-model hint', '–');
  const lock = el('button', 'lock lane-lock', control('lock').label) as HTMLButtonElement;
  lock.type = 'button';
  lock.setAttribute('aria-pressed', 'false');
  const clear = el('button', 'lane-clear', control('clearEdit').label) as HTMLButtonElement;
  clear.type = 'button';
  clear.title = `${hintOf(control('clearEdit'))} (every step written ahead)`;
  const controls = el('div', 'lane-controls');
  head.append(title, model, lock, clear, controls);
  const scroll = el('div', 'roll-scroll');
  const grid = el('div', 'roll-grid');
  grid.setAttribute('aria-label', `${name}: pitches by step. Filled: played. Hollow: coming up, click a cell to add or take out that pitch.`);
  scroll.append(grid);
  section.replaceChildren(head, scroll);
  const roll = new PianoRollView(grid, handlers);
  return {
    section,
    roll,
    title,
    model,
    lock,
    clear,
    controls,
    showLock(locked, refusal) {
      lock.disabled = refusal !== null;
      lock.setAttribute('aria-pressed', String(locked && refusal === null));
      lock.title = refusal ?? (locked ? `Locked: plays as in the bar before the lock. Press to free ${name}` : `${control('lock').label} ${name}: its last bar again, bar after bar (a chord part: click a pitch's name to lock that row alone)`);
    },
  };
}

function el(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
