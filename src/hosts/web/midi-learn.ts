/**
 * The page's MIDI map panel: a controller's knobs and pads on the control table's controls.
 * Pick a control (and a voice or a slot, for one that takes it), press Learn and move a knob or hit a
 * pad: the next CC or note-on from any input becomes its entry (replacing an older one of that
 * control, or on that CC). The mapping is kept in localStorage across reloads, and exported or
 * imported as the same JSON file `pulse-rnn play --map` reads (music/midi-map.ts).
 *
 * Input comes from `navigator.requestMIDIAccess`, asked for at the first Learn (or at load when a
 * mapping was kept); inputs plugged in later are heard too. What a message maps to is handed to
 * `apply` as a control call, which runs it through the page's control paths (apply-control.ts).
 *
 * @example
 * const panel = bindMidiMap(document.getElementById('midi-map-panel')!, {
 *   apply: (call) => applyControl(stage, call.name, call.args),
 *   runs: pageRuns,
 *   toggled: (name) => (name === 'pause' ? stage.willPause : …),
 *   voices: () => stage.model?.rows ?? [],
 *   onError: (e) => messages.error(e, 'MIDI map'),
 *   onInfo: (text) => messages.info(text),
 * });
 */
import { control, isNumberArg, type ControlName, type ControlSpec } from '../../music/controls.js';
import { MAPPABLE, MidiMap, checkMap, entryText, knobArg, mapFile, parseMap, type ControlCall, type MapEntry, type ToggleState } from '../../music/midi-map.js';
import { download, pickFiles } from './files.js';

export interface MidiMapHooks {
  /** Run a control call on the page. */
  apply(call: ControlCall): void;
  /** The controls `apply` runs, which the panel offers (every mappable one when left out). */
  runs?(name: ControlName): boolean;
  /** Whether a toggle is in force (or asked for): a pad flips pause/resume and mute/unmute. */
  toggled: ToggleState;
  /** The drum voices of the model playing (for velocityScale, lock …). */
  voices(): readonly string[];
  onError(e: unknown): void;
  onInfo(text: string): void;
  /** Something the page shows changed. */
  onChange(): void;
}

/** Where the mapping is kept across reloads. */
export const STORAGE_KEY = 'pulse-rnn.midi-map';
const FILE_NAME = 'pulse-rnn-map.json';

interface MidiInputLike extends EventTarget {
  readonly id: string;
  readonly name?: string | null;
  readonly type: string;
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}): HTMLElementTagNameMap[K] => Object.assign(document.createElement(tag), props);

/** The panel's widgets, built into `box` (index.html holds only the empty fieldset). */
function build(box: HTMLElement, runs: (name: ControlName) => boolean) {
  const pick = el('select', { id: 'map-control' });
  pick.setAttribute('aria-label', 'Control to map');
  pick.append(...MAPPABLE.filter((c) => runs(c.name)).map((c) => new Option(c.label, c.name)));
  const voice = el('select', { id: 'map-voice', hidden: true });
  voice.setAttribute('aria-label', 'Voice');
  const learn = el('button', { id: 'map-learn', type: 'button', textContent: 'Learn', title: 'then move a knob or hit a pad on your controller' });
  const list = el('ul', { id: 'map-list', className: 'map-list' });
  const save = el('button', { id: 'map-export', type: 'button', textContent: 'Export', title: `the mapping as ${FILE_NAME}, which pulse-rnn play --map reads` });
  const file = el('input', { id: 'map-import', type: 'file', accept: '.json,application/json' });
  const load = el('label', { className: 'file' });
  load.append(file, ' Import…');
  const hint = el('p', { className: 'hint', textContent: 'a knob spans the control’s range; a pad presses a button (pause and mute flip)' });
  const row = () => el('div', { className: 'row' });
  const top = row();
  top.append(pick, voice, learn);
  const bottom = row();
  bottom.append(save, load);
  box.replaceChildren(el('legend', { textContent: 'MIDI map' }), top, list, bottom, hint);
  return { pick, voice, learn, list, save, file };
}

/**
 * What the panel offers for a press's or knob's other argument: the voices for a voice, the
 * numbers of a small range (a pattern slot), '' first when it may be left out. Null: none.
 */
function argChoices(c: ControlSpec, voices: readonly string[]): string[] | null {
  const knob = knobArg(c);
  const a = c.args.find((x, i) => i !== knob?.index);
  if (!a) return null;
  const leftOut = a.optional ? [''] : [];
  if (a.type === 'voice') return [...leftOut, ...voices];
  if (isNumberArg(a) && a.type === 'integer' && a.max - a.min <= 32) return [...leftOut, ...Array.from({ length: a.max - a.min + 1 }, (_, i) => String(a.min + i))];
  return null;
}

/** Read the kept mapping; a broken one is reported and dropped. */
function restore(hooks: MidiMapHooks): MapEntry[] {
  const text = localStorage.getItem(STORAGE_KEY);
  if (!text) return [];
  try {
    return checkMap(JSON.parse(text), 'the MIDI map kept in this browser');
  } catch (e) {
    hooks.onError(e);
    return [];
  }
}

