/**
 * A sink that writes what it hears into a Standard MIDI File: notes, and tempo changes as a
 * tempo map, so the file plays back with the timing the performance had. Each note lands at the
 * tick of its own time, so hits played early or late against the grid keep their offsets (an
 * early hit before the origin, tick 0, is written at tick 0).
 *
 * @example
 * const rec = new MidiRecorder({ bpm: 120 });
 * rec.noteOn(36, 100, 9, 0, 0.1);   // seconds on the clock's timebase
 * rec.tempo(90, 2);                  // from 2 s on, 90 BPM
 * rec.noteOn(38, 100, 9, 2.5, 0.1);
 * rec.close();
 * writeFileSync('take.mid', rec.toMidi());
 */
import { checkNote, noteVelocity } from './midi-voices.js';
import { writeMidi, type NoteOut, type SongOut } from './midi-write.js';
import type { NoteSink } from './sink.js';

export interface MidiRecorderOptions {
  /** Tempo before the first `tempo` call (default 120). */
  bpm?: number;
  /** Default 480. */
  ticksPerQuarter?: number;
  /** The clock time written as tick 0 (default: the earliest time recorded). */
  origin?: number;
  timeSignature?: readonly [number, number];
  trackName?: string;
  /** The clock, for allNotesOff()/close() without a time; without it they use the latest time recorded. */
  now?: () => number;
}

interface Take {
  note: number;
  velocity: number;
  channel: number;
  on: number;
  off: number;
}

export class MidiRecorder implements NoteSink {
  private readonly notes: Take[] = [];
  private readonly tempos: { time: number; bpm: number }[] = [];
  private latest = -Infinity;
  private closed = false;
  readonly ticksPerQuarter: number;

  constructor(private readonly options: MidiRecorderOptions = {}) {
    this.ticksPerQuarter = options.ticksPerQuarter ?? 480;
    if (!(Number.isInteger(this.ticksPerQuarter) && this.ticksPerQuarter > 0 && this.ticksPerQuarter < 0x8000)) throw new RangeError(`ticksPerQuarter ${this.ticksPerQuarter} must be a whole number in 1..32767`);
    checkBpm(options.bpm ?? 120, 'bpm');
  }

  noteOn(note: number, velocity: number, channel: number, time: number, duration: number): void {
    this.open();
    checkNote(note, velocity, channel, time);
    this.seen(time);
    const off = duration === Infinity ? Infinity : time + Math.max(0, duration);
    this.notes.push({ note, velocity: noteVelocity(velocity), channel, on: time, off });
  }

  /** Ends the oldest held note of this key; else shortens the latest one still sounding at `time` (a tempo change). */
  noteOff(note: number, channel: number, time: number): void {
    this.open();
    checkNote(note, 0, channel, time);
    this.seen(time);
    const held = this.notes.find((n) => n.note === note && n.channel === channel && n.off === Infinity && n.on <= time);
    if (held) {
      held.off = time;
      return;
    }
    for (let i = this.notes.length - 1; i >= 0; i--) {
      const n = this.notes[i];
      if (n.note === note && n.channel === channel && n.on <= time && n.off > time) {
        n.off = time;
        return;
      }
    }
  }

  /**
   * Ends every note sounding at `time`. Notes scheduled to start after it are dropped; notes
   * starting exactly at it stay, one tick long (the Player silences at the last note-on it
   * sent, and a drum hit needs no more than its note-on to sound).
   */
  allNotesOff(time?: number): void {
    if (this.closed) return;
    const t = time ?? this.options.now?.() ?? this.end();
    if (!Number.isFinite(t)) return; // nothing recorded yet
    this.seen(t);
    for (let i = this.notes.length - 1; i >= 0; i--) {
      const n = this.notes[i];
      if (n.on > t) this.notes.splice(i, 1);
      else if (n.off > t) n.off = t;
    }
  }

  tempo(bpm: number, time: number): void {
    this.open();
    checkBpm(bpm, 'tempo');
    if (!Number.isFinite(time)) throw new RangeError(`tempo time ${time} is not a finite number of seconds`);
    this.seen(time);
    const same = this.tempos.findIndex((t) => t.time === time);
    if (same >= 0) this.tempos[same].bpm = bpm;
    else this.tempos.push({ time, bpm });
  }

