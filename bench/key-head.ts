/**
 * The real-time cost of one piano-roll frame: the network's step and its 88 keys drawn through
 * FrameHead, fed back as the next input, for each key order (independent keys, direct weights,
 * a NADE, a NADE with direct weights), timed frame by frame after a warm-up. Milliseconds per
 * frame, p50 and p99 (a 16th at 120 BPM lasts 125 ms); also the keys on per frame, since every
 * key that turns on adds a row to the NADE's sums and recomputes its σ.
 *
 *   npx tsx bench/key-head.ts      (writes bench/results/key-head.json)
 *   KEY_HEAD_UNITS=256 KEY_HEAD_LAYERS=2 KEY_HEAD_HIDDEN=32 npx tsx bench/key-head.ts
 */
import * as tf from '@tensorflow/tfjs';
import { FrameHead } from '../src/engine/frame-head.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { PIANO_ROLL_META, pianoRollShape, type KeyOrderOption } from '../src/train/piano-roll.js';
import { RnnModel } from '../src/train/rnn-model.js';
import { percentiles, writeResult } from './stats.js';

const UNITS = Number(process.env.KEY_HEAD_UNITS ?? 128);
const LAYERS = Number(process.env.KEY_HEAD_LAYERS ?? 1);
const HIDDEN = Number(process.env.KEY_HEAD_HIDDEN ?? 32);
const FRAMES = Number(process.env.KEY_HEAD_FRAMES ?? 20000);
const WARMUP = 5000;

const ORDERS: [string, KeyOrderOption][] = [
  ['independent', {}],
  ['direct', { order: 'direct' }],
  ['nade', { order: 'nade', hidden: HIDDEN }],
  ['nade + direct', { order: 'nade', hidden: HIDDEN, direct: true }],
];

/** A network with random weights whose keys sound about as often as a chorale's (four or so a frame). */
function network(o: KeyOrderOption): Network {
  const m = new RnnModel(pianoRollShape(UNITS, LAYERS, o), 1);
  const rng = new Rng(7);
  // an order starts adding nothing; random weights make it do the work it does when trained
  for (const [name, v] of m.vars) if (/(direct|nade_\w+)$/.test(name)) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => (rng.next() * 2 - 1) * 0.3), v.shape));
  m.setOutputBias(new Float32Array(88).fill(-3));
  const net = new Network(m.toSpec({ ...PIANO_ROLL_META }));
  m.dispose();
  return net;
}

function time(o: KeyOrderOption) {
  const net = network(o);
  const frame = new FrameHead(net.spec.heads[0], net);
  const keys = new Uint8Array(88);
  const x = net.vectors[0] as Float32Array;
  const rng = new Rng(3);
  const ms = new Float64Array(FRAMES);
  let on = 0;
  for (let i = -WARMUP; i < FRAMES; i++) {
    const t0 = performance.now();
    net.step(NO_TOKENS);
    const n = frame.sample(net.logits[0], 1, rng, keys);
    for (let k = 0; k < 88; k++) x[k] = keys[k];
    if (i >= 0) ((ms[i] = performance.now() - t0), (on += n));
  }
  const p = percentiles(ms);
  return { p50: p.p50, p99: p.p99, max: p.max, keysOnPerFrame: +(on / FRAMES).toFixed(2) };
}

const NO_TOKENS: number[] = [];
await tf.setBackend('cpu');
const rows = ORDERS.map(([name, o]) => ({ order: name, ...time(o) }));
writeResult('key-head', { metric: 'ms per frame: the network step and 88 keys drawn (FrameHead), fed back', model: { cell: 'lstm', units: UNITS, layers: LAYERS, nadeHidden: HIDDEN }, frames: FRAMES, rows });
