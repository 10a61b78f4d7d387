/**
 * The performer's expressive controls: dynamics (velocities around the codec's flat velocity),
 * timing (each note's distance from its nearest step line) and a velocity scale per drum voice.
 * They shape the notes as a tick emits them and never what the model generates, so a twin
 * played at the defaults gives the expected notes note for note; each applies at the next
 * step, is logged and replays exactly; out-of-range values are refused with the table's words.
 */
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../src/engine/model.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { checkLoggedControl, checkValue, rangeText, scaleArg, valueArg } from '../src/music/controls.js';
import { copyStep, Generator, type GeneratorOptions, type StepCopy } from '../src/music/generator.js';
import { drumGridSpec, howlSpec, melodySpec } from './helpers/models.js';
import { haveShared, sharedPath } from './helpers/shared.js';

const play = (g: Generator, n: number): StepCopy[] => Array.from({ length: n }, () => copyStep(g.tick()));
const velocities = (steps: StepCopy[]) => steps.flatMap((s) => s.notes.map((n) => n.velocity));
const clamp = (v: number) => Math.max(1, Math.min(127, Math.round(v)));

/** The same performance twice: at the defaults, and with `o` from the start. */
function twins(spec: ModelSpec, o: GeneratorOptions, steps = 256): { plain: StepCopy[]; shaped: StepCopy[] } {
  const base = { seed: 11, lookahead: 4, ...(spec.meta.encoding === 'drum-grid' ? { accent: true } : {}) };
  return { plain: play(new Generator(spec, base), steps), shaped: play(new Generator(spec, { ...base, ...o }), steps) };
}

describe('dynamics spreads velocities around the flat velocity', () => {
  it('0 plays every note at the flat velocity (100 for drums), as a model without velocities does', () => {
    for (const spec of [drumGridSpec(3), howlSpec(3)]) {
      const { plain, shaped } = twins(spec, { dynamics: 0 });
      // the model gives several velocities (accents on the drum grid, a velocity head for Howl)
      expect(new Set(velocities(plain)).size).toBeGreaterThan(1);
      expect(new Set(velocities(shaped))).toEqual(new Set([100]));
      expect(shaped.map((s) => s.notes.map((n) => n.note))).toEqual(plain.map((s) => s.notes.map((n) => n.note)));
    }
  });

  it('0.5 plays halfway between the flat velocity and the model\'s; 2 twice as far, clamped to 1–127', () => {
    for (const d of [0.5, 2, 1.35]) {
      const { plain, shaped } = twins(howlSpec(3), { dynamics: d });
      expect(velocities(shaped)).toEqual(velocities(plain).map((v) => clamp(100 + d * (v - 100))));
    }
    const { plain, shaped } = twins(howlSpec(3), { dynamics: 2 });
    // Howl's velocities are 60, 80, 100, 120: 120 would be 140
    expect(velocities(plain)).toContain(120);
    expect(Math.max(...velocities(shaped))).toBe(127);
    expect(velocities(shaped)).toContain(20);
  });

  it('a melody grid (flat at 90) stays at 90 at any dynamics', () => {
    const { shaped } = twins(melodySpec(2), { dynamics: 2 });
    expect(new Set(velocities(shaped))).toEqual(new Set([90]));
  });
});

