// A training run killed (SIGKILL) at random moments, again and again: every time, the weights
// folder holds a whole model or none, the last checkpoint loads, and `--resume` finishes the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/prng.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { decodeCheckpoint } from '../src/train/train.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CLI = resolve('src/hosts/cli.ts');

function corpus(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 12; i++) {
    const notes: NoteOut[] = [];
    for (let s = 0; s < 128; s++) {
      if (s % 8 === 0 || (i % 2 && s % 16 === 10)) notes.push({ tick: s * 24, note: 36, velocity: 100, channel: 9, durationTicks: 10 });
      if (s % 8 === 4) notes.push({ tick: s * 24, note: 38, velocity: 100, channel: 9, durationTicks: 10 });
      if (s % 2 === 0) notes.push({ tick: s * 24, note: 42, velocity: 80, channel: 9, durationTicks: 10 });
    }
    writeFileSync(join(dir, `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
  }
}

function train(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const exit = (p: ChildProcess) => new Promise<number | string>((r) => p.on('exit', (code, signal) => r(code ?? signal ?? -1)));

/** The folder's model is whole (model.json parses, names shards that exist at the declared size) or absent. */
async function checkFolder(out: string): Promise<'model' | 'none'> {
  const leftovers = readdirSync(out).filter((f) => /\.tmp$/.test(f));
  if (!existsSync(join(out, 'model.json'))) return 'none';
  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  for (const group of json.weightsManifest) {
    const bytes = group.weights.reduce((a: number, w: { shape: number[] }) => a + 4 * w.shape.reduce((x: number, y: number) => x * y, 1), 0);
    const size = group.paths.reduce((a: number, p: string) => a + statSync(join(out, p)).size, 0);
    expect(size, `${out}: shards of model.json`).toBe(bytes);
  }
  // whatever temporary files a kill left, the model loads as the engine loads it
  expect((await loadModelSpec(out)).layers.length).toBe(1);
  void leftovers;
  return 'model';
}

describe('training killed with SIGKILL at random moments', () => {
  it('the last checkpoint loads and --resume finishes, every time', async () => {
    const data = join(root, 'midi');
    corpus(data);
    const rng = new Rng(7);
    const common = ['--data', data, '--units', '16', '--layers', '1', '--batch', '4', '--window', '16', '--epochs', '4', '--checkpoint-every', '2', '--seed', '3', '--no-progress'];
    let withCheckpoint = 0;
    let withModel = 0;
    const rounds = 4;
    for (let k = 0; k < rounds; k++) {
      const out = join(root, `run${k}`);
      const p = train([...common, '--out', out]);
      // startup takes a second or two; kill somewhere in the first epochs
      const delay = 1500 + rng.int(4000);
      const killed = await Promise.race([exit(p), new Promise<'timer'>((r) => setTimeout(() => r('timer'), delay))]);
      if (killed === 'timer') {
        p.kill('SIGKILL');
        expect(await exit(p)).toBe('SIGKILL');
      }
      if ((await checkFolder(out)) === 'model') withModel++;
      const ckpt = join(out, 'checkpoint.bin');
      const resume = existsSync(ckpt);
      if (resume) {
        withCheckpoint++;
        expect(() => decodeCheckpoint(new Uint8Array(readFileSync(ckpt)), ckpt)).not.toThrow();
      }
      const again = train([...common, '--out', out, ...(resume ? ['--resume'] : [])]);
      let err = '';
      again.stderr!.on('data', (d) => (err += d));
      expect(await exit(again), err.slice(-500)).toBe(0);
      expect(await checkFolder(out)).toBe('model');
      expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      const log = readFileSync(join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(log.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    }
    console.log(`kill: ${rounds} runs killed; ${withCheckpoint} had a checkpoint to resume from, ${withModel} already held a model; all finished`);
    // the kills must land inside training, or this proves nothing
    expect(withCheckpoint).toBeGreaterThanOrEqual(2);
  }, 600_000);
});
