// Each part its own output, in real time on JZZ virtual MIDI ports: `play --part-out keys=PORT`
// sends the keys to their port and the drums to theirs, nothing crosses over, and pausing,
// muting and quitting leave no note stuck on either. Assertions are on what arrived, never on
// how long anything took.
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebMidi } from 'webmidi';
import { LiveSession } from '../src/hosts/live-session.js';
import { collectPartOuts } from '../src/hosts/part-flags.js';
import { runPlay } from '../src/hosts/play.js';
import { WebMidiSink } from '../src/io/webmidi-sink.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { runCli } from './helpers/cli.js';
import { steps } from './helpers/clock-steps.js';
import { capturePort, everyOnHasItsOff, isOn, type Got } from './helpers/midi-notes.js';
import { drumGridSpec, melodySpec } from './helpers/models.js';

const A = 'pulse-rnn parts-outputs A';
const B = 'pulse-rnn parts-outputs B';
const onA: Got[] = [];
const onB: Got[] = [];

/** Channels (1–16) of the note-ons among `got`. */
const channels = (got: readonly Got[]) => new Set(got.filter((m) => isOn(m.bytes)).map((m) => (m.bytes[0] & 15) + 1));

/** runPlay in this process, what it prints collected. */
function host() {
  let text = '';
  const stdout = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { io: { stdin: Readable.from([]), stdout, signals: false }, said: () => text };
}

beforeAll(async () => {
  capturePort(A, onA);
  capturePort(B, onB);
  await WebMidi.enable();
});

afterAll(async () => {
  if (WebMidi.enabled) await WebMidi.disable();
});

