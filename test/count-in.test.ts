/**
 * The count-in: a drum model plays bars silently before a cold start's first step. What the
 * performer hears is then exactly what the model would have played from that bar on, a reset
 * counts in again, a log replays it, and a bad count is refused by name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { Generator } from '../src/music/generator.js';
import { replaySteps } from '../src/hosts/replay.js';
import { drumGridSpec, expressiveSpec, melodySpec } from './helpers/models.js';
import { ROOT } from './helpers/shared.js';

const EXPRESSIVE = join(ROOT, 'weights', 'drums-expressive');
const tmp = mkdtempSync(join(tmpdir(), 'pulse-count-in-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Each tick's notes as [note, velocity, offset]. */
function play(gen: Generator, ticks: number): number[][][] {
  const out: number[][][] = [];
  for (let t = 0; t < ticks; t++) {
    const r = gen.tick();
    out.push(r.notes.slice(0, r.count).map((n) => [n.note, n.velocity, +n.offset.toFixed(6)]));
  }
  return out;
}

const withMeta = (spec: ModelSpec, meta: Record<string, unknown>): ModelSpec => ({ ...spec, meta: { ...spec.meta, ...meta } });

describe('count-in', () => {
  it('plays from the bar the same cold start would have reached: what it counts in is not heard', () => {
    for (const spec of [drumGridSpec(3, 2), expressiveSpec(4, 1.5)]) {
      const plain = play(new Generator(spec, { seed: 9, countIn: 0 }), 96);
      const counted = play(new Generator(spec, { seed: 9, countIn: 2 }), 64);
      expect(plain.flat().length).toBeGreaterThan(20);
      expect(counted).toEqual(plain.slice(32));
      expect(play(new Generator(spec, { seed: 9, countIn: 1 }), 64)).toEqual(plain.slice(16, 80));
    }
  });

  it('takes the model\'s count-in unless told, and the shipped expressive drummer counts in two bars', async () => {
    const spec = await loadModelSpec(EXPRESSIVE);
    expect(spec.meta.countIn).toBe(2);
    const own = new Generator(spec, { seed: 5 });
    expect(own.options.countIn).toBe(2);
    expect(play(own, 20)).toEqual(play(new Generator(spec, { seed: 5, countIn: 2 }), 20));
    const none = new Generator(withMeta(drumGridSpec(3, 2), { countIn: 0 }), { seed: 5 });
    expect(none.options.countIn).toBe(0);
    // a model without one starts at once
    expect(new Generator(drumGridSpec(3, 2), { seed: 5 }).options.countIn).toBe(0);
  });

  it('counts in again after a reset, from the step the reset starts at', () => {
    const spec = expressiveSpec(4, 1.5);
    const counted = new Generator(spec, { seed: 2, countIn: 2 });
    const plain = new Generator(spec, { seed: 2, countIn: 0 });
    play(counted, 40);
    play(plain, 40);
    counted.reset();
    plain.reset();
    // both start over at step 40 (position 8 in the bar); the counted one is heard 32 steps on
    const a = play(counted, 24);
    const b = play(plain, 56);
    expect(a).toEqual(b.slice(32));
    expect(counted.step).toBe(64);
  });

  it('is written into the log, so a replay plays the same; a log from before count-ins replays without one', () => {
    const spec = withMeta(expressiveSpec(4, 1.5), { countIn: 2 });
    const gen = new Generator(spec, { seed: 11 });
    const live = play(gen, 48);
    const log = gen.log;
    expect(log.options.countIn).toBe(2);
    const again = replaySteps(spec, log).steps.map((s) => s.notes.map((n) => [n.note, n.velocity, +n.offset.toFixed(6)]));
    expect(again).toEqual(live);
    const old = { ...log, options: { seed: 11 } };
    const oldAgain = replaySteps(spec, old).steps.map((s) => s.notes.map((n) => [n.note, n.velocity, +n.offset.toFixed(6)]));
    expect(oldAgain).toEqual(play(new Generator(spec, { seed: 11, countIn: 0 }), 48));
    expect(oldAgain).not.toEqual(live);
  });

  it('gives way to a phrase primed or a step written before the first tick: the performer gave the context', () => {
    const spec = expressiveSpec(4, 1.5);
    // kick on the beats, snare on 2 and 4, a hat between; each hit at bin 10 of velocity, 8 of offset
    const phrase = Array.from({ length: 16 }, (_, i) => {
      const token = i % 4 === 0 ? 1 : i % 8 === 4 ? 2 : 4;
      const bins = Array.from({ length: 9 }, (_, v) => ((token >> v) & 1 ? 1 : 0));
      return [token, ...bins.map((b) => (b ? 10 : -1)), ...bins.map((b) => (b ? 8 : -1))];
    });
    const primed = (reset: boolean) => {
      const g = new Generator(spec, { seed: 6, countIn: 2 });
      g.prime(phrase, { steps: 16, reset });
      return play(g, 40);
    };
    expect(primed(false)).toEqual(primed(true));
    // once a step has played, a prime goes on from the state the music is in
    const later = (reset: boolean) => {
      const g = new Generator(spec, { seed: 6, countIn: 2 });
      play(g, 8);
      g.prime(phrase, { steps: 16, reset });
      return play(g, 40);
    };
    expect(later(false)).not.toEqual(later(true));
    // a step written in the first bar: the model goes on from it, not from a groove nobody heard
    const written = (countIn: number, step: number) => {
      const g = new Generator(spec, { seed: 6, countIn });
      g.edit([step, step + 1], ['kick', 'closed-hat']);
      return play(g, 40);
    };
    expect(written(2, 0)).toEqual(written(0, 0));
    expect(written(2, 14)).toEqual(written(0, 14));
    // one written beyond the first bar leaves the count-in be
    expect(written(2, 16)).not.toEqual(written(0, 16));
    expect(written(2, 16).slice(0, 16)).toEqual(play(new Generator(spec, { seed: 6, countIn: 2 }), 16));
  });

  it('leaves models that are not on a grid of steps as they were', () => {
    const spec = melodySpec(2);
    expect(play(new Generator(spec, { seed: 3, countIn: 2 }), 40)).toEqual(play(new Generator(spec, { seed: 3, countIn: 0 }), 40));
  });

  it('refuses a count that is not a whole number of bars from 0 to 8, naming the option or the file', async () => {
    for (const bad of [-1, 1.5, 9, Number.NaN]) expect(() => new Generator(drumGridSpec(), { countIn: bad })).toThrow(/countIn must be a whole number of bars from 0 to 8/);
    const dir = join(tmp, 'bad-count-in');
    cpSync(EXPRESSIVE, dir, { recursive: true });
    const file = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.userDefinedMetadata.pulseRnn.countIn = 'two';
    writeFileSync(file, JSON.stringify(json));
    await expect(loadModelSpec(dir)).rejects.toThrow(/model\.json: metadata 'countIn' is 'two'; it must be a whole number of bars from 0 to 8/);
  });
});
