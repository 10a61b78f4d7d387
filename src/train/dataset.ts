/**
 * A folder of MIDI files → token sequences in train / validation / test splits, with a summary
 * a musician can read: what was used, what was skipped and why, what was dropped or moved.
 * Never an empty dataset without an error that says why.
 *
 * @example
 * const ds = await buildDrumDataset({ dir: 'grooves/', csv: 'grooves/info.csv' });
 * console.log(formatSummary(ds.summary));
 * ds.splits.train[0].tokens; // Int32Array, one drum-grid token per 16th
 * ds.splits.train[0].velocities[2 * 9 + 1]; // the loudest snare's velocity at step 2 (0: no snare); .offsets likewise
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { readMidi, type MidiSong } from '../io/midi-read.js';
import { songLengthProblem } from '../io/song-length.js';
import { meterProblem } from './meter.js';
import { DRUM_CLASSES, DEFAULT_DRUM_NOTES, drumClassOf } from '../music/drum-map.js';
import { findDrumPart } from '../music/drum-part.js';
import { Rng } from '../engine/prng.js';
import { systemErrorLine } from '../io/system-error.js';
import { fileKind } from '../io/file-kind.js';
import { checkUserFile, MAX_CSV_BYTES, MAX_MIDI_BYTES, readUserFile } from '../io/user-file.js';
import { DrumHits, expressiveStats, msPerStepOf, type DrumPerformance, type ExpressiveStats } from './expressive-data.js';
import { barCut, BY_FILE, heldOutWords, holdOutEnds, NO_VALIDATION } from './held-out-end.js';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

export interface Sequence {
  readonly file: string;
  readonly tokens: Int32Array;
}

/** A drum dataset's sequence: its tokens, and how hard and where each class was hit in each step. */
export type DrumSequence = Sequence & DrumPerformance;

export interface DatasetSummary {
  readonly source: string;
  readonly encoding: string;
  readonly splitFrom: string;
  /** How the validation split was chosen: by file, or the held-out end of each training file. */
  readonly validationFrom?: string;
  readonly filesFound: number;
  readonly used: Record<SplitName, number>;
  readonly steps: Record<SplitName, number>;
  readonly skipped: { file: string; reason: string }[];
  /** How the drum part of each file was found, counted by reason. */
  readonly drumPart: Record<string, number>;
  /** Files whose drum part only its notes' statistics found (no channel 10, name or rhythm bank): worth checking by ear. */
  readonly drumPartByStatistics: { file: string; where: string }[];
  /** Onset distance to the nearest step, in fractions of a step. */
  readonly timingError: { p50: number; p90: number; p99: number; max: number; onsets: number };
  readonly droppedNotes: Record<string, number>;
  readonly remappedNotes: Record<string, number>;
  readonly topTokens: { token: number; voices: string; count: number }[];
  readonly distinctTokens: number;
  readonly duplicates: { file: string; sameAs: string }[];
  /** Loudness and timing of the hits (the loudest of a class in a step), over all splits and per split. */
  readonly expressive: Record<SplitName | 'all', ExpressiveStats>;
  readonly warnings: string[];
}

export interface Dataset {
  readonly encoding: 'drum-grid';
  readonly vocab: number;
  readonly stepsPerQuarter: number;
  readonly stepsPerBar: number;
  readonly splits: Record<SplitName, DrumSequence[]>;
  readonly summary: DatasetSummary;
}

export interface DrumDatasetOptions {
  /** Folder searched (recursively) for .mid / .midi files. */
  dir: string;
  /** CSV with a split column (train / validation / test) and a MIDI file column; otherwise a seeded random split by file. */
  csv?: string;
  /** Fractions for the random split (validation, test); default 0.1 each. */
  holdout?: [number, number];
  seed?: number;
  stepsPerQuarter?: number;
  /** Stop after this many files (for quick trials). */
  limit?: number;
}

const MIN_TRAIN_STEPS = 20000;
/** Below these, a held-out split's score moves with which few files it happened to get. */
export const MIN_HELD_OUT_FILES = 5;
export const MIN_HELD_OUT_STEPS = 1000;

