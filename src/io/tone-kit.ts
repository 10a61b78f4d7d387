/**
 * Sounds that need no samples and no setup: a synthesized drum kit keyed by General MIDI note,
 * and a polyphonic synth for melodic notes, both built from Tone.js instruments. No compressor or
 * limiter sits on the output: a DynamicsCompressorNode delays its signal by its lookahead
 * (about 6 ms), which would move every onset.
 *
 * @example
 * import * as Tone from 'tone';
 * await Tone.start();                            // in a click handler
 * const kit = new ToneKit();                     // on Tone's current context, to its destination
 * const t = Tone.getContext().currentTime + 0.1;
 * kit.play(36, 100, t);                          // kick
 * kit.play(42, 80, t + 0.25);                    // closed hat
 * kit.play(38, 30, t + 0.375);                   // a ghost note on the snare, 21 dB under one at 100
 */
import { Filter, MembraneSynth, MetalSynth, NoiseSynth, Synth, Volume, getContext, type InputNode, type SynthOptions } from 'tone';

type RecursivePartial<T> = { [P in keyof T]?: T[P] extends object ? RecursivePartial<T[P]> : T[P] };

type Context = ReturnType<typeof getContext>;

export type DrumVoice = 'kick' | 'snare' | 'rim' | 'clap' | 'closed-hat' | 'open-hat' | 'low-tom' | 'mid-tom' | 'high-tom' | 'crash' | 'ride' | 'perc';

/**
 * General MIDI percussion notes → the kit's voices; other notes play on 'perc' at their own pitch.
 * The toms are split as the drum grid's tom classes are (low 41/43/45, mid 47/48, high 50), so
 * the three toms a drum model plays (45, 48, 50) are three drums, not two: two classes on one
 * voice strike it twice at one instant whenever both hit.
 */
export const GM_KIT: Readonly<Record<number, DrumVoice>> = {
  35: 'kick', 36: 'kick',
  37: 'rim', 38: 'snare', 40: 'snare', 39: 'clap',
  42: 'closed-hat', 44: 'closed-hat', 46: 'open-hat',
  41: 'low-tom', 43: 'low-tom', 45: 'low-tom', 47: 'mid-tom', 48: 'mid-tom', 50: 'high-tom',
  49: 'crash', 52: 'crash', 55: 'crash', 57: 'crash',
  51: 'ride', 53: 'ride', 59: 'ride',
};

/** Tom pitches rise with the GM note, as on a kit from floor tom to high tom. */
const TOM_HZ: Readonly<Record<number, number>> = { 41: 82, 43: 98, 45: 110, 47: 131, 48: 147, 50: 175 };

const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/**
 * The gain of a hit at MIDI velocity `velocity` (1..127): (v/127)², the concave curve of the
 * General MIDI DLS Level 1 specification (attenuation 40·log10(127/v) dB), so the kit balances
 * as a General MIDI synth playing the same take does. Linear gain (v/127) would leave a ghost
 * note at 30 only 10.5 dB under a backbeat at 100, and a groove of ghost notes sounds cluttered;
 * the square puts it 20.9 dB under (velocity 10 at -44 dB, 64 at -12 dB, 127 at full scale).
 *
 * @example
 * velocityGain(127); // 1
 * velocityGain(30);  // 0.0558 (-25.1 dB)
 */
export function velocityGain(velocity: number): number {
  const v = Math.min(127, Math.max(0, velocity)) / 127;
  return v * v;
}

/** A clap's noise bursts, seconds after its time. */
const CLAP_BURSTS = [0, 0.009, 0.018];

/**
 * The least time between two starts of one voice. Tone restarts a sounding source only strictly
 * after its last start (else it throws, and the hit is lost) and moves a start in the past to the
 * context's current time, so two late hits would land on one instant.
 */
const RETRIGGER_GAP = 0.001;

/** Where a voice was last struck: the time asked for, and the last start it scheduled. */
interface Struck {
  asked: number;
  started: number;
}

