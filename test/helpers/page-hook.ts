/**
 * The performer's page for browser tests: built with its own config from rollup.config.ts (once
 * per test file), and read through its read-only `window.pulse` hook.
 *
 * @example
 * const { pulse, until } = pageHook<{ ticks(): number }>(60_000);
 * await until(page, (p) => p.ticks() >= 4);
 */
import type { Browser, Page } from 'playwright-core';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import rollupConfig from '../../rollup.config.js';
import { serve, type RunningServer } from '../../src/hosts/serve.js';
import { launchChromium } from './browser.js';

/** Build the page with its own config from rollup.config.ts (the others are not this file's business). */
let built: Promise<void> | null = null;
export function buildPage(): Promise<void> {
  built ??= (async () => {
    const config = (rollupConfig as RollupOptions[]).find((c) => c.input === 'src/hosts/web/app.ts');
    if (!config) throw new Error('rollup.config.ts has no config with input src/hosts/web/app.ts');
    const bundle = await rollup(config);
    await bundle.write(config.output as OutputOptions);
    await bundle.close();
  })();
  return built;
}

/** `pulse` runs a function on the page's hook `P`; `until` waits (up to `timeout` ms unless told) until one is truthy. */
export function pageHook<P>(timeout: number) {
  return {
    /** Run `fn` on the page's hook. */
    pulse<T>(page: Page, fn: (p: P) => T): Promise<T> {
      return page.evaluate(`(${fn.toString()})(window.pulse)`) as Promise<T>;
    },
    /** Wait until `fn(window.pulse, arg)` is truthy. */
    async until<A>(page: Page, fn: (p: P, arg: A) => unknown, arg?: A, ms = timeout): Promise<void> {
      await page.waitForFunction(([src, a]) => new Function('p', 'a', `return (${src})(p, a)`)((window as unknown as { pulse: unknown }).pulse, a), [fn.toString(), arg] as const, { timeout: ms, polling: 100 });
    },
  };
}

/** The built page served on a free port and open in Chromium, its errors collected in `problems`, ready to play. */
export interface OpenPage {
  server: RunningServer;
  browser: Browser;
  page: Page;
  problems: string[];
  close(): Promise<void>;
}

export async function openServedPage(viewport = { width: 1440, height: 900 }): Promise<OpenPage> {
  await buildPage();
  const server = await serve({ port: 0 });
  const browser = await launchChromium();
  const page = await (await browser.newContext({ viewport })).newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { pulse?: { ready(): boolean } }).pulse?.ready(), undefined, { timeout: 60_000, polling: 100 });
  return { server, browser, page, problems, close: async () => (await browser.close(), await server.close()) };
}
