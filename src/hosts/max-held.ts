/**
 * The notes a Max part has left sounding: a held note (a melody's or a chord's, sent with
 * duration 0 for `[noteout]` rather than `[makenote]`) sounds until its release, which may still
 * be waiting in the patch's `[pipe]` when the transport stops, or may never come from a model
 * that was replaced. The script keeps which notes it sent on and not yet off, so that a stop
 * (`flush`) and a model loaded mid-set end every one of them: no note is left stuck.
 *
 * @example
 * const held = new HeldNotes();
 * held.sent([60, 90, 0, 62.5]);  // a held C4
 * held.sent([36, 100, 125, 62.5]); // a drum hit: [makenote] ends it, nothing to keep
 * held.releases(0);               // [[60, 0, 0, 0]]: the note-off for C4, at once
 */
export type NoteAtoms = [note: number, velocity: number, durationMs: number, delayMs: number];

export class HeldNotes {
  private readonly on = new Uint8Array(128);
  /** How many notes are held now. */
  count = 0;

  /** Keep track of one list sent on outlet 0: a held note-on (duration 0) or a release (velocity 0). */
  sent(list: NoteAtoms): void {
    const [note, velocity, duration] = list;
    if (!(note >= 0 && note < 128)) return;
    if (velocity === 0 && this.on[note] === 1) {
      this.on[note] = 0;
      this.count--;
    } else if (velocity > 0 && duration === 0 && this.on[note] === 0) {
      this.on[note] = 1;
      this.count++;
    }
  }

  /** A release for every note held, each leaving `delayMs` after now, lowest first; they are then no longer held. */
  releases(delayMs: number): NoteAtoms[] {
    const out: NoteAtoms[] = [];
    for (let note = 0; note < 128 && this.count > 0; note++) {
      if (this.on[note] === 0) continue;
      this.on[note] = 0;
      this.count--;
      out.push([note, 0, 0, delayMs]);
    }
    return out;
  }
}
