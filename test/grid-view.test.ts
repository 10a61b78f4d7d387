// The page's step grid drawn alone in headless Chromium, with the page's own style sheet: a
// view of played and upcoming steps goes in, and what the performer sees (the bars' computed
// heights, shifts and colours) comes out, at a desktop's width and at a phone's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HitLook } from '../src/hosts/web/stage.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { ROOT } from './helpers/shared.js';
import { pageBundle } from './helpers/page-bundle.js';

const ENTRY = `
import { GridView } from './src/hosts/web/grid-view.ts';
globalThis.GridView = GridView;
`;

const ROWS = ['kick', 'snare', 'closed-hat'];

/** One played or upcoming step: the rows hit, and how each sounded (velocity, offset) when known. */
interface StepPlan {
  step: number;
  rows: number[];
  looks?: [number, HitLook][];
}

/** What a cell shows: its bar (the ::before) and the cell's own box. */
interface Drawn {
  felt: boolean;
  bar: string;
  barHeight: number;
  barShift: number;
  barColour: string;
  cellWidth: number;
  cellHeight: number;
}

const haveBrowser = haveChromium();

describe.skipIf(!haveBrowser)('the step grid in Chromium', () => {
  let browser: Browser;
  let bundle = '';
  const css = readFileSync(join(ROOT, 'src/hosts/web/style.css'), 'utf8');

  beforeAll(async () => {
    bundle = await pageBundle(ENTRY);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());

  /** A page holding the grid as the real page does (inside its scroller), at `width` px, with the view drawn. */
  async function drawn(width: number, played: StepPlan[], upcoming: StepPlan[], next: number): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width, height: 800 }, hasTouch: width < 700, isMobile: width < 700 })).newPage();
    await page.setContent(`<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1"><style>${css}</style><main><section class="grid-wrap"><div class="grid-scroll"><div id="grid"></div></div></section></main>`);
    await page.addScriptTag({ content: bundle });
    await page.evaluate((rows) => {
      type Grid = { setModel(...a: unknown[]): void; render(v: unknown, head: number): void };
      const w = globalThis as unknown as { GridView: new (root: HTMLElement, h: object) => Grid; grid: Grid };
      w.grid = new w.GridView(document.getElementById('grid')!, { toggle: () => {}, lock: () => undefined });
      w.grid.setModel(rows, 16, 4, true);
    }, ROWS);
    await show(page, played, upcoming, next);
    return page;
  }

  /** Draw a view of these steps (as the page does at every frame). */
  async function show(page: Page, played: StepPlan[], upcoming: StepPlan[], next: number): Promise<void> {
    await page.evaluate(
      ([played, upcoming, next]) => {
        const looks = new Map([...played, ...upcoming].filter((s) => s.looks).map((s) => [s.step, new Map(s.looks)]));
        const view = { next, played: new Map(played.map((s) => [s.step, s.rows])), upcoming: new Map(upcoming.map((s) => [s.step, s.rows])), edits: new Map(), locked: new Set(), notes: new Map(), looks };
        (globalThis as unknown as { grid: { render(v: unknown, head: number): void } }).grid.render(view, -1);
      },
      [played, upcoming, next] as const,
    );
  }

  /** What the cell of `row` at `step` shows. */
  function cell(page: Page, row: number, step: number): Promise<Drawn> {
    return page.evaluate(
      ([row, step]) => {
        const c = document.querySelector(`#grid .cell[data-row="${row}"][data-step="${step}"]`) as HTMLElement;
        const bar = getComputedStyle(c, '::before');
        const box = c.getBoundingClientRect();
        return {
          felt: c.classList.contains('felt'),
          bar: bar.content,
          barHeight: parseFloat(bar.height),
          barShift: new DOMMatrixReadOnly(bar.transform === 'none' ? undefined : bar.transform).m41,
          barColour: bar.backgroundColor,
          cellWidth: box.width,
          cellHeight: box.height,
        };
      },
      [row, step] as const,
    );
  }

  /** Relative luminance of an `rgb(…)` colour, for "brighter". */
  const lightness = (rgb: string) => {
    const [r, g, b] = (rgb.match(/[\d.]+/g) ?? []).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };

  // played: step 16 kick loud on the beat, snare a ghost note on the beat; step 17 closed hat at
  // the top velocity; step 18 kick early; step 19 snare at 100; step 20 kick late
  const played: StepPlan[] = [
    { step: 16, rows: [0, 1], looks: [[0, { velocity: 100, offset: 0 }], [1, { velocity: 30, offset: 0 }]] },
    { step: 17, rows: [2], looks: [[2, { velocity: 127, offset: 0 }]] },
    { step: 18, rows: [0], looks: [[0, { velocity: 100, offset: -0.2 }]] },
    { step: 19, rows: [1], looks: [[1, { velocity: 100, offset: 0 }]] },
    { step: 20, rows: [0], looks: [[0, { velocity: 100, offset: 0.2 }]] },
  ];
  // upcoming: step 33 known (a soft hat a little late), step 34 not known yet
  const upcoming: StepPlan[] = [
    { step: 33, rows: [2], looks: [[2, { velocity: 40, offset: 0.1 }]] },
    { step: 34, rows: [2] },
  ];

  for (const width of [1440, 390]) {
    it(`draws velocity as the bar's height and brightness, and the offset as a shift, at ${width} px`, async () => {
      const page = await drawn(width, played, upcoming, 32);
      try {
        const loud = await cell(page, 0, 16);
        const ghost = await cell(page, 1, 16);
        const top = await cell(page, 2, 17);
        const early = await cell(page, 0, 18);
        const late = await cell(page, 0, 20);
        console.info(`${width} px: cell ${loud.cellWidth.toFixed(1)}×${loud.cellHeight.toFixed(1)}; bar at velocity 30 ${ghost.barHeight.toFixed(1)} px, 100 ${loud.barHeight.toFixed(1)} px, 127 ${top.barHeight.toFixed(1)} px; offset -0.2 → ${early.barShift.toFixed(1)} px, +0.2 → ${late.barShift.toFixed(1)} px`);
        for (const d of [loud, ghost, top, early, late]) expect(d.felt).toBe(true);
        // a ghost note: visibly lower (more than a quarter of the cell) and darker than a hit at 100
        expect(loud.barHeight - ghost.barHeight).toBeGreaterThan(loud.cellHeight / 4);
        const snare = await cell(page, 1, 19);
        expect(snare.barHeight).toBe(loud.barHeight);
        expect(lightness(ghost.barColour)).toBeLessThan(lightness(snare.barColour) * 0.8);
        // 127 fills the cell
        expect(top.barHeight).toBeCloseTo(top.cellHeight, 0);
        // on the grid: no shift; early: to the left, late: to the right, by the offset's share of the cell
        expect(loud.barShift).toBe(0);
        expect(early.barShift).toBeCloseTo(-0.2 * early.cellWidth, 0);
        expect(late.barShift).toBeCloseTo(0.2 * late.cellWidth, 0);
        // the shift is the offset's share of the cell, as on a piano roll: 0.2 of a step is
        // several pixels on a desktop's 48 columns, more on a phone's finger-sized cells
        expect(late.barShift).toBeGreaterThanOrEqual(width < 700 ? 7 : 4);
        // an upcoming hit whose sound is known is drawn the same way; one not known yet fills its cell as before
        const soon = await cell(page, 2, 33);
        const unknown = await cell(page, 2, 34);
        expect(soon.felt).toBe(true);
        expect(soon.barHeight).toBeLessThan(soon.cellHeight * 0.6);
        expect(soon.barShift).toBeCloseTo(0.1 * soon.cellWidth, 0);
        expect(unknown.felt).toBe(false);
        expect(unknown.bar).toBe('none');
        // a cell with no hit has no bar
        expect((await cell(page, 1, 17)).bar).toBe('none');
      } finally {
        await page.context().close();
      }
    }, 60_000);
  }

  it('redraws a cell when its step sounds otherwise, and forgets the look when the hit goes', async () => {
    const page = await drawn(1440, played, [], 32);
    try {
      const before = await cell(page, 0, 16);
      await show(page, [{ step: 16, rows: [0], looks: [[0, { velocity: 50, offset: 0.3 }]] }], [], 32);
      const after = await cell(page, 0, 16);
      expect(after.barHeight).toBeLessThan(before.barHeight);
      expect(after.barShift).toBeCloseTo(0.3 * after.cellWidth, 0);
      // the snare's ghost note is gone from the view: no hit, no bar, no look left on the cell
      const gone = await cell(page, 1, 16);
      expect([gone.felt, gone.bar]).toEqual([false, 'none']);
      expect(await page.$eval('#grid .cell[data-row="1"][data-step="16"]', (c) => (c as HTMLElement).style.getPropertyValue('--vel'))).toBe('');
    } finally {
      await page.context().close();
    }
  }, 60_000);
});
