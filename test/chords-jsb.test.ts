// The shipped chord model, weights/chords-jsb: it loads as a piano-roll model of quarter-note
// steps, plays through the Generator in the chorales' range and texture, keeps under 1 MB, and
// `pulse-rnn play` sends its chords to a MIDI port (JZZ, in-process) with every note ended;
// `generate` writes them to a MIDI file.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JZZ from 'jzz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi } from 'webmidi';
import { loadModelSpec } from '../src/io/model-files.js';
import { readMidi } from '../src/io/midi-read.js';
import { Generator, copyStep } from '../src/music/generator.js';
import { pulsesPerStep } from '../src/hosts/replay.js';
import { runCli } from './helpers/cli.js';
import { everyOnHasItsOff, isOn } from './helpers/midi-notes.js';
import { ROOT } from './helpers/shared.js';

const MODEL = join(ROOT, 'weights', 'chords-jsb');
const OUT = 'pulse-rnn chords-jsb test out';
const got: number[][] = [];
const tmp = mkdtempSync(join(tmpdir(), 'pulse-chords-'));
const jzz = JZZ as unknown as { addMidiOut(name: string, widget: unknown): unknown; Widget(h?: { _receive?(m: ArrayLike<number>): void }): unknown };

beforeAll(() => {
  jzz.addMidiOut(OUT, jzz.Widget({ _receive: (m) => got.push(Array.from(m)) }));
});
afterAll(async () => {
  if (WebMidi.enabled) await WebMidi.disable();
  rmSync(tmp, { recursive: true, force: true });
});

describe('weights/chords-jsb', () => {
  it('is a piano-roll model of one step a quarter, under 1 MB', async () => {
    const spec = await loadModelSpec(MODEL);
    expect(spec.meta).toMatchObject({ encoding: 'piano-roll', stepsPerQuarter: 1, stepsPerBar: 4 });
    expect(spec.heads[0]).toMatchObject({ bernoulli: true, size: 88 });
    const bytes = readdirSync(MODEL)
      .filter((f) => f === 'model.json' || f.endsWith('.bin'))
      .reduce((a, f) => a + statSync(join(MODEL, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(1 << 20);
  });

  it('plays 64 steps through the Generator: chords of a few keys, in the chorales\' range (43–96)', async () => {
    const gen = new Generator(await loadModelSpec(MODEL), { seed: 1 });
    expect(pulsesPerStep(gen.codec)).toBe(24);
    const sounding = new Set<number>();
    let voices = 0;
    let struck = 0;
    for (let i = 0; i < 64; i++) {
      const r = copyStep(gen.tick());
      for (const x of r.releases) sounding.delete(x.note);
      for (const n of r.notes) {
        expect(n.note, `step ${i}`).toBeGreaterThanOrEqual(43);
        expect(n.note, `step ${i}`).toBeLessThanOrEqual(96);
        expect(n.length).toBe(Infinity); // held until the chord changes
        sounding.add(n.note);
        struck++;
      }
      voices += sounding.size;
    }
    // four-part harmony: about four keys sound at a time, and the chords change
    expect(voices / 64).toBeGreaterThan(2.5);
    expect(voices / 64).toBeLessThan(6);
    expect(struck).toBeGreaterThan(64);
  });

  it('pulse-rnn play sends its chords to a MIDI port, every note-on with its note-off', async () => {
    got.length = 0;
    const r = await runCli('play', '--model', MODEL, '--out', OUT, '--steps', '12', '--no-repl', '--bpm', '600', '--seed', '2', '--no-grid');
    expect(r.code, r.err).toBe(0);
    const ons = got.filter(isOn);
    expect(ons.length).toBeGreaterThan(4);
    expect(ons.every((b) => b[0] === 0x90)).toBe(true); // channel 1
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  it('pulse-rnn generate writes its chords to a MIDI file, a quarter a step', async () => {
    const file = join(tmp, 'chords.mid');
    const r = await runCli('generate', '--model', MODEL, '--steps', '32', '--seed', '5', '--out', file);
    expect(r.code, r.err).toBe(0);
    const song = readMidi(new Uint8Array(readFileSync(file)), file);
    expect(song.notes.length).toBeGreaterThan(16);
    expect(song.notes.every((n) => n.tick % song.ticksPerQuarter === 0 && n.channel === 0)).toBe(true);
  }, 60_000);
});
