/**
 * General MIDI drum notes ↔ nine drum classes (the map Magenta's drum models use).
 * Many GM notes fold into each class; each class plays back on one configurable note.
 *
 * @example
 * drumClassOf(40);          // 1 (snare: electric snare folds into it)
 * DEFAULT_DRUM_NOTES[0];    // 36, the note the kick class plays
 */
export const DRUM_CLASSES = ['kick', 'snare', 'closed-hat', 'open-hat', 'low-tom', 'mid-tom', 'high-tom', 'crash', 'ride'] as const;
export type DrumClass = (typeof DRUM_CLASSES)[number];

const MEMBERS: readonly (readonly number[])[] = [
  [36, 35],
  [38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85],
  [42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22],
  [46, 67, 72, 74, 79, 81, 26],
  [45, 29, 41, 43, 61, 64, 84],
  [48, 47, 60, 63, 77, 86, 87],
  [50, 30, 62, 76, 83],
  [49, 52, 55, 57, 58],
  [51, 53, 59, 82],
];

/** The note each class plays by default: the first (canonical) member of the class. */
export const DEFAULT_DRUM_NOTES: readonly number[] = MEMBERS.map((m) => m[0]);

const CLASS_OF = new Int8Array(128).fill(-1);
MEMBERS.forEach((m, c) => m.forEach((n) => (CLASS_OF[n] = c)));

/** Class index of a GM drum note, or -1 when the note is not a mapped drum. */
export function drumClassOf(note: number): number {
  return note >= 0 && note < 128 ? CLASS_OF[note] : -1;
}

/** Class index from a name ('kick', 'snare', …) or an index; throws on anything else. */
export function drumClassIndex(v: string | number): number {
  const i = typeof v === 'number' ? v : DRUM_CLASSES.indexOf(v as DrumClass);
  if (!(Number.isInteger(i) && i >= 0 && i < DRUM_CLASSES.length)) {
    throw new Error(`unknown drum voice ${JSON.stringify(v)}; voices are ${DRUM_CLASSES.join(', ')} (or 0..8)`);
  }
  return i;
}
