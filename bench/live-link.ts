/**
 * The performance's WebSocket on loopback (`pulse-rnn start`'s pages): how long a page's control
 * takes to sound, and how steady the steps arrive at a page that plays them.
 *
 * - controlToStep: from a control sent by a page (a `ws` client in this process, so one clock
 *   measures both ends) to the start of the first step that plays with it, in ms. A control
 *   applies at the next step the generator plays, and the clock hands steps out ahead of their
 *   time, so this is at least the lead of a step and at most that plus a step.
 * - settingsEcho: from the same control to the `settings` message every page gets, in ms.
 * - arrivals (Node client and Chromium page): each step's start as the receiver reads it on
 *   arrival ("seconds until" + its own clock) less the step's start on the performance's clock,
 *   drift fitted out: the spread is how far a step placed by its own arrival would wander.
 * - placed (Chromium page): the same for the steps as the page places them (by the least
 *   delayed recent arrival, plus MARGIN): the jitter of the page's notes against their intended
 *   times; `late` counts notes that arrived after their time all the same.
 *
 * Needs the built page (`npm run build`) and Chromium for the page part (skipped without it).
 * Prints JSON and writes bench/results/live-link.json.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import type { ServerMessage, StepMessage } from '../src/hosts/live-protocol.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { attachLive } from '../src/hosts/live-socket.js';
import { serve } from '../src/hosts/serve.js';
import { MARGIN } from '../src/hosts/web/remote-stage.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { chromium } from 'playwright-core';
import { percentiles, writeResult } from './stats.js';

const BPM = 120;
const CONTROLS = 60;
const PAGE_SECONDS = 20;
const CHROMIUM = process.env.PULSE_RNN_CHROMIUM ?? '/usr/bin/chromium';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!existsSync(resolve('dist/web/index.html'))) throw new Error('dist/web/index.html not found: npm run build first');
  const spec = await loadModelSpec('weights/drums-expressive');
  const server = await serve({ port: 0 });
  const clock = new InternalClock({ bpm: BPM, pulsesPerStep: 6 });
  const session = new LiveSession({ spec, clock, sinks: [], seed: 5, grid: false, lookahead: 16, print: () => {} });
  const live = attachLive({ session, server, model: { path: 'weights/drums-expressive/', name: 'drums-expressive' }, sound: 'the page', pageSounds: true, print: () => {} });
  session.start();

  // ---- a page's control to the step that plays it, through a Node client ----
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/live`, { origin: `http://127.0.0.1:${server.port}` });
  await new Promise((ok) => ws.once('open', ok));
  const arrivals: number[] = [];
  let pending: { value: number; sent: number; echo?: number } | null = null;
  const toStep: number[] = [];
  const echo: number[] = [];
  ws.on('message', (data) => {
    const now = performance.now();
    const m = JSON.parse(String(data)) as ServerMessage;
    if (m.type === 'step') {
      arrivals.push(now / 1000 + m.in - (m as StepMessage).time);
      if (pending && m.applied.temperature === pending.value) {
        toStep.push(now + m.in * 1000 - pending.sent);
        pending = null;
      }
    }
    if (m.type === 'settings' && pending && pending.echo === undefined && m.settings.temperature === pending.value) echo.push((pending.echo = now - pending.sent));
  });
  await sleep(500);
  for (let i = 0; i < CONTROLS; i++) {
    const value = i % 2 === 0 ? 1.25 : 0.75;
    // sent at a random moment within a step, as a performer's hand is
    await sleep(150 + Math.random() * 125);
    pending = { value, sent: performance.now() };
    ws.send(JSON.stringify({ type: 'control', name: 'temperature', args: [value] }));
    while (pending) await sleep(5);
  }
  const nodeSpread = (Math.max(...arrivals) - Math.min(...arrivals)) * 1000;

  // ---- a Chromium page playing the steps through its kit ----
  let page: Record<string, unknown> = { skipped: `no Chromium at ${CHROMIUM}` };
  if (existsSync(CHROMIUM)) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'] });
    try {
      const tab = await browser.newPage();
      await tab.goto(`${server.url}?live=1`);
      await tab.waitForFunction(() => (window as unknown as { pulse: { ready(): boolean } }).pulse.ready(), null, { timeout: 60_000 });
      await tab.click('#start');
      await sleep(PAGE_SECONDS * 1000);
      const got = await tab.evaluate(() => {
        const p = (window as unknown as { pulse: { live(): object; sent(): { tone: number } } }).pulse;
        return { ...p.live(), notesPlayed: p.sent().tone };
      });
      page = { ...Object.fromEntries(Object.entries(got).map(([k, v]) => [k, typeof v === 'number' ? +v.toFixed(2) : v])), marginMs: MARGIN * 1000 };
    } finally {
      await browser.close();
    }
  }
  ws.close();
  await session.quit();
  await live.close();
  await server.close();

  const stepMs = 60_000 / BPM / 4;
  writeResult('live-link', {
    what: "pulse-rnn start's WebSocket on loopback: a page's control to the step that sounds with it, and how steady steps arrive",
    bpm: BPM,
    stepMs,
    controlToStepMs: percentiles(toStep),
    settingsEchoMs: percentiles(echo),
    nodeClientArrivals: { steps: arrivals.length, spreadMs: +nodeSpread.toFixed(2) },
    page,
  });
}

await main();
