/**
 * What a clock step costs with parts: the shipped drummer alone, and beside the shipped chord
 * model stepping once a quarter (every fourth 16th), each part through its PartClock, Player and
 * channel sink, as a live performance plays them (lookahead 16, the page's). Per clock step:
 *  - `drumsStepMs`: the drummer alone;
 *  - `drumsKeysStepMs`: drums and keys (a quarter's chord on every fourth step);
 *  - `keysStepMs`: the steps on which the chord part ticks too (the heaviest).
 * A 16th at 120 BPM lasts 125 ms; the clock hands steps out 100 ms ahead.
 *
 *   npx tsx bench/parts.ts      (writes bench/results/parts.json)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Part } from '../src/hosts/part.js';
import { loadModelSpec } from '../src/io/model-files.js';
import type { NoteSink } from '../src/io/sink.js';
import type { Clock, StepEvent, TransportEvent } from '../src/time/clock.js';
import { Listeners } from '../src/time/listeners.js';
import { percentiles, writeResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STEPS = 4000;
const WARM = 400;

/** A clock whose steps are handed out by calls. */
class BenchClock implements Clock {
  readonly running = true;
  readonly bpm = 120;
  readonly pulsesPerStep = 6;
  readonly steps = new Listeners<StepEvent>((e) => {
    throw e;
  });
  private readonly transport = new Listeners<TransportEvent>((e) => {
    throw e;
  });
  private readonly event: StepEvent = { step: 0, time: 0, stepDuration: 0.125, bpm: 120 };
  now = () => this.event.time - 0.1;
  onStep = (cb: (e: StepEvent) => void) => this.steps.add(cb);
  onTransport = (cb: (e: TransportEvent) => void) => this.transport.add(cb);
  step(n: number): void {
    this.event.step = n;
    this.event.time = n * 0.125;
    this.steps.emit(this.event);
  }
}

const silent: NoteSink = { noteOn() {}, noteOff() {}, allNotesOff() {} };

async function measure(withKeys: boolean) {
  const clock = new BenchClock();
  const load = (m: string) => loadModelSpec(join(ROOT, 'weights', m));
  const noop = () => {};
  new Part({ name: 'drums', spec: await load('drums-expressive'), sinks: [silent], seed: 3, lookahead: 16 }, clock, { every: 1 }, noop, noop, true);
  if (withKeys) new Part({ name: 'keys', spec: await load('chords-jsb'), channel: 1, sinks: [silent], seed: 4, lookahead: 16 }, clock, { every: 4 }, noop, noop, true);
  const all: number[] = [];
  const keys: number[] = [];
  for (let n = 0; n < WARM + STEPS; n++) {
    const t = performance.now();
    clock.step(n);
    const ms = performance.now() - t;
    if (n < WARM) continue;
    all.push(ms);
    if (n % 4 === 0) keys.push(ms);
  }
  return { all: percentiles(all), keys: percentiles(keys) };
}

const drums = await measure(false);
const both = await measure(true);
writeResult('parts', { steps: STEPS, drumsStepMs: drums.all, drumsKeysStepMs: both.all, keysStepMs: both.keys, node: process.version });
