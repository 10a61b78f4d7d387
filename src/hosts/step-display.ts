/**
 * The live step grid a terminal shows while a model plays: one block per bar, printed when the
 * bar is complete, so the screen changes a few times a second at most and a step costs no
 * more than writing a few cells into arrays.
 *
 * Drum models get one row per drum class ('x' a hit, '.' an empty beat); melodic models one
 * line per bar with a note name per step ('-' while a note holds, '.' silence, 'C4+' a chord).
 * Bars longer than 16 steps wrap, so a line stays within 80 columns.
 *
 * @example
 * const display = new StepDisplay(codec, (text) => console.log(text));
 * display.add(gen.tick());   // after every tick; prints the bar it completes
 * display.flush();           // print the bar in progress (at a stop)
 * // ── bar 1 · steps 0–15
 * // kick       x   .   x   .
 * // snare      .   x   .   x
 */
import type { Codec } from '../music/codec.js';
import { DRUM_CLASSES, drumClassOf } from '../music/drum-map.js';
import type { StepResult } from '../music/generator.js';

/** Cells on one printed line: 11 columns of names plus 64 of cells stays inside 80. */
const CELLS_PER_LINE = 16;
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

export class StepDisplay {
  private readonly bar: number;
  private readonly beat: number;
  private readonly drums: boolean;
  /** Drum models: the row of each MIDI note (-1: not a drum the grid shows). */
  private readonly rowOf = new Int8Array(128).fill(-1);
  private readonly rowNames: readonly string[];
  /** Bits of drum rows hit, per step of the bar in progress (drums). */
  private readonly hits: Uint16Array;
  /** Cell text per step of the bar in progress (melodic). */
  private readonly cells: string[];
  private readonly seen: Uint8Array;
  private barIndex = -1;
  private any = false;
  /** Melodic: the step until which a note sounds (Infinity: held until its release). */
  private readonly soundingUntil = new Map<number, number>();

  constructor(
    codec: Codec,
    private readonly print: (text: string) => void,
  ) {
    this.bar = codec.stepsPerBar;
    this.beat = Math.max(1, Math.round(codec.ticksPerQuarter / codec.ticksPerStep));
    this.drums = codec.voices.length > 0 || codec.name === 'drummer-events';
    if (codec.voices.length > 0) {
      this.rowNames = codec.voices;
      codec.voices.forEach((v, row) => {
        for (const n of codec.notesOf(codec.eventFromNotes([v]))) this.rowOf[n] = row;
      });
    } else {
      this.rowNames = DRUM_CLASSES;
      for (let n = 0; n < 128; n++) this.rowOf[n] = drumClassOf(n);
    }
    this.hits = new Uint16Array(this.bar);
    this.cells = new Array(this.bar).fill('');
    this.seen = new Uint8Array(this.bar);
  }

  /** Take one tick's result (a paused tick prints the bar in progress). */
  add(r: StepResult): void {
    if (r.step < 0) return this.flush();
    const barIndex = Math.floor(r.step / this.bar);
    const pos = r.step - barIndex * this.bar;
    if (barIndex !== this.barIndex) {
      this.flush();
      this.barIndex = barIndex;
    }
    this.seen[pos] = 1;
    this.any = true;
    if (this.drums) {
      let bits = 0;
      for (let i = 0; i < r.count; i++) {
        const row = this.rowOf[r.notes[i].note];
        if (row >= 0) bits |= 1 << row;
      }
      this.hits[pos] = bits;
    } else {
      for (let i = 0; i < r.releaseCount; i++) this.soundingUntil.delete(r.releases[i].note);
      for (const [note, until] of this.soundingUntil) if (until <= r.step) this.soundingUntil.delete(note);
      const held = this.soundingUntil.size > 0;
      let text = r.count ? noteName(r.notes[0].note) + (r.count > 1 ? '+' : '') : held ? '-' : '.';
      for (let i = 0; i < r.count; i++) this.soundingUntil.set(r.notes[i].note, r.step + r.notes[i].length);
      if (r.muted) text = 'm';
      this.cells[pos] = text;
    }
    if (pos === this.bar - 1) this.flush();
  }

  /** Print the bar in progress, if it has any step. */
  flush(): void {
    if (!this.any) return;
    const first = this.barIndex * this.bar;
    const header = `── bar ${this.barIndex + 1} · steps ${first}–${first + this.bar - 1}`;
    const lines = [header];
    for (let from = 0; from < this.bar; from += CELLS_PER_LINE) {
      const to = Math.min(this.bar, from + CELLS_PER_LINE);
      if (this.drums) {
        for (let row = 0; row < this.rowNames.length; row++) {
          let line = this.rowNames[row].padEnd(11);
          for (let p = from; p < to; p++) line += !this.seen[p] ? ' ' : this.hits[p] & (1 << row) ? 'x' : p % this.beat === 0 ? '.' : ' ';
          lines.push(line.trimEnd());
        }
      } else {
        let line = 'notes'.padEnd(11);
        for (let p = from; p < to; p++) line += (this.seen[p] ? this.cells[p] : ' ').padEnd(4);
        lines.push(line.trimEnd());
      }
    }
    this.print(lines.join('\n'));
    this.any = false;
    this.seen.fill(0);
    this.hits.fill(0);
  }
}
