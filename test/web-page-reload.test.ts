// The page's step count across a model reload, in Chromium: the performer reads one count
// (bar.beat.step), and a new model goes on from it, also after a pause held the music while the
// clock ran on. Nothing here waits a fixed time: every check waits for a condition.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium } from './helpers/browser.js';
import { openServedPage, pageHook, type OpenPage } from './helpers/page-hook.js';
import { haveShared, sharedPath } from './helpers/shared.js';

const LONG = 90_000;
const PAFFER = 'fixtures/rnbo/paffer/paffer.rnbopat.export.json';

type Pulse = {
  ready(): boolean;
  running(): boolean;
  output(): string | null;
  step(): number;
  ticks(): number;
  played(): { step: number; tick: number }[];
  messages(): { level: string; text: string; count: number }[];
};

const { pulse, until } = pageHook<Pulse>(LONG);

const positionOf = (step: number) => `${Math.floor(step / 16) + 1}.${Math.floor((step % 16) / 4) + 1}.${(step % 4) + 1}`;
const loads = (page: Page) => pulse(page, (p) => p.messages().filter((m) => /^drums-expressive loaded/.test(m.text)).reduce((n, m) => n + m.count, 0));

describe.skipIf(!haveChromium())('the page\'s count across a model reload', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  let opened: OpenPage;

  beforeAll(async () => {
    opened = await openServedPage();
    ({ browser, page, problems } = opened);
  }, 180_000);

  afterAll(async () => {
    await opened?.close();
  });

  it('a model loaded while paused plays on from the step the pause held, as the counter shows it, not from where the clock ran on to', async () => {
    await page.click('#start');
    await until(page, (p) => p.ticks() >= 12);
    await page.click('#pause');
    // the pause has applied once a tick has passed that played nothing
    await until(page, (p) => p.ticks() >= (p.played().at(-1)?.tick ?? 0) + 2);
    const held = await pulse(page, (p) => p.step());
    // the clock runs on for more than a bar while the music is held
    const ticks = await pulse(page, (p) => p.ticks());
    await until(page, (p, t) => p.ticks() >= t + 20, ticks);
    expect(await pulse(page, (p) => p.step())).toBe(held);
    await page.waitForFunction((s) => document.querySelector('#position')?.textContent === s, positionOf(held - 1), { timeout: LONG });

    const before = await loads(page);
    await page.click('#model-shipped');
    await until(page, (p, n) => p.messages().filter((m) => /^drums-expressive loaded/.test(m.text)).reduce((k, m) => k + m.count, 0) > n, before);
    // still paused: the new model's next step is the held one, and the counter still reads it
    await until(page, (p) => p.ticks() >= 2);
    expect(await page.textContent('#state')).toBe('paused');
    expect(await pulse(page, (p) => p.step())).toBe(held);
    expect(await page.textContent('#position')).toBe(positionOf(held - 1));

    await page.click('#pause');
    await until(page, (p) => p.played().filter((s) => s.step >= 0).length >= 4);
    const steps = await pulse(page, (p) => p.played().filter((s) => s.step >= 0).map((s) => s.step));
    expect(steps.slice(0, 4)).toEqual([held, held + 1, held + 2, held + 3]);
    expect(problems).toEqual([]);
  }, LONG * 2);

  it('a model loaded while stopped starts from the top with the clock, at 1.1.1', async () => {
    if (!(await pulse(page, (p) => p.running()))) await page.click('#start');
    await until(page, (p) => p.played().filter((s) => s.step >= 0).length >= 4);
    await page.click('#start');
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'stopped', null, { timeout: LONG });
    const before = await loads(page);
    await page.click('#model-shipped');
    await until(page, (p, n) => p.messages().filter((m) => /^drums-expressive loaded/.test(m.text)).reduce((k, m) => k + m.count, 0) > n, before);
    await page.click('#start');
    await until(page, (p) => p.played().filter((s) => s.step >= 0).length >= 2);
    const steps = await pulse(page, (p) => p.played().filter((s) => s.step >= 0).map((s) => s.step));
    expect(steps.slice(0, 2)).toEqual([0, 1]);
    expect(problems).toEqual([]);
  }, LONG * 2);

  it.skipIf(!haveShared(PAFFER))('an output chosen while an RNBO device still loads is the one that plays: the device that arrives later does not take over', async () => {
    if (!(await pulse(page, (p) => p.running()))) await page.click('#start');
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const url = '**/held/paffer.export.json';
    await page.route(url, async (route) => {
      await held;
      await route.fulfill({ contentType: 'application/json', body: readFileSync(sharedPath(PAFFER), 'utf8') });
    });
    try {
      await page.click('input[name=output][value=rnbo]');
      await page.fill('#rnbo-url', 'held/paffer.export.json');
      await page.click('#rnbo-load');
      // the performer changes their mind while the device loads
      await page.click('input[name=output][value=tone]');
      await until(page, (p) => p.output() === 'Tone.js kit');
      release();
      // the device has arrived once the page says what became of it
      await page.waitForFunction(() => document.querySelector('#rnbo-load')?.getAttribute('aria-busy') === null, null, { timeout: LONG });
      const ticks = await pulse(page, (p) => p.ticks());
      await until(page, (p, t) => p.ticks() >= t + 4, ticks);
      expect(await pulse(page, (p) => p.output())).toBe('Tone.js kit');
      expect(await page.textContent('#output-name')).toBe('Tone.js kit');
      expect(await page.isChecked('input[name=output][value=tone]')).toBe(true);
      expect(await page.isHidden('#rnbo-sub')).toBe(true);
      expect(await pulse(page, (p) => p.messages().some((m) => /RNBO device from .*paffer\.export\.json loaded after another output was chosen: it is not used/.test(m.text)))).toBe(true);
    } finally {
      await page.unroute(url);
    }
    expect(problems).toEqual([]);
  }, LONG * 2);

  it('a MIDI clock input that opens after the performer went back to the internal clock is let go', async () => {
    // this machine has no MIDI ports: the browser's MIDI access is stood in for by one input that
    // sends nothing (the page, WEBMIDI.js and the clock follower are the real ones)
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(() => {
      const input = {
        id: 'fake-clock',
        name: 'Fake Clock',
        manufacturer: 'test',
        type: 'input',
        version: '1',
        state: 'connected',
        connection: 'closed',
        onmidimessage: null,
        onstatechange: null,
        open() {
          this.connection = 'open';
          return Promise.resolve(this);
        },
        close() {
          this.connection = 'closed';
          return Promise.resolve(this);
        },
        addEventListener() {},
        removeEventListener() {},
      };
      const access = { inputs: new Map([[input.id, input]]), outputs: new Map(), sysexEnabled: false, onstatechange: null, addEventListener() {}, removeEventListener() {} };
      Object.defineProperty(navigator, 'requestMIDIAccess', { value: () => Promise.resolve(access) });
    });
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const follower = '**/chunks/midi-clock-follower-*.js';
    try {
      await tab.route(follower, async (route) => {
        await held;
        await route.continue();
      });
      await tab.goto(opened.server.url);
      await until(tab, (p) => p?.ready());
      await tab.click('input[name=clock][value=midi]');
      await tab.waitForFunction(() => Array.from(document.querySelectorAll<HTMLOptionElement>('#midi-in option')).some((o) => o.value === 'Fake Clock'), null, { timeout: LONG });
      await tab.click('input[name=clock][value=internal]');
      release();
      // the follower has loaded once the page could have switched to it: its chunk is in
      await tab.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /midi-clock-follower-/.test(e.name)), null, { timeout: LONG });
      await tab.click('#start');
      await until(tab, (p) => p.ticks() >= 4);
      expect(await tab.evaluate(() => (window as unknown as { pulse: { clock(): string } }).pulse.clock())).toBe('Internal');
      expect(await tab.textContent('#clock-name')).toBe('Internal');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, LONG * 2);

  it('names the model by its folder however its URL is spelled (a query, a hash, doubled slashes, a full URL)', async () => {
    const cases: [string, string][] = [
      ['weights/drums-gmd/?v=2', 'drums-gmd'],
      ['weights/drums-gmd/model.json?v=2#top', 'drums-gmd'],
      ['weights//drums-gmd//', 'drums-gmd'],
      ['weights/drums-gmd#x', 'drums-gmd'],
      [`${opened.server.url}weights/drums-gmd/model.json`, 'drums-gmd'],
      ['weights/drums-gmd/', 'drums-gmd'],
    ];
    for (const [url, name] of cases) {
      await page.fill('#model-url', url);
      await page.press('#model-url', 'Enter');
      // loaded once the page plays the model from this URL (messages may be merged or dropped)
      await until(page, (p, u) => (p as unknown as { model(): { url: string } | null }).model()?.url === u, url);
      expect(await page.textContent('#model-name'), url).toBe(name);
      expect(await pulse(page, (p) => p.messages().filter((m) => m.level === 'error').map((m) => m.text))).toEqual([]);
    }
    expect(problems).toEqual([]);
  }, LONG * 2);
});
