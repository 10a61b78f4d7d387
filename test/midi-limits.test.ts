/**
 * Songs too long to lay out one step at a time: files written byte by byte whose length comes
 * from one far-out event (a note, a note-off, a tempo change, many tracks, many deltas). Each
 * reader, codec, dataset, command and the generator's prime refuses them by name before it
 * allocates anything per step, and the dataset tools go on with the other files. The commands
 * run as child processes with a small heap, so a reader that does allocate per step dies
 * quickly instead of taking the machine's memory.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readMidi, type MidiSong } from '../src/io/midi-read.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { MAX_SONG_STEPS, songSteps } from '../src/io/song-length.js';
import { drumGridCodec } from '../src/music/drum-grid.js';
import { drummerCodec } from '../src/music/drummer-events.js';
import { Generator } from '../src/music/generator.js';
import { melodyGridCodec } from '../src/music/melody-grid.js';
import { noteEventsCodec } from '../src/music/note-events.js';
import { buildDrumDataset } from '../src/train/dataset.js';
import { buildEventsDataset } from '../src/train/events-dataset.js';
import { buildMelodyDataset } from '../src/train/melody-dataset.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { drumGridSpec, howlSpec, melodySpec } from './helpers/models.js';
import { ROOT } from './helpers/shared.js';
import { delta, END, note, smf } from './helpers/smf-bytes.js';

const FAR = 2 ** 28 - 1;
const tmp = mkdtempSync(join(tmpdir(), 'pulse-limits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Files whose length in steps is far past the limit, each by a different event. */
const LONG: Record<string, Uint8Array> = {
  // the 37-byte file: one note a quarter of a billion quarters in, at 1 tick per quarter
  'far-note.mid': smf([[...note(FAR, 36, 0, 9), ...END]], { ticksPerQuarter: 1 }),
  'long-note-off.mid': smf([[...note(0, 60, FAR), ...END]], { ticksPerQuarter: 1 }),
  'far-tempo.mid': smf([[...note(0, 38, 1, 9), ...delta(FAR), 0xff, 0x51, 0x03, 0x07, 0xa1, 0x20, ...END]], { ticksPerQuarter: 1 }),
  'many-tracks.mid': smf(
    Array.from({ length: 16 }, (_, t) => [...note(FAR - t, 36 + t, 1, t), ...END]),
    { ticksPerQuarter: 1 },
  ),
  // no single delta is large: 300 of them add up
  'many-deltas.mid': smf([[...Array.from({ length: 300 }, () => note(1 << 20, 42, 1, 9)).flat(), ...END]], { ticksPerQuarter: 1 }),
  'never-released.mid': smf([[0x00, 0x99, 36, 100, ...delta(FAR), 0xff, 0x2f, 0x00]], { ticksPerQuarter: 1 }),
};

const refusal = (name: string) => new RegExp(`^${name.replace('.', '\\.')}: [\\d,]+ steps long \\([\\d,]+ bars of 4/4 at 4 steps per quarter\\), more than the 1,000,000 steps a song may span`);

function groove(i: number): Uint8Array {
  const notes: NoteOut[] = [];
  for (let s = 0; s < 128; s++) {
    if (s % 4 === 0) notes.push({ tick: s * 120, note: 36, velocity: 100, channel: 9, durationTicks: 60 });
    if (s % 8 === 4) notes.push({ tick: s * 120, note: 38, velocity: 100, channel: 9, durationTicks: 60 });
    if (s % 2 === i % 2) notes.push({ tick: s * 120, note: 42, velocity: 80, channel: 9, durationTicks: 60 });
    if (s % 4 === 0) notes.push({ tick: s * 120, note: 60 + ((s / 4 + i) % 12), velocity: 80, channel: 0, durationTicks: 400 });
  }
  return writeMidi({ ticksPerQuarter: 480, bpm: 120, notes });
}

/** A song as another program might hand it over, without the reader's checks. */
const songOf = (file: string, notes: MidiSong['notes'], ticksPerQuarter = 1): MidiSong => ({ file, format: 0, ticksPerQuarter, notes, tempos: [], timeSignatures: [], trackNames: [], endTick: 0, channelSetup: [] });

