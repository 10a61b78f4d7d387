/**
 * Standard MIDI Files written byte by byte, for files no well-behaved writer makes: deltas of
 * any size, tracks of any count, header fields of any value.
 *
 * @example
 * const far = smf([[...delta(2 ** 28 - 1), 0x90, 60, 100, 0, 0x80, 60, 64, ...END]], { ticksPerQuarter: 1 });
 * far.length; // 37
 */

/** A variable-length quantity (a delta time). */
export function delta(v: number): number[] {
  const out = [v & 0x7f];
  for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) out.unshift((v & 0x7f) | 0x80);
  return out;
}

/** Delta 0, end of track. */
export const END = [0x00, 0xff, 0x2f, 0x00];

const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const u16 = (v: number) => [(v >>> 8) & 255, v & 255];

/** A file of the given track bodies (events with their deltas, END included by the caller). */
export function smf(tracks: readonly (readonly number[])[], o: { ticksPerQuarter?: number; format?: number; declaredTracks?: number; division?: number } = {}): Uint8Array {
  const division = o.division ?? o.ticksPerQuarter ?? 480;
  const head = [...'MThd'].map((c) => c.charCodeAt(0));
  const bytes = [...head, ...u32(6), ...u16(o.format ?? (tracks.length > 1 ? 1 : 0)), ...u16(o.declaredTracks ?? tracks.length), ...u16(division)];
  for (const t of tracks) bytes.push(...[...'MTrk'].map((c) => c.charCodeAt(0)), ...u32(t.length), ...t);
  return Uint8Array.from(bytes);
}

/** A note on then off, `length` ticks apart, after `wait` ticks (channel 0-based). */
export const note = (wait: number, pitch: number, length: number, channel = 0): number[] => [...delta(wait), 0x90 | channel, pitch, 100, ...delta(length), 0x80 | channel, pitch, 64];

/** The events of the one track a format-0 file holds (e.g. one written by writeMidi), to combine into a format-1 file with `smf`. */
export const trackOf = (file: Uint8Array): number[] => Array.from(file.subarray(22));
