/**
 * Free-running sampling: from the model's start event, each step's sampled event is fed back
 * as the next input. The live `Generator` builds on the same loop; this is its offline form.
 *
 * @example
 * const events = sampleEvents(net, codec, 64, new Rng(7), { temperature: 0.9 });
 */
import type { Network } from '../engine/network.js';
import type { Rng } from '../engine/prng.js';
import { Sampler, type SampleOptions } from '../engine/sampling.js';
import type { Codec } from './codec.js';

export function sampleEvents(net: Network, codec: Codec, steps: number, rng: Rng, opts: SampleOptions = {}): number[][] {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`steps must be a whole number ≥ 0, got ${steps}`);
  const sampler = new Sampler(Math.max(...net.logits.map((l) => l.length)));
  const inputs: number[] = new Array(net.spec.inputs.length).fill(0);
  const out: number[][] = [];
  let prev = codec.startEvent();
  for (let t = 0; t < steps; t++) {
    codec.inputs(prev, t, inputs);
    net.step(inputs);
    prev = net.logits.map((l) => sampler.sample(l, opts, rng));
    out.push(prev);
  }
  return out;
}
