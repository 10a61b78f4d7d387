// `npm start` (pulse-rnn start): the web page is served and the shipped drum model plays live in
// the terminal, until --steps are done.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve('src/hosts/cli.ts');

describe('pulse-rnn start', () => {
  it.skipIf(!existsSync(resolve('dist/web/index.html')) && process.env.CI !== 'true')('serves the page, plays the drum model live, and stops cleanly', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--port', '0', '--steps', '32', '--no-repl', '--bpm', '480', '--seed', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const url = new Promise<string>((ok) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /the web page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) ok(m[1]);
      });
    });
    const exit = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    const page = await (await fetch(await url)).text();
    expect(page).toMatch(/<html[\s\S]*pulse-rnn/i);
    const model = await fetch(new URL('weights/drums-gmd/model.json', await url));
    expect(model.status).toBe(200);
    expect(await exit, err.slice(-400)).toBe(0);
    expect(out).toMatch(/playing .*drums-gmd/);
    // the grid: bars of nine voice rows
    expect(out).toMatch(/bar 1/);
    expect((out.match(/kick/g) ?? []).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
