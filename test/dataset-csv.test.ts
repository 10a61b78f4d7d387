// A split CSV as users make them (a spreadsheet's export: byte-order mark, CRLF, quoted names
// with commas, blank lines), and CSVs that do not fit the folder: each is read, or refused by
// name with what to do; never a TypeError.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { buildDrumDataset } from '../src/train/dataset.js';
import { buildEventsDataset } from '../src/train/events-dataset.js';
import { buildMelodyDataset } from '../src/train/melody-dataset.js';
import { runCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const names = ['a.mid', 'b c.mid', 'd, e.mid', 'sub/ü f.MID', 'sub/g.midi', 'h.mid'];
const data = join(root, 'my grooves');
for (const [i, n] of names.entries()) {
  mkdirSync(join(data, n, '..'), { recursive: true });
  const notes: NoteOut[] = [];
  for (let s = 0; s < 32 + 16 * i; s++) notes.push({ tick: s * 24, note: s % 4 ? 42 : 36, velocity: 90, channel: 9, durationTicks: 10 });
  writeFileSync(join(data, n), writeMidi({ ticksPerQuarter: 96, notes }));
}
const csv = (name: string, text: string) => {
  const p = join(root, name);
  writeFileSync(p, text);
  return p;
};

describe('a split CSV', () => {
  it("reads a spreadsheet's export: byte-order mark, CRLF, quoted names with commas and quotes, blank lines, other columns", () => {
    const p = csv(
      'excel.csv',
      '\ufeffsplit,"midi file",bpm\r\ntrain,a.mid,120\r\n\r\n"train","b c.mid",90\r\nvalidation,"d, e.mid",100\r\ntest,"sub/ü f.MID",80\r\ntrain,sub/g.midi,"1,5"\r\ntrain,h.mid,99\r\n',
    );
    const s = buildDrumDataset({ dir: data, csv: p }).summary;
    expect(s.skipped).toEqual([]);
    expect(s.used).toEqual({ train: 4, validation: 1, test: 1 });
  });

  it('takes names written with backslashes or ./ as the same files', () => {
    const p = csv('windows.csv', 'file,split\n.\\a.mid,train\n./b c.mid,train\n"d, e.mid",validation\nsub\\ü f.MID,test\nsub/g.midi,train\nh.mid,train\n');
    expect(buildDrumDataset({ dir: data, csv: p }).summary.used).toEqual({ train: 4, validation: 1, test: 1 });
  });

  it('names a row that is too short for its columns, instead of failing on it', () => {
    const p = csv('short.csv', 'split,file\ntrain,a.mid\ntest\n');
    expect(() => buildDrumDataset({ dir: data, csv: p })).toThrow(/short\.csv: row 3: no file named \(the row has 1 column, the file column is the 2nd\)/);
  });

  it('refuses a CSV none of whose files are in the folder, and says names are relative to --data', () => {
    const p = csv('elsewhere.csv', 'file,split\ngroove/a.mid,train\ngroove/b c.mid,test\n');
    for (const build of [() => buildDrumDataset({ dir: data, csv: p }), () => buildEventsDataset({ dir: data, csv: p })]) {
      expect(build).toThrow(/elsewhere\.csv: none of the 2 files it names is in .*my grooves \(such as groove\/a\.mid\); the CSV names files by their path inside the --data folder/);
    }
  });

  it('warns of files the CSV names that are not in the folder', () => {
    const p = csv('some.csv', 'file,split\na.mid,train\nb c.mid,train\n"d, e.mid",validation\nsub/ü f.MID,test\ngone.mid,train\nsub/gone too.mid,test\n');
    const s = buildDrumDataset({ dir: data, csv: p }).summary;
    expect(s.warnings.join('\n')).toMatch(/2 files named in .*some\.csv are not in .*my grooves \(such as gone\.mid\)/);
  });

  it('the command names --csv when the CSV is missing or has no split column', async () => {
    const missing = await runCli('dataset', '--data', data, '--csv', join(root, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/--csv .*nope\.csv: no such file/);
    const cols = await runCli('dataset', '--data', data, '--csv', csv('cols.csv', 'name,part\na.mid,train\n'));
    expect(cols.code).toBe(1);
    expect(cols.err).toMatch(/cols\.csv: no 'split' column \(columns: name, part\)/);
  });

  it('a CSV that holds nothing out for training says to mark files train', () => {
    const p = csv('all-test.csv', ['file,split', ...names.map((n) => `"${n}",test`)].join('\n'));
    expect(() => buildDrumDataset({ dir: data, csv: p })).toThrow(/the training split is empty: .*6 in validation\/test; mark the files to learn from 'train' in .*all-test\.csv/);
  });

  it('the melody encodings, given only drums or a CSV that holds every file out, say what to do', () => {
    const p = csv('all-test-2.csv', ['file,split', ...names.map((n) => `"${n}",test`)].join('\n'));
    // these files are drums on channel 10: the note-event model leaves them out
    expect(() => buildEventsDataset({ dir: data })).toThrow(/the training split is empty: 6 file\(s\), 6 skipped \(a\.mid: no notes outside the drum part.*\), 0 in validation\/test; for drums, train the drum model: pulse-rnn train without --encoding/);
    // the melody model reads a file holding only channel 10 as its tune
    expect(() => buildMelodyDataset({ dir: data, csv: p })).toThrow(/the training split is empty: 6 file\(s\), 0 skipped \(none\), 6 in validation\/test; mark the files to learn from 'train' in .*all-test-2\.csv/);
  });
});