/**
 * Warnings for a validation or test split too small to give a steady score: under
 * MIN_HELD_OUT_FILES files or MIN_HELD_OUT_STEPS steps (or notes), with what to do about it.
 *
 * @example
 * heldOutWarnings(ds.splits, (s) => s.tokens.length, 'steps', false);
 * // ['the test split holds 2 files and 640 steps: …']
 */
export function heldOutWarnings<T>(splits: Record<SplitName, readonly T[]>, size: (item: T) => number, unit: string, fromCsv: boolean, validationFrom: string = BY_FILE): string[] {
  const out: string[] = [];
  for (const s of ['validation', 'test'] as const) {
    const files = splits[s].length;
    const steps = splits[s].reduce((a, q) => a + size(q), 0);
    const use = s === 'validation' ? 'early stopping and learning-rate decay' : "'eval --split test'";
    const fix = fromCsv ? `mark more files '${s}' in the CSV` : `add files (the random split holds out about a tenth of them for ${s}), or give a CSV with a split column`;
    if (s === 'validation' && validationFrom === NO_VALIDATION) {
      out.push(`no validation: no file is left for it, and no training file is 2 ${unit} or longer to hold out its end; training runs the epochs asked for without early stopping or learning-rate decay; ${fix}`);
      continue;
    }
    if (s === 'validation' && validationFrom !== BY_FILE) {
      // the ends of the training files: honest, but only as steady as the steps it holds
      if (steps < MIN_HELD_OUT_STEPS) out.push(`validation holds the ends of ${files} training file${files === 1 ? '' : 's'}, only ${steps.toLocaleString('en')} ${unit}: its figures are rough (aim for at least ${MIN_HELD_OUT_STEPS.toLocaleString('en')} ${unit}); ${fix}`);
      continue;
    }
    if (files === 0) {
      if (s === 'validation') out.push(`no validation files: early stopping and learning-rate decay cannot work; ${fix}`);
      else out.push(`no test files: ${use} has nothing to score; ${fix}`);
    } else if (files < MIN_HELD_OUT_FILES || steps < MIN_HELD_OUT_STEPS) {
      out.push(`the ${s} split holds only ${files} file${files === 1 ? '' : 's'} and ${steps.toLocaleString('en')} ${unit}: too few for ${use} to be steady (aim for at least ${MIN_HELD_OUT_FILES} files and ${MIN_HELD_OUT_STEPS.toLocaleString('en')} ${unit}); ${fix}`);
    }
  }
  return out;
}

/** The drum part of a song: see music/drum-part.ts. */
export { findDrumPart };

const MIDI_NAME = /\.midi?$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every .mid / .midi file below `dir`, in a stable order, following symbolic links. An entry
 * that cannot be used is not fatal: it goes to `skipped` with the reason (a link that leads
 * nowhere or into a loop, a folder reached twice through links, a name that is not valid UTF-8,
 * a named pipe or device, a folder that cannot be read), and the walk goes on. Other files
 * (not named .mid / .midi) are passed over silently. `dir` itself must be a folder: anything
 * else throws, naming it and what --data wants.
 *
 * @example
 * const skipped: { file: string; reason: string }[] = [];
 * const files = listMidi('grooves/', skipped); // ['grooves/a.mid', 'grooves/drummer1/b.mid', …]
 */
