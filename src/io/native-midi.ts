/**
 * Real MIDI ports in Node through the optional `@julusian/midi` (RtMidi, prebuilt for ALSA,
 * CoreMIDI and Windows): a virtual output named `pulse-rnn` that a DAW sees as a MIDI source,
 * and the system's inputs and outputs where WEBMIDI.js in Node (JZZ) reaches none. Where the
 * package is missing or does not load, or the system has no MIDI sequencer (a container, a CI
 * machine: on Linux `/dev/snd/seq` is absent and RtMidi cannot start), every call here returns
 * the reason in one line instead of a port; the caller says it and plays on.
 *
 * Notes go out through `WebMidiSink` (see `nativeSink`): the same lookahead, velocity, note-off
 * and all-notes-off handling as a WEBMIDI.js port, each message sent when it is due. An input
 * hands messages on as WEBMIDI.js's `midimessage` events, so the MIDI clock follower and the MIDI
 * mapping listen to it as they listen to a WEBMIDI.js input.
 *
 * @example
 * const v = await openNativeVirtualOutput('pulse-rnn');
 * if (v.port) player.addSink(nativeSink(v.port)); else console.log(`no virtual port: ${v.reason}`);
 * const input = await openNativeInput('IAC Driver Bus 1');   // throws naming the inputs there are
 * if (input.port) new MidiClockFollower(input.port);
 */
import { createRequire } from 'node:module';
import { accessSync, constants } from 'node:fs';
import { pick } from './midi-ports.js';
import { WebMidiSink, type MidiOutputLike, type WebMidiSinkOptions } from './webmidi-sink.js';

/** What RtMidi's ports offer (the package's `Input` and `Output`). */
interface RtPort {
  getPortCount(): number;
  getPortName(i: number): string;
  openPort(i: number): void;
  openVirtualPort(name: string): void;
  closePort(): void;
}
interface RtOutput extends RtPort {
  sendMessage(bytes: number[]): void;
}
interface RtInput extends RtPort {
  on(event: 'message', cb: (deltaSeconds: number, bytes: number[]) => void): void;
  ignoreTypes(sysex: boolean, timing: boolean, activeSensing: boolean): void;
  /** Frees the native side (newer versions): a listing's input must not keep the process alive. */
  destroy?(): void;
}
interface RtMidi {
  Input: new () => RtInput;
  Output: new () => RtOutput;
}

/** A port, or why there is none (one line, for the terminal). */
export type NativePort<P> = { port: P; reason: null } | { port: null; reason: string };

export interface NativeMidiOptions {
  /** The package to load (default `@julusian/midi`). */
  module?: string;
  /** The ALSA sequencer device checked on Linux before RtMidi is started (default /dev/snd/seq). */
  sequencer?: string;
}

const PACKAGE = '@julusian/midi';
const SEQUENCER = '/dev/snd/seq';

/** A WEBMIDI.js `midimessage` event as listeners read it: the bytes, their arrival and the port. */
export interface MidiMessageLike {
  readonly message: { readonly rawData: Uint8Array };
  /** performance.now() milliseconds at arrival. */
  readonly timestamp: number;
  readonly port: { readonly name: string };
}

/** What the MIDI clock follower and the MIDI mapping need from an input (WEBMIDI.js's `Input` has it). */
export interface MidiInputLike {
  readonly name: string;
  addListener(type: 'midimessage', fn: (e: MidiMessageLike) => void): unknown;
  removeListener(type: 'midimessage', fn: (e: MidiMessageLike) => void): unknown;
}

/** RtMidi loaded, or why not. A missing package, a binary that does not load and a system without a sequencer all end here. */
export function loadNativeMidi(o: NativeMidiOptions = {}): RtMidi | string {
  const seq = o.sequencer ?? SEQUENCER;
  if (process.platform === 'linux') {
    try {
      accessSync(seq, constants.R_OK | constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? `this system has no MIDI sequencer (${seq} is absent)` : `cannot open the MIDI sequencer ${seq} (${code ?? String(e)}; add your user to the audio group)`;
    }
  }
  try {
    // optional: required at run time, so a bundle neither includes nor needs it
    return createRequire(import.meta.url)(o.module ?? PACKAGE) as RtMidi;
  } catch (e) {
    return `the optional ${o.module ?? PACKAGE} package is not installed or does not load here (${firstLine(e)})`;
  }
}

/** Make an RtMidi port; constructing one throws where the system's MIDI cannot start. */
function make<K extends 'Input' | 'Output'>(kind: K, o: NativeMidiOptions): NativePort<InstanceType<RtMidi[K]>> {
  const lib = loadNativeMidi(o);
  if (typeof lib === 'string') return { port: null, reason: lib };
  try {
    return { port: new lib[kind]() as InstanceType<RtMidi[K]>, reason: null };
  } catch (e) {
    return { port: null, reason: `the system's MIDI did not start (${firstLine(e)})` };
  }
}

/** An RtMidi output as WebMidiSink's port: messages are sent when the sink says they are due. */
export class NativeOutput implements MidiOutputLike {
  private open = true;
  constructor(
    private readonly rt: RtOutput,
    readonly name: string,
  ) {}
  send(bytes: number[]): void {
    if (this.open) this.rt.sendMessage(bytes);
  }
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.rt.closePort();
  }
}

