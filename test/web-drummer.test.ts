// What a drummer reaches for on the page, in Chromium at desktop and phone width: tap tempo (four
// key presses at known intervals set the BPM; a pause starts over; the range clamps), the swing
// slider (the steps of a take move by it), bar numbers over the grid that name each column's real
// bar after the play head has gone round, and Record arm → Stop: a take begun mid-performance
// downloads a MIDI file and a log that `pulse-rnn replay` turns into the same notes.
// Nothing here waits a fixed time: every check waits for a condition.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replaySteps, replayToMidi } from '../src/hosts/replay.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { readMidi } from '../src/io/midi-read.js';
import { haveChromium } from './helpers/browser.js';
import { openServedPage, pageHook, type OpenPage } from './helpers/page-hook.js';
import { ROOT } from './helpers/shared.js';

const LONG = 120_000;

type Pulse = {
  ticks(): number;
  step(): number;
  bpm(): number;
  swing(): number;
  take(): { state: string; steps: number };
  messages(): { level: string; text: string }[];
};
const { pulse, until } = pageHook<Pulse>(LONG);

/** Key presses of T at the given times (ms), each event carrying its own time as a real one does. */
const tapAt = (page: Page, times: number[]) =>
  page.evaluate((ts) => {
    for (const t of ts) {
      const e = new KeyboardEvent('keydown', { key: 't', bubbles: true, cancelable: true });
      Object.defineProperty(e, 'timeStamp', { value: t });
      document.body.dispatchEvent(e);
    }
  }, times);

/** The clock's tempo at its play head: a change reaches it at the next pulse. */
const bpmBecomes = (page: Page, bpm: number) => until(page, (p, v) => Math.abs(p.bpm() - v) < 1e-6, bpm);

/** Every bar label over the grid, with the step its column shows (read in one go, between two frames). */
const barLabels = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('#grid .bar-label')).map((l) => ({
      col: Number(l.dataset.col),
      bar: l.dataset.bar ?? '',
      text: l.textContent ?? '',
      step: Number(document.querySelector<HTMLElement>(`#grid .cell[data-row="0"][data-col="${l.dataset.col}"]`)?.dataset.step ?? NaN),
    })),
  );

