// `generate` and `score` read an expressive drum model the way the live Generator and the
// trainer do: the codec's inputs (past velocities and offsets, the hits one and two bars back)
// give the trainer's scores to the last digit, and sampling offline draws each hit's bins from
// heads conditioned on the token drawn.
import { describe, expect, it } from 'vitest';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { codecFor } from '../src/music/codecs.js';
import { NO_BIN, OBIN, VBIN } from '../src/music/expressive-grid.js';
import { sampleEvents } from '../src/music/sample-events.js';
import { scoreEvents } from '../src/music/score.js';
import { DrumHits } from '../src/train/expressive-data.js';
import { scoreExpressive } from '../src/train/expressive-task.js';
import { drumClassOf } from '../src/music/drum-map.js';
import { expressiveSpec } from './helpers/models.js';

// three bars and a half of a groove with ghost notes and a push, so lookback and expression inputs matter
function groove(): NoteOut[] {
  const notes: NoteOut[] = [];
  for (let s = 0; s < 56; s++) {
    const t = s * 120;
    if (s % 8 === 0) notes.push({ tick: t + 7, note: 36, velocity: 110, channel: 9, durationTicks: 60 });
    if (s % 8 === 4) notes.push({ tick: Math.max(0, t - 11), note: 38, velocity: 96, channel: 9, durationTicks: 60 });
    if (s % 4 === 3) notes.push({ tick: t + 3, note: 38, velocity: 28 + s, channel: 9, durationTicks: 60 });
    if (s % 2 === 0) notes.push({ tick: t + (s % 3) * 9, note: 42, velocity: 60 + (s % 5) * 12, channel: 9, durationTicks: 60 });
  }
  return notes;
}

describe('an expressive drum model offline', () => {
  const spec = expressiveSpec(3, 0.8);
  const codec = codecFor(spec);
  const song = readMidi(writeMidi({ ticksPerQuarter: 480, notes: groove() }), 'groove.mid');

  it('score (the codec’s inputs) gives the trainer’s NLL of every head on the same performance', () => {
    const events = codec.fromSong(song).events;
    const hits = new DrumHits(120, 125);
    for (const n of song.notes) hits.add(n.tick, drumClassOf(n.note), n.velocity);
    const perf = { file: 'groove.mid', ...hits.finish() };
    expect(events.length).toBe(perf.tokens.length);
    const net = new Network(spec);
    const trainer = scoreExpressive(net, [perf]);
    const offline = scoreEvents(net, codec, events);
    const n = events.length;
    expect(-offline.perHead[0] / n).toBeCloseTo(trainer.hits, 5);
    expect(-offline.perHead[1] / n).toBeCloseTo(trainer.velocity, 5);
    expect(-offline.perHead[2] / n).toBeCloseTo(trainer.offset, 5);
  });

  it('generate draws a bin for every voice hit and none for the rest, the same for the same seed', () => {
    const a = sampleEvents(new Network(spec), codec, 64, new Rng(5));
    const b = sampleEvents(new Network(spec), codec, 64, new Rng(5));
    expect(a).toEqual(b);
    let hits = 0;
    for (const e of a) {
      for (let c = 0; c < 9; c++) {
        const hit = (e[0] & (1 << c)) !== 0;
        hits += +hit;
        expect(e[VBIN + c] === NO_BIN).toBe(!hit);
        expect(e[OBIN + c] === NO_BIN).toBe(!hit);
      }
    }
    expect(hits).toBeGreaterThan(10);
    const notes = codec.toNotes(a);
    expect(new Set(notes.map((x) => x.velocity)).size).toBeGreaterThan(3);
    expect(notes.some((x) => x.tick % 120 !== 0)).toBe(true);
  });
});
