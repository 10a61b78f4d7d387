import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Gemm, lstmBackwardJs, lstmForwardJs } from '../src/train/gemm.js';
import { GEMM_WASM_BASE64 } from '../src/train/gemm-wasm.js';
import { Rng } from '../src/engine/prng.js';
import { GemmOps } from '../src/train/gemm-ops.js';
import { RnnModel, drumShape } from '../src/train/rnn-model.js';
import { Network } from '../src/engine/network.js';
import type { ModelSpec } from '../src/engine/model.js';

interface Module {
  name: string;
  wat: string;
  out: string;
  constant: string;
}
interface BuildScript {
  MODULES: Module[];
  assemble(wat: string, fileName?: string): Promise<Uint8Array>;
  toBase64(bytes: Uint8Array): string;
  render(bytes: Uint8Array, m?: Module): string;
}

const random = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

function gemm(): Gemm {
  const g = Gemm.create();
  if (!g) throw new Error('this Node has no WebAssembly SIMD');
  return g;
}

describe('gemm kernel', () => {
  it('gemm-wasm.ts is assembled from the current gemm.wat', async () => {
    const script = (await import(new URL('../scripts/build-wasm.mjs', import.meta.url).href)) as BuildScript;
    const m = script.MODULES.find((x) => x.name === 'gemm')!;
    const bytes = await script.assemble(readFileSync(m.wat, 'utf8'), 'gemm.wat');
    expect(GEMM_WASM_BASE64, 'stale: run node scripts/build-wasm.mjs').toBe(script.toBase64(bytes));
    expect(readFileSync(m.out, 'utf8')).toBe(script.render(bytes, m));
  });

  it('multiplies like a float64 reference: row tails, column tails, long k, transposed A and B, accumulation', () => {
    const rng = new Rng(3);
    const g = gemm();
    const cases = [[1, 1, 8, false, false], [5, 7, 9, false, false], [64, 256, 1024, false, false], [7, 600, 27, false, true], [9, 513, 16, false, false], [4, 300, 5, false, true], [3, 0, 8, false, false], [6, 300, 16, true, false], [130, 20, 13, true, true], [1, 1, 8, true, false]] as const;
    for (const [m, k, n, transA, transB] of cases) {
      const A = random(rng, m * k); // [m, k], or [k, m] when transA
      const B = random(rng, k * n); // [k, n], or [n, k] when transB
      const C0 = random(rng, m * n);
      const [a, bp, c] = g.frame([m * k, Gemm.packedSize(k, n), m * n]);
      a.set(A);
      c.set(C0);
      Gemm.pack(B, k, n, transB, bp);
      g.mul(a, transA ? m : k, bp, k, n, c, n, m, { b: B, ld: transB ? k : n, trans: transB }, transA);
      let worst = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = C0[i * n + j];
          for (let q = 0; q < k; q++) s += (transA ? A[q * m + i] : A[i * k + q]) * (transB ? B[j * k + q] : B[q * n + j]);
          worst = Math.max(worst, Math.abs(s - c[i * n + j]) / Math.sqrt(k + 1));
        }
      expect(worst, `${m}x${k}x${n}${transA ? ' (Aᵀ)' : ''}${transB ? ' (Bᵀ)' : ''}`).toBeLessThan(1e-6);
    }
  });

  it('refuses views that are not in its current frame, and column tails without the unpacked B', () => {
    const g = gemm();
    const [a, bp, c] = g.frame([16, Gemm.packedSize(4, 8), 32]);
    expect(() => g.mul(new Float32Array(16), 4, bp, 4, 8, c, 8, 4)).toThrow(/current frame/);
    expect(() => g.mul(a, 4, bp, 4, 8, c.subarray(1), 8, 4)).toThrow(/current frame/);
    const [a2, bp2, c2] = g.frame([16, 0, 36]);
    expect(() => g.mul(a2, 4, bp2, 4, 9, c2, 9, 4)).toThrow(/not a multiple of 8/);
    expect(() => g.frame([-1])).toThrow(/bad buffer size -1/);
  });

  it('runs the LSTM step element-wise parts like the plain-JS versions', () => {
    const rng = new Rng(5);
    const g = gemm();
    const rows = 3;
    const u = 12;
    const n = rows * u;
    const z0 = Float32Array.from(random(rng, 4 * n), (v) => v * 6); // saturating gates too
    const cprev = random(rng, n);
    const [z, cp, c, h, dh, dhn, dc, dz] = g.frame([4 * n, n, n, n, n, n, n, 4 * n]);
    z.set(z0);
    cp.set(cprev);
    g.lstmForward(z, cp, c, h, rows, u);
    const zj = z0.slice();
    const cj = new Float32Array(n);
    const hj = new Float32Array(n);
    lstmForwardJs(zj, cprev, cj, hj, rows, u);
    for (const [x, y] of [[z, zj], [c, cj], [h, hj]]) for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(3e-7);
    const dH = random(rng, n);
    const dHn = random(rng, n);
    const dC = random(rng, n);
    dh.set(dH);
    dhn.set(dHn);
    dc.set(dC);
    g.lstmBackward(z, c, cp, dh, dhn, dc, dz, rows, u);
    const dzj = new Float32Array(4 * n);
    const dcj = dC.slice();
    lstmBackwardJs(zj, cj, cprev, dH, dHn, dcj, dzj, rows, u);
    for (let i = 0; i < dz.length; i++) expect(Math.abs(dz[i] - dzj[i])).toBeLessThan(1e-6);
    for (let i = 0; i < dc.length; i++) expect(Math.abs(dc[i] - dcj[i])).toBeLessThan(1e-6);
  });
});

