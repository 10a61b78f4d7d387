/**
 * The parts beside the first in a take: each part's own recorder (its track of the MIDI file,
 * on its channel, named for the part) and its lane of the performance log: its generator's log,
 * the tick it was first recorded at, and the first part's tick that one played with, so a replay
 * steps every part exactly where it stepped live. `tracksFile` joins the tracks into one
 * Standard MIDI File, one track a part.
 *
 * @example
 * const lanes = new PartTakes(origin, bpm);
 * lanes.begin(part, firstTick, every, stepsUntilItsNext);   // when the take starts (or the part joins)
 * lanes.end(lastStepEnd);                                    // every note ends
 * tracksFile([first, ...lanes.tracks()].map((r) => r.toMidi()));   // format 1, a track a part
 */
import { parseMidi, writeMidi as serialize } from 'midi-file';
import type { MidiRecorder } from '../io/recorder.js';
import type { NoteSink } from '../io/sink.js';
import type { PartLane } from '../music/parts.js';
import type { Part } from './part.js';
import { sessionRecorder } from './session-log.js';

interface Lane {
  part: Part;
  recorder: MidiRecorder;
  sink: NoteSink;
  from: number;
  start: number;
  every: number;
}

export class PartTakes {
  private readonly lanes: Lane[] = [];

  constructor(
    private readonly origin: number,
    private readonly bpm: number,
  ) {}

  /**
   * Record `part` from its next tick, which plays with the first part's tick `start` (the first
   * part's tick now, plus the clock steps until the part's next).
   */
  begin(part: Part, start: number): void {
    const recorder = sessionRecorder(part.generator.codec, this.bpm, this.origin, part.name);
    const sink = part.wrapRecorder(recorder);
    part.player.addSink(sink);
    this.lanes.push({ part, recorder, sink, from: part.generator.ticks, start, every: part.clock.every });
  }

  /** Every part's notes end at `time`; the recorders leave the players. */
  end(time: number): void {
    for (const l of this.lanes) {
      l.sink.allNotesOff(time);
      l.recorder.allNotesOff(time);
      l.recorder.close();
      l.part.player.removeSink(l.sink);
    }
  }

  /** The lanes of the log. */
  logLanes(): PartLane[] {
    return this.lanes.map((l) => ({ name: l.part.name, model: l.part.model, channel: l.part.channel, every: l.every, start: l.start, from: l.from, log: l.part.generator.log }));
  }

  tracks(): MidiRecorder[] {
    return this.lanes.map((l) => l.recorder);
  }
}

/**
 * One track a song (each a one-track file, as a recorder writes it), as a format 1 Standard MIDI File (each keeps its name, notes and the
 * performance's tempo map).
 */
export function tracksFile(songs: readonly Uint8Array[]): Uint8Array {
  if (songs.length === 1) return songs[0];
  const files = songs.map((bytes) => parseMidi(bytes));
  // every track carries the same tempo map: each stands alone when a DAW splits them
  const tracks = files.map((f) => f.tracks[0]);
  return Uint8Array.from(serialize({ header: { format: 1, numTracks: tracks.length, ticksPerBeat: files[0].header.ticksPerBeat as number }, tracks }, { running: false }));
}