interface Voice {
  /** Start the sound at `time` with gain 0..1 (`velocityGain`). */
  hit(note: number, time: number, velocity: number): void;
  /** How long after its time a hit starts its last source (a clap's later bursts); default 0. */
  span?: number;
  /** Cut a ringing sound (open hat choked by the closed hat, cymbals at allNotesOff). */
  stop(time: number): void;
  dispose(): void;
}

export interface ToneKitOptions {
  /** Default: Tone's current context (inside `Tone.Offline`, the offline one). */
  context?: Context;
  /** Where the kit sounds (default: the context's destination). */
  destination?: InputNode;
  /** Output level in dB (default -6). */
  volume?: number;
}

export class ToneKit {
  readonly output: Volume;
  private readonly voices = new Map<DrumVoice, Voice>();
  private readonly struck = new Map<Voice, Struck>();
  private readonly context: Context;

  constructor(options: ToneKitOptions = {}) {
    const context = (this.context = options.context ?? getContext());
    this.output = new Volume({ context, volume: options.volume ?? -6 });
    this.output.connect(options.destination ?? context.destination);
    const out = this.output;
    const membrane = (o: ConstructorParameters<typeof MembraneSynth>[0]) => new MembraneSynth({ context, ...o }).connect(out);
    const oneShot = (synth: MembraneSynth | MetalSynth | Synth, fixedHz?: number): Voice => ({
      hit: (note, time, v) => synth.triggerAttack(fixedHz ?? hz(note), time, v),
      stop: (time) => synth.triggerRelease(time),
      dispose: () => synth.dispose(),
    });
    const metal = (frequency: number, decay: number, extra: Partial<ConstructorParameters<typeof MetalSynth>[0]> = {}) => {
      const m = new MetalSynth({ context, envelope: { attack: 0.001, decay, sustain: 0, release: 0.05 }, harmonicity: 5.1, modulationIndex: 32, resonance: 4000, octaves: 1.5, volume: -14, ...extra }).connect(out);
      // MetalSynth's frequency starts at 0; its first jump to the note's pitch took effect up to
      // one render quantum late in Chromium (onsets measured +0.7..+1.4 ms offline), so start at the pitch
      m.frequency.value = frequency;
      return m;
    };

    this.voices.set('kick', oneShot(membrane({ pitchDecay: 0.05, octaves: 6, envelope: { attack: 0.001, decay: 0.35, sustain: 0, release: 0.1 } }), 48));

    // Snare: a pitched body under high-passed noise.
    const snareBody = membrane({ pitchDecay: 0.02, octaves: 2, volume: -8, envelope: { attack: 0.001, decay: 0.12, sustain: 0, release: 0.05 } });
    const snareFilter = new Filter({ context, type: 'highpass', frequency: 1800 }).connect(out);
    const snareNoise = new NoiseSynth({ context, noise: { type: 'white' }, envelope: { attack: 0.001, decay: 0.18, sustain: 0, release: 0.05 } }).connect(snareFilter);
    this.voices.set('snare', {
      hit: (_n, time, v) => {
        snareBody.triggerAttack(185, time, v);
        snareNoise.triggerAttack(time, v);
      },
      stop: (time) => snareNoise.triggerRelease(time),
      dispose: () => [snareBody, snareFilter, snareNoise].forEach((n) => n.dispose()),
    });

    this.voices.set('rim', oneShot(membrane({ pitchDecay: 0.005, octaves: 1, volume: -10, envelope: { attack: 0.001, decay: 0.04, sustain: 0, release: 0.02 } }), 1700));

    // Clap: a few quick band-passed noise bursts, the last one left to ring.
    const clapFilter = new Filter({ context, type: 'bandpass', frequency: 1200, Q: 1 }).connect(out);
    const clapNoise = new NoiseSynth({ context, noise: { type: 'white' }, volume: 4, envelope: { attack: 0.001, decay: 0.12, sustain: 0, release: 0.05 } }).connect(clapFilter);
    this.voices.set('clap', {
      hit: (_n, time, v) => {
        for (const dt of CLAP_BURSTS) clapNoise.triggerAttack(time + dt, v);
      },
      span: CLAP_BURSTS[CLAP_BURSTS.length - 1],
      stop: (time) => clapNoise.triggerRelease(time),
      dispose: () => [clapFilter, clapNoise].forEach((n) => n.dispose()),
    });

    const open = metal(400, 0.45);
    const closed = metal(400, 0.06);
    this.voices.set('open-hat', oneShot(open, 400));
    this.voices.set('closed-hat', {
      // a closed hat cuts an open one, as the same pair of cymbals would
      hit: (_n, time, v) => {
        open.triggerRelease(time);
        closed.triggerAttack(400, time, v);
      },
      stop: (time) => closed.triggerRelease(time),
      dispose: () => closed.dispose(),
    });

    for (const [name, decay] of [['low-tom', 0.5], ['mid-tom', 0.4], ['high-tom', 0.35]] as const) {
      const tom = membrane({ pitchDecay: 0.03, octaves: 1.5, volume: -4, envelope: { attack: 0.001, decay, sustain: 0, release: 0.1 } });
      this.voices.set(name, { hit: (note, time, v) => tom.triggerAttack(TOM_HZ[note] ?? hz(note), time, v), stop: (time) => tom.triggerRelease(time), dispose: () => tom.dispose() });
    }

    this.voices.set('crash', oneShot(metal(300, 1.6, { volume: -16, modulationIndex: 40 }), 300));
    this.voices.set('ride', oneShot(metal(620, 0.9, { volume: -20, harmonicity: 3.1, modulationIndex: 16, resonance: 6000 }), 620));
    this.voices.set('perc', oneShot(new Synth({ context, oscillator: { type: 'triangle' }, volume: -8, envelope: { attack: 0.001, decay: 0.12, sustain: 0, release: 0.05 } }).connect(out)));
  }

