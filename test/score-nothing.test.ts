/**
 * score given a file this model finds nothing in: no notes at all, or only notes the model
 * does not play. It names the file and says why, instead of "nothing to score: 0 event(s)".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { ROOT } from './helpers/shared.js';
import { END, note, smf } from './helpers/smf-bytes.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-score-nothing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = join(ROOT, 'weights', 'drums-gmd');

it('a file without notes, or with none the model plays, is named with the reason', async () => {
  const empty = join(tmp, 'tempo only.mid');
  writeFileSync(empty, smf([[0x00, 0xff, 0x51, 3, 0x07, 0xa1, 0x20, ...END]]));
  let r = await runCli('score', '--model', model, '--midi', empty);
  expect(r.code).toBe(1);
  expect(r.err).toContain(`${empty}: nothing to score: the file holds no notes; score a file with notes the model plays`);
  // notes 100 and 101 on channel 10 are no drum of the kit's nine
  const strange = join(tmp, 'strange.mid');
  writeFileSync(strange, smf([[...note(0, 100, 96, 9), ...note(0, 101, 96, 9), ...END]]));
  r = await runCli('score', '--model', model, '--midi', strange);
  expect(r.code).toBe(1);
  expect(r.err).toContain(`${strange}: nothing to score: none of its 2 notes is one this drum-grid model reads (note 100 is not a mapped drum; 1 hit(s) dropped; note 101 is not a mapped drum; 1 hit(s) dropped); score a file with notes the model plays`);
  expect(r.err).not.toMatch(/0 event\(s\)/);
}, 60_000);
