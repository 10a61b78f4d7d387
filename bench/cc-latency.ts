/**
 * From a knob to the music: a CC sent on a JZZ virtual input (WEBMIDI.js lists it like a
 * device), mapped to temperature, into a LiveSession playing the shipped drummer on the internal
 * clock at 120 BPM. A control applies at the next step the generator plays, by design; this
 * measures how long that is, for CCs sent at random moments within the step:
 *  - `toTickMs`: from the CC leaving the input to the tick of the generator that applied it
 *    (the step handed out with the new temperature), on performance.now();
 *  - `toSoundMs`: from the CC to the time that step sounds (the clock's time for it): the
 *    step is handed out ahead (the clock's lookahead, plus half a step for a model that plays
 *    hits early), so this is what a performer hears.
 * Both for the expressive drummer (steps out 100 + 62.5 ms ahead at 120 BPM) and the flat one
 * (100 ms ahead).
 *
 *   npx tsx bench/cc-latency.ts      (writes bench/results/cc-latency.json)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JZZ from 'jzz';
import { WebMidi } from 'webmidi';
import { LiveSession } from '../src/hosts/live-session.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { percentiles, writeResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BPM = 120;
const SENDS = 200;
const INPUT = 'pulse-rnn cc-latency knobs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const widget = JZZ.Widget() as unknown as { send(bytes: number[]): unknown };
(JZZ as unknown as { addMidiIn(name: string, w: unknown): void }).addMidiIn(INPUT, widget);

async function measure(model: string) {
  const spec = await loadModelSpec(model);
  const clock = new InternalClock({ bpm: BPM });
  const session = new LiveSession({ spec, clock, seed: 3, grid: false, print: () => {} });
  const mapper = await session.midi.open({ input: INPUT });
  // the knob spans two temperatures, so every CC sent (0 or 127 in turn) changes what applies
  mapper.map.set({ control: 'temperature', cc: 16, range: [0.5, 1.5] });
  let waiting: { value: number; sent: number; done: (r: { tick: number; sound: number }) => void } | null = null;
  // registered after the Player's: the step has been ticked when this runs
  clock.onStep((e) => {
    if (waiting && session.generator.temperature === waiting.value) {
      const w = waiting;
      waiting = null;
      w.done({ tick: performance.now() - w.sent, sound: e.time * 1000 - w.sent });
    }
  });
  session.start();
  await sleep(500);
  const rand = lcg(11);
  const toTick: number[] = [];
  const toSound: number[] = [];
  const stepMs = 60_000 / BPM / 4;
  for (let i = 0; i < SENDS; i++) {
    await sleep(rand() * stepMs * 1.5);
    const cc = i % 2 === 0 ? 0 : 127;
    const applied = new Promise<{ tick: number; sound: number }>((done) => (waiting = { value: cc === 0 ? 0.5 : 1.5, sent: performance.now(), done }));
    widget.send([0xb0, 16, cc]);
    const r = await applied;
    toTick.push(r.tick);
    toSound.push(r.sound);
  }
  await session.quit();
  return { model: model.replace(ROOT, ''), aheadMs: +(clock.ahead * 1000).toFixed(1), toTickMs: percentiles(toTick), toSoundMs: percentiles(toSound) };
}

const models = ['drums-expressive', 'drums-gmd'].map((m) => join(ROOT, 'weights', m)).filter((m) => existsSync(join(m, 'model.json')));
const results = [];
for (const m of models) results.push(await measure(m));
await WebMidi.disable();
writeResult('cc-latency', { bpm: BPM, stepMs: 60_000 / BPM / 4, sends: SENDS, results });
