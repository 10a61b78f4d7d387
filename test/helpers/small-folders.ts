/** A musician's small folder of MIDI files, written for a test. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMidi } from '../../src/io/midi-write.js';

/**
 * `n` files of `steps` sixteenths each in `root/name`: a drum beat (kick, hats, snare on
 * channel 10) or a piano line, each file's velocities (and the line's pitches) a little its own.
 * `shift` makes another player's folder: the snare that many steps late and other velocities,
 * or the line stepping by another interval.
 *
 * @example
 * const drums = smallFolder(tmp, 'my drums', 10, 'drums'); // take 0.mid … take 9.mid
 * const theirs = smallFolder(tmp, 'their drums', 10, 'drums', 64, 3);
 */
export function smallFolder(root: string, name: string, n: number, kind: 'drums' | 'piano', steps = 64, shift = 0): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (let f = 0; f < n; f++) {
    const notes = Array.from({ length: steps }, (_, s) =>
      kind === 'drums'
        ? { tick: s * 24, note: (s + shift) % 8 === 4 ? 38 : s % 4 ? 42 : 36, velocity: 60 + ((s * 7 + f * 3 + shift * 11) % 60), channel: 9, durationTicks: 10 }
        : { tick: s * 24, note: 60 + ((s * (5 + shift) + f) % 12), velocity: 70 + ((s + f) % 30), channel: 0, durationTicks: 20 },
    );
    writeFileSync(join(dir, `take ${f}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
  }
  return dir;
}
