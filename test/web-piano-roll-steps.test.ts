// What the page's piano roll draws and writes, in Node: the pitches sounding through each step
// from the notes and releases a Generator played and will play (a held note through every step
// until its release, a note of known length for its steps), steps written ahead as written, and
// the notes a click writes (a melody: one pitch or a rest; a chord: the set toggled).
import { describe, expect, it } from 'vitest';
import { Generator } from '../src/music/generator.js';
import { pianoRollCodec } from '../src/music/piano-roll-codec.js';
import { pitchRange, rollSteps, toggledStep } from '../src/hosts/web/piano-roll-steps.js';
import { melodySpec } from './helpers/models.js';

const note = (n: number, length = Infinity) => ({ note: n, velocity: 90, channel: 0, length, offset: 0 });
const step = (s: number, notes: ReturnType<typeof note>[], releases: number[] = []) => ({ step: s, notes, releases: releases.map((r) => ({ note: r, channel: 0, offset: 0 })) });

describe('rollSteps', () => {
  it('holds a note from its strike to its release, across the steps played and those ahead', () => {
    const played = [step(0, [note(60)]), step(1, []), step(2, [note(64)], [60])];
    const ahead = [step(3, []), step(4, [], [64]), step(5, [note(67, 2)]), step(7, [])];
    const roll = rollSteps(played, ahead, [], 3);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((s) => roll.get(s)?.sounding ?? null)).toEqual([[60], [60], [64], [64], [], [67], null, []]);
    expect(roll.get(2)?.onsets).toEqual([64]);
    expect(roll.get(1)?.onsets).toEqual([]);
    expect([roll.get(2)?.upcoming, roll.get(3)?.upcoming]).toEqual([false, true]);
  });

  it('shows a step written ahead as written: pitches, a hold of what sounds before it, a rest', () => {
    const played = [step(0, [note(60)])];
    const ahead = [step(1, []), step(2, []), step(3, [])];
    const roll = rollSteps(played, ahead, [{ step: 1, notes: ['hold'] }, { step: 2, notes: [62] }, { step: 3, notes: ['rest'] }], 1);
    expect([1, 2, 3].map((s) => roll.get(s)?.sounding)).toEqual([[60], [62], []]);
    expect([1, 2, 3].every((s) => roll.get(s)?.edited)).toBe(true);
  });

  it("draws a melody Generator's steps as its notes sound", () => {
    const gen = new Generator(melodySpec(4), { seed: 3, lookahead: 8 });
    for (let i = 0; i < 24; i++) gen.tick();
    const roll = rollSteps(gen.played(), gen.upcomingNotes(), gen.edits, gen.step);
    let sounding: number | null = null;
    for (const s of gen.played()) {
      if (s.releases.some((r) => r.note === sounding)) sounding = null;
      if (s.notes.length) sounding = s.notes[0].note;
      expect(roll.get(s.step)?.sounding, `step ${s.step}`).toEqual(sounding === null ? [] : [sounding]);
    }
    expect([...roll.keys()].filter((s) => s >= gen.step)).toHaveLength(8);
  });
});

describe('toggledStep', () => {
  it('a melody: another pitch replaces what sounds, the one sounding rests', () => {
    const melody = { name: 'melody-grid' };
    expect(toggledStep(melody, [60], 64)).toEqual([64]);
    expect(toggledStep(melody, [60], 60)).toEqual(['rest']);
    expect(toggledStep(melody, [], 62)).toEqual([62]);
  });

  it('a chord: the pitch joins or leaves the set, which the codec reads back as that chord', () => {
    const codec = pianoRollCodec({ stepsPerQuarter: 1 });
    expect(toggledStep(codec, [60, 67], 64)).toEqual([60, 64, 67]);
    expect(toggledStep(codec, [60, 64, 67], 64)).toEqual([60, 67]);
    expect(codec.notesOf(codec.eventFromNotes(toggledStep(codec, [48, 55], 52)))).toEqual([48, 52, 55]);
  });
});

describe('pitchRange', () => {
  it("is the model's range, else the piano's keys", () => {
    expect(pitchRange({ minPitch: 48, maxPitch: 84 })).toEqual({ low: 48, high: 84 });
    expect(pitchRange({ lowestKey: 21 })).toEqual({ low: 21, high: 108 });
    expect(pitchRange({ minPitch: 90, maxPitch: 10 })).toEqual({ low: 21, high: 108 });
  });
});
