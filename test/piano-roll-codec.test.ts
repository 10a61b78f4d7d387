// The piano-roll (chord) codec and a chord model in the Generator: hold vs re-strike, reading
// MIDI into frames, edits the model hears, density, replay, fork, and no key left sounding
// whatever the performer or the transport does (through the Player, with the MIDI file
// recorder and a sink that tracks every key).
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi } from '../src/io/midi-write.js';
import { MidiRecorder } from '../src/io/recorder.js';
import type { NoteSink } from '../src/io/sink.js';
import { codecFor } from '../src/music/codecs.js';
import type { NoteTarget } from '../src/music/codec.js';
import { Generator, copyStep, type StepCopy } from '../src/music/generator.js';
import { LOWEST_KEY, pianoRollCodec } from '../src/music/piano-roll-codec.js';
import { sampleEvents } from '../src/music/sample-events.js';
import { scoreEvents } from '../src/music/score.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { Player } from '../src/time/player.js';
import { pulsesPerStep } from '../src/hosts/replay.js';
import { FakeTime } from './helpers/fake-time.js';
import { ourAllocations, sampledWhile } from './helpers/heap-sampling.js';
import { randomSpec } from './helpers/models.js';

/** A small chord model with random weights: the previous frame in, 88 Bernoulli keys out, sparse (bias −2.5). */
export function chordSpec(seed = 1, stepsPerQuarter = 1): ModelSpec {
  const base = randomSpec({ seed, scale: 0.8, inputs: [{ kind: 'vector', name: 'keys', size: 88 }], heads: [{ name: 'keys', size: 88 }], meta: { encoding: 'piano-roll', stepsPerQuarter } });
  const h = base.heads[0];
  return { ...base, heads: [{ ...h, bernoulli: true, layers: [{ ...h.layers[0], activation: 'linear', bias: new Float32Array(88).fill(-2.5) }] }] };
}

const frame = (...pitches: number[]) => pianoRollCodec().eventFromNotes(pitches);

/** A NoteTarget that writes down what the codec sounds. */
function recordingTarget() {
  const calls: string[] = [];
  const target: NoteTarget = {
    noteOn: (note, _v, _c, length) => calls.push(`on ${note}${length === Infinity ? '' : ` ${length}`}`),
    release: (note) => calls.push(`off ${note}`),
  };
  return { calls, target };
}

/** A sink that knows which keys sound and since when: a note-on holds its key until its note-off or an all-notes-off. */
class Keys implements NoteSink {
  readonly held = new Map<number, number>();
  ons = 0;
  noteOn(note: number, _v: number, _c: number, time: number, duration: number) {
    this.ons++;
    if (duration === Infinity) this.held.set(note, time);
  }
  noteOff(note: number) {
    this.held.delete(note);
  }
  allNotesOff() {
    this.held.clear();
  }
}

