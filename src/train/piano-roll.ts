/**
 * The frame-level polyphonic model: each step is the set of the 88 piano keys sounding. The
 * network reads the previous frame's 88 bits (silence before the first) and gives 88
 * Bernoulli units for this frame: independent given the network's state, or (with an
 * `order`) each key reading the keys below it in the same frame (a direct term, a NADE, or
 * both: src/engine/nade.ts). Scored as the benchmarks score it: the
 * negative log-likelihood of each frame, summed over its 88 keys, averaged over all frames.
 *
 * @example
 * const m = new RnnModel(pianoRollShape(128, 1, { order: 'nade', hidden: 32 }), 1);
 * m.setOutputBias(keyLogits(jsb.train));
 * m.trainStep(pianoRollBatch(jsb.train, windowStarts(lengths, 64, 1, 0).slice(0, 32), 64), o);
 * framesNll(new Network(m.toSpec(PIANO_ROLL_META)), jsb.test); // nats per frame
 */
import { FrameHead } from '../engine/frame-head.js';
import type { Network } from '../engine/network.js';
import { frameBits, LOWEST_KEY, PIANO_KEYS, type Piece } from './polyphonic-data.js';
import type { Batch, RnnShape } from './rnn-model.js';

export const PIANO_ROLL_META = { encoding: 'piano-roll', lowestKey: LOWEST_KEY } as const;

/**
 * How the keys of one frame relate given the network's state: 'independent' (the default),
 * 'direct' (key k reads keys below it through one weight each), 'nade' (through a NADE of
 * `hidden` units, 32 by default; `direct: true` adds the direct term too).
 */
export interface KeyOrderOption {
  readonly order?: 'independent' | 'direct' | 'nade';
  readonly hidden?: number;
  readonly direct?: boolean;
}

export function pianoRollShape(units: number, layers: number, o: KeyOrderOption = {}): RnnShape {
  const order = o.order ?? 'independent';
  if (order !== 'independent' && order !== 'direct' && order !== 'nade') throw new Error(`piano-roll order '${String(order)}' is not one of 'independent', 'direct', 'nade'`);
  const keyOrder = order === 'direct' ? { direct: true } : order === 'nade' ? { hidden: o.hidden ?? 32, direct: o.direct === true } : undefined;
  return {
    inputs: [{ name: 'keys', vocab: PIANO_KEYS, key: 'keys', vector: true }],
    heads: [{ name: 'keys', vocab: PIANO_KEYS, key: '', bernoulli: true, ...(keyOrder ? { keyOrder } : {}) }],
    units,
    layers,
  };
}

/** Windows (piece, start) of `L` frames: the previous frame's bits in, the frame's bits out. */
export function pianoRollBatch(pieces: readonly Piece[], wins: readonly [number, number][], L: number): Batch {
  const B = wins.length;
  const prev = new Float32Array(B * L * PIANO_KEYS);
  const next = new Int32Array(B * L * PIANO_KEYS);
  const weights = new Float32Array(B * L);
  wins.forEach(([p, start], b) => {
    const piece = pieces[p];
    for (let t = 0; t < L && start + t < piece.length; t++) {
      const i = b * L + t;
      const k = start + t;
      if (k > 0) frameBits(piece[k - 1], prev, i * PIANO_KEYS);
      for (const pitch of piece[k]) next[i * PIANO_KEYS + pitch - LOWEST_KEY] = 1;
      weights[i] = 1;
    }
  });
  return { B, L, inputs: [prev], targets: [next], weights };
}

/** Frame-level NLL (nats per frame) of `pieces` under the engine, each piece from a zero state. */
export function framesNll(net: Network, pieces: readonly Piece[]): { nll: number; frames: number } {
  const x = net.vectors[0] as Float32Array;
  const head = new FrameHead(net.spec.heads[0], net);
  const bits = new Uint8Array(PIANO_KEYS);
  let total = 0;
  let frames = 0;
  for (const piece of pieces) {
    net.resetState();
    x.fill(0);
    for (const frame of piece) {
      net.step(NO_TOKENS);
      frameBits(frame, bits);
      total += head.nll(net.logits[0], bits);
      x.set(bits);
      frames++;
    }
  }
  return { nll: total / frames, frames };
}

const NO_TOKENS: number[] = [];

/** Each key's chance of sounding in a training frame, smoothed by half a frame on and off (so no key is impossible). */
export function keyFrequencies(pieces: readonly Piece[]): Float64Array {
  const on = new Float64Array(PIANO_KEYS).fill(0.5);
  let frames = 0;
  for (const piece of pieces) {
    for (const frame of piece) for (const p of frame) on[p - LOWEST_KEY]++;
    frames += piece.length;
  }
  return on.map((c) => c / (frames + 1));
}

/** The same chances as logits: a Bernoulli head starts from them (and the per-key baseline is exactly that head). */
export const keyLogits = (pieces: readonly Piece[]): Float32Array => Float32Array.from(keyFrequencies(pieces), (p) => Math.log(p / (1 - p)));

/** NLL per frame of `pieces` when every key sounds independently with its training frequency: the baseline. */
export function keyBaselineNll(train: readonly Piece[], pieces: readonly Piece[]): number {
  const p = keyFrequencies(train);
  const logOn = p.map(Math.log);
  const logOff = p.map((q) => Math.log1p(-q));
  let allOff = 0;
  for (const l of logOff) allOff += l;
  let total = 0;
  let frames = 0;
  for (const piece of pieces) {
    for (const frame of piece) {
      let ll = allOff;
      for (const k of frame) ll += logOn[k - LOWEST_KEY] - logOff[k - LOWEST_KEY];
      total -= ll;
      frames++;
    }
  }
  return total / frames;
}
