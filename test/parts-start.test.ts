// `pulse-rnn start --part … --part …` as a performer runs it, at a terminal (`script` gives it
// one, so the prompt opens): the page's socket hears both parts' steps, each named; a part's
// command typed at the prompt steers that part alone and every page hears it; quit() ends it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HelloMessage, ServerMessage } from '../src/hosts/live-protocol.js';
import { writeMelodyModel } from './helpers/melody-model.js';
import { atTerminal, haveScript } from './helpers/terminal-start.js';

const built = existsSync(resolve('dist/web/index.html'));
const tmp = mkdtempSync(join(tmpdir(), 'pulse-parts-start-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!built || !haveScript)('pulse-rnn start with two parts', () => {
  it('plays drums and keys on one clock, names each part\'s steps to the page, and takes keys.temperature(…) at the prompt', async () => {
    const keys = await writeMelodyModel(join(tmp, 'keys'), 5);
    const { child, said, exit, out } = atTerminal(['start', '--port', '0', '--bpm', '240', '--seed', '3', '--part', 'drums=weights/drums-gmd', '--part', `keys=${keys}@2`, '--part', 'chords=weights/chords-jsb@3']);
    try {
      const url = new URL((await said(/the web page: (\S+)/))[1]);
      await said(/parts: drums \(drum-grid\), keys \(melody-grid, channel 2\), chords \(piano-roll, channel 3\)/);
      const ws = new WebSocket(new URL('/live', url).href.replace(/^http/, 'ws'), { origin: url.origin });
      const got: ServerMessage[] = [];
      const waiting: { test: (m: ServerMessage) => boolean; done: () => void }[] = [];
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as ServerMessage;
        got.push(m);
        for (const w of [...waiting]) if (w.test(m)) (waiting.splice(waiting.indexOf(w), 1), w.done());
      });
      const until = (test: (m: ServerMessage) => boolean) => new Promise<void>((done) => (got.some(test) ? done() : waiting.push({ test, done })));
      await until((m) => m.type === 'hello');
      const hello = got[0] as HelloMessage;
      expect(hello.version).toBe(2);
      expect(hello.parts.map((p) => [p.name, p.channel, p.model.encoding, p.every])).toEqual([
        ['drums', null, 'drum-grid', 1],
        ['keys', 2, 'melody-grid', 1],
        ['chords', 3, 'piano-roll', 4],
      ]);
      // where a page can load each part's model: the shipped ones under weights/, a folder elsewhere not
      expect(hello.parts.map((p) => p.model.path)).toEqual(['weights/drums-gmd/', null, 'weights/chords-jsb/']);
      await until((m) => m.type === 'step' && m.part === 'keys' && m.notes.length > 0);
      await until((m) => m.type === 'step' && m.part === 'drums' && m.notes.length > 0);
      await until((m) => m.type === 'step' && m.part === 'chords' && m.notes.length > 0);

      const at = out().length;
      child.stdin.write('keys.temperature(1.2)\n');
      await said(/keys: temperature 1\.2 from step \d+/, at);
      await until((m) => m.type === 'settings' && m.part === 'keys' && m.settings.temperature === 1.2);
      // a page steers a part by naming it
      ws.send(JSON.stringify({ type: 'control', part: 'keys', name: 'density', args: [0.5] }));
      await until((m) => m.type === 'settings' && m.part === 'keys' && m.by === 'page' && m.settings.density === 0.5);
      ws.send(JSON.stringify({ type: 'control', part: 'bass', name: 'density', args: [0.5] }));
      await until((m) => m.type === 'message' && /no part named 'bass'; parts are drums, keys, chords/.test(m.text));
      child.stdin.write('keys.temperature(9)\n');
      await said(/keys: temperature: 9 is out of range/, at);
      child.stdin.write('status()\n');
      await said(/\n\s*keys: .*channel 2 · step \d+/, at);
      child.stdin.write('quit()\n');
      expect(await exit, out().slice(-600)).toBe(0);
      expect(out()).toMatch(/stopped after \d+ steps/);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