describe('each part its own output', () => {
  it('play --part-out keys=PORT: the drums go to --out, the keys to their own port, each note on one port only, and every note ends', async () => {
    onA.length = 0;
    onB.length = 0;
    const { io, said } = host();
    await runPlay({ model: 'weights/drums-gmd', bpm: 960, clock: 'internal', out: A, seed: 3, temperature: 1, steps: 48, repl: false, parts: [{ name: 'keys', model: 'weights/chords-jsb', channel: 1 }], partOuts: [{ name: 'keys', port: B }] }, io);
    expect(said()).toMatch(new RegExp(`parts: drums \\(drum-grid\\), keys \\(piano-roll, channel 1, to "${B}"\\)`));
    expect(said()).toMatch(new RegExp(`playing weights/drums-gmd \\(drum-grid\\) to "${A}"`));
    expect([...channels(onA)]).toEqual([10]);
    expect([...channels(onB)]).toEqual([1]);
    expect(everyOnHasItsOff(onA)).toBe(true);
    expect(everyOnHasItsOff(onB)).toBe(true);
    // the grid shows both parts, a block a bar under their names
    expect(said()).toMatch(/── bar 1 · steps 0–15\ndrums:\nkick[^]*\nkeys:\n[A-G]#?\d/);
  }, 60_000);

  it('a part given its own output for every part opens no shared one; a --part-out naming no part is refused, naming the parts', async () => {
    onA.length = 0;
    onB.length = 0;
    const { io, said } = host();
    await runPlay({ model: 'weights/drums-gmd', bpm: 960, clock: 'internal', seed: 4, temperature: 1, steps: 32, repl: false, grid: false, parts: [{ name: 'keys', model: 'weights/chords-jsb', channel: 2 }], partOuts: [{ name: 'drums', port: B }, { name: 'keys', port: A }] }, io);
    expect(said()).not.toMatch(/no --out given/);
    expect(said()).toMatch(new RegExp(`to "${B}" on the internal clock`));
    expect([...channels(onB)]).toEqual([10]);
    expect([...channels(onA)]).toEqual([2]);
    expect(everyOnHasItsOff([...onA, ...onB])).toBe(true);
    const wrong = host();
    await expect(runPlay({ model: 'weights/drums-gmd', bpm: 960, clock: 'internal', out: A, seed: 4, temperature: 1, steps: 4, repl: false, parts: [{ name: 'keys', model: 'weights/chords-jsb', channel: 2 }], partOuts: [{ name: 'bass', port: B }] }, wrong.io)).rejects.toThrow("--part-out bass=pulse-rnn parts-outputs B: there is no part named 'bass'; the parts are drums, keys");
  }, 60_000);

  it('status() names each part\'s output; pausing or muting a part ends its notes on its own port only; quit ends every note on each', async () => {
    onA.length = 0;
    onB.length = 0;
    await WebMidi.enable(); // the runs before disabled it, as a performance does when it ends
    const clock = new InternalClock({ bpm: 480 });
    const a = new WebMidiSink(WebMidi.getOutputByName(A)!);
    const b = new WebMidiSink(WebMidi.getOutputByName(B)!);
    const lines: string[] = [];
    const s = new LiveSession({ spec: drumGridSpec(3), clock, sinks: [a], output: `"${A}"`, seed: 7, grid: false, print: (t) => lines.push(t), parts: [{ name: 'keys', spec: melodySpec(2), channel: 3, sinks: [b], output: `"${B}"`, seed: 11 }] });
    s.status();
    expect(lines.at(-1)).toMatch(new RegExp(`\\n {2}drums: .* · to "${A}", channel the model's · .*\\n {2}keys: .* · to "${B}", channel 3 · `));
    s.start();
    await steps(clock, 20);
    s.partCommand('keys', 'pause', []);
    await steps(clock, 8);
    // paused: every key of the keys ended on B, and the drums went on on A alone
    const paused = onB.length;
    expect(everyOnHasItsOff(onB)).toBe(true);
    s.partCommand('keys', 'resume', []);
    s.partCommand('drums', 'mute', []);
    await steps(clock, 8);
    expect(everyOnHasItsOff(onA)).toBe(true);
    await steps(clock, 12);
    await s.quit();
    expect(onB.length).toBeGreaterThan(paused);
    expect([...channels(onA)]).toEqual([10]);
    expect([...channels(onB)]).toEqual([3]);
    expect(everyOnHasItsOff(onA)).toBe(true);
    expect(everyOnHasItsOff(onB)).toBe(true);
  }, 60_000);

  it('start --out PORT --keys --part-out keys=PORT: the drums to one port, the keys to the other', async () => {
    onA.length = 0;
    onB.length = 0;
    const r = await runCli('start', '--port', '0', '--out', A, '--keys', '--part-out', `keys=${B}`, '--steps', '48', '--bpm', '960', '--seed', '6', '--no-repl');
    expect(r.code).toBe(0);
    expect([...channels(onA)]).toEqual([10]);
    expect([...channels(onB)]).toEqual([1]);
    expect(everyOnHasItsOff(onA)).toBe(true);
    expect(everyOnHasItsOff(onB)).toBe(true);
  }, 60_000);

  it('--virtual-parts gives every part its own virtual output pulse-rnn-NAME, or says in one line a part why not and plays on', async () => {
    const { io, said } = host();
    await runPlay({ model: 'weights/drums-gmd', bpm: 960, clock: 'internal', seed: 5, temperature: 1, steps: 8, repl: false, grid: false, parts: [{ name: 'keys', model: 'weights/chords-jsb', channel: 1 }], virtualParts: true }, io);
    for (const part of ['drums', 'keys']) {
      const made = new RegExp(`${part} \\([^)]*to the virtual MIDI output "pulse-rnn-${part}"\\)`).test(said());
      const refused = new RegExp(`^${part}: no virtual MIDI output "pulse-rnn-${part}" here \\(.+\\): ${part} plays silently$`, 'm').test(said());
      expect(made || refused).toBe(true);
    }
    expect(said()).not.toMatch(/no --out given/);
    expect(said()).toMatch(/stopped after 8 steps/);
  }, 60_000);

  it('the command line: --part-out is NAME=PORT, once a part; --virtual-parts with --out or --virtual is refused; start takes --part-out beside --out', async () => {
    expect(collectPartOuts('keys="IAC Driver Bus 2"', [])).toEqual([{ name: 'keys', port: 'IAC Driver Bus 2' }]);
    expect(() => collectPartOuts('keys', [])).toThrow("--part-out must be NAME=PORT (e.g. keys=\"IAC Driver Bus 2\"), got 'keys'");
    expect(() => collectPartOuts('2x=A', [])).toThrow("'2x' is not a part's name");
    expect(() => collectPartOuts('keys=B', [{ name: 'keys', port: 'A' }])).toThrow("part 'keys' is given an output twice");
    const both = await runCli('play', '--virtual-parts', '--virtual', '--steps', '1', '--no-repl');
    expect(both.code).toBe(1);
    expect(both.err).toMatch(/give --virtual-parts \(every part its own virtual output\) or --virtual, not both/);
    const out = await runCli('play', '--virtual-parts', '--out', A, '--steps', '1', '--no-repl');
    expect(out.err).toMatch(/or --out "pulse-rnn parts-outputs A", not both/);
    const bad = await runCli('play', '--part-out', 'keys', '--steps', '1', '--no-repl');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--part-out must be NAME=PORT/);
    // start: without --out the page sounds every part, so a part's own port needs --out for the others
    const page = await runCli('start', '--keys', '--part-out', `keys=${B}`, '--steps', '1', '--no-repl');
    expect(page.code).toBe(1);
    expect(page.err).toMatch(/--part-out keys=pulse-rnn parts-outputs B needs --out PORT \(or --virtual\) for the other parts: without one the page sounds every part/);
  }, 60_000);
});
