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
import { checkpointDir, readCheckpoint } from '../src/train/train.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CLI = resolve('src/hosts/cli.ts');
// the runs' checkpoints: here, not in the user's cache (the children inherit it)
const CHECKPOINTS = join(root, 'checkpoints');

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
  return spawn(process.execPath, ['--import', 'tsx', CLI, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PULSE_RNN_CHECKPOINTS: CHECKPOINTS } });
}

/** `f` with the children's checkpoint root, so checkpointDir here names the folder they use. */
function withEnv<T>(f: () => T): T {
  const was = process.env.PULSE_RNN_CHECKPOINTS;
  process.env.PULSE_RNN_CHECKPOINTS = CHECKPOINTS;
  try {
    return f();
  } finally {
    if (was === undefined) delete process.env.PULSE_RNN_CHECKPOINTS;
    else process.env.PULSE_RNN_CHECKPOINTS = was;
  }
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
    const EPOCHS = 6;
    const common = ['--data', data, '--units', '16', '--layers', '1', '--batch', '4', '--window', '16', '--epochs', String(EPOCHS), '--checkpoint-every', '2', '--seed', '3', '--no-progress'];
    let withCheckpoint = 0;
    let withModel = 0;
    let kills = 0;
    const when: string[] = [];
    const rounds = 5;
    for (let k = 0; k < rounds; k++) {
      const out = join(root, `run${k}`);
      const p = train([...common, '--out', out]);
      const ended = exit(p);
      let gone = false;
      void ended.then(() => (gone = true));
      // The kill is timed by the run's own progress, not the wall clock, so that it lands inside
      // training however busy the machine is: round 0 during start-up (just after the trainer
      // makes its folder), the others at a random point of the epoch after a random epoch line.
      const lines: number[] = [];
      let text = '';
      p.stderr!.on('data', (d) => {
        text += d;
        while (lines.length < (text.match(/^epoch \d+:/gm) ?? []).length) lines.push(performance.now());
      });
      const wait = async (ready: () => boolean) => {
        while (!gone && !ready()) await new Promise((r) => setTimeout(r, 10));
      };
      await wait(() => existsSync(out));
      const made = performance.now();
      let delay: number;
      if (k === 0) {
        delay = rng.int(300);
        when.push(`start-up +${delay} ms`);
      } else {
        // after line e, at least two epochs remain; an epoch lasts about as long as the last one
        const e = 1 + rng.int(EPOCHS - 2);
        await wait(() => lines.length >= e);
        const gap = lines[e - 1] - (e === 1 ? made : lines[e - 2]);
        delay = Math.round(rng.next() * 0.9 * gap);
        when.push(`epoch ${e + 1} +${delay} ms`);
      }
      const killed = await Promise.race([ended, new Promise<'timer'>((r) => setTimeout(() => r('timer'), delay))]);
      if (killed === 'timer') {
        kills++;
        p.kill('SIGKILL');
        expect(await ended).toBe('SIGKILL');
      }
      if ((await checkFolder(out)) === 'model') withModel++;
      // the checkpoint is kept outside the model folder, which never holds one
      expect(readdirSync(out)).not.toContain('checkpoint.bin');
      const ckpt = withEnv(() => join(checkpointDir(out), 'checkpoint.bin'));
      const resume = existsSync(ckpt);
      if (resume) {
        withCheckpoint++;
        expect(() => readCheckpoint(ckpt)).not.toThrow();
      }
      const again = train([...common, '--out', out, ...(resume ? ['--resume'] : [])]);
      let err = '';
      again.stderr!.on('data', (d) => (err += d));
      expect(await exit(again), err.slice(-500)).toBe(0);
      expect(await checkFolder(out)).toBe('model');
      expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      const log = readFileSync(join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(log.map((l) => l.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    }
    console.log(`kill: ${kills} of ${rounds} runs killed (${when.join(', ')}); ${withCheckpoint} had a checkpoint to resume from, ${withModel} already held a model; all finished`);
    // the kills must land inside training, or this proves nothing
    expect(kills).toBe(rounds);
    expect(withCheckpoint).toBeGreaterThanOrEqual(rounds - 1);
  }, 600_000);
});
