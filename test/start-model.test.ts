// `pulse-rnn start --model DIR` with a model just trained outside weights/: the terminal plays
// it, and the page it prints loads the same model (served beside the shipped ones).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { train } from '../src/train/train.js';
import { haveChromium, launchChromium } from './helpers/browser.js';

const CLI = resolve('src/hosts/cli.ts');
const built = existsSync(resolve('dist/web/index.html'));
const root = mkdtempSync(join(tmpdir(), 'pulse-start-model-'));
const out = join(root, 'my drums');
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

beforeAll(async () => {
  const data = join(root, 'midi');
  mkdirSync(data, { recursive: true });
  for (let i = 0; i < 8; i++) {
    const notes: NoteOut[] = [];
    for (let s = 0; s < 64; s++) {
      if (s % 8 === 0) notes.push({ tick: s * 24, note: 36, velocity: 100, channel: 9, durationTicks: 10 });
      if (s % 8 === 4) notes.push({ tick: s * 24, note: 38, velocity: 100, channel: 9, durationTicks: 10 });
      if (s % 2 === i % 2) notes.push({ tick: s * 24, note: 42, velocity: 80, channel: 9, durationTicks: 10 });
    }
    writeFileSync(join(data, `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
  }
  await train({ data, out, units: 8, layers: 1, batch: 4, window: 16, epochs: 1, seed: 2, progress: false, log: () => {} });
}, 60_000);

describe.skipIf(!built && process.env.CI !== 'true')('pulse-rnn start --model DIR', () => {
  it('plays the model in the terminal and prints a page address that loads the same model', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--model', out, '--port', '0', '--steps', '1000000', '--no-repl', '--bpm', '60', '--seed', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exit = new Promise<number | string | null>((ok) => child.on('exit', (code, signal) => ok(code ?? signal)));
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (d) => {
        text += d;
        const m = /the web page: (\S+)/.exec(text);
        if (m) ok(m[1]);
      });
      void exit.then((c) => fail(new Error(`start ended (${c}) before printing its page: ${err.slice(-400)}`)));
    });
    try {
      const page = new URL(url);
      const named = page.searchParams.get('model');
      expect(named).toBe(`models/${encodeURIComponent(basename(out))}/`);
      // the model's files, as the page fetches them
      const json = await fetch(new URL(`${named}model.json`, page));
      expect(json.status).toBe(200);
      const body = (await json.json()) as { weightsManifest: { paths: string[] }[] };
      expect(body).toEqual(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')));
      const shard = await fetch(new URL(`${named}${body.weightsManifest[0].paths[0]}`, page));
      expect(Buffer.from(await shard.arrayBuffer()).equals(readFileSync(join(out, body.weightsManifest[0].paths[0])))).toBe(true);
      // nothing beside the folder: its parent is not served through it
      expect((await fetch(new URL(`${named}../midi/g0.mid`, page))).status).not.toBe(200);
      if (haveChromium()) {
        const browser = await launchChromium();
        try {
          const tab = await browser.newPage();
          await tab.goto(url);
          await tab.waitForFunction(() => (window as unknown as { pulse: { ready(): boolean } }).pulse.ready(), null, { timeout: 60_000, polling: 100 });
          const model = await tab.evaluate(() => (window as unknown as { pulse: { model(): { name: string; url: string } } }).pulse.model());
          expect(model.name).toBe(basename(out));
          expect(await tab.textContent('#model-name')).toBe(basename(out));
        } finally {
          await browser.close();
        }
      }
      expect(text).toMatch(/playing .*my drums/);
    } finally {
      child.kill('SIGINT');
      await exit;
    }
  }, 120_000);
});
