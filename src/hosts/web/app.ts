/**
 * The performer's page: wires the step grid, the controls and the sound, clock, model, prime
 * and record panels to a `Stage`, and redraws once per animation frame when something
 * changed. Every musical decision is the Generator's; this file only connects things and
 * reports what goes wrong in the page's message area (the music keeps playing).
 *
 * Loads `weights/drums-expressive/` relative to the page (override with `?model=<folder or
 * model.json URL>`). `window.pulse` is a read-only view of what plays, for checks from the
 * console or a test.
 *
 * @example
 * // served by `pulse-rnn serve`: open http://127.0.0.1:PORT/ and press Start (or Space)
 * window.pulse.played().at(-1);   // { tick, step, notes: [{ note: 36, … }], releases: [] }
 */
import { control } from '../../music/controls.js';
import { currentAudio, openAudio } from './audio.js';
import { internalClock, midiClock } from './clocks.js';
import { bindControls } from './controls.js';
import { acceptDrops, download, kindOf, pickFiles } from './files.js';
import { GridView } from './grid-view.js';
import { liveRequested, openLink } from './live-link.js';
import { Messages } from './messages.js';
import { midiOutput, midiPorts, rnboOutput, toneOutput, toneSounding, type Output, type RnboSource } from './outputs.js';
import { RemoteStage } from './remote-stage.js';
import { Stage, type ModelInfo } from './stage.js';
import { bindVoiceScales } from './voice-scales.js';
import { bindDrummerTools } from './drummer-tools.js';
import { bindSlots, loadSlotSet, runSlotControl, slotSetOf } from './slots-view.js';
import { applyControl, pageRuns } from './apply-control.js';
import { bindMidiMap } from './midi-learn.js';
import { bindKeys, bindRemoteKeys } from './keys-panel.js';
import { bindMelodicLane } from './lanes-melodic.js';
import { bindRemoteLanes } from './lanes-remote.js';

const SHIPPED_MODEL = 'weights/drums-expressive/';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}: index.html and app.js are from different builds`);
  return e as T;
};

const messages = new Messages($('messages'), $<HTMLButtonElement>('messages-all'));
// served by `pulse-rnn start` (?live=1): a view of the terminal's performance, else a performance of its own
const remote = liveRequested() ? new RemoteStage({ onError: (e) => messages.error(e, 'Playing') }) : null;
const stage = remote ?? new Stage({ onError: (e) => messages.error(e, 'Playing') });
const grid = new GridView($('grid'), {
  toggle: (step, row) => guard(() => stage.toggleHit(step, row), 'Edit'),
  lock: (row) => guard(() => stage.toggleLock(row), 'Lock'),
});
// a melodic or chord model plays in a piano roll instead of the drum grid; Keys adds a second
// part beside the drums (a page joined to the terminal shows the terminal's parts instead)
const melodic = remote ? null : bindMelodicLane(stage, { section: $('roll-lane'), gridSection: $('grid-wrap'), onError: (e, what) => messages.error(e, what), onChange: () => (dirty = true) });
const keys = remote
  ? null
  : bindKeys(stage, { button: $<HTMLButtonElement>('keys-add'), section: $('keys-lane'), scrollWith: $('grid').parentElement ?? undefined, fallbackUrl: () => modelUrl.value, onError: (e, what) => messages.error(e, what), onInfo: (t) => messages.info(t), onChange: () => (dirty = true) });
// joined to the terminal: Keys brings the keys into its performance (and takes them out)
const remoteKeys = remote ? bindRemoteKeys(remote, { button: $<HTMLButtonElement>('keys-add'), onError: (e, what) => messages.error(e, what), onInfo: (t) => messages.info(t), onChange: () => (dirty = true) }) : null;
// joined to a performance: a lane for each part after the first, and for a melodic or chord first part in place of the grid
const partLanes = remote ? bindRemoteLanes(remote, { after: $('keys-lane'), first: $('roll-lane'), gridSection: $('grid-wrap'), onError: (e, what) => messages.error(e, what), onChange: () => (dirty = true) }) : null;
const controls = bindControls(stage, {
  onError: (e, what) => messages.error(e, what),
  onStartStop: startStop,
  onChange: () => (dirty = true),
});
// the generator's refusals name the control already
const scales = bindVoiceScales(stage, $('scales'), (e) => messages.error(e), () => (dirty = true));
// the slot buttons run the table's store, recall and undoRecall through this one path
const slots = bindSlots($('slots-panel'), {
  // joined to the terminal's performance: its slots, recalled there
  run: (name, args) => (remote ? remote.control(name, args) : runSlotControl(stage.gen, name, args)),
  slots: () => (remote ? remote.slots : stage.gen?.slots ?? null),
  saveSet: () => (remote ? terminalsOwn("save the terminal's slots at its prompt: saveSlots('set.json')") : slotSetOf(stage.gen)),
  loadSet: (set, file) => (remote ? terminalsOwn(`load ${file} at the terminal's prompt: loadSlots('${file}')`) : loadSlotSet(stage.gen, set, file)),
  onError: (e) => messages.error(e),
  onInfo: (text) => messages.info(text),
  onChange: () => (dirty = true),
});
// a controller's knobs and pads play through applyControl: the paths the sliders and buttons use
const midiMap = bindMidiMap($('midi-map-panel'), {
  apply: (call) => (remote ? remote.control(call.name, call.args) : applyControl(stage, call.name, call.args)),
  runs: pageRuns,
  toggled: (name) => ({ pause: stage.willPause, resume: !stage.willPause, mute: stage.willMute, unmute: !stage.willMute })[name as 'pause'] ?? false,
  voices: () => (stage.model?.editable ? stage.model.rows : []),
  onError: (e) => messages.error(e, 'MIDI map'),
  onInfo: (text) => messages.info(text),
  onChange: () => (dirty = true),
});

