// The page's pattern slots in headless Chromium: A/B and eight slot buttons from the control
// table; a shift-click (or Store, then a slot) stores, a click recalls at the slot's place in the
// next bar, marked as waiting until it takes over; undo goes back; an empty slot says so and
// changes nothing. The page's log replays in Node note for note. Every check waits for a
// condition, never a fixed time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSpec } from '../src/io/model-files.js';
import { control } from '../src/music/controls.js';
import { Generator, type StepCopy } from '../src/music/generator.js';
import type { SessionLog } from '../src/hosts/session-log.js';
import { haveChromium } from './helpers/browser.js';
import { openServedPage, pageHook, type OpenPage } from './helpers/page-hook.js';
import { ROOT } from './helpers/shared.js';

const LONG = 120_000;
type Slots = { filled: number[]; cue: { slot: number; step: number } | null; canUndo: boolean };
type Pulse = {
  ticks(): number;
  step(): number;
  slots(): Slots | null;
  messages(): { text: string }[];
  snapshot(): { log: SessionLog; played: StepCopy[] };
};
const { pulse, until } = pageHook<Pulse>(LONG);
const attr = (open: OpenPage, id: string, name: string) => open.page.getAttribute(id, name);

describe.skipIf(!haveChromium())('the page\'s pattern slots', () => {
  let open: OpenPage;
  beforeAll(async () => {
    open = await openServedPage();
  }, LONG);
  afterAll(async () => open?.close());
  const tmp = mkdtempSync(join(tmpdir(), 'pulse-web-slots-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('stores with a shift-click or Store, recalls at the bar (waiting shown), undoes, refuses an empty slot; the log replays', async () => {
    const { page, problems } = open;
    for (const id of ['#slot-a', '#slot-b', ...Array.from({ length: 8 }, (_, i) => `#slot-${i + 1}`)]) expect(await page.locator(id).isVisible(), id).toBe(true);
    expect(await attr(open, '#slot-undo', 'title')).toBe(control('undoRecall').description);
    expect(await page.textContent('#slot-store')).toBe(control('store').label);
    await page.click('#start');
    await until(page, (p) => p.ticks() > 20);

    await page.click('#slot-a', { modifiers: ['Shift'] });
    await until(page, (p) => p.slots()?.filled.includes(1));
    await page.click('#slot-store');
    expect(await attr(open, '#slot-store', 'aria-pressed')).toBe('true');
    await page.click('#slot-5');
    await until(page, (p) => p.slots()?.filled.join() === '1,5');
    // the buttons show it when the page next draws, which a busy machine may hold back
    await page.waitForSelector('#slot-5[data-filled="true"]', { timeout: LONG });
    expect(await attr(open, '#slot-5', 'data-filled')).toBe('true');
    expect(await attr(open, '#slot-a', 'data-filled')).toBe('true');
    expect(await attr(open, '#slot-store', 'aria-pressed')).toBe('false');

    // an empty slot: said, and nothing waits
    await page.click('#slot-b');
    await until(page, (p) => p.messages().some((m) => m.text.includes('recall: slot 2 is empty; store(2) first')));
    expect(await pulse(page, (p) => p.slots()?.cue ?? null)).toBeNull();

    // A recalls at its place in the next bar: the button shows it waiting until then
    await until(page, (p) => p.step() % 16 < 8);
    await page.click('#slot-a');
    expect(await attr(open, '#slot-a', 'data-pending')).toBe('true');
    const cue = (await pulse(page, (p) => p.slots()?.cue)) as { slot: number; step: number };
    expect(cue.slot).toBe(1);
    await until(page, (p, at) => p.step() > at && p.slots()?.cue === null, cue.step);
    await until(page, (p) => p.slots()?.canUndo);
    await page.check('#slot-now');
    await page.click('#slot-undo');
    await until(page, (p) => !p.slots()?.canUndo && p.slots()?.cue === null);
    expect(await attr(open, '#slot-a', 'data-pending')).toBe('false');

    const { log, played } = await pulse(page, (p) => p.snapshot());
    const kinds = log.entries.map((e) => e.control.type);
    for (const k of ['store', 'recall', 'undoRecall']) expect(kinds, k).toContain(k);
    expect(log.entries.find((e) => e.control.type === 'undoRecall')?.control).toEqual({ type: 'undoRecall', when: 'now' });
    const spec = await loadModelSpec(join(ROOT, log.session!.model));
    const again = new Generator(spec, log.options).replay(log);
    // the steps compared reach past the recall, so the replay covers it (however fast the page ran)
    expect(played.length).toBeGreaterThan(20);
    expect(played.at(-1)!.step).toBeGreaterThanOrEqual(cue.step);
    for (const s of played) expect(again[s.tick], `tick ${s.tick}`).toEqual(s);
    expect(problems).toEqual([]);
  }, LONG);

  it('saves the set as the file loadSlots reads, and loads it back (refusing another model\'s, naming the field)', async () => {
    const { page, problems } = open;
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: LONG }), page.click('#slot-save')]);
    expect(download.suggestedFilename()).toBe('pulse-rnn-slots.json');
    const text = readFileSync(await download.path(), 'utf8');
    const set = JSON.parse(text);
    expect(set).toMatchObject({ format: 'pulse-rnn-slots', version: 1 });
    expect(Object.keys(set.slots)).toEqual(['1', '5']);

    const file = join(tmp, 'set.slots.json');
    writeFileSync(file, JSON.stringify({ ...set, slots: { 3: set.slots['5'] } }));
    await page.setInputFiles('#slot-file', file);
    await until(page, (p) => p.slots()?.filled.join() === '3');
    expect(await pulse(page, (p) => p.messages().map((m) => m.text))).toContainEqual(expect.stringContaining('slots 3 from set.slots.json'));
    const wrong = join(tmp, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ ...set, model: { ...set.model, hash: '00000000' } }));
    await page.setInputFiles('#slot-file', wrong);
    await until(page, (p) => p.messages().some((m) => m.text.includes('wrong.json: model.hash is "00000000"')));
    expect(await pulse(page, (p) => p.slots()?.filled)).toEqual([3]);
    const { log } = await pulse(page, (p) => p.snapshot());
    expect(log.entries.filter((e) => e.control.type === 'loadSlots')).toHaveLength(1);
    expect(problems).toEqual([]);
  }, LONG);
});
