/**
 * The page's pattern slots: A and B buttons for two favourite grooves, a row of the eight slots,
 * a Store button, "at once" and Undo, from the control table's `store`, `recall` and
 * `undoRecall` (their labels and descriptions). A click recalls a slot at its place in the next
 * bar (at the next step with "at once"); a shift-click, or Store then a slot, stores the
 * performance in it. A slot that holds a groove is marked, and the one that will take over at
 * the next bar is marked as waiting until it does.
 *
 * Every press runs through `host.run(name, args)`, the table's control with the prompt's
 * arguments, so the page's own performance and a performance steered from elsewhere take the
 * same calls.
 *
 * @example
 * const slots = bindSlots(document.getElementById('slots-panel')!, {
 *   run: (name, args) => runSlotControl(stage.gen, name, args),
 *   slots: () => stage.gen?.slots ?? null,
 *   onError: (e) => messages.error(e),
 *   onChange: () => (dirty = true),
 * });
 * slots.sync();   // after each step, or a model load
 */
import { control, SLOT_COUNT } from '../../music/controls.js';
import type { Generator } from '../../music/generator.js';

/** The slot controls of the table. */
export type SlotControl = 'store' | 'recall' | 'undoRecall';

/** What the slots hold, as `Generator.slots` reports it. */
export interface SlotsShown {
  filled: readonly number[];
  cue: { slot: number; step: number } | null;
  canUndo: boolean;
}

export interface SlotsHost {
  /** Run `store`, `recall` or `undoRecall` with the arguments the prompt takes. */
  run(name: SlotControl, args: readonly (string | number)[]): void;
  /** The slots now (null before a model is loaded). */
  slots(): SlotsShown | null;
  onError(e: unknown): void;
  onChange(): void;
}

/** The two slots the A and B buttons hold. */
export const AB = { A: 1, B: 2 } as const;

/** Run a slot control on the page's own generator, as the prompt's arguments give it. */
export function runSlotControl(gen: Generator | null, name: SlotControl, args: readonly (string | number)[]): void {
  if (!gen) throw new Error(`${name}: no model loaded yet`);
  const [a, b] = args as [number | string | undefined, string | undefined];
  if (name === 'store') gen.store(a as number | undefined);
  else if (name === 'recall') gen.recall(a as number | undefined, b as 'bar' | 'now' | undefined);
  else gen.undoRecall(a as 'bar' | 'now' | undefined);
}

function button(id: string, text: string, title: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.id = id;
  b.textContent = text;
  b.title = title;
  return b;
}

function row(...children: HTMLElement[]): HTMLDivElement {
  const r = document.createElement('div');
  r.className = 'row';
  r.append(...children);
  return r;
}

/** Build the panel's contents in `panel` (an empty fieldset) and wire them; returns `sync`. */
export function bindSlots(panel: HTMLElement, host: SlotsHost) {
  const [store, recall, undo] = (['store', 'recall', 'undoRecall'] as const).map(control);
  const legend = document.createElement('legend');
  legend.textContent = 'Slots';
  const ab = Object.entries(AB).map(([name, slot]) => button(`slot-${name.toLowerCase()}`, name, `${recall.label} slot ${slot} (shift-click: ${store.label.toLowerCase()})`));
  const slots = Array.from({ length: SLOT_COUNT }, (_, i) => button(`slot-${i + 1}`, String(i + 1), `${recall.label} slot ${i + 1} (shift-click: ${store.label.toLowerCase()})`));
  const storeButton = button('slot-store', store.label, `${store.description}: press, then a slot`);
  storeButton.setAttribute('aria-pressed', 'false');
  const undoButton = button('slot-undo', undo.label, undo.description);
  const nowLabel = document.createElement('label');
  const now = document.createElement('input');
  now.type = 'checkbox';
  now.id = 'slot-now';
  nowLabel.append(now, document.createTextNode(' at once'));
  nowLabel.title = "recall at the next step, not at the slot's place in the next bar";
  const slotRow = row(...slots);
  slotRow.classList.add('slot-row');
  slotRow.setAttribute('role', 'group');
  slotRow.setAttribute('aria-label', 'Pattern slots');
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = `a click recalls at the next bar; shift-click, or ${store.label} then a slot, stores`;
  panel.replaceChildren(legend, row(...ab, undoButton), slotRow, row(storeButton, nowLabel), hint);

  const run = (name: SlotControl, args: (string | number)[]) => {
    try {
      host.run(name, args);
    } catch (e) {
      host.onError(e);
    }
    sync();
    host.onChange();
  };
  const press = (slot: number, e: MouseEvent) => {
    const storing = e.shiftKey || storeButton.getAttribute('aria-pressed') === 'true';
    storeButton.setAttribute('aria-pressed', 'false');
    if (storing) run('store', [slot]);
    else run('recall', now.checked ? [slot, 'now'] : [slot]);
  };
  const byButton = new Map<HTMLButtonElement, number>([...slots.map((b, i): [HTMLButtonElement, number] => [b, i + 1]), [ab[0], AB.A], [ab[1], AB.B]]);
  for (const [b, slot] of byButton) b.addEventListener('click', (e) => press(slot, e));
  storeButton.addEventListener('click', () => storeButton.setAttribute('aria-pressed', String(storeButton.getAttribute('aria-pressed') !== 'true')));
  undoButton.addEventListener('click', () => run('undoRecall', now.checked ? ['now'] : []));

  /** Show which slots hold a groove, which one waits for its step, and whether undo can act. */
  function sync(): void {
    const s = host.slots();
    for (const [b, slot] of byButton) {
      b.disabled = s === null;
      b.dataset.filled = String(s?.filled.includes(slot) ?? false);
      b.dataset.pending = String(s?.cue?.slot === slot);
    }
    undoButton.disabled = !s || !(s.canUndo || s.cue !== null);
    undoButton.dataset.pending = String(s?.cue?.slot === 0);
  }
  sync();
  return { sync };
}
