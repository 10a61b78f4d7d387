import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { haveShared, sharedPath } from './helpers/shared.js';
import { runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

const DRUMMER = sharedPath('fixtures/rnn-drummer');

describe.skipIf(!haveShared('fixtures/rnn-drummer'))('pulse-rnn score / generate with the Drummer weights', () => {
  it('scores demo.mid at the reference total (≈ −410.8 nats)', async () => {
    const r = await run('score', '--model', DRUMMER, '--midi', join(DRUMMER, 'demo.mid'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const ref = JSON.parse(readFileSync(join(DRUMMER, 'reference.json'), 'utf8')).teacher_forced_loglik;
    // float32 against the reference's float64: the gap grows slowly with the steps
    expect(Math.abs(j.total - (ref.sum_note_logp + ref.sum_tick_logp))).toBeLessThan(0.02);
    expect(j.scoredSteps).toBe(199);
    expect(j.perStep).toHaveLength(199);
    expect(j.perStep[0]).toBeCloseTo(ref.note_logp[0] + ref.tick_logp[0], 4);
  });

  it('same arguments, same bytes; another seed, other bytes', async () => {
    const a = join(tmp, 'a.mid');
    const b = join(tmp, 'b.mid');
    const c = join(tmp, 'c.mid');
    const args = ['generate', '--model', DRUMMER, '--steps', '48', '--temperature', '0.8'];
    expect((await run(...args, '--seed', '5', '--out', a)).code).toBe(0);
    expect((await run(...args, '--seed', '5', '--out', b)).code).toBe(0);
    expect((await run(...args, '--seed', '6', '--out', c)).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
    const song = readMidi(new Uint8Array(readFileSync(a)), a);
    expect(song.notes).toHaveLength(48);
    expect(song.notes.every((n) => n.channel === 9)).toBe(true);
  });

  it('--json prints the events and notes it wrote', async () => {
    const r = await run('generate', '--model', DRUMMER, '--steps', '8', '--seed', '1', '--json');
    const j = JSON.parse(r.out);
    expect(j.events).toHaveLength(8);
    expect(j.notes).toHaveLength(8);
    expect(j.events.every((e: number[]) => e.length === 2)).toBe(true);
  });
});

describe('pulse-rnn bad arguments', () => {
  it('names the bad value and exits non-zero', async () => {
    const r = await run('generate', '--model', DRUMMER, '--temperature', '-1');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--temperature must be a number from 0 \(always the likeliest\) to 2 \(wildest\), got '-1'/);
    const s = await run('generate', '--steps', 'many');
    expect(s.err).toMatch(/--steps must be .* got 'many'/);
  });

  it('prints a bad choice found inside a command, not only exits', async () => {
    for (const [flag, value, rule] of [['--encoding', 'bogus', /--encoding must be drum-grid, .* got 'bogus'/], ['--backend', 'gpu', /--backend must be wasm or cpu, got 'gpu'/], ['--cell', 'rnn', /--cell must be lstm or gru, got 'rnn'/]] as const) {
      const r = await run('train', '--data', tmp, '--out', join(tmp, 'never'), flag, value);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(rule);
    }
  });

  it('names a missing model folder', async () => {
    const r = await run('score', '--model', join(tmp, 'nope'), '--midi', 'x.mid');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nope: no such model folder/);
  });
});
