/**
 * The page's pattern slots: A and B buttons for two favourite grooves, a row of the eight slots,
 * a Store button, "at once" and Undo, from the control table's `store`, `recall` and
 * `undoRecall` (their labels and descriptions), and a set of slots saved and loaded as the file
 * the prompt's `saveSlots` and `loadSlots` write and read. A click recalls a slot at its place in the next
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
 *   saveSet: () => stage.gen!.slotSet(),
 *   loadSet: (set, file) => stage.gen!.loadSlots(set, file),
 *   onError: (e) => messages.error(e),
 *   onInfo: (text) => messages.info(text),
 *   onChange: () => (dirty = true),
 * });
 * slots.sync();   // after each step, or a model load
 */
import { control, SLOT_COUNT } from '../../music/controls.js';
import type { Generator } from '../../music/generator.js';
import type { SlotSetFile } from '../../music/slots-file.js';
import { download, pickFiles } from './files.js';

/** The name a saved set downloads as. */
const SET_FILE = 'pulse-rnn-slots.json';

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
  /** The slots as a set file, to save. */
  saveSet(): SlotSetFile;
  /** Replace the slots with a set file's (checked against the model; `file` names it in errors). */
  loadSet(set: SlotSetFile, file: string): void;
  onError(e: unknown): void;
  onInfo(text: string): void;
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

/** The page's own slots as a set file. */
export function slotSetOf(gen: Generator | null): SlotSetFile {
  if (!gen) throw new Error('saveSlots: no model loaded yet');
  return gen.slotSet();
}

/** Replace the page's own slots with a set file's, from the next step (logged, so the page's log replays it). */
export function loadSlotSet(gen: Generator | null, set: SlotSetFile, file: string): void {
  if (!gen) throw new Error('loadSlots: no model loaded yet');
  gen.loadSlots(set, file);
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

function checkbox(id: string, text: string, title: string): { label: HTMLLabelElement; input: HTMLInputElement } {
  const label = document.createElement('label');
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.id = id;
  label.append(input, document.createTextNode(` ${text}`));
  label.title = title;
  return { label, input };
}

function fileInput(id: string, text: string): { label: HTMLLabelElement; input: HTMLInputElement } {
  const label = document.createElement('label');
  label.className = 'file';
  const input = document.createElement('input');
  input.type = 'file';
  input.id = id;
  input.accept = '.json,application/json';
  label.append(input, document.createTextNode(` ${text}`));
  return { label, input };
}

/** The panel's widgets, built into `panel` (an empty fieldset) with the table's labels and words. */
function buildPanel(panel: HTMLElement) {
  const [store, recall, undo] = (['store', 'recall', 'undoRecall'] as const).map(control);
  const legend = document.createElement('legend');
  legend.textContent = 'Slots';
  const title = (slot: number) => `${recall.label} slot ${slot} (shift-click: ${store.label.toLowerCase()})`;
  const ab = Object.entries(AB).map(([name, slot]) => button(`slot-${name.toLowerCase()}`, name, title(slot)));
  const slots = Array.from({ length: SLOT_COUNT }, (_, i) => button(`slot-${i + 1}`, String(i + 1), title(i + 1)));
  const storeButton = button('slot-store', store.label, `${store.description}: press, then a slot`);
  storeButton.setAttribute('aria-pressed', 'false');
  const undoButton = button('slot-undo', undo.label, undo.description);
  const now = checkbox('slot-now', 'at once', "recall at the next step, not at the slot's place in the next bar");
  const slotRow = row(...slots);
  slotRow.classList.add('slot-row');
  slotRow.setAttribute('role', 'group');
  slotRow.setAttribute('aria-label', 'Pattern slots');
  const saveButton = button('slot-save', 'Save set', `the slots as a file (${SET_FILE}); the prompt's loadSlots reads it too`);
  const file = fileInput('slot-file', 'Load set…');
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = `a click recalls at the next bar; shift-click, or ${store.label} then a slot, stores`;
  panel.replaceChildren(legend, row(...ab, undoButton), slotRow, row(storeButton, now.label), row(saveButton, file.label), hint);
  const byButton = new Map<HTMLButtonElement, number>([...slots.map((b, i): [HTMLButtonElement, number] => [b, i + 1]), [ab[0], AB.A], [ab[1], AB.B]]);
  return { byButton, storeButton, undoButton, now: now.input, saveButton, file: file.input };
}

/** Save and load a set of slots as a file. */
function bindSetFile(ui: ReturnType<typeof buildPanel>, host: SlotsHost, sync: () => void): void {
  ui.saveButton.addEventListener('click', () => {
    try {
      if (!host.slots()?.filled.length) throw new Error('saveSlots: no slot holds a groove yet; store one first');
      download(`${JSON.stringify(host.saveSet())}\n`, SET_FILE, 'application/json');
    } catch (e) {
      host.onError(e);
    }
  });
  pickFiles(ui.file, (f) => {
    void f.text().then((text) => {
      try {
        const set = JSON.parse(text) as SlotSetFile;
        host.loadSet(set, f.name);
        host.onInfo(`slots ${Object.keys(set.slots).join(', ')} from ${f.name}, from the next step`);
      } catch (e) {
        host.onError(e instanceof SyntaxError ? new Error(`loadSlots: ${f.name}: not JSON (${e.message})`) : e);
      }
      sync();
      host.onChange();
    });
  });
}

/** Build the panel's contents in `panel` (an empty fieldset) and wire them; returns `sync`. */
export function bindSlots(panel: HTMLElement, host: SlotsHost) {
  const ui = buildPanel(panel);
  const { byButton, storeButton, undoButton, now } = ui;
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
  for (const [b, slot] of byButton) b.addEventListener('click', (e) => press(slot, e));
  storeButton.addEventListener('click', () => storeButton.setAttribute('aria-pressed', String(storeButton.getAttribute('aria-pressed') !== 'true')));
  undoButton.addEventListener('click', () => run('undoRecall', now.checked ? ['now'] : []));
  bindSetFile(ui, host, () => sync());

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
    ui.saveButton.disabled = ui.file.disabled = s === null;
  }
  sync();
  return { sync };
}
