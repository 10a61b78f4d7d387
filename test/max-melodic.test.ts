/**
 * Melodic and chord parts in the Max script (the built `patches/max/pulse-rnn.js` in the fake
 * of Max's `[v8]`): a melody-grid model's and a piano-roll model's held notes each end with a
 * note-off, on pause, mute, reset, `flush` (a stop) and when another model takes over; a chord
 * model of quarter notes plays a step every 4th 16th of the clock, sounding with the drums;
 * edits take pitches and note names; a part loaded while the clock runs joins at its place.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelSpec } from '../src/io/model-files.js';
import { Generator, type StepResult } from '../src/music/generator.js';
import { MaxHost, type Atom } from './helpers/max-fake.js';
import { melodicParts } from './helpers/max-parts.js';
import { ROOT } from './helpers/shared.js';

const SCRIPT = join(ROOT, 'patches/max/pulse-rnn.js');
const DRUMS = join(ROOT, 'weights/drums-gmd');
/** Half a 16th at the script's 120 BPM: every part's notes leave the pipe that long after their bang. */
const LEAD_MS = 62.5;

const parts = melodicParts(SCRIPT);

/** The notes a script has sent on and not yet off (a held note: duration 0; a note-off: velocity 0). */
function sounding(host: MaxHost): number[] {
  const on = new Set<number>();
  for (const o of host.out.filter((x) => x.outlet === 0)) {
    const [note, velocity, duration] = o.atoms as number[];
    if (velocity === 0) on.delete(note);
    else if (duration === 0) on.add(note);
  }
  return [...on].sort((a, b) => a - b);
}

/** What the script sends for a step of the Node Generator: releases, then notes (a held one with duration 0), half a 16th after the bang. */
const asMax = (r: StepResult): Atom[][] => [...r.releases.slice(0, r.releaseCount).map((x) => [x.note, 0, 0, LEAD_MS]), ...r.notes.slice(0, r.count).map((n) => [n.note, n.velocity, 0, LEAD_MS])];

const notesOf = (lists: Atom[][]) => lists.filter((l) => (l[1] as number) > 0).map((l) => l[0]);

async function part(folder: string): Promise<MaxHost> {
  const host = new MaxHost(parts.code);
  await host.load(folder);
  return host;
}

describe('held notes of a melodic or chord part in Max', () => {
  for (const [kind, folder] of [
    ['melody', () => parts.melody],
    ['chord', () => parts.chords],
  ] as const) {
    it(`a ${kind} part's held notes end on pause, mute, reset and flush; none is left on`, async () => {
      const host = await part(folder());
      // a chord model steps in quarters: 4 bangs a step
      const per = kind === 'chord' ? 4 : 1;
      const steps = (n: number) => Array.from({ length: n * per }, () => host.bang()).flat();
      const holdingAfter = (n: number) => {
        for (let i = 0; i < 40 && sounding(host).length === 0; i++) steps(1);
        expect(sounding(host).length, `${kind}: something held before the control`).toBeGreaterThan(0);
        steps(n);
      };
      holdingAfter(0);
      host.send('pause');
      const paused = steps(3);
      expect(sounding(host), 'paused').toEqual([]);
      expect(notesOf(paused), 'nothing sounds while paused').toEqual([]);
      host.send('resume');
      holdingAfter(0);
      host.send('mute');
      const muted = steps(3);
      expect(sounding(host), 'muted').toEqual([]);
      expect(notesOf(muted), 'nothing sounds while muted').toEqual([]);
      host.send('unmute');
      holdingAfter(0);
      host.send('reset');
      const reset = steps(1);
      // the release of everything held comes first, at the step's line
      const held = new Set(reset.filter((l) => l[1] === 0).map((l) => l[0]));
      expect(held.size).toBeGreaterThan(0);
      holdingAfter(0);
      const before = sounding(host);
      const from = host.out.length;
      host.send('flush');
      expect(host.out.slice(from)).toEqual(before.map((n) => ({ outlet: 0, atoms: [n, 0, 0, 0] })));
      expect(sounding(host)).toEqual([]);
      // flushing again finds nothing
      host.send('flush');
      expect(host.out.length).toBe(from + before.length);
      expect(host.errors).toEqual([]);
    }, 60000);
  }

  it("another model loaded while a note is held ends it half a 16th after the load, where the old model's next step would have", async () => {
    const host = await part(parts.melody);
    for (let i = 0; i < 40 && sounding(host).length === 0; i++) host.bang();
    const held = sounding(host);
    expect(held.length).toBe(1);
    const from = host.out.length;
    await host.load(DRUMS);
    expect(host.out.slice(from).filter((o) => o.outlet === 0)).toEqual([{ outlet: 0, atoms: [held[0], 0, 0, LEAD_MS] }]);
    expect(sounding(host)).toEqual([]);
    expect(host.errors).toEqual([]);
  }, 60000);
});

