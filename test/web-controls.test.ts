// The page's controls read the control table: every slider's and field's range, step, starting
// value, label and keys are the table's, refused values get the table's message, and what the
// page shows is the Generator's settings (a value set shows at once, as pending, and as applied
// once a step has played it). Played in headless Chromium through the built page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkValue, CONTROLS, control, MAX_SEED, rangeText, valueArg, type ControlName, type NumberArg } from '../src/music/controls.js';
import { haveChromium } from './helpers/browser.js';
import { openServedPage, pageHook, type OpenPage } from './helpers/page-hook.js';

const LONG = 60_000;

type Settings = { temperature: number; topP: number; density: number; dynamics: number; timing: number; seed: number; paused: boolean; muted: boolean };
type Pulse = {
  ready(): boolean;
  running(): boolean;
  ticks(): number;
  settings(): Settings;
  applied(): Settings;
  snapshot(): { log: { entries: { tick: number; control: { type: string; value?: number } }[]; session: { tempos: { tick: number; bpm: number }[] } } };
  messages(): { level: string; text: string; count: number }[];
};
const { pulse, until } = pageHook<Pulse>(LONG);

const SLIDERS: [ControlName, string][] = [
  ['temperature', 'temperature'],
  ['topP', 'top-p'],
  ['density', 'density'],
  ['dynamics', 'dynamics'],
  ['timing', 'timing'],
];

