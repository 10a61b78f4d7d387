/**
 * Record arm and stop on the page: Record arms a take that starts at the next step, or at the
 * next bar line of the model's count; Stop ends it with the last step handed out and hands
 * back the take's MIDI file (tick 0 on its first step's line, as the terminal's takes) and its
 * performance log, from which `pulse-rnn replay` plays the same notes again. Everything before
 * the take stays out of the file; the log holds the performance since the model loaded and
 * says at which tick the take starts (`session.from`).
 *
 * @example
 * const take = new TakeRecorder(stage);
 * take.arm('bar');                 // recording from the next bar line
 * const files = take.stop();       // { midi, log, notes, steps }
 * download(files.midi, 'take.mid', 'audio/midi');
 */
import type { MidiRecorder } from '../../io/recorder.js';
import type { Generator } from '../../music/generator.js';
import type { StepEvent } from '../../time/clock.js';
import { sessionRecorder, type SessionLog } from '../session-log.js';
import type { Stage } from './stage.js';

/** Where an armed take starts: the next step handed out, or the next one on a bar line. */
export type TakeStart = 'step' | 'bar';
export type TakeState = 'idle' | 'armed' | 'recording';

export interface TakeFiles {
  midi: Uint8Array;
  /** Null when the model changed during the take: its log is another generator's. */
  log: SessionLog | null;
  notes: number;
  steps: number;
  /** The model's step the take starts at. */
  firstStep: number;
}

export class TakeRecorder {
  private stateValue: TakeState = 'idle';
  private start: TakeStart = 'bar';
  private recorder: MidiRecorder | null = null;
  private gen: Generator | null = null;
  private from = 0;
  private firstStep = 0;
  private lastEnd = -Infinity;
  private readonly off: () => void;

  constructor(private readonly stage: Stage) {
    this.off = stage.beforeStep((e) => this.onStep(e));
  }

  get state(): TakeState {
    return this.stateValue;
  }

  /** Steps recorded so far. */
  get steps(): number {
    return this.stateValue === 'recording' && this.gen ? this.gen.ticks - this.from : 0;
  }

  /** Record from the next step, or the next bar line; throws while a take is armed or recording. */
  arm(start: TakeStart): void {
    if (this.stateValue !== 'idle') throw new Error(`a take is ${this.stateValue} already: stop it first`);
    if (!this.stage.gen) throw new Error('no model loaded yet');
    this.start = start;
    this.stateValue = 'armed';
    this.stage.version++;
  }

  /** End the take at the end of the last step handed out; null when it never started (an armed take is called off). */
  stop(): TakeFiles | null {
    const recorder = this.recorder;
    const was = this.stateValue;
    this.stateValue = 'idle';
    this.recorder = null;
    this.stage.version++;
    if (was !== 'recording' || !recorder) return null;
    recorder.allNotesOff(this.lastEnd);
    recorder.close();
    this.stage.removeSink(recorder);
    const same = this.stage.gen === this.gen;
    const log = same ? this.takeLog() : null;
    const steps = (log?.ticks ?? this.gen?.ticks ?? this.from) - this.from;
    return { midi: recorder.toMidi(), log, notes: recorder.song().notes.length, steps, firstStep: this.firstStep };
  }

  dispose(): void {
    this.stop();
    this.off();
  }

  private onStep(e: StepEvent): void {
    const gen = this.stage.gen;
    if (this.stateValue === 'armed' && gen && (this.start === 'step' || gen.step % gen.codec.stepsPerBar === 0)) {
      // before the Player hears this step: the recorder gets its notes
      this.recorder = sessionRecorder(gen.codec, e.bpm, e.time);
      this.gen = gen;
      this.from = gen.ticks;
      this.firstStep = gen.step;
      this.stage.addSink(this.recorder);
      this.stateValue = 'recording';
      this.stage.version++;
    }
    if (this.stateValue === 'recording') this.lastEnd = e.time + e.stepDuration;
  }

  /** The stage's log, read from the take's first tick with the tempo in force there. */
  private takeLog(): SessionLog | null {
    const log = this.stage.log;
    if (!log?.session) return null;
    // the tempo in force when the take's first step went out
    const before = log.session.tempos.filter((t) => (t.at ?? t.tick) <= this.from);
    const bpm = before[before.length - 1]?.bpm ?? log.session.bpm;
    return { ...log, session: { ...log.session, from: this.from, bpm } };
  }
}

export interface TakePanelHooks {
  /** Save the ended take's files (the page downloads them). */
  save(files: TakeFiles): void;
  onError(e: unknown): void;
  onChange(): void;
}

export interface TakePanelElements {
  button: HTMLButtonElement;
  from: HTMLSelectElement;
  state: HTMLElement;
}

/** The Record button (Record → Armed → Stop) and its "from the next step / bar" choice. */
export function bindTakePanel(stage: Stage, els: TakePanelElements, hooks: TakePanelHooks): { take: TakeRecorder; sync(): void } {
  const take = new TakeRecorder(stage);
  els.button.addEventListener('click', () => {
    try {
      if (take.state === 'idle') take.arm(els.from.value === 'step' ? 'step' : 'bar');
      else {
        const files = take.stop();
        if (files) hooks.save(files);
      }
    } catch (e) {
      hooks.onError(e);
    }
    hooks.onChange();
  });
  const text: Record<TakeState, [button: string, title: string]> = {
    idle: ['Record', 'arm a take: it starts at the next step or bar line, Stop ends it and saves its MIDI file and log'],
    armed: ['Armed', 'waiting for the take to start; press to call it off'],
    recording: ['Stop', 'end the take and save its MIDI file and log'],
  };
  let shown = '';
  return {
    take,
    sync(): void {
      const s = take.state;
      const said = s === 'recording' ? `recording: ${take.steps} steps` : s === 'armed' ? `armed: from the next ${els.from.value === 'step' ? 'step' : 'bar'}` : 'no take';
      if (shown === s + said) return;
      shown = s + said;
      els.button.textContent = text[s][0];
      els.button.title = text[s][1];
      els.button.setAttribute('aria-pressed', String(s !== 'idle'));
      els.button.dataset.state = s;
      els.from.disabled = s !== 'idle';
      els.state.textContent = said;
    },
  };
}
