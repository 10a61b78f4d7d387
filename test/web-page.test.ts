// The performer's web page, built by its rollup config into dist/web, served by
// src/hosts/serve.ts and played in headless Chromium through its own buttons, grid and fields.
// What plays is read back through the page's read-only `window.pulse` hook and its grid.
// Nothing here waits a fixed time: every check waits for a condition, with generous limits.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSpec } from '../src/io/model-files.js';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi } from '../src/io/midi-write.js';
import { control, MAX_SEED, rangeText, valueArg } from '../src/music/controls.js';
import { DEFAULT_DRUM_NOTES, DRUM_CLASSES } from '../src/music/drum-map.js';
import { Generator, type StepCopy } from '../src/music/generator.js';
import { parseSessionLog, type SessionLog } from '../src/hosts/session-log.js';
import { serve, type RunningServer } from '../src/hosts/serve.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { buildPage, pageHook } from './helpers/page-hook.js';
import { ROOT, haveShared, sharedPath } from './helpers/shared.js';

const PAFFER = 'fixtures/rnbo/paffer/paffer.rnbopat.export.json';
const SCREENSHOT = join(ROOT, 'test-artifacts', 'web-page.png');
const LONG = 60_000;

const noteOf = (voice: string) => DEFAULT_DRUM_NOTES[DRUM_CLASSES.indexOf(voice as (typeof DRUM_CLASSES)[number])];

// ---- the static server --------------------------------------------------------------------