/** The message the table's `checkValue` gives for a refused value ('' when it takes the value). */
const refusal = (name: ControlName, v: number): string => {
  try {
    checkValue(name, v);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

/** Set a slider as a drag does: its value, then an input event. */
const drag = (page: Page, id: string, v: number) =>
  page.$eval(
    `#${id}`,
    (e, value) => {
      (e as HTMLInputElement).value = String(value);
      e.dispatchEvent(new Event('input', { bubbles: true }));
    },
    v,
  );

/** Type a value into a number field and leave it, as a performer does. */
async function typeInto(page: Page, id: string, value: string): Promise<void> {
  await page.fill(`#${id}`, value);
  await page.press(`#${id}`, 'Enter');
  await page.locator(`#${id}`).blur();
}

async function errorSaid(page: Page, text: string): Promise<void> {
  await until(page, (p, t) => p.messages().some((m) => m.level === 'error' && m.text === t), text);
}

describe.skipIf(!haveChromium())('the page\'s controls come from the control table', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  let opened: OpenPage;

  beforeAll(async () => {
    opened = await openServedPage();
    ({ browser, page, problems } = opened);
  }, 180_000);

  afterAll(async () => {
    await opened?.close();
  });

  it('every slider takes its control\'s range, step, starting value and label; the readout shows the step\'s precision', async () => {
    for (const [name, id] of SLIDERS) {
      const a = valueArg(name) as NumberArg;
      const got = await page.$eval(`#${id}`, (e) => {
        const i = e as HTMLInputElement;
        const knob = i.closest('.knob')!;
        return { min: i.min, max: i.max, step: i.step, value: i.value, label: knob.querySelector('label')!.textContent, readout: knob.querySelector('output')!.textContent, hint: knob.querySelector('small')!.textContent };
      });
      // a range that leaves its low end out (top-p above 0) starts one step above it
      expect(Number(got.min), `${name} min`).toBe(a.minExclusive ? a.min + a.step : a.min);
      expect(Number(got.max), `${name} max`).toBe(a.max);
      expect(Number(got.step), `${name} step`).toBe(a.step);
      expect(Number(got.value), `${name} value`).toBe(a.default);
      expect(got.label).toBe(control(name).label);
      expect(got.readout).toBe((a.default as number).toFixed((String(a.step).split('.')[1] ?? '').length));
      expect(got.hint).toContain(control(name).description);
    }
    const field = (id: string) => page.$eval(`#${id}`, (e) => ({ min: (e as HTMLInputElement).min, max: (e as HTMLInputElement).max, step: (e as HTMLInputElement).step }));
    for (const [name, id] of [['bpm', 'bpm'], ['seed', 'seed']] as const) {
      const a = valueArg(name);
      expect(await field(id), id).toEqual({ min: String(a.min), max: String(a.max), step: String(a.step) });
    }
    expect(valueArg('seed').max).toBe(2 ** 32 - 1);
    expect(await page.textContent('.tempo span')).toBe(control('bpm').label);
    expect(await page.textContent('label[for=seed]')).toBe(control('seed').label);
  });

  it('the Dynamics and Timing sliders reach only the table\'s range: a value past either end is held at it, and nothing out of range reaches the generator', async () => {
    for (const [name, id] of [['dynamics', 'dynamics'], ['timing', 'timing']] as const) {
      const a = valueArg(name);
      for (const [bad, held] of [[a.max + 1, a.max], [a.min - 1, a.min]]) {
        expect(refusal(name, bad)).toBe(`${name}: ${bad} is out of range; give ${rangeText(a)}`);
        await drag(page, id, bad);
        await until(page, (p, [n, want]) => p.settings()[n as 'dynamics'] === want, [name, held] as const);
        expect(await page.inputValue(`#${id}`)).toBe(String(held));
      }
      await drag(page, id, a.default as number);
      await until(page, (p, [n, want]) => p.settings()[n as 'dynamics'] === want, [name, a.default] as const);
    }
    const values = (await pulse(page, (p) => p.snapshot().log.entries)).filter((e) => e.control.type === 'dynamics' || e.control.type === 'timing').map((e) => e.control.value as number);
    expect(values.every((v) => v >= 0 && v <= 2)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('the key legend lists each control\'s keys from the table, and the page\'s own Space and Esc', async () => {
    const legend = await page.$$eval('footer.keys [data-control]', (spans) => spans.map((s) => ({ control: (s as HTMLElement).dataset.control, keys: Array.from(s.querySelectorAll('kbd')).map((k) => (k as HTMLElement).dataset.key) })));
    const withKeys = CONTROLS.filter((c) => c.keys?.length);
    expect(withKeys.length).toBeGreaterThan(0);
    expect(legend).toEqual(withKeys.map((c) => ({ control: c.name, keys: c.keys!.map(([k]) => k) })));
    const all = await page.$$eval('footer.keys kbd', (ks) => ks.map((k) => (k as HTMLElement).dataset.key));
    expect(all).toEqual(expect.arrayContaining([' ', 'Escape']));
  });

  it('the seed field refuses -3 and 2^32 with the table\'s message and keeps the seed in force', async () => {
    const before = await pulse(page, (p) => p.settings().seed);
    expect(await page.inputValue('#seed')).toBe(String(before));
    for (const v of [-3, MAX_SEED + 1]) {
      const said = refusal('seed', v);
      expect(said).toMatch(/^seed: .* out of range; give a whole number from 0 to 4294967295$/);
      await typeInto(page, 'seed', String(v));
      await errorSaid(page, said);
      expect(await page.inputValue('#seed')).toBe(String(before));
      expect(await pulse(page, (p) => p.settings().seed)).toBe(before);
    }
    // no control reached the generator
    expect((await pulse(page, (p) => p.snapshot().log.entries)).filter((e) => e.control.type === 'seed')).toEqual([]);
    // the table's top seed is taken
    await typeInto(page, 'seed', String(MAX_SEED));
    await until(page, (p, s) => p.settings().seed === s, MAX_SEED);
    expect(await page.inputValue('#seed')).toBe(String(MAX_SEED));
  });

  it('the BPM field refuses 19 and 1000 with the table\'s message and takes 999', async () => {
    for (const v of [19, 1000]) {
      await typeInto(page, 'bpm', String(v));
      await errorSaid(page, refusal('bpm', v));
      expect(await page.inputValue('#bpm')).toBe(String(valueArg('bpm').default));
    }
    await typeInto(page, 'bpm', '999');
    expect(await page.inputValue('#bpm')).toBe('999');
    expect((await pulse(page, (p) => p.snapshot().log.session.tempos)).at(-1)?.bpm).toBe(999);
    // slow, for the next test: a step is 0.75 s at 20 BPM
    await typeInto(page, 'bpm', String(valueArg('bpm').min));
    expect(await page.inputValue('#bpm')).toBe(String(valueArg('bpm').min));
  });

  /** One read, in one frame, of what the page shows for a slider and what the generator holds. */
  const shown = (id: string, name: ControlName) =>
    page.evaluate(
      async ([i, n]) => {
        // the slider's value reaches the stage at the next frame, and the page redraws at the one after
        for (let f = 0; f < 3; f++) await new Promise(requestAnimationFrame);
        const knob = document.getElementById(i)!.closest('.knob')!;
        const p = (window as unknown as { pulse: Pulse }).pulse;
        return { readout: knob.querySelector('output')!.textContent, pending: knob.classList.contains('pending'), next: p.settings()[n as 'density'], playing: p.applied()[n as 'density'] };
      },
      [id, name] as const,
    );

  it('a value set while stopped shows at once as pending, and as the generator\'s applied value once a step has played it', async () => {
    expect(await pulse(page, (p) => p.running())).toBe(false);
    await drag(page, 'temperature', 1.5);
    const now = await shown('temperature', 'temperature');
    expect(now).toEqual({ readout: '1.50', pending: true, next: 1.5, playing: valueArg('temperature').default });
    await page.click('#start');
    await until(page, (p) => p.applied().temperature === 1.5);
    const later = await shown('temperature', 'temperature');
    expect(later).toEqual({ readout: '1.50', pending: false, next: 1.5, playing: 1.5 });
    expect((await pulse(page, (p) => p.snapshot().log.entries)).some((e) => e.control.type === 'temperature' && e.control.value === 1.5)).toBe(true);
  }, LONG);

  it('a value set while playing shows at once as pending, and as applied after the next step', async () => {
    await until(page, (p) => p.running() && p.ticks() >= 2);
    // a step may come between the drag and the read: then it shows as applied already; retry
    let seen = false;
    for (const v of [1.25, -1.5, 2.5]) {
      const ticks = await pulse(page, (p) => p.ticks());
      await drag(page, 'density', v);
      const now = await shown('density', 'density');
      expect(now.readout).toBe(v.toFixed(2));
      expect(now.next).toBe(v);
      expect(now.pending).toBe(now.playing !== v);
      if (now.pending && (await pulse(page, (p) => p.ticks())) === ticks) {
        seen = true;
        await until(page, (p, want) => p.applied().density === want, v);
        expect(await shown('density', 'density')).toEqual({ readout: v.toFixed(2), pending: false, next: v, playing: v });
        break;
      }
    }
    expect(seen, 'the pending value was seen before its step').toBe(true);
    expect(problems).toEqual([]);
  }, LONG);

  it('before any model the page shows the table\'s defaults and what the performer set; the model loaded then starts from them', async () => {
    const other = await browser.newPage();
    try {
      other.on('pageerror', (e) => problems.push(e.message));
      await other.goto(`${opened.server.url}?model=weights/missing/`);
      await until(other, (p) => p.messages().some((m) => m.level === 'error'));
      expect(await pulse(other, (p) => p.ready())).toBe(false);
      expect(await pulse(other, (p) => p.settings().topP)).toBe(valueArg('topP').default);
      await drag(other, 'temperature', 0.5);
      await until(other, (p) => p.settings().temperature === 0.5);
      await other.click('#model-shipped');
      await until(other, (p) => p.ready());
      expect(await pulse(other, (p) => p.settings().temperature)).toBe(0.5);
      expect(await pulse(other, (p) => (p.snapshot().log as unknown as { options: { temperature: number } }).options.temperature)).toBe(0.5);
      expect(await other.inputValue('#temperature')).toBe('0.5');
    } finally {
      await other.close();
    }
  }, LONG);

  it('each control\'s first key does what the table says', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const before = await pulse(page, (p) => p.settings());
    const press = async (name: ControlName) => page.keyboard.press(control(name).keys![0][0].length === 1 ? control(name).keys![0][0].toUpperCase() : control(name).keys![0][0]);
    await press('temperature');
    await until(page, (p, want) => p.settings().temperature === want, Number((before.temperature + valueArg('temperature').step).toFixed(2)));
    await press('density');
    await until(page, (p, want) => p.settings().density === want, Number((before.density + valueArg('density').step).toFixed(2)));
    await press('reseed');
    await until(page, (p, old) => p.settings().seed !== old, before.seed);
    const seed = await pulse(page, (p) => p.settings().seed);
    expect(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED).toBe(true);
    expect(await page.inputValue('#seed')).toBe(String(seed));
    await press('mute');
    await until(page, (p) => p.settings().muted);
    await press('pause');
    await until(page, (p) => p.settings().paused);
    expect(problems).toEqual([]);
  }, LONG);
});
