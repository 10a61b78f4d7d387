/**
 * Drums and keys together: the **Keys** button adds a second part (the shipped chord model,
 * or the one `?keys=` names, else the model field's URL), shown as a lane under the drum grid
 * with its own temperature and seed, its lock and its clear; pressed again it takes the keys
 * out, letting every key go.
 *
 * @example
 * const keys = bindKeys(stage, { button, section, fallbackUrl: () => modelUrl.value, onError, onInfo, onChange });
 * keys.render(stage.playhead(now));   // once per frame, when something changed
 */
import { buildLane, type Lane } from './lanes.js';
import { keysControls } from './keys-controls.js';
import { currentAudio } from './audio.js';
import { KEYS_CHANNEL, KeysPart } from './keys-part.js';
import type { Stage } from './stage.js';

/** The keys the page adds when nothing else is asked for: the shipped chord model. */
export const SHIPPED_KEYS = 'weights/chords-jsb/';

export interface KeysHooks {
  button: HTMLButtonElement;
  section: HTMLElement;
  /** The drum grid's scroller: the keys lane scrolls sideways with it. */
  scrollWith?: HTMLElement;
  /** Where the keys come from when neither `?keys=` nor the shipped chord model loads. */
  fallbackUrl(): string;
  onError(e: unknown, what: string): void;
  onInfo(text: string): void;
  onChange(): void;
}

export function bindKeys(stage: Stage, hooks: KeysHooks) {
  const part = new KeysPart(stage, { onError: (e) => hooks.onError(e, 'Keys') });
  const guard = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      hooks.onError(e, 'Keys');
    }
    hooks.onChange();
  };
  const lane = buildLane(hooks.section, 'Keys', { toggle: (step, pitch) => guard(() => part.roll.toggle(step, pitch)), lockRow: (pitch) => guard(() => part.roll.togglePitchLock(pitch)) });
  if (hooks.scrollWith) lane.roll.scrollWith(hooks.scrollWith);
  const controls = keysControls(lane.controls, part, (e) => hooks.onError(e, 'Keys'), hooks.onChange);
  lane.lock.addEventListener('click', () => guard(() => part.roll.toggleLock()));
  lane.clear.addEventListener('click', () => guard(() => part.roll.clearEdits()));
  let shown = -1;
  let shownHead = -2;
  let loading = false;

  hooks.button.addEventListener('click', () => {
    if (loading) return;
    if (part.gen) {
      part.remove();
      hooks.section.hidden = true;
      hooks.button.setAttribute('aria-pressed', 'false');
      hooks.onChange();
      return;
    }
    loading = true;
    hooks.button.setAttribute('aria-busy', 'true');
    void addKeys(part, lane, hooks).finally(() => {
      loading = false;
      hooks.button.removeAttribute('aria-busy');
      hooks.onChange();
    });
  });
  window.addEventListener('resize', () => {
    if (lane.roll.fit()) shown = -1;
  });

  return {
    part,
    /** Draw the lane with the play head at step `head`, when anything changed. */
    render(head: number): void {
      const gen = part.gen;
      if (!gen || (part.version === shown && head === shownHead)) return;
      shown = part.version;
      shownHead = head;
      // the play head's clock step, as one of the keys' (a chord of quarters lasts four)
      lane.roll.render(part.roll.steps(), gen.step, head >= 0 ? Math.floor(head / part.every) : -1, part.roll.lockedRows());
      lane.showLock(part.roll.locked, part.roll.lockRefusal());
      controls.sync();
    },
    /** Copies of what the keys play, for the console and tests; null without keys. */
    snapshot: () => snapshotOf(part),
    started: () => part.started(),
    stopped: () => part.stopped(),
    panic: () => part.panic(),
  };
}

/**
 * Load the keys: the model `?keys=` names, else the shipped chord model, else the model field's
 * URL (the first that loads), and show their lane; or say what each refused.
 */
async function addKeys(part: KeysPart, lane: Lane, hooks: KeysHooks): Promise<void> {
  const asked = new URLSearchParams(location.search).get('keys');
  const failed: string[] = [];
  for (const url of [...new Set([asked ?? SHIPPED_KEYS, hooks.fallbackUrl()])]) {
    try {
      const info = await part.load(url);
      if (!info) return;
      lane.model.textContent = `${info.name} · ${info.summary}`;
      // shown first: the lane measures its width to choose its bars
      hooks.section.hidden = false;
      lane.roll.setModel(part.range, info.stepsPerBar, info.stepsPerBeat, part.every);
      hooks.button.setAttribute('aria-pressed', 'true');
      hooks.onInfo(`keys: ${info.name} (${info.summary}) plays beside the drums on MIDI channel 2, from the next step`);
      return;
    } catch (e) {
      failed.push(e instanceof Error ? e.message : String(e));
    }
  }
  hooks.onError(`no keys model loaded: ${failed.join('; ')}. Give a melodic or chord model's folder in the model field (or ?keys=…) and press Keys again`, 'Keys');
}

/** Copies of what the keys play, for the console and tests; null without keys. */
function snapshotOf(part: KeysPart) {
  const gen = part.gen;
  if (!gen || !part.model) return null;
  return {
    model: { ...part.model },
    step: gen.step,
    ticks: gen.ticks,
    played: gen.played(),
    upcoming: gen.upcoming(),
    edits: gen.edits,
    settings: part.settings,
    applied: part.applied,
    channel: KEYS_CHANNEL,
    sent: { ...part.sink.sent },
    holding: part.sink.holding(currentAudio()?.context.currentTime ?? 0),
  };
}
