/**
 * The step grid: one row per drum voice, one column per step of a few bars, swept by the play
 * head like a drum machine's. Columns stay put (a cell is where the performer last saw it);
 * each shows the step that last played there, or, in the bar ahead of the play head, the step
 * the model will play (the lookahead, drawn hollow). Clicking an upcoming cell toggles that
 * voice at that step; the lock button of a row keeps the voice as it played in the last bar.
 *
 * A hit whose sound is known (the steps played, and those ahead as they will play) is drawn as a
 * bar, hollow ahead of the play head as the cell is: as tall and as bright as its
 * velocity (a ghost note low and dim, 127 the whole cell), shifted sideways by its offset from
 * the step's grid line (the cell's left edge), so a hit played early leaves a gap on the right
 * and a late one on the left. The look goes to CSS as `--vel` (velocity / 127) and `--off`.
 *
 * Above the columns, each bar is numbered as the model counts it (bar 1 from its step 0, as the
 * position readout counts): a number sits over a bar's first column and over the first column
 * after the wrap, where the lookahead's bar gives way to an old one, so a label never names the
 * wrong bar, however far the play head has gone round.
 *
 * The grid is one Tab stop: arrows move the cursor, Enter or Space toggles the cell under it.
 * Drawing touches only the cells whose look changed, so a step costs a few class changes.
 *
 * @example
 * const grid = new GridView(document.querySelector('#grid')!, {
 *   toggle: (step, row) => stage.toggleHit(step, row),
 *   lock: (row) => stage.toggleLock(row),
 * });
 * grid.setModel(['kick', 'snare'], 16, 4, true);
 * grid.render(stage.view(), stage.playhead(audio.context.currentTime));
 */
import type { HitLook, StageView } from './stage.js';
import { control } from '../../music/controls.js';
import { keyOf } from './keys.js';

/** The lock control's keys, from the control table: they lock the focused row's voice. */
const LOCK_KEYS = new Set((control('lock').keys ?? []).map(([k]) => k));

export interface GridHandlers {
  toggle(step: number, row: number): void;
  /** Returns the row's new lock state, or undefined when the lock was refused. */
  lock(row: number): boolean | undefined;
}

/** Bars on screen: two behind the play head and the one the lookahead fills; on a narrow screen one behind. */
const BARS = 3;
const NARROW_BARS = 2;
/** Below this grid width (px) three bars would make cells too small to touch: show two, and scroll. */
const NARROW = 900;
/** Bars a lane `width` px wide shows (0: not laid out yet, so the full three). */
export const barsOnScreen = (width: number): number => (width > 0 && width < NARROW ? NARROW_BARS : BARS);
/** After the performer scrolls the grid by hand, it stops following the play head for this long (ms). */
const HAND_SCROLL_MS = 4000;

/** Hues per drum voice, so a row reads at a glance from the back of a stage. */
const HUES: Record<string, number> = {
  kick: 4,
  snare: 28,
  'closed-hat': 50,
  'open-hat': 78,
  'low-tom': 140,
  'mid-tom': 165,
  'high-tom': 188,
  crash: 212,
  ride: 262,
  notes: 190,
};

const PLAYED = 1;
const UPCOMING = 2;
const HIT = 4;
const EDITED = 8;
const HEAD = 16;

/**
 * The furthest a bar moves sideways, in cells: an event model's hit late in its step (offset
 * near 1) still shows a sliver of its bar; an expressive drummer's offsets (±0.5) show as played.
 */
const MAX_SHIFT = 0.85;

const NOTE_NAMES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];
/** A MIDI note as a musician names it: 60 → C4. */
export const noteName = (n: number): string => `${NOTE_NAMES[n % 12]}${Math.floor(n / 12) - 1}`;

