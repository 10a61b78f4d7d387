// Drums and keys together on the performer's page, in headless Chromium at a desktop's width and
// at a phone's: the Keys button adds a melodic part (here a small melody-grid model with seeded
// random weights, named by ?keys=) beside the shipped drummer, stepped by the page's one clock;
// both parts play the same steps, their lanes' bar lines sit one above the other, the keys sound
// through the Tone.js synth on their own MIDI channel and every key is let go on Stop. Each part
// has its own temperature and seed, read from the control table. A click in the keys' lane writes
// that pitch at that step. Nothing here waits a fixed time: every check waits for a condition.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { valueArg } from '../src/music/controls.js';
import type { Settings, StepCopy } from '../src/music/generator.js';
import { haveChromium } from './helpers/browser.js';
import { onFreshPage, serveWithModel, type ServedModel } from './helpers/fresh-page.js';
import { writeMelodyModel } from './helpers/melody-model.js';
import { pageHook } from './helpers/page-hook.js';
import { ROOT } from './helpers/shared.js';
import { TempDirs } from './helpers/tfjs-models.js';

const LONG = 120_000;

interface Keys {
  model: { name: string };
  step: number;
  ticks: number;
  played: StepCopy[];
  upcoming: { step: number; notes: number[] }[];
  edits: { step: number; notes: (number | string)[] }[];
  settings: Pick<Settings, 'temperature' | 'seed'>;
  channel: number;
  sent: { tone: number };
  holding: number;
}
type Pulse = {
  ready(): boolean;
  model(): { name: string } | null;
  step(): number;
  ticks(): number;
  running(): boolean;
  played(): StepCopy[];
  settings(): Settings;
  keys(): Keys | null;
  synthSounding(): number;
  messages(): { level: string; text: string }[];
};
const { pulse, until } = pageHook<Pulse>(LONG);

/** The left edges of the bar lines' cells: the drum grid's first row, and the keys lane's first row. */
const barLines = (page: Page) =>
  page.evaluate(() => {
    const left = (cells: NodeListOf<Element> | undefined) => Array.from(cells ?? []).map((c) => Math.round(c.getBoundingClientRect().left));
    return { drums: left(document.querySelectorAll('#grid .cell.bar[data-row="0"]')), keys: left(document.querySelector('#keys-lane .roll-row')?.querySelectorAll('.cell.bar')) };
  });