let dirty = true;
window.addEventListener('resize', () => {
  if (grid.fit()) dirty = true;
});

function guard<T>(fn: () => T, what: string): T | undefined {
  try {
    return fn();
  } catch (e) {
    messages.error(e, what);
    return undefined;
  } finally {
    dirty = true;
  }
}

async function attempt<T>(fn: () => Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    messages.error(e, what);
    return undefined;
  } finally {
    dirty = true;
  }
}

// ---- transport ------------------------------------------------------------------------------

function startStop(): void {
  if (stage.running || stage.waiting) {
    stage.stop();
    keys?.stopped();
    melodic?.stopped();
    dirty = true;
    return;
  }
  // start() opens the audio synchronously, inside this click or key press
  void attempt(async () => {
    await stage.start();
    keys?.started();
    melodic?.started();
  }, 'Start');
}

// ---- model ----------------------------------------------------------------------------------

const modelUrl = $<HTMLInputElement>('model-url');
let loadingModel = false;

async function loadModel(url: string): Promise<void> {
  loadingModel = true;
  dirty = true;
  const info = await attempt(() => stage.loadModel(url), 'Model');
  loadingModel = false;
  if (!info) return;
  showModel(info);
  messages.info(`${info.name} loaded (${info.summary}); the performance log starts over with it`);
}

function showModel(info: ModelInfo): void {
  // first: the grid measures its width to choose its bars, which it has only when shown
  melodic?.setModel(info);
  grid.setModel(info.rows, info.stepsPerBar, info.stepsPerBeat, info.editable);
  $('model-name').textContent = info.name;
  $('model-summary').textContent = info.summary;
  for (const id of ['start', 'pause', 'mute']) $<HTMLButtonElement>(id).disabled = false;
  scales.setModel(info.editable ? info.rows : []);
  midiMap.render();
  controls.sync();
  scales.sync();
}

$('model-load').addEventListener('click', () => void loadModel(modelUrl.value));
modelUrl.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') void loadModel(modelUrl.value);
});
$('model-shipped').addEventListener('click', () => {
  modelUrl.value = SHIPPED_MODEL;
  void loadModel(SHIPPED_MODEL);
});

/** What a page joined to the terminal's performance leaves to the terminal (files are read and written there). */
function terminalsOwn(what: string): never {
  throw new Error(what);
}

