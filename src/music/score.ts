/**
 * Log-likelihood of a sequence of events under a model, with teacher forcing: at each step
 * the model reads the true previous event and is scored on the true next one (natural log,
 * summed over heads).
 *
 * @example
 * const { total, perStep } = scoreEvents(net, codec, codec.fromSong(song).events);
 */
import type { Network } from '../engine/network.js';
import { Sampler } from '../engine/sampling.js';
import type { Codec } from './codec.js';

export interface Score {
  /** Sum over scored steps, in nats. */
  readonly total: number;
  /** One entry per scored step (the log-likelihood of that event). */
  readonly perStep: number[];
  /** Sum per head. */
  readonly perHead: number[];
}

export function scoreEvents(net: Network, codec: Codec, events: readonly (readonly number[])[]): Score {
  const heads = net.logits.length;
  const sampler = new Sampler(Math.max(...net.logits.map((l) => l.length)));
  const inputs: number[] = new Array(net.spec.inputs.length).fill(0);
  const perStep: number[] = [];
  const perHead = new Array(heads).fill(0);
  net.resetState();
  const first = codec.firstEventIsPrimer ? 1 : 0;
  if (events.length <= first) throw new Error(`nothing to score: ${events.length} event(s)`);
  let prev: readonly number[] = first ? events[0] : codec.startEvent();
  for (let t = first; t < events.length; t++) {
    codec.inputs(prev, t, inputs);
    net.step(inputs);
    let step = 0;
    for (let h = 0; h < heads; h++) {
      const lp = sampler.logProb(net.logits[h], events[t][h]);
      step += lp;
      perHead[h] += lp;
    }
    perStep.push(step);
    prev = events[t];
  }
  return { total: perStep.reduce((a, b) => a + b, 0), perStep, perHead };
}
