/**
 * Write a weights folder's MODEL_CARD.md from what the run itself recorded: the command and
 * options in model.json's metadata, the epochs in train-log.jsonl, and an `eval --json` report.
 *
 *   npx tsx scripts/model-card.ts weights/drums-gmd eval-test.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { versusBaseline } from '../src/train/evaluate.js';

const [dir, evalPath] = process.argv.slice(2);
if (!dir || !evalPath) {
  console.error('usage: npx tsx scripts/model-card.ts WEIGHTS_DIR EVAL_JSON');
  process.exit(2);
}
const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const meta = model.userDefinedMetadata.pulseRnn;
const t = meta.training;
const log = readFileSync(join(dir, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const ev = JSON.parse(readFileSync(evalPath, 'utf8'));
const params = model.weightsManifest[0].weights.reduce((a: number, w: { shape: number[] }) => a + w.shape.reduce((x, y) => x * y, 1), 0);
const seconds = log.reduce((a: number, r: { seconds: number }) => a + r.seconds, 0);
const best = log.reduce((b: { validationNll: number }, r: { validationNll: number }) => (r.validationNll < b.validationNll ? r : b));
const shard = model.weightsManifest[0].paths[0];

const card = `# ${dir.split('/').pop()}: a drum-grid LSTM trained on the Groove MIDI Dataset

What \`npm start\` plays. One step is a 16th note; a step's token is the set of the nine drum
classes hit (kick, snare, closed hat, open hat, low/mid/high tom, crash, ride), 512 tokens; the
model also reads the step's position in the bar (16 positions).

## Model

- ${t.layers} × ${t.units} LSTM (sigmoid gates, tanh), one-hot token (512) + one-hot position (16) in,
  softmax over 512 tokens out; ${params.toLocaleString('en')} parameters, float32, \`${shard}\`.
- Runs in the engine at about 0.07 ms per step (2×256; \`bench/results/engine.json\`).

## Data

Groove MIDI Dataset v1.0.0 (Magenta, Google LLC), 1,150 performances by 10 drummers on a Roland
TD-11, licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Gillick, Roberts,
Engel, Eck, Bamman, "Learning to Groove with Inverse Sequence Transformations", ICML 2019.
Splits from the dataset's own \`info.csv\`: train 897 files (283,928 steps), validation 124 (36,152),
test 129 (34,959). Onsets quantized to the nearest 16th; GM notes folded into the nine classes.
Files in 3/4 and 6/8 (10 of 1,150) are read with a 16-step bar like the rest.

## Training

\`\`\`
${t.command ?? '(command not recorded)'}
\`\`\`

Adam (learning rate ${t.learningRate}, halved when validation stops improving), gradient
clipping at global norm ${t.clip}, dropout ${t.dropout}, windows of ${t.window} steps, batches of
${t.batch}, seed ${t.seed}, output bias started at the training data's token frequencies.
${log.length} epochs in ${(seconds / 60).toFixed(1)} minutes on 2 CPU cores (tfjs wasm backend); the best
validation NLL, ${best.validationNll} nats/step, came at epoch ${best.epoch}. Curves: \`curves.svg\`;
every epoch: \`train-log.jsonl\`.

## Metrics (test split, \`pulse-rnn eval --split test\`)

| | NLL nats/step | bits/step | next-step accuracy |
| --- | --- | --- | --- |
| this model | ${ev.model.nllNats} | ${ev.model.nllBits} | ${(ev.model.accuracy * 100).toFixed(1)}% |
| Kneser-Ney ${ev.baseline.order}-gram (order tuned on validation) | ${ev.baseline.nllNats} | ${ev.baseline.nllBits} | ${(ev.baseline.accuracy * 100).toFixed(1)}% |

The model is ${versusBaseline(ev.improvement)}. NLL is measured by the engine
that plays the model: each test performance from a zero state, teacher forcing.

Generated material (${ev.generated.steps} steps at temperature 1) against the test split:

| voice | hits per bar, data | hits per bar, generated | overlap of positions in the bar |
| --- | --- | --- | --- |
${Object.entries(ev.generated.voices as Record<string, { hitsPerBar: { data: number; generated: number }; positionOverlap: number }>)
  .map(([v, s]) => `| ${v} | ${s.hitsPerBar.data} | ${s.hitsPerBar.generated} | ${s.positionOverlap} |`)
  .join('\n')}

Token distribution overlap: ${ev.generated.tokenOverlap}.

## Limits

- Four performances appear in two splits with identical notes (the dataset's own duplicates),
  so test scores are very slightly optimistic.
- Velocities are not modelled: notes play at a fixed velocity (or the position accent).

## Licence

The weights are derived from the Groove MIDI Dataset and are shared under the same CC BY 4.0
licence: credit "Groove MIDI Dataset (Magenta, Google LLC), CC BY 4.0" when you use them.
`;
writeFileSync(join(dir, 'MODEL_CARD.md'), card);
console.log(`wrote ${join(dir, 'MODEL_CARD.md')}`);
