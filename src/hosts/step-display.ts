/**
 * The live step grid a terminal shows while a performance plays: one block per bar of the
 * clock, printed when every part has played the bar, so the screen changes a few times a second
 * at most and a step costs no more than writing a few cells into arrays.
 *
 * One part, as it always was: a drum model gets one row per drum class ('x' a hit, '.' an empty
 * beat); a melodic model one line per bar with a note name per step ('-' while a note holds, '.'
 * silence, 'C4+' a chord). Several parts: the bar's block holds every part's rows under its name,
 * a melodic or chord part as pitch rows (as `pulse-rnn generate --grid` prints them: 'x' where
 * a key is struck, '-' while it holds), a column per step of the clock, so a part of quarters
 * spans four columns of the drums' 16ths and every part's bar lines up. Bars longer than 16
 * steps wrap, so a line stays within 80 columns.
 *
 * @example
 * const display = new StepDisplay(codec, (text) => console.log(text), 'drums');
 * display.add(gen.tick());            // the first part, after every tick
 * display.addPart(keys, keysTick);    // another part, after its tick: the bar prints once both played it
 * display.flush();                    // print the bar in progress (at a stop)
 * // ── bar 1 · steps 0–15
 * // drums:
 * // kick       x   .   x   .
 * // keys:
 * // E4         x---x-------
 */
import type { Codec } from '../music/codec.js';
import { DRUM_CLASSES, drumClassOf } from '../music/drum-map.js';
import type { StepResult } from '../music/generator.js';
import { defaultPartName } from '../music/parts.js';

