/**
 * Pattern slots in the Generator: store, recall at the bar or at once, undo, slots standing
 * apart from what happens after a store, bad slot numbers, an empty slot, a set saved and
 * loaded (bit for bit, refused for another model), and replays of performances that recalled.
 */
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { copyStep, Generator, type StepCopy } from '../src/music/generator.js';
import { drumGridSpec, expressiveSpec, howlSpec, melodySpec } from './helpers/models.js';

const play = (g: Generator, n: number): StepCopy[] => Array.from({ length: n }, () => copyStep(g.tick()));
/** What played, without the step numbers and ticks: the groove itself. */
const notes = (steps: StepCopy[]) => steps.map((s) => ({ notes: s.notes, releases: s.releases }));

const KITS: [string, () => ModelSpec][] = [
  ['drum grid', () => drumGridSpec(3)],
  ['melody grid', () => melodySpec(3)],
  ['Howl note events', () => howlSpec(3)],
  ['expressive drum grid', () => expressiveSpec(3)],
];

function performer(spec: ModelSpec, lookahead = 8): Generator {
  const g = new Generator(spec, { seed: 11, lookahead, temperature: 1.2 });
  g.reports = {};
  return g;
}

describe('pattern slots', () => {
  for (const [name, spec] of KITS) {
    it(`${name}: a recall at once plays on as the performance did after the store, and the step count goes on`, () => {
      const g = performer(spec());
      play(g, 16);
      const twin = g.fork();
      g.store(3);
      const after = play(g, 24);
      expect(notes(play(twin, 24))).toEqual(notes(after));
      g.setTemperature(0.3);
      g.setDensity(2);
      // a drum model reads the place in the bar: at once, but at the place of the store
      play(g, 8);
      const step = g.step;
      g.recall(3, 'now');
      const again = play(g, 24);
      expect(again[0].step).toBe(step);
      expect(notes(again)).toEqual(notes(after));
      // the slot's settings came back with it
      expect(g.applied).toMatchObject({ temperature: 1.2, density: 0 });
    });
  }

  it('a recall at the bar waits for the slot\'s place in the next bar, shown as waiting', () => {
    const g = performer(drumGridSpec(4));
    play(g, 16); // the next step is 16, a bar line
    g.store(1);
    const after = play(g, 32);
    play(g, 5); // step 53: mid-bar
    g.recall(1);
    // shown at once, before the step that applies it
    expect(g.slots.cue).toEqual({ slot: 1, step: 64 });
    play(g, 1);
    expect(g.slots.cue).toEqual({ slot: 1, step: 64 });
    const before = play(g, 10); // steps 54..63 play on as they were
    expect(before.at(-1)!.step).toBe(63);
    expect(g.slots.cue).toEqual({ slot: 1, step: 64 });
    const again = play(g, 32);
    expect(again[0].step).toBe(64);
    expect(g.slots.cue).toBeNull();
    expect(notes(again)).toEqual(notes(after));
  });

  it('a slot stored mid-bar comes back at its own place in the bar', () => {
    const g = performer(drumGridSpec(4));
    play(g, 19); // the next step is 19: 3 into the bar
    g.store(2);
    const after = play(g, 20);
    g.recall(2);
    play(g, 1); // step 39 plays, the cue waits for 51
    expect(g.slots.cue).toEqual({ slot: 2, step: 51 });
    play(g, 11);
    expect(notes(play(g, 20))).toEqual(notes(after));
  });

  it('undo plays the performance as it was just before the recall, from where it is then', () => {
    const g = performer(howlSpec(5));
    play(g, 16);
    g.store(1);
    play(g, 30);
    const without = g.fork();
    g.recall(1, 'now');
    play(g, 9);
    expect(g.slots.canUndo).toBe(true);
    g.undoRecall('now');
    const back = play(g, 24);
    expect(notes(back)).toEqual(notes(play(without, 24)));
    expect(g.slots.canUndo).toBe(false);
    expect(() => g.undoRecall()).toThrow('undoRecall: no recall to undo');
  });

  it('undo before a recall at the bar applies calls the recall off', () => {
    const g = performer(drumGridSpec(6));
    play(g, 16);
    g.store(1);
    play(g, 21);
    const without = g.fork();
    g.recall(1);
    play(g, 1);
    expect(g.slots.cue).not.toBeNull();
    g.undoRecall();
    play(g, 1);
    expect(g.slots.cue).toBeNull();
    play(without, 2);
    expect(notes(play(g, 30))).toEqual(notes(play(without, 30)));
  });

  it('a slot stands apart from the controls, edits and locks that come after its store', () => {
    const g = performer(drumGridSpec(7));
    play(g, 16);
    g.lock('kick');
    g.edit(g.step + 4, ['snare']);
    g.store(4);
    const after = play(g, 24);
    g.unlock();
    g.setTopP(0.5);
    g.setDynamics(0.2);
    g.setVelocityScale('snare', 0);
    g.setVoiceDensity('kick', 2);
    g.leaveOut('closed-hat');
    g.reseed(99);
    g.edit(g.step + 2, ['kick']);
    play(g, 8); // step 48, a bar line as at the store
    g.recall(4);
    const again = play(g, 24);
    expect(again[0].step).toBe(48);
    expect(g.applied).toMatchObject({ topP: 1, dynamics: 1, seed: 11 });
    expect(g.applied.velocityScales.every((v) => v === 1)).toBe(true);
    expect(g.applied.voiceDensities.every((v) => v === 0) && g.applied.leftOut.every((v) => !v)).toBe(true);
    expect(g.locks.map((l) => l.voice)).toEqual(['kick']);
    expect(notes(again)).toEqual(notes(after));
    expect(again[4].notes.map((n) => n.note)).toContain(38);
  });

  it('refuses slot numbers outside 1 to 8 and an empty slot, saying which, and nothing changes', () => {
    const g = performer(drumGridSpec(8));
    play(g, 4);
    const twin = g.fork();
    for (const bad of [0, 9, -1]) {
      expect(() => g.store(bad)).toThrow(`store: slot: ${bad} is out of range; give a whole number from 1 to 8`);
      expect(() => g.recall(bad)).toThrow(`recall: slot: ${bad} is out of range; give a whole number from 1 to 8`);
    }
    for (const bad of [1.5, NaN]) expect(() => g.store(bad)).toThrow(`store: slot: ${bad} is not allowed; give a whole number from 1 to 8`);
    expect(() => g.recall('2' as unknown as number)).toThrow(`recall: slot: "2" is not allowed`);
    expect(() => g.recall(1, 'later' as 'now')).toThrow(`recall: when "later" is not 'bar'`);
    expect(() => g.recall(3)).toThrow('recall: slot 3 is empty; store(3) first');
    g.store(5);
    play(g, 1);
    expect(() => g.recall(3)).toThrow('recall: slot 3 is empty; store(3) first (slots holding a groove: 5)');
    expect(() => g.undoRecall()).toThrow('undoRecall: no recall to undo');
    // a store queued in the same step fills the slot before the recall applies
    g.store(6);
    expect(() => g.recall(6, 'now')).not.toThrow();
    play(twin, 1);
    expect(g.slots.filled).toEqual([5]);
    expect(notes(play(g, 20))).toEqual(notes(play(twin, 20)));
    expect(g.slots.filled).toEqual([5, 6]);
  });

  it('replays a performance that stored, recalled and undid note for note', () => {
    const spec = expressiveSpec(9);
    const g = performer(spec);
    const played = play(g, 16);
    g.store(1);
    played.push(...play(g, 20));
    g.store(2);
    g.setTemperature(0.5);
    played.push(...play(g, 7));
    g.recall(1);
    played.push(...play(g, 30));
    g.recall(2, 'now');
    played.push(...play(g, 5));
    g.undoRecall('now');
    played.push(...play(g, 20));
    const again = new Generator(spec, g.options).replay(JSON.parse(JSON.stringify(g.log)));
    expect(again).toEqual(played);
  });
});

