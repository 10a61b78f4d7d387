/**
 * A performance is a pure function of model, seed and control log, so a snapshot must carry
 * everything a Generator changes as it plays. These tests keep it so as fields are added:
 *
 * - for every codec, every Generator control of the table is sent (a new control without a
 *   case here fails), with lookahead, edits, locks, a prime being read, controls waiting and a
 *   held melody note; the snapshot is taken, the generator is played on and steered elsewhere,
 *   then restored: its whole state record, network state and random stream must equal what
 *   they were, and the next 200 ticks must equal those of a twin forked at the snapshot;
 * - every own property of a Generator is either one of a few named fixed parts or the state
 *   record, so a musical field added beside the record fails here.
 */
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { CONTROLS, type ControlName } from '../src/music/controls.js';
import { deepCopy } from '../src/music/deep-copy.js';
import { copyStep, Generator, PRIME_SLICE, type StepCopy } from '../src/music/generator.js';
import { drumGridSpec, expressiveSpec, howlSpec, melodySpec } from './helpers/models.js';
import { haveShared, sharedPath } from './helpers/shared.js';

/** The parts of a Generator that are not musical state: the model, its codec and options, and machinery and buffers fixed at construction. */
const FIXED_PARTS = ['net', 'codec', 'options', 'reports', 'parts', 'lookaheadSteps', 'historyLength', 'result', 'controls'];

interface Inside {
  state: Record<string, unknown>;
  parts: { rng: { getState(): Uint32Array } };
}
const inside = (g: Generator): Inside => g as unknown as Inside;

/** Everything that decides what a generator plays next. */
function whole(g: Generator): { state: unknown; network: Float32Array; rng: Uint32Array } {
  return { state: deepCopy(inside(g).state), network: g.net.getState(), rng: inside(g).parts.rng.getState() };
}

const play = (g: Generator, n: number): StepCopy[] => Array.from({ length: n }, () => copyStep(g.tick()));

interface Kit {
  name: string;
  spec: () => ModelSpec | Promise<ModelSpec>;
  /** Notes of an edited step; for melodies a pitch, then a step that holds it. */
  notes: (number | string)[];
  hold?: (number | string)[];
  voices: boolean;
}

const KITS: Kit[] = [
  { name: 'drum grid', spec: () => drumGridSpec(2), notes: ['kick', 'snare'], voices: true },
  { name: 'melody grid', spec: () => melodySpec(2), notes: [64], hold: ['hold'], voices: false },
  { name: 'Howl note events', spec: () => howlSpec(2), notes: [64, 67], voices: false },
  { name: 'expressive drum grid', spec: () => expressiveSpec(2), notes: ['kick:40', 'snare'], voices: true },
];
if (haveShared('fixtures/rnn-drummer')) KITS.push({ name: 'RNN-Drummer events', spec: () => loadModelSpec(sharedPath('fixtures/rnn-drummer')), notes: [36, 38], voices: false });

/** A phrase long enough to be read over several ticks (`slices` of them and a bit). */
const phrase = (g: Generator, slices = 3): number[][] =>
  Array.from({ length: PRIME_SLICE * slices + 5 }, (_, i) =>
    // an expressive drum event is a token and a bin per voice hit, not a token per head
    g.codec.voiceHeads ? g.codec.eventFromNotes(g.codec.voices.filter((_, v) => (i * 7 + v) % 4 === 0).map((v, k) => `${v}:${(i * 13 + k * 29) % 127 + 1}`)) : g.net.logits.map((l, h) => (i * 7 + h * 3) % l.length),
  );

/**
 * One case per Generator control of the table: send it, and tick so it applies. A control a
 * codec cannot take (a lock where there are no voices) must throw as it is sent.
 */
