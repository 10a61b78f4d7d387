/**
 * The lanes of a page joined to the terminal's performance, one for each part besides the first
 * (whose steps fill the drum grid): a piano roll of the steps the part hands out and the bar it
 * has ahead, drawn under the grid on the same bar lines. A click on a cell ahead sends that
 * step's pitches with the pitch toggled (`keys.edit(…)` as at the prompt), Clear edit and the lock
 * go to the part by its name; the performance checks each and answers every page. A part brought
 * in or taken out while the music plays gets or loses its lane at the next frame drawn.
 *
 * @example
 * const lanes = bindRemoteLanes(remote, { after: document.querySelector('#keys-lane')!, onError });
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
  onError(e: unknown, what: string): void;
  onChange(): void;
}

/** A chord part's whole-part lock, as the Generator names it. */
const WHOLE = 'chords';

export function bindRemoteLanes(remote: RemoteStage, hooks: RemoteLaneHooks) {
  let lanes: { part: string; lane: Lane }[] = [];
  /** The parts the lanes were built for (`RemoteStage.partsVersion`). */
  let built = -1;
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      hooks.onError(e, what);
    }
    hooks.onChange();
  };
  const toggle = (name: string, step: number, pitch: number) => {
    const p = remote.parts.get(name);
    if (p) toggleRemote(remote, p, step, pitch);
  };
  const lock = (name: string) => {
    const p = remote.parts.get(name);
    if (p) remote.partControl(name, p.locked.includes(WHOLE) ? 'unlock' : 'lock', [WHOLE]);
  };
  const clear = (name: string) => {
    const p = remote.parts.get(name);
    if (!p) return;
    for (const e of p.edits) if (e.step >= p.next) remote.partControl(name, 'clearEdit', [e.step]);
    p.edits = [];
  };
  return {
    /** A lane for each of the performance's other parts (after a hello). */
    setParts(): void {
      built = remote.partsVersion;
      for (const { lane } of lanes) lane.section.remove();
      lanes = [];
      let at = hooks.after;
      for (const p of remote.parts.values()) {
        const section = document.createElement('section');
        section.id = `part-lane-${p.name}`;
        section.setAttribute('aria-label', p.name);
        at.after(section);
        at = section;
        const lane = buildLane(section, p.name, { toggle: (step, pitch) => guard('Edit', () => toggle(p.name, step, pitch)) });
        lane.controls.remove();
        lane.lock.addEventListener('click', () => guard('Lock', () => lock(p.name)));
        lane.clear.addEventListener('click', () => guard('Clear edit', () => clear(p.name)));
        lane.model.textContent = `${p.hello.model.name} · ${p.hello.model.summary}${p.hello.channel ? ` · channel ${p.hello.channel}` : ''}`;
        lane.roll.setModel({ low: 21, high: 108 }, p.hello.model.stepsPerBar, p.hello.model.stepsPerBeat, p.hello.every);
        lanes.push({ part: p.name, lane });
      }
    },
    /** Draw every lane with the play head at the first part's step `head`. */
    render(head: number): void {
      // a part came in or left while the music plays: its lane shows or goes without a reload
      if (built !== remote.partsVersion) this.setParts();
      for (const { part, lane } of lanes) {
        const p = remote.parts.get(part);
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

/** Send a remote part's step with `pitch` toggled (as the part's encoding holds a step), shown at once as written. */
function toggleRemote(remote: RemoteStage, p: RemotePart, step: number, pitch: number): void {
  if (step < p.next) throw new Error(`step ${step + 1} has already played`);
  const notes = toggledStep({ name: p.hello.model.encoding }, remoteSteps(p).get(step)?.sounding ?? [], pitch);
  remote.partControl(p.name, 'edit', [step, notes]);
  p.edits = [...p.edits.filter((e) => e.step !== step), { step, notes }];
}
