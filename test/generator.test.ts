import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { codecFor } from '../src/music/codecs.js';
import { Generator, copyStep, type StepCopy } from '../src/music/generator.js';
import { sampleEvents } from '../src/music/sample-events.js';
import { drumGridSpec, howlSpec, melodySpec } from './helpers/models.js';
import { haveShared, sharedPath } from './helpers/shared.js';
import { spyInputs } from './helpers/spy-inputs.js';
import { sampledWhile, type ProfileNode } from './helpers/heap-sampling.js';

const run = (g: Generator, n: number): StepCopy[] => Array.from({ length: n }, () => copyStep(g.tick()));
const notesOf = (steps: StepCopy[]) => steps.map((s) => s.notes.map((n) => n.note).sort((a, b) => a - b));
const spec = drumGridSpec(3);

/** Records what the network reads at each step. */
describe('Generator basics', () => {
  it('is the offline sampler, step for step, when nobody touches it', () => {
    const a = notesOf(run(new Generator(spec, { seed: 9, temperature: 0.8 }), 48));
    const codec = codecFor(spec);
    const events = sampleEvents(new Network(spec), codec, 48, new Rng(9), { temperature: 0.8 });
    expect(a).toEqual(events.map((e) => codec.notesOf(e).sort((x, y) => x - y)));
    expect(a.flat().length).toBeGreaterThan(20);
  });

  it('same seed, same notes; another seed, other notes; lookahead changes nothing by itself', () => {
    const a = notesOf(run(new Generator(spec, { seed: 5 }), 64));
    expect(notesOf(run(new Generator(spec, { seed: 5 }), 64))).toEqual(a);
    expect(notesOf(run(new Generator(spec, { seed: 5, lookahead: 12 }), 64))).toEqual(a);
    expect(notesOf(run(new Generator(spec, { seed: 6 }), 64))).not.toEqual(a);
  });

  it('keeps the hidden state across ticks and reads the previous step and bar position', () => {
    const g = new Generator(spec, { seed: 2 });
    const seen = spyInputs(g);
    const out = run(g, 20);
    expect(seen.map((x) => x[1])).toEqual(Array.from({ length: 20 }, (_, i) => i % 16));
    // each step reads the token the previous step played
    const codec = g.codec;
    for (let t = 1; t < 20; t++) expect(codec.notesOf([seen[t][0]]).sort()).toEqual(out[t - 1].notes.map((n) => n.note).sort());
  });

  it('every note has a velocity, a channel (10 for drums) and a length of one step', () => {
    const out = run(new Generator(spec, { seed: 4, accent: true }), 32);
    const notes = out.flatMap((s) => s.notes.map((n) => ({ ...n, step: s.step })));
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) {
      expect(n.channel).toBe(9);
      expect(n.length).toBe(1);
      expect(n.offset).toBe(0);
      expect(n.velocity).toBe(n.step % 4 === 0 ? 112 : n.step % 2 === 0 ? 100 : 88);
    }
  });
});