export function bindMidiMap(box: HTMLElement, hooks: MidiMapHooks): { readonly map: MidiMap; render(): void } {
  const ui = build(box, hooks.runs ?? (() => true));
  let map = new MidiMap(restore(hooks));
  const heard = new Set<string>();
  let access: Promise<unknown> | null = null;

  const keep = () => localStorage.setItem(STORAGE_KEY, JSON.stringify(mapFile(map.entries)));
  const render = () => {
    ui.list.replaceChildren(...map.entries.map(entryItem));
    const learning = map.learning;
    ui.learn.textContent = learning ? `Move a knob… (${control(learning).label})` : 'Learn';
    ui.learn.setAttribute('aria-pressed', String(learning !== null));
    showVoices();
  };
  const entryItem = (e: MapEntry) => {
    const li = el('li', { textContent: entryText(e) });
    const x = el('button', { type: 'button', textContent: '×', title: `unmap ${e.control}` });
    x.setAttribute('aria-label', `unmap ${e.control}`);
    x.addEventListener('click', () => {
      map.remove(e.control, e.args ?? []);
      keep();
      render();
    });
    li.append(' ', x);
    return li;
  };
  /** A control taking a voice or a slot shows the choices beside it (the model's voices, the slots). */
  const showVoices = () => {
    const choices = argChoices(control(ui.pick.value), hooks.voices());
    ui.voice.hidden = choices === null;
    const shown = Array.from(ui.voice.options, (o) => o.value);
    if (choices && shown.join('\n') !== choices.join('\n')) ui.voice.replaceChildren(...choices.map((v) => new Option(v || '(all)', v)));
  };

  const onMessage = (e: Event) => {
    const data = (e as Event & { data?: Uint8Array }).data;
    if (!data) return;
    const input = (e.currentTarget as MidiInputLike | null)?.name ?? '';
    const learning = map.learning;
    let calls: ControlCall[] = [];
    try {
      calls = map.handle({ input, data }, hooks.toggled);
    } catch (err) {
      hooks.onError(err);
    }
    if (learning) learned(learning);
    for (const call of calls) {
      try {
        hooks.apply(call);
      } catch (err) {
        hooks.onError(err);
      }
    }
    if (calls.length) hooks.onChange();
  };
  const learned = (name: ControlName) => {
    const l = map.learned;
    if (map.learning === null && l && 'entry' in l) {
      keep();
      hooks.onInfo(`MIDI map: learned ${entryText(l.entry)}${l.replaced.length ? ` (instead of ${l.replaced.map(entryText).join('; ')})` : ''}`);
    } else if (l && 'error' in l) hooks.onError(new Error(`${name}: ${l.error.replace(`${name} `, '')}`));
    map.learned = null;
    render();
  };
  const listen = (input: MidiInputLike) => {
    if (input.type !== 'input' || heard.has(input.id)) return;
    heard.add(input.id);
    input.addEventListener('midimessage', onMessage);
  };
  /** Ask for MIDI once; every input, and those connected later. */
  const open = () =>
    (access ??= (async () => {
      const nav = navigator as Navigator & { requestMIDIAccess?: (o?: object) => Promise<{ inputs: { forEach(f: (i: MidiInputLike) => void): void } } & EventTarget> };
      if (!nav.requestMIDIAccess) throw new Error('this browser has no Web MIDI (Chrome, Edge and Firefox do): a controller cannot be heard here');
      const midi = await nav.requestMIDIAccess();
      midi.inputs.forEach(listen);
      midi.addEventListener('statechange', (e) => {
        const port = (e as Event & { port?: MidiInputLike & { state?: string } }).port;
        if (port && port.state !== 'disconnected') listen(port);
      });
    })().catch((e: unknown) => {
      access = null;
      throw e;
    }));

  ui.pick.addEventListener('change', showVoices);
  ui.learn.addEventListener('click', () => {
    if (map.learning) return void (map.disarm(), render());
    try {
      const c = control(ui.pick.value);
      const v = ui.voice.value;
      map.arm(c.name, ui.voice.hidden || v === '' ? [] : [/^\d+$/.test(v) && !hooks.voices().includes(v) ? Number(v) : v]);
    } catch (e) {
      hooks.onError(e);
      return;
    }
    render();
    open().catch((e: unknown) => (map.disarm(), render(), hooks.onError(e)));
  });
  ui.save.addEventListener('click', () => download(`${JSON.stringify(mapFile(map.entries), null, 2)}\n`, FILE_NAME, 'application/json'));
  pickFiles(ui.file, (file) => {
    void file.text().then((text) => {
      try {
        map = new MidiMap(parseMap(text, file.name));
      } catch (e) {
        return hooks.onError(e);
      }
      keep();
      render();
      hooks.onInfo(`MIDI map: ${map.entries.length} control(s) from ${file.name}`);
      open().catch(hooks.onError);
    });
  });
  render();
  if (map.entries.length) open().catch(hooks.onError);
  return {
    get map() {
      return map;
    },
    /** Show the voices of a model just loaded. */
    render,
  };
}
