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
export const VALUE_CONTROLS = ['temperature', 'topP', 'density', 'seed'] as const;
export type ValueControl = (typeof VALUE_CONTROLS)[number];

/** `temperature 1`, or `temperature 1 (1.3 from the next step)` while a change is queued. */
export function valueText(gen: Generator, name: ValueControl): string {
  const now = gen.applied[name];
  const next = gen.pending[name];
  return `${name} ${now}${next === undefined || next === now ? '' : ` (${next} from the next step)`}`;
}

/**
 * The voices locked at the generator's next step, from its performance log: the lock and
 * unlock controls it applied (a queued one shows from the step it applies at).
 */
export function lockedVoices(gen: Generator): string[] {
  const until = new Map<number, number>();
  for (const { control: c, dropped } of gen.log.entries) {
    if (dropped !== undefined) continue;
    if (c.type === 'lock') until.set(c.voice, c.until ?? Infinity);
    else if (c.type === 'unlock') {
      if (c.voice === null) until.clear();
      else until.delete(c.voice);
    }
  }
  return [...until].filter(([, end]) => end > gen.step).map(([v]) => gen.codec.voices[v] ?? String(v));
}
