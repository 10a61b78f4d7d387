/**
 * Opening MIDI ports by name through WEBMIDI.js, with errors that say which ports exist. In
 * Node, WEBMIDI.js reaches the system's ports (and JZZ virtual ports) through JZZ.
 *
 * @example
 * const out = await openOutput('IAC');          // exact name, else a unique part of one
 * const inp = await openInput('Launchpad Mini');
 * console.log(await listPorts());                // { inputs: [...], outputs: [...] }
 */
import { WebMidi, type Input, type Output } from 'webmidi';

/** Enable WEBMIDI.js once (it resolves at once when already enabled). */
export async function enableMidi(): Promise<typeof WebMidi> {
  if (!WebMidi.enabled) {
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
  return pick(wm.outputs, name, 'output');
}

export async function openInput(name: string): Promise<Input> {
  const wm = await enableMidi();
  return pick(wm.inputs, name, 'input');
}

/** Exact name first, then case-insensitive, then a unique case-insensitive part of a name. */
function pick<P extends { name: string }>(ports: readonly P[], name: string, kind: string): P {
  const lower = name.toLowerCase();
  const found = ports.find((p) => p.name === name) ?? ports.find((p) => p.name.toLowerCase() === lower);
  if (found) return found;
  const partial = ports.filter((p) => p.name.toLowerCase().includes(lower));
  if (partial.length === 1) return partial[0];
  const names = (list: readonly P[]) => (list.length ? list.map((p) => JSON.stringify(p.name)).join(', ') : '(none)');
  if (partial.length > 1) throw new Error(`MIDI ${kind} name ${JSON.stringify(name)} is ambiguous: it matches ${names(partial)}`);
  throw new Error(`no MIDI ${kind} named ${JSON.stringify(name)}; available ${kind}s: ${names(ports)}`);
}
