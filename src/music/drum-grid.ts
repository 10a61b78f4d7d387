/**
 * The drum grid: one step per 16th note (4 steps per quarter by default); a step's token is
 * the set of drum classes hit in it, as a 9-bit mask (bit c = class c of `drum-map.ts`), so
 * 512 tokens. Models may also read the step's position in the bar.
 *
 * Reading MIDI: drum notes (channel 10, or every channel when the file has nothing there) are
 * mapped to classes and each onset goes to the nearest step; steps run from step 0 to the
 * step of the last hit.
 *
 * @example
 * const codec = drumGridCodec({ stepsPerQuarter: 4 });
 * codec.toNotes([[0b000000101]]); // kick (36) and closed hat (42) at tick 0
 */
import type { ModelSpec } from '../engine/model.js';
import type { MidiNote, MidiSong } from '../io/midi-read.js';
import type { NoteOut } from '../io/midi-write.js';
import { registerCodec, type Codec, type EncodedSong } from './codec.js';
import { DEFAULT_DRUM_NOTES, DRUM_CLASSES, drumClassOf } from './drum-map.js';

export const DRUM_TOKENS = 1 << DRUM_CLASSES.length;
export const GM_DRUM_CHANNEL = 9;

export interface DrumGridOptions {
  stepsPerQuarter?: number;
  stepsPerBar?: number;
  /** Whether the model reads the position in the bar as a second input. */
  positionInput?: boolean;
  /** Note each class plays (default: kick 36, snare 38, closed hat 42, …). */
  notes?: readonly number[];
  velocity?: number;
  ticksPerQuarter?: number;
}

export function drumGridCodec(o: DrumGridOptions = {}): Codec {
  const spq = o.stepsPerQuarter ?? 4;
  const stepsPerBar = o.stepsPerBar ?? spq * 4;
  const tpq = o.ticksPerQuarter ?? 480;
  const notes = o.notes ?? DEFAULT_DRUM_NOTES;
  const velocity = o.velocity ?? 100;
  const ticksPerStep = tpq / spq;
  return {
    name: 'drum-grid',
    ticksPerQuarter: tpq,
    firstEventIsPrimer: false,
    startEvent: () => [0],
    inputs(prev, t, out) {
      out[0] = prev[0];
      if (o.positionInput) out[1] = t % stepsPerBar;
    },
    fromSong(song: MidiSong): EncodedSong {
      const warnings: string[] = [];
      let drums: readonly MidiNote[] = song.notes.filter((n) => n.channel === GM_DRUM_CHANNEL);
      if (drums.length === 0 && song.notes.length > 0) {
        warnings.push(`${song.file}: no notes on channel 10; reading every channel as drums`);
        drums = song.notes;
      }
      const dropped = new Map<number, number>();
      const perStep = song.ticksPerQuarter / spq;
      const tokens: number[] = [];
      for (const n of drums) {
        const c = drumClassOf(n.note);
        if (c < 0) {
          dropped.set(n.note, (dropped.get(n.note) ?? 0) + 1);
          continue;
        }
        const step = Math.round(n.tick / perStep);
        while (tokens.length <= step) tokens.push(0);
        tokens[step] |= 1 << c;
      }
      for (const [note, count] of dropped) warnings.push(`${song.file}: note ${note} is not a mapped drum; ${count} hit(s) dropped`);
      return { events: tokens.map((t) => [t]), warnings };
    },
    toNotes(events): NoteOut[] {
      const out: NoteOut[] = [];
      events.forEach((e, t) => {
        for (let c = 0; c < DRUM_CLASSES.length; c++) {
          if (e[0] & (1 << c)) out.push({ tick: t * ticksPerStep, note: notes[c], velocity, channel: GM_DRUM_CHANNEL, durationTicks: ticksPerStep });
        }
      });
      return out;
    },
    grid(events) {
      return DRUM_CLASSES.map((name, c) => {
        let line = name.padEnd(11);
        events.forEach((e, t) => {
          if (t > 0 && t % stepsPerBar === 0) line += '|';
          line += e[0] & (1 << c) ? 'x' : t % spq === 0 ? '.' : ' ';
        });
        return line;
      }).join('\n');
    },
  };
}

registerCodec('drum-grid', (spec: ModelSpec) => {
  const m = spec.meta;
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  return drumGridCodec({
    stepsPerQuarter: num(m.stepsPerQuarter, 4),
    stepsPerBar: num(m.stepsPerBar, num(m.stepsPerQuarter, 4) * 4),
    positionInput: spec.inputs.length > 1,
    notes: Array.isArray(m.drumNotes) ? (m.drumNotes as number[]) : undefined,
  });
});
