/**
 * Voice frames as notes: the four-voice 16th-note chorales read with their own split, a voice's
 * run of one pitch as one held note, every malformed field refused with the file, the split,
 * the piece, the frame and the value; and `train` / `eval` on such a file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readVoiceFrames, voiceFramesNotes } from '../src/train/chorale-notes.js';
import { buildEventsDataset } from '../src/train/events-dataset.js';
import { train } from '../src/train/train.js';
import { runCli } from './helpers/cli.js';
import { haveShared, sharedPath } from './helpers/shared.js';

const REL = 'data/polyphonic/jsb16th-separated/Jsb16thSeparated.json';
const CHORALES = sharedPath(REL);
const dir = mkdtempSync(join(tmpdir(), 'voice-frames-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(dir, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('readVoiceFrames', () => {
  it.skipIf(!haveShared(REL))("reads the chorales with the data's own split, each voice's held pitch as one note", () => {
    const set = readVoiceFrames(CHORALES);
    expect(set.voices).toBe(4);
    expect([set.splits.train.length, set.splits.validation.length, set.splits.test.length]).toEqual([229, 76, 77]);
    // the first test chorale opens on F major, the tenor's C held through three quarters
    expect(set.splits.test[0].notes.slice(0, 5)).toEqual([
      { pitch: 53, onset: 0, duration: 24, velocity: 100 },
      { pitch: 57, onset: 0, duration: 24, velocity: 100 },
      { pitch: 60, onset: 0, duration: 72, velocity: 100 },
      { pitch: 65, onset: 0, duration: 24, velocity: 100 },
      { pitch: 52, onset: 24, duration: 24, velocity: 100 },
    ]);
    expect(set.splits.test[0].file).toBe(`${CHORALES}: test[0]`);
    const pitches = Object.values(set.splits).flatMap((s) => s.flatMap((p) => p.notes.map((n) => n.pitch)));
    expect([Math.min(...pitches), Math.max(...pitches)]).toEqual([36, 81]);
  });

  it('ends a note where its voice changes pitch or falls silent, and at the end of the piece', () => {
    const data = { train: [[[62, 50], [62, 50], [-1, 50], [64, -1], [64, 52]]], valid: [], test: [] };
    expect(voiceFramesNotes(data, 'x.json').splits.train[0].notes).toEqual([
      { pitch: 50, onset: 0, duration: 18, velocity: 100 },
      { pitch: 62, onset: 0, duration: 12, velocity: 100 },
      { pitch: 64, onset: 18, duration: 12, velocity: 100 },
      { pitch: 52, onset: 24, duration: 6, velocity: 100 },
    ]);
  });

  it('names the file, split, piece, frame and value of a bad field', () => {
    const bad = (train: unknown) => () => voiceFramesNotes({ train, valid: [], test: [] }, 'x.json');
    expect(bad([[[60, 52], [60, 'C3']]])).toThrow('x.json: train[0][1][1] is "C3"; a voice\'s pitch is a whole MIDI number from 0 to 127, or -1 when it is silent');
    expect(bad([[[60, 52]], [[60, 52], [60, 52, 48]]])).toThrow('x.json: train[1][1] holds 3 voices ([60,52,48]); every frame holds 2, one pitch per voice');
    expect(bad([[[60.5]]])).toThrow('x.json: train[0][0][0] is 60.5');
    expect(bad([[]])).toThrow('x.json: train[0] has no frames');
    expect(bad([[[]]])).toThrow('x.json: train[0][0] holds no voices');
    expect(() => voiceFramesNotes({ train: [], test: [] }, 'x.json')).toThrow("x.json: field 'valid' must be a list of pieces, got nothing");
    const f = join(dir, 'broken.json');
    writeFileSync(f, '{"train": [');
    expect(() => readVoiceFrames(f)).toThrow(`${f}: is not JSON`);
  });
});

/** Pieces of two voices walking up and down a scale, in quarters and eighths. */
function scales(pieces: number, seed: number): number[][][] {
  const major = [0, 2, 4, 5, 7, 9, 11, 12];
  return Array.from({ length: pieces }, (_, p) => {
    const frames: number[][] = [];
    for (let i = 0; i < 64; i++) {
      const step = major[(Math.floor(i / (p % 2 ? 2 : 4)) + seed) % 8];
      frames.push([60 + step, i % 16 < 14 ? 48 + major[(p + seed) % 8] : -1]);
    }
    return frames;
  });
}

describe('note events from a voice-frames file', () => {
  const file = join(dir, 'voices.json');
  writeFileSync(file, JSON.stringify({ train: scales(24, 0), valid: scales(6, 1), test: scales(6, 2) }));

  it('builds the dataset from the split the file holds, and refuses a CSV', () => {
    const ds = buildEventsDataset({ dir: file });
    expect([ds.summary.used.train, ds.summary.used.validation, ds.summary.used.test]).toEqual([24, 6, 6]);
    expect(ds.summary.files).toBe(36);
    expect(() => buildEventsDataset({ dir: file, csv: 'splits.csv' })).toThrow(`${file} holds its own train, valid and test split; leave out --csv splits.csv`);
  });

  it('trains a note-event model on it, and eval scores each head against its own Kneser-Ney n-gram, in text and JSON', async () => {
    const out = join(dir, 'model');
    await train({ data: file, out, encoding: 'note-events', units: 8, layers: 1, batch: 8, window: 16, epochs: 1, progress: false, log: () => {} });
    const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
    expect(meta.encoding).toBe('note-events');
    expect(meta.training.data).toBe(file);

    const text = await runCli('eval', '--model', out, '--data', file);
    expect(text.code).toBe(0);
    const lines = text.out.split('\n');
    expect(lines[0]).toBe(`test split (the file's own), ${buildEventsDataset({ dir: file }).summary.notes.test} steps`);
    const at = lines.findIndex((l) => l.includes('per head, nats/step: model against the Kneser-Ney n-gram of that head'));
    expect(at).toBeGreaterThan(0);
    const heads = lines.slice(at + 1, at + 5);
    expect(heads.map((l) => l.trim().split(/\s+/)[0])).toEqual(['pitch_out', 'delay_out', 'duration_out', 'velocity_out']);
    for (const l of heads) expect(l).toMatch(/^ {4}\w+ +\d+\.\d{4} {2}against \d+\.\d{4} \(\d+-gram\)$/);

    const json = await runCli('eval', '--model', out, '--data', file, '--json');
    const r = JSON.parse(json.out);
    expect(r.baseline.heads.map((h: { head: string }) => h.head)).toEqual(['pitch_out', 'delay_out', 'duration_out', 'velocity_out']);
    expect(r.model.heads).toHaveLength(4);
    // the text shows the same numbers as the JSON
    expect(heads[0]).toContain(`${r.model.heads[0].nllNats.toFixed(4)}  against ${r.baseline.heads[0].nllNats.toFixed(4)} (${r.baseline.heads[0].order}-gram)`);
  }, 120_000);
});
