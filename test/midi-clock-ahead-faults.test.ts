// Steps handed out ahead of their pulse while the master does anything a master may: tempo
// jumps (up to 20 ↔ 300 BPM), stop and continue mid-step, song positions while stopped and while
// running (back, forward, to where it is), start again, dropouts; and while the performer loads
// a flat model (steps at their pulse) or an expressive one (steps ahead) in between. Whatever
// happens, no step is handed out twice unless the master moved the position to it again, and
// none is lost: by the time the pulse that starts a step arrives, that step is out. Synthetic
// pulses on fake time.
import { describe, expect, it } from 'vitest';
import type { StepEvent } from '../src/time/clock.js';
import { MidiClockFollower } from '../src/time/midi-clock-follower.js';
import { FakeTime } from './helpers/fake-time.js';
import { lcg, sender } from './helpers/midi-clock-source.js';

type Move = { kind: 'pulses'; bpm: number; count: number } | { kind: 'stop' | 'continue' | 'start' | 'silence' } | { kind: 'position'; sixteenth: number } | { kind: 'model'; maxEarly: number };

/** A master's random set: mostly pulses at a tempo that sometimes jumps, now and then something else. */
function script(rand: () => number, length: number): Move[] {
  const moves: Move[] = [{ kind: 'start' }];
  const tempos = [20, 40, 90, 120, 140, 300];
  let bpm = 120;
  for (let i = 0; i < length; i++) {
    const r = rand();
    if (r < 0.1) moves.push({ kind: 'model', maxEarly: rand() < 0.5 ? 0 : 0.5 });
    else if (r < 0.55) {
      if (rand() < 0.4) bpm = tempos[Math.floor(rand() * tempos.length)];
      moves.push({ kind: 'pulses', bpm, count: 1 + Math.floor(rand() * 30) });
    } else if (r < 0.67) moves.push({ kind: 'stop' });
    else if (r < 0.8) moves.push({ kind: 'continue' });
    else if (r < 0.9) moves.push({ kind: 'position', sixteenth: Math.floor(rand() * 40) });
    else if (r < 0.95) moves.push({ kind: 'start' });
    else moves.push({ kind: 'silence' });
  }
  return moves;
}

interface Out {
  step: number;
  time: number;
  /** How many position changes (start, song position) the follower had reported before it. */
  jumps: number;
}

function play(moves: readonly Move[], seed: number) {
  const rand = lcg(seed);
  const ft = new FakeTime(0);
  const clock = new MidiClockFollower(null, { now: ft.now, timers: ft.timers });
  const send = sender(clock, ft);
  const out: Out[] = [];
  const problems: string[] = [];
  let jumps = 0;
  clock.onTransport((e) => {
    if (e.type === 'start' || e.type === 'position') jumps++;
  });
  clock.onStep((e: StepEvent) => out.push({ step: e.step, time: e.time, jumps }));
  let t = 1000;
  for (const m of moves) {
    switch (m.kind) {
      case 'pulses': {
        const period = 60000 / m.bpm / 24;
        for (let i = 0; i < m.count; i++) {
          send([0xf8], t + (rand() * 2 - 1) * 1.5);
          t += period;
          // a step is lost when the pulse starting it has come and it is not out
          if (clock.running && clock.nextStep < clock.position) problems.push(`pulse ${clock.position * 6 - 1}: step ${clock.nextStep} is not out`);
        }
        break;
      }
      case 'model':
        clock.setMaxEarly(m.maxEarly);
        break;
      case 'silence':
        t += 1000;
        ft.advance(Math.max(0, t / 1000 - ft.t));
        break;
      case 'position':
        send([0xf2, m.sixteenth & 0x7f, m.sixteenth >> 7], (t += 3));
        break;
      default:
        send([{ stop: 0xfc, continue: 0xfb, start: 0xfa }[m.kind]], (t += 3));
    }
  }
  return { out, problems };
}

describe('MidiClockFollower: steps out ahead, whatever the master does', () => {
  it('in 300 random sets, with models swapped between them, no step is handed out twice unless the master moved back to it, none is skipped, times never go back', () => {
    let steps = 0;
    let jumpsSeen = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { out, problems } = play(script(lcg(seed * 7919), 40), seed);
      expect(problems, `seed ${seed}`).toEqual([]);
      for (let i = 1; i < out.length; i++) {
        const [a, b] = [out[i - 1], out[i]];
        if (b.jumps !== a.jumps) {
          jumpsSeen++;
          continue; // the master moved: the next step is wherever it said
        }
        expect(b.step, `seed ${seed}: step after ${a.step}`).toBe(a.step + 1);
        expect(b.time, `seed ${seed}: time of ${b.step}`).toBeGreaterThanOrEqual(a.time);
      }
      steps += out.length;
    }
    expect(steps).toBeGreaterThan(8000);
    expect(jumpsSeen).toBeGreaterThan(300);
  });
});
