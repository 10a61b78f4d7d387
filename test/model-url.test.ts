import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSpec } from '../src/io/model-files.js';
import { Network } from '../src/engine/network.js';
import { SHARD, TempDirs, randomizeWeights, saveModel, useCpuBackend, writeModel, type Saved } from './helpers/tfjs-models.js';

// A model served over HTTP, as a browser would fetch it.
const dirs = new TempDirs();
let server: Server;
let base = '';
let dir = '';

beforeAll(async () => {
  expect(await useCpuBackend()).toBe(true);
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: 12, outputDim: 4, batchInputShape: [null, null] }));
  m.add(tf.layers.gru({ units: 8, returnSequences: true, recurrentInitializer: 'glorotNormal' }));
  m.add(tf.layers.dense({ units: 12, activation: 'softmax' }));
  randomizeWeights(m, 3);
  const saved = await saveModel(m);
  m.dispose();
  dir = await writeModel(await dirs.make(), saved.json, saved.bin);
  server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/html/')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><h1>Welcome</h1>');
    if (path.startsWith('/models/m/')) {
      try {
        const body = await readFile(join(dir, path.slice('/models/m/'.length)));
        return void res.writeHead(200).end(body);
      } catch {
        /* falls to 404 */
      }
    }
    res.writeHead(404, 'Not Found').end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await dirs.cleanup();
});

