// A fine-tuned model (`train --from`) plays in every host like any other: `generate` writes its
// notes to a MIDI file; `start --model` plays it at the prompt, whose status() names it, and
// serves its folder (outside weights/) so a joined page shows it and a page of its own loads it
// by URL through its model field.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { runCli } from './helpers/cli.js';
import { smallFolder } from './helpers/small-folders.js';
import { atTerminal, haveScript } from './helpers/terminal-start.js';

const built = existsSync(resolve('dist/web/index.html'));
const root = mkdtempSync(join(tmpdir(), 'pulse-fine-tuned-hosts-'));
const parent = join(root, 'parent');
const tuned = join(root, 'my tuned drums');
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

/** 8 drum takes of 64 sixteenths, the snare `shift` steps late. */
const folder = (name: string, shift: number) => smallFolder(root, name, 8, 'drums', 64, shift);

const metaOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).userDefinedMetadata.pulseRnn;
type Pulse = { pulse: { ready(): boolean; model(): { name: string } } };

beforeAll(async () => {
  const small = ['--batch', '2', '--window', '8', '--no-progress'];
  const p = await runCli('train', '--encoding', 'drum-expressive', '--data', folder('theirs', 0), '--out', parent, '--units', '8', '--layers', '1', '--epochs', '1', ...small);
  expect(p.code, p.err).toBe(0);
  const t = await runCli('train', '--from', parent, '--data', folder('mine', 3), '--out', tuned, '--epochs', '1', '--lr', '0.003', ...small);
  expect(t.code, t.err).toBe(0);
  expect(metaOf(tuned).training.from.model).toBe(parent);
}, 120_000);

describe('a fine-tuned model in every host', () => {
  it('generate writes its notes to a MIDI file', async () => {
    const file = join(root, 'generated.mid');
    const r = await runCli('generate', '--model', tuned, '--steps', '64', '--seed', '1', '--out', file);
    expect(r.code, r.err).toBe(0);
    const song = readMidi(readFileSync(file), file);
    expect(song.notes.length).toBeGreaterThan(0);
  });

  it.skipIf(!built || !haveScript)('start plays it at the prompt, status() names it, a joined page shows it, and a page of its own loads it by URL', async () => {
    const { child, said, exit, out } = atTerminal(['start', '--model', tuned, '--port', '0', '--bpm', '240', '--seed', '3']);
    try {
      const url = new URL((await said(/the web page: (\S+)/))[1]);
      await said(new RegExp(`playing ${tuned.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(drum-expressive\\)`));
      const at = out().length;
      child.stdin.write('status()\n');
      const [status] = await said(/step \d+ \(bar \d+\) · [^\n]* · not recording/, at);
      expect(status).toMatch(/^step \d+ \(bar \d+\) · playing · my tuned drums \(drum-expressive\) · 240 BPM/);
      // the folder lies outside weights/: start serves it beside them, and names it to the page
      const served = url.searchParams.get('model');
      expect(served).toBe(`models/${encodeURIComponent(basename(tuned))}/`);
      if (haveChromium()) {
        const browser = await launchChromium();
        try {
          const joined = await browser.newPage();
          await joined.goto(url.href);
          await joined.waitForFunction(() => (window as unknown as Pulse).pulse.ready(), null, { timeout: 60_000, polling: 100 });
          await joined.waitForFunction((name) => document.getElementById('model-name')?.textContent === name, basename(tuned), { timeout: 30_000, polling: 100 });
          // a page of its own, as `start` serves it: the shipped model first, then this one by its URL
          const own = await browser.newPage();
          await own.goto(url.origin + '/');
          await own.waitForFunction(() => (window as unknown as Pulse).pulse.ready(), null, { timeout: 60_000, polling: 100 });
          expect(await own.textContent('#model-name')).not.toBe(basename(tuned));
          await own.fill('#model-url', served!);
          await own.click('#model-load');
          await own.waitForFunction((name) => document.getElementById('model-name')?.textContent === name, basename(tuned), { timeout: 30_000, polling: 100 });
          expect(await own.evaluate(() => (window as unknown as Pulse).pulse.model().name)).toBe(basename(tuned));
        } finally {
          await browser.close();
        }
      }
      child.stdin.write('quit()\n');
      expect(await exit, out().slice(-600)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 180_000);
});
