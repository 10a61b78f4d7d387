/**
 * Pattern slots: the performance as it stands, kept in a numbered slot and played again later.
 *
 * A slot holds what makes the groove: the network's state and the random stream as they are
 * before the step to play next, the last event the model read, the settings (temperatures,
 * top-p, density, dynamics, timing, velocity scales, seed), the edits and locks still ahead,
 * the last bar each voice played. The lookahead is not copied: it is generated again from
 * that state, which gives the same events.
 *
 * What a recall keeps of the performance as it is: the clock's step and tick count (the bar
 * count goes on), the history of what played, the performance log, pause and mute, and the
 * controls still waiting. The slot's edits and locks move with it: an edit stored 3 steps
 * ahead plays 3 steps after the recall. A phrase still being read when the slot was stored is
 * not kept, and a melody note sounding at the recall ends.
 *
 * A recall `'bar'` (the default) waits for the next step that has the slot's place in the bar:
 * the next bar line for a slot stored at one, so the groove comes back where it was in its
 * bar. A recall `'now'` takes over at the next step, wherever in the bar that is. Undo plays
 * the performance as it was just before the last recall, from where it is then.
 *
 * The slots live in the Generator's state record (`st.slots`), so a snapshot carries them;
 * what a slot holds is a part of that record, never other slots.
 *
 * @example
 * storeSlot(parts, st, 1);           // at the start of a tick: slot 1 holds the groove
 * cueSlot(parts, st, 1, 'bar');      // later: slot 1 from the next bar line
 * if (st.cue && st.step >= st.cue.step) playCue(parts, st); // the tick that reaches it
 */
import type { Network } from '../engine/network.js';
import type { Rng } from '../engine/prng.js';
import type { Codec, PlayState } from './codec.js';
import { deepCopy } from './deep-copy.js';
import type { GeneratorState, Lock, Values } from './generator-state.js';
import { NEVER, type EventPlacerState, type Placer, type PlacerState } from './placer.js';
import { slotAt } from './ring.js';
import { checkNumber, control, SLOT_COUNT, type NumberArg } from './controls.js';
import { readSlotSet, slotModel, slotSet, type SlotSetFile } from './slots-file.js';

/** When a recall (or its undo) takes over. */
export type RecallWhen = 'bar' | 'now';

/** A recall waiting for its step: `slot` 0 is the undo of the last recall. */
export interface Cue {
  slot: number;
  step: number;
}

/** What a slot holds, as plain data; steps and times count from the step it was stored at. */
export interface SlotState {
  /** The step it was stored at (the one that was to play next). */
  step: number;
  values: Values;
  /** Edits by steps after `step`. */
  edits: Map<number, (number | string)[]>;
  /** Locks with `from` and `until` counted from `step`. */
  locks: Lock[];
  network: Float32Array;
  rng: Uint32Array;
  /** The last event the model read; `time` in codec ticks from `step`'s start. */
  last: { event: Int32Array; back: Int32Array; time: number; index: number };
  placer: PlacerState;
  lastBar: Int32Array;
}

/** The Generator's parts a slot works with. */
export interface SlotParts {
  readonly net: Network;
  readonly rng: Rng;
  readonly codec: Codec;
  readonly placer: Placer;
  readonly target: { releaseHeld(play: PlayState, channel: number): void };
  readonly channel: number;
}

/** Throw unless `slot` is a slot number, 1 to SLOT_COUNT, as the table's `slot` argument says. */
export function checkSlot(name: 'store' | 'recall', slot: unknown): asserts slot is number {
  checkNumber(name, control(name).args[0] as NumberArg, slot);
}

/** Throw unless `when` is 'bar' or 'now'. */
export function checkWhen(name: string, when: unknown): asserts when is RecallWhen {
  if (when !== 'bar' && when !== 'now') throw new RangeError(`${name}: when ${JSON.stringify(when)} is not 'bar' (at the slot's place in the next bar) or 'now' (at the next step)`);
}

/** The slot numbers that hold something. */
export function filledSlots(st: GeneratorState): number[] {
  const out: number[] = [];
  for (let i = 1; i <= SLOT_COUNT; i++) if (st.slots[i]) out.push(i);
  return out;
}

/** Keep the performance as it stands at the start of this tick in slot `slot`. */
export function storeSlot(m: SlotParts, st: GeneratorState, slot: number): void {
  st.slots[slot] = capture(m, st);
}

/** Set the step a recall of `slot` (0: the undo) takes over at; throws when there is nothing to play. */
export function cueSlot(m: SlotParts, st: GeneratorState, slot: number, when: RecallWhen): void {
  const s = slot === 0 ? st.beforeRecall : st.slots[slot];
  if (!s) throw new Error(slot === 0 ? 'undoRecall: no recall to undo' : emptyText(slot, filledSlots(st)));
  st.cue = { slot, step: when === 'now' ? st.step : nextStepAt(st.step, s.step, m.codec.stepsPerBar) };
}

/** An undo: a recall still waiting is called off; else the performance before the last recall comes back. */
export function cueUndo(m: SlotParts, st: GeneratorState, when: RecallWhen): void {
  if (st.cue !== null && st.cue.slot !== 0) st.cue = null;
  else cueSlot(m, st, 0, when);
}