describe('live controls', () => {
  it('pause freezes the state; resume continues where it stopped', () => {
    const ref = run(new Generator(spec, { seed: 8 }), 40);
    const g = new Generator(spec, { seed: 8, lookahead: 4 });
    const a = run(g, 10);
    g.pause();
    const paused = run(g, 7);
    expect(paused.every((s) => s.step === -1 && s.notes.length === 0)).toBe(true);
    expect(g.step).toBe(10);
    g.resume();
    const b = run(g, 30);
    expect(notesOf([...a, ...b])).toEqual(notesOf(ref));
    expect(b[0].step).toBe(10);
  });

  it('mute keeps running in phase, silently', () => {
    const ref = run(new Generator(spec, { seed: 8 }), 40);
    const g = new Generator(spec, { seed: 8 });
    const a = run(g, 10);
    g.mute();
    const m = run(g, 10);
    g.unmute();
    const b = run(g, 20);
    expect(m.every((s) => s.notes.length === 0 && s.step >= 10)).toBe(true);
    expect(notesOf(b)).toEqual(notesOf(ref.slice(20)));
    expect(notesOf(a)).toEqual(notesOf(ref.slice(0, 10)));
  });

  it('temperature 0 is deterministic whatever the seed; higher temperature, more variety', () => {
    const cold = (seed: number) => notesOf(run(new Generator(spec, { seed, temperature: 0 }), 32));
    expect(cold(1)).toEqual(cold(99));
    const distinct = (t: number) => new Set(notesOf(run(new Generator(spec, { seed: 3, temperature: t }), 200)).map((x) => x.join())).size;
    expect(distinct(2)).toBeGreaterThan(distinct(0.3));
  });

  it('density biases toward more or fewer hits', () => {
    const hits = (density: number) => run(new Generator(spec, { seed: 3, density }), 200).reduce((a, s) => a + s.notes.length, 0);
    expect(hits(2)).toBeGreaterThan(hits(0));
    expect(hits(-2)).toBeLessThan(hits(0));
  });

  it('a control applies at the next tick and is logged with that tick', () => {
    const g = new Generator(spec, { seed: 1 });
    run(g, 3);
    g.setTemperature(0.5);
    expect(g.temperature).toBe(1); // not yet
    g.tick();
    expect(g.temperature).toBe(0.5);
    expect(g.log.entries).toEqual([{ tick: 3, step: 3, control: { type: 'temperature', value: 0.5 } }]);
  });

  it('reseed starts a new random stream, and with reset the state starts over at the start event', () => {
    const ref = run(new Generator(spec, { seed: 1 }), 24);
    const g = new Generator(spec, { seed: 1 });
    run(g, 8);
    g.reseed(77);
    const seen = spyInputs(g);
    const cont = run(g, 16);
    // without reset the model goes on from what it played: it reads step 7's token
    expect(seen[0][0]).toBe(g.codec.eventFromNotes(ref[7].notes.map((n) => n.note))[0]);
    expect(notesOf(cont)).not.toEqual(notesOf(ref.slice(8)));
    g.reseed(5, { reset: true });
    const seen2 = spyInputs(g);
    g.tick();
    expect(seen2[0]).toEqual([0, 24 % 16]); // the start event, at the bar position of step 24
    const fresh = new Network(spec);
    fresh.step([0, 24 % 16]);
    expect(Array.from(g.net.logits[0])).toEqual(Array.from(fresh.logits[0]));
    expect(g.seed).toBe(5);
  });
});