describe('piano-roll codec', () => {
  it('holds a key sounding in consecutive steps and strikes only what changes', () => {
    const codec = pianoRollCodec();
    const state = { sounding: -1, keys: new Uint8Array(128) };
    const { calls, target } = recordingTarget();
    for (const e of [frame(60, 64, 67), frame(60, 64, 67), frame(60, 65, 69), frame()]) codec.play(e, 0, state, target);
    expect(calls).toEqual(['on 60', 'on 64', 'on 67', 'off 64', 'off 67', 'on 65', 'on 69', 'off 60', 'off 65', 'off 69']);
    expect(state.keys.every((k) => k === 0)).toBe(true);
  });

  it('reads MIDI into frames: a sustained note sounds in every frame it covers; the drum channel is skipped', () => {
    const bytes = writeMidi({
      ticksPerQuarter: 96,
      notes: [
        { tick: 0, note: 48, velocity: 90, channel: 0, durationTicks: 96 * 3 }, // three quarters
        { tick: 96, note: 64, velocity: 90, channel: 1, durationTicks: 90 }, // one quarter (ends near the line)
        { tick: 0, note: 36, velocity: 100, channel: 9, durationTicks: 10 }, // a kick: not a key of the roll
        { tick: 96 * 3, note: 120, velocity: 90, channel: 0, durationTicks: 96 }, // above the piano: an octave down
      ],
    });
    const { events, warnings } = pianoRollCodec({ stepsPerQuarter: 1 }).fromSong(readMidi(bytes, 'c.mid'));
    const codec = pianoRollCodec({ stepsPerQuarter: 1 });
    expect(events.map((e) => codec.notesOf(e))).toEqual([[48], [48, 64], [48], [108]]);
    expect(warnings.join()).toMatch(/c\.mid: 1 note\(s\) moved by octaves onto the piano/);
    // back to notes: one note per run of frames
    const notes = codec.toNotes(events).map((n) => [n.tick, n.note, n.durationTicks]);
    expect(notes).toEqual([
      [0, 48, 1440],
      [480, 64, 480],
      [1440, 108, 480],
    ]);
    expect(codec.grid(events).split('\n')).toEqual(['108        ...x', '64         .x..', '48         x--.']);
  });

  it('takes a chord of pitch numbers, [] or "rest" for a rest, and refuses what is not a piano key, naming it', () => {
    const codec = pianoRollCodec();
    expect(codec.notesOf(codec.eventFromNotes([60, 64, 67]))).toEqual([60, 64, 67]);
    expect(codec.notesOf(codec.eventFromNotes([]))).toEqual([]);
    expect(codec.notesOf(codec.eventFromNotes(['rest']))).toEqual([]);
    expect(() => codec.eventFromNotes([200])).toThrow(/a chord step holds piano keys, MIDI 21\.\.108 \(or 'rest'\); 200 is not one/);
    expect(() => codec.eventFromNotes(['kick'])).toThrow(/"kick" is not one/);
    expect(() => pianoRollCodec({ stepsPerQuarter: 5 })).toThrow(/steps per quarter must divide the clock's 24 pulses/);
  });

  it('takes its steps per quarter from the model: a JSB model steps once a quarter, 24 clock pulses a step', () => {
    const codec = codecFor(chordSpec(1, 1));
    expect(codec.name).toBe('piano-roll');
    expect(codec.ticksPerStep).toBe(codec.ticksPerQuarter);
    expect(codec.stepsPerBar).toBe(4);
    expect(pulsesPerStep(codec)).toBe(24);
    expect(pulsesPerStep(codecFor(chordSpec(1, 2)))).toBe(12);
  });
});

describe('a chord model in the Generator', () => {
  it('plays an edited chord, and the model reads it as the next input', () => {
    const ahead = new Generator(chordSpec(2), { seed: 5, lookahead: 4 });
    ahead.tick();
    ahead.edit(2, [60, 64, 67]);
    ahead.tick();
    expect(ahead.upcoming().find((u) => u.step === 2)?.notes).toEqual([60, 64, 67]);
    const gen = new Generator(chordSpec(2), { seed: 5 });
    gen.tick();
    gen.edit(2, [60, 64, 67]);
    gen.edit(3, []);
    gen.tick();
    gen.tick();
    const three = copyStep(gen.tick());
    // the network read step 2's chord before drawing step 3: its input is C, E, G
    expect(Array.from(gen.net.vectors[0] as Float32Array)).toEqual(frame(60, 64, 67));
    expect(three.notes).toEqual([]);
    expect(three.releases.map((r) => r.note)).toEqual(expect.arrayContaining([60, 64, 67]));
  });

  it('density shifts every key: more keys sound above 0, fewer below; temperature 0 plays the likeliest keys', () => {
    const keysAt = (density: number) => {
      const gen = new Generator(chordSpec(3), { seed: 1, density });
      let on = 0;
      for (let i = 0; i < 200; i++) {
        gen.tick();
        on += (gen.net.vectors[0] as Float32Array).reduce((a, b) => a + b, 0);
      }
      return on / 200;
    };
    const thin = keysAt(-2);
    const mid = keysAt(0);
    const thick = keysAt(2);
    expect(thin).toBeLessThan(mid);
    expect(thick).toBeGreaterThan(mid * 2);
    const cold = new Generator(chordSpec(3), { seed: 1, temperature: 0 });
    const again = new Generator(chordSpec(3), { seed: 99, temperature: 0 });
    for (let i = 0; i < 8; i++) expect(copyStep(cold.tick()).notes).toEqual(copyStep(again.tick()).notes);
  });

  it('replays its log note for note, and a fork goes on as the original does (held keys too)', () => {
    const gen = new Generator(chordSpec(4), { seed: 8, lookahead: 3 });
    const live: StepCopy[] = [];
    for (let i = 0; i < 40; i++) {
      if (i === 5) gen.edit(7, [48, 55, 64]);
      if (i === 9) gen.setTemperature(1.4);
      if (i === 12) gen.pause();
      if (i === 14) gen.resume();
      if (i === 18) gen.setDensity(1);
      if (i === 22) gen.reseed(3, { reset: true });
      if (i === 26) gen.mute();
      if (i === 28) gen.unmute();
      if (i === 30) gen.locate(100);
      live.push(copyStep(gen.tick()));
    }
    const again = new Generator(chordSpec(4), { seed: 8, lookahead: 3 });
    expect(again.replay(gen.log)).toEqual(live);
    const fork = gen.fork();
    for (let i = 0; i < 12; i++) expect(copyStep(fork.tick())).toEqual(copyStep(gen.tick()));
  });

  it('scores and samples offline through the key head, as the Generator draws', () => {
    const spec = chordSpec(5);
    const codec = codecFor(spec);
    const events = sampleEvents(new Network(spec), codec, 16, new Rng(2));
    expect(events.every((e) => e.length === 88 && e.every((b) => b === 0 || b === 1))).toBe(true);
    const s = scoreEvents(new Network(spec), codec, events);
    expect(s.perStep).toHaveLength(16);
    expect(s.total).toBeLessThan(0);
    // a dense draw scores worse than a sparse model's own draws
    const dense = events.map(() => new Array<number>(88).fill(1));
    expect(scoreEvents(new Network(spec), codec, dense).total).toBeLessThan(s.total);
  });

  it('ticks without allocating', async () => {
    const gen = new Generator(chordSpec(6), { seed: 2, lookahead: 8, density: 0.5 });
    const ticks = (n: number) => {
      for (let i = 0; i < n; i++) gen.tick();
    };
    // compiled code and the history ring's note objects are made in the first thousands of ticks
    ticks(20000);
    const head = await sampledWhile(() => ticks(20000));
    const allocations = ourAllocations(head);
    const bytes = allocations.reduce((a, x) => a + x.bytes, 0);
    expect(bytes, allocations.map((a) => `${a.bytes} at ${a.stack}`).join('\n')).toBeLessThan(20000);
  }, 300_000);
});

describe('no key left sounding', () => {
  /** A chord model on the internal clock (fake time) into a key tracker and the MIDI file recorder. */
  function setup(seed = 7) {
    const gen = new Generator(chordSpec(seed), { seed });
    const ft = new FakeTime(0);
    const clock = new InternalClock({ bpm: 240, pulsesPerStep: pulsesPerStep(gen.codec), now: ft.now, timers: ft.timers });
    const keys = new Keys();
    const rec = new MidiRecorder({ now: ft.now });
    const player = new Player(clock, gen, [keys, rec]);
    clock.start();
    ft.advance(3); // 12 quarter-note steps
    expect(keys.ons).toBeGreaterThan(0);
    return { gen, ft, clock, keys, rec, player };
  }

  const CHORD = [48, 60, 64, 67];
  /** The chord from `from` for `n` steps. */
  const hold = (gen: Generator, from: number, n: number) => {
    for (let k = 0; k < n; k++) gen.edit(from + k, CHORD);
  };
  const paths: [string, (s: ReturnType<typeof setup>) => void][] = [
    ['pause', (s) => s.gen.pause()],
    ['mute', (s) => s.gen.mute()],
    ['stop', (s) => s.clock.stop()],
    ['quit', (s) => s.player.dispose()],
    ['reset', (s) => s.gen.reset()],
    ['reseed with reset', (s) => s.gen.reseed(11, { reset: true })],
    ['locate (a song position, or steps lost in a dropout)', (s) => (s.clock.locate(40), hold(s.gen, 40, 8))],
    ['a recall of a slot', (s) => s.gen.recall(1, 'now')],
  ];

  for (const [name, act] of paths) {
    it(`${name}: every key held before it is released (and struck again if the chord goes on)`, () => {
      const s = setup();
      // a chord held across the moment, so something is sounding when it comes
      s.gen.store(1);
      hold(s.gen, s.gen.step, 12);
      s.ft.advance(0.5);
      for (const k of CHORD) expect(s.keys.held.has(k)).toBe(true);
      const at = s.ft.now();
      act(s);
      s.ft.advance(0.6);
      const silent = name === 'pause' || name === 'mute' || name === 'stop' || name === 'quit';
      if (silent) expect([...s.keys.held.keys()]).toEqual([]);
      const stuck = [...s.keys.held].filter(([, since]) => since < at).map(([k]) => k);
      expect(stuck, `${name}: keys held since before it`).toEqual([]);
      // the recording ends every note it began
      s.rec.close();
      expect(s.rec.song().notes.length).toBeGreaterThan(0);
    });
  }

  it('a chord held through a stop sounds again when the clock continues', () => {
    const s = setup();
    hold(s.gen, s.gen.step, 40);
    s.ft.advance(0.5);
    s.clock.stop();
    s.ft.advance(0.6);
    expect([...s.keys.held.keys()]).toEqual([]);
    s.clock.continue();
    s.ft.advance(0.6);
    expect([...s.keys.held.keys()].sort((a, b) => a - b)).toEqual(CHORD);
  });

  it('a chord held through a mute sounds again at unmute', () => {
    const gen = new Generator(chordSpec(13), { seed: 2 });
    for (let s = 0; s < 8; s++) gen.edit(s, [48, 60, 64, 67]);
    gen.tick();
    gen.mute();
    gen.tick();
    gen.tick();
    gen.unmute();
    const back = copyStep(gen.tick());
    expect(back.notes.map((n) => n.note)).toEqual([48, 60, 64, 67]);
  });

  it('keys released by the Generator itself on pause, mute and locate (a host without all-notes-off)', () => {
    for (const act of [(g: Generator) => g.pause(), (g: Generator) => g.mute(), (g: Generator) => g.locate(64)]) {
      const gen = new Generator(chordSpec(9), { seed: 9 });
      gen.edit(0, [LOWEST_KEY, 60, 108]);
      gen.tick();
      act(gen);
      expect(copyStep(gen.tick()).releases.map((r) => r.note).sort((a, b) => a - b)).toEqual(expect.arrayContaining([21, 60, 108]));
    }
  });
});

describe('locks on a chord part', () => {
  /** The keys each generator holds, across calls. */
  const held = new WeakMap<Generator, Set<number>>();
  /** The frames a generator plays for `n` steps, as the pitches sounding. */
  const sounding = (gen: Generator, n: number) => {
    const on = held.get(gen) ?? new Set<number>();
    held.set(gen, on);
    return Array.from({ length: n }, () => {
      const r = gen.tick();
      for (let i = 0; i < r.releaseCount; i++) on.delete(r.releases[i].note);
      for (let i = 0; i < r.count; i++) on.add(r.notes[i].note);
      return [...on].sort((a, b) => a - b);
    });
  };

  it("lock('C4') keeps the row as the last bar played it while the model draws the other keys", () => {
    const gen = new Generator(chordSpec(10, 1), { seed: 3, density: 1 });
    gen.edit(0, [60, 64]);
    gen.edit(1, [60, 67]);
    gen.edit(2, [55]);
    gen.edit(3, [48]);
    sounding(gen, 4);
    gen.lock('C4');
    const bars = sounding(gen, 12);
    bars.forEach((f, s) => expect(f.includes(60), `step ${4 + s}`).toBe(s % 4 < 2));
    expect(new Set(bars.map((f) => f.join())).size).toBeGreaterThan(2); // the other keys move
    expect(gen.locks).toEqual([{ voice: '60', pattern: [1, 1, 0, 0], from: 4, until: null }]);
    gen.unlock(60);
    gen.lock(72, { pattern: [0, 1, 0, 1] });
    sounding(gen, 1);
    sounding(gen, 8).forEach((f, s) => expect(f.includes(72)).toBe((s + 1) % 2 === 0 ? false : true));
  });

  it("lock('chords') plays the last bar of chords again, bar after bar, until unlocked", () => {
    const gen = new Generator(chordSpec(11, 1), { seed: 4, density: 1 });
    const bar = sounding(gen, 4);
    gen.lock('chords', { bars: 2 });
    expect(sounding(gen, 8)).toEqual([...bar, ...bar]);
    expect(gen.locks).toEqual([]);
    expect(sounding(gen, 8)).not.toEqual([...bar, ...bar]);
  });

  it('refuses what a chord part cannot lock, naming it', () => {
    const gen = new Generator(chordSpec(12, 1), { seed: 1 });
    expect(() => gen.lock('kick')).toThrow(/a chord part locks a pitch row .* or 'chords' \(the whole part\), got "kick"/);
    expect(() => gen.lock(10)).toThrow(/MIDI 21\.\.108/);
    expect(() => gen.lock('chords', { pattern: [1, 0, 1, 0] })).toThrow(/'chords' keeps the part's chords as the last bar played them; a pattern is for one pitch row/);
    expect(() => gen.setVelocityScale('C4', 0.5)).toThrow(/piano-roll models have no voices/);
  });
});
