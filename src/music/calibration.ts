/**
 * A drum model's calibration: one logit offset per voice, added to every token that hits the
 * voice when the model plays (never when it is scored). A network trained on real performances
 * and then fed its own draws plays sparser than the data it learned from (the shipped expressive
 * drummer, raw, 15 hits a bar against the training data's 19, a kick on beat one in 58% of bars
 * against 71%); `pulse-rnn calibrate` fits these offsets on the training split so that the
 * model's free-running hits per bar match the data's, voice by voice. They sit in model.json as
 * `pulseRnn.calibration.voiceBias`; the performer's density control adds to them.
 *
 * @example
 * const bias = tokenBias(spec, codec); // Float32Array(512): Σ voiceBias[c] over the voices token t hits, or null
 */
import type { ModelSpec } from '../engine/model.js';
import { voiceTokenBias } from './voice-bias.js';

/** Offsets beyond this (in nats) are refused: a calibration that far off is a broken file. */
export const MAX_VOICE_BIAS = 4;

/** The `voiceBias` of a model's calibration, checked; null when it has none. */
export function voiceBiasOf(spec: Pick<ModelSpec, 'meta' | 'source'>, voices: number): number[] | null {
  const c = spec.meta.calibration as { voiceBias?: unknown } | undefined;
  if (c === undefined || c === null) return null;
  const vb = c.voiceBias;
  if (!Array.isArray(vb) || vb.length !== voices || !vb.every((x) => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= MAX_VOICE_BIAS)) {
    throw new Error(`${spec.source}: calibration.voiceBias must be ${voices} numbers from -${MAX_VOICE_BIAS} to ${MAX_VOICE_BIAS} (one per voice), got ${JSON.stringify(vb)}`);
  }
  return vb as number[];
}

/** Per head-0 token, the sum of the offsets of the voices it hits; null for a model without calibration. */
export function tokenBias(voiceBias: readonly number[] | null, tokens: number, hasVoice: (token: number, voice: number) => boolean): Float32Array | null {
  if (!voiceBias) return null;
  const out = new Float32Array(tokens);
  voiceTokenBias(out, voiceBias, hasVoice);
  return out;
}
