/**
 * Pattern slots from the hosts: the prompt's store, recall, undoRecall, saveSlots and loadSlots
 * (a take that recalled, and one that loaded a set, replayed note for note; the set written
 * beside the take), and the Max script's messages.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveSession } from '../src/hosts/live-session.js';
import { replayToMidi } from '../src/hosts/replay.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { readMidi } from '../src/io/midi-read.js';
import type { ModelSpec } from '../src/engine/model.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { FakeTime } from './helpers/fake-time.js';
import { MidiMap, entryProblem, isKnob } from '../src/music/midi-map.js';
import { control } from '../src/music/controls.js';
import { MaxHost } from './helpers/max-fake.js';
import { drumGridSpec, howlSpec } from './helpers/models.js';
import { ROOT } from './helpers/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-slots-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 120 BPM, 16ths: a step lasts 0.125 s. */
const STEP = 0.125;

function session(spec: ModelSpec, seed = 4) {
  const dir = mkdtempSync(join(tmp, 'set-'));
  const ft = new FakeTime(10);
  const clock = new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers });
  const lines: string[] = [];
  const s = new LiveSession({ spec, clock, seed, grid: false, print: (t) => lines.push(t), cwd: dir });
  const steps = (n: number) => ft.advance(n * STEP);
  return { s, ft, dir, lines, steps };
}

async function quit(s: LiveSession, ft: FakeTime): Promise<void> {
  const q = s.quit();
  for (let i = 0; i < 50; i++) {
    ft.advance(0.1);
    await new Promise((r) => setImmediate(r));
  }
  await q;
}

/** The take in `dir` and its replay from the log. */
function takeAndReplay(spec: ModelSpec, dir: string) {
  const log = parseSessionLog(readFileSync(join(dir, 'r.mid.log.json'), 'utf8'), 'r.mid.log.json');
  const take = readMidi(new Uint8Array(readFileSync(join(dir, 'r.mid'))), 'take');
  const again = readMidi(replayToMidi(spec, log).bytes, 'replay');
  return { take, again, log };
}

describe('pattern slots at the prompt', () => {
  it('play, store, play on, recall, record: the replay of the log plays the same notes; the slots are written beside the take', async () => {
    const spec = drumGridSpec(5, 1.5);
    const { s, ft, dir, lines, steps } = session(spec);
    s.start();
    steps(16.5);
    s.store(2);
    expect(lines.at(-1)).toMatch(/^slot 2 stores the performance before step \d+; recall\(2\) plays it again$/);
    steps(20);
    s.temperature(1.8);
    s.density(2);
    await s.record('r.mid');
    steps(9);
    s.recall(2);
    expect(lines.at(-1)).toMatch(/^slot 2 takes over at step \d+ \(bar \d+\); undoRecall\(\) goes back$/);
    steps(30);
    s.recall(2, 'now');
    steps(6);
    s.undoRecall('now');
    expect(lines.at(-1)).toMatch(/^back to the performance before the last recall at step \d+$/);
    steps(12);
    await s.stop();
    expect(lines.at(-1)).toContain('its slots in r.mid.slots.json (loadSlots reads them)');
    await quit(s, ft);
    const { take, again, log } = takeAndReplay(spec, dir);
    expect(log.entries.map((e) => e.control.type)).toEqual(expect.arrayContaining(['store', 'recall', 'undoRecall']));
    expect(take.notes.length).toBeGreaterThan(20);
    expect(again.notes).toEqual(take.notes);
    const set = JSON.parse(readFileSync(join(dir, 'r.mid.slots.json'), 'utf8'));
    expect(set).toMatchObject({ format: 'pulse-rnn-slots', version: 1 });
    expect(Object.keys(set.slots)).toEqual(['2']);
  });

  it('a take that loaded a set of slots replays from its log alone', async () => {
    const spec = howlSpec(6);
    const first = session(spec, 8);
    first.s.start();
    first.steps(16.5);
    first.s.store(1);
    first.s.store(3);
    first.steps(2);
    await first.s.saveSlots('mine.slots.json');
    expect(first.lines.at(-1)).toBe('wrote slots 1, 3 to mine.slots.json');
    await quit(first.s, first.ft);

    const { s, ft, dir, lines, steps } = session(spec, 9);
    writeFileSync(join(dir, 'mine.slots.json'), readFileSync(join(first.dir, 'mine.slots.json')));
    s.start();
    await s.record('r.mid');
    steps(5.5);
    await s.loadSlots('mine.slots.json');
    expect(lines.at(-1)).toMatch(/^slots 1, 3 from mine\.slots\.json, from step \d+; recall\(1\) plays one$/);
    steps(1);
    s.recall(3, 'now');
    steps(20);
    await s.stop();
    await quit(s, ft);
    rmSync(join(dir, 'mine.slots.json'));
    const { take, again } = takeAndReplay(spec, dir);
    expect(take.notes.length).toBeGreaterThan(5);
    expect(again.notes).toEqual(take.notes);
  });

  it('says what is wrong in one line and changes nothing: bad slots, an empty slot, a file of another model', async () => {
    const { s, ft, dir, lines, steps } = session(drumGridSpec(7));
    s.start();
    steps(3.5);
    s.recall(4);
    expect(lines.at(-1)).toBe('recall: slot 4 is empty; store(4) first; no slot holds a groove yet');
    for (const bad of [0, 9, 2.5, 'two']) {
      s.store(bad);
      expect(lines.at(-1)).toBe(`store: slot ${typeof bad === 'string' ? `'${bad}'` : bad} is not a slot; give a whole number from 1 to 8`);
    }
    s.recall(1, 'soon');
    expect(lines.at(-1)).toBe("recall: 'soon' is not 'bar' (at the slot's place in the next bar) or 'now' (at the next step)");
    s.undoRecall();
    expect(lines.at(-1)).toBe('undoRecall: no recall to undo');
    await s.saveSlots('x.json');
    expect(lines.at(-1)).toBe('saveSlots: no slot holds a groove yet; store(1) first');
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ format: 'pulse-rnn-slots', version: 1, model: { source: 'elsewhere', hash: '00000000', stateSize: 1, eventSize: 1, heads: 1, voices: 0 }, slots: {} }));
    await s.loadSlots('other.json');
    expect(lines.at(-1)).toMatch(/^loadSlots: other\.json: model\.hash is "00000000", the model playing has "[0-9a-f]{8}": these slots were stored with "elsewhere"/);
    writeFileSync(join(dir, 'bad.json'), '{');
    await s.loadSlots('bad.json');
    expect(lines.at(-1)).toMatch(/^loadSlots: bad\.json: not JSON/);
    await s.loadSlots('none.json');
    expect(lines.at(-1)).toMatch(/^loadSlots: cannot read 'none\.json'/);
    expect(s.generator.log.entries).toEqual([]);
    expect(s.generator.slots).toEqual({ filled: [], cue: null, canUndo: false });
    s.store();
    steps(1);
    expect(s.generator.slots.filled).toEqual([1]);
    await quit(s, ft);
  });
});

