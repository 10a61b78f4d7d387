/**
 * Find and read a model's files: a folder on disk (Node) or a URL (browsers, or Node's
 * fetch). A location holds either a tfjs LayersModel (`model.json` + shards) or the
 * RNN-Drummer pair (`Wx.bin` + `Wy.bin`).
 *
 * Whatever model.json says, only files inside the model's folder are read: on disk, regular
 * files whose real path (symbolic links resolved) lies in the folder; over HTTP, files beside
 * model.json on its origin. Sizes are capped before reading (model.json at 64 MB, each shard
 * at what the manifest declares) and every fetch has a deadline.
 *
 * @example
 * const spec = await loadModelSpec('weights/drums-gmd');           // Node folder
 * const spec2 = await loadModelSpec('https://example.org/m/model.json', { timeoutMs: 10_000 }); // URL
 * const net = new Network(spec);
 */
import { readDrummerPair } from '../engine/drummer-format.js';
import { parseLayersModel } from '../engine/layers-model.js';
import type { ModelSpec } from '../engine/model.js';
import { MAX_MODEL_JSON_BYTES, parseModelJson } from '../engine/model-json.js';
import { pathExists, readFileBytes } from './file-bytes.js';
import { fetchBytes } from './url-bytes.js';

export interface LoadOptions {
  /** Milliseconds a URL load may wait for each file, from request to last byte (default 60 000). */
  timeoutMs?: number;
  /** Cancels a URL load when aborted. */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const JSON_LIMIT = 'the 64 MB a model.json may hold';

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

/** Load a model from a folder path, a model.json path, or a URL (relative URLs in browsers). */
export async function loadModelSpec(where: string, options: LoadOptions = {}): Promise<ModelSpec> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1)) throw new Error(`timeoutMs must be a number of milliseconds from 1 to 2147483647, got ${String(timeoutMs)}`);
  if (inNode() && /^file:/i.test(where)) {
    const { fileURLToPath } = await import('node:url');
    return loadFromDisk(fileURLToPath(where));
  }
  // two letters at least: C:\models is a Windows path, not a URL
  const url = /^[a-z][a-z0-9+.-]+:/i.test(where);
  return url || !inNode() ? loadFromUrl(where, timeoutMs, options.signal) : loadFromDisk(where);
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
  // one file of the Drummer's pair stands for its folder; any other file must be a model.json
  const pairFile = !stat.isDirectory() && /^W[xy]\.bin$/.test(path.basename(where));
  if (!stat.isDirectory() && !pairFile && !/\.json$/i.test(where)) {
    throw new Error(`${where}: not a model.json; give the model's folder (${dir}), which holds model.json and its weight shards (or Wx.bin and Wy.bin)`);
  }
  const jsonPath = stat.isDirectory() || pairFile ? path.join(dir, 'model.json') : where;
  const named = (file: string) => (e: unknown) => Promise.reject(new Error(`${file}: ${(e as Error).message}`));
  if (await pathExists(jsonPath)) {
    const bytes = await readFileBytes(jsonPath, MAX_MODEL_JSON_BYTES, undefined, JSON_LIMIT).catch(named(jsonPath));
    const json = parseModelJson(decodeText(bytes, jsonPath), jsonPath);
    return parseLayersModel(json, (p, max) => readFileBytes(path.join(dir, p), max, dir, shardLimit(max)), jsonPath);
  }
  const wx = path.join(dir, 'Wx.bin');
  const wy = path.join(dir, 'Wy.bin');
  const hasWx = await pathExists(wx);
  const hasWy = await pathExists(wy);
  if (hasWx && hasWy) {
    return readDrummerPair((file, max, limit) => {
      const at = file === 'Wx.bin' ? wx : wy;
      return readFileBytes(at, max, dir, limit).catch(named(at));
    }, dir);
  }
  const [has, lacks] = hasWx ? ['Wx.bin', 'Wy.bin'] : hasWy ? ['Wy.bin', 'Wx.bin'] : [null, null];
  if (has) throw new Error(`${where}: holds ${has} but not ${lacks}; an RNN-Drummer model needs both, side by side (copy ${lacks} there)`);
  throw new Error(`${where}: holds neither model.json nor the Wx.bin + Wy.bin pair${await modelsInside(dir)}`);
}

/** The advice for a folder that is not a model: the model folders it holds, if any. */
async function modelsInside(dir: string): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const models: string[] = [];
  for (const name of names.sort()) {
    const sub = path.join(dir, name);
    if ((await pathExists(path.join(sub, 'model.json'))) || ((await pathExists(path.join(sub, 'Wx.bin'))) && (await pathExists(path.join(sub, 'Wy.bin'))))) models.push(name);
  }
  if (models.length === 0) return "; give the folder a model was saved to (by train --out, or a tfjs export), which holds model.json and its weight shards";
  const shown = models.length > 6 ? `${models.slice(0, 6).join(', ')} and ${models.length - 6} more` : models.join(', ');
  return models.length === 1 ? `, but its folder ${shown} does: give that folder (${path.join(dir, models[0])})` : `, but its folders ${shown} do: give one of them (e.g. ${path.join(dir, models[0])})`;
}

async function loadFromUrl(where: string, timeoutMs: number, signal?: AbortSignal): Promise<ModelSpec> {
  let absolute: URL;
  try {
    absolute = new URL(where, typeof location !== 'undefined' ? location.href : undefined);
  } catch {
    throw new Error(`${where}: not a URL or a folder path`);
  }
  // a folder's URL names model.json inside it; a query (a cache-buster) stays a query
  if (!/\.json$/i.test(absolute.pathname)) absolute.pathname = absolute.pathname.replace(/\/?$/, '/model.json');
  absolute.hash = '';
  if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') {
    throw new Error(`${where}: a model loads from an http: or https: URL (its shards are fetched beside model.json), or from a folder on disk; ${absolute.protocol} URLs are not supported`);
  }
  const origin = absolute.origin;
  const got = await fetchBytes(absolute.href, { maxBytes: MAX_MODEL_JSON_BYTES, limit: JSON_LIMIT, timeoutMs, origin, signal });
  const json = parseModelJson(decodeText(got.bytes, absolute.href), absolute.href);
  // shards sit beside model.json (where redirects took it, on the same origin)
  const folder = new URL('.', got.url);
  return parseLayersModel(
    json,
    async (p, max) => {
      const shard = new URL(p, folder);
      if (shard.origin !== origin || !shard.pathname.startsWith(folder.pathname)) throw new Error(`resolves to ${shard.href}, outside ${folder.href}`);
      return (await fetchBytes(shard.href, { maxBytes: max, limit: shardLimit(max), timeoutMs, origin, signal })).bytes;
    },
    absolute.href,
  );
}

const shardLimit = (max: number) => `the ${max} bytes model.json's manifest leaves for it`;

/** model.json's bytes as text: UTF-8, with or without a byte-order mark. */
function decodeText(bytes: Uint8Array, where: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new Error(`${where}: is UTF-16 text; save model.json as UTF-8`);
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}
