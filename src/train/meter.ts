/**
 * Whether a song's bars are the model's bars. A drum model reads the position in a bar of 16
 * steps; a song in 3/4 or 6/8 read on that grid would teach it beat one at the wrong places,
 * so such a song is left out of a drum dataset with this reason. A song that names no time
 * signature is taken to be in 4/4, as the MIDI standard says.
 *
 * @example
 * meterProblem({ timeSignatures: [{ tick: 0, numerator: 3, denominator: 4 }] }, 4, 16);
 * // 'in 3/4: a bar of 12 steps, and the model's bar is 16; …'
 */
import type { MidiSong } from '../io/midi-read.js';

export function meterProblem(song: Pick<MidiSong, 'timeSignatures'>, stepsPerQuarter: number, stepsPerBar: number): string | null {
  for (const ts of song.timeSignatures) {
    const steps = ((ts.numerator * 4) / ts.denominator) * stepsPerQuarter;
    if (steps === stepsPerBar) continue;
    const from = ts.tick > 0 ? ` from tick ${ts.tick}` : '';
    return `in ${ts.numerator}/${ts.denominator}${from}: a bar of ${+steps.toFixed(2)} steps, and the model's bar is ${stepsPerBar}; its beats would be read at the wrong places in the bar`;
  }
  return null;
}