/** An RtMidi input handing its messages on as WEBMIDI.js `midimessage` events (clock and SysEx included). */
export class NativeInput implements MidiInputLike {
  private readonly listeners = new Set<(e: MidiMessageLike) => void>();
  private open = true;
  constructor(
    private readonly rt: RtInput,
    readonly name: string,
  ) {
    rt.ignoreTypes(false, false, true);
    rt.on('message', (_delta, bytes) => {
      const e: MidiMessageLike = { message: { rawData: Uint8Array.from(bytes) }, timestamp: performance.now(), port: { name } };
      for (const fn of this.listeners) fn(e);
    });
  }
  addListener(_type: 'midimessage', fn: (e: MidiMessageLike) => void): void {
    this.listeners.add(fn);
  }
  removeListener(_type: 'midimessage', fn: (e: MidiMessageLike) => void): void {
    this.listeners.delete(fn);
  }
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.listeners.clear();
    this.rt.closePort();
    this.rt.destroy?.();
  }
}

/**
 * A virtual output other programs see as a MIDI source named `name` (ALSA and CoreMIDI;
 * Windows has no virtual ports: use a loopback driver and `openNativeOutput`).
 */
export function openNativeVirtualOutput(name = 'pulse-rnn', o: NativeMidiOptions = {}): NativePort<NativeOutput> {
  if (process.platform === 'win32') return { port: null, reason: 'Windows has no virtual MIDI ports (use a loopback driver such as loopMIDI and --out)' };
  const made = make('Output', o);
  if (!made.port) return made;
  try {
    made.port.openVirtualPort(name);
    return { port: new NativeOutput(made.port, name), reason: null };
  } catch (e) {
    return { port: null, reason: `the system refused a virtual MIDI port named ${JSON.stringify(name)} (${firstLine(e)})` };
  }
}

/** The system's MIDI ports as RtMidi sees them, or why it sees none. */
export function listNativePorts(o: NativeMidiOptions = {}): { inputs: string[]; outputs: string[] } | string {
  const names = (p: RtPort) => Array.from({ length: p.getPortCount() }, (_, i) => p.getPortName(i));
  const input = make('Input', o);
  if (!input.port) return input.reason;
  const output = make('Output', o);
  if (!output.port) return output.reason;
  const ports = { inputs: names(input.port), outputs: names(output.port) };
  input.port.destroy?.();
  return ports;
}

/** A system output by name (exact, any case, or a unique part of one); throws naming the outputs there are. */
export function openNativeOutput(name: string, o: NativeMidiOptions = {}): NativePort<NativeOutput> {
  return openSystem('Output', name, o, (rt, found) => new NativeOutput(rt, found));
}

/** A system input by name, as `openNativeOutput` finds one. */
export function openNativeInput(name: string, o: NativeMidiOptions = {}): NativePort<NativeInput> {
  return openSystem('Input', name, o, (rt, found) => new NativeInput(rt, found));
}

function openSystem<K extends 'Input' | 'Output', P>(kind: K, name: string, o: NativeMidiOptions, wrap: (rt: InstanceType<RtMidi[K]>, name: string) => P): NativePort<P> {
  const made = make(kind, o);
  if (made.reason !== null) return made;
  const found = pickPort(made.port, name, kind.toLowerCase());
  made.port.openPort(found.index);
  return { port: wrap(made.port, found.name), reason: null };
}

/** Notes into a native output with WebMidiSink's timing: each message held until due, then sent. */
export function nativeSink(output: NativeOutput, options: Omit<WebMidiSinkOptions, 'schedule'> = {}): WebMidiSink {
  return new WebMidiSink(output, { ...options, schedule: 'self' });
}

/** A port by name, as WEBMIDI.js ports are found (midi-ports.ts `pick`). */
function pickPort(rt: RtPort, name: string, kind: string): { index: number; name: string } {
  return pick(Array.from({ length: rt.getPortCount() }, (_, index) => ({ index, name: rt.getPortName(index) })), name, kind, null);
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];