describe('pattern slots from a MIDI controller', () => {
  it('a pad stores or recalls a slot, given in the entry, and the prompt runs the call by its name', async () => {
    for (const name of ['store', 'recall', 'undoRecall']) expect(isKnob(control(name)), name).toBe(false);
    const entries = [
      { control: 'store' as const, args: [2], note: 36 },
      { control: 'recall' as const, args: [2], note: 38 },
      { control: 'recall' as const, args: [3, 'now'], note: 40 },
      { control: 'undoRecall' as const, cc: 20 },
    ];
    expect(entries.slice(0, 2).map(entryProblem)).toEqual([null, null]);
    // a map recalls at the bar: 'now' is the prompt's, the page's and Max's
    expect(entryProblem(entries[2])).toMatch(/^args\[1\]: recall's when cannot come from a map/);
    expect(entryProblem({ control: 'recall', args: [9], note: 38 })).toMatch(/args\[0\]: recall: slot: 9 is out of range; give a whole number from 1 to 8/);
    const map = new MidiMap(entries.filter((e) => entryProblem(e) === null));
    const on = (note: number) => map.handle({ input: 'pads', data: [0x99, note, 100] });
    expect(on(36)).toEqual([{ name: 'store', args: [2] }]);
    expect(on(38)).toEqual([{ name: 'recall', args: [2] }]);
    expect(map.handle({ input: 'pads', data: [0xb0, 20, 127] })).toEqual([{ name: 'undoRecall', args: [] }]);
    const { s, ft, steps } = session(drumGridSpec(3));
    s.start();
    steps(2.5);
    for (const call of on(36)) (s as unknown as Record<string, (...a: unknown[]) => void>)[call.name](...call.args);
    steps(1);
    expect(s.generator.slots.filled).toEqual([2]);
    await quit(s, ft);
  });
});

describe('pattern slots in Max', () => {
  it('store, recall and undorecall messages; an empty slot and a bad number are refused with the reason', async () => {
    const host = new MaxHost(readFileSync(join(ROOT, 'patches/max/pulse-rnn.js'), 'utf8'), { patchFile: join(ROOT, 'patches/max/pulse-rnn.maxpat') });
    await host.load();
    for (let i = 0; i < 16; i++) host.bang();
    host.send('recall', 2);
    expect(host.errors.at(-1)).toBe('pulse-rnn: recall 2: recall: slot 2 is empty; store(2) first\n');
    host.send('store', 9);
    expect(host.errors.at(-1)).toBe('pulse-rnn: store 9: store: slot: 9 is out of range; give a whole number from 1 to 8\n');
    host.send('recall', 2, 'soon');
    expect(host.errors.at(-1)).toBe(`pulse-rnn: recall 2 soon: recall: when "soon" is not 'bar' (at the slot's place in the next bar) or 'now' (at the next step)\n`);
    const errors = host.errors.length;
    host.send('store', 2);
    const after: unknown[] = [];
    for (let i = 0; i < 16; i++) after.push(host.bang());
    host.send('temperature', 2);
    for (let i = 0; i < 16; i++) host.bang();
    host.send('recall', 2);
    const again: unknown[] = [];
    for (let i = 0; i < 16; i++) again.push(host.bang());
    expect(again).toEqual(after);
    host.send('undorecall', 'now');
    host.bang();
    expect(host.errors.slice(errors)).toEqual([]);
  });
});
