/**
 * Free-running sampling: from the model's start event, each step's sampled event is fed back
 * as the next input. The live `Generator` builds on the same loop; this is its offline form.
 * A codec with `voiceHeads` (the expressive drum grid) draws the token first, then a bin per
 * voice it hits from each head conditioned on that token, in the Generator's order.
 *
 * @example
 * const events = sampleEvents(net, codec, 64, new Rng(7), { temperature: 0.9, density: 0.5 });
 */
import { FrameHead } from '../engine/frame-head.js';
import type { Network } from '../engine/network.js';
import type { Rng } from '../engine/prng.js';
import { Sampler, type SampleOptions } from '../engine/sampling.js';
import type { Codec } from './codec.js';
import { pushBack } from './generator-state.js';
import { headBias } from './placer.js';

/** `density`: a bias toward more notes (above 0) or fewer, as the Generator's density control adds it. */
export function sampleEvents(net: Network, codec: Codec, steps: number, rng: Rng, opts: SampleOptions & { density?: number } = {}): number[][] {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`steps must be a whole number ≥ 0, got ${steps}`);
  const sampler = new Sampler(Math.max(...net.logits.map((l) => l.length)));
  const inputs: number[] = new Array(net.spec.inputs.length).fill(0);
  const out: number[][] = [];
  const density = opts.density ?? 0;
  const perHead = net.logits.map((l, h) => {
    const w = density ? codec.densityWeights(h) : null;
    const fixed = h === 0 ? (codec.tokenBias ?? null) : null;
    const rest = h === 0 ? (codec.restToken ?? -1) : -1;
    const bias = w || fixed ? new Float32Array(l.length) : null;
    if (bias) headBias(bias, fixed, w, density);
    return { ...opts, bias, rest };
  });
  const ctx = { vectors: net.vectors, back: new Int32Array(codec.lookback ?? 0) };
  const frame = codec.frameKeys ? frameSampler(net, rng, opts.temperature ?? 1) : null;
  let prev = codec.startEvent();
  for (let t = 0; t < steps; t++) {
    codec.inputs(prev, t, inputs, ctx);
    net.step(inputs);
    prev = frame ? frame(density) : codec.voiceHeads ? sampleVoiced(net, codec, sampler, perHead, rng) : net.logits.map((l, h) => sampler.sample(l, perHead[h], rng));
    pushBack(ctx.back, prev[0]);
    out.push(prev);
  }
  return out;
}

/** A chord codec's frame of keys from head 0, every key's logit shifted by density, as the Generator draws it. */
function frameSampler(net: Network, rng: Rng, T: number): (density: number) => number[] {
  const frame = new FrameHead(net.spec.heads[0], net);
  const bits = new Uint8Array(frame.size);
  return (density) => {
    const z = net.logits[0];
    frame.sample(density ? z.map((x) => x + density) : z, T, rng, bits);
    return Array.from(bits);
  };
}

/** Head 0's token, then per conditioned head a bin for each voice the token hits (−1 for the rest). */
function sampleVoiced(net: Network, codec: Codec, sampler: Sampler, perHead: SampleOptions[], rng: Rng): number[] {
  const token = sampler.sample(net.logits[0], perHead[0], rng);
  const voices = codec.voices.length;
  const event = [token];
  for (const h of codec.voiceHeads ?? []) {
    net.condition(h, token);
    const bins = net.spec.heads[h].size / voices;
    for (let v = 0; v < voices; v++) event.push(codec.hasVoice(token, v) ? sampler.sampleAt(net.logits[h], v * bins, bins, perHead[h], rng) : -1);
  }
  return event;
}
