import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, copyStep, type PerformanceLog, type StepCopy } from '../src/music/generator.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { drumGridSpec, howlSpec } from './helpers/models.js';
import { pageBundle } from './helpers/page-bundle.js';

// The same performance log, replayed by the core library in Node and in Chromium.
const ENTRY = `
import { Generator, copyStep } from './src/core.ts';
import { drumGridSpec, howlSpec } from './test/helpers/models.ts';
globalThis.pulseReplay = (which, log) => {
  const spec = which === 'drums' ? drumGridSpec(3) : howlSpec(4);
  const g = new Generator(spec, log.options);
  return { kernel: g.net.kernel.name, steps: g.replay(log) };
};
`;

function perform(which: 'drums' | 'howl'): { log: PerformanceLog; played: StepCopy[] } {
  const g = new Generator(which === 'drums' ? drumGridSpec(3) : howlSpec(4), { seed: 99, temperature: 0.9, lookahead: 6 });
  const played: StepCopy[] = [];
  const play = (n: number) => {
    for (let i = 0; i < n; i++) played.push(copyStep(g.tick()));
  };
  play(8);
  g.setTemperature(1.3);
  g.setDensity(0.5);
  play(5);
  g.edit(g.step + 3, which === 'drums' ? ['kick', 'snare'] : [64]);
  if (which === 'drums') g.lock('closed-hat', { pattern: [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0] });
  play(12);
  g.pause();
  play(2);
  g.resume();
  g.reseed(5);
  g.setTopP(0.9);
  play(20);
  return { log: JSON.parse(JSON.stringify(g.log)), played };
}

const have = haveChromium();
let browser: Browser;
let code = '';

describe.skipIf(!have)('the same log gives the same notes in Node and in Chromium', () => {
  beforeAll(async () => {
    code = await pageBundle(ENTRY);
    browser = await launchChromium();
  }, 60000);
  afterAll(async () => browser?.close());

  for (const which of ['drums', 'howl'] as const) {
    it(`${which}: a performance with edits, locks, pause and reseed`, async () => {
      const { log, played } = perform(which);
      const node = new Generator(which === 'drums' ? drumGridSpec(3) : howlSpec(4), log.options).replay(log);
      expect(node).toEqual(played);
      const page = await browser.newPage();
      await page.addScriptTag({ content: code });
      const result = await page.evaluate(([w, l]) => (globalThis as unknown as { pulseReplay: (w: string, l: unknown) => unknown }).pulseReplay(w, l), [which, log] as const);
      await page.close();
      const { kernel, steps } = result as { kernel: string; steps: StepCopy[] };
      expect(kernel).toBe('wasm-simd');
      expect(steps).toEqual(played);
      expect(played.reduce((a, s) => a + s.notes.length, 0)).toBeGreaterThan(10);
    }, 60000);
  }
});
