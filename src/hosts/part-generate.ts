/**
 * `pulse-rnn generate` with parts: every part sampled offline for the same stretch of time
 * (`steps` of the first part's; a part stepping once a quarter beside 16ths samples a quarter as
 * many), each with its own seed (the next after the first's), on its channel, one track a part
 * of one MIDI file. The same arguments give the same bytes.
 *
 * @example
 * const file = await generateParts([{ name: 'drums', model: 'weights/drums-gmd', channel: null }, { name: 'keys', model: 'weights/chords-jsb', channel: 1 }], { steps: 64, seed: 7, temperature: 1, bpm: 120 });
 * await writeAtomic('band.mid', file.bytes);
 */
import { Network } from '../engine/network.js';
import { Rng } from '../engine/prng.js';
import { loadModelSpec } from '../io/model-files.js';
import { writeMidi, type NoteOut } from '../io/midi-write.js';
import { codecFor } from '../music/codecs.js';
import { defaultPartName, stepsPerPartStep } from '../music/parts.js';
import { sampleEvents } from '../music/sample-events.js';
import { shapeNotes } from '../music/step-result.js';
import { swungTick } from '../time/swing.js';
import type { PartFlag } from './part-flags.js';
import type { PlayOptions } from './play.js';
import { tracksFile } from './part-take.js';
import { pulsesPerStep } from './replay.js';

/** The first part's steps, and the controls and tempo as `play` takes them. */
export type GenerateOptions = Pick<PlayOptions, 'seed' | 'temperature' | 'topP' | 'density' | 'dynamics' | 'timing' | 'bpm' | 'swing'> & { steps: number };

/** What each part played: its events and notes (ticks at 480 a quarter), and the file of them all. */
export interface GeneratedParts {
  parts: { name: string; encoding: string; steps: number; events: number[][]; notes: NoteOut[]; grid: string }[];
  bytes: Uint8Array;
}

const TPQ = 480;

/** Every part for the first part's `steps`, as one MIDI file with a track a part. */
export async function generateParts(parts: readonly (Omit<PartFlag, 'name'> & { name?: string })[], o: GenerateOptions): Promise<GeneratedParts> {
  const loaded = await Promise.all(parts.map(async (p, i) => {
    try {
      const spec = await loadModelSpec(p.model);
      const codec = codecFor(spec);
      return { ...p, name: p.name ?? defaultPartName(codec.voices), net: new Network(spec), codec };
    } catch (e) {
      throw new Error(`part ${p.name ?? i + 1}: ${(e as Error).message}`);
    }
  }));
  const clockPulses = pulsesPerStep(loaded[0].codec);
  const out: GeneratedParts['parts'] = loaded.map((p, i) => {
    const every = i === 0 ? 1 : stepsPerPartStep(pulsesPerStep(p.codec), clockPulses, p.name);
    const steps = Math.floor(o.steps / every);
    const events = sampleEvents(p.net, p.codec, steps, new Rng((o.seed + i) >>> 0), { temperature: o.temperature, topP: o.topP, density: o.density });
    const scale = TPQ / p.codec.ticksPerQuarter;
    const shaped = shapeNotes(p.codec.toNotes(events), p.codec, { dynamics: o.dynamics ?? 1, timing: o.timing ?? 1 });
    const notes = shaped.map((n) => {
      const tick = Math.round(n.tick * scale);
      const end = Math.round((n.tick + n.durationTicks) * scale);
      const swung = o.swing ? swungTick(tick, TPQ, o.swing) : tick;
      return { ...n, tick: swung, durationTicks: Math.max(1, (o.swing ? swungTick(end, TPQ, o.swing) : end) - swung), channel: p.channel === null ? n.channel : p.channel - 1 };
    });
    return { name: p.name, encoding: p.codec.name, steps, events, notes, grid: p.codec.grid(events) };
  });
  const bytes = tracksFile(out.map((p) => writeMidi({ ticksPerQuarter: TPQ, bpm: o.bpm, timeSignature: [4, 4], trackName: p.name, notes: p.notes })));
  return { parts: out, bytes };
}
