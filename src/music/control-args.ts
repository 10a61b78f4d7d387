/**
 * A performer's call turned into a checked control: a bad argument throws here, naming the
 * control, the value and what is allowed, and nothing is queued.
 */
import type { Network } from '../engine/network.js';
import type { MidiSong } from '../io/midi-read.js';
import type { Codec } from './codec.js';
import type { Control } from './generator-types.js';
import { checkNumber as checkTableNumber, checkValue, scaleArg } from './controls.js';
import type { Placer } from './placer.js';
import { rowIndex, WHOLE_PART } from './held-keys.js';

/** The starting values a Generator is made with. */
export function checkOptions(o: { temperature: number; topP: number; seed: number; density: number; dynamics: number; timing: number; lookahead: number; historyLength: number }): void {
  checkValue('temperature', o.temperature);
  checkValue('topP', o.topP);
  checkValue('seed', o.seed);
  checkValue('density', o.density);
  checkValue('dynamics', o.dynamics);
  checkValue('timing', o.timing);
  checkNumber('lookahead', o.lookahead, (v) => Number.isInteger(v) && v >= 0 && v <= 4096, 'a whole number of steps from 0 to 4096');
  checkNumber('historyLength', o.historyLength, (v) => Number.isInteger(v) && v >= 0, 'a whole number of steps ≥ 0');
}

export function checkNumber(name: string, v: unknown, ok: (v: number) => boolean, rule: string): void {
  if (typeof v !== 'number' || !ok(v)) throw new Error(`${name}: ${typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v))} is not allowed; give ${rule}`);
}

export function checkUpcoming(step: number, next: number, what: string): void {
  if (!Number.isInteger(step)) throw new Error(`${what}: step must be a whole number, got ${JSON.stringify(step)}`);
  if (step < next) throw new Error(`${what}: step ${step} has already played (the next step is ${next})`);
}

export function headIndex(net: Network, head: number | string): number {
  const heads = net.spec.heads;
  const i = typeof head === 'number' ? head : heads.findIndex((h) => h.name === head);
  if (!(Number.isInteger(i) && i >= 0 && i < heads.length)) throw new Error(`unknown head ${JSON.stringify(head)}; heads are ${heads.map((h) => h.name).join(', ')}`);
  return i;
}

/** A voice's velocity factor, checked against the table: the voice by name or index, the factor in range. */
export function velocityScaleControl(codec: Codec, voice: string | number, value: number): Control {
  if (codec.voices.length === 0) throw new Error(`velocityScale: ${codec.name} models have no voices; velocity scales are for drum-grid models`);
  const v = voiceIndex(codec, voice);
  checkTableNumber('velocityScale', scaleArg(), value);
  return { type: 'velocityScale', voice: v, value };
}

export function voiceIndex(codec: Codec, voice: string | number): number {
  // a chord part's lock rows are its pitches, and 'chords' the whole part (held-keys.ts)
  if (codec.frameKeys) return rowIndex(voice, codec.frameKeys);
  const voices = codec.voices;
  if (voices.length === 0) codec.voiceMask(0, false, new Uint8Array(0)); // throws the codec's reason
  const i = typeof voice === 'number' ? voice : voices.indexOf(voice);
  if (!(Number.isInteger(i) && i >= 0 && i < voices.length)) throw new Error(`unknown voice ${JSON.stringify(voice)}; voices are ${voices.join(', ')}`);
  return i;
}

