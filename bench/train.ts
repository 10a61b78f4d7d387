/**
 * Training speed, side by side in one run: tokens per second of forward + backward + Adam for
 * a 1×256 LSTM over one-hot inputs (vocabulary 512), batch 64, sequence 64 (and the same
 * with a GRU layer, ours on both paths and PyTorch):
 * - our trainer's step (src/train/rnn-model.ts) with its LSTM and matrix products on the
 *   engine's gemm kernel (the default), and the same step in plain tfjs ops, on tfjs's wasm
 *   backend (alternated over rounds, best round of each, so machine noise hits both alike);
 *   and in plain tfjs ops on the cpu backend;
 * - tfjs-layers `model.fit` on the same shapes (the peer way of doing it in JS);
 * - PyTorch (one thread) when python3 with torch is installed; skipped with a note otherwise.
 *
 *   npx tsx bench/train.ts      (writes bench/results/train.json)
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../src/engine/prng.js';
import { RnnModel, drumShape, type Batch } from '../src/train/rnn-model.js';
import { writeResult } from './stats.js';

const B = 64;
const L = 64;
const V = 512;
const U = 256;
const BATCHES = Number(process.env.BENCH_TRAIN_BATCHES ?? 6);

function batch(rng: Rng): Batch {
  const n = B * L;
  return { B, L, inputs: [Int32Array.from({ length: n }, () => rng.int(V))], targets: [Int32Array.from({ length: n }, () => rng.int(V))], weights: new Float32Array(n).fill(1) };
}

async function ours(backend: 'wasm' | 'cpu', batches: number, kernel: 'gemm' | 'tfjs', cell: 'lstm' | 'gru' = 'lstm'): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  const m = new RnnModel({ ...drumShape(V, 0, U, 1), cell }, 1, 2e-3, { kernel });
  const rng = new Rng(1);
  m.trainStep(batch(rng), { dropout: 0, clip: 1, rng }); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) m.trainStep(batch(rng), { dropout: 0, clip: 1, rng });
  const s = (performance.now() - t0) / 1000;
  m.dispose();
  return Math.round((batches * B * L) / s);
}

async function layersFit(backend: 'wasm' | 'cpu', batches: number): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: U, returnSequences: true, inputShape: [L, V], recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotNormal' }));
  model.add(tf.layers.dense({ units: V, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy' });
  const rng = new Rng(2);
  const oh = (n: number) => tf.oneHot(tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(V)), 'int32'), V).toFloat().reshape([B, L, V]);
  const x = oh(B * L);
  const y = oh(B * L);
  await model.fit(x, y, { batchSize: B, epochs: 1, verbose: 0 }); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await model.fit(x, y, { batchSize: B, epochs: 1, verbose: 0 });
  const s = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return Math.round((batches * B * L) / s);
}

function pytorch(cell: 'LSTM' | 'GRU' = 'LSTM'): { tokensPerSecond: number; python: string; torch: string } | { skipped: string } {
  // Debian's torch lives in the system python, which a version manager's `python3` may hide
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (!python) return { skipped: 'python3 with torch is not installed (Debian: apt-get install python3-torch libopenblas0-pthread)' };
  const version = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim();
  const code = `
import time, torch
torch.set_num_threads(1)
B,L,V,U=${B},${L},${V},${U}
lstm=torch.nn.${cell}(V,U,batch_first=True); head=torch.nn.Linear(U,V)
opt=torch.optim.Adam(list(lstm.parameters())+list(head.parameters()),lr=2e-3)
def step():
    x=torch.nn.functional.one_hot(torch.randint(0,V,(B,L)),V).float(); y=torch.randint(0,V,(B*L,))
    out,_=lstm(x); loss=torch.nn.functional.cross_entropy(head(out).reshape(B*L,V),y)
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(list(lstm.parameters())+list(head.parameters()),1.0); opt.step()
step(); t=time.time()
for _ in range(${BATCHES}): step()
print(round(${BATCHES}*B*L/(time.time()-t)))
`;
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  return r.status === 0 ? { tokensPerSecond: Number(r.stdout.trim()), python, torch: version } : { skipped: `PyTorch run failed: ${r.stderr.slice(-200)}` };
}

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_TRAIN_ROUNDS ?? 3);
  const gemm: number[] = [];
  const plain: number[] = [];
  const gruGemm: number[] = [];
  const gruPlain: number[] = [];
  for (let r = 0; r < rounds; r++) {
    gemm.push(await ours('wasm', BATCHES, 'gemm'));
    plain.push(await ours('wasm', BATCHES, 'tfjs'));
    gruGemm.push(await ours('wasm', BATCHES, 'gemm', 'gru'));
    gruPlain.push(await ours('wasm', BATCHES, 'tfjs', 'gru'));
  }
  const results = {
    oursGemmWasm: Math.max(...gemm),
    oursTfjsOpsWasm: Math.max(...plain),
    rounds: { oursGemmWasm: gemm, oursTfjsOpsWasm: plain },
    oursTfjsOpsCpu: await ours('cpu', Math.max(1, Math.floor(BATCHES / 3)), 'tfjs'),
    layersFitWasm: await layersFit('wasm', 1),
    pytorchOneThread: pytorch(),
    // the same shapes with a GRU layer (PyTorch's GRU applies the reset gate after its
    // recurrent product, ours before as tfjs does: the same products, a little different maths)
    gru: {
      oursGemmWasm: Math.max(...gruGemm),
      oursTfjsOpsWasm: Math.max(...gruPlain),
      rounds: { oursGemmWasm: gruGemm, oursTfjsOpsWasm: gruPlain },
      pytorchOneThread: pytorch('GRU'),
    },
  };
  writeResult('train', {
    bench: 'train',
    date: new Date().toISOString(),
    node: process.version,
    shape: { model: '1x256 LSTM, one-hot input', vocab: V, batch: B, sequence: L, step: 'forward + backward + Adam, clip 1' },
    batchesTimed: BATCHES,
    tokensPerSecond: results,
    target: 6500,
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