describe('loading a model from a URL', () => {
  it('loads from the folder URL and from the model.json URL, the same as from disk', async () => {
    const disk = new Network(await loadModelSpec(dir));
    for (const url of [`${base}/models/m/`, `${base}/models/m/model.json`]) {
      const net = new Network(await loadModelSpec(url));
      disk.resetState();
      for (const t of [1, 5, 7]) {
        net.step([t]);
        disk.step([t]);
        expect(Array.from(net.logits[0])).toEqual(Array.from(disk.logits[0]));
      }
    }
  });

  it('a 404 names the URL and the status', async () => {
    await expect(loadModelSpec(`${base}/models/none/model.json`)).rejects.toThrow(/models\/none\/model\.json: HTTP 404/);
  });

  it('an HTML page instead of model.json says so', async () => {
    await expect(loadModelSpec(`${base}/html/model.json`)).rejects.toThrow(/html\/model\.json: not valid JSON \(it looks like HTML/);
  });

  it('a server that is not there names the URL', async () => {
    await expect(loadModelSpec('http://127.0.0.1:9/model.json')).rejects.toThrow(/127\.0\.0\.1:9\/model\.json: cannot fetch/);
  });
});

// ---- servers that misbehave ------------------------------------------------------------------

/** A server on 127.0.0.1 answering with `handle`; closed (with its open connections) after the tests. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('loading from a server that misbehaves', () => {
  let saved: Saved;
  let main: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  /** model.json naming `shard` as its only shard path. */
  const modelJson = (shard: string) => JSON.stringify({ ...saved.json, weightsManifest: [{ paths: [shard], weights: (saved.json.weightsManifest as { weights: unknown[] }[])[0].weights }] });
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 12, outputDim: 4, batchInputShape: [null, null] }));
    m.add(tf.layers.lstm({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 12, activation: 'softmax' }));
    randomizeWeights(m, 4);
    saved = await saveModel(m);
    m.dispose();
    // another origin (another port), holding a good copy of the model
    other = await serve((req, res) => {
      if (req.url === `/${SHARD}`) return void res.writeHead(200).end(saved.bin);
      if (req.url === '/model.json') return void res.writeHead(200).end(JSON.stringify(saved.json));
      res.writeHead(404).end();
    });
    main = await serve((req, res) => {
      const url = req.url ?? '/';
      const [, kind, file] = /^\/([^/]+)\/(.*)$/.exec(url) ?? [];
      if (file === SHARD && kind !== 'slowshard' && kind !== 'offshard') return void res.writeHead(200).end(saved.bin);
      switch (kind) {
        case 'hang':
          return; // accepts, never answers
        case 'trickle': {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{');
          const t = setInterval(() => res.write(' '), 20);
          timers.push(t);
          res.on('close', () => clearInterval(t));
          return;
        }
        case 'declared': // says 3 GB are coming
          res.writeHead(200, { 'content-length': String(3 * 2 ** 30) });
          return void res.write('{');
        case 'stream': {
          // chunked, no length: 1 MB at a time, up to 200 MB, while the client reads
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(2 ** 20, 0x20);
          let sent = 0;
          const more = () => {
            while (sent < 200 && !res.destroyed) {
              sent++;
              if (!res.write(chunk)) return void res.once('drain', more);
            }
            res.end();
          };
          return more();
        }
        case 'bom':
          return void res.writeHead(200).end(`\uFEFF${JSON.stringify(saved.json)}`);
        case 'absolute':
          return void res.writeHead(200).end(modelJson(`${other.origin}/${SHARD}`));
        case 'protocol':
          return void res.writeHead(200).end(modelJson(`//${other.origin.slice('http://'.length)}/${SHARD}`));
        case 'offshard':
          if (file === SHARD) return void res.writeHead(302, { location: `${other.origin}/${SHARD}` }).end();
          return void res.writeHead(200).end(modelJson(SHARD));
        case 'offjson':
          return void res.writeHead(302, { location: `${other.origin}/model.json` }).end();
        case 'samejson':
          return void res.writeHead(302, { location: '/bom/model.json' }).end();
        case 'slowshard':
          if (file === SHARD) return; // model.json answers, its shard never does
          return void res.writeHead(200).end(JSON.stringify(saved.json));
      }
      res.writeHead(404).end();
    });
  });
  afterAll(() => {
    for (const t of timers) clearInterval(t);
    for (const s of [main?.server, other?.server]) {
      s?.closeAllConnections();
      s?.close();
    }
  });

  it('the good copy on the other origin loads, and so does model.json with a UTF-8 byte-order mark', async () => {
    expect((await loadModelSpec(`${other.origin}/model.json`)).layers[0].units).toBe(8);
    expect((await loadModelSpec(`${main.origin}/bom/`)).layers[0].units).toBe(8);
  });

  it('a server that accepts and never answers: the URL is named once the timeout passes', async () => {
    const url = `${main.origin}/hang/model.json`;
    await expect(loadModelSpec(url, { timeoutMs: 300 })).rejects.toThrow(`${url}: no complete answer arrived within 0.3 s; the server is not answering or too slow (check it, or allow more time with the timeout option)`);
  });

  it('a server that trickles bytes forever: refused at the timeout, with the bytes that came', async () => {
    const url = `${main.origin}/trickle/model.json`;
    await expect(loadModelSpec(url, { timeoutMs: 400 })).rejects.toThrow(new RegExp(`^${url}: only \\d+ bytes arrived within 0\\.4 s`));
  });

  it('a shard that never comes: names the shard URL', async () => {
    await expect(loadModelSpec(`${main.origin}/slowshard/model.json`, { timeoutMs: 300 })).rejects.toThrow(new RegExp(`${main.origin}/slowshard/${SHARD}: no complete answer arrived within 0\\.3 s`));
  });

  it('a model.json declared 3 GB long is refused before its body is read', async () => {
    const url = `${main.origin}/declared/model.json`;
    await expect(loadModelSpec(url)).rejects.toThrow(`${url}: ${3 * 2 ** 30} bytes, more than the 64 MB a model.json may hold`);
  });

  it('a model.json streamed without a length is cut off past 64 MB', async () => {
    const url = `${main.origin}/stream/model.json`;
    await expect(loadModelSpec(url)).rejects.toThrow(new RegExp(`^${url}: \\d+ bytes and more, more than the 64 MB a model\\.json may hold`));
  });

  it('shards named by another origin, or redirected to one, are refused', async () => {
    await expect(loadModelSpec(`${main.origin}/absolute/model.json`)).rejects.toThrow(/absolute\/model\.json: weightsManifest\[0\]: shard path 'http:\/\/127\.0\.0\.1:\d+\/group1-shard1of1\.bin' names a scheme/);
    await expect(loadModelSpec(`${main.origin}/protocol/model.json`)).rejects.toThrow(/protocol\/model\.json: weightsManifest\[0\]: shard path '\/\/127\.0\.0\.1:\d+\/group1-shard1of1\.bin' is absolute/);
    const shard = `${main.origin}/offshard/${SHARD}`;
    await expect(loadModelSpec(`${main.origin}/offshard/model.json`)).rejects.toThrow(`${shard}: redirected to ${other.origin}/${SHARD}, on another origin; a model's files must all come from ${main.origin}, where its model.json is`);
  });

  it('model.json redirected to another origin is refused; on the same origin it is followed', async () => {
    const url = `${main.origin}/offjson/model.json`;
    await expect(loadModelSpec(url)).rejects.toThrow(`${url}: redirected to ${other.origin}/model.json, on another origin`);
    expect((await loadModelSpec(`${main.origin}/samejson/model.json`)).heads).toHaveLength(1);
  });

  it('URLs other than http: and https: are refused by name', async () => {
    for (const url of ['data:application/json,{}', 'ftp://127.0.0.1/model.json']) {
      await expect(loadModelSpec(url)).rejects.toThrow(`${url}: a model loads from an http: or https: URL (its shards are fetched beside model.json), or from a folder on disk`);
    }
  });

  it('a timeout that is not a positive number of milliseconds is refused', async () => {
    for (const timeoutMs of [0, -1, NaN, Infinity]) {
      await expect(loadModelSpec(`${main.origin}/bom/`, { timeoutMs })).rejects.toThrow(/timeoutMs must be a number of milliseconds/);
    }
  });
});