describe('songs too long to lay out step by step', () => {
  it('the 37-byte file really is 37 bytes', () => {
    expect(LONG['far-note.mid'].length).toBe(37);
  });

  it('are refused by the reader with the file, the length in steps and bars, the limit and the far event', () => {
    for (const [name, bytes] of Object.entries(LONG)) {
      let message = '';
      try {
        readMidi(bytes, name);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, name).toMatch(refusal(name));
      expect(message, name).toMatch(/its last event \(on track \d+ of \d+\) is at tick [\d,]+, [\d,]+ quarter notes in at 1 tick\(s\) per quarter\. Remove that event, or split the file/);
    }
    expect(() => readMidi(LONG['many-tracks.mid'], 'm.mid')).toThrow(/on track 1 of 16\) is at tick 268,435,456/);
    // bars in the file's own meter: 3/4 at 4 steps per quarter is 12 steps a bar
    const waltz = smf([[0x00, 0xff, 0x58, 0x04, 3, 2, 24, 8, ...note(FAR, 36, 0, 9), ...END]], { ticksPerQuarter: 1 });
    expect(() => readMidi(waltz, 'w.mid')).toThrow(/^w\.mid: 1,073,741,821 steps long \(89,478,485 bars of 3\/4 at 4 steps per quarter\)/);
  });

  it('the limit is the named constant: one step under it reads, one over is refused', () => {
    // at 1 tick per quarter and 4 steps per quarter, tick t spans 4t + 1 steps
    const under = (MAX_SONG_STEPS - 1) / 4; // 249,999.75 → tick 249,999: 999,997 steps
    const ok = readMidi(smf([[...note(Math.floor(under), 36, 0, 9), ...END]], { ticksPerQuarter: 1 }), 'ok.mid');
    expect(songSteps(ok, 4)).toBeLessThanOrEqual(MAX_SONG_STEPS);
    expect(() => readMidi(smf([[...note(MAX_SONG_STEPS / 4, 36, 0, 9), ...END]], { ticksPerQuarter: 1 }), 'over.mid')).toThrow(refusal('over.mid'));
  });

  it('every codec refuses a song handed over in memory before it allocates a step', () => {
    const far = songOf('far.mid', [{ tick: FAR, note: 36, velocity: 100, channel: 9, durationTicks: 0, track: 0 }]);
    const longNote = songOf('held.mid', [{ tick: 0, note: 60, velocity: 100, channel: 0, durationTicks: FAR, track: 0 }]);
    const codecs = [
      drumGridCodec(),
      melodyGridCodec(),
      drummerCodec(),
      noteEventsCodec({ heads: { pitch: [36, 60], delay: [0, 6, 12] }, ticksPerQuarter: 24 }),
    ];
    for (const c of codecs) {
      for (const song of [far, longNote]) expect(() => c.fromSong(song), `${c.name} ${song.file}`).toThrow(new RegExp(`^${song.file.replace('.', '\\.')}: [\\d,]+ steps long .* more than the 1,000,000 steps`));
    }
    // steps per quarter of the codec: 8 per quarter halves the length a song may have
    const half = songOf('half.mid', [{ tick: 150_000, note: 36, velocity: 100, channel: 9, durationTicks: 0, track: 0 }]);
    expect(drumGridCodec({ stepsPerQuarter: 4 }).fromSong(half).events.length).toBe(600_001);
    expect(() => drumGridCodec({ stepsPerQuarter: 8 }).fromSong(half)).toThrow(/half\.mid: 1,200,001 steps long \(37,500 bars of 4\/4 at 8 steps per quarter\)/);
   }, 60_000);

  it("the generator's prime refuses them by name and keeps playing", () => {
    for (const spec of [drumGridSpec(), melodySpec(), howlSpec()]) {
      const g = new Generator(spec, { seed: 3 });
      g.tick();
      for (const [name, bytes] of Object.entries(LONG)) expect(() => g.prime(readMidi(bytes, name))).toThrow(refusal(name));
      expect(() => g.prime(songOf('mem.mid', [{ tick: FAR, note: 60, velocity: 90, channel: 0, durationTicks: 1, track: 0 }]))).toThrow(/^mem\.mid: [\d,]+ steps long/);
      expect(() => g.tick()).not.toThrow();
    }
  });

  it("a live session's prime('file.mid') says why, names the file, and the music goes on", async () => {
    const dir = join(tmp, 'live');
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(LONG)) writeFileSync(join(dir, name), bytes);
    const ft = new FakeTime(0);
    const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
    const lines: string[] = [];
    const s = new LiveSession({ spec: drumGridSpec(), clock, seed: 5, grid: false, print: (t) => lines.push(t), cwd: dir });
    s.start();
    ft.advance(0.5);
    for (const name of Object.keys(LONG)) {
      const before = lines.length;
      await s.prime(name);
      expect(lines.slice(before).join('\n'), name).toMatch(new RegExp(`^prime: ${name.replace('.', '\\.')}: [\\d,]+ steps long .* more than the 1,000,000 steps`));
    }
    const ticks = s.generator.ticks;
    ft.advance(1);
    expect(s.generator.ticks).toBeGreaterThan(ticks);
    await s.quit();
  });

  it('the dataset tools skip them with that reason and go on with the other files', () => {
    const dir = join(tmp, 'datasets');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(dir, `good${i}.mid`), groove(i));
    for (const [name, bytes] of Object.entries(LONG)) writeFileSync(join(dir, name), bytes);
    const skippedLong = (skipped: { file: string; reason: string }[]) => skipped.filter((s) => s.file in LONG);
    const drums = buildDrumDataset({ dir, seed: 1 });
    expect(skippedLong(drums.summary.skipped).map((s) => s.file).sort()).toEqual(Object.keys(LONG).sort());
    for (const s of skippedLong(drums.summary.skipped)) expect(s.reason).toMatch(/^[\d,]+ steps long .* more than the 1,000,000 steps/);
    expect(drums.summary.used.train + drums.summary.used.validation + drums.summary.used.test).toBe(6);
    const melody = buildMelodyDataset({ dir, seed: 1 });
    expect(skippedLong(melody.skipped)).toHaveLength(Object.keys(LONG).length);
    // six files read (a small folder's validation is the end of each training file, not a file of its own)
    expect(new Set(Object.values(melody.splits).flat().map((q) => q.file.replace(/ \(end\)$/, ''))).size).toBe(6);
    const events = buildEventsDataset({ dir, seed: 1 });
    expect(skippedLong(events.summary.skipped)).toHaveLength(Object.keys(LONG).length);
    expect(events.summary.used.train + events.summary.used.validation + events.summary.used.test).toBe(6);
  }, 60_000);
});

