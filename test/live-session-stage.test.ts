// The live session when a set goes wrong: a tempo dragged to 1 BPM and back, a control that
// throws, a take recorded over an old one, a long phrase primed mid-set, the step count while
// paused. A fake time source drives the real internal clock, so every time checked is exact
// and nothing depends on how busy the machine is.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { replaySteps, replayToMidi } from '../src/hosts/replay.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi } from '../src/io/midi-write.js';
import type { NoteSink } from '../src/io/sink.js';
import { CONTROLS_PER_TICK, PRIME_SLICE } from '../src/music/generator.js';
import { startRepl } from '../src/hosts/repl.js';
import { PassThrough } from 'node:stream';
import type { StepEvent } from '../src/time/clock.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { drumGridSpec } from './helpers/models.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-stage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A sink that writes down when each note starts and when anything ends it. */
class Book implements NoteSink {
  ons: { note: number; on: number; end: number }[] = [];
  alls: number[] = [];
  noteOn(note: number, _v: number, _c: number, time: number, duration: number) {
    this.ons.push({ note, on: time, end: time + duration });
  }
  noteOff(note: number, _c: number, time: number) {
    for (let i = this.ons.length - 1; i >= 0; i--) {
      const n = this.ons[i];
      if (n.note === note && n.on <= time && n.end > time) {
        n.end = time;
        return;
      }
    }
  }
  allNotesOff(time?: number) {
    const t = time ?? -Infinity;
    this.alls.push(t);
    for (const n of this.ons) if (n.end > t) n.end = Math.max(n.on, t);
  }
}

function fakeSession(spec: ModelSpec, cwd = tmp) {
  const ft = new FakeTime(1000);
  const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
  const lines: string[] = [];
  const book = new Book();
  const s = new LiveSession({ spec, clock, sinks: [book], seed: 7, grid: false, print: (t) => lines.push(t), cwd });
  const steps: StepEvent[] = [];
  clock.onStep((e) => steps.push({ ...e }));
  return { ft, clock, lines, book, s, steps };
}

describe('tempo changes take effect in the step in progress', () => {
  it('bpm(20) then bpm(120) within the slow step: the step ends at the new tempo, not 0.75 s after it began; quit() at 20 BPM ends everything within 0.5 s; the take replays exactly', async () => {
    const spec = drumGridSpec(3, 1.5);
    const { ft, lines, book, s, steps } = fakeSession(spec);
    s.generator.edit(Array.from({ length: 300 }, (_, i) => i), ['kick']); // a kick on every step
    s.start();
    await s.record('tempo.mid');
    ft.advance(1);
    s.bpm(20);
    while (steps.at(-1)!.bpm !== 20) ft.advance(0.1);
    const slow = steps.at(-1)!;
    // steps are handed out ahead of their time: change the tempo just after the slow one begins
    ft.advance(Math.max(0, slow.time - ft.t) + 0.05);
    const change = ft.t;
    s.bpm(120);
    expect(lines.at(-1)).toBe(`bpm 120 from the next pulse (step ${s.generator.step})`);
    ft.advance(1);
    const next = steps[steps.indexOf(slow) + 1];
    // the pulse in progress (0.125 s at 20 BPM), then the step's other pulses at 120 BPM; at
    // 20 BPM the step would have ended 0.35 s or more after the change
    expect(next.time).toBeLessThanOrEqual(change + 0.25 + 1e-9);
    const slowNote = book.ons.find((n) => n.on === slow.time)!;
    // the note already sounding is shortened with its step: at 20 BPM it would last 0.675 s
    expect(slowNote.end).toBeLessThanOrEqual(next.time + 1e-9);
    expect(slowNote.end - slowNote.on).toBeLessThan(0.4);
    // slow again, then quit at the start of a 0.75 s step
    s.bpm(20);
    while (steps.at(-1)!.bpm !== 20) ft.advance(0.05);
    const quitAt = ft.t;
    await s.quit();
    expect(Math.min(...book.alls.filter((t) => t >= quitAt))).toBeLessThanOrEqual(quitAt + 0.5 + 1e-9);
    for (const n of book.ons) expect(n.end).toBeLessThanOrEqual(Math.max(n.on, quitAt + 0.5) + 1e-9);
    expect(lines.filter((l) => /^\w+: /.test(l))).toEqual([]);

    const song = readMidi(new Uint8Array(readFileSync(join(tmp, 'tempo.mid'))), 'tempo.mid');
    const log = parseSessionLog(readFileSync(join(tmp, 'tempo.mid.log.json'), 'utf8'), 'tempo.mid.log.json');
    expect(log.session!.tempos.some((t) => t.pulse !== undefined && t.pulse > 0)).toBe(true); // changed inside a step
    const again = readMidi(replayToMidi(spec, log).bytes, 'again.mid');
    expect(again.notes.map(({ track: _t, ...n }) => n)).toEqual(song.notes.map(({ track: _t, ...n }) => n));
    expect(again.tempos).toEqual(song.tempos);
  });
});

