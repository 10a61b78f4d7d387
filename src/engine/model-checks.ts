/**
 * What every loader checks before it hands out a model: shapes and values (`validateSpec`),
 * the pulse-rnn metadata (`checkMeta`), and a probe: a few steps of the network from its
 * initial state, whose logits and states must be finite. Weights can each be finite and still
 * overflow together (every value 3e38); the probe catches that at load, not at the first tick
 * of a set.
 *
 * @example
 * checkModel(spec); // throws "weights/m/model.json: the weights give non-finite values …"
 */
import type { ModelSpec } from './model.js';
import { validateSpec } from './model.js';
import { checkMeta } from './model-meta.js';
import { Network } from './network.js';

/** Steps the probe runs: enough for a state that grows without bound to overflow. */
const PROBE_STEPS = 8;

export function checkModel(spec: ModelSpec): void {
  validateSpec(spec);
  checkMeta(spec);
  probe(spec);
}

/** Run the network a few steps over varied inputs; throws when a logit or state is not finite. */
export function probe(spec: ModelSpec, steps = PROBE_STEPS): void {
  // the kernel a player would use (the plain-JS one steps a 2×256 LSTM 7 times slower)
  const net = new Network(spec);
  const tokens = new Array<number>(spec.inputs.length).fill(0);
  const state = new Float32Array(net.stateSize);
  for (let t = 0; t < steps; t++) {
    spec.inputs.forEach((s, i) => {
      // the first token, the last, then a spread of others; vectors all 0, then all 1
      if (s.kind === 'token') tokens[i] = t === 0 ? 0 : t === 1 ? s.vocab - 1 : (t * 7919 + i * 104729) % s.vocab;
      else (net.vectors[i] as Float32Array).fill(t % 2);
    });
    net.step(tokens);
    // a conditioned head reads a token of its condition head: the first, the last, then others
    spec.heads.forEach((h, i) => {
      if (h.condition === undefined) return;
      const size = (spec.heads.find((x) => x.name === h.condition) as { size: number }).size;
      net.condition(i, t === 0 ? 0 : t === 1 ? size - 1 : (t * 7919 + i * 104729) % size);
    });
    net.logits.forEach((l, h) => {
      for (let j = 0; j < l.length; j++) {
        if (!Number.isFinite(l[j])) bad(spec, `head '${spec.heads[h].name}' logit ${j} is ${l[j]}`, t);
      }
    });
    net.getState(state);
    for (let j = 0; j < state.length; j++) if (!Number.isFinite(state[j])) bad(spec, `recurrent state value ${j} is ${state[j]}`, t);
  }
}

function bad(spec: ModelSpec, what: string, t: number): never {
  throw new Error(
    `${spec.source}: the weights load but the network gives non-finite values: ${what} after ${t + 1} step${t ? 's' : ''} from the initial state. ` +
      'The weights are damaged or far out of range (each is finite, together they overflow); re-export or retrain the model',
  );
}
