/**
 * Find and read a model's files: a folder on disk (Node) or a URL (browsers, or Node's
 * fetch). A location holds either a tfjs LayersModel (`model.json` + shards) or the
 * RNN-Drummer pair (`Wx.bin` + `Wy.bin`).
 *
 * @example
 * const spec = await loadModelSpec('weights/drums-gmd');           // Node folder
 * const spec2 = await loadModelSpec('https://example.org/m/model.json'); // URL
 * const net = new Network(spec);
 */
import { drummerSpec } from '../engine/drummer-format.js';
import { parseLayersModel } from '../engine/layers-model.js';
import type { ModelSpec } from '../engine/model.js';

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

/** Load a model from a folder path, a model.json path, or a URL (relative URLs in browsers). */
export async function loadModelSpec(where: string): Promise<ModelSpec> {
  const url = /^(https?|blob|data):/i.test(where);
  return url || !inNode() ? loadFromUrl(where) : loadFromDisk(where);
}

async function loadFromDisk(where: string): Promise<ModelSpec> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  let stat;
  try {
    stat = await fs.stat(where);
  } catch (e) {
    throw new Error(`${where}: no such model folder or file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const dir = stat.isDirectory() ? where : path.dirname(where);
  const jsonPath = stat.isDirectory() ? path.join(dir, 'model.json') : where;
  const exists = async (p: string) => fs.stat(p).then(() => true, () => false);
  if (await exists(jsonPath)) {
    const text = await fs.readFile(jsonPath, 'utf8');
    const json = parseJson(text, jsonPath);
    return parseLayersModel(json, async (p) => new Uint8Array(await fs.readFile(path.join(dir, p))), jsonPath);
  }
  const wx = path.join(dir, 'Wx.bin');
  const wy = path.join(dir, 'Wy.bin');
  if ((await exists(wx)) && (await exists(wy))) {
    return drummerSpec(new Uint8Array(await fs.readFile(wx)), new Uint8Array(await fs.readFile(wy)), dir);
  }
  throw new Error(`${where}: holds neither model.json nor the Wx.bin + Wy.bin pair`);
}

async function loadFromUrl(where: string): Promise<ModelSpec> {
  const url = /\.json($|\?)/.test(where) ? where : where.replace(/\/?$/, '/model.json');
  const base = new URL('.', new URL(url, typeof location !== 'undefined' ? location.href : undefined));
  const res = await fetchOk(url);
  const text = await res.text();
  const json = parseJson(text, url);
  return parseLayersModel(json, async (p) => new Uint8Array(await (await fetchOk(new URL(p, base).href)).arrayBuffer()), url);
}

async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${url}: cannot fetch (${(e as Error).message})`);
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  return res;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const start = text.trimStart().slice(0, 15);
    const hint = start.startsWith('<') ? ' (it looks like HTML, not model.json)' : '';
    throw new Error(`${where}: not valid JSON${hint}: ${(e as Error).message}`);
  }
}