describe('a set of slots as a file', () => {
  it('saves and loads bit for bit: the loaded slot plays what the stored one did', () => {
    const spec = howlSpec(12);
    const g = performer(spec);
    play(g, 16);
    g.store(2);
    g.store(7);
    const after = play(g, 24);
    const text = JSON.stringify(g.slotSet());
    const set = JSON.parse(text);
    expect(set).toMatchObject({ format: 'pulse-rnn-slots', version: 1, model: { source: spec.source } });
    expect(Object.keys(set.slots)).toEqual(['2', '7']);
    expect(set.slots['2'].network.$typed).toBe('Float32Array');

    const h = performer(spec);
    play(h, 40);
    h.loadSlots(set, 'set.mid.slots.json');
    h.recall(2, 'now');
    const again = play(h, 24);
    expect(notes(again)).toEqual(notes(after));
    expect(h.slots.filled).toEqual([2, 7]);
    // and saved again, the same file
    expect(JSON.stringify(h.slotSet())).toBe(text);
  });

  it('refuses a set stored with another model, naming the file and the field', () => {
    const g = performer(drumGridSpec(1));
    play(g, 3);
    g.store(1);
    play(g, 1);
    const set = JSON.parse(JSON.stringify(g.slotSet()));
    const other = performer(drumGridSpec(2));
    expect(() => other.loadSlots(set, 'old.slots.json')).toThrow(/^old\.slots\.json: model\.hash is "[0-9a-f]{8}", the model playing has "[0-9a-f]{8}"/);
    const melody = performer(melodySpec(1));
    expect(() => melody.loadSlots(set, 'old.slots.json')).toThrow(/old\.slots\.json: model\.hash/);
    expect(() => other.loadSlots({ ...set, format: 'x' }, 'a.json')).toThrow('a.json: format is not "pulse-rnn-slots"');
    expect(() => other.loadSlots({ ...set, version: 2 }, 'a.json')).toThrow('a.json: version 2 is not supported');
    const cut = JSON.parse(JSON.stringify(set));
    cut.slots['1'].network.base64 = cut.slots['1'].network.base64.slice(0, 16);
    expect(() => g.loadSlots(cut, 'cut.json')).toThrow(`cut.json: slots.1.network must be a Float32Array of ${g.net.stateSize} values for this model`);
    cut.slots['1'].network.base64 = cut.slots['1'].network.base64.slice(0, 8);
    expect(() => g.loadSlots(cut, 'cut.json')).toThrow('cut.json: slots.1.network: 6 bytes do not make whole Float32Array values');
    expect(() => g.loadSlots({ ...set, slots: { 9: set.slots['1'] } }, 'n.json')).toThrow('n.json: slots.9 is not a slot number from 1 to 8');
    expect(other.slots.filled).toEqual([]);
  });

  it('replays a performance that loaded slots from a file: the log carries the set', () => {
    const spec = drumGridSpec(13);
    const a = performer(spec);
    play(a, 16);
    a.store(1);
    play(a, 1);
    const set = JSON.parse(JSON.stringify(a.slotSet()));
    const b = performer(spec);
    const played = play(b, 21);
    b.loadSlots(set, 'set.mid.slots.json');
    // the set given is not the one logged: changing it after changes nothing
    set.slots['1'].network.base64 = 'AAAA';
    b.recall(1);
    played.push(...play(b, 40));
    expect(b.slots.filled).toEqual([1]);
    const log = JSON.parse(JSON.stringify(b.log));
    expect(log.entries.find((e: { control: { type: string } }) => e.control.type === 'loadSlots').control.file).toBe('set.mid.slots.json');
    expect(new Generator(spec, b.options).replay(log)).toEqual(played);
  });
});