describe('velocityScale multiplies one drum voice\'s velocities after dynamics', () => {
  it('scales the kick only; 0 silences it while the model goes on as before', () => {
    const spec = drumGridSpec(3);
    const g = new Generator(spec, { seed: 11, accent: true });
    const twin = new Generator(spec, { seed: 11, accent: true });
    play(g, 8);
    play(twin, 8);
    g.setVelocityScale('kick', 0.5);
    g.setDynamics(0.5);
    const half = play(g, 64);
    const plain = play(twin, 64);
    const kick = 36;
    expect(plain.some((s) => s.notes.some((n) => n.note === kick))).toBe(true);
    expect(half.map((s) => s.notes.map((n) => n.note))).toEqual(plain.map((s) => s.notes.map((n) => n.note)));
    expect(velocities(half)).toEqual(plain.flatMap((s) => s.notes.map((n) => clamp(clamp(100 + 0.5 * (n.velocity - 100)) * (n.note === kick ? 0.5 : 1)))));
    g.setVelocityScale(0, 0); // by index: the kick
    const silent = play(g, 64);
    const more = play(twin, 64);
    expect(silent.map((s) => s.notes.map((n) => n.note))).toEqual(more.map((s) => s.notes.map((n) => n.note).filter((n) => n !== kick)));
    expect(g.settings.velocityScales).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('is for drum models: others refuse it, and unknown voices are named', () => {
    expect(() => new Generator(howlSpec()).setVelocityScale('kick', 0.5)).toThrow('velocityScale: note-events models have no voices; velocity scales are for drum-grid models');
    expect(() => new Generator(drumGridSpec()).setVelocityScale('cowbell', 0.5)).toThrow(/unknown voice "cowbell"; voices are kick, snare/);
  });
});

describe('timing scales each note\'s distance from its nearest step line', () => {
  /** Each note as (note, where it sounds in steps), from a run of `steps` ticks. */
  const placed = (steps: StepCopy[]) => steps.flatMap((s) => s.notes.map((n) => [n.note, s.step + n.offset] as const));

  function check(spec: ModelSpec, timing: number, steps: number): void {
    const { plain, shaped } = twins(spec, { timing }, steps);
    const expected = placed(plain).map(([note, t]) => {
      const line = Math.round(t);
      return [note, line + timing * (t - line)] as const;
    });
    // the last step's late notes move past the end of the run
    const within = (x: readonly [number, number]) => x[1] < steps - 1;
    const got = placed(shaped).filter(within);
    const want = expected.filter(within);
    expect(got.length).toBe(want.length);
    got.forEach(([note, t], i) => {
      expect(note).toBe(want[i][0]);
      expect(t).toBeCloseTo(want[i][1], 9);
    });
    for (const s of shaped) for (const n of s.notes) expect(n.offset >= 0 && n.offset < 1, `offset ${n.offset}`).toBe(true);
  }

  it('an event model (Howl): 0 puts every note on its step line, a late note on the next; 0.5 halfway', () => {
    const { plain, shaped } = twins(howlSpec(3), { timing: 0 });
    // notes half a step into their step belong to the next step line
    expect(plain.some((s) => s.notes.some((n) => n.offset === 0.5))).toBe(true);
    expect(shaped.every((s) => s.notes.every((n) => n.offset === 0))).toBe(true);
    for (const t of [0, 0.5, 0.85]) check(howlSpec(3), t, 256);
  });

  it.skipIf(!haveShared('fixtures/rnn-drummer'))('the RNN-Drummer: 0 puts its in-step hits on the step lines', async () => {
    const spec = await loadModelSpec(sharedPath('fixtures/rnn-drummer'));
    const { plain, shaped } = twins(spec, { timing: 0 }, 200);
    expect(plain.some((s) => s.notes.some((n) => n.offset > 0))).toBe(true);
    expect(shaped.every((s) => s.notes.every((n) => n.offset === 0))).toBe(true);
    for (const t of [0, 0.3, 0.95]) check(spec, t, 200);
  });

  it('grid models sit on their lines already: timing changes nothing', () => {
    const { plain, shaped } = twins(drumGridSpec(3), { timing: 0 });
    expect(shaped).toEqual(plain);
  });
});

describe('the controls are live: they apply at the next step, show as pending, and replay from the log', () => {
  it('each applies at the next tick, not before', () => {
    const g = new Generator(howlSpec(3), { seed: 4 });
    const twin = new Generator(howlSpec(3), { seed: 4 });
    play(g, 10);
    play(twin, 10);
    g.setDynamics(0);
    g.setTiming(0.5);
    expect(g.pending).toEqual({ dynamics: 0, timing: 0.5 });
    expect(g.applied).toMatchObject({ dynamics: 1, timing: 1 });
    expect(g.settings).toMatchObject({ dynamics: 0, timing: 0.5 });
    expect([g.dynamics, g.timing]).toEqual([1, 1]);
    const next = play(g, 30);
    expect(g.applied).toMatchObject({ dynamics: 0, timing: 0.5 });
    expect(g.pending).toEqual({});
    expect(new Set(velocities(next))).toEqual(new Set([100]));
    expect(velocities(play(twin, 30))).not.toEqual(velocities(next));
    expect(g.log.entries.map((e) => e.control)).toEqual([
      { type: 'dynamics', value: 0 },
      { type: 'timing', value: 0.5 },
    ]);
    expect(g.log.entries.map((e) => e.tick)).toEqual([10, 10]);

    const d = new Generator(drumGridSpec(3));
    d.setVelocityScale('snare', 1.5);
    expect(d.pending).toEqual({ velocityScales: [1, 1.5, 1, 1, 1, 1, 1, 1, 1] });
    expect(d.applied.velocityScales).toEqual(new Array(9).fill(1));
    d.tick();
    expect(d.applied.velocityScales).toEqual([1, 1.5, 1, 1, 1, 1, 1, 1, 1]);
    expect(d.log.entries[0].control).toEqual({ type: 'velocityScale', voice: 1, value: 1.5 });
  });

  it('a performance steered through all three replays note for note from its log', () => {
    for (const spec of [drumGridSpec(5), howlSpec(5)]) {
      const g = new Generator(spec, { seed: 8, lookahead: 6, dynamics: 1.5, timing: 0.25, accent: true });
      const played: StepCopy[] = play(g, 12);
      g.setDynamics(0.3);
      g.setTiming(0);
      if (g.codec.voices.length) g.setVelocityScale('kick', 0.4);
      played.push(...play(g, 20));
      g.setTiming(0.7);
      g.setDynamics(2);
      if (g.codec.voices.length) g.setVelocityScale('closed-hat', 0);
      played.push(...play(g, 40));
      const again = new Generator(spec, g.log.options).replay(JSON.parse(JSON.stringify(g.log)));
      expect(again).toEqual(played);
    }
  });

  it('fork and restore carry them', () => {
    const g = new Generator(drumGridSpec(2), { accent: true });
    g.setDynamics(0.2);
    g.setVelocityScale('snare', 0.5);
    g.tick();
    const f = g.fork();
    expect(f.applied).toMatchObject({ dynamics: 0.2, velocityScales: [1, 0.5, 1, 1, 1, 1, 1, 1, 1] });
    expect(play(f, 40)).toEqual(play(g, 40));
  });
});

describe('out-of-range values are refused with the table\'s words', () => {
  it('by the Generator, as it is made and as a control is sent, changing nothing', () => {
    const g = new Generator(drumGridSpec());
    expect(() => g.setDynamics(2.5)).toThrow(`dynamics: 2.5 is out of range; give ${rangeText(valueArg('dynamics'))}`);
    expect(() => g.setTiming(-0.1)).toThrow(`timing: -0.1 is out of range; give ${rangeText(valueArg('timing'))}`);
    expect(() => g.setVelocityScale('kick', 3)).toThrow(`velocityScale: scale: 3 is out of range; give ${rangeText(scaleArg())}`);
    expect(() => new Generator(drumGridSpec(), { timing: 2 })).toThrow(/^timing: 2 is out of range/);
    expect(g.pending).toEqual({});
    expect(rangeText(valueArg('dynamics'))).toBe('a number from 0 (flat) to 2 (exaggerated)');
    expect(rangeText(valueArg('timing'))).toBe('a number from 0 (on the grid) to 1 (as the model plays)');
    expect(() => checkValue('dynamics', 2)).not.toThrow();
  });

  it('in a log being replayed', () => {
    expect(() => checkLoggedControl({ type: 'dynamics', value: 0.5 })).not.toThrow();
    expect(() => checkLoggedControl({ type: 'dynamics', value: 9 })).toThrow(/replay: bad log entry .*dynamics: 9 is out of range/);
    expect(() => checkLoggedControl({ type: 'timing', value: -1 })).toThrow(/timing: -1 is out of range/);
    expect(() => checkLoggedControl({ type: 'velocityScale', voice: 0, value: 2.5 })).toThrow(/velocityScale: scale: 2.5 is out of range/);
    expect(() => checkLoggedControl({ type: 'velocityScale', voice: -1, value: 1 })).toThrow(/voice -1 is not a voice number/);
    // a voice the model lacks is dropped as it applies, as it was when played
    const g = new Generator(drumGridSpec());
    g.reports = {};
    const steps = g.replay({ format: 'pulse-rnn-performance', version: 1, options: {}, ticks: 3, entries: [{ tick: 1, control: { type: 'velocityScale', voice: 40, value: 0.5 } }] });
    expect(steps).toHaveLength(3);
    expect(g.log.entries[0].dropped).toMatch(/unknown voice 40/);
  });
});

describe('the hosts take them from the table', () => {
  it('the prompt: dynamics(0.5), timing(0), velocityScale(\'kick\', 0.8); out of range refused with the table\'s words', async () => {
    const { LiveSession } = await import('../src/hosts/live-session.js');
    const { InternalClock } = await import('../src/time/internal-clock.js');
    const { FakeTime } = await import('./helpers/fake-time.js');
    const ft = new FakeTime(1000);
    const lines: string[] = [];
    const s = new LiveSession({ spec: drumGridSpec(2), clock: new InternalClock({ bpm: 120, now: ft.now, timers: ft.timers }), seed: 3, dynamics: 0.5, grid: false, print: (t) => lines.push(t) });
    expect(s.generator.applied.dynamics).toBe(0.5);
    s.dynamics(3);
    expect(lines.at(-1)).toBe(`dynamics: 3 is out of range; give ${rangeText(valueArg('dynamics'))}`);
    s.timing(1.05);
    expect(lines.at(-1)).toBe(`timing: 1.05 is out of range; give ${rangeText(valueArg('timing'))}`);
    s.velocityScale('kick', 3);
    let refused = '';
    try {
      s.generator.setVelocityScale('kick', 3);
    } catch (e) {
      refused = (e as Error).message;
    }
    // the Generator's (the table's) message, word for word
    expect(lines.at(-1)).toBe(refused);
    expect(refused).toBe(`velocityScale: scale: 3 is out of range; give ${rangeText(scaleArg())}`);
    s.velocityScale('cowbell', 1);
    expect(lines.at(-1)).toMatch(/^velocityScale: unknown voice "cowbell"; voices are kick, snare/);
    expect(s.generator.pending).toEqual({});
    s.dynamics(0);
    s.timing(0);
    s.velocityScale('kick', 0.8);
    expect(lines.at(-1)).toBe('kick velocities × 0.8 from step 0');
    expect(s.generator.pending).toEqual({ dynamics: 0, timing: 0, velocityScales: [0.8, 1, 1, 1, 1, 1, 1, 1, 1] });
    s.dynamics();
    expect(lines.at(-1)).toBe('dynamics 0.5 (0 from the next step)');
    s.status();
    expect(lines.at(-1)).toContain(' · dynamics 0.5 (0 from the next step) · timing 1 (0 from the next step) · ');
    await s.quit();
  });

  it.skipIf(!haveShared('fixtures/rnn-drummer'))('generate --timing 0 writes the RNN-Drummer\'s hits on the step lines', async () => {
    const { runCli } = await import('./helpers/cli.js');
    const notesOf = async (...flags: string[]) => {
      const r = await runCli('generate', '--model', sharedPath('fixtures/rnn-drummer'), '--steps', '64', '--seed', '5', '--json', ...flags);
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as { notes: { tick: number; note: number }[] }).notes;
    };
    const plain = await notesOf();
    const gridded = await notesOf('--timing', '0');
    expect(plain.some((n) => n.tick % 120 !== 0)).toBe(true);
    expect(gridded.every((n) => n.tick % 120 === 0)).toBe(true);
    expect(gridded.map((n) => n.tick)).toEqual(plain.map((n) => Math.round(n.tick / 120) * 120));
    const r = await runCli('generate', '--dynamics', '2.5', '--steps', '4');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`--dynamics must be ${rangeText(valueArg('dynamics'))}, got '2.5'`);
  }, 60_000);
});