  /** The voice a GM note plays on. */
  static voiceOf(note: number): DrumVoice {
    return GM_KIT[note] ?? 'perc';
  }

  /**
   * Play GM percussion `note` at `time` (seconds of the kit's context), velocity 1..127 (its
   * loudness follows `velocityGain`, so a ghost note at 30 sounds 21 dB under a hit at 100). Returns
   * the time it sounds, or null when it merges into a hit of the same voice at the same time
   * (two notes of one drum, such as 35 and 36, strike it once). A hit that is late, or not after
   * the voice's last one, sounds just after that one rather than being lost.
   */
  play(note: number, velocity: number, time: number): number | null {
    const voice = this.voices.get(ToneKit.voiceOf(note))!;
    const last = this.struck.get(voice);
    if (last && time === last.asked) return null;
    const at = Math.max(time, this.context.currentTime, last ? last.started + RETRIGGER_GAP : -Infinity);
    voice.hit(note, at, velocityGain(velocity));
    // read the clock again: Tone clamps to the current time as it reads it, which may have moved on
    this.struck.set(voice, { asked: time, started: Math.max(at, this.context.currentTime) + (voice.span ?? 0) });
    return at;
  }

  /** Silence whatever still rings (cymbals, open hat) at `time`. */
  stopAll(time: number): void {
    for (const v of this.voices.values()) v.stop(time);
  }

  dispose(): void {
    for (const v of this.voices.values()) v.dispose();
    this.output.dispose();
  }
}

export interface MelodicSynthOptions {
  context?: Context;
  destination?: InputNode;
  /** Output level in dB (default -10: voices add up). */
  volume?: number;
  /** Voices at most; beyond, the voice that frees soonest is taken (default 16). */
  polyphony?: number;
  /** Options for every `Synth` voice (default: a soft triangle8 with a 0.3 s release). */
  voice?: RecursivePartial<SynthOptions>;
}

/** One sounding note of a `MelodicSynth`; releasing it after its voice was taken does nothing. */
export interface SynthNote {
  release(time: number): void;
}

/** A note that found no voice. */
const SILENT: SynthNote = { release: () => {} };