/** A lock of `voice` from step `from`, for `bars` bars or until unlocked. */
export function lockControl(codec: Codec, voice: string | number, opts: { pattern?: readonly (number | boolean)[]; bars?: number }, from: number): Control {
  const v = voiceIndex(codec, voice);
  const bar = codec.stepsPerBar;
  if (codec.frameKeys && v === codec.frameKeys && opts.pattern !== undefined) throw new Error(`lock: '${WHOLE_PART}' keeps the part's chords as the last bar played them; a pattern is for one pitch row (lock('C4', { pattern }))`);
  let pattern: number[] | null = null;
  if (opts.pattern !== undefined) {
    if (!Array.isArray(opts.pattern) || opts.pattern.length !== bar || !opts.pattern.every((x) => x === 0 || x === 1 || x === true || x === false)) {
      throw new Error(`lock: pattern must list ${bar} steps of 0/1, got ${JSON.stringify(opts.pattern)}`);
    }
    pattern = opts.pattern.map((x) => (x ? 1 : 0));
  }
  if (opts.bars !== undefined) checkNumber('bars', opts.bars, (b) => Number.isInteger(b) && b > 0, 'a whole number of bars ≥ 1, e.g. { bars: 2 }');
  return { type: 'lock', voice: v, pattern, from, until: opts.bars ? from + opts.bars * bar : null };
}

/** A prime of a phrase (events as the codec makes them, or a MIDI song). */
export function primeControl(net: Network, codec: Codec, placer: Placer, phrase: readonly (readonly number[])[] | MidiSong, opts: { reset?: boolean; steps?: number }): Control {
  const events = isSong(phrase) ? codec.fromSong(phrase).events : phrase.map((e) => [...e]);
  if (events.length === 0) throw new Error('prime: the phrase has no events');
  for (const e of events) checkEvent(net, codec, e);
  if (opts.steps !== undefined) checkNumber('steps', opts.steps, (v) => Number.isInteger(v) && v > 0, 'a whole number of steps ≥ 1');
  return { type: 'prime', events, reset: opts.reset ?? true, steps: placer.primeSteps(events, opts.steps) };
}

function checkEvent(net: Network, codec: Codec, e: readonly number[]): void {
  if (codec.voiceHeads) return checkVoiceEvent(net, codec, e);
  if (codec.frameKeys) {
    if (!Array.isArray(e) || e.length !== codec.frameKeys || !e.every((b) => b === 0 || b === 1)) throw new Error(`prime: each frame needs ${codec.frameKeys} keys of 0/1, got ${JSON.stringify(e).slice(0, 60)}`);
    return;
  }
  const heads = net.logits.length;
  if (!Array.isArray(e) || e.length !== heads) throw new Error(`prime: each event needs ${heads} token(s), got ${JSON.stringify(e)}`);
  e.forEach((tok, h) => {
    if (!(Number.isInteger(tok) && tok >= 0 && tok < net.logits[h].length)) throw new Error(`prime: token ${tok} of head '${net.spec.heads[h].name}' is outside 0..${net.logits[h].length - 1}`);
  });
}

/** An event of a token and, per conditioned head, a bin per voice (−1: none). */
function checkVoiceEvent(net: Network, codec: Codec, e: readonly number[]): void {
  const length = codec.startEvent().length;
  if (!Array.isArray(e) || e.length !== length) throw new Error(`prime: each event needs ${length} integers (a token, then a bin per voice of each of ${(codec.voiceHeads ?? []).map((h) => `'${net.spec.heads[h].name}'`).join(', ')}), got ${JSON.stringify(e)}`);
  const tokens = net.logits[0].length;
  if (!(Number.isInteger(e[0]) && e[0] >= 0 && e[0] < tokens)) throw new Error(`prime: token ${e[0]} of head '${net.spec.heads[0].name}' is outside 0..${tokens - 1}`);
  const voices = codec.voices.length;
  (codec.voiceHeads ?? []).forEach((h, k) => {
    const bins = net.logits[h].length / voices;
    for (let v = 0; v < voices; v++) {
      const b = e[1 + k * voices + v];
      if (!(Number.isInteger(b) && b >= -1 && b < bins)) throw new Error(`prime: bin ${b} of head '${net.spec.heads[h].name}' for ${codec.voices[v]} is outside -1..${bins - 1}`);
    }
  });
}

function isSong(p: unknown): p is MidiSong {
  return typeof p === 'object' && p !== null && !Array.isArray(p) && Array.isArray((p as MidiSong).notes);
}
