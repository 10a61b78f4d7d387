/**
 * Small models with seeded random weights, built directly as ModelSpecs, for tests that need
 * a model of a given encoding but not a trained one.
 */
import type { InputSpec, ModelSpec, PulseMeta, RnnLayerSpec } from '../../src/engine/model.js';
import { Rng } from '../../src/engine/prng.js';

interface Options {
  inputs: InputSpec[];
  heads: { name: string; size: number }[];
  units?: number;
  layers?: number;
  cell?: 'lstm' | 'gru';
  meta: PulseMeta;
  seed?: number;
  /** Scale of the weights: larger gives peakier, more input-dependent distributions. */
  scale?: number;
}

export function randomSpec(o: Options): ModelSpec {
  const rng = new Rng(o.seed ?? 1);
  const scale = o.scale ?? 0.5;
  const rand = (n: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
  const units = o.units ?? 16;
  const cell = o.cell ?? 'lstm';
  const g = (cell === 'lstm' ? 4 : 3) * units;
  let width = o.inputs.reduce((a, s) => a + (s.kind === 'vector' ? s.size : s.vocab), 0);
  const layers: RnnLayerSpec[] = [];
  for (let l = 0; l < (o.layers ?? 1); l++) {
    layers.push({ cell, name: `rnn${l}`, units, inputSize: width, kernel: rand(width * g), recurrentKernel: rand(units * g), bias: rand(g), activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false });
    width = units;
  }
  return {
    source: 'random',
    inputs: o.inputs,
    layers,
    heads: o.heads.map((h) => ({ name: h.name, size: h.size, layers: [{ name: h.name, inputSize: units, units: h.size, kernel: rand(units * h.size), bias: rand(h.size), activation: 'softmax' as const }] })),
    meta: o.meta,
  };
}

/** A drum-grid model that reads the previous token and the position in the bar. */
export const drumGridSpec = (seed = 1, scale = 0.5): ModelSpec =>
  randomSpec({
    seed,
    scale,
    inputs: [
      { kind: 'token', name: 'token', vocab: 512 },
      { kind: 'token', name: 'position', vocab: 16 },
    ],
    heads: [{ name: 'token', size: 512 }],
    meta: { encoding: 'drum-grid', stepsPerQuarter: 4 },
  });

/** A melody-grid model over pitches 60..71. */
export const melodySpec = (seed = 1): ModelSpec =>
  randomSpec({ seed, inputs: [{ kind: 'token', name: 'token', vocab: 14 }], heads: [{ name: 'token', size: 14 }], meta: { encoding: 'melody-grid', minPitch: 60, maxPitch: 71 } });

/** A Howl-style event model: pitch, delay, duration and velocity heads, times in pulses. */
export const howlSpec = (seed = 1): ModelSpec => {
  const tables = { pitch: [60, 62, 64, 65, 67, 69, 71, 72], delay: [0, 3, 6, 12, 18, 24], duration: [3, 6, 12, 24], velocity: [60, 80, 100, 120] };
  return randomSpec({
    seed,
    inputs: Object.entries(tables).map(([name, t]) => ({ kind: 'token' as const, name, vocab: t.length })),
    heads: Object.entries(tables).map(([name, t]) => ({ name, size: t.length })),
    meta: { encoding: 'note-events', tables, ticksPerQuarter: 24 },
  });
};

/**
 * An expressive drum model (`drum-expressive`): the previous token, the position, the previous
 * step's velocities and offsets, the tokens a bar and two bars back; a hits head, then velocity
 * and offset heads of 9 groups × 16 bins, each conditioned on the hit token.
 */
export const expressiveSpec = (seed = 1, scale = 0.5): ModelSpec => {
  const units = 16;
  const base = randomSpec({
    seed,
    scale,
    units,
    inputs: [
      { kind: 'token', name: 'hits', vocab: 512 },
      { kind: 'token', name: 'position', vocab: 16 },
      { kind: 'vector', name: 'expression', size: 18 },
      { kind: 'token', name: 'hits_bar1', vocab: 512 },
      { kind: 'token', name: 'hits_bar2', vocab: 512 },
    ],
    heads: [{ name: 'hits_out', size: 512 }],
    meta: { encoding: 'drum-expressive', stepsPerQuarter: 4, stepsPerBar: 16 },
  });
  const rng = new Rng(seed + 1);
  const rand = (n: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale * 4);
  const grouped = (name: string) => ({
    name,
    size: 144,
    condition: 'hits_out',
    groups: 9,
    layers: [{ name, inputSize: units + 512, units: 144, kernel: rand((units + 512) * 144), bias: rand(144), activation: 'linear' as const }],
  });
  return { ...base, heads: [...base.heads, grouped('velocity_out'), grouped('offset_out')] };
};