describe('edit, lock, prime', () => {
  it('an edited step plays as written and the model reads it as its input', () => {
    const g = new Generator(spec, { seed: 4, lookahead: 8 });
    run(g, 5);
    const before = g.upcoming();
    g.edit(7, ['kick', 'closed-hat']);
    const seen = spyInputs(g);
    const out = run(g, 6);
    const s7 = out.find((s) => s.step === 7) as StepCopy;
    expect(s7.notes.map((n) => n.note).sort()).toEqual([36, 42]);
    // the regenerated step 8 was computed from the edited step 7 (token 0b101 at position 8)
    expect(seen.some((x) => x[0] === 0b101 && x[1] === 8)).toBe(true);
    expect(before.map((x) => x.step)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('an edit within the lookahead regenerates only what follows it', () => {
    const g = new Generator(spec, { seed: 12, lookahead: 8 });
    run(g, 4);
    const ahead = g.upcoming();
    g.edit(9, [38]);
    g.tick(); // applies the edit, plays step 4
    const now = g.upcoming();
    expect(now.filter((s) => s.step < 9)).toEqual(ahead.filter((s) => s.step > 4 && s.step < 9));
    expect(now.find((s) => s.step === 9)?.notes).toEqual([38]);
  });

  it('edits a range of steps, and undoes an edit', () => {
    const g = new Generator(spec, { seed: 4 });
    g.edit([2, 3, 4], []);
    g.edit(6, ['ride']);
    g.clearEdit(6);
    const out = run(g, 8);
    expect(out.slice(2, 5).every((s) => s.notes.length === 0)).toBe(true);
  });

  it('a locked voice plays exactly its pattern while the others vary with the seed', () => {
    const pattern = [1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0];
    const others = (seed: number) => {
      const g = new Generator(spec, { seed, temperature: 1.5 });
      g.lock('kick', { pattern });
      const out = run(g, 64);
      for (const s of out) expect(s.notes.some((n) => n.note === 36)).toBe(pattern[s.step % 16] === 1);
      return notesOf(out).map((n) => n.filter((x) => x !== 36));
    };
    expect(others(1)).not.toEqual(others(2));
  });

  it('lock without a pattern keeps what the voice played in the last bar; unlock frees it', () => {
    const g = new Generator(spec, { seed: 21, temperature: 1.2 });
    const bar = run(g, 16);
    const kick = bar.map((s) => (s.notes.some((n) => n.note === 38) ? 1 : 0));
    g.lock('snare');
    const held = run(g, 48);
    for (const s of held) expect(s.notes.some((n) => n.note === 38) ? 1 : 0).toBe(kick[s.step % 16]);
    g.unlock('snare');
    g.lock('kick', { pattern: new Array(16).fill(1), bars: 1 });
    const one = run(g, 32);
    expect(one.slice(0, 16).every((s) => s.notes.some((n) => n.note === 36))).toBe(true);
    expect(one.slice(16).every((s) => s.notes.some((n) => n.note === 36))).toBe(false);
  });

  it('prime feeds a phrase without playing it, from a bar line, and keeps its bar going up to the step it takes effect at', () => {
    const g = new Generator(spec, { seed: 3 });
    run(g, 20);
    const phrase = Array.from({ length: 16 }, (_, i) => [i % 4 === 0 ? 1 : i === 6 ? 2 : 0]);
    g.prime(phrase);
    const seen = spyInputs(g);
    const out = g.tick();
    // the phrase's 16 steps at their own places 0..15, then its first 4 again, up to step 20
    const read = [...phrase, ...phrase.slice(0, 4)];
    expect(seen.slice(0, 20).map((x) => x[1])).toEqual(Array.from({ length: 20 }, (_, i) => i % 16));
    expect(seen.slice(1, 20).map((x) => x[0])).toEqual(read.slice(0, 19).map((e) => e[0]));
    expect(seen[20]).toEqual([read[19][0], 20 % 16]);
    expect(out.step).toBe(20);
    // from a zero state: a fresh network reading the same inputs gives the same logits
    const net = new Network(spec);
    for (const x of seen) net.step(x);
    expect(Array.from(g.net.logits[0])).toEqual(Array.from(net.logits[0]));
  });

  it('primes from a MIDI song and from a random event', () => {
    const g = new Generator(spec, { seed: 3 });
    g.prime({ file: 'p.mid', format: 0, ticksPerQuarter: 480, notes: [{ tick: 0, note: 36, velocity: 100, channel: 9, durationTicks: 60, track: 0 }, { tick: 480, note: 38, velocity: 100, channel: 9, durationTicks: 60, track: 0 }], tempos: [], timeSignatures: [], trackNames: [], endTick: 600 });
    g.primeRandom();
    expect(run(g, 4)).toHaveLength(4);
    expect(g.log.entries.map((e) => e.control.type)).toEqual(['prime', 'primeRandom']);
  });
});

describe('snapshot, fork, history, replay', () => {
  it('restore returns to the exact same future; fork continues independently', () => {
    const g = new Generator(spec, { seed: 31, lookahead: 6 });
    run(g, 9);
    g.lock('kick', { pattern: new Array(16).fill(0) });
    const snap = g.snapshot();
    const f = g.fork();
    const a = run(g, 25);
    g.restore(snap);
    const b = run(g, 25);
    expect(b).toEqual(a);
    expect(run(f, 25)).toEqual(a);
  });

  it('history holds the last played steps and the lookahead steps ahead', () => {
    const g = new Generator(spec, { seed: 2, lookahead: 8, historyLength: 16 });
    const out = run(g, 40);
    const h = g.played();
    expect(h.map((s) => s.step)).toEqual(Array.from({ length: 16 }, (_, i) => 24 + i));
    expect(h).toEqual(out.slice(24));
    expect(g.upcoming().map((s) => s.step)).toEqual(Array.from({ length: 8 }, (_, i) => 40 + i));
  });

  it('replay reproduces a performance note for note, through JSON', () => {
    const opts = { seed: 42, temperature: 0.9, lookahead: 4 };
    const g = new Generator(spec, opts);
    const played: StepCopy[] = [];
    const play = (n: number) => played.push(...run(g, n));
    play(5);
    g.setTemperature(1.4);
    g.setDensity(0.8);
    play(3);
    g.edit(g.step + 2, ['snare', 'crash']);
    g.lock('kick', { pattern: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0] });
    play(6);
    g.pause();
    play(3);
    g.resume();
    g.reseed(7);
    play(4);
    g.mute();
    play(2);
    g.unmute();
    g.setTopP(0.8);
    g.prime([[1], [0], [4], [0]]);
    play(10);
    g.unlock();
    g.reset();
    play(8);
    const log = JSON.parse(JSON.stringify(g.log));
    const again = new Generator(spec, log.options).replay(log);
    expect(again).toEqual(played);
    expect(played.reduce((a, s) => a + s.notes.length, 0)).toBeGreaterThan(10);
  });

  it('a tick allocates nothing in steady state', async () => {
    // V8's sampling heap profiler, counting objects already collected too, attributes every
    // allocation to the function that made it: none may come from our code
    const g = new Generator(spec, { seed: 1, lookahead: 8, density: 0.3 });
    g.lock('kick', { pattern: new Array(16).fill(0).map((_, i) => (i % 4 === 0 ? 1 : 0)) });
    for (let i = 0; i < 20000; i++) g.tick(); // warm up: pools grow, code optimizes
    const head = await sampledWhile(() => {
      for (let i = 0; i < 20000; i++) g.tick();
    });
    const ours: string[] = [];
    const walk = (n: ProfileNode) => {
      if (n.selfSize > 0 && /\/src\//.test(n.callFrame.url)) ours.push(`${n.selfSize} B in ${n.callFrame.functionName} (${n.callFrame.url.split('/src/')[1]}:${n.callFrame.lineNumber + 1})`);
      for (const c of n.children) walk(c);
    };
    walk(head);
    // one 16-byte object per tick would show as 320,000 bytes; allow under one byte per tick
    // for the engine's own rare events (a deoptimization re-recording type feedback)
    const total = ours.reduce((a, s) => a + parseInt(s, 10), 0);
    expect(total, ours.join('\n')).toBeLessThan(20000);
  });
});

describe('bad control values are clear errors that change nothing', () => {
  const cases: [string, (g: Generator) => void, RegExp][] = [
    ['NaN temperature', (g) => g.setTemperature(NaN), /^temperature: NaN is not allowed; give a number from 0 \(always the likeliest\) to 2 \(wildest\)$/],
    ['negative temperature', (g) => (g.temperature = -1), /^temperature: -1 is out of range; give a number from 0/],
    ['top-p 0', (g) => g.setTopP(0), /^topP: 0 is out of range; give a number above 0 \(only the likeliest\), up to 1 \(everything\)$/],
    ['top-p 2', (g) => g.setTopP(2), /^topP: 2 is out of range/],
    ['temperature above the table', (g) => g.setTemperature(2.5), /^temperature: 2.5 is out of range/],
    ['negative seed', (g) => g.reseed(-3), /^seed: -3 is out of range; give a whole number from 0 to 4294967295$/],
    ['density Infinity', (g) => g.setDensity(Infinity), /density: .* is not allowed/],
    ['seed 1.5', (g) => g.reseed(1.5), /seed: 1.5 is not allowed/],
    ['unknown voice', (g) => g.lock('cowbell'), /unknown voice "cowbell"; voices are kick, snare/],
    ['bad pattern', (g) => g.lock('kick', { pattern: [1, 0] }), /pattern must list 16 steps of 0\/1/],
    ['edit of a past step', (g) => g.edit(2, ['kick']), /edit: step 2 has already played \(the next step is 6\)/],
    ['edit with a non-drum note', (g) => g.edit(9, [100]), /note 100 is not a drum/],
    ['temperature of an unknown head', (g) => g.setTemperature(1, 'tick'), /unknown head "tick"; heads are token/],
    ['prime with a bad token', (g) => g.prime([[600]]), /token 600 of head 'token' is outside 0\.\.511/],
    ['a string temperature (from a REPL)', (g) => g.setTemperature('hot' as unknown as number), /^temperature: "hot" is not allowed/],
  ];
  for (const [name, act, msg] of cases) {
    it(name, () => {
      const g = new Generator(spec, { seed: 5, lookahead: 4 });
      const ref = new Generator(spec, { seed: 5, lookahead: 4 });
      run(g, 6);
      run(ref, 6);
      expect(() => act(g)).toThrow(msg);
      expect(run(g, 20)).toEqual(run(ref, 20));
      expect(g.log.entries).toEqual([]);
    });
  }

  it('constructor options are checked too', () => {
    expect(() => new Generator(spec, { temperature: -2 })).toThrow(/temperature/);
    expect(() => new Generator(spec, { lookahead: -1 })).toThrow(/lookahead: -1 is not allowed/);
    // one range for density, at construction as live
    expect(() => new Generator(spec, { density: 1e9 })).toThrow(/^density: 1000000000 is out of range; give a number from -4 \(fewer notes\) to 4 \(more notes\)$/);
    expect(() => new Generator(spec, { drumNotes: [1, 2] })).toThrow(/drum notes must be 9 MIDI notes/);
  });
});

describe('other encodings through the same Generator', () => {
  it('melody: held notes last until a rest or the next note', () => {
    const g = new Generator(melodySpec(2), { seed: 3, temperature: 1.3 });
    const out = run(g, 200);
    let sounding = -1;
    let ons = 0;
    for (const s of out) {
      for (const r of s.releases) {
        expect(r.note).toBe(sounding);
        sounding = -1;
      }
      for (const n of s.notes) {
        expect(sounding).toBe(-1); // the previous note was released first
        expect(n.length).toBe(Infinity);
        expect(n.note >= 60 && n.note <= 71).toBe(true);
        sounding = n.note;
        ons++;
      }
    }
    expect(ons).toBeGreaterThan(10);
    g.pause();
    const p = g.tick();
    if (sounding >= 0) expect(p.releases.slice(0, p.releaseCount).map((r) => r.note)).toEqual([sounding]);
  });

  it('Howl-style events land on the pulse grid at their own offsets, with their durations and velocities', () => {
    const s = howlSpec(4);
    const g = new Generator(s, { seed: 6 });
    const out = run(g, 64);
    const codec = codecFor(s);
    const events = sampleEvents(new Network(s), codec, 400, new Rng(6), {});
    const expected = codec.toNotes(events).filter((n) => n.tick < 64 * 6);
    const got = out.flatMap((st) => st.notes.map((n) => ({ tick: Math.round((st.step + n.offset) * 6), note: n.note, velocity: n.velocity, durationTicks: Math.round(n.length * 6) })));
    expect(got).toEqual(expected.map(({ tick, note, velocity, durationTicks }) => ({ tick, note, velocity, durationTicks })));
    expect(got.length).toBeGreaterThan(20);
    for (const st of out) for (const n of st.notes) expect(n.offset >= 0 && n.offset < 1).toBe(true);
  });

  it('an event model plays an edited step as written and continues after it', () => {
    const g = new Generator(howlSpec(4), { seed: 6, lookahead: 2 });
    run(g, 3);
    g.edit(6, [64, 67]);
    const out = run(g, 12);
    const s6 = out.find((s) => s.step === 6) as StepCopy;
    expect(s6.notes.map((n) => n.note)).toEqual([64, 67]);
    expect(s6.notes.every((n) => n.offset === 0)).toBe(true);
    expect(out.filter((s) => s.step > 6).some((s) => s.notes.length > 0)).toBe(true);
  });

  it('an event model keeps out of steps edited to silence, and plays the edited notes after them', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const g = new Generator(howlSpec(4), { seed, density: 2 });
      g.edit([4, 5, 6, 7, 8, 9], []);
      g.edit(10, [72]);
      const out = run(g, 16);
      expect(out.slice(4, 10).every((s) => s.notes.length === 0)).toBe(true);
      expect(out[10].notes.map((n) => [n.note, n.offset])).toEqual([[72, 0]]);
    }
  });

  it.skipIf(!haveShared('fixtures/rnn-drummer'))('the RNN-Drummer plays through the Generator on the pulse grid (480 ticks per quarter)', async () => {
    const s = await loadModelSpec(sharedPath('fixtures/rnn-drummer'));
    const g = new Generator(s, { seed: 10 });
    const out = run(g, 64);
    const codec = codecFor(s);
    const events = sampleEvents(new Network(s), codec, 600, new Rng(10), {});
    const expected = codec.toNotes(events).filter((n) => n.tick < 64 * 120);
    const got = out.flatMap((st) => st.notes.map((n) => ({ tick: Math.round((st.step + n.offset) * 120), note: n.note, channel: n.channel })));
    expect(got).toEqual(expected.map(({ tick, note, channel }) => ({ tick, note, channel })));
    expect(got.length).toBeGreaterThan(30);
    expect(() => g.lock('kick')).toThrow(/no voices to lock/);
    expect(JSON.parse(readFileSync(sharedPath('fixtures/rnn-drummer/reference.json'), 'utf8')).index2note).toContain(36);
  });
});

describe('options', () => {
  it('steps per bar: a drum model trained in 4/4 plays 3/4 positions', () => {
    const g = new Generator(spec, { seed: 2, stepsPerBar: 12 });
    const seen = spyInputs(g);
    run(g, 14);
    expect(seen.map((x) => x[1])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1]);
    expect(() => new Generator(spec, { stepsPerBar: 17 })).toThrow(/steps per bar must be a whole number from 1 to 16 for this model, got 17/);
  });

  it('reseed can restart and re-prime in one go', () => {
    const g = new Generator(spec, { seed: 2 });
    run(g, 4);
    g.reseed(9, { reset: true, prime: [[1], [0], [4], [0]] });
    g.tick();
    expect(g.log.entries.map((e) => e.control.type)).toEqual(['seed', 'prime']);
    expect(g.seed).toBe(9);
  });
});

