// The MIDI mapping's rules, with no port: knob sweeps onto a control's range and step, presses,
// toggle pairs, learn and relearn, and mapping files good and broken.
import { describe, expect, it } from 'vitest';
import { CONTROLS, control, valueArg } from '../src/music/controls.js';
import { MAPPABLE, MidiMap, checkMap, mapFile, parseMap, scaleCc, type MapEntry } from '../src/music/midi-map.js';

const cc = (n: number, v: number, ch = 1, input = 'knobs') => ({ input, data: [0xb0 + ch - 1, n, v] });
const noteOn = (n: number, v = 100, ch = 1, input = 'knobs') => ({ input, data: [0x90 + ch - 1, n, v] });
const noteOff = (n: number, ch = 1, input = 'knobs') => ({ input, data: [0x80 + ch - 1, n, 0] });

/** What a knob sends from 0 to 127, as the values of the calls it made. */
function sweep(map: MidiMap, n: number): number[] {
  const values: number[] = [];
  for (let v = 0; v <= 127; v++) for (const call of map.handle(cc(n, v))) values.push(call.args.find((a) => typeof a === 'number') as number);
  return values;
}

/** Whether `v` is a whole number of `step`s (as the page's sliders keep values). */
const onStep = (v: number, step: number) => Math.abs(v / step - Math.round(v / step)) < 1e-9;

describe('a knob', () => {
  it("sweeps every number control from one end of its range to the other, on its steps, never backwards", () => {
    for (const c of MAPPABLE.filter((x) => x.kind === 'value' && x.name !== 'seed')) {
      const a = valueArg(c.name);
      const map = new MidiMap([{ control: c.name, cc: 20 }]);
      const values = sweep(map, 20);
      expect(values, c.name).toHaveLength(128);
      expect(values[0], c.name).toBe(a.minExclusive ? a.min + a.step : a.min);
      expect(values[127], c.name).toBe(a.max);
      for (const v of values) expect(onStep(v, a.step), `${c.name} ${v}`).toBe(true);
      for (let i = 1; i < values.length; i++) expect(values[i], c.name).toBeGreaterThanOrEqual(values[i - 1]);
    }
  });

  it('spans a narrower range, or one turned round, landing on its ends', () => {
    const map = new MidiMap([
      { control: 'density', cc: 1, range: [-1, 1] },
      { control: 'temperature', cc: 2, range: [1.5, 0.5] },
    ]);
    const d = sweep(map, 1);
    expect([d[0], d[127]]).toEqual([-1, 1]);
    expect(new Set(d)).toEqual(new Set([-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1]));
    const t = sweep(map, 2);
    expect([t[0], t[64], t[127]]).toEqual([1.5, 1, 0.5]);
    expect(t.every((v) => onStep(v, 0.05) && v >= 0.5 && v <= 1.5)).toBe(true);
    // an end between two steps: the knob stops on the last step inside it
    expect(scaleCc({ control: 'density', cc: 1, range: [-0.9, 0.9] }, 1)).toBeGreaterThanOrEqual(-0.9);
  });

  it("gives a voice's velocity scale with the voice named in args, and one head's temperature", () => {
    const map = new MidiMap([
      { control: 'velocityScale', args: ['kick'], cc: 3 },
      { control: 'temperature', args: ['pitch'], cc: 4 },
    ]);
    expect(map.handle(cc(3, 127))).toEqual([{ name: 'velocityScale', args: ['kick', 2] }]);
    expect(map.handle(cc(4, 0))).toEqual([{ name: 'temperature', args: [0, 'pitch'] }]);
  });

  it('listens on its input and channel only, when it names them; a note or note-off moves no knob', () => {
    const map = new MidiMap([{ control: 'density', cc: 7, channel: 2, input: 'nano' }]);
    expect(map.handle(cc(7, 127, 2, 'other'))).toEqual([]);
    expect(map.handle(cc(7, 127, 1, 'nano'))).toEqual([]);
    expect(map.handle(noteOn(7, 100, 2, 'nano'))).toEqual([]);
    expect(map.handle(cc(7, 127, 2, 'nano'))).toEqual([{ name: 'density', args: [4] }]);
  });
});

