/**
 * Drums and keys together: the **Keys** button adds a second part (the shipped chord model,
 * or the one `?keys=` names, else the model field's URL), shown as a lane under the drum grid
 * with its own temperature and seed, its lock and its clear; pressed again it takes the keys
 * out, letting every key go. On a page joined to the terminal's performance (`bindRemoteKeys`) the
 * button brings the keys into that performance instead (`addPart('keys')` there: the shipped chord
 * model from the next bar line), and takes them out again; every joined page shows their lane.
 *
 * @example
 * const keys = bindKeys(stage, { button, section, fallbackUrl: () => modelUrl.value, onError, onInfo, onChange });
 * keys.render(stage.playhead(now));   // once per frame, when something changed
 * const liveKeys = bindRemoteKeys(remote, { button, onError, onInfo, onChange });
 * liveKeys.sync();                     // the button pressed while the performance has keys
 */
import { buildLane, type Lane } from './lanes.js';
import { keysControls } from './keys-controls.js';
import { currentAudio } from './audio.js';
import { KEYS_CHANNEL, KeysPart } from './keys-part.js';
import type { RemoteStage } from './remote-stage.js';
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

/** The part the live page's Keys button brings in and takes out, by the name the prompt knows it by. */
export const REMOTE_KEYS = 'keys';

/**
 * Keys on a page joined to the terminal's performance: pressed, the performance adds its keys
 * part (`addPart('keys')`, the shipped chord model) at its next bar line; pressed again, it takes
 * them out. The button shows whether the performance has keys, whoever brought them in.
 */
export function bindRemoteKeys(remote: RemoteStage, hooks: Omit<KeysHooks, 'section' | 'scrollWith' | 'fallbackUrl'>) {
  const { button } = hooks;
  button.title = "Bring the keys (the shipped chord model) into the terminal's performance from its next bar line; press again to take them out";
  /** The parts' version a press waits to see move (null: none waiting). */
  let waiting: number | null = null;
  let had = remote.parts.has(REMOTE_KEYS);
  button.addEventListener('click', () => {
    if (waiting === remote.partsVersion) return;
    try {
      remote.control(remote.parts.has(REMOTE_KEYS) ? 'removePart' : 'addPart', [REMOTE_KEYS]);
      waiting = remote.partsVersion;
      button.setAttribute('aria-busy', 'true');
    } catch (e) {
      hooks.onError(e, 'Keys');
    }
    hooks.onChange();
  });
  return {
    /** The button as the performance's parts are (once a frame drawn). */
    sync(): void {
      const has = remote.parts.has(REMOTE_KEYS);
      if (waiting !== null && waiting !== remote.partsVersion) {
        waiting = null;
        button.removeAttribute('aria-busy');
      }
      button.setAttribute('aria-pressed', String(has));
      if (has === had) return;
      had = has;
      const p = remote.parts.get(REMOTE_KEYS);
      hooks.onInfo(p ? `keys: ${p.hello.model.name} (${p.hello.model.summary}) plays beside the drums${p.hello.channel ? `, MIDI channel ${p.hello.channel}` : ''}` : 'keys: out of the performance, every key let go');
    },
    /** The performance refused a press (its message says why): the button takes presses again. */
    refused(): void {
      waiting = null;
      button.removeAttribute('aria-busy');
    },
  };
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
