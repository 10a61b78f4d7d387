/**
 * Engine speed, side by side in one run: per-step time of our engine (SIMD and plain-JS
 * kernels) against a stateful tfjs LayersModel stepped with `predict` (cpu and wasm
 * backends), on three model sizes; plus heap growth and GC pauses over 100,000 steps; and
 * a 2×256 expressive drum model (hits, then velocity and offset heads conditioned on the hit
 * token, 9 groups of 16 bins each), one tick = step + hits + both heads for the classes hit.
 *
 *   npx tsx --expose-gc bench/engine.ts            (writes bench/results/engine.json)
 *   BENCH_STEPS=2000 BENCH_PEER_STEPS=200 ...      (a quick run)
 */
import { existsSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { drummerSpec } from '../src/engine/drummer-format.js';
import type { ModelSpec, RnnLayerSpec } from '../src/engine/model.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { Sampler } from '../src/engine/sampling.js';
import { percentiles, writeResult, type Percentiles } from './stats.js';

const STEPS = Number(process.env.BENCH_STEPS ?? 20000);
const PEER_STEPS = Number(process.env.BENCH_PEER_STEPS ?? STEPS);
const HEAP_STEPS = Number(process.env.BENCH_HEAP_STEPS ?? 100000);
const WARMUP = 2000;
const DRUMMER = new URL('../../shared/fixtures/rnn-drummer/', import.meta.url).pathname;

function randomLstm(layers: number, units: number, vocab: number, seed: number): ModelSpec {
  const rng = new Rng(seed);
  const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
  const stack: RnnLayerSpec[] = [];
  let width = vocab;
  for (let l = 0; l < layers; l++) {
    const g = 4 * units;
    stack.push({ cell: 'lstm', name: `lstm${l}`, units, inputSize: width, kernel: rand(width * g, 0.1), recurrentKernel: rand(units * g, 0.1), bias: rand(g, 0.1), activation: 'tanh', recurrentActivation: 'sigmoid' });
    width = units;
  }
  return {
    source: `random ${layers}x${units}`,
    inputs: [{ kind: 'token', name: 'token', vocab }],
    layers: stack,
    heads: [{ name: 'token', size: vocab, layers: [{ name: 'out', inputSize: units, units: vocab, kernel: rand(units * vocab, 0.1), bias: rand(vocab, 0.1), activation: 'softmax' }] }],
    meta: {},
  };
}

/**
 * The expressive drum model's shape with random weights: the previous hit token, the position
 * in the bar, the 9 velocities and 9 offsets of the previous step, the hit tokens 16 and 32
 * steps back; heads `hits` (512), then `velocity` and `offset` (9 classes × 16 bins) read the hit token.
 */
function expressiveDrums(units: number, seed: number): ModelSpec {
  const rng = new Rng(seed);
  const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
  const inputs: ModelSpec['inputs'] = [
    { kind: 'token', name: 'hits', vocab: 512 },
    { kind: 'token', name: 'position', vocab: 16 },
    { kind: 'vector', name: 'expression', size: 18 },
    { kind: 'token', name: 'hits_16', vocab: 512 },
    { kind: 'token', name: 'hits_32', vocab: 512 },
  ];
  const stack: RnnLayerSpec[] = [];
  let width = 512 + 16 + 18 + 512 + 512;
  for (let l = 0; l < 2; l++) {
    const g = 4 * units;
    stack.push({ cell: 'lstm', name: `lstm${l}`, units, inputSize: width, kernel: rand(width * g, 0.1), recurrentKernel: rand(units * g, 0.1), bias: rand(g, 0.1), activation: 'tanh', recurrentActivation: 'sigmoid' });
    width = units;
  }
  const dense = (name: string, inputSize: number, n: number, activation: 'softmax' | 'linear') => ({ name, inputSize, units: n, kernel: rand(inputSize * n, 0.1), bias: rand(n, 0.1), activation });
  return {
    source: `random expressive drums 2x${units}`,
    inputs,
    layers: stack,
    heads: [
      { name: 'hits', size: 512, layers: [dense('hits', units, 512, 'softmax')] },
      { name: 'velocity', size: 144, condition: 'hits', groups: 9, layers: [dense('velocity', units + 512, 144, 'linear')] },
      { name: 'offset', size: 144, condition: 'hits', groups: 9, layers: [dense('offset', units + 512, 144, 'linear')] },
    ],
    meta: {},
  };
}

/** One tick of the expressive model: a step, the hit token, then a velocity and an offset bin for each class it holds. */
function oursExpressive(spec: ModelSpec, kernel: 'wasm-simd' | 'js', steps: number): { times: Percentiles; gc: { count: number; maxMs: number }; hitsPerStep: number } {
  const net = new Network(spec, { kernel });
  const sampler = new Sampler(512);
  const rng = new Rng(1);
  const tokens = [0, 0, 0, 0, 0];
  const expression = net.vectors[2] as Float32Array;
  const opts = { temperature: 1, topP: 1 };
  let step = 0;
  let hits = 0;
  const tick = () => {
    net.step(tokens);
    const hit = sampler.sample(net.logits[0], opts, rng);
    net.condition(1, hit);
    net.condition(2, hit);
    for (let c = 0; c < 9; c++) {
      if (!(hit & (1 << c))) {
        expression[c] = 0;
        expression[9 + c] = 0;
        continue;
      }
      hits++;
      expression[c] = (sampler.sampleAt(net.logits[1], 16 * c, 16, opts, rng) * 8 + 4) / 127;
      expression[9 + c] = (sampler.sampleAt(net.logits[2], 16 * c, 16, opts, rng) + 0.5) / 16 - 0.5;
    }
    step++;
    tokens[0] = hit;
    tokens[1] = step % 16;
    tokens[3] = (hit * 7 + step) % 512; // stand-ins for the tokens 16 and 32 steps back
    tokens[4] = (hit * 13 + step) % 512;
  };
  for (let i = 0; i < WARMUP; i++) tick();
  hits = 0;
  const gcs: number[] = [];
  const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => gcs.push(e.duration)));
  obs.observe({ entryTypes: ['gc'] });
  const times = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    tick();
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  obs.disconnect();
  return { times: percentiles(times), gc: { count: gcs.length, maxMs: gcs.length ? Math.max(...gcs) : 0 }, hitsPerStep: +(hits / steps).toFixed(2) };
}