describe.skipIf(!haveChromium())('drums and keys together on the page', () => {
  const dirs = new TempDirs();
  let served: ServedModel;

  beforeAll(async () => {
    served = await serveWithModel(await writeMelodyModel(join(await dirs.make('pulse-web-keys-'), 'tiny keys')), 'keys');
  }, LONG);

  afterAll(async () => {
    await served?.close();
    await dirs.cleanup();
  });

  /** A fresh page at `width` px with the drums loaded and the keys added. */
  const withKeys = (width: number, play: (page: Page) => Promise<void>, options = {}) =>
    onFreshPage(
      served.browser,
      served.url,
      width,
      async (page) => {
        await until(page, (p) => p?.ready() && p.model()?.name === 'drums-expressive');
        expect(await page.isVisible('#keys-lane')).toBe(false);
        await page.click('#keys-add');
        await until(page, (p) => p.keys()?.model.name === 'tiny keys');
        expect(await page.getAttribute('#keys-add', 'aria-pressed')).toBe('true');
      },
      play,
      options,
    );

  for (const width of [1440, 390]) {
    it(
      `at ${width} px both parts play the same steps of the same bars, the keys through the synth on channel 2, and Stop lets every key go`,
      () =>
        withKeys(width, async (page) => {
          expect(await page.isVisible('#keys-lane')).toBe(true);
          await page.click('#start');
          await until(page, (p) => p.keys()!.ticks >= 24 && p.synthSounding() > 0);
          // a pause and a resume hold both parts at the same step
          await page.click('#pause');
          await until(page, (p) => p.settings().paused && p.keys()!.played.at(-1)!.step === p.played().at(-1)!.step);
          await page.click('#pause');
          await until(page, (p) => p.keys()!.ticks >= 40);
          const lines = await barLines(page);
          await page.click('#start');
          await until(page, (p) => p.synthSounding() === 0 && p.keys()!.holding === 0);
          const [keys, drums] = await Promise.all([pulse(page, (p) => p.keys()!), pulse(page, (p) => p.played())]);
          // the same clock steps, so the same bar lines
          const drumSteps = new Map(drums.map((s) => [s.tick, s.step]));
          const shared = keys.played.filter((s) => s.step >= 0 && drumSteps.has(s.tick));
          expect(shared.length).toBeGreaterThan(30);
          for (const s of shared) expect(drumSteps.get(s.tick), `tick ${s.tick}`).toBe(s.step);
          expect(lines.keys.length).toBeGreaterThan(1);
          expect(lines.keys).toEqual(lines.drums);
          // the keys on their own channel, the drums on 10, and the keys' notes reached the kit's synth
          const keyNotes = keys.played.flatMap((s) => s.notes);
          expect(keyNotes.length).toBeGreaterThan(10);
          expect(new Set(keyNotes.map((n) => n.channel))).toEqual(new Set([keys.channel]));
          expect(keys.channel).not.toBe(9);
          expect(new Set(drums.flatMap((s) => s.notes.map((n) => n.channel)))).toEqual(new Set([9]));
          expect(keys.sent.tone).toBe(keyNotes.length);
          const [scrollWidth, clientWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
          expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
          // the keys lane's buttons and fields big enough for a finger on a phone
          if (width < 700) {
            const small = await page.$$eval('#keys-lane button, #keys-lane input[type=number], #keys-add', (els) =>
              els.filter((e) => Math.min(e.getBoundingClientRect().width, e.getBoundingClientRect().height) < 38).map((e) => e.outerHTML.slice(0, 60)),
            );
            expect(small, 'controls under 38 px').toEqual([]);
          }
        }),
      LONG,
    );
  }

  it(
    'each part has its own temperature and seed, with the control table’s ranges',
    () =>
      withKeys(1440, async (page) => {
        const t = valueArg('temperature');
        expect(await page.$eval('#keys-temperature', (e) => [(e as HTMLInputElement).max, (e as HTMLInputElement).step])).toEqual([String(t.max), String(t.step)]);
        await page.$eval('#keys-temperature', (e) => {
          const input = e as HTMLInputElement;
          input.value = '1.5';
          input.dispatchEvent(new Event('input'));
        });
        await until(page, (p) => p.keys()!.settings.temperature === 1.5);
        expect((await pulse(page, (p) => p.settings())).temperature).toBe(t.default);
        await page.fill('#keys-seed', '9');
        await page.press('#keys-seed', 'Enter');
        await page.locator('#keys-seed').blur();
        await until(page, (p) => p.keys()!.settings.seed === 9);
        expect((await pulse(page, (p) => p.settings())).seed).toBe(valueArg('seed').default);
        // a seed outside the table's range is refused, named, and changes nothing
        await page.fill('#keys-seed', '-3');
        await page.locator('#keys-seed').blur();
        await until(page, (p) => p.messages().some((m) => m.level === 'error' && /^Keys: seed/.test(m.text)));
        expect((await pulse(page, (p) => p.keys()))!.settings.seed).toBe(9);
      }),
    LONG,
  );

  it(
    'a click in the keys lane writes that pitch at that step, which the keys then play; the whole set’s MIDI file holds both parts on their channels',
    () =>
      withKeys(
        1440,
        async (page) => {
          await page.click('#start');
          await until(page, (p) => p.keys()!.ticks >= 4);
          const keys = (await pulse(page, (p) => p.keys()))!;
          const target = keys.step + 10;
          const there = keys.upcoming.find((u) => u.step === target)?.notes ?? [];
          const pitch = [64, 67, 62].find((p) => !there.includes(p)) as number;
          await page.click(`#keys-lane .roll .cell[data-step="${target}"][data-pitch="${pitch}"]`);
          expect((await pulse(page, (p) => p.keys()))!.edits).toContainEqual({ step: target, notes: [pitch] });
          await until(page, (p, s) => p.keys()!.step > s, target);
          const played = (await pulse(page, (p) => p.keys()))!.played;
          expect(played.find((s) => s.step === target)?.notes.map((n) => n.note)).toEqual([pitch]);
          await page.click('#start');
          const [download] = await Promise.all([page.waitForEvent('download', { timeout: LONG }), page.click('#save-midi')]);
          const song = readMidi(new Uint8Array(readFileSync(await download.path())), download.suggestedFilename());
          expect(new Set(song.notes.map((n) => n.channel))).toEqual(new Set([9, 1]));
        },
        { acceptDownloads: true },
      ),
    LONG,
  );
  it(
    'keys added while the drums play come in at the next bar line, and after Stop and Start with the drums from the top',
    () =>
      onFreshPage(
        served.browser,
        served.url,
        1440,
        (page) => until(page, (p) => p?.ready() && p.model()?.name === 'drums-expressive'),
        async (page) => {
          await page.click('#start');
          await until(page, (p) => p.ticks() >= 5);
          await page.click('#keys-add');
          await until(page, (p) => (p.keys()?.played.length ?? 0) >= 2);
          const first = (await pulse(page, (p) => p.keys()!))!.played[0];
          expect(first.step % 16, `the keys' first step, ${first.step}`).toBe(0);
          expect((await pulse(page, (p) => p.played())).some((s) => s.step === first.step)).toBe(true);
          await page.click('#start');
          const before = (await pulse(page, (p) => p.keys()!)).ticks;
          await page.click('#start');
          await until(page, (p, t) => p.keys()!.ticks >= t + 4, before);
          const again = (await pulse(page, (p) => p.keys()!)).played.filter((s) => s.tick >= before);
          const drums = await pulse(page, (p) => p.played());
          expect(again[0].step).toBeLessThan(16);
          for (const s of again) expect(drums.some((d) => d.step === s.step), `step ${s.step}`).toBe(true);
        },
      ),
    LONG,
  );

  it.skipIf(!existsSync(join(ROOT, 'weights', 'chords-jsb', 'model.json')))(
    'Keys alone adds the shipped chord model: a chord a quarter, each as wide as four 16ths of the drum grid, on its bar lines',
    () =>
      onFreshPage(
        served.browser,
        served.server.url,
        1440,
        (page) => until(page, (p) => p?.ready() && p.model()?.name === 'drums-expressive'),
        async (page) => {
          await page.click('#keys-add');
          await until(page, (p) => p.keys()?.model.name === 'chords-jsb');
          await page.click('#start');
          await until(page, (p) => p.keys()!.ticks >= 6 && p.synthSounding() > 0);
          const lines = await barLines(page);
          await page.click('#start');
          await until(page, (p) => p.synthSounding() === 0 && p.keys()!.holding === 0);
          expect(lines.keys.length).toBeGreaterThan(1);
          expect(lines.keys).toEqual(lines.drums);
          const [keys, drums] = await Promise.all([pulse(page, (p) => p.keys()!), pulse(page, (p) => p.step())]);
          // four of the drums' steps to one of the chords'
          expect(Math.abs(keys.step * 4 - drums)).toBeLessThanOrEqual(4);
          const width = await page.evaluate(() => {
            const w = (sel: string) => document.querySelector(sel)!.getBoundingClientRect().width;
            return { chord: w('#keys-lane .roll-row .cell:not(.bar)'), drum: w('#grid .cell[data-row="0"]:not(.bar)') };
          });
          expect(width.chord).toBeGreaterThan(3.5 * width.drum);
          expect(keys.played.flatMap((s) => s.notes).length).toBeGreaterThan(3);
        },
      ),
    LONG,
  );
});
