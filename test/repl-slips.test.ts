// A new performer's first lines at the prompt: a command without its parentheses, with its
// argument after a space, in capitals, under another name, or a word that is no command. Each
// gets one line saying what to type, not a JavaScript error, and the music plays on.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LiveSession } from '../src/hosts/live-session.js';
import { startRepl } from '../src/hosts/repl.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { drumGridSpec } from './helpers/models.js';

async function prompt() {
  const ft = new FakeTime(1000);
  const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
  const s = new LiveSession({ spec: drumGridSpec(2), clock, seed: 3, grid: false, print: () => {} });
  const input = new PassThrough();
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += String(d)));
  startRepl(s, { input, output: out, terminal: false, prompt: '> ' });
  s.start();
  ft.advance(0.5);
  /** What the prompt answers to one line. */
  const type = async (line: string): Promise<string> => {
    const from = text.length;
    input.write(`${line}\n`);
    // the prompt again, or the one that waits for the rest of an unfinished line
    while (!/(^|\n)(> |\.\.\. )$/.test(text.slice(from))) await new Promise((r) => setTimeout(r, 5));
    return text.slice(from).replace(/(> |\.\.\. )$/, '').trim();
  };
  return { s, ft, type, input };
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
