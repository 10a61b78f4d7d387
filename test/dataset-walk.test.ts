// Reading a folder of MIDI files as users' folders really are: links that lead nowhere or in
// circles, named pipes, sockets and devices with .mid names, names that are not UTF-8, folders
// named like files, files and folders that cannot be read. Each is skipped with its reason and
// the rest is read. And the held-out splits are checked for size.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { buildDrumDataset, listMidi } from '../src/train/dataset.js';
import { buildEventsDataset } from '../src/train/events-dataset.js';
import { buildMelodyDataset } from '../src/train/melody-dataset.js';
import { runCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-walk-'));
const dir = join(root, 'midi');
let socket: Server | null = null;
afterAll(async () => {
  await new Promise<void>((r) => (socket ? socket.close(() => r()) : r()));
  rmSync(root, { recursive: true, force: true });
});

/** A groove of `bars` bars on channel 10, with a melody line on channel 1. */
function song(bars: number): Uint8Array {
  const notes: NoteOut[] = [];
  for (let s = 0; s < bars * 16; s++) {
    if (s % 8 === 0) notes.push({ tick: s * 24, note: 36, velocity: 100, channel: 9, durationTicks: 10 });
    if (s % 2 === 0) notes.push({ tick: s * 24, note: 42, velocity: 80, channel: 9, durationTicks: 10 });
    if (s % 4 === 0) notes.push({ tick: s * 24, note: 60 + (s % 12), velocity: 80, channel: 0, durationTicks: 80 });
  }
  return writeMidi({ ticksPerQuarter: 96, notes });
}

const asRoot = process.getuid?.() === 0;

beforeAll(async () => {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  mkdirSync(join(dir, 'dir.mid'));
  for (const f of ['a.mid', 'sub/b.mid', 'dir.mid/c.mid', 'locked.mid', 'e.MIDI']) writeFileSync(join(dir, f), song(4));
  writeFileSync(join(dir, 'notes.txt'), 'not music');
  symlinkSync('nowhere.mid', join(dir, 'gone.mid'));
  symlinkSync('/no/such/folder', join(dir, 'gone-folder'));
  symlinkSync('loop.mid', join(dir, 'loop.mid'));
  symlinkSync('l2', join(dir, 'l1'));
  symlinkSync('l1', join(dir, 'l2'));
  symlinkSync('..', join(dir, 'sub', 'up'));
  symlinkSync('a.mid', join(dir, 'also-a.mid'));
  symlinkSync('/dev/zero', join(dir, 'zero.mid'));
  execFileSync('mkfifo', [join(dir, 'x.mid')]);
  // a name that is not UTF-8: "caf\xe9.mid" as Latin-1 bytes
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.mid')]), song(4));
  mkdirSync(Buffer.concat([Buffer.from(`${dir}/d`), Buffer.from([0xff])]));
  socket = createServer();
  await new Promise<void>((r) => socket!.listen(join(dir, 'sock.mid'), r));
  mkdirSync(join(dir, 'locked-folder'));
  writeFileSync(join(dir, 'locked-folder', 'f.mid'), song(4));
  chmodSync(join(dir, 'locked.mid'), 0o000);
  chmodSync(join(dir, 'locked-folder'), 0o000);
});

const reasonsOf = (skipped: { file: string; reason: string }[]) => Object.fromEntries(skipped.map((s) => [s.file, s.reason]));

describe('the folder walk', () => {
  it('skips what cannot be read as a file or a folder, with the reason, and reads the rest', () => {
    const skipped: { file: string; reason: string }[] = [];
    const files = listMidi(dir, skipped).map((f) => f.slice(dir.length + 1));
    // root reads a file or folder whose permissions say no; anyone else cannot
    expect(files).toEqual(['a.mid', 'also-a.mid', 'dir.mid/c.mid', 'e.MIDI', ...(asRoot ? ['locked-folder/f.mid', 'locked.mid'] : ['locked.mid']), 'sub/b.mid']);
    const why = reasonsOf(skipped);
    expect(why['gone.mid']).toBe('a symbolic link to nowhere.mid, which does not exist');
    expect(why['gone-folder']).toBe('a symbolic link to /no/such/folder, which does not exist');
    expect(why['loop.mid']).toBe('a symbolic link in a loop');
    expect(why.l1).toBe('a symbolic link in a loop');
    expect(why.l2).toBe('a symbolic link in a loop');
    expect(why['sub/up']).toMatch(/^a link to a folder read already \(/);
    expect(why['x.mid']).toBe('a named pipe (FIFO), not a file');
    expect(why['sock.mid']).toBe('a socket, not a file');
    expect(why['zero.mid']).toBe('a character device, not a file');
    expect(why['caf\ufffd.mid']).toBe('its name is not valid UTF-8; rename it to read it');
    expect(why['d\ufffd']).toBe('its name is not valid UTF-8; rename it to read it');
    if (!asRoot) expect(why['locked-folder']).toBe('the folder cannot be read (EACCES)');
    // files not named .mid are none of its business
    expect(why['notes.txt']).toBeUndefined();
    expect(skipped).toHaveLength(asRoot ? 11 : 12);
  });

  it.runIf(asRoot)('skips a file and a folder that the user cannot read (run as nobody)', () => {
    // as root the permissions do not stop a read: ask the same of a user they do stop
    chmodSync(root, 0o755);
    chmodSync(dir, 0o755);
    // the walk is bundled into the test's own folder: that user may not be able to read the
    // checkout (a clone in a private temporary folder), only what the test hands it
    const bundle = join(root, 'walk-as-nobody.mjs');
    buildSync({
      stdin: {
        contents: `
          import { listMidi, songsOf } from './src/train/dataset.ts';
          import { Rng } from './src/engine/prng.ts';
          const skipped = [];
          const files = listMidi(${JSON.stringify(dir)}, skipped);
          for (const s of songsOf(${JSON.stringify(dir)}, files, null, new Rng(1), [0, 0], skipped)) void s;
          console.log(JSON.stringify(skipped));`,
        resolveDir: resolve('.'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      // the CommonJS packages inside call require() for Node's own modules
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      outfile: bundle,
      logLevel: 'silent',
    });
    chmodSync(bundle, 0o644);
    const r = spawnSync(process.execPath, [bundle], { cwd: root, uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: root } });
    expect(r.status, r.stderr).toBe(0);
    const why = reasonsOf(JSON.parse(r.stdout));
    expect(why['locked-folder']).toBe('the folder cannot be read (EACCES)');
    expect(why['locked.mid']).toBe('cannot be read (EACCES)');
  });

  it('the dataset and training readers count the skipped entries and go on', async () => {
    const ds = buildDrumDataset({ dir, seed: 1 });
    const why = reasonsOf(ds.summary.skipped);
    expect(why['x.mid']).toBe('a named pipe (FIFO), not a file');
    expect(why['loop.mid']).toBe('a symbolic link in a loop');
    expect(ds.summary.used.train + ds.summary.used.validation + ds.summary.used.test).toBe(asRoot ? 7 : 5);
    expect(reasonsOf(buildMelodyDataset({ dir, seed: 1 }).skipped)['gone.mid']).toMatch(/does not exist/);
    expect(reasonsOf(buildEventsDataset({ dir, seed: 1 }).summary.skipped)['zero.mid']).toBe('a character device, not a file');
    const r = await runCli('dataset', '--data', dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('skipped x.mid: a named pipe (FIFO), not a file');
    expect(r.out).toMatch(/files: \d+ found; .*; 1[12] skipped/);
  });

  it('a folder with nothing to read says what it skipped', () => {
    const empty = join(root, 'only-links');
    mkdirSync(empty);
    symlinkSync('nowhere.mid', join(empty, 'gone.mid'));
    expect(() => buildDrumDataset({ dir: empty })).toThrow(/only-links: no \.mid or \.midi files found \(searched every subfolder; skipped gone\.mid \(a symbolic link to nowhere\.mid, which does not exist\)\)/);
  });
});

describe('held-out splits', () => {
  /** A folder of `n` files of `bars` bars and a CSV putting `v` in validation and `t` in test. */
  function corpus(name: string, n: number, bars: number, v: number, t: number): { dir: string; csv: string } {
    const d = join(root, name);
    mkdirSync(d, { recursive: true });
    const rows = ['file,split'];
    for (let i = 0; i < n; i++) {
      writeFileSync(join(d, `s${i}.mid`), song(bars));
      rows.push(`s${i}.mid,${i < v ? 'validation' : i < v + t ? 'test' : 'train'}`);
    }
    writeFileSync(join(d, 'splits.csv'), rows.join('\n'));
    return { dir: d, csv: join(d, 'splits.csv') };
  }

  it('warns when validation or test holds fewer than 5 files or 1,000 steps, saying which, how many and what to do', async () => {
    const few = corpus('few', 10, 4, 2, 0);
    const w = buildDrumDataset({ dir: few.dir, csv: few.csv }).summary.warnings;
    expect(w).toContain("the validation split holds only 2 files and 126 steps: too few for early stopping and learning-rate decay to be steady (aim for at least 5 files and 1,000 steps); mark more files 'validation' in the CSV");
    expect(w).toContain("no test files: 'eval --split test' has nothing to score; mark more files 'test' in the CSV");
    // five files, but short ones
    const short = corpus('short', 14, 4, 5, 5);
    const ws = buildDrumDataset({ dir: short.dir, csv: short.csv }).summary.warnings;
    expect(ws.filter((x) => /split holds only 5 files and 315 steps/.test(x))).toHaveLength(2);
    // enough of both: no warning about them
    const enough = corpus('enough', 14, 16, 5, 5);
    expect(buildDrumDataset({ dir: enough.dir, csv: enough.csv }).summary.warnings.filter((x) => /split holds|no test files|no validation files/.test(x))).toEqual([]);
    // a random split says to add files
    const random = buildDrumDataset({ dir: few.dir, seed: 1 }).summary.warnings.join('\n');
    expect(random).toMatch(/add files \(the random split holds out about a tenth of them for (validation|test)\), or give a CSV with a split column/);
    // the other encodings, and the command
    expect(buildMelodyDataset({ dir: few.dir, csv: few.csv }).warnings[0]).toMatch(/^the validation split holds only 2 files and \d+ steps/);
    expect(buildEventsDataset({ dir: few.dir, csv: few.csv }).summary.warnings.join('\n')).toMatch(/the validation split holds only 2 files and \d+ notes/);
    const r = await runCli('dataset', '--data', few.dir, '--csv', few.csv);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('warning: the validation split holds only 2 files and 126 steps');
    expect(r.out).toContain('warning: no test files');
  });
});