const SEND: Record<Exclude<ControlName, 'bpm' | 'swing'>, (g: Generator, kit: Kit) => void> = {
  temperature: (g) => {
    g.setTemperature(0.8);
    g.setTemperature(1.1, g.net.logits.length - 1);
  },
  topP: (g) => g.setTopP(0.9),
  density: (g) => g.setDensity(0.75),
  dynamics: (g) => g.setDynamics(1.5),
  timing: (g) => g.setTiming(0.35),
  velocityScale: (g, kit) => {
    if (!kit.voices) return void expect(() => g.setVelocityScale(0, 0.5)).toThrow(/have no voices; velocity scales are for drum-grid models/);
    g.setVelocityScale('snare', 0.5);
    g.setVelocityScale(0, 0);
  },
  voiceDensity: (g, kit) => {
    if (!kit.voices) return void expect(() => g.setVoiceDensity(0, 1)).toThrow(/voiceDensity: .* models have no drum voices/);
    g.setVoiceDensity('snare', -2);
    g.setVoiceDensity(0, 1.5);
  },
  leaveOut: (g, kit) => {
    if (!kit.voices) return void expect(() => g.leaveOut(0)).toThrow(/leaveOut: .* models have no drum voices/);
    g.leaveOut('closed-hat');
  },
  bringBack: (g, kit) => {
    if (!kit.voices) return void expect(() => g.bringBack(0)).toThrow(/bringBack: .* models have no drum voices/);
    g.bringBack('closed-hat');
  },
  seed: (g) => (g.seed = 17),
  reseed: (g) => g.reseed(23, { reset: true }),
  pause: (g) => {
    g.pause();
    play(g, 2);
  },
  resume: (g) => g.resume(),
  mute: (g) => {
    g.mute();
    play(g, 2);
  },
  unmute: (g) => g.unmute(),
  reset: (g) => g.reset(),
  locate: (g) => g.locate(g.step + 3),
  primeRandom: (g) => g.primeRandom(),
  lock: (g, kit) => {
    if (!kit.voices) return void expect(() => g.lock(0)).toThrow(/no voices to lock/);
    g.lock('kick', { bars: 4 });
    g.lock('snare');
    g.lock('closed-hat', { pattern: Array.from({ length: g.codec.stepsPerBar }, (_, i) => i % 2) });
  },
  unlock: (g, kit) => {
    if (!kit.voices) return void expect(() => g.unlock(0)).toThrow(/no voices to lock/);
    g.unlock('snare');
  },
  edit: (g, kit) => {
    g.edit(g.step + 2, kit.notes);
    if (kit.hold) g.edit(g.step + 3, kit.hold);
    g.edit([g.step + 6, g.step + 7], kit.notes);
    g.edit(g.step + 12, []);
  },
  clearEdit: (g) => g.clearEdit(g.step + 7),
  prime: (g) => g.prime(phrase(g), { reset: false }),
  store: (g) => g.store(2),
  recall: (g) => g.recall(2, 'now'),
  undoRecall: (g) => g.undoRecall('now'),
};

/** A generator that has been through every control and is mid-way through all it can be. */
async function steered(kit: Kit): Promise<Generator> {
  const g = new Generator(await kit.spec(), { seed: 5, lookahead: 12, historyLength: 24 });
  g.reports = {};
  play(g, 20);
  for (const send of Object.values(SEND)) {
    send(g, kit);
    play(g, 3);
  }
  // edits ahead (for melodies, a pitch then steps that hold it), locks, and a long phrase
  // being read while they play
  SEND.edit(g, kit);
  if (kit.hold) g.edit(g.step + 4, kit.hold);
  if (kit.voices) g.lock('kick');
  g.prime(phrase(g, 8), { reset: false });
  play(g, 4);
  const st = inside(g).state as { prime: unknown; play: { sounding: number }; ring: { size: number }; edits: Map<number, unknown>; locks: unknown[] };
  expect(st.prime).not.toBeNull();
  expect(st.ring.size).toBeGreaterThan(0);
  expect(st.edits.size).toBeGreaterThan(0);
  if (kit.voices) expect(st.locks.length).toBeGreaterThan(0);
  if (kit.hold) expect(st.play.sounding).toBe(64);
  // the tokens a bar and two back that an expressive model reads travel with the cursor
  if (g.codec.lookback) expect((st as unknown as { last: { back: Int32Array } }).last.back.some((t) => t !== 0)).toBe(true);
  // controls waiting for the next tick
  g.setTemperature(0.6);
  g.edit(g.step + 5, kit.notes);
  g.setDensity(-0.5);
  g.setDynamics(0.25);
  if (kit.voices) g.setVelocityScale('kick', 1.5);
  // a recall waiting for its bar line
  g.recall(2);
  expect(Object.keys(g.pending).length).toBeGreaterThan(0);
  return g;
}

