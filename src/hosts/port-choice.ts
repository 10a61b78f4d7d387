/**
 * The MIDI ports a terminal performance plays through and follows, by name: WEBMIDI.js's first
 * (in Node, JZZ: this process's own virtual ports and, where it reaches them, the system's),
 * then the system's through the optional `@julusian/midi` (native-midi.ts). `pulse-rnn` names
 * the performance's own virtual output, the one a DAW sees as a MIDI source. Where the system
 * has no MIDI (no sequencer, the package missing), a virtual port comes back as the reason in
 * one line and the performance goes on; a port named and found nowhere is an error listing the
 * ports there are.
 *
 * @example
 * const out = await openPlayOutput('pulse-rnn');       // the virtual port, or its reason
 * if (out.output) sinks.push(out.output.sink); else print(`no virtual MIDI output: ${out.reason}`);
 * const input = await openClockInput('IAC Driver Bus 1');
 * const clock = new MidiClockFollower(input.input);
 */
import { listPorts, openInput, openOutput, systemMidiProblem } from '../io/midi-ports.js';
import { listNativePorts, nativeSink, openNativeInput, openNativeOutput, openNativeVirtualOutput, type MidiInputLike, type NativeMidiOptions, type NativePort } from '../io/native-midi.js';
import type { NoteSink } from '../io/sink.js';
import { WebMidiSink } from '../io/webmidi-sink.js';

/** The name of the performance's own virtual output (`--out pulse-rnn`, `--virtual`). */
export const VIRTUAL_PORT = 'pulse-rnn';

/** A part's own virtual output (`--virtual-parts`): `pulse-rnn-keys`. */
export const partVirtualPort = (part: string): string => `${VIRTUAL_PORT}-${part}`;

/** `pulse-rnn`, or a part's `pulse-rnn-keys`: names this performance makes rather than finds. */
const isVirtualName = (name: string): boolean => /^pulse-rnn(-[a-z][a-z0-9]*)?$/i.test(name);

export interface PlayOutput {
  sink: NoteSink;
  /** As the terminal says where the sound goes: `"IAC Driver Bus 2"`, `the virtual MIDI output "pulse-rnn"`. */
  said: string;
  close(): void;
}

const notFound = (e: unknown) => e instanceof Error && /^no MIDI (input|output) named/.test(e.message);

/**
 * `--out NAME`: null with the reason for a virtual port the system cannot make (`pulse-rnn`, or a
 * part's `pulse-rnn-keys`); a name found nowhere throws.
 */
export async function openPlayOutput(name: string, o: NativeMidiOptions = {}): Promise<{ output: PlayOutput | null; reason: string }> {
  if (isVirtualName(name)) {
    const own = VIRTUAL_PORT + name.slice(VIRTUAL_PORT.length);
    const v = openNativeVirtualOutput(own, o);
    if (!v.port) return { output: null, reason: v.reason };
    const port = v.port;
    return { output: { sink: nativeSink(port), said: `the virtual MIDI output ${JSON.stringify(own)}`, close: () => port.close() }, reason: '' };
  }
  try {
    const output = await openOutput(name);
    return { output: { sink: new WebMidiSink(output), said: JSON.stringify(output.name), close: () => {} }, reason: '' };
  } catch (e) {
    if (!notFound(e)) throw e;
    const port = openSystemPort(() => openNativeOutput(name, o), e as Error);
    return { output: { sink: nativeSink(port), said: JSON.stringify(port.name), close: () => port.close() }, reason: '' };
  }
}

/** A MIDI input by name, for a clock to follow or a controller: WEBMIDI.js's, else the system's. */
export async function openClockInput(name: string, o: NativeMidiOptions = {}): Promise<{ input: MidiInputLike; close(): void }> {
  try {
    return { input: await openInput(name), close: () => {} };
  } catch (e) {
    if (!notFound(e)) throw e;
    const port = openSystemPort(() => openNativeInput(name, o), e as Error);
    return { input: port, close: () => port.close() };
  }
}

/** The system's port through native MIDI; where it has none either, WEBMIDI.js's error, with native MIDI's reason when it has one. */
function openSystemPort<P>(open: () => NativePort<P>, webmidi: Error): P {
  let opened: NativePort<P>;
  try {
    opened = open();
  } catch {
    throw webmidi; // its list of ports is the one that counts: JZZ's own ports are there too
  }
  if (opened.reason !== null) throw sameCause(webmidi.message, opened.reason) ? webmidi : new Error(`${webmidi.message} (and none through @julusian/midi: ${opened.reason})`);
  return opened.port;
}

/** Both say the system has no MIDI sequencer: once is enough. */
const sameCause = (a: string, b: string) => /MIDI sequencer/.test(a) && /MIDI sequencer/.test(b);

/**
 * Every port a performance can name: WEBMIDI.js's, then the system's through native MIDI that
 * WEBMIDI.js does not list; `notes` says what is missing and whether `pulse-rnn` can be made.
 */
export async function allPorts(o: NativeMidiOptions = {}): Promise<{ inputs: string[]; outputs: string[]; notes: string[] }> {
  const ports = await listPorts();
  const notes: string[] = [];
  const problem = await systemMidiProblem();
  if (problem) notes.push(problem);
  const native = listNativePorts(o);
  if (typeof native === 'string') {
    const why = problem && sameCause(problem, native) ? '' : `no system ports through @julusian/midi (${native}); `;
    notes.push(`${why}no virtual output ${JSON.stringify(VIRTUAL_PORT)} can be made here either`);
    return { ...ports, notes };
  }
  const add = (list: string[], more: string[]) => [...list, ...more.filter((n) => !list.includes(n))];
  notes.push(`--out ${VIRTUAL_PORT} (or --virtual) opens a virtual output ${JSON.stringify(VIRTUAL_PORT)} that a DAW sees as a MIDI source`);
  return { inputs: add(ports.inputs, native.inputs), outputs: add(ports.outputs, native.outputs), notes };
}
