/**
 * Swing in the Max script: the patch's clock bangs straight 16ths, so the script swings by
 * delaying the notes of every second 16th in `[pipe]`, on top of each hit's own timing. The
 * same model and seed, straight and swung, play the same notes; only the odd steps' delays move.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MaxHost, type Atom } from './helpers/max-fake.js';
import { ROOT } from './helpers/shared.js';

const PATCH = join(ROOT, 'patches/max/pulse-rnn.maxpat');
const SCRIPT = join(ROOT, 'patches/max/pulse-rnn.js');
const STEP_MS = 125;

async function play(swing: number | null, steps: number): Promise<{ host: MaxHost; steps: Atom[][][] }> {
  const host = new MaxHost(readFileSync(SCRIPT, 'utf8'), { patchFile: PATCH });
  await host.load('../../weights/drums-expressive');
  host.send('seed', 5);
  host.send('density', 1);
  if (swing !== null) host.send('swing', swing);
  const out: Atom[][][] = [];
  for (let i = 0; i < steps; i++) out.push(host.bang());
  return { host, steps: out };
}

describe('swing in the Max script', () => {
  it('delays the notes of every second 16th by swing × a 16th, and leaves the others', async () => {
    const straight = await play(null, 32);
    const swung = await play(0.3, 32);
    expect(swung.host.state).toContainEqual(['swing', 0.3]);
    let odd = 0;
    straight.steps.forEach((notes, step) => {
      expect(swung.steps[step].length, `step ${step}`).toBe(notes.length);
      notes.forEach((n, i) => {
        const late = step % 2 === 1 ? 0.3 * STEP_MS : 0;
        const s = swung.steps[step][i];
        expect(s.slice(0, 3)).toEqual(n.slice(0, 3));
        expect(s[3] as number).toBeCloseTo((n[3] as number) + late, 2);
        if (late) odd++;
      });
    });
    expect(odd).toBeGreaterThan(5);
    swung.host.send('get', 'swing');
    expect(swung.host.state.at(-1)).toEqual(['swing', 0.3]);
  }, 60000);

  it('refuses a swing out of range naming the value, and keeps the one it had', async () => {
    const { host } = await play(0.2, 1);
    host.send('swing', 0.8);
    expect(host.errors.at(-1)).toBe('pulse-rnn: swing 0.8: swing: 0.8 is out of range; give a number from 0 (straight) to 0.5 (hard shuffle)\n');
    host.send('get', 'swing');
    expect(host.state.at(-1)).toEqual(['swing', 0.2]);
  }, 60000);
});
