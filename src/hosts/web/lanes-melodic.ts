/**
 * The lane of a page playing a melodic or chord model on its own: its piano roll in place of
 * the drum grid, with click-to-edit, clear and the lock the model offers, over the page's one
 * Generator (the sliders and the transport above steer it as they steer drums).
 *
 * @example
 * const melodic = bindMelodicLane(stage, { section, gridSection, onError, onChange });
 * melodic.setModel(info);            // shows the lane for a melodic model, the grid for drums
 * melodic.render(stage.playhead(now));
 */
import { buildLane } from './lanes.js';
import type { ModelInfo } from './model-info.js';
import { RollPart } from './piano-roll-part.js';
import { pitchRange } from './piano-roll-steps.js';
import type { Stage } from './stage.js';

export interface MelodicHooks {
  section: HTMLElement;
  /** The drum grid's section, hidden while the lane shows. */
  gridSection: HTMLElement;
  onError(e: unknown, what: string): void;
  onChange(): void;
}

export function bindMelodicLane(stage: Stage, hooks: MelodicHooks) {
  const part = new RollPart(() => stage.gen);
  const guard = (what: string, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      hooks.onError(e, what);
    }
    hooks.onChange();
  };
  const lane = buildLane(hooks.section, 'Notes', { toggle: (step, pitch) => guard('Edit', () => part.toggle(step, pitch)), lockRow: (pitch) => guard('Lock', () => part.togglePitchLock(pitch)) });
  lane.controls.remove();
  lane.lock.addEventListener('click', () => guard('Lock', () => part.toggleLock()));
  lane.clear.addEventListener('click', () => guard('Clear edit', () => part.clearEdits()));
  let on = false;
  window.addEventListener('resize', () => {
    if (on && lane.roll.fit()) hooks.onChange();
  });
  return {
    part,
    /** Show the lane for a melodic or chord model (and the drum grid for a drum model). */
    setModel(info: ModelInfo): void {
      on = !info.editable && stage.gen !== null;
      hooks.section.hidden = !on;
      hooks.gridSection.hidden = on;
      if (!on) return;
      lane.model.textContent = `${info.name} · ${info.summary}`;
      lane.roll.setModel(pitchRange(stage.gen?.net.spec.meta ?? {}), info.stepsPerBar, info.stepsPerBeat);
    },
    render(head: number): void {
      const gen = stage.gen;
      if (!on || !gen) return;
      lane.roll.render(part.steps(), gen.step, head, part.lockedRows());
      lane.showLock(part.locked, part.lockRefusal());
    },
    /** Start: the lane shows the steps played from here. */
    started(): void {
      part.fromTick = stage.gen?.ticks ?? 0;
    },
    /** Stop: steps written ahead are forgotten (the count starts over). */
    stopped(): void {
      if (on) part.clearEdits();
    },
  };
}
