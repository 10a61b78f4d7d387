// `pulse-rnn generate --part …`: every part sampled for the same time, a track a part on its
// channel, the same bytes for the same arguments.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateParts } from '../src/hosts/part-generate.js';
import { readMidi } from '../src/io/midi-read.js';
import { writeMelodyModel } from './helpers/melody-model.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-parts-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('generate with parts', () => {
  it('writes a track a part, each on its channel, for the first part\'s steps; the same arguments give the same bytes', async () => {
    const keys = await writeMelodyModel(join(tmp, 'keys'), 4);
    const parts = [{ model: 'weights/drums-gmd', channel: null }, { name: 'keys', model: keys, channel: 3 }];
    const o = { steps: 32, seed: 5, temperature: 1, bpm: 120 };
    const a = await generateParts(parts, o);
    const b = await generateParts(parts, o);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.parts.map((p) => [p.name, p.encoding, p.steps])).toEqual([
      ['drums', 'drum-grid', 32],
      ['keys', 'melody-grid', 32],
    ]);
    const song = readMidi(a.bytes, 'band.mid');
    const byTrack = new Map<number, Set<number>>();
    for (const n of song.notes) byTrack.set(n.track, (byTrack.get(n.track) ?? new Set()).add(n.channel));
    expect([...byTrack.values()].map((c) => [...c])).toEqual([[9], [2]]);
    await expect(generateParts([{ model: 'weights/drums-gmd', channel: null }, { name: 'keys', model: join(tmp, 'missing'), channel: 1 }], o)).rejects.toThrow(/^part keys: /);
  }, 60_000);
});