describe('two tempo changes in one step', () => {
  it('bpm(900) then bpm(500) at once: the notes sounding are shortened as by both, in the take and in its replay alike', async () => {
    const spec = drumGridSpec(3, 1.5);
    const { ft, s, steps } = fakeSession(spec);
    s.generator.edit(Array.from({ length: 200 }, (_, i) => i), ['kick']);
    s.bpm(40); // long steps: a speed-up shortens the notes sounding
    s.start();
    await s.record('twice.mid');
    ft.advance(2);
    const handed = steps.length;
    while (steps.length === handed) ft.advance(0.01);
    s.bpm(900);
    s.bpm(500);
    ft.advance(1);
    await s.quit();
    const song = readMidi(new Uint8Array(readFileSync(join(tmp, 'twice.mid'))), 'twice.mid');
    const log = parseSessionLog(readFileSync(join(tmp, 'twice.mid.log.json'), 'utf8'), 'twice.mid.log.json');
    const again = readMidi(replayToMidi(spec, log).bytes, 'replay');
    expect(new Set(song.notes.map((n) => n.durationTicks)).size).toBeGreaterThan(1); // some were shortened
    expect(again.notes).toEqual(song.notes);
    expect(again.tempos).toEqual(song.tempos);
  });
});

describe('a control that throws as it applies', () => {
  it('is reported at the prompt as one line, dropped, and the music plays on', async () => {
    const { ft, lines, s, steps } = fakeSession(drumGridSpec(2));
    s.start();
    ft.advance(0.5);
    // a snapshot holding a lock of a voice this model does not have (say, from a bigger drum model)
    const snap = s.generator.snapshot();
    snap.data.pending.push({ type: 'lock', voice: 40, pattern: null, from: s.generator.step, until: null });
    s.generator.restore(snap);
    const before = steps.length;
    ft.advance(2);
    expect(lines.filter((l) => l.startsWith('lock: '))).toHaveLength(1);
    expect(s.lastError).toMatch(/^lock: .*; dropped, the music goes on$/);
    expect(steps.length).toBeGreaterThan(before + 10);
    expect(steps.slice(before).map((e) => e.step)).toEqual(Array.from({ length: steps.length - before }, (_, i) => steps[before].step + i));
    s.temperature(0.5);
    ft.advance(0.5);
    expect(s.generator.temperature).toBe(0.5);
    await s.quit();
  });
});