/** Join the terminal's performance: its model, steps and settings come from there. */
function joinPerformance(remote: RemoteStage): void {
  const link = openLink({
    onMessage: (m) => {
      if (m.type === 'message') return (remoteKeys?.refused(), messages.error(m.text, 'Performance'));
      const info = guard(() => remote.receive(m), 'Performance');
      if (!info) return;
      modelUrl.value = info.url || info.name;
      showModel(info);
      partLanes?.setParts();
      const sound = remote.sound;
      messages.info(`playing with the performance in the terminal (${info.name}): ${sound?.page ? 'press Start to hear it here' : `its sound goes to ${sound?.where}; Start plays it here too`}`);
    },
    // a stopped performance is looked for again (said once); a refused page is told why
    onClose: (why, retrying) => {
      dirty = true;
      if (retrying) messages.warn(why, 'Performance');
      else messages.error(why, 'Performance');
    },
  });
  remote.connect(link);
}

// ---- sound ----------------------------------------------------------------------------------

const outputRadios = Array.from(document.querySelectorAll<HTMLInputElement>('input[name=output]'));
const midiOut = $<HTMLSelectElement>('midi-out');

function showOutputPanel(kind: string): void {
  $('midi-sub').hidden = kind !== 'midi';
  $('rnbo-sub').hidden = kind !== 'rnbo';
  for (const r of outputRadios) r.checked = r.value === kind;
}

/**
 * Bumped by every choice of output: a device that finishes loading after a later choice (the
 * performer picked the kit while an RNBO export was still loading) is let go, not switched to.
 */
let outputChoice = 0;

function useOutput(output: Output): void {
  stage.setOutput(output);
  $('output-name').textContent = output.label;
  showParameters(output);
  dirty = true;
}

for (const radio of outputRadios) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    showOutputPanel(radio.value);
    if (radio.value === 'tone') {
      outputChoice++;
      guard(() => useOutput(toneOutput(openAudio())), 'Sound');
    }
    if (radio.value === 'midi') void scanMidiOutputs();
  });
}

function fillPorts(select: HTMLSelectElement, names: string[], none: string): void {
  const keep = select.value;
  select.replaceChildren(...(names.length ? names : [none]).map((n) => new Option(n, names.length ? n : '')));
  select.disabled = names.length === 0;
  if (names.includes(keep)) select.value = keep;
}

/** List the machine's MIDI ports of one kind in `select`, then use the one it shows (or say there are none). */
async function scanPorts(select: HTMLSelectElement, kind: 'inputs' | 'outputs', none: string, noneFound: string, choose: (name: string) => Promise<void>): Promise<void> {
  const ports = await attempt(() => midiPorts(), 'Web MIDI');
  if (!ports) return fillPorts(select, [], 'MIDI unavailable');
  fillPorts(select, ports[kind], none);
  if (ports[kind].length === 0) {
    messages.warn(noneFound, 'Web MIDI');
    return;
  }
  await choose(select.value);
}

const scanMidiOutputs = () =>
  scanPorts(midiOut, 'outputs', 'no MIDI outputs', 'no MIDI output ports found. Connect a device or start a virtual port (IAC Driver, loopMIDI), then press "Find MIDI ports".', chooseMidiOutput);

async function chooseMidiOutput(name: string): Promise<void> {
  if (!name) return;
  const choice = ++outputChoice;
  const output = await attempt(() => midiOutput(name, openAudio()), 'Web MIDI');
  if (!output) return;
  if (choice !== outputChoice) return output.dispose();
  useOutput(output);
}

$('midi-scan').addEventListener('click', () => void scanMidiOutputs());
midiOut.addEventListener('change', () => void chooseMidiOutput(midiOut.value));