describe('a pad or button', () => {
  it('runs a trigger once a press: a note-on, or a CC rising above 63; never a note-off or a CC held high', () => {
    const map = new MidiMap([
      { control: 'reseed', note: 36 },
      { control: 'reset', cc: 40 },
      { control: 'locate', args: [0], note: 37 },
      { control: 'lock', args: ['kick'], note: 38 },
    ]);
    expect(map.handle(noteOn(36))).toEqual([{ name: 'reseed', args: [] }]);
    expect(map.handle(noteOff(36))).toEqual([]);
    expect(map.handle({ input: 'knobs', data: [0x90, 36, 0] })).toEqual([]);
    const presses = [0, 127, 127, 100, 0, 64, 63, 127].map((v) => map.handle(cc(40, v)).length);
    expect(presses).toEqual([0, 1, 0, 0, 0, 1, 0, 1]);
    expect(map.handle(noteOn(37))).toEqual([{ name: 'locate', args: [0] }]);
    expect(map.handle(noteOn(38))).toEqual([{ name: 'lock', args: ['kick'] }]);
  });

  it('flips a toggle pair: pause while playing, resume while paused (either control of the pair mapped)', () => {
    let paused = false;
    const state = (name: string) => (name === 'pause' ? paused : name === 'resume' ? !paused : false);
    const map = new MidiMap([
      { control: 'pause', note: 40 },
      { control: 'resume', note: 41 },
    ]);
    const press = (n: number) => {
      const [call] = map.handle(noteOn(n), state);
      paused = call.name === 'pause';
      return call.name;
    };
    expect([press(40), press(40), press(41), press(41)]).toEqual(['pause', 'resume', 'pause', 'resume']);
  });
});

describe('learn', () => {
  it('the next CC or note on any input becomes the armed control’s entry; a knob control waits for a knob', () => {
    const map = new MidiMap();
    map.arm('temperature');
    expect(map.handle(noteOn(50, 100, 3, 'pads'))).toEqual([]);
    expect(map.learned).toEqual({ error: expect.stringMatching(/^temperature needs a knob or fader \(a CC\); note 50 on pads/) });
    expect(map.learning).toBe('temperature');
    expect(map.handle(cc(21, 90, 3, 'nano'))).toEqual([]);
    expect(map.learning).toBeNull();
    expect(map.entries).toEqual([{ control: 'temperature', input: 'nano', channel: 3, cc: 21 }]);
    expect(map.handle(cc(21, 127, 3, 'nano'))).toEqual([{ name: 'temperature', args: [2] }]);
    map.arm('mute');
    map.handle(noteOn(36, 1, 10, 'pads'));
    expect(map.entries.at(-1)).toEqual({ control: 'mute', input: 'pads', channel: 10, note: 36 });
  });

  it('relearning replaces the control’s older entry, and a CC taken by another control moves to the new one', () => {
    const map = new MidiMap([{ control: 'temperature', cc: 21 }, { control: 'density', cc: 22 }]);
    map.arm('temperature');
    map.handle(cc(30, 5));
    expect(map.learned).toMatchObject({ replaced: [{ control: 'temperature', cc: 21 }] });
    map.arm('dynamics');
    map.handle(cc(22, 5));
    expect(map.learned).toMatchObject({ replaced: [{ control: 'density', cc: 22 }] });
    expect(map.entries.map((e) => [e.control, e.cc])).toEqual([['temperature', 30], ['dynamics', 22]]);
    // the kick's scale and the snare's are two controls
    map.arm('velocityScale', ['kick']);
    map.handle(cc(40, 1));
    map.arm('velocityScale', ['snare']);
    map.handle(cc(41, 1));
    expect(map.entries.filter((e) => e.control === 'velocityScale').map((e) => e.args)).toEqual([['kick'], ['snare']]);
  });

  it('refuses controls whose arguments no knob can give, and a voice left out', () => {
    const map = new MidiMap();
    for (const name of ['edit', 'clearEdit', 'prime']) expect(() => map.arm(name), name).toThrow(new RegExp(`^${name} cannot be mapped: its \\w+ is not something a knob or pad can give`));
    expect(() => map.arm('velocityScale')).toThrow(/^velocityScale needs its voice \(a drum voice by name \('kick'\) or index\)$/);
    expect(() => map.arm('warmth')).toThrow(/"warmth" is not a control/);
    expect(map.learning).toBeNull();
  });
});

