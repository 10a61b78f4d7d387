/**
 * Per-voice steering of a drum model's draws: a density of its own for each voice, and leaving
 * a voice out.
 *
 * - `voiceDensity(voice, amount)` adds `amount` to the logit of every head-0 token that hits the
 *   voice, on top of the performer's density and the model's calibration: a voice of its own
 *   range, as density is for all of them.
 * - `leaveOut(voice)` masks every token that hits the voice: the model draws among the others
 *   and reads what it drew, so the rest of the groove adapts to the gap. Mute and a velocity
 *   scale of 0 only silence what the model still plays. `bringBack(voice)` lifts the mask.
 *
 * Both act on drum encodings (drum-grid, drum-expressive); a model without drum voices refuses
 * them, naming the control. The tables here are made when a control applies (the HeadSampler
 * remakes its bias when the values it was made for differ), never per tick.
 *
 * @example
 * gen.setVoiceDensity('snare', -1.5);  // fewer snares from the next step
 * gen.leaveOut('closed-hat');          // no hats; the model plays around them
 * gen.bringBack('closed-hat');
 */
import type { Codec } from './codec.js';
import { checkNumber, voiceDensityArg } from './controls.js';
import type { Control } from './generator-types.js';

type VoiceControl = 'voiceDensity' | 'leaveOut' | 'bringBack';

/** The voice a per-voice control names, by name or index; throws naming the control and the voices. */
export function drumVoice(codec: Codec, name: VoiceControl, voice: string | number): number {
  const voices = codec.voices;
  if (voices.length === 0) throw new Error(`${name}: ${codec.name} models have no drum voices; per-voice density and leave-out are for drum-grid and drum-expressive models`);
  const i = typeof voice === 'number' ? voice : voices.indexOf(voice);
  if (!(Number.isInteger(i) && i >= 0 && i < voices.length)) throw new Error(`${name}: unknown voice ${JSON.stringify(voice)}; voices are ${voices.join(', ')}`);
  return i;
}

/** A voice's density, checked against the table. */
export function voiceDensityControl(codec: Codec, voice: string | number, value: number): Control {
  const v = drumVoice(codec, 'voiceDensity', voice);
  checkNumber('voiceDensity', voiceDensityArg(), value);
  return { type: 'voiceDensity', voice: v, value };
}

/** Leave a voice out of the model's draws, or bring it back. */
export function leaveOutControl(codec: Codec, voice: string | number, type: 'leaveOut' | 'bringBack'): Control {
  return { type, voice: drumVoice(codec, type, voice) };
}

/**
 * Per head-0 token, the sum of `amounts` over the voices it hits, into `out` (one pass over a
 * table the size of the head: made when a voice's density changes, not per step).
 */
export function voiceTokenBias(out: Float32Array, amounts: readonly number[], hasVoice: (token: number, voice: number) => boolean): void {
  out.fill(0);
  for (let v = 0; v < amounts.length; v++) {
    const a = amounts[v];
    if (a === 0) continue;
    for (let t = 0; t < out.length; t++) if (hasVoice(t, v)) out[t] += a;
  }
}

/** Whether every voice's amount is 0. */
export function noVoiceBias(amounts: readonly number[]): boolean {
  for (let v = 0; v < amounts.length; v++) if (amounts[v] !== 0) return false;
  return true;
}

/** Whether `a` and `b` hold the same amounts (a cache check: no allocation). */
export function sameAmounts(a: readonly number[], b: Float64Array): boolean {
  for (let v = 0; v < a.length; v++) if (a[v] !== b[v]) return false;
  return true;
}

/** Mark in head 0's `mask` every token that hits a voice left out; whether any is. */
export function maskLeftOut(codec: Codec, leftOut: readonly boolean[], mask: Uint8Array): boolean {
  let any = false;
  for (let v = 0; v < leftOut.length; v++) {
    if (!leftOut[v]) continue;
    codec.voiceMask(v, false, mask);
    any = true;
  }
  return any;
}