export function voiceLabel(voice: string): string {
  const s = voice.replace(/-/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export class GridView {
  private rows: readonly string[] = [];
  private columns = 0;
  private lookahead = 0;
  private editable = false;
  private cells: HTMLElement[][] = [];
  private heads: HTMLElement[] = [];
  private barLabels: HTMLElement[] = [];
  /** Each column's drawn bar label ('' for none), and its steps per bar. */
  private barText: string[] = [];
  private stepsPerBar = 16;
  private rowEls: HTMLElement[] = [];
  private lockButtons: HTMLButtonElement[] = [];
  private state = new Int32Array(0);
  /** Each cell's drawn velocity and offset, as `lookKey` (NaN: drawn without one). */
  private looks = new Float64Array(0);
  /** The step each column shows, as of the last render (-1: none yet). */
  private stepOf = new Int32Array(0);
  private text: string[] = [];
  private headCol = -1;
  private cursor = { row: 0, col: 0 };
  /** The cursor shows only for keyboard use: a mouse player sees what they click. */
  private keyboard = false;
  private next = 0;
  private bars = BARS;
  private layout: [readonly string[], number, number, boolean] | null = null;
  /** The element that scrolls the grid sideways on a narrow screen (the grid's parent). */
  private readonly scroller: HTMLElement;
  private handScrolled = -Infinity;

  constructor(
    private readonly root: HTMLElement,
    private readonly handlers: GridHandlers,
  ) {
    this.scroller = root.parentElement ?? root;
    for (const type of ['pointerdown', 'wheel', 'touchstart'] as const) this.scroller.addEventListener(type, () => (this.handScrolled = performance.now()), { passive: true });
    root.setAttribute('role', 'grid');
    root.tabIndex = 0;
    root.addEventListener('pointerdown', (e) => this.onPointer(e));
    root.addEventListener('keydown', (e) => this.onKey(e));
    root.addEventListener('focus', () => this.showCursor(true));
    // reaching the grid with Tab is keyboard use
    root.addEventListener('keyup', (e) => {
      if (e.key === 'Tab') {
        this.keyboard = true;
        this.showCursor(true);
      }
    });
    root.addEventListener('blur', () => this.showCursor(false));
  }

  /** Build the grid for a model: its rows, steps per bar and steps per beat. */
  setModel(rows: readonly string[], stepsPerBar: number, stepsPerBeat: number, editable: boolean): void {
    this.layout = [rows, stepsPerBar, stepsPerBeat, editable];
    this.bars = this.barsToShow();
    this.rows = rows;
    this.editable = editable;
    this.lookahead = stepsPerBar;
    this.stepsPerBar = stepsPerBar;
    this.columns = this.bars * stepsPerBar;
    this.root.replaceChildren();
    this.root.style.setProperty('--columns', String(this.columns));
    this.root.classList.toggle('melodic', !editable);

    const head = el('div', 'grid-row grid-head', { role: 'row' });
    head.append(el('div', 'voice corner', { role: 'columnheader' }, editable ? 'Voice · lock' : ''));
    this.heads = [];
    for (let c = 0; c < this.columns; c++) {
      const pos = c % stepsPerBar;
      const beat = pos % stepsPerBeat === 0;
      const h = el('div', `col-head${beat ? ' beat' : ''}${pos === 0 ? ' bar' : ''}`, { role: 'columnheader' }, beat ? String(pos / stepsPerBeat + 1) : '·');
      this.heads.push(h);
      head.append(h);
    }
    this.root.append(this.barRow(), head);

    this.cells = [];
    this.rowEls = [];
    this.lockButtons = [];
    rows.forEach((name, r) => {
      const row = el('div', 'grid-row', { role: 'row' });
      row.style.setProperty('--hue', String(HUES[name] ?? (r * 40) % 360));
      const label = el('div', 'voice', { role: 'rowheader' });
      label.append(el('span', 'voice-name', {}, voiceLabel(name)));
      if (editable) {
        const lock = el('button', 'lock', { type: 'button', 'aria-pressed': 'false', 'data-voice': name, title: `Lock ${voiceLabel(name)}: keep it as it played in the last bar` }, 'lock') as HTMLButtonElement;
        lock.addEventListener('click', () => this.lock(r));
        this.lockButtons.push(lock);
        label.append(lock);
      }
      row.append(label);
      const line: HTMLElement[] = [];
      for (let c = 0; c < this.columns; c++) {
        const pos = c % stepsPerBar;
        const cell = el('div', cellStatic(pos, stepsPerBeat), { role: 'gridcell', id: `cell-${r}-${c}`, 'data-row': String(r), 'data-col': String(c), 'data-voice': name });
        line.push(cell);
        row.append(cell);
      }
      this.cells.push(line);
      this.rowEls.push(row);
      this.root.append(row);
    });
    this.state = new Int32Array(rows.length * this.columns).fill(-1);
    this.looks = new Float64Array(rows.length * this.columns).fill(NaN);
    this.stepOf = new Int32Array(this.columns).fill(-1);
    this.text = new Array(rows.length * this.columns).fill('');
    this.headCol = -1;
    this.cursor = { row: 0, col: 0 };
  }

  /**
   * Rebuild when the screen's width calls for another number of bars (a phone turned, a window
   * resized); returns whether it did, so the caller draws again.
   */
  fit(): boolean {
    if (!this.layout || this.barsToShow() === this.bars) return false;
    this.setModel(...this.layout);
    return true;
  }

  private barsToShow(): number {
    return barsOnScreen(this.scroller.clientWidth);
  }

  /** Keep the play head in sight when the grid scrolls, unless the performer just scrolled it. */
  private follow(col: number): void {
    const s = this.scroller;
    if (s.scrollWidth <= s.clientWidth || performance.now() - this.handScrolled < HAND_SCROLL_MS) return;
    const cell = this.cells[0]?.[col];
    if (!cell) return;
    const label = this.cells[0][0].offsetLeft;
    const left = cell.offsetLeft - s.scrollLeft;
    // the head stays between the voice names and the last quarter of the view
    if (left < label || left + cell.offsetWidth > s.clientWidth * 0.75) s.scrollLeft = Math.max(0, cell.offsetLeft - label);
  }

  /** Draw a view of the stage with the play head at generator step `playhead` (-1: none). */
  render(view: StageView, playhead: number): void {
    const N = this.columns;
    if (N === 0) return;
    const L = this.lookahead;
    this.next = view.next;
    const base = view.next + L - N;
    const headCol = playhead >= 0 ? mod(playhead, N) : -1;
    for (let c = 0; c < N; c++) {
      const step = base + mod(c - base, N);
      const upcoming = step >= view.next;
      const rows = upcoming ? view.edits.get(step) ?? view.upcoming.get(step) : view.played.get(step);
      const known = rows !== undefined;
      const edited = upcoming && view.edits.has(step);
      if (this.stepOf[c] !== step) {
        this.stepOf[c] = step;
        for (let r = 0; r < this.rows.length; r++) this.cells[r][c].dataset.step = String(step);
      }
      this.drawBar(c, step, c > 0 && this.stepOf[c - 1] !== step - 1);
      for (let r = 0; r < this.rows.length; r++) {
        let s = known ? (upcoming ? UPCOMING : PLAYED) : 0;
        if (known && (this.editable ? (rows as readonly number[]).includes(r) : (rows as readonly number[]).length > 0)) s |= HIT;
        if (edited) s |= EDITED;
        if (c === headCol) s |= HEAD;
        const i = r * N + c;
        if (this.state[i] !== s) {
          this.state[i] = s;
          const cell = this.cells[r][c];
          cell.classList.toggle('p', (s & PLAYED) !== 0);
          cell.classList.toggle('u', (s & UPCOMING) !== 0);
          cell.classList.toggle('hit', (s & HIT) !== 0);
          cell.classList.toggle('ed', (s & EDITED) !== 0);
          cell.classList.toggle('head', (s & HEAD) !== 0);
        }
        // how the hit sounds, when the view knows it (a written step is the performer's, not yet played)
        const look = (s & HIT) !== 0 && !edited ? view.looks.get(step)?.get(this.editable ? r : 0) : undefined;
        this.drawLook(i, this.cells[r][c], look);
        if (!this.editable) {
          // melodic rows name the notes instead of a voice
          const notes = known ? view.notes.get(step) ?? [] : [];
          const t = notes.length ? noteName(notes[0]) : '';
          if (this.text[i] !== t) {
            this.text[i] = t;
            this.cells[r][c].textContent = t;
          }
        }
      }
    }
    if (headCol !== this.headCol) {
      if (this.headCol >= 0) this.heads[this.headCol].classList.remove('head');
      if (headCol >= 0) this.heads[headCol].classList.add('head');
      this.headCol = headCol;
      if (headCol >= 0) this.follow(headCol);
    }
    this.lockButtons.forEach((_, r) => this.showLock(r, view.locked.has(r)));
  }

  /** The row of bar numbers over the columns (drawn by `drawBar`). */
  private barRow(): HTMLElement {
    const row = el('div', 'grid-row grid-bars', { role: 'row' });
    row.append(el('div', 'voice corner', { role: 'columnheader' }, 'Bar'));
    this.barLabels = [];
    for (let c = 0; c < this.columns; c++) {
      const label = el('div', 'bar-label', { role: 'columnheader', 'data-col': String(c) });
      this.barLabels.push(label);
      row.append(label);
    }
    this.barText = new Array(this.columns).fill('');
    return row;
  }

  /**
   * Column `c` shows `step`: its bar's number over the bar's first column, and over the first
   * column after a wrap (`after`: the column before it shows no step just before this one).
   */
  private drawBar(c: number, step: number, after: boolean): void {
    const bar = step >= 0 ? Math.floor(step / this.stepsPerBar) + 1 : 0;
    const text = bar > 0 && (step % this.stepsPerBar === 0 || c === 0 || after) ? String(bar) : '';
    const label = this.barLabels[c];
    const key = `${bar}:${text}`;
    if (this.barText[c] === key) return;
    this.barText[c] = key;
    label.dataset.bar = bar > 0 ? String(bar) : '';
    label.textContent = text;
    label.title = text ? `bar ${text}` : '';
    label.classList.toggle('start', text !== '');
  }

  /** Hand a hit's velocity and offset to the cell's CSS, only when they changed. */
  private drawLook(i: number, cell: HTMLElement, look: HitLook | undefined): void {
    const key = look ? lookKey(look) : NaN;
    if (Object.is(this.looks[i], key)) return;
    this.looks[i] = key;
    cell.classList.toggle('felt', look !== undefined);
    if (!look) {
      cell.style.removeProperty('--vel');
      cell.style.removeProperty('--off');
      return;
    }
    cell.style.setProperty('--vel', (clamp(look.velocity, 1, 127) / 127).toFixed(3));
    cell.style.setProperty('--off', clamp(look.offset, -0.5, MAX_SHIFT).toFixed(3));
  }

  // the button answers the press at once, not at the next frame (which a busy or hidden page delays)
  private lock(row: number): void {
    const locked = this.handlers.lock(row);
    if (locked !== undefined) this.showLock(row, locked);
  }

  private showLock(r: number, locked: boolean): void {
    const b = this.lockButtons[r];
    if (b.getAttribute('aria-pressed') === String(locked)) return;
    b.setAttribute('aria-pressed', String(locked));
    b.title = `${locked ? 'Locked: plays as in the bar before the lock. Press to free' : 'Lock'} ${voiceLabel(this.rows[r])}${locked ? '' : ': keep it as it played in the last bar'}`;
    this.rowEls[r].classList.toggle('locked', locked);
  }

  /** The step a column shows now. */
  stepAt(col: number): number {
    return this.stepOf[col];
  }

  private activate(row: number, col: number): void {
    if (!this.editable) return;
    const step = this.stepOf[col];
    // played cells are history: only the lookahead can be written
    if (step < this.next) return;
    this.handlers.toggle(step, row);
  }

  private onPointer(e: PointerEvent): void {
    if (e.button !== 0) return;
    const cell = (e.target as HTMLElement).closest<HTMLElement>('.cell');
    if (!cell || !this.root.contains(cell)) return;
    e.preventDefault(); // keep the focus ring off the mouse path; the grid takes focus below
    this.keyboard = false;
    const row = Number(cell.dataset.row);
    const col = Number(cell.dataset.col);
    this.moveCursor(row, col);
    this.root.focus({ preventScroll: true });
    this.activate(row, col);
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.keyboard && e.key !== 'Tab') {
      this.keyboard = true;
      this.showCursor(true);
    }
    const { row, col } = this.cursor;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (m) {
      this.moveCursor(clamp(row + m[0], 0, this.rows.length - 1), clamp(col + m[1], 0, this.columns - 1));
    } else if (e.key === 'Home' || e.key === 'End') {
      this.moveCursor(row, e.key === 'Home' ? 0 : this.columns - 1);
    } else if (e.key === 'Enter' || e.key === ' ') {
      this.activate(row, col);
    } else if (LOCK_KEYS.has(keyOf(e))) {
      if (this.editable) this.lock(row);
    } else return;
    // the grid's keys are its own: no page shortcut, no scrolling
    e.preventDefault();
    e.stopPropagation();
  }

  private moveCursor(row: number, col: number): void {
    this.showCursor(false);
    this.cursor = { row, col };
    this.showCursor(document.activeElement === this.root);
  }

  private showCursor(on: boolean): void {
    const cell = this.cells[this.cursor.row]?.[this.cursor.col];
    if (!cell) return;
    cell.classList.toggle('cursor', on && this.keyboard);
    if (on) this.root.setAttribute('aria-activedescendant', cell.id);
  }
}

function cellStatic(pos: number, stepsPerBeat: number): string {
  return `cell${pos % stepsPerBeat === 0 ? ' beat' : ''}${pos === 0 ? ' bar' : ''}`;
}

/** One number for a look: velocity in the thousands, offset in thousandths of a step. */
function lookKey(l: HitLook): number {
  return Math.round(l.velocity) * 1e4 + Math.round(l.offset * 1000);
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

function el(tag: string, className: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className) e.className = className;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
