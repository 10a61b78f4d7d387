/**
 * A take as a file a page can link and play: notes rendered offline through the Tone.js kit and
 * synth (`ToneSink`, so the same voices and gain law as the page), then compressed to Ogg Opus
 * by the browser's own WebCodecs encoder. No sound card, faster than real time, no dependency
 * beyond Tone. Browser only: WebCodecs needs a secure context (https or localhost); Chromium
 * encodes Opus.
 *
 * @example
 * const samples = await renderOffline([{ note: 36, velocity: 100, channel: 9, time: 0.1, duration: 0.1 }], 2);
 * const ogg = await encodeOggOpus(samples);  // Uint8Array: save it as take.ogg
 */
import { Offline } from 'tone';
import { oggOpus } from './ogg-opus.js';
import { ToneSink } from './tone-sink.js';

/** Opus works at 48 kHz; rendering at it spares a resampler. */
export const RENDER_RATE = 48000;

/** One note at its time in seconds from the start of the render. */
export interface TimedNote {
  note: number;
  velocity: number;
  channel: number;
  time: number;
  /** Seconds; drum hits ring as long as their voice does whatever it says. */
  duration: number;
}

/**
 * `seconds` of mono sound at 48 kHz: every note handed to a new `ToneSink` inside
 * `Tone.Offline`, as the Player hands them to the page's sink.
 */
export async function renderOffline(notes: readonly TimedNote[], seconds: number): Promise<Float32Array> {
  const buffer = await Offline(
    () => {
      const sink = new ToneSink();
      for (const n of notes) sink.noteOn(n.note, n.velocity, n.channel, n.time, n.duration);
    },
    seconds,
    1,
    RENDER_RATE,
  );
  return buffer.getChannelData(0);
}

/** Samples of 48 kHz audio in each Opus packet: WebCodecs' default 20 ms frames. */
const FRAME = 960;
/** libopus's lookahead at 48 kHz, for an encoder that does not say its own. */
const DEFAULT_PRE_SKIP = 312;

/** The pre-skip of an OpusHead (Chromium gives one as the decoder description), else null. */
function preSkipOf(description: AllowSharedBufferSource | undefined): number | null {
  if (!description) return null;
  const b = ArrayBuffer.isView(description) ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength) : new Uint8Array(description);
  if (b.length < 19 || String.fromCharCode(...b.subarray(0, 8)) !== 'OpusHead') return null;
  return b[10] | (b[11] << 8);
}

/**
 * Mono 48 kHz samples as an Ogg Opus file at `bitrate` bits per second (default 64000), which
 * decodes to exactly `samples.length` samples.
 */
export async function encodeOggOpus(samples: Float32Array, bitrate = 64000): Promise<Uint8Array> {
  if (typeof AudioEncoder !== 'function') throw new Error('encodeOggOpus: this page has no WebCodecs AudioEncoder (it needs a secure context, https or localhost, in a browser that has one)');
  const config: AudioEncoderConfig = { codec: 'opus', sampleRate: RENDER_RATE, numberOfChannels: 1, bitrate };
  if (!(await AudioEncoder.isConfigSupported(config)).supported) throw new Error(`encodeOggOpus: this browser cannot encode ${JSON.stringify(config)}`);
  const packets: Uint8Array[] = [];
  let preSkip: number | null = null;
  let failure: unknown = null;
  const encoder = new AudioEncoder({
    output: (chunk, meta) => {
      const b = new Uint8Array(chunk.byteLength);
      chunk.copyTo(b);
      packets.push(b);
      preSkip ??= preSkipOf(meta?.decoderConfig?.description);
    },
    error: (e) => (failure = e),
  });
  encoder.configure(config);
  // silence after the sound carries the last samples through the encoder's lookahead, whether
  // or not its flush pads (Chromium's does); the file's last granule trims it off again
  const padded = new Float32Array(samples.length + 2 * FRAME);
  padded.set(samples);
  for (let at = 0; at < padded.length; at += RENDER_RATE) {
    const data = padded.subarray(at, Math.min(padded.length, at + RENDER_RATE));
    const frame = new AudioData({ format: 'f32-planar', sampleRate: RENDER_RATE, numberOfChannels: 1, numberOfFrames: data.length, timestamp: Math.round((at / RENDER_RATE) * 1e6), data });
    encoder.encode(frame);
    frame.close();
  }
  await encoder.flush();
  encoder.close();
  if (failure) throw failure;
  return oggOpus(packets, { channels: 1, preSkip: preSkip ?? DEFAULT_PRE_SKIP, samples: samples.length, inputSampleRate: RENDER_RATE, packetSamples: FRAME });
}