for (const [name, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
  describe.skipIf(!haveChromium())(`the drummer's tools on the page (${name}, ${viewport.width}×${viewport.height})`, () => {
    let opened: OpenPage;
    let page: Page;
    const downloads: Download[] = [];

    beforeAll(async () => {
      opened = await openServedPage(viewport);
      page = opened.page;
      page.on('download', (d) => downloads.push(d));
      await page.click('#start');
      await until(page, (p) => p.ticks() >= 4);
    }, LONG);
    afterAll(async () => opened?.close());

    it('tap tempo: four taps 400 ms apart set 150 BPM; a pause over 2 s starts over; too fast clamps to 999', async () => {
      await tapAt(page, [1000, 1400, 1800, 2200]);
      await bpmBecomes(page, 150);
      await page.waitForFunction(() => (document.querySelector('#bpm') as HTMLInputElement).value === '150', undefined, { timeout: LONG });
      // 2.5 s later: a first tap again, so one interval of 600 ms gives 100, not a mean with the old ones
      await tapAt(page, [4700, 5300]);
      await bpmBecomes(page, 100);
      await tapAt(page, [9000, 9010, 9020]);
      await bpmBecomes(page, 999);
      // the key is in the legend beside the transport's
      expect(await page.textContent('footer.keys')).toMatch(/T tap tempo/);
      await tapAt(page, [20000, 20500, 21000]);
      await bpmBecomes(page, 120);
      expect(opened.problems).toEqual([]);
    }, LONG);

    it('bar numbers name each column\'s real bar after the play head has crossed bars', async () => {
      const t = await pulse(page, (p) => p.ticks());
      await until(page, (p, n) => p.ticks() >= n + 40, t);
      const labels = await barLabels(page);
      expect(labels.length).toBeGreaterThan(0);
      const shown = labels.filter((l) => l.text !== '');
      for (const l of labels) if (l.step >= 0) expect(l.bar, `column ${l.col}, step ${l.step}`).toBe(String(Math.floor(l.step / 16) + 1));
      for (const l of shown) expect(l.text).toBe(l.bar);
      // a label over every bar's first column, and one where the lookahead wraps onto an old bar
      for (const l of labels) if (l.step >= 0 && l.step % 16 === 0) expect(l.text, `column ${l.col}`).not.toBe('');
      const bars = new Set(shown.map((l) => Number(l.text)));
      expect(Math.max(...bars)).toBeGreaterThanOrEqual(3);
      expect(bars.size).toBeGreaterThanOrEqual(2);
    }, LONG);

    it('Record arms a take mid-performance, the swing slider moves its steps, Stop saves a file and a log that replay to the same notes', async () => {
      await page.selectOption('#take-from', 'step');
      await until(page, (p) => p.ticks() >= 50);
      await page.click('#take-record');
      await until(page, (p) => p.take().state === 'recording' && p.take().steps >= 20);
      // the slider, dragged: 0.3 of a 16th from the next step on
      await page.evaluate(() => {
        const s = document.querySelector('#swing') as HTMLInputElement;
        s.value = '0.3';
        s.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await until(page, (p) => p.swing() === 0.3);
      expect(await page.textContent('#swing-value')).toBe('0.30');
      const at = await pulse(page, (p) => p.take().steps);
      await until(page, (p, n) => p.take().steps >= n + 20, at);
      // a tempo tapped during the take, slower then faster: the log keeps the pulse each took effect at
      await tapAt(page, [50000, 50600]);
      await bpmBecomes(page, 100);
      await until(page, (p, n) => p.take().steps >= n + 30, at);
      await tapAt(page, [60000, 60400, 60800]);
      await bpmBecomes(page, 150);
      await until(page, (p, n) => p.take().steps >= n + 40, at);
      const before = downloads.length;
      await page.click('#take-record');
      await until(page, (p) => p.take().state === 'idle');
      // both downloads come from the one click
      for (let i = 0; i < 600 && downloads.length < before + 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(downloads.length).toBe(before + 2);
      const [mid, json] = downloads.slice(before);
      expect(mid.suggestedFilename()).toMatch(/^pulse-rnn-take-\d{4}-\d\d-\d\d-\d{4}(-\d+)?\.mid$/);
      expect(json.suggestedFilename()).toMatch(/^pulse-rnn-take-\d{4}-\d\d-\d\d-\d{4}(-\d+)?\.log\.json$/);
      const take = readMidi(new Uint8Array(readFileSync(await mid.path())), mid.suggestedFilename());
      const log = parseSessionLog(readFileSync(await json.path(), 'utf8'), json.suggestedFilename());
      expect(log.session!.from).toBeGreaterThanOrEqual(50);
      expect(log.session!.swings!.at(-1)).toMatchObject({ swing: 0.3 });
      expect(take.notes.length).toBeGreaterThan(20);
      const spec = await loadModelSpec(join(ROOT, log.session!.model));
      const again = readMidi(replayToMidi(spec, log).bytes, 'again.mid');
      expect(again.notes).toEqual(take.notes);
      // the swing moved the steps: played straight, the same log gives other times
      const straight = readMidi(replayToMidi(spec, { ...log, session: { ...log.session!, swings: [] } }).bytes, 'straight.mid');
      expect(straight.notes.map((n) => n.tick)).not.toEqual(take.notes.map((n) => n.tick));

      // armed for the next bar: the take's first step is a bar's first
      await page.selectOption('#take-from', 'bar');
      await page.click('#take-record');
      expect(await pulse(page, (p) => p.take().state)).toBe('armed');
      await until(page, (p) => p.take().state === 'recording' && p.take().steps >= 2);
      const n = downloads.length;
      await page.click('#take-record');
      for (let i = 0; i < 600 && downloads.length < n + 2; i++) await new Promise((r) => setTimeout(r, 50));
      const barLog = parseSessionLog(readFileSync(await downloads[n + 1].path(), 'utf8'), 'bar.log.json');
      const steps = replaySteps(spec, barLog).steps;
      expect(steps[barLog.session!.from].step % 16).toBe(0);
      expect(opened.problems).toEqual([]);
    }, LONG * 2);
  });
}