describe('many controls dropped at once', () => {
  it('a step that drops sixty edits says so in one line with the count, and the log marks every one', async () => {
    const { ft, lines, s } = fakeSession(drumGridSpec(2));
    s.start();
    ft.advance(0.5);
    const now = s.generator.step;
    // the far steps first: the near ones reach the front of the queue after their steps played
    for (let k = 4000; k >= 0; k--) s.edit(now + k, ['kick']);
    const before = lines.length;
    ft.advance(20);
    const dropped = s.generator.log.entries.filter((e) => e.dropped !== undefined);
    expect(dropped.length).toBeGreaterThan(10);
    const said = lines.slice(before).filter((l) => l.startsWith('edit: '));
    const ticks = new Set(dropped.map((e) => e.tick));
    expect(said).toHaveLength(ticks.size);
    const counted = said.map((l) => 1 + Number(/\(and (\d+) more edit controls? this step\)/.exec(l)?.[1] ?? 0));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(dropped.length);
    expect(said[0]).toMatch(/^edit: step \d+ had played before the edit's turn came .*; dropped \(and \d+ more edit controls this step\), the music goes on$/);
    await s.quit();
  });
});

describe('record() never overwrites a take', () => {
  it('an existing file (or its log) sends the take to take-2.mid, take-3.mid …, said at the prompt; the old take stays as it was', async () => {
    const dir = mkdtempSync(join(tmp, 'takes-'));
    const { ft, lines, s } = fakeSession(drumGridSpec(4, 1.5), dir);
    writeFileSync(join(dir, 'take.mid'), 'the old take');
    writeFileSync(join(dir, 'solo.mid.log.json'), '{}'); // a log alone is a take too
    s.start();
    ft.advance(0.5);
    await s.record('take.mid');
    expect(lines.at(-1)).toBe("'take.mid' exists, so this take goes to 'take-2.mid' (the old one stays); recording to take-2.mid from the next step; record() or stop() writes it");
    ft.advance(1);
    await s.stop();
    expect(lines.at(-1)).toMatch(/^wrote take-2\.mid \(\d+ notes over \d+ steps\) and take-2\.mid\.log\.json/);
    expect(readFileSync(join(dir, 'take.mid'), 'utf8')).toBe('the old take');
    readMidi(new Uint8Array(readFileSync(join(dir, 'take-2.mid'))), 'take-2.mid');

    await s.record('take.mid'); // again: the next free name
    expect(lines.at(-1)).toMatch(/so this take goes to 'take-3\.mid'/);
    ft.advance(0.5);
    writeFileSync(join(dir, 'take-3.mid'), 'written by someone else meanwhile');
    await s.stop();
    expect(lines.at(-1)).toMatch(/^'take-3\.mid' appeared while recording, so this take goes to 'take-4\.mid'; wrote take-4\.mid/);
    expect(readFileSync(join(dir, 'take-3.mid'), 'utf8')).toBe('written by someone else meanwhile');
    expect(existsSync(join(dir, 'take-4.mid.log.json'))).toBe(true);

    await s.record('solo.mid');
    expect(lines.at(-1)).toMatch(/so this take goes to 'solo-2\.mid'/);
    ft.advance(0.5);
    await s.record('fresh.mid'); // writes solo-2.mid, then a name nobody used stays as it is
    expect(lines.at(-1)).toMatch(/^wrote solo-2\.mid .*\nrecording to fresh\.mid from the next step/);
    expect(lines.at(-1)).not.toMatch(/exists/);
    ft.advance(0.5);
    await s.quit();
    expect(existsSync(join(dir, 'fresh.mid'))).toBe(true);
    expect(readFileSync(join(dir, 'solo.mid.log.json'), 'utf8')).toBe('{}');
    expect(lines.filter((l) => /^\w+: /.test(l))).toEqual([]);
  });
});

describe('one step count', () => {
  it('while paused the clock counts on, but bpm(), status(), every message and the log speak of the generator step', async () => {
    const { ft, lines, s, clock } = fakeSession(drumGridSpec(2));
    s.start();
    ft.advance(1);
    s.pause();
    ft.advance(2); // 16 clock steps go by, paused
    const step = s.generator.step;
    expect(clock.position).toBeGreaterThan(step + 10);
    s.bpm(90);
    expect(lines.at(-1)).toBe(`bpm 90 from the next pulse (step ${step})`);
    s.temperature(1.1);
    expect(lines.at(-1)).toBe(`temperature 1.1 from step ${step}`);
    s.status();
    expect(lines.at(-1)).toMatch(new RegExp(`^step ${step} \\(bar \\d+\\) · paused`));
    ft.advance(0.5);
    const entry = s.generator.log.entries.find((e) => e.control.type === 'temperature')!;
    expect(entry.step).toBe(step);
    s.resume();
    expect(lines.at(-1)).toBe(`playing from step ${step}`);
    ft.advance(0.5);
    expect(s.generator.played().at(-1)!.step).toBeGreaterThan(step);
    await s.quit();
  });
});

describe('priming a long file mid-set', () => {
  it('reads it a slice a step while every step plays, says when it has taken effect, and the log replays note for note', async () => {
    const spec = drumGridSpec(5, 1.5);
    // 3,000 16th-note steps of a groove (12 s of events at 4 per beat, 750 beats)
    const notes = Array.from({ length: 3000 }, (_, i) => ({ tick: i * 120, note: i % 4 === 0 ? 36 : i % 8 === 4 ? 38 : 42, velocity: 100, channel: 9, durationTicks: 60 }));
    writeFileSync(join(tmp, 'groove.mid'), writeMidi({ ticksPerQuarter: 480, bpm: 120, notes }));
    const { ft, lines, s, steps } = fakeSession(spec);
    s.start();
    await s.record('primed.mid');
    ft.advance(1);
    const stepsBefore = steps.length;
    await s.prime('groove.mid');
    const slices = Math.ceil(3000 / PRIME_SLICE);
    expect(lines.at(-1)).toMatch(new RegExp(`^reading groove\\.mid \\(3000 notes, \\d+ steps\\) while playing: it takes effect in about ${slices} steps$`));
    expect(s.generator.priming).toBe(true); // queued: it applies at the next step
    ft.advance(0.25);
    expect(s.generator.priming).toBe(true);
    expect(lines.some((l) => l.startsWith('groove.mid primed'))).toBe(false);
    ft.advance(3);
    const done = lines.find((l) => l.startsWith('groove.mid primed'));
    expect(done).toMatch(/^groove\.mid primed: the model plays on from it at step \d+$/);
    const at = Number(/step (\d+)$/.exec(done!)![1]);
    const started = steps[stepsBefore].step;
    expect(at - started).toBe(slices - 1); // a slice a step
    // no step was skipped while it read
    const after = steps.slice(stepsBefore).map((e) => e.step);
    expect(after).toEqual(Array.from({ length: after.length }, (_, i) => after[0] + i));
    await s.quit();
    expect(lines.filter((l) => /^\w+: /.test(l))).toEqual([]);
    const log = parseSessionLog(readFileSync(join(tmp, 'primed.mid.log.json'), 'utf8'), 'primed.mid.log.json');
    const r = replaySteps(spec, log);
    const played = s.generator.played();
    expect(r.steps.slice(-played.length).map((x) => x.notes.map((n) => n.note))).toEqual(played.map((x) => x.notes.map((n) => n.note)));
  });
});

describe('a burst of controls at the prompt', () => {
  it('ten thousand temperatures and locks in one line: one write of the first and last messages, one of each in the log', async () => {
    const { ft, s, steps } = fakeSession(drumGridSpec(2));
    const input = new PassThrough();
    const out = new PassThrough();
    let text = '';
    let writes = 0;
    out.on('data', (d) => ((text += String(d)), writes++));
    startRepl(s, { input, output: out, terminal: false, prompt: '> ' });
    s.start();
    ft.advance(0.5);
    const before = { text: text.length, writes };
    input.write("for (let i = 0; i < 10000; i++) { temperature(1 + (i % 5) / 10); lock('kick') }\n");
    while (!/more messages/.test(text)) await new Promise((r) => setTimeout(r, 10));
    while (!text.endsWith('> ')) await new Promise((r) => setTimeout(r, 10));
    const printed = text.slice(before.text).split('\n').filter((l) => l && l !== '> ');
    expect(printed).toHaveLength(21);
    expect(printed[10]).toBe('… 19980 more messages …');
    expect(printed[0]).toMatch(/^temperature 1 from step \d+$/);
    expect(printed.at(-1)).toMatch(/^lock kick from step \d+$/);
    expect(writes - before.writes).toBeLessThanOrEqual(2); // the messages, then the prompt
    const tick = s.generator.ticks;
    ft.advance(0.5);
    const applied = s.generator.log.entries.filter((e) => e.tick >= tick);
    expect(applied.map((e) => e.control.type).sort()).toEqual(['lock', 'temperature']);
    expect(s.generator.temperature).toBe(1 + (9999 % 5) / 10);
    expect(applied.length).toBeLessThanOrEqual(CONTROLS_PER_TICK);
    const after = steps.filter((e) => e.time > 1000.5).map((e) => e.step);
    expect(after).toEqual(Array.from({ length: after.length }, (_, i) => after[0] + i));
    await s.quit();
  });
});