interface PolyVoice {
  readonly synth: Synth;
  /** When its last release has rung out (Infinity while held). */
  freeAt: number;
  startedAt: number;
  owner: object | null;
}

/**
 * A polyphonic synth for melodic notes: Tone `Synth` voices allocated at the note's time.
 * Tone's own PolySynth defers every future attack through a context timeout; in an
 * OfflineContext that timeout fires at the first 128-frame tick after the note's time, and the
 * oscillator start is clamped to it, so offline its notes begin up to one render quantum late
 * (measured +1.35 and +2.69 ms at 48 kHz). Here the caller decides when to call, and the
 * voices start exactly at the times given.
 *
 * @example
 * const synth = new MelodicSynth();
 * const t = getContext().currentTime + 0.1;
 * const c4 = synth.attack(60, t, 0.8);
 * c4.release(t + 0.5);
 */
export class MelodicSynth {
  readonly output: Volume;
  private readonly voices: PolyVoice[] = [];
  private readonly context: Context;
  private readonly polyphony: number;
  private readonly voiceOptions: RecursivePartial<SynthOptions>;

  constructor(options: MelodicSynthOptions = {}) {
    this.context = options.context ?? getContext();
    this.polyphony = Math.max(1, options.polyphony ?? 16);
    this.voiceOptions = options.voice ?? { oscillator: { type: 'triangle8' }, envelope: { attack: 0.005, decay: 0.15, sustain: 0.35, release: 0.3 } };
    this.output = new Volume({ context: this.context, volume: options.volume ?? -10 });
    this.output.connect(options.destination ?? this.context.destination);
  }

  /**
   * Start MIDI `note` at `time` with velocity 0..1. A chord wider than the polyphony at one
   * instant plays its first `polyphony` notes: a voice cannot start twice at one time.
   */
  attack(note: number, time: number, velocity: number): SynthNote {
    // Tone starts a late note at the current time: two late notes would share an instant
    const at = Math.max(time, this.context.currentTime);
    const v = this.pick(at);
    if (!v) return SILENT;
    const owner = {};
    v.owner = owner;
    v.freeAt = Infinity;
    v.startedAt = at;
    v.synth.triggerAttack(hz(note), at, velocity);
    return {
      release: (at: number) => {
        if (v.owner !== owner) return;
        v.synth.triggerRelease(at);
        v.freeAt = at + this.releaseTime(v);
      },
    };
  }

  /** Release every voice still sounding at `time`. */
  releaseAll(time: number): void {
    for (const v of this.voices) {
      if (v.freeAt <= time) continue;
      v.synth.triggerRelease(time);
      v.freeAt = Math.min(v.freeAt, time + this.releaseTime(v));
    }
  }

  dispose(): void {
    for (const v of this.voices) v.synth.dispose();
    this.output.dispose();
  }

  /**
   * A voice free at `time` (the one free longest), a new one, or the one that frees soonest
   * among those started before `time` (Tone restarts a voice only strictly after its last
   * start); null when every voice started at `time` or later.
   */
  private pick(time: number): PolyVoice | null {
    let best: PolyVoice | null = null;
    for (const v of this.voices) if (v.freeAt <= time && (!best || v.freeAt < best.freeAt)) best = v;
    if (best) return best;
    if (this.voices.length < this.polyphony) {
      const v: PolyVoice = { synth: new Synth({ ...this.voiceOptions, context: this.context } as Partial<SynthOptions>).connect(this.output), freeAt: -Infinity, startedAt: -Infinity, owner: null };
      this.voices.push(v);
      return v;
    }
    for (const v of this.voices) {
      if (v.startedAt + RETRIGGER_GAP > time) continue;
      if (!best || v.freeAt < best.freeAt || (v.freeAt === best.freeAt && v.startedAt < best.startedAt)) best = v;
    }
    return best;
  }

  private releaseTime(v: PolyVoice): number {
    return v.synth.toSeconds(v.synth.envelope.release);
  }
}