// The engine's step (src/engine/network.ts) is the reference for the recurrent equations; the
// kernels the trainer uses are checked against it here.
describe('the trainer computes what the engine computes', () => {
  it('lstmForwardJs (and with it the WebAssembly LSTM step, tested above against it) equals the engine LSTM step', () => {
    const rng = new Rng(11);
    const u = 7;
    const g = 4 * u;
    // a vector input through an identity kernel and a zero recurrent kernel: the engine's gates
    // are exactly the given pre-activations, its c starts at cprev
    const identity = new Float32Array(g * g);
    for (let j = 0; j < g; j++) identity[j * g + j] = 1;
    const spec: ModelSpec = {
      source: 'test',
      inputs: [{ kind: 'vector', name: 'z', size: g }],
      layers: [{ cell: 'lstm', name: 'lstm', units: u, inputSize: g, kernel: identity, recurrentKernel: new Float32Array(u * g), bias: null, activation: 'tanh', recurrentActivation: 'sigmoid' }],
      heads: [{ name: 'out', size: 2, layers: [{ name: 'out', inputSize: u, units: 2, kernel: new Float32Array(2 * u), bias: null, activation: 'softmax' }] }],
      meta: {},
    };
    const net = new Network(spec, { kernel: 'js' });
    const rows = 4;
    const z = Float32Array.from(random(rng, rows * g), (v) => v * 6); // saturating gates too
    const cprev = random(rng, rows * u);
    const c = new Float32Array(rows * u);
    const h = new Float32Array(rows * u);
    const zin = z.slice();
    lstmForwardJs(z, cprev, c, h, rows, u);
    for (let b = 0; b < rows; b++) {
      const state = new Float32Array(2 * u);
      state.set(cprev.subarray(b * u, (b + 1) * u), u);
      net.setState(state);
      net.vectors[0]!.set(zin.subarray(b * g, (b + 1) * g));
      net.step([0]);
      for (let j = 0; j < u; j++) {
        expect(Math.abs(net.cell(0)![j] - c[b * u + j]), `row ${b} c[${j}]`).toBeLessThan(1e-6);
        expect(Math.abs(net.hidden(0)[j] - h[b * u + j]), `row ${b} h[${j}]`).toBeLessThan(1e-6);
      }
    }
  });

  it("the training model's loss is the engine's negative log-likelihood on its weights (LSTM and GRU, gemm and tfjs kernels)", () => {
    const B = 3;
    const L = 9;
    const V = 13;
    for (const [cell, units, layers] of [['lstm', 12, 2], ['gru', 16, 2], ['gru', 12, 1]] as const) {
      for (const kernel of ['gemm', 'tfjs'] as const) {
        const m = new RnnModel({ ...drumShape(V, 4, units, layers), cell }, 5, 1e-2, { kernel });
        const r = new Rng(4);
        const batch = {
          B,
          L,
          inputs: [Int32Array.from({ length: B * L }, () => r.int(V)), Int32Array.from({ length: B * L }, () => r.int(4))],
          targets: [Int32Array.from({ length: B * L }, () => r.int(V))],
          weights: Float32Array.from({ length: B * L }, (_, i) => (i % L === L - 1 ? 0 : 1)),
        };
        const net = new Network(m.toSpec({}));
        let nll = 0;
        let real = 0;
        for (let b = 0; b < B; b++) {
          net.resetState();
          for (let t = 0; t < L; t++) {
            const i = b * L + t;
            net.step([batch.inputs[0][i], batch.inputs[1][i]]);
            const logits = net.logits[0];
            const top = Math.max(...logits);
            const logSum = top + Math.log(logits.reduce((a, x) => a + Math.exp(x - top), 0));
            nll += batch.weights[i] * (logSum - logits[batch.targets[0][i]]);
            real += batch.weights[i];
          }
        }
        // the loss is computed on the weights before the step updates them
        const loss = m.trainStep(batch, { dropout: 0, clip: 1, rng: new Rng(1) });
        expect(Math.abs(loss - nll / real), `${cell} ${layers} layer(s) of ${units}, ${kernel} kernel`).toBeLessThan(1e-5);
        m.dispose();
      }
    }
  });
});