/** One tick's worth of work: a network step and one draw from every head. */
function ours(spec: ModelSpec, kernel: 'wasm-simd' | 'js', steps: number): { times: Percentiles; gc: { count: number; maxMs: number } } {
  const net = new Network(spec, { kernel });
  const sampler = new Sampler(Math.max(...spec.heads.map((h) => h.size)));
  const rng = new Rng(1);
  const tokens = spec.inputs.map(() => 0);
  const times = new Float64Array(steps);
  const tick = () => {
    net.step(tokens);
    for (let h = 0; h < net.logits.length; h++) tokens[h < tokens.length ? h : 0] = sampler.sample(net.logits[h], { temperature: 1 }, rng);
  };
  for (let i = 0; i < WARMUP; i++) tick();
  const gcs: number[] = [];
  const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => gcs.push(e.duration)));
  obs.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    tick();
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  obs.disconnect();
  return { times: percentiles(times), gc: { count: gcs.length, maxMs: gcs.length ? Math.max(...gcs) : 0 } };
}

function heapGrowth(spec: ModelSpec, steps: number): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  const net = new Network(spec);
  const sampler = new Sampler(Math.max(...spec.heads.map((h) => h.size)));
  const rng = new Rng(2);
  const tokens = spec.inputs.map(() => 0);
  for (let i = 0; i < WARMUP; i++) net.step(tokens);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < steps; i++) {
    net.step(tokens);
    tokens[0] = sampler.sample(net.logits[0], {}, rng);
  }
  gc();
  return process.memoryUsage().heapUsed - before;
}

