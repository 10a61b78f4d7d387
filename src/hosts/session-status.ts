/**
 * What `status()` and a control read with no value tell the performer, read from the
 * Generator itself (the settings playing and those queued for the next step), never from a
 * copy the host keeps.
 *
 * @example
 * gen.setTemperature(1.3);
 * valueText(gen, 'temperature');   // 'temperature 1 (1.3 from the next step)'
 * gen.tick();
 * valueText(gen, 'temperature');   // 'temperature 1.3'
 */
import type { Generator } from '../music/generator.js';

/** The value controls the Generator holds, as `status()` lists them. */
export const VALUE_CONTROLS = ['temperature', 'topP', 'density', 'seed', 'dynamics', 'timing'] as const;
export type ValueControl = (typeof VALUE_CONTROLS)[number];

/** `temperature 1`, or `temperature 1 (1.3 from the next step)` while a change is queued. */
export function valueText(gen: Generator, name: ValueControl): string {
  const now = gen.applied[name];
  const next = gen.pending[name];
  return `${name} ${now}${next === undefined || next === now ? '' : ` (${next} from the next step)`}`;
}

/** The drum voices steered on their own from the next step: those left out, and those whose density is not 0. */
export function voiceSteering(gen: Generator): string[] {
  const { leftOut, voiceDensities } = gen.settings;
  const voices = gen.codec.voices;
  const out = voices.filter((_, i) => leftOut[i]);
  const dense = voices.flatMap((v, i) => (voiceDensities[i] ? [`${v} ${voiceDensities[i]}`] : []));
  return [...(out.length ? [`left out ${out.join(', ')}`] : []), ...(dense.length ? [`voice density ${dense.join(', ')}`] : [])];
}

/** The voices locked at the generator's next step, as the Generator holds them. */
export function lockedVoices(gen: Generator): string[] {
  return gen.locks.filter((l) => l.until === null || l.until > gen.step).map((l) => l.voice);
}
