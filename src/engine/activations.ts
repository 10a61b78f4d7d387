/**
 * Element-wise activations, in place on a slice of a Float32Array.
 * Names follow Keras / tfjs (`hard_sigmoid` is tfjs's 0.2·x + 0.5, clipped to [0, 1]).
 */
export type ActivationName =
  | 'linear'
  | 'sigmoid'
  | 'hard_sigmoid'
  | 'tanh'
  | 'relu'
  | 'softsign'
  | 'softplus'
  | 'elu';

const ALIASES: Record<string, ActivationName> = {
  linear: 'linear',
  sigmoid: 'sigmoid',
  hard_sigmoid: 'hard_sigmoid',
  hardsigmoid: 'hard_sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  softsign: 'softsign',
  softplus: 'softplus',
  elu: 'elu',
};

/** The canonical name for a Keras/tfjs activation name, or null if the engine lacks it. */
export function activationName(name: unknown): ActivationName | null {
  if (name === undefined || name === null) return 'linear';
  if (typeof name !== 'string') return null;
  return ALIASES[name.replace(/_/g, '').toLowerCase()] ?? ALIASES[name] ?? null;
}

/** Apply `act` to `v[from..to)`. */
export function activate(act: ActivationName, v: Float32Array, from: number, to: number): void {
  switch (act) {
    case 'linear':
      return;
    case 'sigmoid':
      for (let i = from; i < to; i++) v[i] = 1 / (1 + Math.exp(-v[i]));
      return;
    case 'hard_sigmoid':
      for (let i = from; i < to; i++) {
        const y = 0.2 * v[i] + 0.5;
        v[i] = y < 0 ? 0 : y > 1 ? 1 : y;
      }
      return;
    case 'tanh':
      for (let i = from; i < to; i++) v[i] = Math.tanh(v[i]);
      return;
    case 'relu':
      for (let i = from; i < to; i++) if (v[i] < 0) v[i] = 0;
      return;
    case 'softsign':
      for (let i = from; i < to; i++) v[i] = v[i] / (1 + Math.abs(v[i]));
      return;
    case 'softplus':
      for (let i = from; i < to; i++) v[i] = Math.log(1 + Math.exp(v[i]));
      return;
    case 'elu':
      for (let i = from; i < to; i++) if (v[i] < 0) v[i] = Math.exp(v[i]) - 1;
      return;
  }
}