describe('a chord part of quarter notes on a clock of 16ths', () => {
  it('plays a step every 4th bang, from the bar line, its notes leaving half a 16th after their bang as the drums do', async () => {
    const host = await part(parts.chords);
    const gen = new Generator(await loadModelSpec(parts.chords));
    const steps: number[] = [];
    for (let b = 0; b < 32; b++) {
      const from = host.state.length;
      const lists = host.bang();
      const said = host.state.slice(from).filter((s) => s[0] === 'step');
      if (b % 4 !== 0) {
        expect(lists, `bang ${b}`).toEqual([]);
        expect(said).toEqual([]);
        continue;
      }
      steps.push(said[0][1] as number);
      const r = gen.tick();
      // a quarter is 500 ms at 120 BPM; a held chord note has no length of its own
      expect(lists).toEqual(asMax(r));
    }
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(host.posts.join('\n')).toMatch(/loaded .* \(piano-roll/);
    expect(host.errors).toEqual([]);
  }, 60000);

  it('locate n puts the part at step n, and the clock at the 16th that starts it', async () => {
    const host = await part(parts.chords);
    host.send('locate', 2);
    const said: Atom[][] = [];
    for (let b = 0; b < 8; b++) {
      const from = host.state.length;
      host.bang();
      said.push(...host.state.slice(from).filter((s) => s[0] === 'step'));
    }
    expect(said).toEqual([['step', 2], ['step', 3]]);
  }, 60000);
});

describe('a part loaded while the clock runs', () => {
  it('comes in at the step the clock has reached, so its bar lines up with the parts that played all along', async () => {
    const drums = await part(DRUMS);
    const keys = new MaxHost(parts.code);
    const steps = (h: MaxHost) => h.state.filter((s) => s[0] === 'step').map((s) => s[1]);
    for (let b = 0; b < 9; b++) {
      drums.bang();
      keys.bang(); // no model yet: said once, counted
    }
    await keys.load(parts.melody);
    for (let b = 0; b < 7; b++) {
      drums.bang();
      keys.bang();
    }
    expect(steps(keys)).toEqual(steps(drums).slice(9));
    expect(steps(keys)[0]).toBe(9);
    // a chord model of quarters loaded at 16th 16 (a bar line) plays step 4, on that bar line
    const chordsLate = new MaxHost(parts.code);
    for (let b = 0; b < 14; b++) chordsLate.bang();
    await chordsLate.load(parts.chords);
    for (let b = 0; b < 6; b++) chordsLate.bang();
    expect(steps(chordsLate)).toEqual([4]);
    expect(chordsLate.out.filter((o) => o.outlet === 1 && o.atoms[0] === 'step').length).toBe(1);
  }, 60000);
});

describe('editing a melodic part from Max', () => {
  it('edit takes a pitch, a note name, hold or rest for a melody, and pitches or names for a chord; lock takes what the Generator offers', async () => {
    const host = await part(parts.melody);
    host.bang();
    host.send('edit', '+1', 'E4');
    host.send('edit', '+2', 'hold');
    host.send('edit', '+3', 67);
    host.send('edit', '+4', 'rest');
    // +1 is the step after the next one
    const played = Array.from({ length: 5 }, () => host.bang());
    expect(played[1].at(-1)).toEqual([64, 90, 0, LEAD_MS]);
    expect(played[2]).toEqual([]);
    expect(played[3]).toEqual([[64, 0, 0, LEAD_MS], [67, 90, 0, LEAD_MS]]);
    expect(played[4]).toEqual([[67, 0, 0, LEAD_MS]]);
    // outside the model's range (60..71): refused with the pitch, and it plays on
    host.send('edit', '+1', 'C6');
    expect(host.errors.at(-1)).toMatch(/edit \+1 C6: .*pitch 84 is outside this model's range 60\.\.71/);
    host.send('edit', '+1', 'X#4');
    expect(host.errors.at(-1)).toMatch(/edit \+1 X#4: /);
    // refused, nothing changed: it plays on
    const errors = host.errors.length;
    host.bang();
    expect(host.errors.length).toBe(errors);
    expect(host.state.at(-1)).toEqual(['step', 6]);

    // a lock is what the Generator offers the model, a note name given as its number: the same
    // notes as the Node API, or its refusal word for word, playing on
    for (const [folder, per] of [
      [parts.melody, 1],
      [parts.chords, 4],
    ] as const) {
      const max = await part(folder);
      const gen = new Generator(await loadModelSpec(folder));
      // a step: one bang of a model of 16ths, four of a model of quarters
      const step = () => Array.from({ length: per }, () => max.bang()).flat();
      for (let i = 0; i < 8; i++) expect(step()).toEqual(asMax(gen.tick()));
      let refused = '';
      try {
        gen.lock(60, { bars: 2 });
      } catch (e) {
        refused = (e as Error).message;
      }
      max.send('lock', 'C4', 'bars', 2);
      expect(max.errors).toEqual(refused ? [`pulse-rnn: lock C4 bars 2: ${refused}\n`] : []);
      for (let i = 0; i < 40; i++) expect(step()).toEqual(asMax(gen.tick()));
    }

    const keys = await part(parts.chords);
    keys.send('edit', 0, 'C4', 'E4', 67);
    expect(keys.bang()).toEqual([60, 64, 67].map((n) => [n, 80, 0, LEAD_MS]));
    expect(keys.errors).toEqual([]);
  }, 60000);
});

describe('a part named by its box', () => {
  it('says whose message it is in the Max window: [v8 pulse-rnn.js keys] speaks as pulse-rnn keys', async () => {
    const host = new MaxHost(parts.code);
    // Max hands the box's arguments to the script as jsarguments, the script's name first
    host.ctx.jsarguments = ['pulse-rnn.js', 'keys'];
    await host.load(parts.melody);
    expect(host.posts.join('\n')).toMatch(/^pulse-rnn keys: loaded /m);
    host.send('velocityscale', 'kick', 0.5);
    expect(host.errors.at(-1)).toMatch(/^pulse-rnn keys: velocityscale kick 0\.5: /);
  }, 60000);
});