// ---- the commands, as a user runs them ------------------------------------------------------

const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

function cli(args: string[]): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    // a small heap: a command that allocates per step dies in seconds, not after 2 GB
    const child = spawn(process.execPath, ['--max-old-space-size=400', '--import', TSX, join(ROOT, 'src/hosts/cli.ts'), ...args], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PULSE_RNN_CHECKPOINTS: join(tmp, 'checkpoints') } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('the commands refuse a song too long and go on', () => {
  const model = join(ROOT, 'weights', 'drums-gmd');
  const dir = join(tmp, 'commands');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, `good${i}.mid`), groove(i));
  writeFileSync(join(dir, 'far-note.mid'), LONG['far-note.mid']);
  writeFileSync(join(dir, 'many-tracks.mid'), LONG['many-tracks.mid']);

  it('score names the file and the limit', async () => {
    for (const name of ['far-note.mid', 'long-note-off.mid', 'far-tempo.mid']) {
      writeFileSync(join(tmp, name), LONG[name]);
      const r = await cli(['score', '--model', model, '--midi', name]);
      expect(r.signal, r.err).toBeNull();
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(new RegExp(`pulse-rnn: ${name.replace('.', '\\.')}: [\\d,]+ steps long .* more than the 1,000,000 steps`));
    }
  }, 180_000);

  it('dataset lists them as skipped, with the reason, and summarizes the rest', async () => {
    const r = await cli(['dataset', '--data', dir, '--json']);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as { used: Record<string, number>; skipped: { file: string; reason: string }[] };
    expect(s.skipped.map((k) => k.file).sort()).toEqual(['far-note.mid', 'many-tracks.mid']);
    for (const k of s.skipped) expect(k.reason).toMatch(/steps long .* more than the 1,000,000 steps a song may span/);
    expect(s.used.train + s.used.validation + s.used.test).toBe(6);
  }, 180_000);

  it('train skips them and trains on the rest', async () => {
    const out = join(tmp, 'model');
    const r = await cli(['train', '--data', dir, '--out', out, '--epochs', '1', '--max-batches', '1', '--units', '4', '--layers', '1', '--batch', '2', '--window', '8', '--backend', 'cpu', '--no-progress']);
    expect(r.signal, r.err).toBeNull();
    expect(r.code, r.err).toBe(0);
    expect(r.out + r.err).toMatch(/far-note\.mid: [\d,]+ steps long/);
  }, 180_000);

  it('eval skips them and scores the rest', async () => {
    const r = await cli(['eval', '--model', model, '--data', dir, '--split', 'train', '--json']);
    expect(r.signal, r.err).toBeNull();
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { model: { steps: number } }).model.steps).toBeGreaterThan(0);
  }, 180_000);
});
