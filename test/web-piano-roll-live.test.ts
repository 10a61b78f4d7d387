// The page joined to a terminal's performance of two parts (?live=1), in headless Chromium: a
// LiveSession of drums and a melodic part named keys on one internal clock, its socket on the
// page's own server. The drum grid shows the drums' steps alone; the keys have a piano-roll lane
// of their own with the steps they played and the bar ahead; a click on a cell ahead there edits
// the keys' step in the terminal's performance, which then plays it. A chord model as the first
// part has such a lane in place of the grid. Every check waits for a state, never a fixed time.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { LiveSession } from '../src/hosts/live-session.js';
import { attachLive } from '../src/hosts/live-socket.js';
import { serve } from '../src/hosts/serve.js';
import type { StepCopy } from '../src/music/generator.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { drumGridSpec, melodySpec } from './helpers/models.js';
import { buildPage, pageHook } from './helpers/page-hook.js';

const LONG = 60_000;

interface Hook {
  ready(): boolean;
  running(): boolean;
  synthSounding(): number;
  model(): { name: string } | null;
  played(): StepCopy[];
}
const { pulse, until } = pageHook<Hook>(LONG);
/** A state the page or the session reaches in well under a second, waited for with room to spare. */
const WAIT = 15_000;

/** A performance's socket on the page's own server, the session started, and a page in headless Chromium joined to it. */
async function join(session: LiveSession, name: string) {
  await buildPage();
  const server = await serve({ port: 0 });
  const live = attachLive({ session, server, model: { path: null, name }, sound: `the page at ${server.url}`, pageSounds: true, print: () => {}, quietMs: 50 });
  session.start();
  const browser = await launchChromium();
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.url}?live=1`);
  await until(page, (p) => p.ready());
  return { page, problems, close: async () => (await browser.close(), await session.quit(), await live.close(), await server.close()) };
}

/** Every note a lane shows struck was struck there by `gen` (more than four checked), and the lane shows steps ahead. */
async function expectStruckAsPlayed(page: Page, lane: string, gen: Pick<LiveSession['generator'], 'played'>): Promise<void> {
  const struck = await page.$$eval(`${lane} .roll .cell.p.start`, (cells) => cells.map((c) => [Number((c as HTMLElement).dataset.step), Number((c as HTMLElement).dataset.pitch)] as [number, number]));
  const played = new Map(gen.played().map((s) => [s.step, s.notes.map((n) => n.note)]));
  const checked = struck.filter(([step]) => played.has(step));
  expect(checked.length).toBeGreaterThan(4);
  for (const [step, pitch] of checked) expect(played.get(step), `step ${step}`).toContain(pitch);
  expect(await page.$$eval(`${lane} .roll .cell.u`, (c) => c.length)).toBeGreaterThan(0);
}

describe.skipIf(!haveChromium())("the page joined to a performance of drums and keys (?live=1)", () => {
  let session: LiveSession;
  let page: Page;
  let problems: string[];
  let close: () => Promise<unknown>;

  beforeAll(async () => {
    session = new LiveSession({ spec: drumGridSpec(3), clock: new InternalClock({ bpm: 240 }), sinks: [], seed: 11, density: 2, grid: false, lookahead: 16, print: () => {}, parts: [{ name: 'keys', spec: melodySpec(5), channel: 2, sinks: [], seed: 4 }] });
    ({ page, problems, close } = await join(session, 'drum test'));
  }, LONG);

  afterAll(() => close?.());

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
    await expectStruckAsPlayed(page, '#part-lane-keys', keys());
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

// A performance whose first part is the shipped chord model, weights/chords-jsb, alone: it plays
// in a piano-roll lane in place of the drum grid, the pitches the session struck on their rows; a
// click on a silent cell ahead edits the session's step, the lane's Lock locks the part and Clear
// edit takes the edit back.
describe.skipIf(!haveChromium())('the page joined to a performance whose first part is a chord model (?live=1)', () => {
  let session: LiveSession;
  let page: Page;
  let problems: string[];
  let close: () => Promise<unknown>;

  beforeAll(async () => {
    const spec = await loadModelSpec('weights/chords-jsb');
    session = new LiveSession({ spec, clock: new InternalClock({ bpm: 240 }), sinks: [], seed: 7, grid: false, lookahead: 8, print: () => {} });
    ({ page, problems, close } = await join(session, 'chords-jsb'));
  }, LONG);

  afterAll(() => close?.());

  const chords = () => session.generator;
  /** The pitches the lane shows sounding at `step`. */
  const shownAt = (step: number) => page.$$eval(`#roll-lane .roll .cell.on[data-step="${step}"]`, (cells) => cells.map((c) => Number((c as HTMLElement).dataset.pitch)));

  it('draws its steps in a piano roll in place of the drum grid, each struck pitch on its row', async () => {
    await page.waitForSelector('#roll-lane .roll .cell', { timeout: LONG });
    await until(page, (p) => p.played().filter((s) => s.notes.length > 0).length >= 4);
    expect(await page.isHidden('#grid-wrap')).toBe(true);
    expect(await page.isVisible('#roll-lane')).toBe(true);
    await expectStruckAsPlayed(page, '#roll-lane', chords());
    expect(problems).toEqual([]);
  }, LONG);

  it("a click on a silent cell ahead edits the session's step, which then plays it; Lock and Clear edit reach the part, and Start sounds it", async () => {
    // paused, the steps stand still: the column stays put while it is clicked
    session.pause();
    await vi.waitFor(() => expect(chords().paused).toBe(true), { timeout: WAIT, interval: 50 });
    const at = chords().step + 2;
    await page.waitForSelector(`#roll-lane .roll .cell.u[data-step="${at}"]`, { timeout: WAIT });
    // silent at the step and the one before: it is struck there, not held into it
    const shown = [...(await shownAt(at)), ...(await shownAt(at - 1))];
    const pitch = [64, 67, 62, 60, 65, 69, 71].find((p) => !shown.includes(p)) as number;
    await page.click(`#roll-lane .roll .cell[data-step="${at}"][data-pitch="${pitch}"]`);
    await vi.waitFor(() => expect(chords().edits.find((e) => e.step === at)?.notes).toContain(pitch), { timeout: WAIT, interval: 50 });
    await page.click('#roll-lane .lane-lock');
    await vi.waitFor(() => expect(chords().locks.map((l) => l.voice)).toContain('chords'), { timeout: WAIT, interval: 50 });
    session.unlock('chords');
    await vi.waitFor(() => expect(chords().locks).toEqual([]), { timeout: WAIT, interval: 50 });
    await page.click('#roll-lane .lane-clear');
    await vi.waitFor(() => expect(chords().edits.some((e) => e.step === at)).toBe(false), { timeout: WAIT, interval: 50 });
    // written again, and played
    await page.waitForSelector(`#roll-lane .roll .cell[data-step="${at}"][data-pitch="${pitch}"]:not(.on)`, { timeout: WAIT });
    await page.click(`#roll-lane .roll .cell[data-step="${at}"][data-pitch="${pitch}"]`);
    await vi.waitFor(() => expect(chords().edits.find((e) => e.step === at)?.notes).toContain(pitch), { timeout: WAIT, interval: 50 });
    session.resume();
    await vi.waitFor(() => expect(chords().step).toBeGreaterThan(at), { timeout: WAIT, interval: 50 });
    expect(chords().played().find((s) => s.step === at)?.notes.map((n) => n.note)).toContain(pitch);
    // Start: its chords sound through the page's synth
    await page.click('#start');
    await until(page, (p) => p.running() && p.synthSounding() > 0);
    expect(problems).toEqual([]);
  }, LONG);
});
