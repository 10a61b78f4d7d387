/**
 * Free-running sampling: from the model's start event, each step's sampled event is fed back
 * as the next input. The live `Generator` builds on the same loop; this is its offline form.
 *
 * @example
 * const events = sampleEvents(net, codec, 64, new Rng(7), { temperature: 0.9, density: 0.5 });
 */
import type { Network } from '../engine/network.js';
import type { Rng } from '../engine/prng.js';
import { Sampler, type SampleOptions } from '../engine/sampling.js';
import type { Codec } from './codec.js';

/** `density`: a bias toward more notes (above 0) or fewer, as the Generator's density control adds it. */
export function sampleEvents(net: Network, codec: Codec, steps: number, rng: Rng, opts: SampleOptions & { density?: number } = {}): number[][] {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`steps must be a whole number ≥ 0, got ${steps}`);
  const sampler = new Sampler(Math.max(...net.logits.map((l) => l.length)));
  const inputs: number[] = new Array(net.spec.inputs.length).fill(0);
  const out: number[][] = [];
  const density = opts.density ?? 0;
  const perHead = net.logits.map((_, h) => {
    const w = density ? codec.densityWeights(h) : null;
    return w ? { ...opts, bias: w.map((x) => density * x) } : opts;
  });
  let prev = codec.startEvent();
  for (let t = 0; t < steps; t++) {
    codec.inputs(prev, t, inputs);
    net.step(inputs);
    prev = net.logits.map((l, h) => sampler.sample(l, perHead[h], rng));
    out.push(prev);
  }
  return out;
}
