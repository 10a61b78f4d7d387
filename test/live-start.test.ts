// `pulse-rnn start` as a performer runs it (stdin closed, so no prompt): it says where the sound
// is, and a page joining at /live gets its performance and steers it; the terminal hears the
// page's control in one line. A `ws` client stands in for the page.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../src/hosts/live-protocol.js';

const CLI = resolve('src/hosts/cli.ts');
const built = existsSync(resolve('dist/web/index.html'));

describe.skipIf(!built && process.env.CI !== 'true')('pulse-rnn start: one performance for the terminal and its pages', () => {
  it('says where the sound is, serves the performance at /live, and prints a page\'s control at the prompt', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--port', '0', '--steps', '1000000', '--no-repl', '--bpm', '240', '--seed', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exit = new Promise<number | string | null>((ok) => child.on('exit', (code, signal) => ok(code ?? signal)));
    const said = (re: RegExp) =>
      new Promise<RegExpExecArray>((ok, fail) => {
        const look = () => {
          const m = re.exec(out);
          if (m) ok(m);
          return m;
        };
        if (!look()) child.stdout.on('data', look);
        void exit.then((c) => fail(new Error(`start ended (${c}) before printing ${re}: ${out.slice(-400)} ${err.slice(-400)}`)));
      });
    child.stdout.on('data', (d) => (out += d));
    try {
      const url = new URL((await said(/the web page: (\S+)/))[1]);
      expect(url.searchParams.get('live')).toBe('1');
      // the page makes the sound: no port is opened, and the terminal says so in one line
      await said(/^sound: .*$/m);
      expect(out.match(/^sound: .*$/gm)).toEqual([`sound: the page at ${url.href} (press Start there)`]);
      expect(out).not.toMatch(/playing silently/);

      const ws = new WebSocket(new URL('/live', url).href.replace(/^http/, 'ws'), { origin: url.origin });
      const got: ServerMessage[] = [];
      const waiting: { test: (m: ServerMessage) => boolean; done: () => void }[] = [];
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as ServerMessage;
        got.push(m);
        for (const w of [...waiting]) if (w.test(m)) (waiting.splice(waiting.indexOf(w), 1), w.done());
      });
      const until = (test: (m: ServerMessage) => boolean) => new Promise<void>((done) => (got.some(test) ? done() : waiting.push({ test, done })));
      const closed = new Promise<{ code: number; reason: string }>((ok) => ws.on('close', (code, reason) => ok({ code, reason: String(reason) })));
      await until((m) => m.type === 'hello');
      expect(got[0]).toMatchObject({ type: 'hello', pageSounds: true, sound: `the page at ${url.href} (press Start there)`, model: { name: 'drums-expressive', editable: true } });
      await until((m) => m.type === 'step' && m.notes.length > 0);

      ws.send(JSON.stringify({ type: 'control', name: 'temperature', args: [1.3] }));
      await until((m) => m.type === 'settings' && m.by === 'page' && m.settings.temperature === 1.3);
      await said(/^page: temperature 1\.3 from step \d+$/m);

      child.kill('SIGINT');
      expect(await closed).toEqual({ code: 1001, reason: 'the performance has stopped' });
      expect(await exit, err.slice(-400)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
