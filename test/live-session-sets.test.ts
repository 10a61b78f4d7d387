// Thirty sets a performer might play, drawn at random from a seed each: tempo changes anywhere
// from 20 to 999 BPM (two in one step, too), pauses, mutes, resets, edits, seeds, locks, on a drum
// model and on a melody model whose notes are held across steps, then quit(). Each take must
// replay from its log note for note, tempo for tempo. A fake time source drives the real clock.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LiveSession } from '../src/hosts/live-session.js';
import { replayToMidi } from '../src/hosts/replay.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { readMidi } from '../src/io/midi-read.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { drumGridSpec, melodySpec } from './helpers/models.js';
import { lcg } from './helpers/midi-clock-source.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-sets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('random sets on the internal clock', () => {
// thirty, and sets that once found a take and its replay apart
for (const trial of [...Array.from({ length: 30 }, (_, i) => i), 373, 375, 389]) {
  it(`set ${trial}: the take and its replay agree note for note`, async () => {
    const rand = lcg(trial + 1);
    const spec = trial % 2 ? drumGridSpec(2, 1.5) : melodySpec(3);
    const dir = mkdtempSync(join(tmp, 'set-'));
    const ft = new FakeTime(50);
    const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
    const s = new LiveSession({ spec, clock, seed: trial, grid: false, print: () => {}, cwd: dir });
    s.start();
    ft.advance(rand());
    await s.record('r.mid');
    for (let k = 0; k < 40; k++) {
      const x = rand();
      if (x < 0.3) s.bpm(rand() < 0.2 ? 20 + rand() * 5 : rand() < 0.3 ? 900 + rand() * 99 : 20 + rand() * 979);
      else if (x < 0.4) s.pause();
      else if (x < 0.5) s.resume();
      else if (x < 0.55) s.mute();
      else if (x < 0.6) s.unmute();
      else if (x < 0.7) s.temperature(rand() * 2);
      else if (x < 0.75) s.seed(Math.floor(rand() * 1000));
      else if (x < 0.8) { s.bpm(20 + rand() * 979); s.bpm(20 + rand() * 979); }
      else if (x < 0.85) s.reset();
      else if (x < 0.87) s.edit('+' + Math.floor(rand() * 4), []);
      else if (x < 0.9) s.density(rand() * 4 - 2);
      else if (x < 0.92) s.topP(0.1 + rand() * 0.9);
      else if (x < 0.94 && trial % 2) s.lock(Math.floor(rand() * 3), rand() < 0.5 ? { bars: 1 } : undefined);
      else if (x < 0.96) s.unlock();
      ft.advance(rand() * (rand() < 0.1 ? 3 : 0.4));
    }
    const q = s.quit();
    for (let i = 0; i < 100; i++) { ft.advance(0.1); await new Promise((r) => setImmediate(r)); }
    await q;
    const log = parseSessionLog(readFileSync(join(dir, 'r.mid.log.json'), 'utf8'), 'x');
    const r = replayToMidi(spec, log);
    const a = readMidi(new Uint8Array(readFileSync(join(dir, 'r.mid'))), 'a');
    const b = readMidi(r.bytes, 'b');
    expect(b.notes).toEqual(a.notes);
    expect(b.tempos).toEqual(a.tempos);
  });
}
});
