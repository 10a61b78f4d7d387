/**
 * The model loader in a real browser (Debian's Chromium): the page's own fetch, its CORS and
 * its redirects. A shard path out of the model folder, a shard redirected to another origin
 * (which allows CORS, so only the loader's rule stops it) and a server that never answers all
 * fail by name, as they do in Node.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import * as tf from '@tensorflow/tfjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { ROOT } from './helpers/shared.js';
import { SHARD, randomizeWeights, saveModel, useCpuBackend, type Saved } from './helpers/tfjs-models.js';

const run = haveChromium();

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!run)('loading a model in Chromium', () => {
  let saved: Saved;
  let loader = '';
  let main: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let browser: Browser;
  let page: Page;
  const withPaths = (paths: string[]) => JSON.stringify({ ...saved.json, weightsManifest: [{ paths, weights: (saved.json.weightsManifest as { weights: unknown[] }[])[0].weights }] });

  beforeAll(async () => {
    expect(await useCpuBackend()).toBe(true);
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 12, outputDim: 4, batchInputShape: [null, null] }));
    m.add(tf.layers.gru({ units: 8, returnSequences: true }));
    m.add(tf.layers.dense({ units: 12, activation: 'softmax' }));
    randomizeWeights(m, 2);
    saved = await saveModel(m);
    m.dispose();
    // the loader as the page bundles it: for the browser, Node's modules left out
    const out = await build({ entryPoints: [`${ROOT}/src/io/model-files.ts`], bundle: true, format: 'esm', platform: 'browser', target: 'es2020', write: false, external: ['node:*'] });
    loader = out.outputFiles[0].text;
    other = await serve((req, res) => {
      // allows any page to read it: only the loader's own rule can refuse it
      res.setHeader('access-control-allow-origin', '*');
      if (req.url === `/${SHARD}`) return void res.writeHead(200).end(saved.bin);
      res.writeHead(404).end();
    });
    main = await serve((req, res) => {
      const url = req.url ?? '/';
      if (url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>loader</title><script type="module">import { loadModelSpec } from '/loader.js'; window.loadModelSpec = loadModelSpec;</script>`);
      if (url === '/loader.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(loader);
      if (url === `/m/${SHARD}`) return void res.writeHead(200).end(saved.bin);
      if (url === '/m/model.json') return void res.writeHead(200).end(`\uFEFF${JSON.stringify(saved.json)}`);
      if (url === '/escape/model.json') return void res.writeHead(200).end(withPaths([`../m/${SHARD}`]));
      if (url === '/encoded/model.json') return void res.writeHead(200).end(withPaths([`%2e%2e/m/${SHARD}`]));
      if (url === '/off/model.json') return void res.writeHead(200).end(withPaths([SHARD]));
      if (url === `/off/${SHARD}`) return void res.writeHead(302, { location: `${other.origin}/${SHARD}` }).end();
      if (url === '/hang/model.json') return; // never answers
      res.writeHead(404).end();
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${main.origin}/`);
    await page.waitForFunction(() => 'loadModelSpec' in window);
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    for (const s of [main?.server, other?.server]) {
      s?.closeAllConnections();
      s?.close();
    }
  });

  /** Load `where` in the page; what came back, or the error's message. */
  const load = (where: string, timeoutMs?: number) =>
    page.evaluate(
      async ([w, t]) => {
        const { loadModelSpec } = window as unknown as { loadModelSpec: (where: string, o: { timeoutMs?: number }) => Promise<{ heads: { size: number }[] }> };
        try {
          const spec = await loadModelSpec(w, t ? { timeoutMs: t } : {});
          return { heads: spec.heads.map((h) => h.size) };
        } catch (e) {
          return { error: (e as Error).message };
        }
      },
      [where, timeoutMs ?? 0] as const,
    );

  it('a good model (with a byte-order mark) loads from a relative URL', async () => {
    expect(await load('m/')).toEqual({ heads: [12] });
  });

  it('shard paths out of the model folder are refused by name', async () => {
    expect((await load('escape/model.json')).error).toMatch(new RegExp(`^${main.origin}/escape/model\\.json: weightsManifest\\[0\\]: shard path '\\.\\./m/${SHARD}' climbs out of the model's folder`));
    expect((await load('encoded/model.json')).error).toMatch(/encoded\/model\.json: weightsManifest\[0\]: shard path '%2e%2e\/m\/.*' climbs out/);
  });

  it('a shard redirected to another origin is refused, though that origin allows it', async () => {
    expect((await load('off/model.json')).error).toContain(`${main.origin}/off/${SHARD}: redirected to ${other.origin}/${SHARD}, on another origin`);
  });

  it('a server that never answers: the URL is named after the timeout', async () => {
    expect((await load('hang/model.json', 300)).error).toBe(`${main.origin}/hang/model.json: no complete answer arrived within 0.3 s; the server is not answering or too slow (check it, or allow more time with the timeout option)`);
  });
});
