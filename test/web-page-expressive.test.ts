// The performer's page playing an expressive drum model (drum-expressive) in headless Chromium,
// at a desktop's width and at a phone's: the grid draws the hits ahead of the play head with
// the velocity and offset they then play at, each voice has its velocity-scale slider beside
// dynamics and timing, and a take whose first hit is early keeps every hit on its grid line.
// The model is a small one with seeded random weights, exported as the trainer exports one.
// Nothing here waits a fixed time: every check waits for a condition.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { serve, type RunningServer } from '../src/hosts/serve.js';
import { readMidi } from '../src/io/midi-read.js';
import { control, scaleArg } from '../src/music/controls.js';
import { DRUM_CLASSES } from '../src/music/drum-map.js';
import { Generator, type StepCopy } from '../src/music/generator.js';
import { exportLayersModel } from '../src/train/export.js';
import { expressiveMeta, expressiveShape } from '../src/train/expressive-task.js';
import { RnnModel } from '../src/train/rnn-model.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { buildPage, pageHook } from './helpers/page-hook.js';
import { TempDirs, useCpuBackend } from './helpers/tfjs-models.js';

const LONG = 120_000;
const META = expressiveMeta({ stepsPerQuarter: 4, stepsPerBar: 16 } as Parameters<typeof expressiveMeta>[0]);

type Pulse = {
  ready(): boolean;
  model(): { name: string } | null;
  step(): number;
  ticks(): number;
  running(): boolean;
  played(): StepCopy[];
  output(): string | null;
  sent(): { tone: number };
  settings(): { velocityScales: number[]; dynamics: number; timing: number };
  applied(): { velocityScales: number[] };
  snapshot(): { log: { entries: { control: { type: string; voice?: number; value?: number } }[] } };
};
const { pulse, until } = pageHook<Pulse>(LONG);

/** A hit cell as the grid draws it. */
interface Look {
  row: number;
  step: number;
  classes: string;
  vel: string;
  off: string;
}

/** The hit cells the grid draws now: the hollow ones ahead of the play head (`u`), or those played (`p`). */
const hitCells = (page: Page, kind: 'u' | 'p'): Promise<Look[]> =>
  page.$$eval(`#grid .cell.${kind}.hit`, (cells) =>
    (cells as HTMLElement[]).map((c) => ({ row: Number(c.dataset.row), step: Number(c.dataset.step), classes: c.className, vel: c.style.getPropertyValue('--vel'), off: c.style.getPropertyValue('--off') })),
  );

/** The page's generator at its starting values: what it plays from step 0. */
const firstStep = (spec: ModelSpec): StepCopy => {
  const g = new Generator(new Network(spec), { lookahead: 16, historyLength: 128 });
  const r = g.tick();
  return { ...r, notes: r.notes.slice(0, r.count), releases: [] };
};

