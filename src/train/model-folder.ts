/**
 * What a weights folder holds before a training run writes into it, and how `train --force`
 * makes room: the model already there (its model.json, the shards that model.json names, its
 * training log, curves and model card) is moved, whole, into a `replaced-<time>` folder inside,
 * so nothing is deleted and no card is left describing another model. Any other file is left
 * where it is.
 *
 * @example
 * const held = heldModel('weights/my-drums');            // ['model.json', 'weights-…bin', 'train-log.jsonl']
 * if (held.length) moveAside('weights/my-drums', held);  // → weights/my-drums/replaced-2026-01-31T120000Z/
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** The files that make a folder's model: the trainer writes them, the page and loaders read them. */
export const MODEL_FILES = ['model.json', 'train-log.jsonl', 'curves.svg', 'MODEL_CARD.md'] as const;

/** The files of the model `dir` holds (none: the folder is free for a new run). */
export function heldModel(dir: string): string[] {
  const held: string[] = MODEL_FILES.filter((f) => existsSync(join(dir, f)));
  for (const shard of shardsNamed(dir)) if (!held.includes(shard)) held.push(shard);
  return held;
}

/** Shards that the folder's model.json names and that lie in the folder itself (plain names only). */
function shardsNamed(dir: string): string[] {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest?: { paths?: unknown[] }[] };
    const paths = (json.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
    return paths.filter((p): p is string => typeof p === 'string' && /^[^/\\]+$/.test(p) && p !== '.' && p !== '..' && existsSync(join(dir, p)) && lstatSync(join(dir, p)).isFile());
  } catch {
    // no model.json, or one that cannot be read: it names nothing this folder must keep together
    return [];
  }
}

/** Move `files` of `dir` into a new `replaced-<time>` folder inside it; returns that folder. */
export function moveAside(dir: string, files: readonly string[], now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '').replace(/\d{3}Z$/, 'Z');
  let dest = join(dir, `replaced-${stamp}`);
  for (let k = 2; existsSync(dest); k++) dest = join(dir, `replaced-${stamp}-${k}`);
  mkdirSync(dest);
  for (const f of files) renameSync(join(dir, f), join(dest, f));
  return dest;
}
