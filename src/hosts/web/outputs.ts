/**
 * Where the page's notes go: the built-in Tone.js kit, a Web MIDI output port, or an RNBO
 * device from a web export. Each is made here from the library's sinks and comes back as an
 * `Output` the stage can swap in and out while playing. WEBMIDI.js and @rnbo/js are loaded only
 * when asked for, so the page starts quickly and works without either.
 *
 * @example
 * const audio = openAudio();
 * const kit = toneOutput(audio);                              // sounds at once
 * const { output, warnings } = await rnboOutput(audio, { url: 'export/patch.export.json' });
 * const ports = await midiPorts();                            // throws a readable error when denied
 * const synth = await midiOutput(ports.outputs[0], audio);
 */
import type { NoteSink } from '../../io/sink.js';
import { ToneSink } from '../../io/tone-sink.js';
import type { Audio } from './audio.js';

export type OutputKind = 'tone' | 'midi' | 'rnbo';

export interface RnboParameter {
  readonly id: string;
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly steps: number;
  readonly unit: string;
  value: number;
}

export interface Output {
  readonly kind: OutputKind;
  /** For the page: "Tone.js kit", "MIDI: IAC Bus 1", "RNBO: paffer.export.json". */
  readonly label: string;
  readonly sink: NoteSink;
  /** RNBO devices: their parameters, to show as sliders. */
  readonly parameters?: readonly RnboParameter[];
  /** Release what this output holds (the Tone kit is kept for reuse). */
  dispose(): void;
}

let kit: ToneSink | null = null;

/** The Tone.js drum kit and synth: no setup, made once per page. */
export function toneOutput(audio: Audio): Output {
  kit ??= new ToneSink({ context: audio.tone, destination: audio.master });
  const sink = kit;
  return { kind: 'tone', label: 'Tone.js kit', sink, dispose: () => sink.allNotesOff() };
}

/** Melodic notes the Tone.js synth sounds now or will (0 before the kit is made). */
export function toneSounding(): number {
  return kit?.sounding() ?? 0;
}

/** The MIDI ports the browser offers; throws with what to do when MIDI is missing or denied. */
export async function midiPorts(): Promise<{ inputs: string[]; outputs: string[] }> {
  if (typeof navigator === 'undefined' || typeof navigator.requestMIDIAccess !== 'function') {
    throw new Error('Web MIDI is not available in this browser (use Chrome, Edge or Firefox, on https or 127.0.0.1)');
  }
  const { listPorts } = await import('../../io/midi-ports.js');
  try {
    return await listPorts();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    // the browser's own reason, inside the library's general advice
    const reason = /\(([^)]*)\)/.exec(why)?.[1] ?? why;
    if (/denied|not granted|not allowed|permission/i.test(reason)) {
      throw new Error(`MIDI permission denied (${reason}). Allow MIDI for this page in the browser's site settings (the icon left of the address), then press "Find MIDI ports" again.`);
    }
    throw new Error(`Web MIDI could not start (${reason}). Check that the computer's MIDI service is running (on Linux, the ALSA sequencer), then press "Find MIDI ports" again.`);
  }
}

/** A Web MIDI output port by name; notes are timestamped so they land with the audio. */
export async function midiOutput(name: string, audio: Audio): Promise<Output> {
  const [{ openOutput }, { WebMidiSink }] = await Promise.all([import('../../io/midi-ports.js'), import('../../io/webmidi-sink.js')]);
  const port = await openOutput(name);
  const sink = new WebMidiSink(port, { toDeviceTime: (s) => audio.toPerformanceMs(s) });
  return { kind: 'midi', label: `MIDI: ${port.name}`, sink, dispose: () => sink.close() };
}

/** Where an RNBO export comes from: a URL, or a file the performer dropped or picked. */
export type RnboSource = { url: string } | { file: File };

/**
 * An RNBO device from a web export (`patch.export.json`), sounding through the master bus at a
 * safe level (exports have no limiter: chords sum above full scale).
 */
export async function rnboOutput(audio: Audio, source: RnboSource): Promise<{ output: Output; warnings: string[] }> {
  const [mod, { loadRnboDevice, checkRnboPatcher }, { RnboSink }] = await Promise.all([import('@rnbo/js'), import('../../io/rnbo-device.js'), import('../../io/rnbo-sink.js')]);
  // @rnbo/js is a UMD bundle: bundled as CommonJS, its exports arrive as the default export
  const rnbo = ((mod as { default?: unknown }).default ?? mod) as typeof mod;
  let name: string;
  let patch: Parameters<typeof loadRnboDevice>[1];
  if ('file' in source) {
    name = source.file.name;
    const text = await source.file.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${name} is not an RNBO export: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    patch = checkRnboPatcher(json, name);
  } else {
    const url = source.url.trim();
    if (!url) throw new Error('RNBO export URL is empty: give the address of a patch.export.json');
    name = url.slice(url.lastIndexOf('/') + 1) || url;
    patch = url;
  }
  const loaded = await loadRnboDevice(audio.context, patch, { rnbo });
  const { device } = loaded;
  const level = audio.context.createGain();
  level.gain.value = 0.3;
  device.node.connect(level);
  level.connect(audio.master);
  const sink = new RnboSink(device, { rnbo, transport: true });
  const parameters: RnboParameter[] = device.parameters.map((p) => ({
    id: p.id,
    name: p.displayName || p.name,
    min: p.min,
    max: p.max,
    steps: p.steps,
    unit: p.unit,
    get value() {
      return p.value;
    },
    set value(v: number) {
      p.value = v;
    },
  }));
  const output: Output = {
    kind: 'rnbo',
    label: `RNBO: ${name}`,
    sink,
    parameters,
    dispose() {
      sink.close();
      // let the device's release ring out before it is cut off
      setTimeout(() => {
        device.node.disconnect();
        level.disconnect();
      }, 1000);
    },
  };
  const warnings = 'file' in source ? loaded.warnings.map((w) => w.replace('the patcher object', name)) : loaded.warnings;
  return { output, warnings };
}
