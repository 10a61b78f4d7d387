// The page's MIDI map panel in headless Chromium, which has no MIDI ports: a stand-in for
// navigator.requestMIDIAccess, injected before the page loads, that follows the Web MIDI API
// (MIDIAccess.inputs a Map of MIDIInputs, each an EventTarget with onmidimessage and
// 'midimessage' events whose data is a Uint8Array; 'statechange' on the access when an input is
// plugged in). Learned knobs move the page's controls as its sliders do, the mapping survives a
// reload, and it is exported and imported as the file `pulse-rnn play --map` reads.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../src/hosts/serve.js';
import { MAPPABLE, mapFile, parseMap } from '../src/music/midi-map.js';
import { pageRuns } from '../src/hosts/web/apply-control.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { buildPage, pageHook } from './helpers/page-hook.js';

const LONG = 60_000;

/** Runs in the page before its scripts: a Web MIDI access with inputs the test plugs in and plays. */
function fakeWebMidi(): void {
  class FakeMessageEvent extends Event {
    readonly data: Uint8Array;
    constructor(type: string, init: { data: Uint8Array }) {
      super(type);
      this.data = init.data;
    }
  }
  class FakeInput extends EventTarget {
    readonly type = 'input';
    readonly state = 'connected';
    readonly connection = 'open';
    readonly manufacturer = 'test';
    readonly version = '1';
    private handler: ((e: Event) => void) | null = null;
    constructor(
      readonly id: string,
      readonly name: string,
    ) {
      super();
    }
    get onmidimessage() {
      return this.handler;
    }
    set onmidimessage(f: ((e: Event) => void) | null) {
      if (this.handler) this.removeEventListener('midimessage', this.handler);
      this.handler = f;
      if (f) this.addEventListener('midimessage', f);
    }
    open() {
      return Promise.resolve(this);
    }
    close() {
      return Promise.resolve(this);
    }
  }
  class FakeAccess extends EventTarget {
    readonly inputs = new Map<string, FakeInput>();
    readonly outputs = new Map<string, never>();
    readonly sysexEnabled = false;
    onstatechange: ((e: Event) => void) | null = null;
  }
  const access = new FakeAccess();
  let asked = 0;
  const plug = (name: string) => {
    const input = new FakeInput(`in-${access.inputs.size}`, name);
    access.inputs.set(input.id, input);
    const e = Object.assign(new Event('statechange'), { port: input });
    access.dispatchEvent(e);
    access.onstatechange?.(e);
  };
  plug('Fake Knobs');
  Object.defineProperty(navigator, 'requestMIDIAccess', { value: () => (asked++, Promise.resolve(access)), configurable: true });
  (window as unknown as { fakeMidi: unknown }).fakeMidi = {
    plug,
    asked: () => asked,
    send(name: string, bytes: number[]) {
      const input = [...access.inputs.values()].find((i) => i.name === name);
      if (!input) throw new Error(`no input ${name}`);
      input.dispatchEvent(new FakeMessageEvent('midimessage', { data: new Uint8Array(bytes) }));
    },
  };
}

interface Hook {
  ready(): boolean;
  settings(): { temperature: number; density: number; muted: boolean; velocityScales: number[] };
  messages(): { level: string; text: string }[];
  slots(): { filled: number[] };
  snapshot(): { log: { entries: { control: { type: string } }[] } };
}
const { pulse, until } = pageHook<Hook>(LONG);
const send = (page: Page, name: string, ...bytes: number[]) => page.evaluate(([n, b]) => (window as unknown as { fakeMidi: { send(n: string, b: number[]): void } }).fakeMidi.send(n, b), [name, bytes] as const);
const listed = (page: Page) => page.$$eval('#map-list li', (lis) => lis.map((li) => (li.textContent ?? '').replace(/\s*×$/, '')));

async function learn(page: Page, control: string, voice?: string): Promise<void> {
  await page.selectOption('#map-control', control);
  if (voice) await page.selectOption('#map-voice', voice);
  await page.click('#map-learn');
  await page.waitForFunction(() => document.getElementById('map-learn')?.getAttribute('aria-pressed') === 'true');
}

