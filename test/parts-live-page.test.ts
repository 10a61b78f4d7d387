// The page joined to the terminal's drums (?live=1), in headless Chromium: its Keys button brings
// the shipped chord model into the terminal's performance at the drums' next bar line; the keys'
// lane appears and fills with the steps the keys play, Start sounds them through the page's synth;
// pressed again, the keys leave the performance, the lane goes and every key is let go. Every
// check waits for a state, never a fixed time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { LiveSession } from '../src/hosts/live-session.js';
import { attachLive, type LiveSocket } from '../src/hosts/live-socket.js';
import { serve, type RunningServer } from '../src/hosts/serve.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { drumGridSpec } from './helpers/models.js';
import { buildPage, pageHook } from './helpers/page-hook.js';

const LONG = 60_000;

interface Hook {
  ready(): boolean;
  running(): boolean;
  synthSounding(): number;
  messages(): { text: string }[];
}
const { pulse, until } = pageHook<Hook>(LONG);

describe.skipIf(!haveChromium())("the live page's Keys button (?live=1)", () => {
  let server: RunningServer;
  let session: LiveSession;
  let live: LiveSocket;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await buildPage();
    server = await serve({ port: 0 });
    session = new LiveSession({ spec: drumGridSpec(3), clock: new InternalClock({ bpm: 240 }), sinks: [], seed: 11, density: 2, grid: false, lookahead: 16, print: () => {} });
    live = attachLive({ session, server, model: { path: null, name: 'drum test' }, sound: `the page at ${server.url}`, pageSounds: true, print: () => {}, quietMs: 50 });
    session.start();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${server.url}?live=1`);
    await until(page, (p) => p.ready());
  }, LONG);

  afterAll(async () => {
    await browser?.close();
    await session?.quit();
    await live?.close();
    await server?.close();
  });

  it('brings the keys into the terminal\'s performance at the next bar line; their lane fills with the steps they play, and Start sounds them', async () => {
    const button = page.locator('#keys-add');
    expect(await button.isVisible()).toBe(true);
    expect(await button.getAttribute('aria-pressed')).toBe('false');
    await button.click();
    await page.waitForSelector('#part-lane-keys .roll .cell.p.start', { timeout: LONG });
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    const keys = session.parts.find((p) => p.name === 'keys')!;
    expect(keys.channel).toBe(1);
    // on the drums' bar line: the keys' first step (a quarter) is the drums' step that begins a bar
    expect(keys.clock.from % 16).toBe(0);
    const first = keys.generator.played()[0];
    expect(first.step * 4).toBe(keys.clock.from);
    // every key struck in the lane is one the keys played at that step
    await page.waitForFunction(() => document.querySelectorAll('#part-lane-keys .roll .cell.p.start').length >= 6, undefined, { timeout: LONG, polling: 100 });
    const struck = await page.$$eval('#part-lane-keys .roll .cell.p.start', (cells) => cells.map((c) => [Number((c as HTMLElement).dataset.step), Number((c as HTMLElement).dataset.pitch)] as [number, number]));
    const played = new Map(keys.generator.played().map((s) => [s.step, s.notes.map((n) => n.note)]));
    const checked = struck.filter(([step]) => played.has(step));
    expect(checked.length).toBeGreaterThan(2);
    for (const [step, pitch] of checked) {
      expect(step * 4).toBeGreaterThanOrEqual(keys.clock.from);
      expect(played.get(step), `step ${step}`).toContain(pitch);
    }
    expect((await pulse(page, (p) => p.messages())).map((m) => m.text).join('\n')).toMatch(/keys: chords-jsb .*MIDI channel 1/);
    await page.click('#start');
    await until(page, (p) => p.running() && p.synthSounding() > 0);
    expect(problems).toEqual([]);
  }, LONG);

  it('pressed again, takes the keys out: the lane goes and the page lets every key go', async () => {
    await page.click('#keys-add');
    await page.waitForSelector('#part-lane-keys', { state: 'detached', timeout: LONG });
    expect(session.parts.map((p) => p.name)).toEqual(['drums']);
    expect(await page.locator('#keys-add').getAttribute('aria-pressed')).toBe('false');
    await until(page, (p) => p.synthSounding() === 0);
    expect(problems).toEqual([]);
  }, LONG);
});
