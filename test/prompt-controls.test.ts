// The prompt reads the control table: its names, ranges, usage and help come from there, a
// control read with no value shows what the generator plays and what is queued, and the
// names a performer might type for a control under another spelling get pointed to it.
import { describe, expect, it } from 'vitest';
import { LiveSession } from '../src/hosts/live-session.js';
import { SESSION_COMMANDS, commandNames, helpText, whenText } from '../src/hosts/prompt-commands.js';
import { CONTROLS, isNumberArg, rangeText, valueArg } from '../src/music/controls.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { typedPrompt } from './helpers/typed-prompt.js';
import { drumGridSpec } from './helpers/models.js';

function fakeSession() {
  const ft = new FakeTime(1000);
  const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
  const lines: string[] = [];
  const s = new LiveSession({ spec: drumGridSpec(2), clock, seed: 3, grid: false, print: (t) => lines.push(t) });
  return { ft, s, lines, clock };
}

type Commands = Record<string, (...a: unknown[]) => unknown>;

describe('the prompt reads the control table', () => {
  it('offers every control of the table by its name, and the session commands besides, nothing else', () => {
    const { s } = fakeSession();
    expect(commandNames()).toEqual([...CONTROLS.map((c) => c.name), 'record', 'stop', 'saveSlots', 'loadSlots', 'addPart', 'removePart', 'grid', 'status', 'learn', 'map', 'unmap', 'saveMap', 'help', 'quit']);
    for (const name of commandNames()) expect(typeof (s as unknown as Commands)[name], name).toBe('function');
    expect(SESSION_COMMANDS.map((c) => c[0]).filter((n) => CONTROLS.some((c) => c.name === n))).toEqual([]);
  });

  it("help() lists each control's example, description and range from the table", () => {
    const { s, lines } = fakeSession();
    s.help();
    const help = lines.at(-1)!;
    expect(help).toBe(helpText());
    for (const c of CONTROLS) {
      const row = help.split('\n').find((l) => l.startsWith(`${c.example} `));
      expect(row, c.name).toBeDefined();
      expect(row).toContain(c.description);
      const a = c.args[0];
      if (a && isNumberArg(a)) expect(row).toContain(rangeText(a));
      if (c.applies !== 'next step') expect(row).toContain(whenText(c.applies));
    }
    expect(help).not.toMatch(/\btopp\(|1 to 999|0 to 10\b|-100/);
  });

  it('refuses a value outside the range of the table, naming it and the range, at both ends', () => {
    const { s, lines } = fakeSession();
    const call = (name: string, v: unknown) => (s as unknown as Commands)[name](v);
    for (const c of CONTROLS.filter((x) => x.kind === 'value')) {
      const a = valueArg(c.name);
      for (const bad of [a.min - (a.type === 'integer' ? 1 : a.step), a.max + a.step]) {
        call(c.name, bad);
        expect(lines.at(-1), `${c.name}(${bad})`).toBe(`${c.name}: ${bad} is out of range; give ${rangeText(a)}`);
      }
      for (const good of [a.minExclusive ? a.min + a.step : a.min, a.max]) {
        call(c.name, good);
        expect(s.lastError, `${c.name}(${good})`).toBeNull();
      }
    }
  });

  it('temperature() and status() show the value playing and the one queued for the next step', () => {
    const { ft, s, lines } = fakeSession();
    s.start();
    ft.advance(0.3);
    s.temperature(1.3);
    s.temperature();
    expect(lines.at(-1)).toBe('temperature 1 (1.3 from the next step)');
    s.topP(0.9);
    s.status();
    expect(lines.at(-1)).toMatch(/ · temperature 1 \(1\.3 from the next step\) · topP 1 \(0\.9 from the next step\) · density 0 · seed 3 · /);
    ft.advance(0.3);
    s.temperature();
    expect(lines.at(-1)).toBe('temperature 1.3');
    s.topP();
    expect(lines.at(-1)).toBe('topP 0.9');
    s.status();
    expect(lines.at(-1)).toMatch(/ · temperature 1\.3 · topP 0\.9 · density 0 · seed 3 · /);
    void s.quit();
    ft.advance(1);
  });

  it('reseed(7), reseed(), clearEdit(step), locate(step) and a lock reach the generator; status() reads locks from it', () => {
    const { ft, s, lines } = fakeSession();
    const gen = s.generator;
    s.start();
    ft.advance(0.3);
    s.reseed(7);
    expect(s.lastError).toBeNull();
    expect(gen.pending.seed).toBe(7);
    s.edit('+4', ['kick']);
    s.clearEdit('+4');
    expect(lines.at(-1)).toMatch(/^step \d+: the model chooses it again$/);
    s.lock('kick');
    s.status();
    expect(lines.at(-1)).toMatch(/locked none/); // queued, not applied yet
    ft.advance(0.2);
    expect(gen.seed).toBe(7);
    s.status();
    expect(lines.at(-1)).toMatch(/locked kick · /);
    s.reseed();
    expect(lines.at(-1)).toMatch(/^seed \d+ from step \d+$/);
    s.unlock('kick');
    s.locate(0);
    ft.advance(0.2);
    s.status();
    expect(lines.at(-1)).toMatch(/locked none · /);
    const types = gen.log.entries.map((e) => e.control.type);
    expect(types).toEqual(expect.arrayContaining(['seed', 'clearEdit', 'lock', 'unlock', 'locate']));
    expect(gen.log.entries.filter((e) => e.control.type === 'seed')).toHaveLength(2);
    void s.quit();
    ft.advance(1);
  });
});

describe('the prompt', () => {
  async function prompt() {
    const { ft, s } = fakeSession();
    const { type, server } = typedPrompt(s);
    s.start();
    ft.advance(0.5);
    return { s, type, server };
  }

  it('points topp, top_p and clearedit to the table names; reseed(7) and clearEdit run; no ReferenceError', async () => {
    const { s, type } = await prompt();
    expect(await type('topp(0.9)')).toBe('topp is neither a command nor a name set here; did you mean topP(0.9)? (help() lists the commands)');
    expect(await type('top_p(0.9)')).toBe('top_p is neither a command nor a name set here; did you mean topP(0.9)? (help() lists the commands)');
    expect(await type("clearedit('+4')")).toBe("clearedit is neither a command nor a name set here; did you mean clearEdit('+4')? (help() lists the commands)");
    expect(await type('reseed(7)')).toMatch(/^seed 7 from step \d+$/);
    expect(await type("clearEdit('+4')")).toMatch(/^step \d+: the model chooses it again$/);
    expect(await type('topP()')).toBe('topP 1');
    const all = [await type('frobnicate(1)'), await type('tempreture(1)')].join('\n');
    expect(all).not.toMatch(/ReferenceError|is not defined/);
    expect(all).toMatch(/did you mean temperature\(1\.2\)\?/);
    await s.quit();
  });

  it('Tab completes exactly the table controls and the session commands', async () => {
    const { s, server } = await prompt();
    const completer = server.completer as unknown as (line: string, cb: (err: Error | null, r: [string[], string]) => void) => void;
    const complete = (line: string) => new Promise<string[]>((resolve, reject) => completer(line, (err, r) => (err ? reject(err) : resolve(r[0]))));
    // the session's names are the context's own properties: the ones the completer lists first
    const ours = Object.keys(server.context).filter((k) => commandNames().includes(k));
    expect(ours.sort()).toEqual([...commandNames()].sort());
    expect(await complete('top')).toContain('topP');
    expect(await complete('res')).toEqual(expect.arrayContaining(['reseed', 'reset', 'resume']));
    expect(await complete('clear')).toContain('clearEdit');
    expect(await complete('topp')).not.toContain('topp');
    await s.quit();
  });
});
