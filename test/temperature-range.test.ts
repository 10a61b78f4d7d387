// What the temperature range means with the shipped drum model: from 0.6 up it plays music, from
// a cold start and once primed with a groove; at the range's low end (0, always the likeliest)
// it plays the likeliest, the same for every seed, as the control table's words for that end say.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { valueArg } from '../src/music/controls.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi } from '../src/io/midi-write.js';
import { Generator } from '../src/music/generator.js';
import { ROOT } from './helpers/shared.js';

const STEPS = 512;
const SEEDS = [1, 2, 3];
/** The lowest temperature at which the drum model still plays a groove. */
const GROOVE_FROM = 0.6;
const RANGE = valueArg('temperature');

/** A plain rock beat: kick on 1 and 3, snare on 2 and 4, closed hat on every eighth, four bars. */
function rockBeat() {
  const q = 480;
  const notes = [];
  for (let bar = 0; bar < 4; bar++) {
    for (let e = 0; e < 8; e++) notes.push({ tick: (bar * 8 + e) * (q / 2), note: 42, velocity: 80, channel: 9, durationTicks: 60 });
    for (const b of [0, 2]) notes.push({ tick: (bar * 4 + b) * q, note: 36, velocity: 110, channel: 9, durationTicks: 60 });
    for (const b of [1, 3]) notes.push({ tick: (bar * 4 + b) * q, note: 38, velocity: 105, channel: 9, durationTicks: 60 });
  }
  return readMidi(writeMidi({ ticksPerQuarter: q, bpm: 100, notes }), 'rock.mid');
}

/** Per bar over `STEPS` steps and a few seeds: hits, kicks, and bars with no hit at all; and the distinct steps played. */
async function bars(temperature: number, primed: boolean) {
  const spec = await loadModelSpec(`${ROOT}/weights/drums-gmd`);
  let hits = 0;
  let kicks = 0;
  let silent = 0;
  let count = 0;
  const kinds = new Set<string>();
  const plays: string[] = [];
  for (const seed of SEEDS) {
    const steps: string[] = [];
    const gen = new Generator(spec, { seed, temperature });
    if (primed) gen.prime(rockBeat());
    let played = 0;
    let inBar = 0;
    while (played < STEPS) {
      const r = gen.tick();
      if (r.step < 0) continue;
      played++;
      const notes = r.notes.slice(0, r.count).map((n) => n.note).sort((a, b) => a - b);
      kinds.add(notes.join(','));
      steps.push(notes.join(','));
      hits += notes.length;
      inBar += notes.length;
      kicks += notes.filter((n) => n === 36).length;
      if (played % 16 === 0) {
        count++;
        if (inBar === 0) silent++;
        inBar = 0;
      }
    }
    plays.push(steps.join(' '));
  }
  return { hits: hits / count, kicks: kicks / count, silent, bars: count, kinds: kinds.size, seedsAgree: new Set(plays).size === 1 };
}

describe('the temperature range with the drum model', () => {
  it('from 0.6 the music is alive: hits in every bar and a kick, from a cold start and primed', async () => {
    for (const primed of [false, true]) {
      const low = await bars(GROOVE_FROM, primed);
      console.info(`temperature ${GROOVE_FROM}, ${primed ? 'primed' : 'cold'}: ${low.hits.toFixed(1)} hits a bar, ${low.kicks.toFixed(1)} kicks, ${low.silent}/${low.bars} silent bars, ${low.kinds} distinct steps`);
      expect(low.silent / low.bars, primed ? 'primed' : 'cold').toBeLessThan(0.02);
      expect(low.kicks, primed ? 'primed' : 'cold').toBeGreaterThanOrEqual(1);
      // more than one step over and over: a pattern, not a drone
      expect(low.kinds).toBeGreaterThan(4);
    }
  }, 120_000);

  it('at the low end the model plays the likeliest, the same for every seed, and not silence', async () => {
    expect(RANGE.min).toBe(0);
    expect(RANGE.ends?.[0]).toBe('always the likeliest');
    for (const primed of [false, true]) {
      const low = await bars(RANGE.min, primed);
      expect(low.seedsAgree, primed ? 'primed' : 'cold').toBe(true);
      // sound or rest is chosen first, so "the likeliest" is not silence for ever from a cold start
      expect(low.silent, primed ? 'primed' : 'cold').toBe(0);
      // a loop of a few steps, not the variety of a sampled groove
      expect(low.kinds, primed ? 'primed' : 'cold').toBeLessThanOrEqual(6);
    }
  }, 120_000);

  it('spans up to the wild end in whole steps', () => {
    expect(RANGE.max).toBeGreaterThan(1);
    expect(Number.isInteger(Math.round(((RANGE.max - RANGE.min) / RANGE.step) * 1e9) / 1e9)).toBe(true);
    expect(Number.isInteger(Math.round(((GROOVE_FROM - RANGE.min) / RANGE.step) * 1e9) / 1e9), '0.6 is a slider step').toBe(true);
  });
});
