// The performer's page playing a melodic model (melody-grid) in headless Chromium, at a
// desktop's width and at a phone's: a piano roll in place of the drum grid shows each note on
// its pitch row over the steps it sounds, the steps played and the lookahead; a click on a cell
// ahead writes that pitch at that step, which then plays, and the model goes on from it (the
// page's log replays in Node note for note); Clear edit takes written steps back.
// The model is a small one with seeded random weights, exported as the trainer exports one.
// Nothing here waits a fixed time: every check waits for a condition.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSpec } from '../src/io/model-files.js';
import { Generator, type PerformanceLog, type StepCopy } from '../src/music/generator.js';
import { haveChromium } from './helpers/browser.js';
import { MELODY_HIGH, MELODY_LOW, writeMelodyModel } from './helpers/melody-model.js';
import { onFreshPage, serveWithModel, type ServedModel } from './helpers/fresh-page.js';
import { pageHook } from './helpers/page-hook.js';
import { ROOT } from './helpers/shared.js';
import { TempDirs } from './helpers/tfjs-models.js';

const LONG = 120_000;

type Pulse = {
  ready(): boolean;
  model(): { name: string; encoding: string } | null;
  step(): number;
  ticks(): number;
  played(): StepCopy[];
  upcoming(): { step: number; notes: number[] }[];
  rollEdits(): { step: number; notes: (number | string)[] }[];
  rollLocks(): { voice: string; from: number }[];
  snapshot(): { log: PerformanceLog; played: StepCopy[] };
};
const { pulse, until } = pageHook<Pulse>(LONG);

interface RollCell {
  step: number;
  pitch: number;
  classes: string;
}

/** Every cell of the roll with the step it shows, after the next two frames have drawn. */
async function rollCells(page: Page): Promise<RollCell[]> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.$$eval('#roll-lane .roll .cell', (cells) => cells.map((c) => ({ step: Number((c as HTMLElement).dataset.step), pitch: Number((c as HTMLElement).dataset.pitch), classes: c.className })));
}

/** What sounds through each played step of a chord part, from its notes and releases alone. */
function chordSounding(played: readonly StepCopy[]): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  const sounding = new Set<number>();
  for (const s of played) {
    for (const r of s.releases) sounding.delete(r.note);
    for (const n of s.notes) sounding.add(n.note);
    out.set(s.step, new Set(sounding));
  }
  return out;
}

const CHORDS = join(ROOT, 'weights', 'chords-jsb', 'model.json');

/** What sounds through each played step of a melody, from its notes and releases alone. */
function melodySounding(played: readonly StepCopy[]): Map<number, number | null> {
  const out = new Map<number, number | null>();
  let sounding: number | null = null;
  for (const s of played) {
    if (s.releases.some((r) => r.note === sounding)) sounding = null;
    if (s.notes.length > 0) sounding = s.notes[0].note;
    out.set(s.step, sounding);
  }
  return out;
}

const has = (classes: string, c: string) => classes.split(/\s+/).includes(c);

