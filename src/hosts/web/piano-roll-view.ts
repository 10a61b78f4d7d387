/**
 * A piano-roll lane for a melodic or chord part: one row per pitch (high at the top) over the
 * range the part plays, one column per step, swept by the play head as the drum grid is.
 * Columns stay put; each shows the step that last played there or, in the bar ahead of the
 * play head, the step the model will play (the lookahead, drawn hollow). A note is a bar across
 * the steps it sounds, its first cell marked as the strike. Clicking (tapping) a cell of an
 * upcoming step toggles that pitch in the step; the model continues from what was written.
 *
 * The rows grow to take in every pitch the part has played or will play (with a little room
 * around them, an octave at least), so a line that climbs is never drawn off the lane; they go
 * back to the model's middle octave when another model loads. Drawing touches only the cells
 * whose look changed.
 *
 * @example
 * const roll = new PianoRollView(document.querySelector('#roll')!, { toggle: (step, pitch) => part.toggle(step, pitch) });
 * roll.setModel({ low: 48, high: 84 }, 16, 4);
 * roll.render(rollSteps(gen.played(), gen.upcomingNotes(), gen.edits, gen.step), gen.step, playhead);
 */
import { barsOnScreen, noteName } from './grid-view.js';
import type { RollStep } from './piano-roll-steps.js';

export interface RollHandlers {
  /** Toggle `pitch` at an upcoming `step`. */
  toggle(step: number, pitch: number): void;
  /** A click on a pitch's name: lock or free that row (a chord part's). */
  lockRow?(pitch: number): void;
}

/** Rows kept free above and below the pitches played, and the fewest rows shown. */
const ROOM = 2;
const FEWEST = 13;

const PLAYED = 1;
const UPCOMING = 2;
const ON = 4;
const START = 8;
const EDITED = 16;
const HEAD = 32;

