/**
 * Where the model's events go on the clock. A grid model makes one event per step; an event
 * model gives each event a delay, so its events fall anywhere between steps and a human's edit
 * has to be fed in at its step's exact time. Everything that differs between the two lives
 * behind `Placer`; the Generator picks one from the codec's kind, once.
 *
 * `HeadSampler` is what both share: a draw from one output head at the performer's
 * temperature, top-p and density, optionally through a mask.
 */
import { FrameHead } from '../engine/frame-head.js';
import type { Network } from '../engine/network.js';
import type { Rng } from '../engine/prng.js';
import { Sampler, type SampleOptions } from '../engine/sampling.js';
import type { Codec } from './codec.js';
import type { Cursor, GeneratorState, Values } from './generator-state.js';
import type { PrimeJob } from './prime-reader.js';
import { noVoiceBias, sameAmounts, voiceTokenBias } from './voice-bias.js';

/** The event placer's state (the grid placer has none). */
export interface EventPlacerState {
  /** A human's edited step, fed as events: those still to feed, all at `forcedTime`. */
  forced: number[][];
  forcedTime: number;
  /** The last edited step fed, so it is not fed twice. */
  doneEdit: number;
  /** The model's own events land no earlier than this (the end of a step a human wrote). */
  keepOut: number;
  /** Events in a row with delay 0, to stop a model stuck there. */
  zeroDelays: number;
}

export type PlacerState = EventPlacerState | Record<string, never>;

/** What a placer keeps with each generated event, to go back to just before it. */
export interface PlacerMark {
  doneEdit: number;
  keepOut: number;
}

/** A time before every event. Kept small enough for V8 to store it unboxed. */
export const NEVER = -(2 ** 30);

export interface Placer {
  initialState(): PlacerState;
  /** Where the last event sits before step `s` is played, in codec ticks. */
  startTime(s: number): number;
  /** Generation goes on while the last event is before this, to cover up to tick `until`. */
  fillLimit(until: number): number;
  /** The position the model reads with the next event (grid: its step; events: its index). */
  position(last: Cursor): number;
  /** Choose the next event into `ev` from the network's outputs; returns its time. */
  choose(st: GeneratorState, position: number, ev: Int32Array): number;
  mark(st: GeneratorState, m: PlacerMark): void;
  /** Back to the moment `m` was marked; nothing half-fed is kept. */
  rewind(st: GeneratorState, m: PlacerMark): void;
  /** Throw the codec's reason if a human's notes cannot be played. */
  checkNotes(notes: readonly (number | string)[]): void;
  /** Steps a prime spans when the performer did not say. */
  primeSteps(events: readonly number[][], steps: number | undefined): number;
  /**
   * The events a prime reads for a phrase that is to end just before step `end`: the phrase
   * itself for an event model; for a grid model, the phrase from a bar line, as a MIDI file
   * starts, filled out to whole bars (see GridPlacer).
   */
  primePhrase(events: number[][], end: number): number[][];
  /** The position the model reads with event `i` of a prime. */
  primePosition(job: PrimeJob, i: number): number;
  /** Place the cursor's time after a prime took effect, so the phrase lines up with the step. */
  linePrimeUp(st: GeneratorState, job: PrimeJob): void;
}

/**
 * A head's logit bias as the model plays: its own fixed bias (a calibration), plus density
 * times the codec's weight per token, plus the voices' own densities (voice-bias.ts), into `out`.
 *
 * @example
 * headBias(out, codec.tokenBias ?? null, codec.densityWeights(0), 0.5);
 */
export function headBias(out: Float32Array, fixed: Float32Array | null, weights: Float32Array | null, density: number, voices: Float32Array | null = null): void {
  for (let i = 0; i < out.length; i++) out[i] = (fixed ? fixed[i] : 0) + (weights ? density * weights[i] : 0) + (voices ? voices[i] : 0);
}

export class HeadSampler {
  /** One per head, for placers to fill (1 = the token may not be drawn). */
  readonly masks: Uint8Array[];
  private readonly sampler: Sampler;
  private readonly weights: (Float32Array | null)[];
  private readonly biases: (Float32Array | null)[];
  /** The model's own bias per head (its calibration), under the performer's density. */
  private readonly fixed: (Float32Array | null)[];
  private readonly options: SampleOptions = { temperature: 1, topP: 1, mask: null, bias: null, rest: -1 };
  /** Head 0's silence, for sound-or-rest first (`SampleOptions.rest`); −1 for the other heads. */
  private readonly rests: Int32Array;
  /** The density `biases` were made for: a cache of the settings, remade when they differ. */
  private biasDensity = 0;
  /** Drum codecs: head 0's bias from each voice's own density, and the amounts it was made for. */
  private readonly voiceBias: Float32Array | null;
  private readonly biasVoices: Float64Array;
  private readonly hasVoice: (token: number, voice: number) => boolean;
  /** Chord codecs: head 0 drawn as a frame of keys, density added to each key's logit in `shifted`. */
  private readonly frame: FrameHead | null;
  private readonly shifted: Float32Array;
  private readonly bits: Uint8Array;

