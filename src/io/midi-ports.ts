/**
 * Opening MIDI ports by name through WEBMIDI.js, with errors that say which ports exist. In
 * Node, WEBMIDI.js reaches the system's ports (and JZZ virtual ports) through JZZ.
 *
 * @example
 * const out = await openOutput('IAC');          // exact name, else a unique part of one
 * const inp = await openInput('Launchpad Mini');
 * console.log(await listPorts());                // { inputs: [...], outputs: [...] }
 * console.log(await systemMidiProblem());        // null, or why the system's ports are out of reach
 */
import { WebMidi, type Input, type Output } from 'webmidi';

// Node-only modules, named through a variable so that page bundles neither include nor resolve them
const nodeImport = (id: string): Promise<any> => import(/* @vite-ignore */ id); // eslint-disable-line @typescript-eslint/no-explicit-any
const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

/** The ALSA sequencer device every Linux MIDI port goes through. */
const ALSA_SEQ = '/dev/snd/seq';
let problem: Promise<string | null> | null = null;

/**
 * Why this system's own MIDI ports (hardware, synths, DAWs) cannot be reached, in one line, or
 * null when they can. Only Linux without an ALSA sequencer says anything (containers, servers);
 * ports made inside this process work either way.
 */
export function systemMidiProblem(): Promise<string | null> {
  problem ??= (async () => {
    if (!inNode || process.platform !== 'linux') return null;
    const fs = await nodeImport('node:fs');
    try {
      await fs.promises.access(ALSA_SEQ, fs.constants.R_OK | fs.constants.W_OK);
      return null;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return `this system has no MIDI sequencer (${ALSA_SEQ} is missing): no synth, DAW or MIDI device can be reached, only ports made inside pulse-rnn; load ALSA's sequencer (sudo modprobe snd-seq) or run where there is one`;
      return `cannot open the MIDI sequencer ${ALSA_SEQ} (${code ?? String(e)}): no synth, DAW or MIDI device can be reached, only ports made inside pulse-rnn; add your user to the audio group`;
    }
  })();
  return problem;
}

/** Enable WEBMIDI.js once (it resolves at once when already enabled). */
export async function enableMidi(): Promise<typeof WebMidi> {
  if (!WebMidi.enabled) {
    // Without a sequencer the native engine only prints ALSA's "open /dev/snd/seq failed" to the
    // terminal on every scan; JZZ picks its engine once, at its first call, so pick none here.
    if (inNode && (await systemMidiProblem()) !== null) (await nodeImport('jzz')).default({ engine: 'none' });
    try {
      await WebMidi.enable();
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(`cannot open MIDI (${why}); browsers need a secure context and the user's permission`);
    }
  }
  return WebMidi;
}

export async function listPorts(): Promise<{ inputs: string[]; outputs: string[] }> {
  const wm = await enableMidi();
  return { inputs: wm.inputs.map((p) => p.name), outputs: wm.outputs.map((p) => p.name) };
}

export async function openOutput(name: string): Promise<Output> {
  const wm = await enableMidi();
  return pick(wm.outputs, name, 'output', await systemMidiProblem());
}

export async function openInput(name: string): Promise<Input> {
  const wm = await enableMidi();
  return pick(wm.inputs, name, 'input', await systemMidiProblem());
}

/** Exact name first, then case-insensitive, then a unique case-insensitive part of a name. */
export function pick<P extends { name: string }>(ports: readonly P[], name: string, kind: string, why: string | null): P {
  const lower = name.toLowerCase();
  const found = ports.find((p) => p.name === name) ?? ports.find((p) => p.name.toLowerCase() === lower);
  if (found) return found;
  const partial = ports.filter((p) => p.name.toLowerCase().includes(lower));
  if (partial.length === 1) return partial[0];
  const names = (list: readonly P[]) => (list.length ? list.map((p) => JSON.stringify(p.name)).join(', ') : '(none)');
  if (partial.length > 1) throw new Error(`MIDI ${kind} name ${JSON.stringify(name)} is ambiguous: it matches ${names(partial)}`);
  throw new Error(`no MIDI ${kind} named ${JSON.stringify(name)}; available ${kind}s: ${names(ports)}${why ? ` (${why})` : ''}`);
}