describe.skipIf(!haveChromium())('the page playing an expressive drum model', () => {
  const dirs = new TempDirs();
  let server: RunningServer;
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    expect(await useCpuBackend()).toBe(true);
    // a model whose first step, at the page's starting seed, plays a hit early: the take's test needs one
    let model: RnnModel | null = null;
    for (let seed = 1; seed < 40 && !model; seed++) {
      const m = new RnnModel(expressiveShape(16, 1), seed, 1e-2);
      if (firstStep(m.toSpec(META)).notes.some((n) => n.offset < -0.1)) model = m;
      else m.dispose();
    }
    if (!model) throw new Error('no seed in 1..39 gives a model whose first step has a hit early by a tenth of a step');
    const dir = join(await dirs.make('pulse-web-expressive-'), 'expressive drums');
    mkdirSync(dir);
    await exportLayersModel(model, META, dir);
    model.dispose();
    await buildPage();
    server = await serve({ port: 0, model: dir });
    url = `${server.url}?model=${encodeURIComponent(server.modelPath as string)}`;
    browser = await launchChromium();
  }, LONG);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await dirs.cleanup();
  });

  /** Run `play` on a fresh page at `width` px with the model loaded; the page must raise no error. */
  async function onPage(width: number, play: (page: Page) => Promise<void>): Promise<void> {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 700, hasTouch: width < 700, acceptDownloads: true });
    try {
      const page = await ctx.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(url);
      await until(page, (p) => p?.ready() && p.model()?.name === 'expressive drums');
      await play(page);
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }

  for (const width of [1440, 390]) {
    it(`at ${width} px the grid draws each hit ahead with the velocity and offset it then plays at`, () =>
      onPage(width, async (page) => {
        await page.click('#start');
        await until(page, (p) => p.ticks() >= 3);
        // the steps just ahead, in one frame's drawing
        const next = await pulse(page, (p) => p.step());
        const ahead = (await hitCells(page, 'u')).filter((c) => c.step >= next && c.step < next + 8);
        expect(ahead.length).toBeGreaterThan(5);
        for (const c of ahead) expect(c.classes, `row ${c.row} step ${c.step}`).toMatch(/\bfelt\b/);
        expect(new Set(ahead.map((c) => c.vel)).size).toBeGreaterThan(2);
        expect(ahead.some((c) => Number(c.off) < 0)).toBe(true);
        // once they have played, each is drawn as it was forecast
        const last = Math.max(...ahead.map((c) => c.step));
        await until(page, (p, s) => p.step() > s, last);
        await page.click('#start');
        const played = new Map((await hitCells(page, 'p')).map((c) => [`${c.row} ${c.step}`, c]));
        for (const c of ahead) {
          const now = played.get(`${c.row} ${c.step}`);
          expect(now, `row ${c.row} step ${c.step} played`).toBeDefined();
          expect([now?.vel, now?.off], `row ${c.row} step ${c.step}`).toEqual([c.vel, c.off]);
        }
        // through the Tone.js kit, each hit at its own velocity (the kit's gain follows it)
        expect(await pulse(page, (p) => p.output())).toBe('Tone.js kit');
        expect(await pulse(page, (p) => p.sent().tone)).toBeGreaterThan(10);
        const velocities = new Set((await pulse(page, (p) => p.played())).flatMap((s) => s.notes.map((n) => n.velocity)));
        expect(velocities.size).toBeGreaterThan(3);
      }), LONG);
  }

  it('has a velocity-scale slider per voice from the control table, beside dynamics and timing, and a drag reaches the generator', () =>
    onPage(1440, async (page) => {
      for (const id of ['dynamics', 'timing']) expect(await page.isVisible(`#${id}`), id).toBe(true);
      const a = scaleArg();
      expect(await page.textContent('#scales h2')).toBe(control('velocityScale').label);
      for (const voice of DRUM_CLASSES) {
        const input = page.locator(`#scale-${voice}`);
        expect(await input.isVisible(), voice).toBe(true);
        expect(await input.evaluate((e: HTMLInputElement) => [e.min, e.max, e.step, e.value].map(Number)), voice).toEqual([a.min, a.max, a.step, a.default]);
      }
      await page.$eval('#scale-closed-hat', (e) => {
        (e as HTMLInputElement).value = '0.5';
        e.dispatchEvent(new Event('input', { bubbles: true }));
      });
      const hat = DRUM_CLASSES.indexOf('closed-hat');
      await until(page, (p, i) => p.settings().velocityScales[i] === 0.5, hat);
      expect(await page.textContent('label[for="scale-closed-hat"] ~ output')).toBe('0.50');
      await page.click('#start');
      await until(page, (p, i) => p.applied().velocityScales[i] === 0.5, hat);
      const log = await pulse(page, (p) => p.snapshot().log);
      expect(log.entries.map((e) => e.control)).toContainEqual({ type: 'velocityScale', voice: hat, value: 0.5 });
    }), LONG);

  it('a take whose first hit is early starts at its first step\'s line: every hit keeps its place on the grid', () =>
    onPage(1440, async (page) => {
      await page.click('#start');
      await until(page, (p) => p.ticks() >= 24);
      await page.click('#start');
      const played = (await pulse(page, (p) => p.played())).filter((s) => s.step >= 0);
      expect(played[0].step).toBe(0);
      expect(played[0].notes.some((n) => n.offset < -0.1)).toBe(true);
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: LONG }), page.click('#save-midi')]);
      const midi = readMidi(new Uint8Array(readFileSync(await download.path())), download.suggestedFilename());
      const perStep = midi.ticksPerQuarter / 4;
      expect(midi.notes.length).toBeGreaterThan(20);
      // where each hit belongs: its step's line plus its offset, from step 0's line (an early first hit at tick 0)
      const expected = played.flatMap((s) => s.notes.map((n) => ({ note: n.note, velocity: n.velocity, tick: Math.max(0, Math.round((s.step + n.offset) * perStep)) })));
      const placed = midi.notes.filter((n) => expected.some((e) => e.note === n.note && e.velocity === n.velocity && Math.abs(e.tick - n.tick) <= 2));
      // a step the page's timer handed out late sends its notes at once (Player.lateNotes), off their
      // place: a busy machine may do that to a few, and a take moved by its first hit moves them all
      const astray = midi.notes.filter((n) => !placed.includes(n)).map((n) => `note ${n.note} at tick ${n.tick} velocity ${n.velocity}`);
      expect(placed.length, `${astray.length} astray: ${astray.slice(0, 6).join('; ')}`).toBeGreaterThan(0.8 * midi.notes.length);
      expect(midi.notes.filter((n) => n.tick === 0).length).toBeGreaterThan(0);
    }), LONG);
});
