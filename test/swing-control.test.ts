// Swing as a control of the table, owned by the internal clock as bpm is: set live at the prompt
// (from the next step handed out), kept in the take's log with the clock step it applied at, and
// played again by a replay, which swings the same 16ths (a take may start on an odd step). A
// value out of range is refused naming it, at the prompt, on the command line and in a log.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseFlag } from '../src/hosts/control-flags.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { replayToMidi } from '../src/hosts/replay.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { readMidi } from '../src/io/midi-read.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { drumGridSpec, expressiveSpec } from './helpers/models.js';
import { lcg } from './helpers/midi-clock-source.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-swing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function session(spec = drumGridSpec(2, 1.5), dir = tmp) {
  const ft = new FakeTime(50);
  const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
  const lines: string[] = [];
  const s = new LiveSession({ spec, clock, seed: 3, grid: false, print: (t) => lines.push(t), cwd: dir });
  return { ft, clock, s, lines };
}

async function quit(s: LiveSession, ft: FakeTime): Promise<void> {
  const q = s.quit();
  for (let i = 0; i < 100; i++) {
    ft.advance(0.1);
    await new Promise((r) => setImmediate(r));
  }
  await q;
}

describe('swing at the prompt', () => {
  it('moves every second 16th from the next step handed out, and says so', () => {
    const { ft, clock, s, lines } = session();
    const times = new Map<number, number>();
    clock.onStep((e) => times.set(e.step, e.time));
    s.start();
    ft.advance(1);
    s.swing(0.25);
    expect(lines.at(-1)).toMatch(/^swing 0\.25 from step \d+$/);
    const from = clock.position;
    ft.advance(2);
    // a straight 16th at 120 BPM is 0.125 s; swung, an 8th's two 16ths last 1.25 and 0.75 of it
    const even = from % 2 === 0 ? from : from + 1;
    expect(times.get(even + 1)! - times.get(even)!).toBeCloseTo(0.125 * 1.25, 9);
    expect(times.get(even + 2)! - times.get(even + 1)!).toBeCloseTo(0.125 * 0.75, 9);
    expect(times.get(2)! - times.get(1)!).toBeCloseTo(0.125, 9);
    s.swing();
    expect(lines.at(-1)).toBe('swing 0.25');
    s.status();
    expect(lines.at(-1)).toMatch(/ · 120 BPM \(internal clock\), swing 0\.25 · /);
  });

  it('refuses a value out of range with a message naming it, and keeps the swing it had', () => {
    const { s, lines, clock } = session();
    s.swing(0.2);
    for (const bad of [0.7, -0.1]) {
      s.swing(bad);
      expect(lines.at(-1)).toBe(`swing: ${bad} is out of range; give a number from 0 (straight) to 0.5 (hard shuffle)`);
      expect(s.lastError).toContain(String(bad));
    }
    s.swing('lots');
    expect(lines.at(-1)).toBe("swing: 'lots' is not a number; give a number from 0 (straight) to 0.5 (hard shuffle)");
    expect(clock.swing).toBe(0.2);
    expect(() => parseFlag('swing')('0.7')).toThrow("--swing must be a number from 0 (straight) to 0.5 (hard shuffle), got '0.7'");
    expect(() => new InternalClock({ bpm: 120, swing: 0.6 })).toThrow('swing: 0.6 is out of range');
  });

  it('a log with a swing out of range is refused naming the entry and the value', () => {
    const log = { format: 'pulse-rnn-performance', version: 1, options: {}, entries: [], ticks: 4, session: { model: 'm', bpm: 120, tempos: [{ tick: 0, bpm: 120 }], from: 0, clock: 'internal', swings: [{ tick: 0, swing: 0, step: 0 }, { tick: 2, swing: 0.9, step: 2 }] } };
    expect(() => parseSessionLog(JSON.stringify(log), 'set.log.json')).toThrow('set.log.json: "session.swings[1]": swing: 0.9 is out of range; give a number from 0 (straight) to 0.5 (hard shuffle)');
  });
});

describe('swing in the take: logged and replayed', () => {
  for (const trial of [0, 1, 2, 3, 4, 5]) {
    it(`set ${trial}: swing and tempo changes, a take begun mid-set, replay note for note`, async () => {
      const rand = lcg(trial + 11);
      const spec = trial % 2 ? expressiveSpec(trial) : drumGridSpec(2, 1.5);
      const dir = mkdtempSync(join(tmp, 'set-'));
      const { ft, s, lines } = session(spec, dir);
      s.start();
      s.swing(0.1 + rand() * 0.3);
      // the take begins after an odd or even number of steps
      ft.advance(0.5 + rand() * 2);
      await s.record('r.mid');
      let swings = 0;
      for (let k = 0; k < 30; k++) {
        const x = rand();
        if (x < 0.4) {
          s.swing(Math.round(rand() * 50) / 100);
          swings++;
        } else if (x < 0.55) s.bpm(60 + rand() * 140);
        else if (x < 0.65) s.temperature(rand() * 2);
        else if (x < 0.7) s.swing(0);
        ft.advance(rand() * 0.4);
      }
      await quit(s, ft);
      expect(lines.filter((l) => /^swing: /.test(l))).toEqual([]);
      const log = parseSessionLog(readFileSync(join(dir, 'r.mid.log.json'), 'utf8'), 'r.mid.log.json');
      expect(log.session?.swings?.length).toBeGreaterThanOrEqual(swings);
      const a = readMidi(new Uint8Array(readFileSync(join(dir, 'r.mid'))), 'a');
      const b = readMidi(replayToMidi(spec, log).bytes, 'b');
      expect(a.notes.length).toBeGreaterThan(10);
      expect(b.notes).toEqual(a.notes);
      expect(b.tempos).toEqual(a.tempos);
      // without its swing list the same log plays straight: the list is what moved the notes
      const straight = readMidi(replayToMidi(spec, { ...log, session: { ...log.session!, swings: undefined } }).bytes, 'c');
      expect(straight.notes).not.toEqual(a.notes);
    });
  }
});