describe.runIf(haveChromium())('the page: MIDI map panel', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await buildPage();
    server = await serve({ port: 0 });
    browser = await launchChromium();
    const context = await browser.newContext({ acceptDownloads: true });
    await context.addInitScript(fakeWebMidi);
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(server.url);
    await until(page, (p) => p.ready());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('offers every control a controller can reach; learns a knob, which then moves the control as its slider does', async () => {
    const offered = await page.$$eval('#map-control option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    // every control a controller reaches that the page has (the prompt and Max have the rest)
    expect(offered).toEqual(MAPPABLE.map((c) => c.name).filter(pageRuns));
    expect(offered).toEqual(expect.arrayContaining(['temperature', 'topP', 'density', 'velocityScale', 'pause', 'mute', 'reseed', 'lock', 'store', 'recall', 'bpm']));
    expect(offered).not.toContain('primeRandom');
    expect(await page.evaluate(() => (window as unknown as { fakeMidi: { asked(): number } }).fakeMidi.asked())).toBe(0);
    await learn(page, 'temperature');
    await send(page, 'Fake Knobs', 0x90, 60, 100); // a key: temperature waits for a knob
    expect(await page.getAttribute('#map-learn', 'aria-pressed')).toBe('true');
    await send(page, 'Fake Knobs', 0xb0, 21, 64);
    expect(await listed(page)).toEqual(['temperature ← CC 21 (ch 1, Fake Knobs)']);
    expect(await page.getAttribute('#map-learn', 'aria-pressed')).toBe('false');
    await send(page, 'Fake Knobs', 0xb0, 21, 127);
    expect((await pulse(page, (p) => p.settings())).temperature).toBe(2);
    await page.waitForFunction(() => (document.getElementById('temperature') as HTMLInputElement).value === '2');
    await send(page, 'Fake Knobs', 0xb0, 21, 0);
    expect((await pulse(page, (p) => p.settings())).temperature).toBe(0);
    await page.waitForFunction(() => (document.getElementById('temperature') as HTMLInputElement).value === '0');
    // relearned on another knob: the older entry goes
    await learn(page, 'temperature');
    await send(page, 'Fake Knobs', 0xb1, 23, 10);
    expect(await listed(page)).toEqual(['temperature ← CC 23 (ch 2, Fake Knobs)']);
  }, LONG);

  it('a voice for velocityScale; a pad on an input plugged in later flips mute', async () => {
    await learn(page, 'velocityScale', 'snare');
    await send(page, 'Fake Knobs', 0xb0, 22, 1);
    await send(page, 'Fake Knobs', 0xb0, 22, 127);
    const snare = (await page.$$eval('#map-voice option', (os) => os.map((o) => (o as HTMLOptionElement).value))).indexOf('snare');
    expect((await pulse(page, (p) => p.settings())).velocityScales[snare]).toBe(2);
    await page.evaluate(() => (window as unknown as { fakeMidi: { plug(n: string): void } }).fakeMidi.plug('Fake Pads'));
    await learn(page, 'mute');
    await send(page, 'Fake Pads', 0x99, 36, 100);
    expect((await listed(page)).at(-1)).toBe('mute ← note 36 (ch 10, Fake Pads), a press flips it');
    await send(page, 'Fake Pads', 0x99, 36, 100);
    expect((await pulse(page, (p) => p.settings())).muted).toBe(true);
    await send(page, 'Fake Pads', 0x89, 36, 0);
    await send(page, 'Fake Pads', 0x99, 36, 100);
    expect((await pulse(page, (p) => p.settings())).muted).toBe(false);
  }, LONG);

  it('a pad stores a pattern slot chosen beside the control, as the slot buttons do', async () => {
    await page.selectOption('#map-control', 'store');
    expect(await page.$$eval('#map-voice option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['', '1', '2', '3', '4', '5', '6', '7', '8']);
    await learn(page, 'store', '2');
    await send(page, 'Fake Pads', 0x99, 37, 100);
    expect((await listed(page)).at(-1)).toBe('store(2) ← note 37 (ch 10, Fake Pads), on a press');
    await send(page, 'Fake Pads', 0x99, 37, 100);
    await send(page, 'Fake Knobs', 0xb1, 23, 127);
    // a store applies at the next step: play one
    await page.click('#start');
    await until(page, (p) => p.slots().filled.length > 0);
    await page.click('#start');
    expect((await pulse(page, (p) => p.slots())).filled).toEqual([2]);
    // the knob's change is in the page's performance log as its control, like the slider's
    const log = await pulse(page, (p) => p.snapshot().log);
    expect(log.entries.map((e) => e.control)).toEqual(expect.arrayContaining([{ type: 'temperature', value: 2 }]));
    // it goes again, so the reload below finds the three entries before it
    await page.click('#map-list li:last-child button');
    expect(await listed(page)).toHaveLength(3);
  }, LONG);

  it('keeps the mapping across a reload, and plays it without a Learn', async () => {
    const before = await listed(page);
    expect(before).toHaveLength(3);
    await page.reload();
    await until(page, (p) => p.ready());
    expect(await listed(page)).toEqual(before);
    await page.evaluate(() => (window as unknown as { fakeMidi: { plug(n: string): void } }).fakeMidi.plug('Fake Pads'));
    await page.waitForFunction(() => (window as unknown as { fakeMidi: { asked(): number } }).fakeMidi.asked() === 1);
    await send(page, 'Fake Knobs', 0xb1, 23, 127);
    expect((await pulse(page, (p) => p.settings())).temperature).toBe(2);
    await send(page, 'Fake Pads', 0x99, 36, 100);
    expect((await pulse(page, (p) => p.settings())).muted).toBe(true);
  }, LONG);

  it('exports the file --map reads; imports one, and names the file, entry and field of a broken one', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#map-export')]);
    expect(download.suggestedFilename()).toBe('pulse-rnn-map.json');
    const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    const entries = parseMap(text, 'exported.json');
    expect(entries.map((e) => e.control)).toEqual(['temperature', 'velocityScale', 'mute']);
    expect(entries[1].args).toEqual(['snare']);

    const broken = JSON.stringify({ format: 'pulse-rnn-map', version: 1, entries: [{ control: 'density', cc: 5, range: [-1, 9] }] });
    await page.setInputFiles('#map-import', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(broken) });
    await until(page, (p) => p.messages().some((m) => m.text.includes('broken.json: entries[0].range[1]: 9 is outside density')));
    expect(await listed(page)).toHaveLength(3);

    const good = JSON.stringify(mapFile([{ control: 'density', cc: 5, range: [-1, 1] }]));
    await page.setInputFiles('#map-import', { name: 'density.json', mimeType: 'application/json', buffer: Buffer.from(good) });
    await page.waitForFunction(() => document.querySelectorAll('#map-list li').length === 1);
    await send(page, 'Fake Knobs', 0xb0, 5, 0);
    expect((await pulse(page, (p) => p.settings())).density).toBe(-1);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('pulse-rnn.midi-map'))) ?? 'null').entries).toEqual([{ control: 'density', cc: 5, range: [-1, 1] }]);
    expect(problems).toEqual([]);
  }, LONG);
});
