/**
 * A small melody-grid model (C4..B4, the position in a 16-step bar, one LSTM layer) with
 * seeded random weights, exported as the trainer exports one: for page tests that need a
 * melodic part that plays many notes.
 *
 * @example
 * const dir = await writeMelodyModel(join(tmp, 'tiny melody'));
 * const server = await serve({ port: 0, model: dir });   // at server.modelPath
 */
import { mkdirSync } from 'node:fs';
import { exportLayersModel } from '../../src/train/export.js';
import { RnnModel } from '../../src/train/rnn-model.js';
import { useCpuBackend } from './tfjs-models.js';

export const MELODY_LOW = 60;
export const MELODY_HIGH = 71;

export async function writeMelodyModel(dir: string, seed = 3): Promise<string> {
  if (!(await useCpuBackend())) throw new Error('the tfjs cpu backend did not start');
  const vocab = 2 + MELODY_HIGH - MELODY_LOW + 1;
  const model = new RnnModel(
    {
      inputs: [
        { name: 'token', vocab, key: 'tok' },
        { name: 'position', vocab: 16, key: 'pos' },
      ],
      heads: [{ name: 'token', vocab, key: '' }],
      units: 16,
      layers: 1,
    },
    seed,
  );
  mkdirSync(dir, { recursive: true });
  await exportLayersModel(model, { encoding: 'melody-grid', minPitch: MELODY_LOW, maxPitch: MELODY_HIGH, stepsPerQuarter: 4, stepsPerBar: 16, inputs: [{ name: 'token', onehot: true }, { name: 'position', onehot: true }] }, dir);
  model.dispose();
  return dir;
}
