/**
 * A MIDI output other programs can connect to, made by this process, where the system allows
 * it. JZZ (what WEBMIDI.js uses in Node) only makes ports visible inside this process, so an
 * output visible to a DAW needs the optional `midi-test` package (ALSA on Linux, CoreMIDI on
 * macOS; Windows has no virtual ports). Without it this returns null with the reason.
 *
 * @example
 * const v = await openVirtualOutput('pulse-rnn');
 * if (v.output) new WebMidiSink(v.output); else console.log(v.reason);
 */
import type { MidiOutputLike } from '../io/webmidi-sink.js';

interface MidiSrc {
  connect(): boolean;
  disconnect(): boolean;
  emit(bytes: number[]): boolean;
}

export interface VirtualOutput {
  output: (MidiOutputLike & { close(): void }) | null;
  /** Why there is none (when output is null). */
  reason: string;
}

export async function openVirtualOutput(name: string): Promise<VirtualOutput> {
  if (process.platform === 'win32') return { output: null, reason: 'Windows has no virtual MIDI ports' };
  let mt: { MidiSrc: new (name: string) => MidiSrc };
  try {
    // optional and not a dependency: the specifier is a variable so no bundler resolves it
    const pkg = 'midi-test';
    const mod = (await import(pkg)) as { default?: typeof mt } & typeof mt;
    mt = mod.default ?? mod;
  } catch {
    return { output: null, reason: 'JZZ makes no ports other programs can see, and the optional midi-test package is not installed' };
  }
  try {
    const src = new mt.MidiSrc(name);
    if (!src.connect()) return { output: null, reason: `the system refused a virtual port named ${JSON.stringify(name)}` };
    const pending = new Map<ReturnType<typeof setTimeout>, { at: number; message: number[] }>();
    // the port has no timestamps: hold each message until its time (ms on performance.now())
    const output = {
      send(message: number[], options?: { time?: number }) {
        const at = options?.time ?? 0;
        const wait = at - performance.now();
        if (wait <= 0) return void src.emit(message);
        const t = setTimeout(() => {
          pending.delete(t);
          src.emit(message);
        }, wait);
        pending.set(t, { at, message });
      },
      /** Sends what is still waiting (note-offs must not be lost), then closes the port. */
      close() {
        const rest = [...pending].sort((a, b) => a[1].at - b[1].at);
        for (const [t, { message }] of rest) {
          clearTimeout(t);
          src.emit(message);
        }
        pending.clear();
        src.disconnect();
      },
    };
    return { output, reason: '' };
  } catch (e) {
    return { output: null, reason: `no virtual port could be made (${e instanceof Error ? e.message : String(e)})` };
  }
}
