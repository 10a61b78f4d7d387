/**
 * Log-likelihood of a sequence of events under a model, with teacher forcing: at each step
 * the model reads the true previous event and is scored on the true next one (natural log,
 * summed over heads). A head conditioned on head 0's token (`voiceHeads`) is given the true
 * token and scored on the bins of the voices it hits, each within its voice's group.
 *
 * @example
 * const { total, perStep } = scoreEvents(net, codec, codec.fromSong(song).events);
 */
import { FrameHead } from '../engine/frame-head.js';
import type { Network } from '../engine/network.js';
import { Sampler } from '../engine/sampling.js';
import type { Codec } from './codec.js';
import { pushBack } from './generator-state.js';

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
  const ctx = { vectors: net.vectors, back: new Int32Array(codec.lookback ?? 0) };
  const voiced = new Set(codec.voiceHeads ?? []);
  const frame = codec.frameKeys ? new FrameHead(net.spec.heads[0], net) : null;
  let prev: readonly number[] = first ? events[0] : codec.startEvent();
  for (let t = first; t < events.length; t++) {
    codec.inputs(prev, t, inputs, ctx);
    net.step(inputs);
    let step = 0;
    for (let h = 0; h < heads; h++) {
      const lp = frame ? -frame.nll(net.logits[0], events[t]) : voiced.has(h) ? voicedLogProb(net, codec, sampler, h, events[t], 1 + [...voiced].indexOf(h) * codec.voices.length) : sampler.logProb(net.logits[h], events[t][h]);
      step += lp;
      perHead[h] += lp;
    }
    perStep.push(step);
    pushBack(ctx.back, events[t][0]);
    prev = events[t];
  }
  return { total: perStep.reduce((a, b) => a + b, 0), perStep, perHead };
}

/** Conditioned head `h` on the event's token: the log-probability of each hit voice's bin (from `event[from + voice]`) within its group. */
function voicedLogProb(net: Network, codec: Codec, sampler: Sampler, h: number, event: readonly number[], from: number): number {
  net.condition(h, event[0]);
  const voices = codec.voices.length;
  const bins = net.spec.heads[h].size / voices;
  let lp = 0;
  for (let v = 0; v < voices; v++) {
    const bin = event[from + v];
    if (codec.hasVoice(event[0], v) && bin >= 0) lp += sampler.logProbAt(net.logits[h], v * bins, bins, bin);
  }
  return lp;
}
