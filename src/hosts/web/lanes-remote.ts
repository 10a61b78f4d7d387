/**
 * The lanes of a page joined to the terminal's performance, one for each part besides the first
 * (whose steps fill the drum grid; a melodic or chord first part has a lane in the grid's place):
 * a piano roll of the steps the part hands out and the bar it has ahead, drawn under the grid on
 * the same bar lines. A click on a cell ahead sends that
 * step's pitches with the pitch toggled (`keys.edit(…)` as at the prompt), Clear edit and the lock
 * go to the part by its name; the performance checks each and answers every page. A part brought
 * in or taken out while the music plays gets or loses its lane at the next frame drawn.
 *
 * @example
 * const lanes = bindRemoteLanes(remote, { after: $('keys-lane'), first: $('roll-lane'), gridSection: $('grid-wrap'), onError, onChange });
 * lanes.setParts();            // after a hello: a lane per part
 * lanes.render(remote.playhead(now));
 */
import type { StepCopy } from '../../music/generator.js';
import { buildLane, type Lane } from './lanes.js';
import { rollSteps, toggledStep } from './piano-roll-steps.js';
import type { RemotePart, RemoteStage } from './remote-stage.js';

export interface RemoteLaneHooks {
  /** The lanes go after this element, in the parts' order. */
  after: HTMLElement;
  /** The first part's lane, shown in place of the drum grid when its model is melodic or chord. */
  first: HTMLElement;
  /** The drum grid's section, hidden while the first part has a lane. */
  gridSection: HTMLElement;
  onError(e: unknown, what: string): void;
  onChange(): void;
}

/** A chord part's whole-part lock, as the Generator names it. */
const WHOLE = 'chords';

/** A lane and its part's name (null: the first part, whose steps are the Stage's own). */
interface PartLane {
  readonly part: string | null;
  readonly lane: Lane;
}

export function bindRemoteLanes(remote: RemoteStage, hooks: RemoteLaneHooks) {
  let lanes: PartLane[] = [];
  /** The parts the lanes were built for (`RemoteStage.partsVersion`), and whether the first part had a lane. */
  let built = -1;
  let firstBuilt = false;
  const partOf = (name: string | null) => (name === null ? remote.firstLane() : remote.parts.get(name) ?? null);
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      hooks.onError(e, what);
    }
    hooks.onChange();
  };
  /** The page shows a step as written until the performance answers. */
  const wrote = (name: string | null, p: RemotePart, step: number, notes: readonly (number | string)[] | null) => {
    if (name === null) return remote.firstEdited(step, notes);
    p.edits = [...p.edits.filter((e) => e.step !== step), ...(notes ? [{ step, notes }] : [])];
  };
  const toggle = (name: string | null, step: number, pitch: number) => {
    const p = partOf(name);
    if (!p) return;
    if (step < p.next) throw new Error(`step ${step + 1} has already played`);
    const notes = toggledStep({ name: p.hello.model.encoding }, remoteSteps(p).get(step)?.sounding ?? [], pitch);
    remote.laneControl(name, 'edit', [step, notes]);
    wrote(name, p, step, notes);
  };
  const lock = (name: string | null) => {
    const p = partOf(name);
    if (p) remote.laneControl(name, p.locked.includes(WHOLE) ? 'unlock' : 'lock', [WHOLE]);
  };
  const clear = (name: string | null) => {
    const p = partOf(name);
    if (!p) return;
    for (const e of p.edits) {
      if (e.step < p.next) continue;
      remote.laneControl(name, 'clearEdit', [e.step]);
      wrote(name, p, e.step, null);
    }
  };
  const laneFor = (section: HTMLElement, name: string | null, title: string, p: RemotePart): PartLane => {
    const lane = buildLane(section, title, { toggle: (step, pitch) => guard('Edit', () => toggle(name, step, pitch)) });
    lane.controls.remove();
    lane.lock.addEventListener('click', () => guard('Lock', () => lock(name)));
    lane.clear.addEventListener('click', () => guard('Clear edit', () => clear(name)));
    lane.model.textContent = `${p.hello.model.name} · ${p.hello.model.summary}${p.hello.channel ? ` · channel ${p.hello.channel}` : ''}`;
    lane.roll.setModel({ low: 21, high: 108 }, p.hello.model.stepsPerBar, p.hello.model.stepsPerBeat, p.hello.every);
    return { part: name, lane };
  };
  /** The first part's lane in place of the drum grid, for a melodic or chord model; the grid back for drums. */
  const setFirst = () => {
    const first = remote.firstLane();
    firstBuilt = first !== null;
    hooks.first.hidden = !first;
    hooks.gridSection.hidden = first !== null;
    if (first) lanes.push(laneFor(hooks.first, null, first.name || 'Notes', first));
    else hooks.first.replaceChildren();
  };
  return {
    /** A lane for the first part when it is melodic or chord, and for each of the performance's other parts (after a hello). */
    setParts(): void {
      built = remote.partsVersion;
      for (const { part, lane } of lanes) if (part !== null) lane.section.remove();
      lanes = [];
      setFirst();
      let at = hooks.after;
      for (const p of remote.parts.values()) {
        const section = document.createElement('section');
        section.id = `part-lane-${p.name}`;
        section.setAttribute('aria-label', p.name);
        at.after(section);
        at = section;
        lanes.push(laneFor(section, p.name, p.name, p));
      }
    },
    /** Draw every lane with the play head at the first part's step `head`. */
    render(head: number): void {
      // a part came in or left while the music plays: its lane shows or goes without a reload
      if (built !== remote.partsVersion || firstBuilt !== (remote.firstLane() !== null)) this.setParts();
      for (const { part, lane } of lanes) {
        const p = partOf(part);
        if (!p) continue;
        const every = p.hello.every;
        lane.roll.render(remoteSteps(p), p.next, head >= 0 ? Math.floor(head / every) : -1);
        lane.showLock(p.locked.includes(WHOLE), p.hello.model.encoding === 'piano-roll' ? null : `locks hold a chord part's bar or a drum voice; ${p.hello.model.encoding} parts have none here`);
      }
    },
  };
}

/** What a remote part's lane draws: the steps it played and, ahead, the notes each will sound. */
function remoteSteps(p: RemotePart) {
  const played: StepCopy[] = p.steps
    .filter((s) => s.step >= 0)
    .map((s) => ({ step: s.step, tick: s.tick, notes: s.notes.map((n) => ({ note: n.note, velocity: n.velocity, channel: n.channel, length: n.duration === null ? Infinity : n.duration / s.stepDuration, offset: 0 })), releases: s.releases.map((x) => ({ note: x.note, channel: x.channel, offset: 0 })) }));
  const ahead = (p.steps.at(-1)?.upcoming ?? []).map((u) => ({ step: u.step, notes: u.notes.map((note) => ({ note, velocity: 0, channel: 0, length: 1, offset: 0 })), releases: [] }));
  return rollSteps(played, ahead, p.edits, p.next);
}
