/**
 * What each control does as it applies, at the start of a tick: one small handler per
 * control type. A handler that changes what the model would generate throws the lookahead
 * away (from the step it touches, or all of it) so the forecast is made again.
 */
import { coldStart } from './cold-start.js';
import { countIn } from './count-in.js';
import type { Network } from '../engine/network.js';
import type { Rng } from '../engine/prng.js';
import type { Codec } from './codec.js';
import type { GeneratorState } from './generator-state.js';
import { voiceIndex } from './control-args.js';
import type { Control } from './generator-types.js';
import { lockedBins } from './held-bins.js';
import { lastBarRow } from './held-keys.js';
import { playedSteps } from './history.js';
import type { Lookahead } from './lookahead.js';
import type { HeadSampler, Placer } from './placer.js';
import type { PrimeReader } from './prime-reader.js';
import { cueSlot, cueUndo, loadSlots, storeSlot } from './slots.js';
import type { StepTarget } from './step-result.js';
import type { UpcomingNotes } from './upcoming-notes.js';

/** The Generator's fixed parts a control works with (its musical state is the other argument). */
export interface Machinery {
  readonly net: Network;
  readonly rng: Rng;
  readonly codec: Codec;
  readonly heads: HeadSampler;
  readonly placer: Placer;
  readonly lookahead: Lookahead;
  readonly primes: PrimeReader;
  readonly target: StepTarget;
  /** The channel a held melody note is released on. */
  readonly channel: number;
  /** Reads the lookahead as it will sound, for displays (no control uses it). */
  readonly ahead: UpcomingNotes;
  /** Steps a cold start plays silently first (count-in.ts). */
  readonly countIn: number;
}

type Handler<T extends Control['type']> = (m: Machinery, st: GeneratorState, c: Extract<Control, { type: T }>) => void;

