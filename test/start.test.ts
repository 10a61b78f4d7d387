// `npm start` (pulse-rnn start): the web page is served and the shipped drum model plays live in
// the terminal, until --steps are done.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve('src/hosts/cli.ts');
const built = existsSync(resolve('dist/web/index.html'));

/** The command as a child process, to its exit. */
function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((ok) => child.on('close', (code) => ok({ code, out, err })));
}

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
    const model = await fetch(new URL('weights/drums-expressive/model.json', await url));
    expect(model.status).toBe(200);
    expect(await exit, err.slice(-400)).toBe(0);
    expect(out).toMatch(/playing .*drums-expressive/);
    // the grid: bars of nine voice rows
    expect(out).toMatch(/bar 1/);
    expect((out.match(/kick/g) ?? []).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it.skipIf(!built && process.env.CI !== 'true')('says in one line that its port is taken and where it serves instead', async () => {
    // another program holds a port on 127.0.0.1
    const holder = createServer();
    await new Promise<void>((ok) => holder.listen(0, '127.0.0.1', () => ok()));
    const taken = (holder.address() as { port: number }).port;
    try {
      const r = await run(['start', '--port', String(taken), '--steps', '4', '--no-repl', '--bpm', '600', '--seed', '3']);
      expect(r.code, r.err.slice(-400)).toBe(0);
      const said = r.out.split('\n').filter((l) => l.includes(`port ${taken}`));
      expect(said).toHaveLength(1);
      const m = new RegExp(`^port ${taken} is taken \\(another pulse-rnn\\?\\); serving on (http://127\\.0\\.0\\.1:(\\d+)/) instead$`).exec(said[0]);
      expect(m, said[0]).not.toBeNull();
      expect(Number(m![2])).not.toBe(taken);
      expect(r.out).toContain(`the web page: ${m![1]}`);
    } finally {
      holder.close();
    }
  }, 60_000);
});

describe('pulse-rnn ports', () => {
  it('says in one line whether the system has a MIDI sequencer, without the native library\'s noise', async () => {
    const r = await run(['ports']);
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/ALSA lib|snd_seq|open \/dev\/snd\/seq failed/);
    const said = r.err.split('\n').filter((l) => /MIDI sequencer/.test(l));
    if (process.platform === 'linux' && !existsSync('/dev/snd/seq')) {
      expect(said).toEqual([expect.stringMatching(/^this system has no MIDI sequencer \(\/dev\/snd\/seq is missing\): no synth, DAW or MIDI device can be reached, only ports made inside pulse-rnn; load ALSA's sequencer/)]);
    } else {
      expect(said.every((l) => /^cannot open the MIDI sequencer/.test(l))).toBe(true);
    }
  }, 60_000);

  it('names the missing sequencer when an output cannot be found', async () => {
    const r = await run(['play', '--out', 'No Such Synth', '--steps', '1', '--no-repl']);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/ALSA lib/);
    expect(r.err).toMatch(/no MIDI output named "No Such Synth"; available outputs: /);
    if (process.platform === 'linux' && !existsSync('/dev/snd/seq')) expect(r.err).toMatch(/\(this system has no MIDI sequencer/);
  }, 60_000);
});