/** Cells on one printed line: 11 columns of names plus 64 of cells stays inside 80. */
const CELLS_PER_LINE = 16;
/** Pitch rows a part shows in a bar at most: the highest, then how many more there were. */
const MAX_PITCH_ROWS = 16;
const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** 60 → 'C4' (MIDI's middle C is C4). */
export function noteName(note: number): string {
  return `${NAMES[note % 12]}${Math.floor(note / 12) - 1}`;
}

/** 'C4' → 60, 'F#3' → 54, 'Bb2' → 46; null when `s` is not a note name in 0..127. */
export function parseNoteName(s: string): number | null {
  const m = /^([A-Ga-g])([#b]?)(-?\d+)$/.exec(s.trim());
  if (!m) return null;
  const base = NAMES.indexOf(m[1].toUpperCase());
  const n = base + (m[2] === '#' ? 1 : m[2] === 'b' ? -1 : 0) + (Number(m[3]) + 1) * 12;
  return n >= 0 && n < 128 ? n : null;
}

/** A part as the display shows it (a `Part` is one): its name, model and clock steps a step. */
export interface ShownPart {
  readonly name: string;
  readonly generator: { readonly codec: Codec };
  readonly clock: { readonly every: number };
}

/** One part's cells for the bar in progress, a column per clock step. */
abstract class Lane {
  /** Columns its steps cover (a step of a part of quarters covers four). */
  readonly covered: Uint8Array;
  /** Its own bar and last column, to see it go round to the next bar. */
  bar = -1;
  lastCol = -1;
  any = false;
  /** A paused tick came since the last print (a paused part prints no steps). */
  paused = false;

  constructor(
    readonly codec: Codec,
    readonly every: number,
    readonly cols: number,
  ) {
    this.covered = new Uint8Array(cols);
  }

  /** Whether its last step reaches the end of the bar. */
  get done(): boolean {
    return this.lastCol + this.every >= this.cols;
  }

  take(r: StepResult, col: number, bar: number): void {
    this.paused = false;
    this.any = true;
    this.bar = bar;
    this.lastCol = col;
    for (let c = col; c < Math.min(this.cols, col + this.every); c++) this.covered[c] = 1;
    this.record(r, col);
  }

  pause(): void {
    this.paused = true;
  }

  clear(): void {
    this.any = false;
    this.paused = false;
    this.lastCol = -1;
    this.covered.fill(0);
    this.reset();
  }

  /** '.' on a beat the part played, ' ' elsewhere. */
  protected blank(c: number, beat: number): string {
    return this.covered[c] && c % beat === 0 ? '.' : ' ';
  }

  protected abstract record(r: StepResult, col: number): void;
  protected abstract reset(): void;
  /** Its rows for columns [from, to); `alone`: the one part, printed as before there were parts. */
  abstract lines(from: number, to: number, beat: number, alone: boolean): string[];
}

/** A drum part: a row per drum voice, 'x' a hit. */
class DrumRows extends Lane {
  /** The row of each MIDI note (-1: not a drum the grid shows). */
  private readonly rowOf = new Int8Array(128).fill(-1);
  private readonly rowNames: readonly string[];
  /** Bits of drum rows hit, per column. */
  private readonly hits: Uint16Array;

  constructor(codec: Codec, every: number, cols: number) {
    super(codec, every, cols);
    this.hits = new Uint16Array(cols);
    if (codec.voices.length > 0) {
      this.rowNames = codec.voices;
      codec.voices.forEach((v, row) => {
        for (const n of codec.notesOf(codec.eventFromNotes([v]))) this.rowOf[n] = row;
      });
    } else {
      this.rowNames = DRUM_CLASSES;
      for (let n = 0; n < 128; n++) this.rowOf[n] = drumClassOf(n);
    }
  }

  protected record(r: StepResult, col: number): void {
    let bits = 0;
    for (let i = 0; i < r.count; i++) {
      const row = this.rowOf[r.notes[i].note];
      if (row >= 0) bits |= 1 << row;
    }
    this.hits[col] = bits;
  }

  protected reset(): void {
    this.hits.fill(0);
  }

  lines(from: number, to: number, beat: number): string[] {
    return this.rowNames.map((name, row) => {
      let line = name.padEnd(11);
      for (let c = from; c < to; c++) line += this.hits[c] & (1 << row) ? 'x' : this.blank(c, beat);
      return line.trimEnd();
    });
  }
}

const STRUCK = 1;
const HELD = 2;

/** A melodic or chord part: a row per pitch it sounds in the bar ('x' struck, '-' held). */
class PitchRows extends Lane {
  /** STRUCK, HELD or 0, per column and key (column × 128 + key). */
  private readonly cells: Uint8Array;
  /** The part's step until which each key sounds (Infinity: until its release; -1: silent). */
  private readonly until = new Float64Array(128).fill(-1);
  /** The first key struck in each column, and how many (the one-part line of note names). */
  private readonly firstKey: Int16Array;
  private readonly struck: Uint8Array;
  private readonly muted: Uint8Array;

  constructor(codec: Codec, every: number, cols: number) {
    super(codec, every, cols);
    this.cells = new Uint8Array(cols * 128);
    this.firstKey = new Int16Array(cols);
    this.struck = new Uint8Array(cols);
    this.muted = new Uint8Array(cols);
  }

  protected record(r: StepResult, col: number): void {
    const end = Math.min(this.cols, col + this.every);
    for (let i = 0; i < r.releaseCount; i++) this.until[r.releases[i].note] = -1;
    for (let k = 0; k < 128; k++) if (this.until[k] > r.step) for (let c = col; c < end; c++) this.cells[c * 128 + k] = HELD;
    for (let i = 0; i < r.count; i++) {
      const n = r.notes[i];
      this.until[n.note] = r.step + n.length;
      this.cells[col * 128 + n.note] = STRUCK;
      for (let c = col + 1; c < end && c < col + n.length * this.every; c++) this.cells[c * 128 + n.note] = HELD;
    }
    this.firstKey[col] = r.count ? r.notes[0].note : -1;
    this.struck[col] = Math.min(255, r.count);
    this.muted[col] = r.muted ? 1 : 0;
  }

  /** Notes end at a pause. */
  override pause(): void {
    super.pause();
    this.until.fill(-1);
  }

  protected reset(): void {
    this.cells.fill(0);
    this.struck.fill(0);
    this.muted.fill(0);
  }

  lines(from: number, to: number, beat: number, alone: boolean): string[] {
    if (alone) return [this.noteNames(from, to)];
    const keys: number[] = [];
    for (let k = 127; k >= 0; k--) {
      for (let c = 0; c < this.cols; c++) {
        if (this.cells[c * 128 + k]) {
          keys.push(k);
          break;
        }
      }
    }
    const rows = keys.slice(0, MAX_PITCH_ROWS).map((k) => {
      let line = noteName(k).padEnd(11);
      for (let c = from; c < to; c++) {
        const v = this.cells[c * 128 + k];
        line += v === STRUCK ? 'x' : v === HELD ? '-' : this.blank(c, beat);
      }
      return line.trimEnd();
    });
    if (keys.length > MAX_PITCH_ROWS) rows.push(`(${keys.length - MAX_PITCH_ROWS} lower pitches not shown)`);
    return rows.length ? rows : ['(silent)'];
  }

  /** The one-part line: a note name a step, '-' while one holds, '.' silence, 'm' muted. */
  private noteNames(from: number, to: number): string {
    let line = 'notes'.padEnd(11);
    for (let c = from; c < to; c++) {
      let text = ' ';
      if (this.covered[c] && c === this.stepStart(c)) {
        text = this.muted[c] ? 'm' : this.struck[c] ? noteName(this.firstKey[c]) + (this.struck[c] > 1 ? '+' : '') : this.anyHeld(c) ? '-' : '.';
      }
      line += text.padEnd(4);
    }
    return line.trimEnd();
  }

  private stepStart(c: number): number {
    return c - (c % this.every);
  }

  private anyHeld(c: number): boolean {
    for (let k = 0; k < 128; k++) if (this.cells[c * 128 + k] === HELD) return true;
    return false;
  }
}

function laneFor(codec: Codec, every: number, cols: number): Lane {
  const drums = codec.voices.length > 0 || codec.name === 'drummer-events';
  return drums ? new DrumRows(codec, every, cols) : new PitchRows(codec, every, cols);
}

export class StepDisplay {
  /** Clock steps in a bar: the first part's steps. */
  private readonly cols: number;
  private readonly beat: number;
  /** Every part's lane, in the order they first played, and their names. */
  private readonly lanes: Lane[] = [];
  private readonly names: string[] = [];
  private readonly first: Lane;

  /** `codec`: the first part's model, whose steps are the clock's; `name`: its part's name. */
  constructor(
    codec: Codec,
    private readonly print: (text: string) => void,
    name = defaultPartName(codec.voices),
  ) {
    this.cols = codec.stepsPerBar;
    this.beat = Math.max(1, Math.round(codec.ticksPerQuarter / codec.ticksPerStep));
    this.first = laneFor(codec, 1, this.cols);
    this.lanes.push(this.first);
    this.names.push(name);
  }

  /** Take one tick of the first part (a paused tick prints the bar in progress). */
  add(r: StepResult): void {
    this.take(this.first, r);
  }

  /** Take one tick of another part; a part made again under its name takes its place. */
  addPart(part: ShownPart, r: StepResult): void {
    let i = this.names.indexOf(part.name);
    if (i < 0) i = this.names.push(part.name) - 1;
    const lane = this.lanes[i];
    if (!lane || lane.codec !== part.generator.codec || lane.every !== part.clock.every) this.lanes[i] = laneFor(part.generator.codec, part.clock.every, this.cols);
    this.take(this.lanes[i], r);
  }

  private take(lane: Lane, r: StepResult): void {
    if (r.step < 0) lane.pause();
    else {
      const at = r.step * lane.every;
      const bar = Math.floor(at / this.cols);
      const col = at - bar * this.cols;
      // the part went round to another bar: the one in progress prints as it is
      if (lane.any && (bar !== lane.bar || col <= lane.lastCol)) this.flush();
      lane.take(r, col, bar);
    }
    if (this.complete()) this.flush();
  }

  /** Every part playing this bar has played to its end. */
  private complete(): boolean {
    for (let i = 0; i < this.lanes.length; i++) {
      const lane = this.lanes[i];
      if (lane.any && !lane.paused && !lane.done) return false;
    }
    return true;
  }

  /** Print the bar in progress, if any part has a step in it. */
  flush(): void {
    const shown = this.lanes.map((lane, i) => [this.names[i], lane] as const).filter(([, lane]) => lane.any || lane.paused);
    const bar = (this.first.any ? this.first : shown.find(([, l]) => l.any)?.[1])?.bar;
    if (bar === undefined) return;
    const alone = this.lanes.length === 1;
    const first = bar * this.cols;
    const lines = [`── bar ${bar + 1} · steps ${first}–${first + this.cols - 1}`];
    for (let from = 0; from < this.cols; from += CELLS_PER_LINE) {
      const to = Math.min(this.cols, from + CELLS_PER_LINE);
      for (const [name, lane] of shown) {
        if (!alone) lines.push(`${name}:${lane.any ? '' : ' paused'}`);
        if (lane.any) lines.push(...lane.lines(from, to, this.beat, alone));
      }
    }
    this.print(lines.join('\n'));
    for (const lane of this.lanes) lane.clear();
  }
}
