/**
 * What the page says about a loaded model, and where `pulse-rnn replay` finds it again: its
 * short name, a summary line, its grid rows, and which note plays on which row.
 *
 * @example
 * modelName('weights/drums-gmd/model.json');   // 'drums-gmd'
 */
import type { Codec } from '../../music/codecs.js';

export interface ModelInfo {
  /** The URL it was loaded from. */
  readonly url: string;
  /** Short name: the folder's. */
  readonly name: string;
  /** e.g. "drum-grid · LSTM 2×256". */
  readonly summary: string;
  readonly encoding: string;
  /** Grid rows: drum voices, or one "notes" row for melodic models. */
  readonly rows: readonly string[];
  /** Whether rows are voices a performer can edit and lock. */
  readonly editable: boolean;
  readonly stepsPerBar: number;
  readonly stepsPerBeat: number;
}

export function describe(url: string, layers: string[], codec: Codec): ModelInfo {
  const name = modelName(url);
  const same = layers.every((l) => l === layers[0]);
  const net = layers.length === 0 ? '' : same ? `${layers[0].split(' ')[0]} ${layers.length}×${layers[0].split(' ')[1]}` : layers.join(' + ');
  const voices = codec.voices.length > 0;
  return {
    url,
    name,
    summary: [codec.name, net].filter(Boolean).join(' · '),
    encoding: codec.name,
    rows: voices ? codec.voices : ['notes'],
    editable: voices,
    stepsPerBar: codec.stepsPerBar,
    stepsPerBeat: Math.max(1, Math.round(codec.ticksPerQuarter / codec.ticksPerStep)),
  };
}

/**
 * A model's short name: its folder's, from the URL's path alone (a query or a hash is no part of
 * it), or a .json file's own name when it is not model.json; as the performer typed it, not as
 * the URL spells it (`my drums`, not `my%20drums`).
 */
export function modelName(url: string): string {
  let path = url.split(/[?#]/)[0];
  try {
    path = new URL(url, typeof location === 'undefined' ? 'http://localhost/' : location.href).pathname;
  } catch {
    // not a URL the browser can read: its path as written
  }
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  let last = parts.at(-1) ?? url;
  if (/^model\.json$/i.test(last) && parts.length > 1) last = parts[parts.length - 2];
  else last = last.replace(/\.json$/i, '') || last;
  try {
    return decodeURIComponent(last);
  } catch {
    // a stray % that is no escape: show it as it is
    return last;
  }
}

/**
 * Where `pulse-rnn replay` finds the model: the page's own /weights/ are the package's
 * weights folder (run the replay from the package folder), anything else its full URL.
 */
export function replayLocation(url: string): string {
  const abs = new URL(url, location.href);
  if (abs.origin === location.origin && abs.pathname.startsWith('/weights/')) return abs.pathname.slice(1).replace(/\/(model\.json)?$/, '');
  return abs.href;
}

/** Note → row, from the codec's own notes for each voice (a model may map voices to other notes). */
export function noteRows(codec: Codec): Map<number, number> {
  const rows = new Map<number, number>();
  if (codec.kind !== 'grid') return rows;
  codec.voices.forEach((v, i) => {
    for (const n of codec.notesOf(codec.eventFromNotes([v]))) rows.set(n, i);
  });
  return rows;
}
