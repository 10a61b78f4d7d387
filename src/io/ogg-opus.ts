/**
 * Opus packets into an Ogg Opus file (RFC 7845 on the Ogg framing of RFC 3533), the compressed
 * audio every browser plays and decodes: a page holding the OpusHead, one holding the OpusTags,
 * then the audio packets, each page's granule position the 48 kHz sample count decoded by the
 * end of its last packet. The last page's granule trims the encoder's padding, so the file
 * decodes to exactly `samples` samples. Dependency-free; runs in Node and in a browser.
 *
 * @example
 * // packets from WebCodecs: new AudioEncoder({ output: (chunk) => … }).configure({ codec: 'opus', … })
 * const file = oggOpus(packets, { channels: 1, preSkip: 312, samples: 48000 * 20, inputSampleRate: 48000 });
 */

export interface OggOpusOptions {
  channels: number;
  /** Samples (at 48 kHz) the decoder drops at the start: the encoder's lookahead. */
  preSkip: number;
  /** Samples (at 48 kHz) of audio the packets hold, without the pre-skip and the last packet's padding. */
  samples: number;
  /** The sample rate the audio was made at, for players that show it (default 48000). */
  inputSampleRate?: number;
  /** Default: 'pulse-rnn'. */
  vendor?: string;
  /** Stream serial number (default 1). */
  serial?: number;
  /** Samples at 48 kHz each packet decodes to (default 960: 20 ms frames). */
  packetSamples?: number;
}

/** Most packets a page holds: pages of about a second keep seeking cheap and overhead small. */
const PACKETS_PER_PAGE = 50;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, starting from 0, no final inversion. */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xff]) >>> 0;
  return crc;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f);

function opusHead(o: OggOpusOptions): Uint8Array {
  const b = new Uint8Array(19);
  const v = new DataView(b.buffer);
  b.set(ascii('OpusHead'));
  b[8] = 1; // version
  b[9] = o.channels;
  v.setUint16(10, o.preSkip, true);
  v.setUint32(12, o.inputSampleRate ?? 48000, true);
  v.setInt16(16, 0, true); // output gain
  b[18] = 0; // channel mapping family 0: mono or stereo
  return b;
}

function opusTags(vendor: string): Uint8Array {
  const name = new TextEncoder().encode(vendor);
  const b = new Uint8Array(8 + 4 + name.length + 4);
  const v = new DataView(b.buffer);
  b.set(ascii('OpusTags'));
  v.setUint32(8, name.length, true);
  b.set(name, 12);
  v.setUint32(12 + name.length, 0, true); // no user comments
  return b;
}

/** One Ogg page holding whole packets; `granule` -1 marks a page on which no packet ends. */
function page(packets: readonly Uint8Array[], granule: bigint, serial: number, sequence: number, flags: number): Uint8Array {
  const lacing: number[] = [];
  for (const p of packets) {
    for (let n = p.length; ; n -= 255) {
      lacing.push(Math.min(n, 255));
      if (n < 255) break;
    }
  }
  if (lacing.length > 255) throw new RangeError(`an Ogg page holds at most 255 segments; these ${packets.length} packets need ${lacing.length}`);
  const size = packets.reduce((a, p) => a + p.length, 0);
  const b = new Uint8Array(27 + lacing.length + size);
  const v = new DataView(b.buffer);
  b.set(ascii('OggS'));
  b[4] = 0; // version
  b[5] = flags;
  v.setBigInt64(6, granule, true);
  v.setUint32(14, serial, true);
  v.setUint32(18, sequence, true);
  b[26] = lacing.length;
  b.set(lacing, 27);
  let at = 27 + lacing.length;
  for (const p of packets) {
    b.set(p, at);
    at += p.length;
  }
  v.setUint32(22, oggCrc(b), true);
  return b;
}

/** Packets grouped into pages: at most 255 lacing segments and PACKETS_PER_PAGE packets each. */
function pagesOf(packets: readonly Uint8Array[]): Uint8Array[][] {
  const pages: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let segments = 0;
  for (const p of packets) {
    const need = Math.floor(p.length / 255) + 1;
    if (need > 255) throw new RangeError(`an Opus packet of ${p.length} bytes does not fit one Ogg page (at most 65024)`);
    if (current.length === PACKETS_PER_PAGE || segments + need > 255) {
      pages.push(current);
      current = [];
      segments = 0;
    }
    current.push(p);
    segments += need;
  }
  if (current.length) pages.push(current);
  return pages;
}

/**
 * The Ogg Opus file of `packets` (raw Opus packets, in order, each `packetSamples` long).
 * Packets wholly after `preSkip + samples` are left out; throws when the packets hold fewer
 * samples than that.
 */
export function oggOpus(packets: readonly Uint8Array[], o: OggOpusOptions): Uint8Array {
  const per = o.packetSamples ?? 960;
  const serial = o.serial ?? 1;
  if (!(o.channels === 1 || o.channels === 2)) throw new RangeError(`channels must be 1 or 2 (mapping family 0), got ${o.channels}`);
  if (!(Number.isInteger(o.preSkip) && o.preSkip >= 0 && o.preSkip < 65536)) throw new RangeError(`preSkip must be an integer from 0 to 65535, got ${o.preSkip}`);
  const end = o.preSkip + o.samples;
  if (packets.length * per < end) throw new RangeError(`${packets.length} packets of ${per} samples hold ${packets.length * per} samples; preSkip + samples is ${end}`);
  const out: Uint8Array[] = [page([opusHead(o)], 0n, serial, 0, 0x02), page([opusTags(o.vendor ?? 'pulse-rnn')], 0n, serial, 1, 0)];
  // packets wholly past the end would put a page's granule before its start
  const pages = pagesOf(packets.slice(0, Math.ceil(end / per)));
  let decoded = 0;
  pages.forEach((ps, i) => {
    decoded += ps.length * per;
    const last = i === pages.length - 1;
    out.push(page(ps, BigInt(last ? end : decoded), serial, i + 2, last ? 0x04 : 0));
  });
  const file = new Uint8Array(out.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of out) {
    file.set(p, at);
    at += p.length;
  }
  return file;
}
