// The page joined to a terminal's performance of two parts (?live=1), in headless Chromium: a
// LiveSession of drums and a melodic part named keys on one internal clock, its socket on the
// page's own server. The drum grid shows the drums' steps alone; the keys have a piano-roll lane
// of their own with the steps they played and the bar ahead; a click on a cell ahead there edits
// the keys' step in the terminal's performance, which then plays it. Every check waits for a
// state, never a fixed time.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { LiveSession } from '../src/hosts/live-session.js';
import { attachLive, type LiveSocket } from '../src/hosts/live-socket.js';
import { serve, type RunningServer } from '../src/hosts/serve.js';
import type { StepCopy } from '../src/music/generator.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { drumGridSpec, melodySpec } from './helpers/models.js';
import { buildPage, pageHook } from './helpers/page-hook.js';

const LONG = 60_000;

interface Hook {
  ready(): boolean;
  model(): { name: string } | null;
  played(): StepCopy[];
}
const { pulse, until } = pageHook<Hook>(LONG);

describe.skipIf(!haveChromium())("the page joined to a performance of drums and keys (?live=1)", () => {
  let server: RunningServer;
  let session: LiveSession;
  let live: LiveSocket;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await buildPage();
    server = await serve({ port: 0 });
    session = new LiveSession({ spec: drumGridSpec(3), clock: new InternalClock({ bpm: 240 }), sinks: [], seed: 11, density: 2, grid: false, lookahead: 16, print: () => {}, parts: [{ name: 'keys', spec: melodySpec(5), channel: 2, sinks: [], seed: 4 }] });
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

  const keys = () => session.parts.find((p) => p.name === 'keys')!.generator;

  it("draws the drums' steps in the grid and the keys' in a piano roll of their own", async () => {
    await page.waitForSelector('#part-lane-keys .roll .cell', { timeout: LONG });
    await until(page, (p) => p.played().length >= 24);
    // the grid's steps are the drums' alone, note for note
    const mine = await pulse(page, (p) => p.played());
    const drums = new Map(session.generator.played().map((s) => [s.step, s.notes.map((n) => n.note)]));
    const both = mine.filter((s) => drums.has(s.step));
    expect(both.length).toBeGreaterThanOrEqual(16);
    for (const s of both) expect(s.notes.map((n) => n.note), `step ${s.step}`).toEqual(drums.get(s.step));
    // the keys' lane: every note the keys played on screen struck on its pitch's row
    const struck = await page.$$eval('#part-lane-keys .roll .cell.p.start', (cells) => cells.map((c) => [Number((c as HTMLElement).dataset.step), Number((c as HTMLElement).dataset.pitch)] as [number, number]));
    const played = new Map(keys().played().map((s) => [s.step, s.notes.map((n) => n.note)]));
    const checked = struck.filter(([step]) => played.has(step));
    expect(checked.length).toBeGreaterThan(4);
    for (const [step, pitch] of checked) expect(played.get(step), `step ${step}`).toContain(pitch);
    expect(await page.$$eval('#part-lane-keys .roll .cell.u', (c) => c.length)).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, LONG);

  it("a click on a keys cell ahead edits that step of the terminal's keys, which then play it", async () => {
    // paused, the keys' steps stand still: the column stays put while it is clicked
    session.partCommand('keys', 'pause', []);
    await vi.waitFor(() => expect(keys().paused).toBe(true), { timeout: LONG, interval: 50 });
    const at = keys().step + 3;
    const there = keys().upcoming().find((u) => u.step === at)?.notes ?? [];
    // a pitch neither struck there nor shown sounding there (a note held into it): a click on a sounding pitch takes it out
    const shown = await page.$$eval(`#part-lane-keys .roll .cell.on[data-step="${at}"]`, (cells) => cells.map((c) => Number((c as HTMLElement).dataset.pitch)));
    const pitch = [64, 67, 62, 60, 65].find((p) => !there.includes(p) && !shown.includes(p)) as number;
    await page.click(`#part-lane-keys .roll .cell[data-step="${at}"][data-pitch="${pitch}"]`);
    await vi.waitFor(() => expect(keys().edits).toContainEqual({ step: at, notes: [pitch] }), { timeout: LONG, interval: 50 });
    session.partCommand('keys', 'resume', []);
    await vi.waitFor(() => expect(keys().step).toBeGreaterThan(at), { timeout: LONG, interval: 50 });
    expect(keys().played().find((s) => s.step === at)?.notes.map((n) => n.note)).toEqual([pitch]);
    expect(problems).toEqual([]);
  }, LONG);
});
