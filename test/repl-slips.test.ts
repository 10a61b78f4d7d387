// A new performer's first lines at the prompt: a command without its parentheses, with its
// argument after a space, in capitals, under another name, or a word that is no command. Each
// gets one line saying what to type, not a JavaScript error, and the music plays on.
import { describe, expect, it } from 'vitest';
import { LiveSession } from '../src/hosts/live-session.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { typedPrompt } from './helpers/typed-prompt.js';
import { drumGridSpec } from './helpers/models.js';

async function prompt() {
  const ft = new FakeTime(1000);
  const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
  const s = new LiveSession({ spec: drumGridSpec(2), clock, seed: 3, grid: false, print: () => {} });
  const { type } = typedPrompt(s);
  s.start();
  ft.advance(0.5);
  return { s, ft, type };
}

describe('a mistyped command at the prompt', () => {
  it('says what to type instead of a JavaScript error, and changes nothing', async () => {
    const { s, type } = await prompt();
    expect(await type('status')).toBe("status is a command: type status() to run it");
    expect(await type('record')).toBe("record is a command: type record() to run it (e.g. record('set.mid'))");
    expect(await type('bpm 90')).toBe('a command takes its arguments in parentheses: type bpm(90) (help() lists the commands)');
    expect(await type('lock kick')).toBe("a command takes its arguments in parentheses: type lock('kick') (help() lists the commands)");
    expect(await type('Status()')).toBe('Status is neither a command nor a name set here; did you mean status()? (help() lists the commands)');
    expect(await type('tempo(90)')).toBe('tempo is neither a command nor a name set here; did you mean bpm(128)? (help() lists the commands)');
    expect(await type('temprature(1)')).toBe('temprature is neither a command nor a name set here; did you mean temperature(1.2)? (help() lists the commands)');
    expect(await type('xyzzy')).toBe('xyzzy is neither a command nor a name set here (help() lists the commands)');
    expect(s.clock.bpm).toBe(120);
    expect(s.lastError).toBe(null);
    // what is not a slip still works as JavaScript, over several lines too
    expect(await type('x = 3')).toBe('3');
    expect(await type('bpm(x * 30)')).toBe(`bpm 90 from the next pulse (step ${s.generator.step})`);
    expect(await type('for (let i = 0; i < 2; i++) {')).toBe('');
    expect(await type('temperature(0.5) }')).toMatch(/^temperature 0\.5 from step \d+\ntemperature 0\.5 from step \d+$/);
    await s.quit();
  });
});
