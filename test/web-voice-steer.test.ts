// The voices panel of the performer's page in headless Chromium: beside each voice's velocity
// scale, its own density and a leave-out switch, from the control table; both reach the
// generator (logged), and a voice left out is not played from the step it applied at. At a
// phone's width the panel fits. Nothing here waits a fixed time: every check waits for a condition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control, voiceDensityArg } from '../src/music/controls.js';
import { DRUM_CLASSES } from '../src/music/drum-map.js';
import type { StepCopy } from '../src/music/generator.js';
import { haveChromium } from './helpers/browser.js';
import { openServedPage, pageHook, type OpenPage } from './helpers/page-hook.js';

const LONG = 120_000;
type Pulse = {
  ticks(): number;
  played(): StepCopy[];
  settings(): { voiceDensities: number[]; leftOut: boolean[] };
  applied(): { voiceDensities: number[]; leftOut: boolean[] };
  snapshot(): { log: { entries: { step?: number; control: { type: string; voice?: number; value?: number } }[] } };
};
const { pulse, until } = pageHook<Pulse>(LONG);
const SNARE = DRUM_CLASSES.indexOf('snare');
/** The General MIDI notes the page's drum kit plays for a snare (drum-map.ts). */
const SNARE_NOTES = [38, 40, 37];

describe.skipIf(!haveChromium())('the voices panel: density and leave-out per voice', () => {
  let open: OpenPage;
  beforeAll(async () => {
    open = await openServedPage();
  }, LONG);
  afterAll(async () => open?.close());

  it('has a density slider and a leave-out switch per voice from the table; both reach the generator and the snare stops', async () => {
    const { page, problems } = open;
    const a = voiceDensityArg();
    for (const voice of DRUM_CLASSES) {
      const input = page.locator(`#voice-density-${voice}`);
      expect(await input.isVisible(), voice).toBe(true);
      expect(await input.evaluate((e: HTMLInputElement) => [e.min, e.max, e.step, e.value].map(Number)), voice).toEqual([a.min, a.max, a.step, a.default]);
      expect(await page.getAttribute(`#leave-out-${voice}`, 'aria-label')).toContain(control('leaveOut').label);
    }
    await page.$eval('#voice-density-kick', (e) => {
      (e as HTMLInputElement).value = '1.5';
      e.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.click('#leave-out-snare');
    await until(page, (p, i) => p.settings().leftOut[i] && p.settings().voiceDensities[0] === 1.5, SNARE);
    await page.click('#start');
    await until(page, (p, i) => p.applied().leftOut[i], SNARE);
    const log = await pulse(page, (p) => p.snapshot().log);
    expect(log.entries.map((e) => e.control)).toContainEqual({ type: 'voiceDensity', voice: 0, value: 1.5 });
    const out = log.entries.find((e) => e.control.type === 'leaveOut');
    expect(out?.control).toEqual({ type: 'leaveOut', voice: SNARE });
    const from = out?.step as number;
    await until(page, (p, s) => p.ticks() > s + 40, from);
    const after = (await pulse(page, (p) => p.played())).filter((s) => s.step >= from);
    expect(after.length).toBeGreaterThan(30);
    expect(after.flatMap((s) => s.notes).filter((n) => SNARE_NOTES.includes(n.note))).toEqual([]);
    // and back: the switch off brings it back
    await page.click('#leave-out-snare');
    await until(page, (p, i) => !p.applied().leftOut[i], SNARE);
    expect(problems).toEqual([]);
  }, LONG);

  it('fits a phone: the rows wrap inside the page', async () => {
    const { page } = open;
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.$eval('#scales', (e) => e.scrollWidth - e.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const id of ['#leave-out-ride', '#voice-density-ride']) {
      const box = await page.locator(id).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(390);
    }
  }, LONG);
});