describe('a mapping file', () => {
  const good: MapEntry[] = [
    { control: 'temperature', cc: 16, channel: 1, input: 'nanoKONTROL2', range: [0.5, 1.5] },
    { control: 'velocityScale', args: ['kick'], cc: 17 },
    { control: 'pause', note: 41 },
    { control: 'reseed', cc: 45 },
  ];

  it('reads back what it wrote', () => {
    const text = JSON.stringify(mapFile(good));
    expect(JSON.parse(text)).toMatchObject({ format: 'pulse-rnn-map', version: 1 });
    expect(parseMap(text, 'set.json')).toEqual(good);
  });

  it('names the file, the entry and the field of what is wrong', () => {
    const bad = (entries: unknown[]) => () => checkMap({ format: 'pulse-rnn-map', version: 1, entries }, 'set.json');
    expect(() => parseMap('{ "format": ', 'set.json')).toThrow(/^set\.json: not JSON/);
    expect(() => checkMap({ format: 'other', entries: [] }, 'set.json')).toThrow(/^set\.json: format: not a pulse-rnn mapping file/);
    expect(() => checkMap({ format: 'pulse-rnn-map', version: 2, entries: [] }, 'set.json')).toThrow(/^set\.json: version: 2 is not one this pulse-rnn reads/);
    expect(bad([good[0], { control: 'temperature', cc: 16, range: [0, 3] }])).toThrow(/^set\.json: entries\[1\]\.range\[1\]: 3 is outside temperature's range; give a number from 0 \(always the likeliest\) to 2 \(wildest\)/);
    expect(bad([{ control: 'topP', cc: 1, range: [0, 1] }])).toThrow(/^set\.json: entries\[0\]\.range\[0\]: 0 is outside topP's range; give a number above 0/);
    expect(bad([{ control: 'edit', note: 36 }])).toThrow(/^set\.json: entries\[0\]\.control: edit cannot be mapped/);
    expect(bad([{ control: 'density', note: 36 }])).toThrow(/^set\.json: entries\[0\]\.note: density turns with a knob or fader: give its cc/);
    expect(bad([{ control: 'density' }])).toThrow(/^set\.json: entries\[0\]\.cc, note: give one of them/);
    expect(bad([{ control: 'density', cc: 128 }])).toThrow(/^set\.json: entries\[0\]\.cc: 128 is not a CC number/);
    expect(bad([{ control: 'density', cc: 1, channel: 0 }])).toThrow(/^set\.json: entries\[0\]\.channel: 0 is not a channel/);
    expect(bad([{ control: 'density', cc: 1, knob: 3 }])).toThrow(/^set\.json: entries\[0\]\.knob: not a field of an entry/);
    expect(bad([{ control: 'velocityScale', cc: 1 }])).toThrow(/^set\.json: entries\[0\]\.args: velocityScale needs its voice/);
    expect(bad([{ control: 'reseed', cc: 1, args: [-1] }])).toThrow(/^set\.json: entries\[0\]\.args\[0\]: reseed: -1 is out of range/);
    expect(bad([{ control: 'pause', note: 1, range: [0, 1] }])).toThrow(/^set\.json: entries\[0\]\.range: pause takes a press, not a knob/);
    expect(bad([{ control: 'density', cc: 1 }, { control: 'timing', cc: 1 }])).toThrow(/^set\.json: entries\[1\]: cc 1 drives two controls \(entries\[0\] too\)/);
    expect(bad([{ control: 'density', cc: 1 }, { control: 'density', cc: 2 }])).toThrow(/^set\.json: entries\[1\]: density is mapped twice/);
    expect(bad(['density'])).toThrow(/^set\.json: entries\[0\]: an entry is an object/);
  });

  it('reaches every control of the table but those needing a step, notes or a phrase', () => {
    const refused = CONTROLS.filter((c) => !MAPPABLE.includes(c)).map((c) => c.name);
    expect(refused.sort()).toEqual(['clearEdit', 'edit', 'prime']);
    expect(MAPPABLE.map((c) => c.name)).toContain(control('bpm').name);
  });
});