describe('gemm ops (tfjs ops with their own gradients)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const ops = GemmOps.create()!;
  const single = GemmOps.create(1)!;
  const worst = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

  it('matMul and its gradient equal tfjs', () => {
    for (const [m, k, n] of [[5, 7, 9], [21, 600, 27], [16, 8, 512], [300, 40, 64], [300, 64, 40]]) {
      const a = tf.randomNormal([m, k], 0, 1, 'float32', 1) as tf.Tensor2D;
      const b = tf.randomNormal([k, n], 0, 1, 'float32', 2) as tf.Tensor2D;
      const w = tf.randomNormal([m, n], 0, 1, 'float32', 3);
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(ops.matMul(x, y), w)) as tf.Scalar)([a, b]);
      const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)) as tf.Scalar)([a, b]);
      expect(worst(ops.matMul(a, b), tf.matMul(a, b))).toBeLessThan(1e-4 * Math.sqrt(k));
      expect(worst(ours[0], theirs[0])).toBeLessThan(1e-4 * Math.sqrt(n));
      expect(worst(ours[1], theirs[1])).toBeLessThan(1e-4 * Math.sqrt(m));
    }
  });

  it('the fused LSTM and its gradient through time equal a step-by-step tfjs LSTM', () => {
    // units a multiple of 8 run whole windows in wasm (rows split between two threads); others step by step
    for (const [B, L, u, o] of [[3, 4, 8, ops], [5, 6, 5, ops], [4, 1, 8, ops], [9, 40, 12, ops], [9, 40, 16, ops], [1, 5, 16, ops], [7, 9, 16, single]] as const) {
      const G = 4 * u;
      const x = tf.randomNormal([L * B, G], 0, 1, 'float32', 4) as tf.Tensor2D;
      const W = tf.randomNormal([u, G], 0, 0.5, 'float32', 5) as tf.Tensor2D;
      const wt = tf.randomNormal([L * B, u], 0, 1, 'float32', 6);
      const reference = (x: tf.Tensor2D, W: tf.Tensor2D) => {
        let h = tf.zeros([B, u]) as tf.Tensor2D;
        let c = tf.zeros([B, u]) as tf.Tensor2D;
        const out = [];
        for (let t = 0; t < L; t++) {
          const z = tf.add(tf.slice(x, [t * B, 0], [B, G]), tf.matMul(h, W)) as tf.Tensor2D;
          const [zi, zf, zc, zo] = tf.split(z, 4, 1);
          c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as tf.Tensor2D;
          h = tf.mul(tf.sigmoid(zo), tf.tanh(c)) as tf.Tensor2D;
          out.push(h);
        }
        return tf.concat(out, 0);
      };
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(o.lstm(a as tf.Tensor2D, b as tf.Tensor2D, B, L, 0), wt)) as tf.Scalar)([x, W]);
      const theirs = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(reference(a as tf.Tensor2D, b as tf.Tensor2D), wt)) as tf.Scalar)([x, W]);
      expect(worst(o.lstm(x, W, B, L, 0), reference(x, W)), `${B}x${L}x${u}`).toBeLessThan(1e-6);
      expect(worst(ours[0], theirs[0]), `dx ${B}x${L}x${u}`).toBeLessThan(1e-5);
      expect(worst(ours[1], theirs[1]), `dW ${B}x${L}x${u}`).toBeLessThan(1e-5);
    }
  });

  it('the fused GRU and its gradient through time equal a step-by-step tfjs GRU', () => {
    for (const [B, L, u, o] of [[3, 4, 8, ops], [4, 1, 8, ops], [9, 40, 16, ops], [1, 5, 16, ops], [7, 9, 24, single]] as const) {
      const G = 3 * u;
      const x = tf.randomNormal([L * B, G], 0, 1, 'float32', 4) as tf.Tensor2D;
      const Wzr = tf.randomNormal([u, 2 * u], 0, 0.5, 'float32', 5) as tf.Tensor2D;
      const Wh = tf.randomNormal([u, u], 0, 0.5, 'float32', 7) as tf.Tensor2D;
      const wt = tf.randomNormal([L * B, u], 0, 1, 'float32', 6);
      const reference = (x: tf.Tensor2D, Wzr: tf.Tensor2D, Wh: tf.Tensor2D) => {
        let h = tf.zeros([B, u]) as tf.Tensor2D;
        const out = [];
        for (let t = 0; t < L; t++) {
          const [xz, xr, xh] = tf.split(tf.slice(x, [t * B, 0], [B, G]), 3, 1);
          const [hz, hr] = tf.split(tf.matMul(h, Wzr), 2, 1);
          const z = tf.sigmoid(tf.add(xz, hz));
          const r = tf.sigmoid(tf.add(xr, hr));
          const hh = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h) as tf.Tensor2D, Wh)));
          h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D;
          out.push(h);
        }
        return tf.concat(out, 0);
      };
      const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D, c: tf.Tensor2D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D), wt)) as tf.Scalar;
      const ours = tf.grads(loss((a, b, c) => o.gru(a, b, c, B, L, 0)))([x, Wzr, Wh]);
      const theirs = tf.grads(loss(reference))([x, Wzr, Wh]);
      const at = `${B}x${L}x${u}`;
      expect(worst(o.gru(x, Wzr, Wh, B, L, 0), reference(x, Wzr, Wh)), at).toBeLessThan(1e-6);
      expect(worst(ours[0], theirs[0]), `dx ${at}`).toBeLessThan(1e-5);
      expect(worst(ours[1], theirs[1]), `dWzr ${at}`).toBeLessThan(1e-5);
      expect(worst(ours[2], theirs[2]), `dWh ${at}`).toBeLessThan(1e-5);
    }
  });

  it('training on the gemm kernel follows training on tfjs ops step for step', () => {
    const B = 5;
    const L = 7;
    const V = 21;
    // LSTM units not a multiple of 8 (its fused op steps from JS); GRU units in whole panels (fused)
    for (const [cell, units, layers] of [['lstm', 12, 1], ['lstm', 12, 2], ['gru', 16, 1], ['gru', 16, 2]] as const) {
      const make = (kernel: 'gemm' | 'tfjs') => new RnnModel({ ...drumShape(V, 4, units, layers), cell }, 3, 1e-2, { kernel });
      const a = make('gemm');
      const b = make('tfjs');
      const r = new Rng(9);
      const batch = {
        B,
        L,
        inputs: [Int32Array.from({ length: B * L }, () => r.int(V)), Int32Array.from({ length: B * L }, () => r.int(4))],
        targets: [Int32Array.from({ length: B * L }, () => r.int(V))],
        weights: Float32Array.from({ length: B * L }, (_, i) => (i % 7 === 6 ? 0 : 1)),
      };
      for (let s = 0; s < 3; s++) {
        const la = a.trainStep(batch, { dropout: 0.2, clip: 1, rng: new Rng(s) });
        const lb = b.trainStep(batch, { dropout: 0.2, clip: 1, rng: new Rng(s) });
        expect(Math.abs(la - lb), `${cell} ${layers} layer(s), step ${s}`).toBeLessThan(1e-5);
      }
      for (const [n, v] of a.vars) expect(worst(v, b.vars.get(n)!), `${cell} ${layers}: ${n}`).toBeLessThan(2e-5);
      a.dispose();
      b.dispose();
    }
  });
});