function rawGet(base: string, path: string, method = 'GET'): Promise<{ status: number; body: string; type: string }> {
  // node:http sends the path as written: fetch() would resolve the dot segments away
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('serve.ts: the page and the weights, nothing else', () => {
  let server: RunningServer;
  let web: string;
  beforeAll(async () => {
    web = mkdtempSync(join(tmpdir(), 'pulse-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(join(web, 'app.js'), 'export {};');
    server = await serve({ port: 0, webDir: web });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(web, { recursive: true, force: true });
  });

  it('serves the page at / and the shipped model under /weights/ on 127.0.0.1', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await rawGet(server.url, '/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    expect(page.body).toContain('<title>page</title>');
    expect((await rawGet(server.url, '/app.js')).type).toMatch(/javascript/);
    const model = await rawGet(server.url, '/weights/drums-gmd/model.json');
    expect(model.status).toBe(200);
    expect(JSON.parse(model.body).modelTopology).toBeTruthy();
    expect((await rawGet(server.url, '/weights/drums-gmd/model.json', 'HEAD')).status).toBe(200);
    expect((await rawGet(server.url, '/nothing-here.js')).status).toBe(404);
    expect((await rawGet(server.url, '/weights/')).status).toBe(404); // no listing
    expect((await rawGet(server.url, '/', 'POST')).status).toBe(405);
  });

  it('refuses every path out of its two folders', async () => {
    const attempts = ['/../package.json', '/weights/../package.json', '/weights/../../package.json', '/%2e%2e/package.json', '/weights/%2e%2e/package.json', '/weights/..%2f..%2fpackage.json', '/..%5cpackage.json', '/weights/drums-gmd/%00model.json', '/weights/%E0%A4%A'];
    for (const path of attempts) {
      const r = await rawGet(server.url, path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain('"dependencies"');
    }
  });

  it('says when the page is not built, and when the port is taken', async () => {
    await expect(serve({ port: 0, webDir: join(web, 'missing') })).rejects.toThrow(/index\.html not found: build the page first \(npm run build\)/);
    await expect(serve({ port: server.port, webDir: web })).rejects.toThrow(new RegExp(`port ${server.port} is already in use`));
  });
});

describe('pulse-rnn serve', () => {
  let child: ChildProcess | null = null;
  afterAll(() => {
    child?.kill();
  });

  it('prints the URL it serves the built page at', async () => {
    await buildPage();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/hosts/cli.ts', 'serve', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr?.on('data', (c) => (err += c));
    const url = await new Promise<string>((ok, fail) => {
      child?.stdout?.on('data', (c) => {
        out += c;
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m) ok(m[0]);
      });
      child?.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
    });
    const page = await rawGet(url, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="app.js">');
    expect((await rawGet(url, '/weights/drums-gmd/model.json')).status).toBe(200);
  }, LONG);
});

// ---- the page in Chromium -----------------------------------------------------------------

const haveBrowser = haveChromium();
const haveFixture = haveShared(PAFFER);

type Pulse = {
  ready(): boolean;
  model(): { name: string; url: string; rows: string[] } | null;
  running(): boolean;
  step(): number;
  ticks(): number;
  played(): StepCopy[];
  upcoming(): { step: number; notes: number[] }[];
  edits(): { step: number; voices: string[] }[];
  locked(): string[];
  snapshot(): { log: SessionLog; played: StepCopy[] };
  output(): string | null;
  sent(): { tone: number; midi: number; rnbo: number };
  level(): number;
  messages(): { level: string; text: string; count: number }[];
};

const { pulse, until } = pageHook<Pulse>(LONG);

async function messageMatching(page: Page, level: string, re: RegExp): Promise<string> {
  await until(page, (p, a) => p.messages().some((m) => m.level === a.level && new RegExp(a.src).test(m.text)), { level, src: re.source });
  const all = await pulse(page, (p) => p.messages());
  return all.find((m) => m.level === level && re.test(m.text))?.text as string;
}

/**
 * Click `voice` at the furthest step ahead, with the generator paused while the click is made:
 * paused, the lookahead holds still, so the click lands on a step still to come however long the
 * browser takes. (Playing, the step is one bar away, 3 s at 80 BPM; on two busy cores a click,
 * which waits for the cell to be stable over two frames, can take longer, and a click that
 * reaches a step already played changes nothing.)
 */
async function editAhead(page: Page, voice: string): Promise<{ step: number; before: boolean }> {
  await page.click('#pause');
  await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'paused', null, { timeout: LONG });
  // the pause has applied once a tick has passed that played nothing
  await until(page, (p) => p.ticks() >= (p.played().at(-1)?.tick ?? 0) + 2);
  const step = await pulse(page, (p) => Math.max(...p.upcoming().map((u) => u.step)));
  const cell = `#grid .cell[data-step="${step}"][data-voice="${voice}"]`;
  await page.waitForSelector(cell, { timeout: LONG });
  const before = await page.$eval(cell, (e) => e.classList.contains('hit'));
  await page.click(cell);
  await page.waitForSelector(`${cell}.ed${before ? ':not(.hit)' : '.hit'}`, { timeout: LONG });
  await page.click('#pause');
  await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'playing', null, { timeout: LONG });
  return { step, before };
}

/** bar.beat.step of a generator step, as the page's counter shows it (16 steps a bar, 4 a beat). */
const positionOf = (step: number) => `${Math.floor(step / 16) + 1}.${Math.floor((step % 16) / 4) + 1}.${(step % 4) + 1}`;

/** The page plays on: more steps come. */
async function keepsPlaying(page: Page, steps = 8): Promise<void> {
  const from = await pulse(page, (p) => p.ticks());
  await until(page, (p, a) => p.ticks() >= a, from + steps);
}

describe.skipIf(!haveBrowser)('the performer\'s page in Chromium', () => {
  let server: RunningServer;
  let fixtures: Server;
  let fixtureBase = '';
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await buildPage();
    server = await serve({ port: 0 });
    // the test's own files, on another origin (so the page must fetch them with CORS)
    const model = readFileSync(join(ROOT, 'weights', 'drums-gmd', 'model.json'), 'utf8');
    const huge = JSON.parse(model);
    // 65536 × 8192 float32 = 2 GiB declared for the first tensor
    huge.weightsManifest[0].weights[0].shape = [65536, 8192];
    const paffer = haveFixture ? readFileSync(sharedPath(PAFFER), 'utf8') : '{}';
    const olderExport = haveFixture ? JSON.stringify({ ...JSON.parse(paffer), desc: { ...JSON.parse(paffer).desc, meta: { ...JSON.parse(paffer).desc.meta, rnboversion: '1.3.4' } } }) : '{}';
    const files: Record<string, [string, string]> = {
      '/paffer.export.json': ['application/json', paffer],
      '/paffer-1.3.4.export.json': ['application/json', olderExport],
      '/not-rnbo.json': ['application/json', model],
      '/html-page/model.json': ['text/html', '<!doctype html><html><head><title>Welcome</title></head><body>Single-page app</body></html>'],
      '/huge/model.json': ['application/json', JSON.stringify(huge)],
    };
    fixtures = createServer((req, res) => {
      const f = files[new URL(req.url ?? '/', 'http://x').pathname];
      res.setHeader('access-control-allow-origin', '*');
      if (!f) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': f[0] }).end(f[1]);
    });
    await new Promise<void>((r) => fixtures.listen(0, '127.0.0.1', r));
    fixtureBase = `http://127.0.0.1:${(fixtures.address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(server.url);
    await until(page, (p) => p?.ready());
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (fixtures) await new Promise((r) => fixtures.close(r));
  });

  it('loads the shipped model, and plays once Start is pressed: the counter and the grid advance', async () => {
    expect(await page.textContent('#model-name')).toBe('drums-expressive');
    expect(await page.textContent('#state')).toBe('stopped');
    expect(await pulse(page, (p) => p.model()?.rows)).toEqual([...DRUM_CLASSES]);
    // a slow tempo leaves room between a click and the step it edits
    await page.fill('#bpm', '80');
    await page.press('#bpm', 'Enter');
    await page.click('#start');
    await until(page, (p) => p.running() && p.ticks() >= 16);
    // the status line is drawn at the next frame
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'playing' && document.querySelector('#start')?.textContent === 'Stop', null, { timeout: LONG });
    const first = await page.textContent('#position');
    expect(first).toMatch(/^\d+\.[1-4]\.[1-4]$/);
    await page.waitForFunction((f) => document.querySelector('#position')?.textContent !== f, first, { timeout: LONG });
    // played hits are drawn, and the lookahead as well
    await page.waitForSelector('#grid .cell.p.hit', { timeout: LONG });
    // each played hit is drawn with the velocity and offset it played at (the shipped drummer's own)
    await until(page, (p) => p.ticks() >= 32);
    const looks = await page.$$eval('#grid .cell.p.hit', (cells) => cells.map((c) => [(c as HTMLElement).style.getPropertyValue('--vel'), (c as HTMLElement).style.getPropertyValue('--off')]));
    expect(new Set(looks.map((l) => l[0])).size).toBeGreaterThan(2);
    expect(looks.some((l) => Number(l[1]) !== 0)).toBe(true);
    await page.waitForSelector('#grid .cell.u', { timeout: LONG });
    await page.waitForSelector('#grid .cell.head', { timeout: LONG });
    expect(await pulse(page, (p) => p.sent().tone)).toBeGreaterThan(0);
    expect(await pulse(page, (p) => p.output())).toBe('Tone.js kit');
    expect(problems).toEqual([]);
  }, LONG);

  it('the temperature slider spans the control table\'s range, and says what low and high do', async () => {
    expect(Number(await page.getAttribute('#temperature', 'min'))).toBe(valueArg('temperature').min);
    expect(await page.textContent('.knob:has(#temperature) small')).toContain(control('temperature').description);
    expect(await page.textContent('.knob:has(#temperature) small')).toMatch(/low plays a steady groove, 1 as trained, high wilder/);
  });

  it('a click on an upcoming cell edits that step: the step plays as the grid shows it', async () => {
    const voice = 'kick';
    const { step, before } = await editAhead(page, voice);
    const written = (await pulse(page, (p) => p.edits())).find((e) => e.step === step);
    expect(written, `edit of step ${step}`).toBeTruthy();
    expect(written!.voices.includes(voice)).toBe(!before);

    await until(page, (p, s) => p.played().some((x) => x.step === s), step);
    const played = (await pulse(page, (p) => p.played())).find((x) => x.step === step)!;
    const notes = played.notes.map((n) => n.note).sort((a, b) => a - b);
    expect(notes.includes(noteOf(voice))).toBe(!before);
    expect(notes).toEqual(written!.voices.map(noteOf).sort((a, b) => a - b));
    const log = await pulse(page, (p) => p.snapshot().log);
    expect(log.entries.some((e) => e.control.type === 'edit' && e.control.step === step)).toBe(true);
    // what played there is what the grid shows there now
    const shown = await page.$$eval(`#grid .cell[data-step="${step}"].p.hit`, (els) => els.map((e) => (e as HTMLElement).dataset.voice));
    expect(shown.map((v) => noteOf(v as string)).sort((a, b) => a - b)).toEqual(notes);
  }, LONG);

  it('a lock toggle keeps that voice as it played in the last bar', async () => {
    await until(page, (p) => p.played().filter((x) => x.step >= 0).length >= 16);
    // the voice with the most hits in the last bar, short of all of them: a pattern to keep
    const lastBar = (await pulse(page, (p) => p.played())).slice(-16);
    const counts = DRUM_CLASSES.map((v) => lastBar.filter((s) => s.notes.some((n) => n.note === noteOf(v))).length);
    const ranked = DRUM_CLASSES.map((v, i) => ({ v, c: counts[i] })).sort((a, b) => (b.c < 16 ? b.c : -1) - (a.c < 16 ? a.c : -1));
    const voice = ranked[0].v;
    await page.click(`#grid button.lock[data-voice="${voice}"]`);
    expect(await page.getAttribute(`#grid button.lock[data-voice="${voice}"]`, 'aria-pressed')).toBe('true');
    expect(await pulse(page, (p) => p.locked())).toEqual([voice]);

    await until(page, (p) => {
      const lock = p.snapshot().log.entries.find((e) => e.control.type === 'lock');
      return lock && p.played().filter((x) => x.tick >= lock.tick).length >= 32;
    });
    const { log, played } = await pulse(page, (p) => p.snapshot());
    const lockTick = log.entries.find((e) => e.control.type === 'lock')!.tick;
    const note = noteOf(voice);
    const pattern = new Array(16).fill(0);
    for (const s of played.filter((x) => x.tick < lockTick).slice(-16)) if (s.notes.some((n) => n.note === note)) pattern[s.step % 16] = 1;
    const after = played.filter((x) => x.tick >= lockTick);
    expect(after.length).toBeGreaterThanOrEqual(32);
    const heard = after.map((s) => (s.notes.some((n) => n.note === note) ? 1 : 0));
    expect(heard).toEqual(after.map((s) => pattern[s.step % 16]));

    await page.click(`#grid button.lock[data-voice="${voice}"]`);
    expect(await page.getAttribute(`#grid button.lock[data-voice="${voice}"]`, 'aria-pressed')).toBe('false');
    expect(await pulse(page, (p) => p.locked())).toEqual([]);
  }, 120_000);

  it('bad values typed into the seed and BPM fields: a message naming them, nothing changes, the music plays on', async () => {
    // controls apply at the next step: let the previous test's last one (an unlock) land first
    await keepsPlaying(page, 2);
    const controlsBefore = await pulse(page, (p) => p.snapshot().log.entries.length);
    const bpmBefore = await page.inputValue('#bpm');
    // each message names the control, the value and the table's range
    const said = (name: 'seed' | 'bpm', what: string) => new RegExp(`^${name}: ${what}; give ${rangeText(valueArg(name)).replace(/[()]/g, '\\$&')}$`);
    for (const [field, value, message] of [
      ['#seed', '', said('seed', 'nothing a number can be read from')],
      ['#seed', '3.5', said('seed', '3\\.5 is not allowed')],
      // the browser reads a number too big for a double as no number at all
      ['#seed', '1e400', said('seed', 'nothing a number can be read from')],
      ['#seed', '123456789012345678901', said('seed', '\\d+ is out of range')],
      ['#bpm', '', said('bpm', 'nothing a number can be read from')],
      ['#bpm', '0', said('bpm', '0 is out of range')],
      ['#bpm', '-120', said('bpm', '-120 is out of range')],
      ['#bpm', '100000', said('bpm', '100000 is out of range')],
    ] as const) {
      await page.fill(field, value);
      await page.press(field, 'Enter');
      await page.locator(field).blur();
      expect(await messageMatching(page, 'error', message)).toBeTruthy();
      await keepsPlaying(page, 4);
    }
    // no control reached the generator, and the fields show what is in force
    expect((await pulse(page, (p) => p.snapshot().log.entries)).slice(controlsBefore).map((e) => e.control)).toEqual([]);
    expect(await page.inputValue('#bpm')).toBe(bpmBefore);
    expect(await page.inputValue('#seed')).toMatch(/^-?\d+$/);
  }, 120_000);

  it('the seed field shows a ten-digit seed whole, and Reseed\'s seeds too', async () => {
    for (const v of ['2147483647', String(MAX_SEED)]) {
      await page.fill('#seed', v);
      await page.press('#seed', 'Enter');
      await page.locator('#seed').blur();
      await until(page, (p, want) => p.snapshot().log.entries.some((e) => e.control.type === 'seed' && e.control.value === want), Number(v));
      expect(await page.inputValue('#seed')).toBe(v);
      const fits = await page.$eval('#seed', (e) => (e as HTMLInputElement).scrollWidth <= (e as HTMLInputElement).clientWidth);
      expect(fits, `${v} fits its field`).toBe(true);
    }
    await page.click('#reseed');
    await page.waitForFunction((last) => (document.querySelector('#seed') as HTMLInputElement).value !== last, String(MAX_SEED), { timeout: LONG });
    expect(await page.$eval('#seed', (e) => (e as HTMLInputElement).scrollWidth <= (e as HTMLInputElement).clientWidth)).toBe(true);
    // the field and its buttons stay inside their panel
    const inside = await page.$eval('.knob.seed', (k) => {
      const box = k.getBoundingClientRect();
      return Array.from(k.querySelectorAll('input, button')).every((e) => {
        const r = e.getBoundingClientRect();
        return r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
      });
    });
    expect(inside).toBe(true);
  }, LONG);

  it('keyboard: Space, P and the arrows steer; everything is reachable by Tab with a visible focus', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => document.querySelector('#temperature-value')?.textContent === '1.05', null, { timeout: LONG });
    await until(page, (p) => p.snapshot().log.entries.some((e) => e.control.type === 'temperature' && e.control.value === 1.05));
    await page.keyboard.press('ArrowRight');
    await until(page, (p) => p.snapshot().log.entries.some((e) => e.control.type === 'density' && e.control.value === 0.25));

    await page.keyboard.press('p');
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'paused', null, { timeout: LONG });
    // paused: the clock ticks on, the generator plays nothing
    await until(page, (p) => p.ticks() >= (p.played().at(-1)?.tick ?? 0) + 4);
    // and the counter shows where the music stopped, not a blank
    const stoppedAt = positionOf(await pulse(page, (p) => p.played().at(-1)!.step));
    await page.waitForFunction((want) => document.querySelector('#position')?.textContent === want, stoppedAt, { timeout: LONG });
    const ticksNow = await pulse(page, (p) => p.ticks());
    await until(page, (p, t) => p.ticks() >= t + 4, ticksNow);
    await page.evaluate(() => new Promise(requestAnimationFrame));
    expect(await page.textContent('#position')).toBe(stoppedAt);
    await page.keyboard.press('p');
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'playing', null, { timeout: LONG });
    await until(page, (p) => (p.played().at(-1)?.tick ?? -1) === p.ticks() - 1);

    await page.keyboard.press(' ');
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'stopped', null, { timeout: LONG });
    await page.keyboard.press(' ');
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'playing', null, { timeout: LONG });

    // Tab through the whole page once, noting what takes the focus and whether it shows
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const reached = new Map<string, boolean>();
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement | null;
        if (!a || a === document.body) return null;
        // segmented radios and file pickers show their focus on their label
        const shown = a.matches('input[type=radio], input[type=file]') ? (a.closest('label') ?? a) : a;
        const s = getComputedStyle(shown);
        return { id: a.id || a.getAttribute('name') || a.className, visible: s.outlineStyle !== 'none' && s.outlineWidth !== '0px' };
      });
      if (f) reached.set(f.id, f.visible);
    }
    for (const id of ['start', 'pause', 'mute', 'bpm', 'grid', 'temperature', 'top-p', 'density', 'seed', 'reseed', 'reset', 'output', 'clock', 'model-url', 'model-load', 'model-shipped', 'prime-file', 'save-midi', 'save-log']) {
      expect(reached.has(id), `Tab reaches #${id} (reached: ${[...reached.keys()].join(', ')})`).toBe(true);
      expect(reached.get(id), `#${id} shows its focus`).toBe(true);
    }
    expect([...reached.keys()].some((k) => /lock/.test(k)), 'the lock buttons').toBe(true);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  }, 120_000);

  it('primes the model from a picked or a dropped MIDI file; a broken file is reported', async () => {
    const groove = writeMidi({
      ticksPerQuarter: 480,
      bpm: 100,
      notes: Array.from({ length: 32 }, (_, i) => [{ tick: i * 120, note: 42, velocity: 90, channel: 9, durationTicks: 60 }, ...(i % 8 === 0 ? [{ tick: i * 120, note: 36, velocity: 110, channel: 9, durationTicks: 60 }] : []), ...(i % 8 === 4 ? [{ tick: i * 120, note: 38, velocity: 110, channel: 9, durationTicks: 60 }] : [])]).flat(),
    });
    const primes = () => pulse(page, (p) => p.snapshot().log.entries.filter((e) => e.control.type === 'prime').length);
    const before = await primes();
    await page.setInputFiles('#prime-file', { name: 'groove.mid', mimeType: 'audio/midi', buffer: Buffer.from(groove) });
    await messageMatching(page, 'info', /primed from groove\.mid \(32 steps\)/);
    await until(page, (p, n) => p.snapshot().log.entries.filter((e) => e.control.type === 'prime').length > n, before);

    // a drop anywhere on the page
    await page.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'dropped.mid', { type: 'audio/midi' }));
      document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, [...groove]);
    await messageMatching(page, 'info', /primed from dropped\.mid/);
    await until(page, (p, n) => p.snapshot().log.entries.filter((e) => e.control.type === 'prime').length > n + 1, before);
    expect(await page.evaluate(() => document.body.classList.contains('dragging'))).toBe(false);

    await page.setInputFiles('#prime-file', { name: 'broken.mid', mimeType: 'audio/midi', buffer: Buffer.from('MThd, but then nothing a MIDI reader wants') });
    await messageMatching(page, 'error', /Prime: broken\.mid: not a readable MIDI file/);
    await keepsPlaying(page);
  }, LONG);

  it('a bad weights URL is shown in the page and the previous model keeps playing', async () => {
    const cases: [string, RegExp][] = [
      [`${fixtureBase}/missing/`, /Model: .*\/missing\/model\.json: HTTP 404/],
      [`${fixtureBase}/html-page/`, /Model: .*\/html-page\/model\.json: not valid JSON \(it looks like HTML, not model\.json\)/],
      [`${fixtureBase}/huge/model.json`, /Model: .*\/huge\/model\.json: weightsManifest\[0\]: tensor '.*' declares 536870912 elements \(shape \[65536,8192\]\), more than the \d+ allowed/],
    ];
    const url = await pulse(page, (p) => p.model()?.url);
    for (const [where, error] of cases) {
      await page.fill('#model-url', where);
      await page.click('#model-load');
      const shown = await messageMatching(page, 'error', error);
      expect(await page.locator('#messages .message.error', { hasText: shown.slice(0, 60) }).count()).toBeGreaterThan(0);
      expect(await pulse(page, (p) => p.model()?.url)).toBe(url);
      expect(await page.textContent('#model-name')).toBe('drums-expressive');
      await keepsPlaying(page);
    }
    expect(await pulse(page, (p) => p.running())).toBe(true);
    await page.fill('#model-url', 'weights/drums-expressive/');
  }, 120_000);

  it.skipIf(!haveFixture)('an RNBO export loads by URL and the page plays into it; a bad export is reported and changes nothing', async () => {
    await page.click('input[name=output][value=rnbo]');
    await page.fill('#rnbo-url', `${fixtureBase}/paffer.export.json`);
    await page.click('#rnbo-load');
    await until(page, (p) => p.output() === 'RNBO: paffer.export.json');
    expect(await page.textContent('#output-name')).toBe('RNBO: paffer.export.json');
    const sent = await pulse(page, (p) => p.sent().rnbo);
    await until(page, (p, n) => p.sent().rnbo > n + 10, sent);
    // and it sounds: the master bus carries the device's output
    await until(page, (p) => p.level() > 0.01);
    expect(await page.locator('#rnbo-params input[type=range]').count()).toBeGreaterThan(0);

    await page.fill('#rnbo-url', `${fixtureBase}/not-rnbo.json`);
    await page.click('#rnbo-load');
    await messageMatching(page, 'error', /RNBO: .*\/not-rnbo\.json is not an RNBO export: no "desc" or "src"/);
    await page.setInputFiles('#rnbo-file', { name: 'model.json', mimeType: 'application/json', buffer: readFileSync(join(ROOT, 'weights', 'drums-gmd', 'model.json')) });
    await messageMatching(page, 'error', /RNBO: model\.json is not an RNBO export/);
    expect(await pulse(page, (p) => p.output())).toBe('RNBO: paffer.export.json');
    const still = await pulse(page, (p) => p.sent().rnbo);
    await until(page, (p, n) => p.sent().rnbo > n + 10, still);

    await page.fill('#rnbo-url', `${fixtureBase}/paffer-1.3.4.export.json`);
    await page.click('#rnbo-load');
    await messageMatching(page, 'warn', /RNBO: .*paffer-1\.3\.4\.export\.json was exported with RNBO 1\.3\.4 but the runtime is @rnbo\/js 1\.4\.1/);
    await until(page, (p) => p.output() === 'RNBO: paffer-1.3.4.export.json');
    await keepsPlaying(page);

    await page.click('input[name=output][value=tone]');
    await until(page, (p) => p.output() === 'Tone.js kit');
    const tone = await pulse(page, (p) => p.sent().tone);
    await until(page, (p, n) => p.sent().tone > n + 10, tone);
  }, 120_000);

  it('the Web MIDI output explains a denied permission, and a machine with no ports', async () => {
    // this page was given no MIDI permission: headless Chromium denies it
    await page.click('input[name=output][value=midi]');
    await messageMatching(page, 'error', /Web MIDI: MIDI permission denied \(.+\)\. Allow MIDI for this page/);
    expect(await page.textContent('#midi-out')).toMatch(/MIDI unavailable/);
    expect(await pulse(page, (p) => p.output())).toBe('Tone.js kit');
    await keepsPlaying(page);
    await page.click('input[name=output][value=tone]');

    // granted: this machine has no MIDI ports (or no MIDI service at all); either is said plainly
    const granted = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await granted.grantPermissions(['midi', 'midi-sysex'], { origin: server.url.replace(/\/$/, '') });
    const other = await granted.newPage();
    try {
      await other.goto(server.url);
      await until(other, (p) => p?.ready());
      await other.click('input[name=output][value=midi]');
      await until(other, (p) => p.messages().some((m) => /^Web MIDI: /.test(m.text)));
      const said = (await pulse(other, (p) => p.messages())).filter((m) => /^Web MIDI: /.test(m.text)).map((m) => m.text);
      expect(said.join('\n')).toMatch(/no MIDI output ports found\. Connect a device or start a virtual port|Web MIDI could not start \(.+\)\. Check that the computer's MIDI service is running/);
      expect(said.join('\n')).not.toMatch(/permission denied/);
      expect(await pulse(other, (p) => p.output())).toBe(null);
    } finally {
      await granted.close();
    }
  }, LONG);

  it('saves the take as a MIDI file and a performance log that replays note for note', async () => {
    const clock = () => page.evaluate(() => {
      const d = new Date();
      const two = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}`;
    });
    const from = await clock();
    const [midiDownload] = await Promise.all([page.waitForEvent('download', { timeout: LONG }), page.click('#save-midi')]);
    const [secondTake] = await Promise.all([page.waitForEvent('download', { timeout: LONG }), page.click('#save-midi')]);
    const to = await clock();
    // the local date and minute, no seconds; a second take in the same minute gets its own name
    const name = /^pulse-rnn-(\d{4}-\d\d-\d\d-\d{4})(-\d+)?\.mid$/;
    const [first, second] = [midiDownload, secondTake].map((d) => name.exec(d.suggestedFilename()));
    expect(first, midiDownload.suggestedFilename()).not.toBeNull();
    expect(second, secondTake.suggestedFilename()).not.toBeNull();
    expect([from, to]).toContain(first![1]);
    expect(first![2]).toBeUndefined();
    expect(secondTake.suggestedFilename()).not.toBe(midiDownload.suggestedFilename());
    if (second![1] === first![1]) expect(second![2]).toBe('-2');
    const midi = readMidi(new Uint8Array(readFileSync(await midiDownload.path())), midiDownload.suggestedFilename());
    expect(midi.notes.length).toBeGreaterThan(20);
    expect(midi.notes.every((n) => n.channel === 9)).toBe(true);

    const [logDownload] = await Promise.all([page.waitForEvent('download', { timeout: LONG }), page.click('#save-log')]);
    expect(logDownload.suggestedFilename()).toMatch(/^pulse-rnn-drums-expressive-\d{4}-\d\d-\d\d-\d{4}(-\d+)?\.json$/);
    const saved = parseSessionLog(readFileSync(await logDownload.path(), 'utf8'), logDownload.suggestedFilename());
    expect(saved.session?.model).toBe('weights/drums-expressive');
    expect(saved.session?.tempos[0]).toEqual({ tick: 0, bpm: 80 });
    const kinds = new Set(saved.entries.map((e) => e.control.type));
    for (const k of ['edit', 'lock', 'unlock', 'temperature', 'density', 'pause', 'resume', 'prime', 'locate']) expect(kinds.has(k as never), `log holds a ${k}`).toBe(true);

    // the log and the steps played, at one instant, against a replay in Node
    const { log, played } = await pulse(page, (p) => p.snapshot());
    const spec = await loadModelSpec(join(ROOT, saved.session!.model));
    const again = new Generator(spec, log.options).replay(log);
    expect(again.length).toBe(log.ticks);
    expect(played.length).toBeGreaterThan(64);
    for (const s of played) expect(again[s.tick], `tick ${s.tick}`).toEqual(s);
  }, LONG);

  it('looks ready for a stage (screenshot in test-artifacts/web-page.png)', async () => {
    // the earlier tests' messages out of the way, then a fresh take with its note
    // in one go inside the page: dismissing one message re-renders the others
    await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('#messages .dismiss').forEach((b) => b.click()));
    // the new model is in place only once the page says so: until then the old one plays on, and
    // its ticks and steps would satisfy the waits below (on a busy machine the load takes seconds,
    // and a step picked from the old model's lookahead never comes)
    const loads = () => pulse(page, (p) => p.messages().filter((m) => /^drums-expressive loaded/.test(m.text)).reduce((n, m) => n + m.count, 0));
    const before = await loads();
    // a slow load, as on a busy machine: the weights are held until the old model has played on
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const weights = '**/weights/drums-expressive/*.bin';
    await page.route(weights, async (route) => {
      await held;
      await route.continue();
    });
    const ticks = await pulse(page, (p) => p.ticks());
    await page.click('#model-shipped');
    await until(page, (p, t) => p.ticks() >= t + 4, ticks);
    expect(await loads()).toBe(before);
    release();
    await until(page, (p, n) => p.messages().filter((m) => /^drums-expressive loaded/.test(m.text)).reduce((k, m) => k + m.count, 0) > n, before);
    await page.unroute(weights);
    expect(await loads()).toBe(before + 1);
    await until(page, (p) => p.ticks() >= 20);
    await page.click('#grid button.lock[data-voice="kick"]');
    await until(page, (p) => p.ticks() >= 40);
    // a step the performer wrote, still ahead when the picture is taken (a bar away at least)
    const { step } = await editAhead(page, 'snare');
    await page.waitForSelector(`#grid .cell.ed[data-step="${step}"]`, { timeout: LONG });
    await page.mouse.move(5, 895);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(problems).toEqual([]);
  }, LONG);

  // phones and tablets held by a performer: touch, portrait and sideways (a tablet sideways is
  // wider than the narrow layout's 1100 px, and still a finger's screen)
  for (const [width, height, minCell] of [[390, 844, 34], [360, 640, 34], [844, 390, 22], [820, 1180, 22], [1180, 820, 22]] as const) {
    it(`fits a ${width}×${height} touch screen: nothing off screen sideways, cells and buttons big enough to touch (test-artifacts/web-page-${width}.png)`, async () => {
      const small = await browser.newContext({ viewport: { width, height }, hasTouch: true, isMobile: true });
      const phone = await small.newPage();
      const errors: string[] = [];
      phone.on('pageerror', (e) => errors.push(e.message));
      try {
        await phone.goto(server.url);
        await until(phone, (p) => p?.ready());
        await phone.tap('#start');
        await until(phone, (p) => p.running() && p.ticks() >= 20);
        await phone.waitForSelector('#grid .cell.head', { timeout: LONG });
        const layout = await phone.evaluate(() => {
          const W = document.documentElement.clientWidth;
          const scroller = document.querySelector('.grid-scroll')!;
          // what lies inside the grid's own scroller may run past the screen: it scrolls
          const off = Array.from(document.querySelectorAll('body *'))
            .filter((e) => !scroller.contains(e) || e === scroller)
            .filter((e) => {
              const r = e.getBoundingClientRect();
              const s = getComputedStyle(e);
              return r.width > 0 && s.visibility !== 'hidden' && (r.left < -0.5 || r.right > W + 0.5);
            })
            .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${String(e.className).replace(/ /g, '.')}`);
          const size = (sel: string) => Array.from(document.querySelectorAll(sel)).map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
          const cut = Array.from(document.querySelectorAll('.voice-name')).filter((e) => e.scrollWidth > e.clientWidth + 0.5 || e.scrollHeight > e.clientHeight + 0.5).map((e) => e.textContent);
          const head = document.querySelector('#grid .cell.head')!.getBoundingClientRect();
          const view = scroller.getBoundingClientRect();
          return {
            W,
            pageWidth: document.documentElement.scrollWidth,
            off,
            cells: size('#grid .cell').map((r) => Math.min(r.width, r.height)),
            small: Array.from(document.querySelectorAll('button:not([hidden]), .segmented label, .file, input[type=number], input[type=url], select'))
              .filter((e) => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && Math.min(r.width, r.height) < 38;
              })
              .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${String(e.className).replace(/ /g, '.')} ${e.textContent?.trim().slice(0, 12)}`),
            cut,
            // a choice or a button whose text runs out of its box is cut where it is hidden
            clipped: Array.from(document.querySelectorAll('.segmented, .segmented label, button:not([hidden])'))
              .filter((e) => e.getBoundingClientRect().width > 0 && e.scrollWidth > e.clientWidth + 1)
              .map((e) => e.textContent?.trim().replace(/\s+/g, ' ')),
            headInView: head.left >= view.left - 0.5 && head.right <= view.right + 0.5,
          };
        });
        expect(layout.pageWidth, 'the page scrolls sideways').toBeLessThanOrEqual(layout.W);
        expect(layout.off, 'elements off screen').toEqual([]);
        expect(Math.min(...layout.cells), 'grid cells, px').toBeGreaterThanOrEqual(minCell);
        expect(layout.small, 'controls under 38 px').toEqual([]);
        expect(layout.cut, 'voice names cut').toEqual([]);
        expect(layout.clipped, 'choices and buttons cut').toEqual([]);
        expect(layout.headInView, 'the play head is in view').toBe(true);
        // a tap on an upcoming cell edits it, as a click does
        const { step } = await editAhead(phone, 'kick');
        expect((await pulse(phone, (p) => p.edits())).some((e) => e.step === step)).toBe(true);
        // two errors: the newest is readable in the status line (more than a word of it), with
        // the button to the others beside it, and the grid below does not move
        const gridTop = await phone.$eval('.grid-wrap', (e) => e.getBoundingClientRect().top + scrollY);
        await phone.fill('#seed', '1.5');
        await phone.press('#seed', 'Enter');
        await phone.fill('#bpm', String(valueArg('bpm').max + 1));
        await phone.press('#bpm', 'Enter');
        await phone.waitForSelector('#messages-all:not([hidden])', { timeout: LONG });
        const status = await phone.evaluate(() => {
          const text = document.querySelector('#messages .message .text') as HTMLElement;
          const css = getComputedStyle(text);
          // 'normal' line height is about 1.2 font sizes
          const lines = Math.max(1, Math.round(text.clientHeight / (parseFloat(css.lineHeight) || 1.2 * parseFloat(css.fontSize))));
          const newest = document.querySelector('#messages .message')!.getBoundingClientRect();
          const more = document.querySelector('#messages-all')!.getBoundingClientRect();
          return { shown: text.clientWidth * lines, W: document.documentElement.clientWidth, newestBottom: newest.bottom + scrollY, overlap: newest.right > more.left + 0.5, gridTop: document.querySelector('.grid-wrap')!.getBoundingClientRect().top + scrollY };
        });
        expect(status.shown, 'px of the newest message shown').toBeGreaterThanOrEqual(0.6 * status.W);
        expect(status.overlap, 'the newest message runs under the button to the others').toBe(false);
        expect(status.newestBottom, 'the newest message reaches over the grid').toBeLessThanOrEqual(status.gridTop + 0.5);
        expect(status.gridTop).toBe(gridTop);
        // scrolled down to the panels, the transport and the count are still in reach on top
        await phone.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
        await phone.waitForFunction(() => Math.abs(scrollY + innerHeight - document.documentElement.scrollHeight) < 2 && document.querySelector('#record-panel')!.getBoundingClientRect().top < innerHeight, null, { timeout: LONG });
        const reach = await phone.evaluate(() =>
          ['#start', '#pause', '#mute', '#position'].filter((sel) => {
            const r = document.querySelector(sel)!.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return !(r.top >= 0 && r.bottom <= innerHeight && hit?.closest(sel));
          }),
        );
        if (await phone.evaluate(() => document.documentElement.scrollHeight > innerHeight + 1)) expect(reach, 'out of reach when scrolled down').toEqual([]);
        await phone.evaluate(() => scrollTo(0, 0));
        mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
        const shot = join(ROOT, 'test-artifacts', `web-page-${width}.png`);
        await phone.screenshot({ path: shot });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
        expect(errors).toEqual([]);
      } finally {
        await small.close();
      }
    }, 120_000);
  }
});
