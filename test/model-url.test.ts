import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSpec } from '../src/io/model-files.js';
import { Network } from '../src/engine/network.js';
import { TempDirs, randomizeWeights, saveModel, useCpuBackend, writeModel } from './helpers/tfjs-models.js';

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