async function loadRnbo(source: RnboSource): Promise<void> {
  showOutputPanel('rnbo');
  const what = 'file' in source ? source.file.name : source.url;
  $('rnbo-load').setAttribute('aria-busy', 'true');
  const choice = ++outputChoice;
  const loaded = await attempt(() => rnboOutput(openAudio(), source), 'RNBO');
  $('rnbo-load').removeAttribute('aria-busy');
  if (!loaded) return;
  if (choice !== outputChoice) {
    loaded.output.dispose();
    messages.info(`RNBO device from ${what} loaded after another output was chosen: it is not used (load it again to play through it)`);
    return;
  }
  for (const w of loaded.warnings) messages.warn(w, 'RNBO');
  useOutput(loaded.output);
  messages.info(`RNBO device from ${what} is playing`);
}

const rnboUrl = $<HTMLInputElement>('rnbo-url');
$('rnbo-load').addEventListener('click', () => void loadRnbo({ url: rnboUrl.value }));
rnboUrl.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') void loadRnbo({ url: rnboUrl.value });
});
pickFiles($<HTMLInputElement>('rnbo-file'), (file) => void loadRnbo({ file }));

/** Sliders for a device's first parameters: a performer reaches for a few, not for all. */
function showParameters(output: Output): void {
  const box = $('rnbo-params');
  box.replaceChildren();
  for (const p of (output.parameters ?? []).slice(0, 8)) {
    const id = `rnbo-param-${p.id.replace(/[^\w-]/g, '_')}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = p.name;
    const input = document.createElement('input');
    input.type = 'range';
    input.id = id;
    input.min = String(p.min);
    input.max = String(p.max);
    input.step = p.steps > 1 ? String((p.max - p.min) / (p.steps - 1)) : 'any';
    input.value = String(p.value);
    input.addEventListener('input', () => guard(() => (p.value = Number(input.value)), p.name));
    box.append(label, input);
  }
}

// ---- clock ----------------------------------------------------------------------------------

const clockRadios = Array.from(document.querySelectorAll<HTMLInputElement>('input[name=clock]'));
const midiIn = $<HTMLSelectElement>('midi-in');

/** Bumped by every choice of clock: a MIDI input that opens after a later choice is let go. */
let clockChoice = 0;

for (const radio of clockRadios) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    $('clock-sub').hidden = radio.value !== 'midi';
    if (radio.value === 'internal') clockChoice++;
    if (radio.value === 'internal' && stage.clockKind !== 'internal') {
      guard(() => stage.useClock(internalClock(openAudio(), stage.bpm, (e) => messages.error(e, 'Clock'))), 'Clock');
      $('clock-name').textContent = stage.clockLabel;
    }
    if (radio.value === 'midi') void scanMidiInputs();
  });
}

const scanMidiInputs = () =>
  scanPorts(midiIn, 'inputs', 'no MIDI inputs', 'no MIDI input ports found to follow a clock from. Connect the clock master (or a virtual port), then press "Find MIDI ports".', chooseMidiClock);

async function chooseMidiClock(name: string): Promise<void> {
  if (!name) return;
  const choice = ++clockChoice;
  const clock = await attempt(() => midiClock(name, openAudio(), (e) => messages.error(e, 'Clock')), 'MIDI clock');
  if (!clock) return;
  if (choice !== clockChoice) return clock.dispose();
  stage.useClock(clock);
  $('clock-name').textContent = clock.label;
}

$('midi-in-scan').addEventListener('click', () => void scanMidiInputs());
midiIn.addEventListener('change', () => void chooseMidiClock(midiIn.value));

// ---- prime and drops ------------------------------------------------------------------------

async function prime(file: File): Promise<void> {
  await attempt(async () => {
    const { steps, warnings } = stage.prime(new Uint8Array(await file.arrayBuffer()), file.name);
    for (const w of warnings.slice(0, 3)) messages.warn(w, 'Prime');
    messages.info(`primed from ${file.name} (${steps} steps): the model plays on from it`);
  }, 'Prime');
}

pickFiles($<HTMLInputElement>('prime-file'), (f) => void prime(f));

acceptDrops(document.body, (files) => {
  for (const file of files) {
    void kindOf(file).then((kind) => {
      if (kind === 'midi') return prime(file);
      if (kind === 'json') return loadRnbo({ file });
      messages.error(`${file.name}: drop a MIDI file (.mid) to prime, or an RNBO patch.export.json`, 'Drop');
    });
  }
});

// ---- record ---------------------------------------------------------------------------------

/** The performer's local date and minute, as a clock on the wall reads: 2026-12-06-0412. */
function stamp(d = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}`;
}

/** Names given to downloads so far: a second take in the same minute gets -2, not a clash. */
const savedNames = new Set<string>();
function takeName(stem: string, ext: string): string {
  let name = `${stem}.${ext}`;
  for (let i = 2; savedNames.has(name); i++) name = `${stem}-${i}.${ext}`;
  savedNames.add(name);
  return name;
}

$('save-midi').addEventListener('click', () =>
  guard(() => {
    const rec = stage.recorder;
    if (!rec || rec.song().notes.length === 0) throw new Error('nothing recorded yet: press Start and play first');
    download(rec.toMidi(), takeName(`pulse-rnn-${stamp()}`, 'mid'), 'audio/midi');
  }, 'Save MIDI'),
);

// a take armed with Record and ended with Stop: its MIDI file and its log, named alike
const tools = bindDrummerTools(stage, {
  error: (e, what) => messages.error(e, what),
  onChange: () => (dirty = true),
  save: (files) => {
    const stem = `pulse-rnn-take-${stamp()}`;
    download(files.midi, takeName(stem, 'mid'), 'audio/midi');
    if (files.log) download(JSON.stringify(files.log), takeName(stem, 'log.json'), 'application/json');
    else messages.warn('the model changed during the take: its MIDI file is saved, its log would replay another model', 'Record');
    messages.info(`take saved: ${files.notes} notes over ${files.steps} steps, from bar ${Math.floor(files.firstStep / (stage.model?.stepsPerBar ?? 16)) + 1}`);
  },
});

$('save-log').addEventListener('click', () =>
  guard(() => {
    const log = stage.log;
    if (!log || log.ticks === 0) throw new Error('nothing played yet: the log holds the steps played since the model loaded');
    download(JSON.stringify(log), takeName(`pulse-rnn-${stage.model?.name ?? 'model'}-${stamp()}`, 'json'), 'application/json');
  }, 'Save log'),
);

// ---- drawing --------------------------------------------------------------------------------

const startButton = $<HTMLButtonElement>('start');
const pauseButton = $<HTMLButtonElement>('pause');
const muteButton = $<HTMLButtonElement>('mute');
const positionEl = $('position');
const stateEl = $('state');
const meterFill = $('meter-fill');
const bpmInput = $<HTMLInputElement>('bpm');
let shownVersion = -1;
let shownHead = -2;
let level = 0;

function position(step: number, info: ModelInfo): string {
  const bar = Math.floor(step / info.stepsPerBar) + 1;
  const inBar = step % info.stepsPerBar;
  return `${bar}.${Math.floor(inBar / info.stepsPerBeat) + 1}.${(inBar % info.stepsPerBeat) + 1}`;
}

function stateText(): string {
  if (loadingModel && !stage.model) return 'loading model';
  if (!stage.model) return 'no model';
  if (stage.waiting) return 'waiting for clock';
  // joined to the terminal's performance, which plays whether or not this page sounds
  if (remote && !remote.connected) return 'looking for the terminal';
  if (remote && !stage.running) return 'watching the terminal';
  if (!stage.running) return 'stopped';
  if (stage.willPause) return 'paused';
  if (stage.willMute) return 'muted';
  return 'playing';
}

function setPressed(b: HTMLButtonElement, on: boolean, onText: string, offText: string): void {
  if (b.getAttribute('aria-pressed') === String(on)) return;
  b.setAttribute('aria-pressed', String(on));
  b.textContent = on ? onText : offText;
}

function draw(): void {
  const audio = currentAudio();
  // what is heard now was rendered one output latency ago
  const heard = audio ? audio.context.currentTime - (audio.context.outputLatency || audio.context.baseLatency || 0) : 0;
  const head = stage.playhead(heard);
  if (dirty || stage.version !== shownVersion || head !== shownHead) {
    dirty = false;
    shownVersion = stage.version;
    shownHead = head;
    grid.render(stage.view(), head);
    melodic?.render(head);
    partLanes?.render(head);
    remoteKeys?.sync();
    const info = stage.model;
    positionEl.textContent = info && head >= 0 ? position(head, info) : '–.–.–';
    const state = stateText();
    if (stateEl.textContent !== state) {
      stateEl.textContent = state;
      document.body.dataset.state = state.split(' ')[0];
    }
    setPressed(startButton, stage.running || stage.waiting, 'Stop', 'Start');
    setPressed(pauseButton, stage.willPause, control('resume').label, control('pause').label);
    setPressed(muteButton, stage.willMute, control('unmute').label, control('mute').label);
    controls.sync();
    scales.sync();
    slots.sync();
    tools.sync();
    if (stage.clockKind === 'midi') {
      bpmInput.disabled = true;
      if (document.activeElement !== bpmInput) bpmInput.value = stage.bpm.toFixed(1);
    } else bpmInput.disabled = false;
  }
  keys?.render(head);
  // a peak meter that falls back slowly, as meters do
  const peak = audio && stage.running ? audio.peak() : 0;
  const next = Math.max(peak, level * 0.9);
  if (Math.abs(next - level) > 0.002) {
    level = next;
    const db = level > 0 ? 20 * Math.log10(level) : -60;
    meterFill.style.transform = `scaleX(${Math.max(0, Math.min(1, (db + 48) / 48))})`;
    meterFill.classList.toggle('hot', db > -1);
  }
  requestAnimationFrame(draw);
}

// ---- start ----------------------------------------------------------------------------------

/** Read-only access for the console and tests: copies of what plays, never the live objects. */
const hook = Object.freeze({
  ready: () => stage.model !== null,
  model: () => (stage.model ? { ...stage.model } : null),
  running: () => stage.running,
  step: () => stage.nextStep,
  ticks: () => stage.ticks,
  played: () => stage.played(),
  /** The value controls as the page shows them (what the next step plays), and as they play now. */
  settings: () => stage.settings,
  applied: () => stage.applied,
  upcoming: () => stage.gen?.upcoming() ?? [],
  edits: () => [...stage.view().edits].map(([step, rows]) => ({ step, voices: rows.map((r) => stage.model?.rows[r]) })),
  locked: () => [...stage.view().locked].map((r) => stage.model?.rows[r]),
  /** The pattern slots: which hold a groove, the recall waiting and its step, whether undo can act. */
  slots: () => stage.gen?.slots ?? null,
  /** The log and the played steps at one instant, to replay and compare. */
  snapshot: () => ({ log: stage.log, played: stage.played() }),
  output: () => stage.output?.label ?? null,
  clock: () => stage.clockLabel,
  sent: () => ({ ...stage.sent }),
  level: () => currentAudio()?.peak() ?? 0,
  messages: () => messages.all(),
  /** The tempo and swing playing, and the take's state. */
  bpm: () => stage.bpm,
  swing: () => stage.swing,
  take: () => ({ state: tools.take.state, steps: tools.take.steps }),
  /** A melodic or chord model's steps written ahead, as written (MIDI pitches, 'hold', 'rest'). */
  rollEdits: () => stage.gen?.edits ?? [],
  /** The locks holding now (a chord part's: 'chords', the whole part, or a pitch row's MIDI number). */
  rollLocks: () => stage.gen?.locks ?? [],
  /** The keys part beside the drums: its model, steps, edits, settings and what reached the output; null without one. */
  keys: () => keys?.snapshot() ?? null,
  /** Melodic notes the Tone.js synth sounds now or will (0 once every key is let go). */
  synthSounding: () => toneSounding(),
  /** Joined to the terminal's performance: how steady its steps arrive; null when the page plays alone. */
  live: () => remote?.timing() ?? null,
});
Object.defineProperty(window, 'pulse', { value: hook, enumerable: false });

const requested = new URLSearchParams(location.search).get('model');
modelUrl.value = requested ?? SHIPPED_MODEL;
requestAnimationFrame(draw);
if (remote) joinPerformance(remote);
else void loadModel(modelUrl.value);
