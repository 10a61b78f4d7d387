/**
 * A Kneser-Ney n-gram over whole frames, the count baseline for chord models: each chord (the
 * set of keys sounding in a frame) that occurs at least twice in training is one token, and
 * every other chord is one "unknown chord" token, which the n-gram predicts like any other; an
 * unknown chord's probability is then shared out by the per-key baseline (each key on with its
 * training frequency), over the chords outside the vocabulary:
 *
 *   P(f | h) = P_KN(f | h)                                         f a known chord
 *   P(f | h) = P_KN(unk | h) · P_keys(f) / (1 − Σ_known P_keys(c))  otherwise
 *
 * so it sums to one over every frame, and its NLL is in nats per frame, like a piano-roll
 * model's. Chords seen once in training stand for the unknown ones there, so the n-gram learns
 * how often the music leaves its common chords. Its order is tuned on the validation split.
 *
 * @example
 * const ng = chordNgram(set.train, set.valid);
 * ng.nll(set.test); // nats per frame
 */
import { keyFrequencies } from './piano-roll.js';
import { LOWEST_KEY, type Piece } from './polyphonic-data.js';
import { KneserNey } from './ngram.js';

export interface ChordNgram {
  readonly order: number;
  /** Known chords (the unknown-chord token is one more). */
  readonly chords: number;
  readonly validationNllByOrder: { order: number; nll: number }[];
  /** Mean NLL in nats per frame over every frame of `pieces`, each piece from its start. */
  nll(pieces: readonly Piece[]): number;
}

const UNKNOWN = 0;
const keyOf = (frame: readonly number[]): string => frame.join(',');

export function chordNgram(train: readonly Piece[], valid: readonly Piece[], orders: readonly number[] = [1, 2, 3, 4, 5, 6, 8]): ChordNgram {
  const counts = new Map<string, number>();
  for (const p of train) for (const f of p) counts.set(keyOf(f), (counts.get(keyOf(f)) ?? 0) + 1);
  const ids = new Map<string, number>();
  for (const [k, n] of counts) if (n >= 2) ids.set(k, ids.size + 1);
  const vocab = ids.size + 1;
  const tokens = (pieces: readonly Piece[]) => pieces.map((p) => Int32Array.from(p, (f) => ids.get(keyOf(f)) ?? UNKNOWN));
  // the per-key baseline, and the share of its mass the unknown chords hold
  const freq = keyFrequencies(train);
  const logOn = Array.from(freq, Math.log);
  const logOff = Array.from(freq, (q) => Math.log1p(-q));
  const allOff = logOff.reduce((a, b) => a + b, 0);
  const keysLogP = (frame: readonly number[]) => frame.reduce((a, p) => a + logOn[p - LOWEST_KEY] - logOff[p - LOWEST_KEY], allOff);
  let known = 0;
  for (const k of ids.keys()) known += Math.exp(keysLogP(k === '' ? [] : k.split(',').map(Number)));
  const logUnknownShare = -Math.log1p(-known);
  const trainTokens = tokens(train);
  const score = (lm: KneserNey, pieces: readonly Piece[]): number => {
    let sum = 0;
    let n = 0;
    for (const p of pieces) {
      const seq = tokens([p])[0];
      for (let t = 0; t < seq.length; t++, n++) {
        sum -= lm.logProb(seq, t);
        if (seq[t] === UNKNOWN) sum -= keysLogP(p[t]) + logUnknownShare;
      }
    }
    return sum / n;
  };
  let best: { lm: KneserNey; nll: number } | null = null;
  const byOrder: { order: number; nll: number }[] = [];
  for (const order of orders) {
    const lm = KneserNey.fit(trainTokens, { order, vocab });
    const nll = score(lm, valid);
    byOrder.push({ order, nll: +nll.toFixed(4) });
    if (!best || nll < best.nll) best = { lm, nll };
  }
  const lm = (best as { lm: KneserNey }).lm;
  return { order: lm.order, chords: ids.size, validationNllByOrder: byOrder, nll: (pieces) => score(lm, pieces) };
}