  /** Ends held notes; the recording stays readable through `song()` and `toMidi()`. */
  close(): void {
    if (this.closed) return;
    this.allNotesOff();
    this.closed = true;
  }

  /** The recording in ticks. Notes still held end at the latest time recorded (a call's time or a note's end). */
  song(): SongOut {
    let origin = this.options.origin ?? Infinity;
    if (this.options.origin === undefined) {
      for (const n of this.notes) origin = Math.min(origin, n.on);
      for (const t of this.tempos) origin = Math.min(origin, t.time);
    }
    const tpq = this.ticksPerQuarter;
    const last = this.end();
    const map = tempoMap(this.options.bpm ?? 120, this.tempos, Number.isFinite(origin) ? origin : 0, tpq);
    const notes: NoteOut[] = [];
    for (const n of this.notes) {
      const on = map.toTick(n.on);
      const end = map.toTick(n.off === Infinity ? Math.max(last, n.on) : n.off);
      // an early hit of the first step recorded starts before tick 0: it is part of the take,
      // at tick 0 (a file has no earlier tick); a note that ended before the take began is not
      if (on < 0 && end <= 0) continue;
      const tick = Math.max(0, on);
      notes.push({ tick, note: n.note, velocity: n.velocity, channel: n.channel, durationTicks: Math.max(0, end - tick) });
    }
    notes.sort((a, b) => a.tick - b.tick);
    return { ticksPerQuarter: tpq, tempos: map.tempos, timeSignature: this.options.timeSignature, trackName: this.options.trackName, notes };
  }

  toMidi(): Uint8Array {
    return writeMidi(this.song());
  }

  /** The latest moment the recording knows of: a call's time or the end of a note. */
  private end(): number {
    let t = this.latest;
    for (const n of this.notes) if (n.off !== Infinity && n.off > t) t = n.off;
    return t;
  }

  private seen(time: number): void {
    if (time > this.latest) this.latest = time;
  }

  private open(): void {
    if (this.closed) throw new Error('MidiRecorder is closed');
  }
}

function checkBpm(bpm: number, what: string): void {
  if (!(bpm > 0 && Number.isFinite(bpm))) throw new RangeError(`${what} ${bpm} BPM is not a positive number`);
}

/**
 * Seconds → ticks through a tempo map. The file stores tempo as whole microseconds per quarter
 * and changes at whole ticks, so each segment runs at the stored tempo and starts where the file
 * will place it: a note's error stays under half a tick however long the take.
 */
export function tempoMap(bpm: number, changes: readonly { time: number; bpm: number }[], origin: number, tpq: number) {
  const usPerQuarter = (b: number) => Math.round(60e6 / b);
  const sorted = [...changes].filter((c) => c.time > origin).sort((a, b) => a.time - b.time);
  // a change at (or before) the origin sets the starting tempo
  const before = changes.filter((c) => c.time <= origin).sort((a, b) => a.time - b.time);
  const first = before.length ? before[before.length - 1].bpm : bpm;
  const segs: { sec: number; tick: number; us: number }[] = [{ sec: origin, tick: 0, us: usPerQuarter(first) }];
  for (const c of sorted) {
    const s = segs[segs.length - 1];
    const tick = s.tick + Math.round(((c.time - s.sec) * 1e6 * tpq) / s.us);
    const sec = s.sec + ((tick - s.tick) * s.us) / (1e6 * tpq);
    if (tick === s.tick) segs[segs.length - 1] = { sec: s.sec, tick, us: usPerQuarter(c.bpm) };
    else segs.push({ sec, tick, us: usPerQuarter(c.bpm) });
  }
  const toTick = (time: number): number => {
    let s = segs[0];
    for (const seg of segs) if (seg.sec <= time) s = seg;
    return s.tick + Math.round(((time - s.sec) * 1e6 * tpq) / s.us);
  };
  return { tempos: segs.map((s) => ({ tick: s.tick, bpm: 60e6 / s.us })), toTick };
}
