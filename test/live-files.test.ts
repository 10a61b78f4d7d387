// Files named at the prompt or to `replay` that are not files: a named pipe would hold the
// command forever and /dev/zero would fill a live set's memory. Each is refused by name while
// the music plays on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveSession } from '../src/hosts/live-session.js';
import { runReplay } from '../src/hosts/play.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { drumGridSpec } from './helpers/models.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-live-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fifo = join(tmp, 'groove.mid');
execFileSync('mkfifo', [fifo]);

describe('files that are not files', () => {
  it('prime() of a named pipe, /dev/zero or a folder is refused by name, and the steps keep coming', async () => {
    const ft = new FakeTime(1000);
    const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
    const lines: string[] = [];
    const s = new LiveSession({ spec: drumGridSpec(), clock, seed: 7, grid: false, print: (t) => lines.push(t), cwd: tmp });
    s.start();
    ft.advance(0.5);
    const gen = s.generator;
    for (const [file, want] of [
      ['groove.mid', /^prime: .*groove\.mid: a named pipe \(FIFO\), not a file; name a MIDI file/],
      ['/dev/zero', /^prime: \/dev\/zero: a character device, not a file; name a MIDI file/],
      [tmp, /^prime: .*: a folder, not a file; name a MIDI file/],
    ] as const) {
      const before = lines.length;
      await s.prime(file);
      expect(lines.slice(before).join('\n')).toMatch(want);
    }
    const ticks = gen.ticks;
    ft.advance(1);
    expect(gen.ticks).toBeGreaterThan(ticks);
    await s.quit();
  });

  it('replay of a named pipe is refused by name', async () => {
    await expect(runReplay(fifo, { midi: join(tmp, 'out.mid') }, () => {})).rejects.toThrow(/groove\.mid: a named pipe \(FIFO\), not a file; name a performance log/);
  });
});
