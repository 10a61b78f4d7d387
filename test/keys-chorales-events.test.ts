/**
 * The shipped note-event model, weights/keys-chorales-events: it loads, is small, generates
 * notes in the chorales' range on its own tables, writes a MIDI file, and plays through Web MIDI
 * (a JZZ virtual port) from `play` and from `start`, every note-on with its note-off.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JZZ from 'jzz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi } from 'webmidi';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { readMidi } from '../src/io/midi-read.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { codecFor } from '../src/music/codecs.js';
import { sampleEvents } from '../src/music/sample-events.js';
import { runCli } from './helpers/cli.js';
import { everyOnHasItsOff, isOn } from './helpers/midi-notes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODEL = join(ROOT, 'weights', 'keys-chorales-events');
const OUT = 'pulse-rnn keys-chorales test out';
// the chorales span 36..81; the model learned them transposed by up to 11 semitones either way, inside that span
const LOWEST = 36;
const HIGHEST = 81;
const tmp = mkdtempSync(join(tmpdir(), 'pulse-keys-chorales-'));
const got: number[][] = [];

interface Tables {
  pitch: number[];
  delay: number[];
  duration: number[];
  velocity: number[];
}
const meta = () =>
  JSON.parse(readFileSync(join(MODEL, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn as { encoding: string; tables: Tables; validationNll: number; training: { augment: boolean; command: string } };

beforeAll(() => {
  const jzz = JZZ as unknown as { addMidiOut(name: string, widget: unknown): unknown; Widget(h: { _receive(m: ArrayLike<number>): void }): unknown };
  jzz.addMidiOut(OUT, jzz.Widget({ _receive: (m) => got.push(Array.from(m)) }));
});
afterAll(async () => {
  if (WebMidi.enabled) await WebMidi.disable();
  rmSync(tmp, { recursive: true, force: true });
});

describe('weights/keys-chorales-events', () => {
  it('is a note-event model of at most 2 MB with its model card', () => {
    expect(meta().encoding).toBe('note-events');
    const bytes = readdirSync(MODEL).filter((f) => f === 'model.json' || f.endsWith('.bin')).reduce((a, f) => a + statSync(join(MODEL, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(readFileSync(join(MODEL, 'MODEL_CARD.md'), 'utf8')).toMatch(/public domain/);
  });

  it("is trained with Howl's augmentation, which beat the run without it on validation (3.2206 nats a note)", () => {
    const m = meta();
    expect(m.training.augment).toBe(true);
    expect(m.training.command).not.toContain('--no-augment');
    expect(m.validationNll).toBeLessThan(3.2206);
  });

  it('generates 64 events: pitches in the range it learned, delays and durations on its tables', async () => {
    const spec = await loadModelSpec(MODEL);
    const codec = codecFor(spec);
    const { tables } = meta();
    const notes = codec.toNotes(sampleEvents(new Network(spec), codec, 64, new Rng(1)));
    expect(notes).toHaveLength(64);
    let at = 0;
    for (const n of notes) {
      expect(n.note).toBeGreaterThanOrEqual(LOWEST);
      expect(n.note).toBeLessThanOrEqual(HIGHEST);
      expect(tables.delay).toContain(n.tick - at);
      expect(tables.duration).toContain(n.durationTicks);
      // the chorales move in 16ths (6 pulses), and so does what the model learned from them
      expect([(n.tick - at) % 6, n.durationTicks % 6]).toEqual([0, 0]);
      at = n.tick;
    }
    // chords: voices entering together, as in the chorales (a delay of 0)
    expect(notes.filter((n, i) => i > 0 && n.tick === notes[i - 1].tick).length).toBeGreaterThan(8);
  });

  it('generate --out writes the notes to a MIDI file', async () => {
    const file = join(tmp, 'chorale.mid');
    const r = await runCli('generate', '--model', MODEL, '--steps', '64', '--seed', '2', '--out', file);
    expect(r.code).toBe(0);
    const song = readMidi(new Uint8Array(readFileSync(file)), file);
    expect(song.notes).toHaveLength(64);
    for (const n of song.notes) expect([n.note >= LOWEST && n.note <= HIGHEST, n.channel]).toEqual([true, 0]);
  }, 60_000);

  it('play --out sends its notes through Web MIDI, each note-on with its note-off', async () => {
    got.length = 0;
    const r = await runCli('play', '--model', MODEL, '--out', OUT, '--steps', '32', '--no-repl', '--bpm', '600', '--seed', '3', '--no-grid');
    expect(r.code).toBe(0);
    const ons = got.filter(isOn);
    expect(ons.length).toBeGreaterThan(8);
    for (const b of ons) expect([b[0], b[1] >= LOWEST && b[1] <= HIGHEST]).toEqual([0x90, true]);
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);

  // start serves the built page beside what it plays
  it.skipIf(!existsSync(join(ROOT, 'dist/web/index.html')) && process.env.CI !== 'true')('start --model plays it too, with its page', async () => {
    got.length = 0;
    const r = await runCli('start', '--model', MODEL, '--out', OUT, '--port', '0', '--steps', '32', '--no-repl', '--bpm', '600', '--seed', '4');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/the web page: \S+model=weights%2Fkeys-chorales-events%2F/);
    expect(got.filter(isOn).length).toBeGreaterThan(8);
    expect(everyOnHasItsOff(got)).toBe(true);
  }, 60_000);
});