describe('the state record', () => {
  it('every Generator control of the table has a case here (bpm and swing are the clock\'s)', () => {
    expect(CONTROLS.filter((c) => c.owner !== 'generator').map((c) => c.name)).toEqual(['bpm', 'swing']);
    expect(Object.keys(SEND).sort()).toEqual(CONTROLS.filter((c) => c.owner === 'generator').map((c) => c.name).sort());
  });

  for (const kit of KITS) {
    it(`${kit.name}: restore brings back the whole state, network and random stream; the future equals an untouched twin's; snapshots and forks stand apart`, async () => {
      const g = await steered(kit);
      const before = whole(g);
      const snap = g.snapshot();
      const kept = deepCopy(snap.data);
      const twin = g.fork();
      twin.reports = {};
      expect(whole(twin)).toStrictEqual(before);

      // play on and steer elsewhere
      play(g, 30);
      g.setTemperature(1.5);
      g.reseed(99);
      g.edit(g.step + 1, kit.notes);
      if (kit.voices) g.unlock();
      g.prime(phrase(g).slice(0, 10));
      g.reset();
      g.setDensity(2);
      g.setDynamics(0);
      g.setTiming(1);
      if (kit.voices) g.setVelocityScale('snare', 2);
      play(g, 7);
      g.setTopP(0.5);
      expect(whole(g)).not.toStrictEqual(before);
      // the snapshot did not move with the generator
      expect(snap.data).toStrictEqual(kept);

      g.restore(snap);
      expect(whole(g)).toStrictEqual(before);
      // the generator playing on does not change the snapshot it came from
      play(g, 5);
      expect(snap.data).toStrictEqual(kept);
      g.restore(snap);

      const ours = play(g, 200);
      expect(ours).toEqual(play(twin, 200));
      expect(ours.some((s) => s.notes.length > 0)).toBe(true);
      expect(g.log.entries.slice(-3)).toEqual(twin.log.entries.slice(-3));
    });
  }

  it('every own property of a Generator is a named fixed part or the state record', async () => {
    for (const kit of KITS) {
      const g = await steered(kit);
      play(g, 3);
      const outside = Object.keys(g).filter((k) => k !== 'state' && !FIXED_PARTS.includes(k));
      expect(outside, `${kit.name}: put musical state in the state record (generator-state.ts)`).toEqual([]);
    }
  });

  it('the fixed parts keep no setting of their own: none of their numbers, flags or words changes as it plays', async () => {
    // caches remade from the state record before each use
    const remade = new Set(['HeadSampler.biasDensity', 'StepTarget.offset']);
    const settled = (g: Generator): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const part of Object.values((g as unknown as { parts: Record<string, unknown> }).parts)) {
        if (typeof part !== 'object' || part === null) continue;
        const name = part.constructor.name;
        for (const [k, v] of Object.entries(part)) if ((v === null || typeof v !== 'object') && typeof v !== 'function' && !remade.has(`${name}.${k}`)) out[`${name}.${k}`] = v;
      }
      return out;
    };
    for (const kit of KITS) {
      const g = new Generator(await kit.spec(), { seed: 5, lookahead: 12 });
      const before = settled(g);
      const steeredOne = await steered(kit);
      play(steeredOne, 40);
      expect(settled(steeredOne), `${kit.name}: a part's field changed as it played; keep it in the state record`).toStrictEqual(before);
    }
  });

  it('a snapshot from another model is refused, and the generator is left as it was', () => {
    const drums = new Generator(drumGridSpec(2), { seed: 1 });
    const howl = new Generator(howlSpec(2), { seed: 1 });
    play(drums, 5);
    const before = whole(drums);
    expect(() => drums.restore(howl.snapshot())).toThrow(/not from a generator of this model/);
    expect(whole(drums)).toStrictEqual(before);
  });
});

describe('deepCopy', () => {
  it('copies typed arrays, arrays, Maps and plain objects all the way down', () => {
    const a = { f: new Float32Array([1, 2]), list: [[1], { x: new Int32Array(2) }], m: new Map([[3, ['kick']]]), n: null, u: undefined };
    const b = deepCopy(a);
    expect(b).toStrictEqual(a);
    b.f[0] = 9;
    (b.list[0] as number[]).push(2);
    b.m.get(3)?.push('snare');
    expect(a.f[0]).toBe(1);
    expect(a.list[0]).toEqual([1]);
    expect(a.m.get(3)).toEqual(['kick']);
  });

  it('refuses a class instance, a function or a Set, naming it and where it was', () => {
    class Rng {}
    expect(() => deepCopy({ parts: [{ rng: new Rng() }] }, 'state')).toThrow('deepCopy: state.parts[0].rng is a Rng, not plain data');
    expect(() => deepCopy({ report: () => 1 }, 'state')).toThrow('deepCopy: state.report is a function, not plain data');
    expect(() => deepCopy({ s: new Set([1]) }, 'state')).toThrow('deepCopy: state.s is a Set, not plain data');
  });
});
