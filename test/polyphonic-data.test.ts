/**
 * The polyphonic benchmark reader: the shared JSB file reads with the published split sizes,
 * and every malformed field is refused with the file, the place and the value in the message.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPolyphonic, frameBits, readPolyphonic } from '../src/train/polyphonic-data.js';

const JSB = '/work/shared/data/polyphonic/jsb_chorales.json';
const dir = mkdtempSync(join(tmpdir(), 'poly-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readPolyphonic', () => {
  it.skipIf(!existsSync(JSB))('reads the JSB Chorales with their published splits', () => {
    const s = readPolyphonic(JSB);
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([229, 76, 77]);
    expect(s.train.reduce((a, p) => a + p.length, 0)).toBe(13807);
  });

  it('names the file when it is not JSON', () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{"train": [');
    expect(() => readPolyphonic(f)).toThrow(`${f}: is not JSON`);
  });

  it('names a missing split', () => {
    expect(() => checkPolyphonic({ train: [], valid: [] }, 'x.json')).toThrow("x.json: field 'test' must be a list of pieces, got nothing");
  });

  it('names the split, piece, frame and value of a pitch off the keyboard', () => {
    const data = { train: [[[60], [60, 64]]], valid: [], test: [[[48], [20, 60]]] };
    expect(() => checkPolyphonic(data, 'x.json')).toThrow('x.json: test[0][1][0] is 20; a pitch is a whole MIDI number from 21 to 108');
  });

  it('refuses unsorted or repeated pitches and empty pieces', () => {
    expect(() => checkPolyphonic({ train: [[[64, 60]]], valid: [], test: [] }, 'x.json')).toThrow('x.json: train[0][0][1] is 60 after 64');
    expect(() => checkPolyphonic({ train: [[[60, 60]]], valid: [], test: [] }, 'x.json')).toThrow('train[0][0][1] is 60 after 60');
    expect(() => checkPolyphonic({ train: [], valid: [[]], test: [] }, 'x.json')).toThrow('x.json: valid[0] has no frames');
    expect(() => checkPolyphonic({ train: [[['C4']]], valid: [], test: [] }, 'x.json')).toThrow('train[0][0][0] is "C4"');
  });

  it('turns a frame into its 88 keys', () => {
    const bits = new Float32Array(88).fill(7);
    frameBits([21, 60, 108], bits);
    expect([bits[0], bits[39], bits[87], bits[1]]).toEqual([1, 1, 1, 0]);
    expect(bits.reduce((a, b) => a + b, 0)).toBe(3);
  });
});
