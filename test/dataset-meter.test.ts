// A drum model's bar is 16 steps: a file in 3/4, 6/8 or 5/4 (or one that turns to 3/4 half way)
// would teach it beat one in the wrong places. Such files are left out, by name and reason;
// a file that names 4/4, 2/2 or no time signature is read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { buildDrumDataset } from '../src/train/dataset.js';
import { meterProblem } from '../src/train/meter.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-meter-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const notes: NoteOut[] = [];
for (let s = 0; s < 64; s++) notes.push({ tick: s * 24, note: s % 4 ? 42 : 36, velocity: 90, channel: 9, durationTicks: 10 });
const file = (name: string, timeSignature?: [number, number]) => writeFileSync(join(root, name), writeMidi({ ticksPerQuarter: 96, notes, timeSignature }));
file('none.mid');
file('four.mid', [4, 4]);
file('cut.mid', [2, 2]);
file('waltz.mid', [3, 4]);
file('six-eight.mid', [6, 8]);
file('five.mid', [5, 4]);

describe('a drum dataset reads only files whose bar is the model’s 16 steps', () => {
  it('leaves out 3/4, 6/8 and 5/4 by name, saying why; reads 4/4, 2/2 and files with no time signature', () => {
    const s = buildDrumDataset({ dir: root, holdout: [0, 0] }).summary;
    expect(s.used.train).toBe(3);
    const why = Object.fromEntries(s.skipped.map((k) => [k.file, k.reason]));
    expect(Object.keys(why).sort()).toEqual(['five.mid', 'six-eight.mid', 'waltz.mid']);
    expect(why['waltz.mid']).toMatch(/^in 3\/4: a bar of 12 steps, and the model's bar is 16/);
    expect(why['six-eight.mid']).toMatch(/^in 6\/8: a bar of 12 steps/);
    expect(why['five.mid']).toMatch(/^in 5\/4: a bar of 20 steps/);
  });

  it('names a change of meter inside a file by its tick', () => {
    const song = readMidi(writeMidi({ ticksPerQuarter: 96, notes, timeSignature: [4, 4] }), 'x.mid');
    const turned = { timeSignatures: [...song.timeSignatures, { tick: 1536, numerator: 3, denominator: 4 }] };
    expect(meterProblem(song, 4, 16)).toBeNull();
    expect(meterProblem(turned, 4, 16)).toMatch(/^in 3\/4 from tick 1536: a bar of 12 steps/);
  });
});
