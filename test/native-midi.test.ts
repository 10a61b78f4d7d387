// Real MIDI ports through the optional @julusian/midi (native-midi.ts, port-choice.ts). Where the
// system has a MIDI sequencer, the virtual output "pulse-rnn" is made for real, an input of this
// process reads what the sink sends through it (every note-on gets its note-off) and the MIDI clock
// follower steps on pulses arriving through a native input. Where it has none (a container: no
// /dev/snd/seq), that path is what runs: RtMidi refuses for real, the performance says so in one
// line and plays on silently, and `ports` still lists what there is.
import { accessSync, constants } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { WebMidi } from 'webmidi';
import { loadNativeMidi, openNativeInput, openNativeVirtualOutput, type MidiMessageLike } from '../src/io/native-midi.js';
import { openClockInput, openPlayOutput, VIRTUAL_PORT } from '../src/hosts/port-choice.js';
import { runPlay, runPorts } from '../src/hosts/play.js';
import { MidiClockFollower } from '../src/time/midi-clock-follower.js';
import { isOff, isOn } from './helpers/midi-notes.js';

const SEQ = '/dev/snd/seq';
const noSequencer = (() => {
  if (process.platform !== 'linux') return null;
  try {
    accessSync(SEQ, constants.R_OK | constants.W_OK);
    return null;
  } catch {
    return `${SEQ} is absent`;
  }
})();
const loaded = loadNativeMidi();
/** Why the real ports cannot be tried here (null: they can). */
const noPorts = typeof loaded === 'string' ? loaded : null;
if (noPorts) console.warn(`native-midi.test.ts: the real-port tests are skipped: ${noPorts}`);

afterAll(async () => {
  if (WebMidi.enabled) await WebMidi.disable();
});

/** Resolve once `done()` holds, checking as each message arrives. */
const until = (done: () => boolean, onMessage: (cb: () => void) => void) => new Promise<void>((resolve) => onMessage(() => done() && resolve()));

describe.skipIf(noPorts !== null)('with a MIDI sequencer: real ports', () => {
  it('the virtual output "pulse-rnn" is a port other clients see; notes sent through it arrive, each note-on with its note-off', async () => {
    const opened = await openPlayOutput(VIRTUAL_PORT);
    expect(opened.reason).toBe('');
    const input = openNativeInput(VIRTUAL_PORT);
    expect(input.reason).toBeNull();
    const got: number[][] = [];
    const arrived = until(
      () => got.filter(isOn).length === 2 && got.filter(isOff).length === 2,
      (cb) => input.port?.addListener('midimessage', (e: MidiMessageLike) => (got.push([...e.message.rawData]), cb())),
    );
    const now = performance.now() / 1000;
    opened.output?.sink.noteOn(36, 100, 9, now + 0.01, 0.03);
    opened.output?.sink.noteOn(38, 60, 9, now + 0.02, 0.03);
    await arrived;
    expect(got.filter(isOn).map((m) => [m[0], m[1], m[2]])).toEqual([
      [0x99, 36, 100],
      [0x99, 38, 60],
    ]);
    input.port?.close();
    opened.output?.close();
  }, 30_000);

  it('an input is found by a part of its name; the clock follower steps on pulses arriving through it', async () => {
    // a virtual output is a source: other clients (this process too) see it among the inputs
    const master = openNativeVirtualOutput('pulse-rnn clock master');
    expect(master.reason).toBeNull();
    const { input, close } = await openClockInput('clock master');
    expect(input.name).toMatch(/pulse-rnn clock master/);
    const clock = new MidiClockFollower(input, { pulsesPerStep: 6 });
    let steps = 0;
    const stepped = new Promise<void>((resolve) => clock.onStep(() => ++steps === 4 && resolve()));
    master.port?.send([0xfa]);
    const timer = setInterval(() => master.port?.send([0xf8]), 10);
    await stepped;
    clearInterval(timer);
    clock.dispose();
    close();
    master.port?.close();
    expect(steps).toBeGreaterThanOrEqual(4);
  }, 30_000);
});

describe.skipIf(noSequencer === null)(`without a MIDI sequencer (${SEQ} absent, as here)`, () => {
  it('says why in one line instead of a port: no sequencer, RtMidi refusing to start, the package missing', () => {
    expect(openNativeVirtualOutput(VIRTUAL_PORT)).toEqual({ port: null, reason: `this system has no MIDI sequencer (${SEQ} is absent)` });
    // past the check, constructing RtMidi's port throws for real: ALSA cannot open the sequencer
    const refused = openNativeVirtualOutput(VIRTUAL_PORT, { sequencer: '/dev/null' });
    expect(refused.port).toBeNull();
    expect(refused.reason).toMatch(/^the system's MIDI did not start \(.+\)$/);
    expect(refused.reason).not.toMatch(/\n/);
    const missing = openNativeVirtualOutput(VIRTUAL_PORT, { sequencer: '/dev/null', module: '@julusian/midi-not-installed' });
    expect(missing.reason).toMatch(/^the optional @julusian\/midi-not-installed package is not installed or does not load here \(Cannot find module/);
    expect(openNativeInput('anything').reason).toMatch(/no MIDI sequencer/);
  });

  it('--virtual: the performance says so in one line and plays on, silently, to its last step', async () => {
    let text = '';
    const stdout = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
    await runPlay({ model: 'weights/drums-gmd', bpm: 600, clock: 'internal', out: VIRTUAL_PORT, seed: 3, temperature: 1, steps: 16, repl: false }, { stdin: Readable.from([]), stdout, signals: false });
    const lines = text.trim().split('\n');
    expect(lines.filter((l) => /virtual MIDI output/.test(l))).toEqual([`no virtual MIDI output "pulse-rnn" here (this system has no MIDI sequencer (${SEQ} is absent)): playing silently`]);
    expect(lines[1]).toMatch(/^playing .*drums-gmd .* silently on the internal clock/);
    expect(lines.some((l) => /^kick/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('stopped after 16 steps');
  }, 60_000);

  it('ports lists what WEBMIDI.js has and says no virtual output can be made here', async () => {
    const lines: string[] = [];
    const notes: string[] = [];
    await runPorts((l) => lines.push(l), (n) => notes.push(n));
    for (const l of lines) expect(l).toMatch(/^(no MIDI (inputs|outputs|inputs or outputs) found|input {3}\S.*|output {2}\S.*)$/);
    expect(notes.at(-1)).toBe('no virtual output "pulse-rnn" can be made here either');
  }, 30_000);

  it('a port named and found nowhere is refused naming the ports there are, once', async () => {
    await expect(openPlayOutput('Nonexistent Synth')).rejects.toThrow(/^no MIDI output named "Nonexistent Synth"; available outputs: /);
    await expect(openClockInput('Nonexistent Clock')).rejects.toThrow(/^no MIDI input named "Nonexistent Clock"; available inputs: /);
  }, 30_000);
});
