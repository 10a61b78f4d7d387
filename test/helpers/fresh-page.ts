/**
 * A fresh Chromium page at a given width (a phone's below 700 px: touch, its height), opened at
 * `url`, run through `play`; it must raise no error. For page tests that open a page per check,
 * on the built page served with a model of the test's own (`serveWithModel`).
 *
 * @example
 * const served = await serveWithModel(dir, 'model');
 * await onFreshPage(served.browser, served.url, 390, (page) => until(page, (p) => p.ready()), async (page) => { … });
 */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { serve, type RunningServer } from '../../src/hosts/serve.js';
import { launchChromium } from './browser.js';
import { buildPage } from './page-hook.js';

export async function onFreshPage(browser: Browser, url: string, width: number, ready: (page: Page) => Promise<void>, play: (page: Page) => Promise<void>, options: { acceptDownloads?: boolean } = {}): Promise<void> {
  const phone = width < 700;
  const ctx = await browser.newContext({ viewport: { width, height: phone ? 844 : 900 }, isMobile: phone, hasTouch: phone, acceptDownloads: options.acceptDownloads ?? false });
  try {
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await ready(page);
    await play(page);
    expect(problems).toEqual([]);
  } finally {
    await ctx.close();
  }
}

/** The built page served with one more model folder (at `modelPath`), and a Chromium to open it in. */
export interface ServedModel {
  server: RunningServer;
  browser: Browser;
  /** The page's address with `?<param>=` the model's path. */
  url: string;
  close(): Promise<void>;
}

/** Build the page, serve it with `modelDir` and launch Chromium; the page's URL names the model in `?param=`. */
export async function serveWithModel(modelDir: string, param: 'model' | 'keys'): Promise<ServedModel> {
  await buildPage();
  const server = await serve({ port: 0, model: modelDir });
  const browser = await launchChromium();
  const url = `${server.url}?${param}=${encodeURIComponent(server.modelPath as string)}`;
  return { server, browser, url, close: async () => (await browser.close(), await server.close()) };
}