async function tfjsPeer(backend: 'cpu' | 'wasm', layers: number, units: number, vocab: number, steps: number): Promise<Percentiles | { error: string }> {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  try {
    await tf.setBackend(backend);
    await tf.ready();
  } catch (e) {
    return { error: `tfjs ${backend} backend unavailable: ${(e as Error).message}` };
  }
  const model = tf.sequential();
  for (let l = 0; l < layers; l++) {
    model.add(tf.layers.lstm({ units, returnSequences: true, stateful: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotNormal', ...(l === 0 ? { batchInputShape: [1, 1, vocab] } : {}) }));
  }
  model.add(tf.layers.dense({ units: vocab, activation: 'softmax' }));
  const x = tf.oneHot(tf.tensor1d([3], 'int32'), vocab).toFloat().reshape([1, 1, vocab]);
  const step = () => tf.tidy(() => (model.predict(x) as import('@tensorflow/tfjs').Tensor).dataSync());
  const warm = Math.min(WARMUP, Math.max(50, steps / 10));
  for (let i = 0; i < warm; i++) step();
  const times = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    step();
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  model.dispose();
  x.dispose();
  return percentiles(times);
}

async function main(): Promise<void> {
  const sizes: { name: string; spec: ModelSpec; peer: [number, number, number] }[] = [
    { name: '1x128 LSTM, vocab 512', spec: randomLstm(1, 128, 512, 1), peer: [1, 128, 512] },
    { name: '2x256 LSTM, vocab 512', spec: randomLstm(2, 256, 512, 2), peer: [2, 256, 512] },
  ];
  if (existsSync(`${DRUMMER}Wx.bin`)) {
    sizes.push({ name: 'RNN-Drummer (1x200 LSTM, 17+209 in, two heads)', spec: drummerSpec(readFileSync(`${DRUMMER}Wx.bin`), readFileSync(`${DRUMMER}Wy.bin`), DRUMMER), peer: [1, 200, 226] });
  }
  const results = [];
  for (const s of sizes) {
    console.error(`${s.name}: ours`);
    const simd = ours(s.spec, 'wasm-simd', STEPS);
    const js = ours(s.spec, 'js', Math.min(STEPS, 5000));
    console.error(`${s.name}: tfjs`);
    const tfCpu = await tfjsPeer('cpu', ...s.peer, PEER_STEPS);
    const tfWasm = await tfjsPeer('wasm', ...s.peer, PEER_STEPS);
    const ratio = (p: Percentiles | { error: string }) => ('p50' in p ? +(p.p50 / simd.times.p50).toFixed(2) : null);
    results.push({
      model: s.name,
      ours: { 'wasm-simd': simd.times, js: js.times, gcDuringSimdRun: simd.gc },
      tfjs: { cpu: tfCpu, wasm: tfWasm },
      p50RatioPeerToOurs: { 'tfjs-cpu': ratio(tfCpu), 'tfjs-wasm': ratio(tfWasm), 'ours-js': +(js.times.p50 / simd.times.p50).toFixed(2) },
      heapGrowthBytes: heapGrowth(s.spec, HEAP_STEPS),
      heapSteps: HEAP_STEPS,
    });
  }
  console.error('expressive drums: ours');
  const expressive = expressiveDrums(256, 3);
  const expressiveResult = {
    model: '2x256 LSTM expressive drums: hits 512, velocity and offset 9×16 conditioned on the hit token',
    ours: { 'wasm-simd': oursExpressive(expressive, 'wasm-simd', STEPS), js: oursExpressive(expressive, 'js', Math.min(STEPS, 5000)) },
    target: { p50Ms: 0.25 },
  };
  const out = { bench: 'engine', date: new Date().toISOString(), node: process.version, steps: STEPS, peerSteps: PEER_STEPS, warmup: WARMUP, targets: { size: '2x256 LSTM, vocab 512', p50Ms: 0.25, p999Ms: 0.4, heapGrowthBytes: 100000 }, results, expressive: expressiveResult };
  writeResult('engine', out);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
