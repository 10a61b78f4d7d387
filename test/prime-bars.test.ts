// A phrase primed into a grid model starts on a bar line, as a MIDI file does: a groove whose
// file ends with its last hit (short of the bar line), primed at any step of the bar, is heard
// with its kick on beat one, and the model plays on from where the groove would be.
import { describe, expect, it } from 'vitest';
import { Network } from '../src/engine/network.js';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { Generator } from '../src/music/generator.js';
import { drumGridSpec, expressiveSpec } from './helpers/models.js';
import { spyInputs } from './helpers/spy-inputs.js';

/** One bar: kick on 1 and 3, snare on 2 and 4, hats on eighths up to step 12: 13 steps in the file. */
function oneBar() {
  const notes: NoteOut[] = [];
  for (let s = 0; s <= 12; s += 2) notes.push({ tick: s * 120, note: 42, velocity: 80, channel: 9, durationTicks: 60 });
  for (const s of [0, 8]) notes.push({ tick: s * 120, note: 36, velocity: 110, channel: 9, durationTicks: 60 });
  for (const s of [4, 12]) notes.push({ tick: s * 120, note: 38, velocity: 100, channel: 9, durationTicks: 60 });
  return readMidi(writeMidi({ ticksPerQuarter: 480, notes }), 'bar.mid');
}

describe('a primed phrase on the grid', () => {
  for (const at of [0, 5, 16, 29]) {
    it(`primed at step ${at}: the file's steps at their own places, a rest to the bar line, then its bar again up to the step`, () => {
      const spec = drumGridSpec(4);
      const g = new Generator(spec, { seed: 1 });
      for (let i = 0; i < at; i++) g.tick();
      const events = g.codec.fromSong(oneBar()).events;
      expect(events).toHaveLength(13);
      g.prime(oneBar());
      const seen = spyInputs(g);
      const out = g.tick();
      expect(out.step).toBe(at);
      const read = [...events.map((e) => e[0]), 0, 0, 0];
      for (let j = 0; j < at % 16; j++) read.push(read[j]);
      expect(seen.slice(0, read.length).map((x) => x[1])).toEqual(read.map((_, i) => i % 16));
      expect(seen.slice(1, read.length).map((x) => x[0])).toEqual(read.slice(0, -1));
      // and the step that plays reads the phrase's last step, at its own place in the bar
      expect(seen[read.length]).toEqual([read.at(-1), at % 16]);
      const net = new Network(spec);
      for (const x of seen.slice(0, read.length + 1)) net.step(x);
      expect(Array.from(g.net.logits[0])).toEqual(Array.from(net.logits[0]));
    });
  }

  it('an expressive model hears the filling too: the bar again, with its velocities, at the step it takes effect', () => {
    const g = new Generator(expressiveSpec(2), { seed: 1 });
    for (let i = 0; i < 6; i++) g.tick();
    g.prime(oneBar());
    const seen = spyInputs(g);
    g.tick();
    // 16 steps of the bar, then its first 6 again: the 23rd step read plays step 6
    expect(seen.slice(0, 23).map((x) => x[1])).toEqual(Array.from({ length: 23 }, (_, i) => i % 16));
    // the kick-and-hat step (token 5) is heard at places 0 and, in the filling, 0 again
    expect(seen[1][0]).toBe(5);
    expect(seen[17][0]).toBe(5);
  });
});