describe('locate', () => {
  it('the next tick plays the located step, reading its bar position; the state goes on', () => {
    const g = new Generator(spec, { seed: 2, lookahead: 4 });
    run(g, 5);
    g.locate(32 + 9);
    const seen = spyInputs(g);
    const out = run(g, 3);
    expect(out.map((s) => s.step)).toEqual([41, 42, 43]);
    expect(seen[0][1]).toBe(41 % 16);
    expect(g.log.entries.at(-1)?.control).toEqual({ type: 'locate', step: 41 });
    expect(() => g.locate(-1)).toThrow(/^locate: step: -1 is out of range; give a whole number from 0/);
  });
});

describe('priming an event model', () => {
  it('counts the next delay from the phrase’s last note and never plays before the current step', () => {
    const s = howlSpec(7);
    const g = new Generator(s, { seed: 2 });
    const seen = spyInputs(g);
    run(g, 16);
    // pitch 64, delays 6 (one step) apart: the phrase spans 16 steps (a bar), last note at step 3
    const phrase = [0, 1, 1, 1].map((d) => [2, d === 0 ? 0 : 2, 1, 1]);
    g.prime(phrase, { steps: 16 });
    const out = run(g, 16);
    expect(seen.length).toBeGreaterThan(4);
    const first = out.find((st) => st.notes.length > 0) as StepCopy;
    expect(first.step).toBeGreaterThanOrEqual(16);
    const log = g.log.entries.find((e) => e.control.type === 'prime')?.control as { steps: number };
    expect(log.steps).toBe(16);
    expect(() => g.prime(phrase, { steps: 0 })).toThrow(/steps: 0 is not allowed/);
  });
});
