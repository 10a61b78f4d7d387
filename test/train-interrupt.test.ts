// Ctrl-C (SIGINT) during `pulse-rnn train`: the run stops after the batch in progress, keeps
// that place in its checkpoint, says how to continue, exits 130; the printed command continues
// from that batch.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { readCheckpoint } from '../src/train/train.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-int-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CLI = resolve('src/hosts/cli.ts');
const CHECKPOINTS = join(root, 'checkpoints');

const data = join(root, 'midi');
mkdirSync(data);
for (let i = 0; i < 12; i++) {
  const notes: NoteOut[] = [];
  for (let s = 0; s < 128; s++) {
    if (s % 8 === 0 || (i % 2 && s % 16 === 10)) notes.push({ tick: s * 24, note: 36, velocity: 100, channel: 9, durationTicks: 10 });
    if (s % 2 === 0) notes.push({ tick: s * 24, note: 42, velocity: 80, channel: 9, durationTicks: 10 });
  }
  writeFileSync(join(data, `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
}

/** The command run as a user runs it; `interrupt` sends SIGINT once this is on stderr. */
function run(args: string[], interrupt?: RegExp): Promise<{ code: number | null; signal: string | null; err: string; out: string }> {
  const p = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PULSE_RNN_CHECKPOINTS: CHECKPOINTS } });
  let err = '';
  let out = '';
  let sent = false;
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => {
    err += d;
    if (interrupt && !sent && interrupt.test(err)) (sent = true), p.kill('SIGINT');
  });
  return new Promise((r) => p.on('close', (code, signal) => r({ code, signal, err, out })));
}

describe('Ctrl-C during training', () => {
  it('stops at a batch, keeps it, says how to go on, and the printed command goes on from there', async () => {
    const out = join(root, 'my drums');
    // epochs and patience the run cannot use up before the signal comes
    const args = ['train', '--data', data, '--out', out, '--units', '8', '--layers', '1', '--batch', '2', '--window', '16', '--epochs', '400', '--patience', '400', '--no-progress'];
    const first = await run(args, /^epoch 1: /m);
    expect(first.signal, first.err).toBeNull();
    expect(first.code, first.err).toBe(130);
    const at = /stopped at epoch (\d+), batch (\d+); the checkpoint keeps that place \((.+)\)/.exec(first.err);
    expect(at, first.err).not.toBeNull();
    const ck = readCheckpoint(at![3]);
    expect([ck.epoch + 1, ck.batchInEpoch]).toEqual([Number(at![1]), Number(at![2])]);
    expect(ck.epoch).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(first.out).ended).toBe('stopped');
    // the model of the epochs done is there, and the command to continue is printed
    expect(first.err).toContain(`pulse-rnn play --model '${out}'`);
    const line = first.err.split('\n').find((l) => l.trimStart().startsWith('continue:'));
    expect(line, first.err).toBeDefined();
    const cmd = line!.replace(/^\s*continue:\s*pulse-rnn /, '').split(/ {2,}\(/)[0].trim();
    expect(cmd).toBe(`train --data ${data} --out '${out}' --resume`);
    // go on for one more epoch: from the batch where it stopped
    const again = await run([...args.slice(0, 5), '--resume', '--epochs', String(ck.epoch + 1), '--no-progress']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toContain(`resuming ${out} at epoch ${at![1]}, batch ${at![2]}`);
    expect(JSON.parse(again.out).epochs).toBe(ck.epoch + 1);
  }, 180_000);
});