export const HANDLERS: { readonly [T in Control['type']]: Handler<T> } = {
  temperature(m, st, c) {
    if (c.head === undefined) st.values.temps.fill(c.value);
    else st.values.temps[c.head] = c.value;
    forecastAgain(m, st);
  },
  topP(m, st, c) {
    st.values.topP = c.value;
    forecastAgain(m, st);
  },
  density(m, st, c) {
    st.values.density = c.value;
    forecastAgain(m, st);
  },
  // how notes sound, not which: the lookahead stands
  dynamics(_m, st, c) {
    st.values.dynamics = c.value;
  },
  timing(_m, st, c) {
    st.values.timing = c.value;
  },
  velocityScale(m, st, c) {
    // a log may name a voice this codec lacks: refused here, and dropped as it was when played
    st.values.scales[voiceIndex(m.codec, c.voice)] = c.value;
  },
  // which hits the model draws: the lookahead is drawn again (a log may name a voice this codec
  // lacks: refused here, as it was when played)
  voiceDensity(m, st, c) {
    st.values.voiceDensity[voiceIndex(m.codec, c.voice)] = c.value;
    forecastAgain(m, st);
  },
  leaveOut(m, st, c) {
    st.values.leftOut[voiceIndex(m.codec, c.voice)] = true;
    forecastAgain(m, st);
  },
  bringBack(m, st, c) {
    st.values.leftOut[voiceIndex(m.codec, c.voice)] = false;
    forecastAgain(m, st);
  },
  seed(m, st, c) {
    st.values.seed = c.value;
    forecastAgain(m, st);
    m.rng.seed(c.value);
    if (c.reset) restart(m, st);
  },
  pause(m, st) {
    st.values.paused = true;
    m.target.releaseHeld(st.play, m.channel);
  },
  resume(_m, st) {
    st.values.paused = false;
  },
  mute(m, st) {
    st.values.muted = true;
    m.target.releaseHeld(st.play, m.channel);
  },
  unmute(m, st) {
    st.values.muted = false;
    // keys the codec held while muted never sounded: let go, they strike again if the chord goes on
    m.target.releaseHeld(st.play, m.channel);
  },
  reset(m, st) {
    m.rng.seed(st.values.seed);
    restart(m, st);
  },
  edit(m, st, c) {
    // a burst can hold an edit back past its step (CONTROLS_PER_TICK): it is dropped, said
    if (c.step < st.step) throw new Error(`edit: step ${c.step} had played before the edit's turn came (the next step is ${st.step}); edit fewer steps at once`);
    st.edits.set(c.step, c.notes);
    m.lookahead.regenerateFromStep(st, c.step);
  },
  clearEdit(m, st, c) {
    st.edits.delete(c.step);
    m.lookahead.regenerateFromStep(st, c.step);
  },
  lock(m, st, c) {
    const pattern = new Uint8Array(m.codec.stepsPerBar);
    const keys = m.codec.frameKeys;
    let bins: Int32Array;
    if (keys) {
      // a chord part's pitch row, or the whole part, as the last bar played it (held-keys.ts)
      bins = lastBarRow(st.lastBar, c.voice, keys, pattern);
      if (c.pattern) pattern.set(c.pattern);
    } else {
      if (c.pattern) pattern.set(c.pattern);
      else lastBarOf(m.codec, st, c.voice, pattern);
      // a voice held as it played keeps each hit's velocity and timing too (held-bins.ts)
      bins = lockedBins(m.codec, st.lastBar, c.voice, c.pattern ? null : pattern);
    }
    st.locks = st.locks.filter((l) => l.voice !== c.voice);
    st.locks.push({ voice: c.voice, pattern, from: c.from, until: c.until, bins });
    forecastAgain(m, st);
  },
  unlock(m, st, c) {
    st.locks = c.voice === null ? [] : st.locks.filter((l) => l.voice !== c.voice);
    forecastAgain(m, st);
  },
  prime(m, st, c) {
    // a count-in nobody heard is no context: a phrase given before the first tick is read from a cold start
    m.primes.begin(st, c.events, c.reset || st.countedIn !== null, c.steps);
  },
  locate(m, st, c) {
    m.lookahead.regenerate(st, 0, true); // a note held back from the last step goes too
    // a jump (a song position, steps lost in a dropout) ends what was held: the chord at the new place strikes anew
    m.target.releaseHeld(st.play, m.channel);
    st.step = c.step;
    st.last.time = m.placer.startTime(c.step);
  },
  // pattern slots (slots.ts): a recall takes over at the tick that reaches its cue
  store(m, st, c) {
    storeSlot(m, st, c.slot);
  },
  recall(m, st, c) {
    cueSlot(m, st, c.slot, c.when);
  },
  undoRecall(m, st, c) {
    cueUndo(m, st, c.when);
  },
  loadSlots(m, st, c) {
    loadSlots(m, st, c.set, c.file);
  },
  primeRandom(m, st) {
    st.prime = null;
    const e = m.codec.frameKeys ? randomKey(m) : m.net.logits.map((l) => m.rng.int(l.length));
    m.primes.begin(st, [e], false, 1, false);
  },
};

/**
 * Generate again every event not yet due. A note that timing 0 held back from the step just
 * played to the next step line was due already: it stays as the model made it.
 */
function forecastAgain(m: Machinery, st: GeneratorState): void {
  m.lookahead.regenerateFromStep(st, st.step);
}

/** Zero state, the start event, nothing generated ahead (edits and locks stay). */
function restart(m: Machinery, st: GeneratorState): void {
  st.prime = null; // a phrase still being read would undo the fresh start
  m.target.releaseHeld(st.play, m.channel);
  m.lookahead.discard(st);
  coldStart(m, st);
  countIn(m, st);
}

/** A chord codec's random start: one key, as a melody starts from one note. */
function randomKey(m: Machinery): number[] {
  const e = m.codec.startEvent();
  e[m.rng.int(e.length)] = 1;
  return e;
}

/** What `voice` played in the last bar, by position in the bar. */
function lastBarOf(codec: Codec, st: GeneratorState, voice: number, out: Uint8Array): void {
  const bar = codec.stepsPerBar;
  const notes = codec.notesOf(codec.eventFromNotes([codec.voices[voice]]));
  for (const h of playedSteps(st.history).slice(-bar)) {
    if (h.notes.some((n) => notes.includes(n.note))) out[((h.step % bar) + bar) % bar] = 1;
  }
}