describe.skipIf(!haveChromium())('the page playing a melodic model in a piano roll', () => {
  const dirs = new TempDirs();
  let served: ServedModel;
  let dir = '';

  beforeAll(async () => {
    dir = await writeMelodyModel(join(await dirs.make('pulse-web-roll-'), 'tiny melody'));
    served = await serveWithModel(dir, 'model');
  }, LONG);

  afterAll(async () => {
    await served?.close();
    await dirs.cleanup();
  });

  /** Run `play` on a fresh page at `width` px with the model loaded. */
  const onPage = (width: number, play: (page: Page) => Promise<void>) => onFreshPage(served.browser, served.url, width, (page) => until(page, (p) => p?.ready() && p.model()?.name === 'tiny melody'), play);

  for (const width of [1440, 390]) {
    it(`at ${width} px the roll shows each note on its pitch row over the steps it sounds, the steps played and the lookahead`, () =>
      onPage(width, async (page) => {
        expect(await page.isVisible('#roll-lane')).toBe(true);
        expect(await page.isVisible('#grid-wrap')).toBe(false);
        const rows = await page.$$eval('#roll-lane .roll-row', (r) => r.map((x) => Number((x as HTMLElement).dataset.pitch)));
        expect(rows).toEqual(Array.from({ length: MELODY_HIGH - MELODY_LOW + 1 }, (_, i) => MELODY_HIGH - i));
        await page.click('#start');
        await until(page, (p) => p.ticks() >= 24);
        // stopped, the roll holds still to be read against the hook
        await page.click('#start');
        const [played, upcoming, next] = await Promise.all([pulse(page, (p) => p.played()), pulse(page, (p) => p.upcoming()), pulse(page, (p) => p.step())]);
        const cells = await rollCells(page);
        const sounding = melodySounding(played);
        const shownPlayed = cells.filter((c) => c.step < next && has(c.classes, 'p'));
        expect(new Set(shownPlayed.map((c) => c.step)).size).toBeGreaterThanOrEqual(16);
        for (const c of shownPlayed) {
          const s = played.find((x) => x.step === c.step) as StepCopy;
          expect(has(c.classes, 'start'), `step ${c.step} pitch ${c.pitch} struck`).toBe(s.notes.some((n) => n.note === c.pitch));
          expect(has(c.classes, 'on'), `step ${c.step} pitch ${c.pitch} sounding`).toBe(sounding.get(c.step) === c.pitch);
        }
        // the bar ahead: hollow, each note the model will play on its row
        const ahead = cells.filter((c) => c.step >= next);
        expect(new Set(ahead.map((c) => c.step))).toEqual(new Set(Array.from({ length: 16 }, (_, i) => next + i)));
        for (const c of ahead) expect(has(c.classes, 'u')).toBe(true);
        const struck = upcoming.filter((u) => u.notes.length > 0);
        expect(struck.length).toBeGreaterThan(4);
        for (const u of struck) {
          const c = ahead.find((x) => x.step === u.step && x.pitch === u.notes[0]) as RollCell;
          expect(c.classes, `step ${u.step}`).toMatch(/\bon\b.*\bstart\b|\bstart\b.*\bon\b/);
        }
        // a phone's width: the lane scrolls, the page does not
        const [scrollWidth, clientWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      }),
    LONG);
  }

  it('a click on a cell ahead writes that pitch there: the step plays it, the model goes on from it, and Clear edit takes a written step back', () =>
    onPage(1440, async (page) => {
      await page.click('#start');
      await until(page, (p) => p.ticks() >= 4);
      const next = await pulse(page, (p) => p.step());
      const target = next + 10;
      const upcoming = await pulse(page, (p) => p.upcoming());
      const there = upcoming.find((u) => u.step === target)?.notes ?? [];
      const pitch = [64, 67, 62, 69].find((p) => !there.includes(p)) as number;
      await page.click(`#roll-lane .roll .cell[data-step="${target}"][data-pitch="${pitch}"]`);
      expect(await pulse(page, (p) => p.rollEdits())).toContainEqual({ step: target, notes: [pitch] });
      await page.waitForSelector(`#roll-lane .roll .cell.ed.on[data-step="${target}"][data-pitch="${pitch}"]`, { timeout: LONG });
      await until(page, (p, s) => p.step() > s + 16, target);
      const { log, played } = await pulse(page, (p) => p.snapshot());
      expect(played.find((s) => s.step === target)?.notes.map((n) => n.note)).toEqual([pitch]);
      expect(log.entries.some((e) => e.control.type === 'edit' && e.control.step === target)).toBe(true);
      // what followed the written step is the model's own continuation of it: a replay in Node agrees
      const again = new Generator(await loadModelSpec(dir), log.options).replay(log);
      const after = played.filter((s) => s.step >= target);
      expect(after.length).toBeGreaterThan(10);
      for (const s of after) expect(again[s.tick], `tick ${s.tick}`).toEqual(s);

      // written, then cleared before it plays: the model chooses that step again
      const later = (await pulse(page, (p) => p.step())) + 10;
      const notThere = (await pulse(page, (p) => p.upcoming())).find((u) => u.step === later)?.notes ?? [];
      const other = [65, 60, 70].find((p) => !notThere.includes(p)) as number;
      await page.click(`#roll-lane .roll .cell[data-step="${later}"][data-pitch="${other}"]`);
      expect((await pulse(page, (p) => p.rollEdits())).map((e) => e.step)).toContain(later);
      await page.click('#roll-lane .lane-clear');
      expect(await pulse(page, (p) => p.rollEdits())).toEqual([]);
      await until(page, (p, s) => p.step() > s, later);
      const cleared = (await pulse(page, (p) => p.snapshot())).log.entries.filter((e) => e.control.type === 'clearEdit');
      expect(cleared.map((e) => (e.control as { step: number }).step)).toContain(later);
    }),
  LONG);

  it('a melody has no voices to lock: the lane says so and its lock is off', () =>
    onPage(1440, async (page) => {
      await page.waitForSelector('#roll-lane .lane-lock[disabled]', { timeout: LONG });
      expect(await page.getAttribute('#roll-lane .lane-lock', 'title')).toMatch(/melody models have no voices to lock/);
    }),
  LONG);
  it.skipIf(!existsSync(CHORDS))(
    'the shipped chord model: each key a bar over the steps it is held, struck once; the lock repeats its last bar of chords, and a pitch row locks alone',
    () =>
      onFreshPage(
        served.browser,
        `${served.server.url}?model=weights/chords-jsb/`,
        1440,
        (page) => until(page, (p) => p?.ready() && p.model()?.name === 'chords-jsb'),
        async (page) => {
          const bar = (await pulse(page, (p) => p.model() as unknown as { stepsPerBar: number })).stepsPerBar;
          await page.click('#start');
          await until(page, (p) => p.ticks() >= 6);
          await page.click('#roll-lane .lane-lock');
          await until(page, (p) => p.rollLocks().some((l) => l.voice === 'chords'));
          await page.waitForSelector('#roll-lane .lane-lock[aria-pressed="true"]', { timeout: LONG });
          const from = (await pulse(page, (p) => p.rollLocks()))[0].from;
          await until(page, (p, f) => p.step() >= f + 2 * 4, from);
          // freed, then one pitch row locked alone: a key the last bar sounded
          await page.click('#roll-lane .lane-lock');
          await until(page, (p) => p.rollLocks().length === 0);
          const lastBar = chordSounding(await pulse(page, (p) => p.played()));
          const next = await pulse(page, (p) => p.step());
          const key = [...(lastBar.get(next - 1) ?? [])][0];
          await page.click(`#roll-lane .pitch[data-pitch="${key}"]`);
          await until(page, (p, k) => p.rollLocks().some((l) => l.voice === String(k)), key);
          const rowFrom = (await pulse(page, (p) => p.rollLocks()))[0].from;
          await until(page, (p, f) => p.step() >= f + 2 * 4, rowFrom);
          await page.click('#start');
          const played = await pulse(page, (p) => p.played());
          const sounding = chordSounding(played);
          const locked = played.filter((s) => s.step >= from && s.step < from + 2 * bar);
          expect(locked.length).toBe(2 * bar);
          for (const s of locked) expect([...sounding.get(s.step)!].sort(), `step ${s.step}`).toEqual([...sounding.get(s.step - bar)!].sort());
          for (const s of played.filter((x) => x.step >= rowFrom)) expect(sounding.get(s.step)!.has(key), `step ${s.step}`).toBe(sounding.get(s.step - bar)!.has(key));
          // the roll draws each key as the codec played it: struck where a note starts, held through its steps
          const cells = await rollCells(page);
          const next2 = await pulse(page, (p) => p.step());
          const shown = cells.filter((c) => c.step < next2 && has(c.classes, 'p'));
          expect(shown.length).toBeGreaterThan(0);
          for (const c of shown) {
            const s = played.find((x) => x.step === c.step) as StepCopy;
            expect(has(c.classes, 'start'), `step ${c.step} pitch ${c.pitch} struck`).toBe(s.notes.some((n) => n.note === c.pitch));
            expect(has(c.classes, 'on'), `step ${c.step} pitch ${c.pitch} sounding`).toBe(sounding.get(c.step)!.has(c.pitch));
          }
        },
      ),
    LONG,
  );
});
