import { Midi } from '@tonejs/midi';
import { describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';
import { MidiRecorder, tempoMap } from '../src/io/recorder.js';

const TPQ = 480;

/** Seconds at `tick` according to a file's tempo map (µs per quarter), computed independently of the recorder. */
function secondsAt(tick: number, tempos: readonly { tick: number; microsecondsPerQuarter: number }[], tpq: number): number {
  const map = tempos.length ? tempos : [{ tick: 0, microsecondsPerQuarter: 500000 }];
  let sec = 0;
  for (let i = 0; i < map.length; i++) {
    const end = i + 1 < map.length ? Math.min(map[i + 1].tick, tick) : tick;
    if (end <= map[i].tick) break;
    sec += ((end - map[i].tick) * map[i].microsecondsPerQuarter) / 1e6 / tpq;
  }
  return sec;
}

describe('MidiRecorder', () => {
  it('writes notes at the right ticks at one tempo', () => {
    const rec = new MidiRecorder({ bpm: 120, origin: 10 });
    rec.noteOn(36, 100, 9, 10, 0.125); // tick 0
    rec.noteOn(42, 80, 9, 10.25, 0.125); // an 8th later: tick 240
    rec.noteOn(60, 90, 0, 11, 0.5); // 2 beats: tick 960, 480 long
    rec.close();
    const song = readMidi(rec.toMidi(), 'rec.mid');
    expect(song.ticksPerQuarter).toBe(TPQ);
    expect(song.tempos).toEqual([{ tick: 0, microsecondsPerQuarter: 500000 }]);
    expect(song.notes.map(({ track: _t, ...n }) => n)).toEqual([
      { tick: 0, note: 36, velocity: 100, channel: 9, durationTicks: 120 },
      { tick: 240, note: 42, velocity: 80, channel: 9, durationTicks: 120 },
      { tick: 960, note: 60, velocity: 90, channel: 0, durationTicks: 480 },
    ]);
  });

  it('round-trips a tempo map; our reader and @tonejs/midi put every note where it was played', () => {
    const rec = new MidiRecorder({ bpm: 100, timeSignature: [4, 4], trackName: 'take 1' });
    const played: { note: number; ch: number; time: number; dur: number; vel: number }[] = [];
    const tempos = [
      { bpm: 100, time: 5 },
      { bpm: 137.3, time: 7.013 },
      { bpm: 61, time: 9.5 },
      { bpm: 174, time: 12.25 },
    ];
    let t = 5;
    let i = 0;
    let next = 0;
    while (t < 15) {
      while (next < tempos.length && tempos[next].time <= t) {
        rec.tempo(tempos[next].bpm, tempos[next].time);
        next++;
      }
      const bpm = tempos[next - 1].bpm;
      const step = 60 / bpm / 4; // 16ths at the current tempo
      const p = { note: i % 3 ? 42 : 36, ch: 9, time: t, dur: step / 2, vel: 40 + ((i * 37) % 87) };
      played.push(p);
      rec.noteOn(p.note, p.vel, p.ch, p.time, p.dur);
      if (i % 5 === 0) {
        const q = { note: 48 + (i % 12), ch: 1, time: t + step / 3, dur: step * 3, vel: 100 };
        played.push(q);
        rec.noteOn(q.note, q.vel, q.ch, q.time, q.dur);
      }
      t += step;
      i++;
    }
    rec.close();
    const bytes = rec.toMidi();

    const ours = readMidi(bytes, 'tempo.mid');
    expect(ours.tempos.map((x) => Math.round(60e6 / x.microsecondsPerQuarter))).toEqual([100, 137, 61, 174]);
    expect(ours.tempos.map((x) => x.microsecondsPerQuarter)).toEqual(tempos.map((x) => Math.round(60e6 / x.bpm)));
    expect(ours.timeSignatures).toEqual([{ tick: 0, numerator: 4, denominator: 4 }]);
    expect(ours.trackNames[0]).toBe('take 1');
    expect(ours.notes.length).toBe(played.length);
    const theirs = new Midi(bytes);
    expect(theirs.header.ppq).toBe(TPQ);
    expect(theirs.header.tempos.map((x) => x.ticks)).toEqual(ours.tempos.map((x) => x.tick));
    const theirNotes = theirs.tracks.flatMap((tr) => tr.notes.map((n) => ({ tick: n.ticks, note: n.midi, time: n.time, dur: n.duration, ch: tr.channel })));
    expect(theirNotes.length).toBe(played.length);

    // every note within half a tick (plus float noise) of when it was played, as both parsers time it
    const sorted = [...played].sort((a, b) => a.time - b.time || a.note - b.note);
    let worst = 0;
    const byOnset = (a: { tick: number; note: number }, b: { tick: number; note: number }) => a.tick - b.tick || a.note - b.note;
    const oursSorted = [...ours.notes].sort(byOnset);
    const theirsSorted = [...theirNotes].sort(byOnset);
    sorted.forEach((p, k) => {
      const o = oursSorted[k];
      expect(o.note).toBe(p.note);
      expect(o.velocity).toBe(p.vel);
      const tickSec = 60 / tempoAt(p.time) / TPQ;
      const on = secondsAt(o.tick, ours.tempos, TPQ); // tick 0 is the first event, at 5 s
      const off = secondsAt(o.tick + o.durationTicks, ours.tempos, TPQ);
      expect(Math.abs(on - (p.time - 5))).toBeLessThanOrEqual(tickSec / 2 + 1e-9);
      expect(Math.abs(off - (p.time + p.dur - 5))).toBeLessThanOrEqual(60 / 61 / TPQ + 1e-9);
      worst = Math.max(worst, Math.abs(on - (p.time - 5)));
      const th = theirsSorted[k];
      expect(th.tick).toBe(o.tick);
      expect(th.ch).toBe(p.ch);
      expect(Math.abs(th.time - (p.time - 5))).toBeLessThanOrEqual(tickSec / 2 + 1e-6);
    });
    expect(worst).toBeLessThan(0.0011); // under half a tick at the slowest tempo (61 BPM: 1.02 ms)
    function tempoAt(time: number): number {
      let b = 100;
      for (const x of tempos) if (x.time <= time) b = x.bpm;
      return b;
    }
  });

  it('ends held notes at noteOff, allNotesOff or close, and drops notes a panic cancelled', () => {
    const rec = new MidiRecorder({ bpm: 120, origin: 0 });
    rec.noteOn(60, 100, 0, 0, Infinity);
    rec.noteOn(62, 100, 0, 0, Infinity);
    rec.noteOff(60, 0, 0.5); // tick 480
    rec.noteOn(64, 100, 0, 1, 2); // cut at the panic
    rec.noteOn(67, 100, 0, 1.75, 0.1); // scheduled ahead, after the panic: never played
    rec.noteOn(38, 100, 9, 1.5, 0.1); // right at the panic: kept, one tick long
    rec.allNotesOff(1.5); // tick 1440
    rec.noteOn(72, 100, 0, 2, Infinity); // held to the end
    rec.noteOn(74, 100, 0, 2.5, 0.25); // the latest end: 2.75 s (64's cancelled end at 3 s no longer counts)
    rec.close();
    const notes = readMidi(rec.toMidi(), 'held.mid').notes.map((n) => [n.note, n.tick, n.durationTicks]);
    expect(notes).toEqual([
      [60, 0, 480],
      [62, 0, 1440],
      [64, 960, 480],
      [38, 1440, 1],
      [72, 1920, 720],
      [74, 2400, 240],
    ]);
    expect(() => rec.noteOn(60, 100, 0, 3, 1)).toThrow(/closed/);
  });

  it('allNotesOff without a time uses the clock it was given', () => {
    let now = 0;
    const rec = new MidiRecorder({ now: () => now });
    rec.noteOn(60, 100, 0, 0, Infinity);
    now = 0.25;
    rec.allNotesOff();
    expect(rec.song().notes[0]).toMatchObject({ tick: 0, durationTicks: 240 });
  });

  it('tempo changes at the origin set the starting tempo; two at one time keep the last', () => {
    const rec = new MidiRecorder({ bpm: 90 });
    rec.tempo(140, 1);
    rec.tempo(150, 1);
    rec.noteOn(36, 100, 9, 1, 0.1);
    rec.tempo(75, 2);
    expect(rec.song().tempos).toEqual([
      { tick: 0, bpm: 60e6 / 400000 },
      { tick: Math.round(2.5 * TPQ), bpm: 60e6 / 800000 },
    ]);
  });

  it('seconds to ticks: no drift over a long take', () => {
    // 1000 tempo changes of awkward tempos: every tempo change lands within half a tick of its time
    const changes = Array.from({ length: 1000 }, (_, i) => ({ time: i * 0.713, bpm: 80 + ((i * 7.77) % 97) }));
    const map = tempoMap(120, changes, 0, 96);
    const us = (bpm: number) => Math.round(60e6 / bpm);
    let sec = 0;
    for (let i = 1; i < map.tempos.length; i++) {
      sec += ((map.tempos[i].tick - map.tempos[i - 1].tick) * us(map.tempos[i - 1].bpm)) / 1e6 / 96;
      expect(Math.abs(sec - changes[i].time)).toBeLessThanOrEqual((us(changes[i - 1].bpm) / 1e6 / 96) / 2 + 1e-9);
    }
  });

  it('rejects bad tempos and notes', () => {
    expect(() => new MidiRecorder({ bpm: 0 })).toThrow(/bpm 0/);
    const rec = new MidiRecorder();
    expect(() => rec.tempo(-5, 0)).toThrow(/tempo -5/);
    expect(() => rec.noteOn(60, 100, 99, 0, 1)).toThrow(/channel 99/);
  });
});