export function listMidi(dir: string, skipped: { file: string; reason: string }[] = []): string[] {
  checkDataFolder(dir);
  const out: string[] = [];
  const seen = new Set<string>();
  const skip = (p: string, reason: string) => skipped.push({ file: relative(dir, p) || p, reason });
  const walk = (d: string) => {
    // a folder reached again through a link (a link to a parent, or two links to one folder) is read once
    let real: string;
    try {
      real = realpathSync(d);
    } catch (e) {
      return skip(d, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (seen.has(real)) return skip(d, `a link to a folder read already (${real})`);
    seen.add(real);
    let names: Buffer[];
    try {
      names = readdirSync(d, { encoding: 'buffer' });
    } catch (e) {
      return skip(d, `the folder cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const entries = names.map((raw) => {
      let name: string | null = null;
      try {
        name = utf8.decode(raw);
      } catch {
        // a path string cannot name this entry: Node would turn its bytes into another name
      }
      return { name, shown: name ?? raw.toString('utf8') };
    });
    entries.sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0));
    for (const { name, shown } of entries) {
      const p = join(d, name ?? shown);
      if (name === null) {
        skip(p, 'its name is not valid UTF-8; rename it to read it');
        continue;
      }
      let s: Stats;
      try {
        s = statSync(p);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const link = (() => {
          try {
            return lstatSync(p).isSymbolicLink() ? readlinkSync(p) : null;
          } catch {
            return null;
          }
        })();
        skip(p, code === 'ELOOP' ? 'a symbolic link in a loop' : code === 'ENOENT' && link !== null ? `a symbolic link to ${link}, which does not exist` : `cannot be read (${code ?? (e as Error).message})`);
        continue;
      }
      if (s.isDirectory()) walk(p);
      else if (!MIDI_NAME.test(name)) continue;
      else if (s.isFile()) out.push(p);
      // reading a FIFO waits for a writer forever; a device may never end
      else skip(p, `${fileKind(s, 'neither a file nor a folder')}, not a file`);
    }
  };
  walk(dir);
  return out;
}

/** The folder a dataset is read from must be one: say what it is instead, and what --data wants. */
function checkDataFolder(dir: string): void {
  let s: Stats;
  try {
    s = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${dir}: no such folder; --data names the folder your MIDI files are in` : `${dir}: cannot be read as the data folder: ${systemErrorLine(e) ?? (e as Error).message}`);
  }
  if (!s.isDirectory()) throw new Error(`${dir}: ${s.isFile() ? 'a file' : fileKind(s, 'neither a file nor a folder')}, not a folder; --data names the folder your MIDI files are in (for one file, put it in a folder of its own)`);
}

/**
 * What to do about data that leaves the training split empty: a folder of the other kind of
 * music names the encoding that reads it; a CSV that holds every file out says to mark some
 * 'train'. Empty when neither applies (the reasons listed say the rest).
 */
export function emptyTrainingHint(skipped: readonly { file: string; reason: string }[], heldOut: number, csv: string | undefined, encoding: 'drum-grid' | 'melody-grid' | 'note-events'): string {
  const most = (re: RegExp) => {
    const n = skipped.filter((k) => re.test(k.reason)).length;
    return n > 0 && n * 2 >= skipped.length;
  };
  if (encoding === 'drum-grid' && most(/^no drum part/)) return '; for melodic music, train a melody model: pulse-rnn train --encoding note-events (or melody-grid)';
  if (encoding !== 'drum-grid' && most(/drum part|no melodic notes/)) return '; for drums, train the drum model: pulse-rnn train without --encoding';
  if (csv !== undefined && heldOut > 0) return `; mark the files to learn from 'train' in ${csv}`;
  return '';
}

/** The error for a melody or note-events dataset whose training split is empty: the first files skipped, and what to do. */
export function emptyTrainingSplit(dir: string, files: number, skipped: readonly { file: string; reason: string }[], heldOut: number, csv: string | undefined, encoding: 'melody-grid' | 'note-events'): Error {
  return new Error(`${dir}: the training split is empty: ${files} file(s), ${skipped.length} skipped (${skipped.slice(0, 3).map((s) => `${s.file}: ${s.reason}`).join('; ') || 'none'}), ${heldOut} in validation/test${emptyTrainingHint(skipped, heldOut, csv, encoding)}`);
}

/** The error for a folder with no MIDI file to read, naming the entries the walk had to skip. */
export function noMidiFiles(dir: string, skipped: readonly { file: string; reason: string }[]): Error {
  const why = skipped.length ? `; skipped ${skipped.slice(0, 3).map((k) => `${k.file} (${k.reason})`).join(', ')}${skipped.length > 3 ? ` and ${skipped.length - 3} more` : ''}` : '';
  return new Error(`${dir}: no .mid or .midi files found (searched every subfolder${why})`);
}

/**
 * The rows of a CSV as a spreadsheet writes it: fields in double quotes may hold commas, quotes
 * (doubled) and line breaks; a byte-order mark and CRLF line ends are taken as they come.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (quoted) {
      if (c === '"' && t[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && t[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

/** A file as a CSV row names it and as the walk finds it, in one Unicode form (macOS names files decomposed, spreadsheets compose). */
const csvKey = (path: string): string => path.normalize('NFC');

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

/**
 * Split assignments from a CSV: the column named `split` and the first column naming .mid
 * files, by their path inside `dir`. Given the files the walk found, a CSV naming none of
 * them is refused (it was written for another folder).
 */
export function splitsFromCsv(csv: string, dir: string, files?: readonly string[]): Map<string, SplitName> {
  let text: string;
  try {
    text = new TextDecoder().decode(readUserFile(csv, MAX_CSV_BYTES, 'a CSV of files and splits'));
  } catch (e) {
    throw new Error(`--csv ${(e as Error).message}`);
  }
  const [header = [], ...body] = parseCsv(text);
  const head = header.map((h) => h.trim().toLowerCase());
  const splitCol = head.indexOf('split');
  if (splitCol < 0) throw new Error(`${csv}: no 'split' column (columns: ${head.join(', ')}); the CSV needs a column named split (train, validation or test) and one naming the .mid files`);
  // blank lines are not rows
  const rows = body.map((r, i) => ({ r, line: i + 2 })).filter(({ r }) => r.some((f) => f.trim() !== ''));
  const fileCol = head.findIndex((_, i) => rows.some(({ r }) => /\.midi?$/i.test((r[i] ?? '').trim())));
  if (fileCol < 0) throw new Error(`${csv}: no column names .mid files (columns: ${head.join(', ')}); add one with each file's path inside the --data folder`);
  const map = new Map<string, SplitName>();
  for (const { r, line } of rows) {
    const s = (r[splitCol] ?? '').trim().toLowerCase();
    const split = s === 'valid' || s === 'val' || s === 'dev' ? 'validation' : s;
    if (!SPLITS.includes(split as SplitName)) throw new Error(`${csv}: row ${line}: split '${r[splitCol] ?? ''}' is not train, validation or test`);
    const name = (r[fileCol] ?? '').trim();
    if (name === '') throw new Error(`${csv}: row ${line}: no file named (the row has ${r.length} column${r.length === 1 ? '' : 's'}, the file column is the ${ordinal(fileCol + 1)})`);
    map.set(csvKey(join(dir, name.replace(/\\/g, '/'))), split as SplitName);
  }
  if (files && map.size > 0 && !files.some((f) => map.has(csvKey(f)))) {
    const first = relative(dir, [...map.keys()][0]);
    throw new Error(`${csv}: none of the ${map.size} files it names is in ${dir} (such as ${first}); the CSV names files by their path inside the --data folder: give the folder it was written for as --data, or fix the paths`);
  }
  return map;
}

/** A warning for files a CSV names that the folder does not hold (none: an empty list). */
export function csvNotInFolder(fromCsv: Map<string, SplitName> | null, files: readonly string[], csv: string | undefined, dir: string): string[] {
  if (!fromCsv) return [];
  const found = new Set(files.map(csvKey));
  const gone = [...fromCsv.keys()].filter((k) => !found.has(k));
  if (gone.length === 0) return [];
  return [`${gone.length} file${gone.length === 1 ? '' : 's'} named in ${csv} ${gone.length === 1 ? 'is' : 'are'} not in ${dir} (such as ${relative(dir, gone[0])}): ${gone.length === 1 ? 'it is' : 'they are'} left out`];
}

/**
 * Every MIDI file of a folder with its split and parsed song, in order; files that cannot be
 * used (not in the CSV, unreadable) are added to `skipped` with the reason.
 */
export function* songsOf(dir: string, files: readonly string[], fromCsv: Map<string, SplitName> | null, rng: Rng, holdout: [number, number], skipped: { file: string; reason: string }[]): Generator<{ name: string; split: SplitName; song: MidiSong }> {
  for (const file of files) {
    const name = relative(dir, file);
    const split = assignSplit(file, fromCsv, rng, holdout);
    if (!split) {
      skipped.push({ file: name, reason: 'not listed in the CSV' });
      continue;
    }
    let song: MidiSong;
    try {
      // a file of gigabytes named .mid would be read whole before the reader saw it is not MIDI
      checkUserFile(file, MAX_MIDI_BYTES, 'a MIDI file');
      song = readMidi(new Uint8Array(readFileSync(file)), name);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // a file system error names the absolute path; the summary names the file already
      skipped.push({ file: name, reason: code && (e as NodeJS.ErrnoException).syscall ? `cannot be read (${code})` : (e as Error).message.replace(`${file}: `, '').replace(`${name}: `, '') });
      continue;
    }
    yield { name, split, song };
  }
}

/** The split of one file: from the CSV (null when the CSV does not list it), or drawn at random. */
export function assignSplit(file: string, fromCsv: Map<string, SplitName> | null, rng: Rng, [hv, ht]: [number, number]): SplitName | null {
  if (fromCsv) return fromCsv.get(csvKey(file)) ?? null;
  const u = rng.next();
  return u < hv ? 'validation' : u < hv + ht ? 'test' : 'train';
}

const pct = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);

/** Read every MIDI file of a folder into drum-grid sequences. */
export function buildDrumDataset(o: DrumDatasetOptions): Dataset {
  const spq = o.stepsPerQuarter ?? 4;
  const skipped: { file: string; reason: string }[] = [];
  let files = listMidi(o.dir, skipped);
  const filesFound = files.length;
  if (filesFound === 0) throw noMidiFiles(o.dir, skipped);
  if (o.limit) files = files.slice(0, o.limit);
  const fromCsv = o.csv ? splitsFromCsv(o.csv, o.dir, files) : null;
  const rng = new Rng(o.seed ?? 1);
  const [hv, ht] = o.holdout ?? [0.1, 0.1];
  const tally = newTally();
  for (const { name, split, song } of songsOf(o.dir, files, fromCsv, rng, [hv, ht], skipped)) {
    const seq = drumSequence(song, name, spq, tally, skipped);
    if (seq) keepSequence(tally, name, split, seq);
  }
  // files per split as the split by file gave them (an end held out is not a file of its own)
  const used = Object.fromEntries(SPLITS.map((s) => [s, tally.splits[s].length])) as Record<SplitName, number>;
  // a folder too small to give validation a file holds out the end of each training file instead
  const { splits, method: validationFrom } = holdOutEnds(tally.splits, (q) => q.tokens.length, (q, at) => cutDrumSequence(q, at, spq * 4));
  Object.assign(tally.splits, splits);
  const steps = Object.fromEntries(SPLITS.map((s) => [s, splits[s].reduce((a, q) => a + q.tokens.length, 0)])) as Record<SplitName, number>;
  if (steps.train === 0) throw emptyDrumTraining(o, files.length, skipped, used);
  const warnings: string[] = [];
  if (steps.train < MIN_TRAIN_STEPS) warnings.push(`only ${steps.train} training steps: a model this small will memorize them (overfit); aim for ${MIN_TRAIN_STEPS}+`);
  warnings.push(...heldOutWarnings(splits, (q) => q.tokens.length, 'steps', fromCsv !== null, validationFrom));
  warnings.push(...csvNotInFolder(fromCsv, files, o.csv, o.dir));
  const crossSplit = tally.duplicates.filter((d) => d.file.replace(/.*\((\w+)\)$/, '$1') !== d.sameAs.replace(/.*\((\w+)\)$/, '$1'));
  if (crossSplit.length) warnings.push(`${crossSplit.length} file(s) appear in more than one split with identical notes: test scores will be optimistic`);
  if (skipped.length) warnings.push(`${skipped.length} file(s) skipped (listed in the summary)`);
  const splitFrom = o.csv ? `CSV ${o.csv}` : `random by file (seed ${o.seed ?? 1}, ${hv} validation, ${ht} test)`;
  const summary = { ...drumSummary(tally, { source: o.dir, splitFrom, filesFound, used, steps, skipped, warnings }), validationFrom };
  return { encoding: 'drum-grid', vocab: 1 << DRUM_CLASSES.length, stepsPerQuarter: spq, stepsPerBar: spq * 4, splits, summary };
}

/** A drum sequence's steps before `at` and from it, cut at a bar line so the held-out part starts on beat one as the engine scores it. */
function cutDrumSequence(q: DrumSequence, at: number, stepsPerBar: number): [DrumSequence, DrumSequence] {
  const cut = barCut(at, q.tokens.length, stepsPerBar);
  const part = (a: number, b: number): DrumSequence => ({ ...q, file: a === 0 ? q.file : `${q.file} (end)`, tokens: q.tokens.slice(a, b), velocities: q.velocities.slice(a * CLASSES_N, b * CLASSES_N), offsets: q.offsets.slice(a * CLASSES_N, b * CLASSES_N) });
  return [part(0, cut), part(cut, q.tokens.length)];
}
const CLASSES_N = DRUM_CLASSES.length;

/** What a drum dataset gathers file by file: the sequences of each split, and what the summary tells of them. */
interface DrumTally {
  readonly splits: Record<SplitName, DrumSequence[]>;
  readonly drumPart: Record<string, number>;
  readonly byStatistics: { file: string; where: string }[];
  readonly dropped: Record<string, number>;
  readonly remapped: Record<string, number>;
  /** Each onset's distance to its step, in fractions of a step. */
  readonly errors: number[];
  /** How often each token occurs. */
  readonly hist: Map<number, number>;
  /** The first file of each sequence, by the hash of its tokens. */
  readonly seen: Map<string, string>;
  readonly duplicates: { file: string; sameAs: string }[];
}

const newTally = (): DrumTally => ({ splits: { train: [], validation: [], test: [] }, drumPart: {}, byStatistics: [], dropped: {}, remapped: {}, errors: [], hist: new Map(), seen: new Map(), duplicates: [] });

const CANONICAL_DRUM_NOTES = new Set(DEFAULT_DRUM_NOTES);

/**
 * One song's drum part as drum-grid tokens, each onset at its nearest step; null, with the
 * reason in `skipped`, for a song with no drum part, too long a grid or no mapped drum note.
 */
function drumSequence(song: MidiSong, name: string, spq: number, t: DrumTally, skipped: { file: string; reason: string }[]): DrumPerformance | null {
  const part = findDrumPart(song);
  if (!part) {
    skipped.push({ file: name, reason: song.notes.length ? 'no drum part (nothing on channel 10, no drum track name, rhythm bank or SysEx, no drum-like notes)' : 'no notes' });
    return null;
  }
  // the reader checked 16ths; a finer grid is checked again before its steps are laid out
  const tooLong = songLengthProblem(song, spq);
  if (tooLong) {
    skipped.push({ file: name, reason: tooLong.replace(`${name}: `, '') });
    return null;
  }
  const meter = meterProblem(song, spq, spq * 4);
  if (meter) {
    skipped.push({ file: name, reason: meter });
    return null;
  }
  t.drumPart[part.how] = (t.drumPart[part.how] ?? 0) + 1;
  if (part.byStatistics) t.byStatistics.push({ file: name, where: part.where });
  const hits = new DrumHits(song.ticksPerQuarter / spq, msPerStepOf(song.tempos, spq));
  for (const n of part.notes) {
    const c = drumClassOf(n.note);
    if (c < 0) {
      t.dropped[n.note] = (t.dropped[n.note] ?? 0) + 1;
      continue;
    }
    if (!CANONICAL_DRUM_NOTES.has(n.note)) t.remapped[`${n.note}→${DRUM_CLASSES[c]}`] = (t.remapped[`${n.note}→${DRUM_CLASSES[c]}`] ?? 0) + 1;
    t.errors.push(Math.abs(hits.add(n.tick, c, n.velocity)));
  }
  if (hits.steps === 0) {
    skipped.push({ file: name, reason: 'its drum notes are all outside the drum map' });
    return null;
  }
  return hits.finish();
}

/** A sequence into its split, counted, and noted as a duplicate when an earlier file had the same tokens. */
function keepSequence(t: DrumTally, name: string, split: SplitName, perf: DrumPerformance): void {
  const seq = perf.tokens;
  const hash = createHash('sha1').update(new Uint8Array(seq.buffer)).digest('hex');
  const prior = t.seen.get(hash);
  if (prior) t.duplicates.push({ file: `${name} (${split})`, sameAs: prior });
  else t.seen.set(hash, `${name} (${split})`);
  for (const tok of seq) t.hist.set(tok, (t.hist.get(tok) ?? 0) + 1);
  t.splits[split].push({ file: name, ...perf });
}

/** The error for a drum dataset whose training split is empty: why files were skipped, counted by reason, and what to do. */
function emptyDrumTraining(o: DrumDatasetOptions, files: number, skipped: readonly { file: string; reason: string }[], used: Record<SplitName, number>): Error {
  const reasons = new Map<string, number>();
  for (const s of skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  const heldOut = used.validation + used.test;
  return new Error(`${o.dir}: the training split is empty: ${files} file(s) read, ${skipped.length} skipped (${[...reasons].map(([r, n]) => `${n}× ${r}`).join('; ') || 'none'}), ${heldOut} in validation/test${emptyTrainingHint(skipped, heldOut, o.csv, 'drum-grid')}`);
}

/** The summary of a drum dataset: the fields given, with the timing error, notes and tokens the tally counted. */
function drumSummary(t: DrumTally, s: Pick<DatasetSummary, 'source' | 'splitFrom' | 'filesFound' | 'used' | 'steps' | 'skipped' | 'warnings'>): DatasetSummary {
  const sortedErr = t.errors.sort((a, b) => a - b);
  const voices = (tok: number) => DRUM_CLASSES.filter((_, c) => tok & (1 << c)).join('+') || 'rest';
  return {
    source: s.source,
    encoding: 'drum-grid',
    splitFrom: s.splitFrom,
    filesFound: s.filesFound,
    used: s.used,
    steps: s.steps,
    skipped: s.skipped,
    drumPart: t.drumPart,
    drumPartByStatistics: t.byStatistics,
    timingError: { p50: +pct(sortedErr, 0.5).toFixed(3), p90: +pct(sortedErr, 0.9).toFixed(3), p99: +pct(sortedErr, 0.99).toFixed(3), max: +(sortedErr[sortedErr.length - 1] ?? 0).toFixed(3), onsets: sortedErr.length },
    droppedNotes: t.dropped,
    remappedNotes: t.remapped,
    topTokens: [...t.hist].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([token, count]) => ({ token, voices: voices(token), count })),
    distinctTokens: t.hist.size,
    duplicates: t.duplicates,
    expressive: { all: expressiveStats(SPLITS.flatMap((k) => t.splits[k])), ...(Object.fromEntries(SPLITS.map((k) => [k, expressiveStats(t.splits[k])])) as Record<SplitName, ExpressiveStats>) },
    warnings: s.warnings,
  };
}

/** The summary as text for a terminal. */
export function formatSummary(s: DatasetSummary): string {
  const lines = [
    `dataset: ${s.source} (${s.encoding}), split ${s.splitFrom}${heldOutWords(s.validationFrom) ? `; ${heldOutWords(s.validationFrom)}` : ''}`,
    `files: ${s.filesFound} found; used ${s.used.train} train, ${s.used.validation} validation, ${s.used.test} test; ${s.skipped.length} skipped`,
    `steps: ${s.steps.train} train, ${s.steps.validation} validation, ${s.steps.test} test`,
    `drum part: ${Object.entries(s.drumPart).map(([k, v]) => `${v} by ${k}`).join(', ')}`,
    `timing: onsets moved to the nearest step by ${s.timingError.p50} of a step (median), ${s.timingError.p90} (90%), ${s.timingError.max} (max), over ${s.timingError.onsets} onsets`,
  ];
  const dropped = Object.entries(s.droppedNotes);
  if (dropped.length) lines.push(`dropped (not drums): ${dropped.map(([n, c]) => `note ${n} ×${c}`).join(', ')}`);
  const remapped = Object.entries(s.remappedNotes);
  if (remapped.length) lines.push(`folded into a class: ${remapped.map(([n, c]) => `${n} ×${c}`).join(', ')}`);
  lines.push(`tokens: ${s.distinctTokens} distinct; most common: ${s.topTokens.slice(0, 6).map((t) => `${t.voices} ${t.count}`).join(', ')}`);
  for (const k of s.skipped.slice(0, 20)) lines.push(`skipped ${k.file}: ${k.reason}`);
  if (s.skipped.length > 20) lines.push(`… and ${s.skipped.length - 20} more skipped`);
  for (const d of s.drumPartByStatistics) lines.push(`check: ${d.file}: drums read from ${d.where} only because its notes look like a kit`);
  for (const d of s.duplicates.slice(0, 10)) lines.push(`duplicate: ${d.file} = ${d.sameAs}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
