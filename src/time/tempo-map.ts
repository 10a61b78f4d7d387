/**
 * Pulse → time for a piecewise-constant tempo. Every pulse's time is computed from the anchor
 * and the tempo changes before it (time = start of its segment + pulses into it × seconds per
 * pulse), never by adding up timer wake-ups, so a clock that runs for hours is still on the
 * grid to the last bit.
 *
 * @example
 * const map = new TempoMap(120);          // 24 PPQN: 1/48 s per pulse
 * map.anchor(0, 10);                      // pulse 0 at t = 10 s
 * map.setTempo(96, 150);                  // from pulse 96 (bar 2 in 4/4) on, 150 BPM
 * map.timeOf(96);                         // 12
 * map.timeOf(120);                        // 12.4
 */
import { PPQN } from './clock.js';

interface Segment {
  pulse: number;
  time: number;
  secondsPerPulse: number;
}

export const secondsPerPulse = (bpm: number): number => 60 / (bpm * PPQN);

export function checkBpm(bpm: number): void {
  if (!(Number.isFinite(bpm) && bpm >= 1 && bpm <= 999)) throw new RangeError(`bpm must be in [1, 999], got ${bpm}`);
}

export class TempoMap {
  // segments[0] is the anchor; the rest are tempo changes at later pulses, in order
  private segments: Segment[];

  constructor(bpm: number) {
    checkBpm(bpm);
    this.segments = [{ pulse: 0, time: 0, secondsPerPulse: secondsPerPulse(bpm) }];
  }

  /** Put `pulse` at `time`, keeping the tempo in effect there; later tempo changes move with it. */
  anchor(pulse: number, time: number): void {
    const spp = this.segmentAt(pulse).secondsPerPulse;
    const later = this.segments.filter((s) => s.pulse > pulse);
    this.segments = [{ pulse, time, secondsPerPulse: spp }, ...later];
    this.retime(1);
  }

  /** One tempo from `pulse` on, which is at `time`; every scheduled change is dropped. */
  reset(pulse: number, time: number, bpm: number): void {
    checkBpm(bpm);
    this.segments = [{ pulse, time, secondsPerPulse: secondsPerPulse(bpm) }];
  }

  /** A new tempo from `pulse` on; it replaces any change scheduled at or after that pulse. */
  setTempo(pulse: number, bpm: number): void {
    checkBpm(bpm);
    const time = this.timeOf(pulse);
    const keep = this.segments.filter((s, i) => i === 0 || s.pulse < pulse);
    if (keep.length === 1 && keep[0].pulse >= pulse) {
      keep[0] = { pulse, time, secondsPerPulse: secondsPerPulse(bpm) };
    } else keep.push({ pulse, time, secondsPerPulse: secondsPerPulse(bpm) });
    this.segments = keep;
  }

  /**
   * A new tempo from `pulse` on, with `pulse` moved to `time` (a change that takes effect at
   * once: the pulse was due at the old tempo's time). Earlier pulses keep their times; changes
   * scheduled at or after `pulse` are dropped.
   */
  restartAt(pulse: number, time: number, bpm: number): void {
    checkBpm(bpm);
    const keep = this.segments.filter((s, i) => i === 0 || s.pulse < pulse);
    const seg = { pulse, time, secondsPerPulse: secondsPerPulse(bpm) };
    if (keep.length === 1 && keep[0].pulse >= pulse) keep[0] = seg;
    else keep.push(seg);
    this.segments = keep;
  }

  /** Forget the segments wholly before `pulse` (keeps the map short on a long run). */
  prune(pulse: number): void {
    let i = 0;
    while (i + 1 < this.segments.length && this.segments[i + 1].pulse <= pulse) i++;
    if (i > 0) this.segments = this.segments.slice(i);
  }

  /** Time of a pulse; fractional pulses (swung steps) fall on the line of their segment. */
  timeOf(pulse: number): number {
    const s = this.segmentAt(pulse);
    return s.time + (pulse - s.pulse) * s.secondsPerPulse;
  }

  bpmAt(pulse: number): number {
    return 60 / (this.segmentAt(pulse).secondsPerPulse * PPQN);
  }

  private segmentAt(pulse: number): Segment {
    const segs = this.segments;
    let i = segs.length - 1;
    while (i > 0 && segs[i].pulse > pulse) i--;
    return segs[i];
  }

  private retime(from: number): void {
    const segs = this.segments;
    for (let i = Math.max(1, from); i < segs.length; i++) {
      const p = segs[i - 1];
      segs[i] = { ...segs[i], time: p.time + (segs[i].pulse - p.pulse) * p.secondsPerPulse };
    }
  }
}