describe('model folders as people serve them', () => {
  let saved: Saved;
  let site: { server: Server; origin: string };
  const withShard = (shard: string) => JSON.stringify({ ...saved.json, weightsManifest: [{ paths: [shard], weights: (saved.json.weightsManifest as { weights: unknown[] }[])[0].weights }] });
  const page = '<!DOCTYPE html>\n<html><head><title>My app</title></head><body><div id="root"></div></body></html>';

  beforeAll(async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 12, outputDim: 4, batchInputShape: [null, null] }));
    m.add(tf.layers.lstm({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 12, activation: 'softmax' }));
    randomizeWeights(m, 5);
    saved = await saveModel(m);
    m.dispose();
    // a static server: the query is not part of the file's name
    const files: Record<string, [number, string | Uint8Array]> = {
      '/plain/model.json': [200, JSON.stringify(saved.json)],
      [`/plain/${SHARD}`]: [200, saved.bin],
      '/sub/model.json': [200, withShard('shards/w.bin')],
      '/sub/shards/w.bin': [200, saved.bin],
      '/dot/model.json': [200, withShard('./w.bin')],
      '/dot/w.bin': [200, saved.bin],
      '/unicode/model.json': [200, withShard('gewichte ü 1.bin')],
      '/unicode/gewichte%20%C3%BC%201.bin': [200, saved.bin],
      // a single-page app answers every unknown path with its page
      '/spa/model.json': [200, JSON.stringify(saved.json)],
      '/500/model.json': [500, 'oops'],
      '/503/model.json': [503, 'busy'],
      '/304/model.json': [304, ''],
      '/403/model.json': [403, 'no'],
    };
    site = await serve((req, res) => {
      const path = (req.url ?? '/').replace(/[?#].*$/, '');
      const hit = files[path];
      if (hit) return void res.writeHead(hit[0]).end(hit[1]);
      if (path.startsWith('/spa/')) return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      res.writeHead(404).end('not found');
    });
  });
  afterAll(() => {
    site?.server.closeAllConnections();
    site?.server.close();
  });

  it('shards in a subfolder, named with ./, or with spaces and letters beyond ASCII load', async () => {
    for (const kind of ['plain', 'sub', 'dot', 'unicode']) expect((await loadModelSpec(`${site.origin}/${kind}/`)).layers[0].units, kind).toBe(8);
  });

  it('a folder URL with a query (a cache-buster) loads model.json from that folder', async () => {
    for (const url of [`${site.origin}/plain?v=2`, `${site.origin}/plain/?v=2`, `${site.origin}/plain/model.json?v=2`, `${site.origin}/plain/#top`]) {
      expect((await loadModelSpec(url)).layers[0].units, url).toBe(8);
    }
  });

  it('an error status says what it means and what to do', async () => {
    const fails = async (kind: string) => (await loadModelSpec(`${site.origin}/${kind}/`).then(() => '', (e: Error) => e.message));
    expect(await fails('none')).toBe(`${site.origin}/none/model.json: HTTP 404 Not Found: no file there; check the URL (a model is a folder holding model.json and its weight shards)`);
    expect(await fails('500')).toMatch(/\/500\/model\.json: HTTP 500 Internal Server Error: the server failed; try again, or look at the server's log$/);
    expect(await fails('503')).toMatch(/\/503\/model\.json: HTTP 503 Service Unavailable: the server failed; try again/);
    expect(await fails('403')).toMatch(/\/403\/model\.json: HTTP 403 Forbidden: the server will not give it; check that the file may be read without logging in/);
    expect(await fails('304')).toMatch(/\/304\/model\.json: HTTP 304 Not Modified: the server sent no file .*check the server, or a proxy between/);
  });

  it('a server that closes the connection in the middle of a shard: the shard is named, with what to do', async () => {
    const cut = await serve((req, res) => {
      if (req.url === '/m/model.json') return void res.writeHead(200).end(JSON.stringify(saved.json));
      // promises the whole shard, sends a part, and hangs up
      res.writeHead(200, { 'content-length': String(saved.bin.length) });
      res.write(saved.bin.subarray(0, 100), () => res.destroy());
    });
    try {
      const e = await loadModelSpec(`${cut.origin}/m/`).then(() => null, (x: Error) => x);
      expect(e?.message).toMatch(new RegExp(`^${cut.origin}/m/${SHARD}: cannot read weights shard named in ${cut.origin}/m/model\\.json \\(${cut.origin}/m/${SHARD}: cannot fetch \\(.*\\); check the URL and that the server is up, then load again\\)$`));
    } finally {
      cut.server.closeAllConnections();
      cut.server.close();
    }
  });

  it('a web page served in place of a shard is named as one', async () => {
    const e = await loadModelSpec(`${site.origin}/spa/`).then(() => null, (x: Error) => x);
    expect(e?.message).toMatch(new RegExp(`^${site.origin}/spa/${SHARD}: .*; it is a web page \\(HTML\\), not weights: the server has no file at that address \\(check that the shard was uploaded beside model\\.json\\)`));
  });
});