/** Play the cued slot from the step about to play. Returns why it could not, or null. */
export function playCue(m: SlotParts, st: GeneratorState): string | null {
  const cue = st.cue as Cue;
  st.cue = null;
  const s = cue.slot === 0 ? st.beforeRecall : st.slots[cue.slot];
  if (!s) return cue.slot === 0 ? 'undoRecall: no recall to undo' : emptyText(cue.slot, filledSlots(st));
  st.beforeRecall = cue.slot === 0 ? null : capture(m, st);
  apply(m, st, s);
  return null;
}

/** The slots of a set file's JSON (`file` names it in errors), checked against the model playing; throws when it does not fit. */
export function readSlots(m: SlotParts, st: GeneratorState, set: SlotSetFile, file: string): Map<number, SlotState> {
  return readSlotSet(set, file, slotModel(m.net.spec, m.codec, m.net.stateSize), st.values);
}

/** Fill the slots from a set file's JSON; the slots it lacks are emptied. Throws, changing nothing, when it does not fit the model. */
export function loadSlots(m: SlotParts, st: GeneratorState, set: SlotSetFile, file: string): void {
  const slots = readSlots(m, st, set, file);
  st.slots.fill(null);
  for (const [i, s] of slots) st.slots[i] = s;
}

/** The filled slots as a set file's JSON. */
export function saveSlots(m: SlotParts, st: GeneratorState): SlotSetFile {
  const slots = new Map<number, SlotState>();
  for (const i of filledSlots(st)) slots.set(i, st.slots[i] as SlotState);
  return slotSet(slotModel(m.net.spec, m.codec, m.net.stateSize), slots);
}

function emptyText(slot: number, filled: number[]): string {
  return `recall: slot ${slot} is empty; store(${slot}) first${filled.length ? ` (slots holding a groove: ${filled.join(', ')})` : ''}`;
}

/** The first step from `from` on that has `at`'s place in a bar of `bar` steps. */
export function nextStepAt(from: number, at: number, bar: number): number {
  const want = ((at % bar) + bar) % bar;
  const here = ((from % bar) + bar) % bar;
  return from + ((want - here + bar) % bar);
}

/**
 * The performance before step `st.step`, with the lookahead taken back: the state before the
 * first event generated for this step or later (events held back to this step from the one
 * before are left out: they belong to what played before).
 */
function capture(m: SlotParts, st: GeneratorState): SlotState {
  const tps = m.codec.ticksPerStep;
  const base = st.step * tps;
  const placer = deepCopy(st.placer, 'placer');
  let first = -1;
  for (let i = 0; i < st.ring.size && first < 0; i++) if (slotAt(st.ring, i).time >= base) first = i;
  let network: Float32Array, rng: Uint32Array, last: SlotState['last'];
  if (first < 0) {
    network = m.net.getState();
    rng = m.rng.getState();
    last = { event: st.last.event.slice(), back: st.last.back.slice(), time: st.last.time, index: st.last.index };
  } else {
    const e = slotAt(st.ring, first);
    network = e.state.slice();
    rng = e.rng.slice();
    last = { event: e.prev.slice(), back: e.back.slice(), time: e.prevTime, index: e.index };
    m.placer.rewind({ placer } as GeneratorState, e.mark);
  }
  const d = -st.step;
  last.time -= base;
  return {
    step: st.step,
    values: deepCopy(st.values, 'values'),
    edits: shiftEdits(st.edits, d),
    locks: shiftLocks(st.locks, d),
    network,
    rng,
    last,
    placer: shiftPlacer(placer, d, tps),
    lastBar: st.lastBar.slice(),
  };
}

/** Play `s` from the step about to play: its groove, the performance's clock. */
function apply(m: SlotParts, st: GeneratorState, s: SlotState): void {
  const tps = m.codec.ticksPerStep;
  const d = st.step;
  m.target.releaseHeld(st.play, m.channel);
  st.ring.size = 0;
  m.net.setState(s.network);
  m.rng.setState(s.rng);
  const { paused, muted } = st.values;
  st.values = { ...deepCopy(s.values, 'values'), paused, muted };
  st.edits = shiftEdits(s.edits, d);
  st.locks = shiftLocks(s.locks, d);
  st.last.event.set(s.last.event);
  st.last.back.set(s.last.back);
  st.last.time = s.last.time + d * tps;
  st.last.index = s.last.index;
  st.placer = shiftPlacer(deepCopy(s.placer, 'placer'), d, tps);
  st.lastBar.set(s.lastBar);
  st.prime = null;
}

function shiftEdits(edits: ReadonlyMap<number, (number | string)[]>, d: number): Map<number, (number | string)[]> {
  const out = new Map<number, (number | string)[]>();
  for (const [step, notes] of edits) out.set(step + d, notes.slice());
  return out;
}

function shiftLocks(locks: readonly Lock[], d: number): Lock[] {
  return locks.map((l) => ({ voice: l.voice, pattern: l.pattern.slice(), from: l.from + d, until: l.until === null ? null : l.until + d, bins: l.bins.slice() }));
}

/** An event placer's steps and times moved by `d` steps (a grid placer keeps none). */
function shiftPlacer(p: PlacerState, d: number, tps: number): PlacerState {
  if (!('keepOut' in p)) return p;
  const e = p as EventPlacerState;
  e.forcedTime += d * tps;
  e.doneEdit += d;
  if (e.keepOut !== NEVER) e.keepOut += d * tps;
  return e;
}