export class PianoRollView {
  private range = { low: 60, high: 72 };
  private shown = { low: 60, high: 72 };
  private stepsPerBar = 16;
  private stepsPerBeat = 4;
  private span = 1;
  private columns = 0;
  private cells: HTMLElement[][] = [];
  private labels: HTMLElement[] = [];
  private lockedShown = '';
  private heads: HTMLElement[] = [];
  private state = new Int32Array(0);
  private stepOf = new Int32Array(0);
  private next = 0;
  private headCol = -1;
  private readonly scroller: HTMLElement;
  /** The scroller this lane scrolls with, if any. */
  private leader: HTMLElement | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly handlers: RollHandlers,
  ) {
    this.scroller = root.parentElement ?? root;
    root.setAttribute('role', 'grid');
    root.classList.add('roll');
    root.addEventListener('pointerdown', (e) => this.onPointer(e));
  }

  /**
   * Lay the lane out for a model: the pitches it can play, its steps per bar and per beat, and
   * how many of the page's clock steps one of its steps lasts (`span`: 4 for a chord model of
   * quarters under drums in 16ths), so its bar lines fall under the drum grid's.
   */
  setModel(range: { low: number; high: number }, stepsPerBar: number, stepsPerBeat: number, span = 1): void {
    this.span = span;
    this.range = { ...range };
    const mid = Math.round((range.low + range.high) / 2);
    const low = Math.max(range.low, Math.min(mid - 6, range.high - FEWEST + 1));
    this.shown = { low, high: Math.min(range.high, low + FEWEST - 1) };
    this.stepsPerBar = stepsPerBar;
    this.stepsPerBeat = stepsPerBeat;
    this.build();
  }

  /** Rebuild when the screen's width calls for another number of bars; returns whether it did. */
  fit(): boolean {
    if (this.columns === 0 || this.barsToShow() * this.stepsPerBar === this.columns) return false;
    this.build();
    return true;
  }

  /** The pitches of the rows, high to low (for tests and the console). */
  get pitches(): number[] {
    const out: number[] = [];
    for (let p = this.shown.high; p >= this.shown.low; p--) out.push(p);
    return out;
  }

  /** Draw the steps with `next` the step the part plays next, the play head at `playhead` (-1: none) and the pitch rows locked. */
  render(steps: ReadonlyMap<number, RollStep>, next: number, playhead: number, locked: ReadonlySet<number> = new Set()): void {
    const N = this.columns;
    if (N === 0) return;
    if (this.grow(steps, locked)) this.build();
    this.showLocked(locked);
    this.next = next;
    const base = next + this.stepsPerBar - N;
    const headCol = playhead >= 0 ? mod(playhead, N) : -1;
    const rows = this.shown.high - this.shown.low + 1;
    for (let c = 0; c < N; c++) {
      const step = base + mod(c - base, N);
      const s = steps.get(step);
      if (this.stepOf[c] !== step) {
        this.stepOf[c] = step;
        for (let r = 0; r < rows; r++) this.cells[r][c].dataset.step = String(step);
      }
      for (let r = 0; r < rows; r++) {
        const pitch = this.shown.high - r;
        let v = s ? (step >= next ? UPCOMING : PLAYED) : step >= next ? UPCOMING : 0;
        if (s?.sounding.includes(pitch)) v |= ON;
        if (s?.onsets.includes(pitch)) v |= START;
        if (s?.edited) v |= EDITED;
        if (c === headCol) v |= HEAD;
        const i = r * N + c;
        if (this.state[i] === v) continue;
        this.state[i] = v;
        const cl = this.cells[r][c].classList;
        cl.toggle('p', (v & PLAYED) !== 0);
        cl.toggle('u', (v & UPCOMING) !== 0);
        cl.toggle('on', (v & ON) !== 0);
        cl.toggle('start', (v & START) !== 0);
        cl.toggle('ed', (v & EDITED) !== 0);
        cl.toggle('head', (v & HEAD) !== 0);
      }
    }
    if (headCol !== this.headCol) {
      if (this.headCol >= 0) this.heads[this.headCol]?.classList.remove('head');
      if (headCol >= 0) this.heads[headCol]?.classList.add('head');
      this.headCol = headCol;
      if (headCol >= 0) this.follow(headCol);
    }
  }

  /** Widen the rows to every pitch on screen and every row locked, with room; whether they changed. */
  private grow(steps: ReadonlyMap<number, RollStep>, locked: ReadonlySet<number>): boolean {
    let { low, high } = this.shown;
    const take = (p: number) => {
      if (p - ROOM < low) low = p - ROOM;
      if (p + ROOM > high) high = p + ROOM;
    };
    for (const s of steps.values()) for (const p of s.sounding) take(p);
    for (const p of locked) take(p);
    low = Math.max(this.range.low, low);
    high = Math.min(this.range.high, high);
    if (low === this.shown.low && high === this.shown.high) return false;
    this.shown = { low, high };
    return true;
  }

  /** Bars on screen, as the drum grid shows them: three, or two on a narrow screen (it scrolls). */
  private barsToShow(): number {
    return barsOnScreen(this.scroller.clientWidth);
  }

  private build(): void {
    const N = (this.columns = this.barsToShow() * this.stepsPerBar);
    const root = this.root;
    root.replaceChildren();
    root.style.setProperty('--columns', String(N * this.span));
    root.style.setProperty('--span', String(this.span));
    const head = el('div', 'grid-row grid-head', { role: 'row' });
    head.append(el('div', 'voice corner', { role: 'columnheader' }, 'Pitch'));
    this.heads = [];
    for (let c = 0; c < N; c++) {
      const pos = c % this.stepsPerBar;
      const beat = pos % this.stepsPerBeat === 0;
      const h = el('div', `col-head${beat ? ' beat' : ''}${pos === 0 ? ' bar' : ''}`, { role: 'columnheader' }, beat ? String(pos / this.stepsPerBeat + 1) : '·');
      this.heads.push(h);
      head.append(h);
    }
    root.append(head);
    this.cells = [];
    this.labels = [];
    this.lockedShown = '';
    for (let p = this.shown.high; p >= this.shown.low; p--) {
      const row = el('div', `grid-row roll-row${[1, 3, 6, 8, 10].includes(p % 12) ? ' black' : ''}`, { role: 'row', 'data-pitch': String(p) });
      const label = el('div', 'voice pitch', { role: 'rowheader', 'data-pitch': String(p) }, noteName(p));
      if (this.handlers.lockRow) label.title = `${noteName(p)}: click to lock this pitch row as it sounded in the last bar, again to free it`;
      this.labels.push(label);
      row.append(label);
      const line: HTMLElement[] = [];
      for (let c = 0; c < N; c++) {
        const pos = c % this.stepsPerBar;
        const cell = el('div', `cell${pos % this.stepsPerBeat === 0 ? ' beat' : ''}${pos === 0 ? ' bar' : ''}`, { role: 'gridcell', 'data-pitch': String(p), 'data-col': String(c) });
        line.push(cell);
        row.append(cell);
      }
      this.cells.push(line);
      root.append(row);
    }
    this.state = new Int32Array(this.cells.length * N).fill(-1);
    this.stepOf = new Int32Array(N).fill(-1);
    this.headCol = -1;
  }

  /**
   * Scroll sideways with `other` (the drum grid's scroller), so the two lanes' bar lines stay
   * one above the other on a screen too narrow for both; scrolling this lane scrolls that one.
   */
  scrollWith(other: HTMLElement): void {
    this.leader = other;
    const sync = (from: HTMLElement, to: HTMLElement) => {
      if (to.scrollLeft !== from.scrollLeft) to.scrollLeft = from.scrollLeft;
    };
    other.addEventListener('scroll', () => sync(other, this.scroller), { passive: true });
    this.scroller.addEventListener('scroll', () => sync(this.scroller, other), { passive: true });
  }

  /** Mark the locked pitch rows' names, when they changed. */
  private showLocked(locked: ReadonlySet<number>): void {
    const key = [...locked].sort((a, b) => a - b).join(' ');
    if (key === this.lockedShown) return;
    this.lockedShown = key;
    for (const label of this.labels) label.classList.toggle('locked', locked.has(Number(label.dataset.pitch)));
  }

  /** Keep the play head in sight when the lane scrolls sideways (a lane scrolling with another follows it). */
  private follow(col: number): void {
    const s = this.scroller;
    if (this.leader) {
      if (s.scrollLeft !== this.leader.scrollLeft) s.scrollLeft = this.leader.scrollLeft;
      return;
    }
    const cell = this.cells[0]?.[col];
    if (!cell || s.scrollWidth <= s.clientWidth) return;
    const label = this.cells[0][0].offsetLeft;
    const left = cell.offsetLeft - s.scrollLeft;
    if (left < label || left + cell.offsetWidth > s.clientWidth * 0.75) s.scrollLeft = Math.max(0, cell.offsetLeft - label);
  }

  private onPointer(e: PointerEvent): void {
    if (e.button !== 0) return;
    const label = (e.target as HTMLElement).closest<HTMLElement>('.pitch');
    if (label && this.handlers.lockRow) {
      e.preventDefault();
      this.handlers.lockRow(Number(label.dataset.pitch));
      return;
    }
    const cell = (e.target as HTMLElement).closest<HTMLElement>('.cell');
    if (!cell || !this.root.contains(cell)) return;
    e.preventDefault();
    const step = this.stepOf[Number(cell.dataset.col)];
    // played cells are history: only the lookahead can be written
    if (step < this.next) return;
    this.handlers.toggle(step, Number(cell.dataset.pitch));
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function el(tag: string, className: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
