/**
 * MIDI messages caught on a virtual port, and the check every live test makes of them: every
 * note-on has its note-off.
 */
import JZZ from 'jzz';
import { WebMidi, type Output } from 'webmidi';
import { ClockSource } from './midi-clock-source.js';

export interface Got {
  at: number;
  bytes: number[];
}

export const isOn = (b: number[]) => (b[0] & 0xf0) === 0x90 && b[2] > 0;
export const isOff = (b: number[]) => (b[0] & 0xf0) === 0x80 || ((b[0] & 0xf0) === 0x90 && b[2] === 0);

/** Pairs each note-on with the next note-off of its key; returns the unpaired ons and the pairs. */
export function pair(msgs: readonly Got[]) {
  const open = new Map<string, Got[]>();
  const pairs: [Got, Got][] = [];
  for (const m of msgs) {
    const key = `${m.bytes[0] & 15}:${m.bytes[1]}`;
    if (isOn(m.bytes)) open.set(key, [...(open.get(key) ?? []), m]);
    else if (isOff(m.bytes)) {
      const o = open.get(key) ?? [];
      if (o.length) pairs.push([o.shift()!, m]);
    }
  }
  return { unpaired: [...open.values()].flat(), pairs };
}

/** A JZZ virtual output named `name` (WEBMIDI.js lists it) that writes what it receives into `got`. */
export function capturePort(name: string, got: Got[]): void {
  (JZZ as unknown as { addMidiOut(n: string, w: unknown): void }).addMidiOut(name, JZZ.Widget({ _receive: (m: ArrayLike<number>) => got.push({ at: performance.now(), bytes: Array.from(m) }) }));
}

/** Every note-on was followed, later in arrival order, by a note-off of its key (CC 123 alone does not count). */
export function everyOnHasItsOff(msgs: readonly (Got | number[])[]): boolean {
  return pair(msgs.map((m) => (Array.isArray(m) ? { at: 0, bytes: m } : m))).unpaired.length === 0;
}

/**
 * The ports a live test plays through: an output `sink` whose messages land in `got`, and a
 * clock master on the input `clock`; WEBMIDI.js enabled, so it lists both.
 */
export async function openTestPorts(sink: string, clock: string, got: Got[]): Promise<{ output: Output; source: ClockSource }> {
  capturePort(sink, got);
  const source = new ClockSource(clock);
  await WebMidi.enable();
  const output = WebMidi.getOutputByName(sink);
  if (!output) throw new Error(`test setup: WEBMIDI.js does not list '${sink}'`);
  return { output, source };
}