  constructor(
    private readonly net: Network,
    private readonly rng: Rng,
    codec: Codec,
  ) {
    const logits = net.logits;
    this.sampler = new Sampler(Math.max(...logits.map((l) => l.length)));
    this.masks = logits.map((l) => new Uint8Array(l.length));
    this.weights = logits.map((_, h) => codec.densityWeights(h));
    this.fixed = logits.map((_, h) => (h === 0 ? (codec.tokenBias ?? null) : null));
    this.biases = logits.map((l, h) => (this.weights[h] || this.fixed[h] ? new Float32Array(l.length) : null));
    this.voiceBias = codec.voices.length > 0 && this.biases[0] ? new Float32Array(logits[0].length) : null;
    this.biasVoices = new Float64Array(codec.voices.length);
    this.hasVoice = codec.hasVoice;
    this.setDensity(0, []);
    this.rests = Int32Array.from(logits, (_, h) => (h === 0 ? (codec.restToken ?? -1) : -1));
    this.frame = codec.frameKeys ? new FrameHead(net.spec.heads[0], net) : null;
    this.shifted = new Float32Array(codec.frameKeys ?? 0);
    this.bits = new Uint8Array(codec.frameKeys ?? 0);
  }

  /**
   * A frame of keys from head 0 (chord codecs) into `out`, at head 0's temperature, every key's
   * logit shifted by density (top-p is for softmax heads and does not apply).
   */
  sampleFrame(v: Values, out: Int32Array): void {
    const frame = this.frame as FrameHead;
    const z = this.net.logits[0];
    let logits = z;
    if (v.density !== 0) {
      const s = this.shifted;
      for (let k = 0; k < s.length; k++) s[k] = z[k] + v.density;
      logits = s;
    }
    const bits = this.bits;
    frame.sample(logits, v.temps[0], this.rng, bits);
    for (let k = 0; k < bits.length; k++) out[k] = bits[k];
  }

  /**
   * Density is a logit bias per token: density × the codec's weight, over the model's own bias,
   * and on head 0 each voice's own density over the tokens that hit it.
   */
  private setDensity(density: number, voices: readonly number[]): void {
    this.biasDensity = density;
    const vb = this.voiceBias;
    if (vb && !sameAmounts(voices, this.biasVoices)) {
      this.biasVoices.set(voices);
      voiceTokenBias(vb, voices, this.hasVoice);
    }
    const anyVoice = vb !== null && !noVoiceBias(voices);
    for (let h = 0; h < this.biases.length; h++) {
      const b = this.biases[h];
      if (b) headBias(b, this.fixed[h], this.weights[h], density, h === 0 && anyVoice ? vb : null);
    }
  }

  /** A token of head `h`, through `masks[h]` when `masked`. */
  sample(v: Values, h: number, masked: boolean): number {
    const o = this.options;
    o.temperature = v.temps[h];
    o.topP = v.topP;
    o.mask = masked ? this.masks[h] : null;
    if (v.density !== this.biasDensity || (this.voiceBias && !sameAmounts(v.voiceDensity, this.biasVoices))) this.setDensity(v.density, v.voiceDensity);
    o.bias = v.density || this.fixed[h] || (h === 0 && this.voiceBias && !noVoiceBias(v.voiceDensity)) ? this.biases[h] : null;
    o.rest = this.rests[h];
    return this.sampler.sample(this.net.logits[h], o, this.rng);
  }

  /** Compute conditioned head `h` from the token its condition head drew this step. */
  condition(h: number, token: number): void {
    this.net.condition(h, token);
  }

  /** Logits of head `h`. */
  size(h: number): number {
    return this.net.logits[h].length;
  }

  /**
   * A bin 0..n-1 of one group of head `h`, `logits[offset..offset+n)`, at the head's temperature
   * and the performer's top-p; no mask and no density (density counts hits, not loudness).
   */
  sampleGroup(v: Values, h: number, offset: number, n: number): number {
    const o = this.options;
    o.temperature = v.temps[h];
    o.topP = v.topP;
    o.mask = null;
    o.bias = null;
    o.rest = -1;
    return this.sampler.sampleAt(this.net.logits[h], offset, n, o, this.rng);
  }
}
