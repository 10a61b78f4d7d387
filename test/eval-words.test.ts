// What `eval` says about a model against its n-gram baseline: the sign in words, never a
// negative percentage "below".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { versusBaseline } from '../src/train/evaluate.js';
import { train } from '../src/train/train.js';
import { runCli } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-eval-'));
vi.stubEnv('PULSE_RNN_CHECKPOINTS', join(root, 'checkpoints'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

describe('the model against the baseline, in words', () => {
  it('says better or worse by how much, with the sign in the word', () => {
    expect(versusBaseline(0.284)).toBe('28.4% better than the n-gram (lower NLL per step)');
    expect(versusBaseline(-0.059)).toBe('5.9% worse than the n-gram (higher NLL per step)');
    expect(versusBaseline(-2.5, 'the 3-gram')).toBe('250.0% worse than the 3-gram (higher NLL per step)');
    expect(versusBaseline(0.00049)).toBe('as good as the n-gram (the same NLL per step, to 0.1%)');
    expect(versusBaseline(-0.0004)).toBe('as good as the n-gram (the same NLL per step, to 0.1%)');
    for (const x of [-0.9, -0.059, -0.001, 0.001, 0.3]) expect(versusBaseline(x)).not.toMatch(/-\d|below|above/);
  });

  it('eval prints the same comparison its JSON holds, for a model worse than its n-gram and one better', async () => {
    const data = join(root, 'midi');
    mkdirSync(data, { recursive: true });
    for (let i = 0; i < 10; i++) {
      const notes: NoteOut[] = [];
      for (let s = 0; s < 64; s++) {
        if (s % 8 === 0 || (i % 2 && s % 16 === 10)) notes.push({ tick: s * 24, note: 36, velocity: 100, channel: 9, durationTicks: 10 });
        if (s % 8 === 4) notes.push({ tick: s * 24, note: 38, velocity: 100, channel: 9, durationTicks: 10 });
        if (s % 2 === 0) notes.push({ tick: s * 24, note: 42, velocity: 80, channel: 9, durationTicks: 10 });
      }
      writeFileSync(join(data, `g${i}.mid`), writeMidi({ ticksPerQuarter: 96, notes }));
    }
    const tiny = { data, layers: 1, batch: 4, window: 16, dropout: 0, seed: 3, progress: false as const, log: () => {} };
    // a model that has barely started loses to the n-gram on these regular grooves; a trained one wins
    await train({ ...tiny, out: join(root, 'barely'), units: 4, epochs: 1, learningRate: 1e-4 });
    await train({ ...tiny, out: join(root, 'trained'), units: 16, epochs: 6, learningRate: 0.03 });
    const signs: number[] = [];
    for (const m of ['barely', 'trained']) {
      const args = ['eval', '--model', join(root, m), '--data', data, '--split', 'train'];
      const j = await runCli(...args, '--json');
      expect(j.code, j.err).toBe(0);
      const { improvement } = JSON.parse(j.out) as { improvement: number };
      const text = await runCli(...args);
      expect(text.code, text.err).toBe(0);
      const line = text.out.split('\n').find((l) => l.includes('the model is'));
      expect(line).toBe(`  the model is ${versusBaseline(improvement, `the ${JSON.parse(j.out).baseline.order}-gram`)}`);
      expect(line).toMatch(improvement < 0 ? /is \d+\.\d% worse than the \d+-gram/ : /is \d+\.\d% better than the \d+-gram/);
      signs.push(Math.sign(improvement));
    }
    // both words were printed
    expect(signs).toEqual([-1, 1]);
  }, 120_000);
});
