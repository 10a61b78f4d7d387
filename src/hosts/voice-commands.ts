/**
 * The prompt's drum-voice commands, the control table's: `velocityScale`, `voiceDensity`,
 * `leaveOut`, `bringBack`, `lock` and `unlock`. Each checks what was typed, tells the
 * Generator, and returns the line the prompt prints; a problem is a `CommandError` naming the
 * value or the voices there are. A live session calls them (live-session.ts).
 *
 * @example
 * velocityScaleCommand(gen, 'kick', 0.8);   // 'kick velocities × 0.8 from step 12'
 * leaveOutCommand(gen, 'snare');            // "snare left out from step 12; bringBack('snare') …"
 * lockCommand(gen, 'hat', { bars: 2 });     // 'lock hat from step 12 for 2 bar(s)'
 */
import { voiceDensityArg } from '../music/controls.js';
import type { Generator } from '../music/generator.js';
import { CommandError, drumVoiceOf, scaleArgOf, show, usageOf, voiceNumberOf } from './prompt-commands.js';

/** A voice by name or index, or a line saying what voices there are. */
function voiceArg(voice: unknown, voices: readonly string[]): string | number {
  if (typeof voice !== 'string' && typeof voice !== 'number') throw new CommandError(`${show(voice)} is not a voice; voices are ${voices.join(', ') || '(none)'}`);
  return voice;
}

const voiceName = (voice: string | number, voices: readonly string[]) => (typeof voice === 'number' ? voices[voice] : voice);

/** One drum voice louder or softer: `velocityScale('kick', 0.8)`. */
export function velocityScaleCommand(gen: Generator, voice: unknown, scale: unknown): string {
  const voices = gen.codec.voices;
  if (voice === undefined) throw new CommandError(voices.length ? `name a voice and its scale, e.g. ${usageOf('velocityScale')}; voices are ${voices.join(', ')}` : `${gen.codec.name} models have no voices; velocity scales are for drum-grid models`);
  const v = voiceArg(voice, voices);
  const value = scaleArgOf(scale);
  gen.setVelocityScale(v, value);
  return `${voiceName(v, voices)} velocities × ${value} from step ${gen.step}`;
}

/** One drum voice's own density, over density: `voiceDensity('snare', -1)`. */
export function voiceDensityCommand(gen: Generator, voice: unknown, amount: unknown): string {
  const name = drumVoiceOf('voiceDensity', voice, gen.codec);
  const value = voiceNumberOf('voiceDensity', voiceDensityArg(), amount);
  gen.setVoiceDensity(name, value);
  return `${name} density ${value} from step ${gen.step}`;
}

/** The model plays without a drum voice, and hears that it did: `leaveOut('snare')`. */
export function leaveOutCommand(gen: Generator, voice: unknown): string {
  const name = drumVoiceOf('leaveOut', voice, gen.codec);
  gen.leaveOut(name);
  return `${name} left out from step ${gen.step}; bringBack('${name}') lets the model play it again`;
}

export function bringBackCommand(gen: Generator, voice: unknown): string {
  const name = drumVoiceOf('bringBack', voice, gen.codec);
  gen.bringBack(name);
  return `${name} back from step ${gen.step}`;
}

/** A voice held to a pattern (or to silence), for some bars or until unlocked: `lock('hat', { bars: 2 })`. */
export function lockCommand(gen: Generator, voice: unknown, options: unknown): string {
  const voices = gen.codec.voices;
  if (voice === undefined) throw new CommandError(voices.length ? `name a voice: ${voices.join(', ')}` : 'this model has no voices to lock');
  const v = voiceArg(voice, voices);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) throw new CommandError(`options ${show(options)} must be an object such as { bars: 2 } or { pattern: [1,0,0,0, …] }`);
  const opts = (options ?? {}) as { pattern?: (number | boolean)[]; bars?: number };
  gen.lock(v, opts);
  return `lock ${voiceName(v, voices)} from step ${gen.step}${opts.bars ? ` for ${opts.bars} bar(s)` : ''}`;
}

/** One voice free again, or every voice when none is named. */
export function unlockCommand(gen: Generator, voice: unknown): string {
  const voices = gen.codec.voices;
  const v = voice === undefined ? undefined : voiceArg(voice, voices);
  gen.unlock(v);
  if (v === undefined) return `every voice free from step ${gen.step}`;
  return `${voiceName(v, voices)} free from step ${gen.step}`;
}
