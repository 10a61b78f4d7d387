/**
 * The page's one AudioContext: every clock time and every sound of the page is on it. Tone.js
 * is pointed at it, RNBO devices are created on it, and everything sounds through one master
 * bus with a peak meter before the speakers.
 *
 * The context must be made and resumed inside a user gesture (browsers start audio only
 * then): `openAudio()` does both synchronously, so call it first thing in a click handler.
 *
 * @example
 * button.onclick = () => {
 *   const audio = openAudio();          // synchronously, in the gesture
 *   const t = audio.context.currentTime;
 *   console.log(audio.peak());           // 0..1, for a level meter
 * };
 */
import { Context as ToneContext, setContext } from 'tone';

export interface Audio {
  readonly context: AudioContext;
  /** Tone.js's wrapper of the same context. */
  readonly tone: ToneContext;
  /** Where every output sounds. */
  readonly master: GainNode;
  /** Peak level of what went out over the last ~10 ms, 0..1 (above 1: clipping). */
  peak(): number;
  /**
   * Context seconds → performance.now() milliseconds (WEBMIDI.js timestamps), through the
   * context's own output timestamp so MIDI lands with the audio it accompanies.
   */
  toPerformanceMs(seconds: number): number;
  /** performance.now() seconds (a MIDI clock's timebase) → context seconds. */
  fromPerformanceSeconds(seconds: number): number;
}

let shared: Audio | null = null;

/** The page's audio, made on first call; resumes it (call inside a user gesture). */
export function openAudio(): Audio {
  if (!shared) shared = makeAudio();
  if (shared.context.state === 'suspended') void shared.context.resume();
  return shared;
}

/** The audio if it was opened already, else null (nothing is started). */
export function currentAudio(): Audio | null {
  return shared;
}

function makeAudio(): Audio {
  // a native context, not Tone's wrapped one: @rnbo/js builds AudioWorkletNodes on it
  const context = new AudioContext({ latencyHint: 'interactive' });
  const tone = new ToneContext(context);
  setContext(tone);
  const master = context.createGain();
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  master.connect(analyser);
  analyser.connect(context.destination);
  const buf = new Float32Array(analyser.fftSize);
  const offset = (): { ctx: number; perf: number } => {
    const ts = context.getOutputTimestamp?.();
    if (ts && ts.performanceTime && ts.contextTime !== undefined && ts.performanceTime > 0) return { ctx: ts.contextTime, perf: ts.performanceTime };
    return { ctx: context.currentTime, perf: performance.now() };
  };
  return {
    context,
    tone,
    master,
    peak() {
      analyser.getFloatTimeDomainData(buf);
      let p = 0;
      for (let i = 0; i < buf.length; i++) {
        const v = buf[i] < 0 ? -buf[i] : buf[i];
        if (v > p) p = v;
      }
      return p;
    },
    toPerformanceMs(seconds) {
      const o = offset();
      return o.perf + (seconds - o.ctx) * 1000;
    },
    fromPerformanceSeconds(seconds) {
      const o = offset();
      return o.ctx + (seconds - o.perf / 1000);
    },
  };
}
