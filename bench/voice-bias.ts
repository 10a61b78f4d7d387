/**
 * What per-voice density and leave-out do to the shipped drummer: hits per bar of each voice over
 * `SEEDS` cold starts × `BARS` bars at temperature 1, as it plays, with the snare's own density
 * at -2, -1, 1 and 2, with the snare left out (the model plays around it), and with the snare
 * silenced by its velocity scale (the model still plays it: the other voices do not move).
 *
 *   npx tsx bench/voice-bias.ts [model folder]   (writes bench/results/voice-bias.json)
 */
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelSpec } from '../src/io/model-files.js';
import { Generator } from '../src/music/generator.js';
import { writeResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEEDS = 5;
const BARS = 400;

const spec = await loadModelSpec(process.argv[2] ?? join(ROOT, 'weights', 'drums-expressive'));

/** Hits per bar of each voice, with `steer` applied before the first step. */
function hitsPerBar(steer: (g: Generator) => void): Record<string, number> {
  const counts = new Map<string, number>();
  let bars = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const g = new Generator(spec, { seed });
    const byNote = new Map(g.codec.voices.map((v) => [g.codec.notesOf(g.codec.eventFromNotes([v]))[0], v]));
    steer(g);
    for (let i = 0; i < BARS * g.codec.stepsPerBar; i++) {
      const r = g.tick();
      for (let k = 0; k < r.count; k++) {
        const v = byNote.get(r.notes[k].note);
        if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
    }
    bars += BARS;
  }
  return Object.fromEntries(new Generator(spec).codec.voices.map((v) => [v, Number(((counts.get(v) ?? 0) / bars).toFixed(2))]));
}

const rows: Record<string, Record<string, number>> = { plain: hitsPerBar(() => {}) };
for (const a of [-2, -1, 1, 2]) rows[`voiceDensity('snare', ${a})`] = hitsPerBar((g) => g.setVoiceDensity('snare', a));
rows["leaveOut('snare')"] = hitsPerBar((g) => g.leaveOut('snare'));
rows["velocityScale('snare', 0)"] = hitsPerBar((g) => g.setVelocityScale('snare', 0));
writeResult('voice-bias', { model: relative(ROOT, spec.source), seeds: SEEDS, bars: BARS, temperature: 1, hitsPerBar: rows });
