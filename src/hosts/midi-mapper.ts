/**
 * A MIDI controller steering a live session: knobs and pads on WEBMIDI.js inputs (every input,
 * or one named), turned into the session's own commands by the mapping (music/midi-map.ts). A
 * knob's temperature is `session.temperature(v)`, so it is checked, logged and replayed like a
 * typed one, and the performance log shows it as temperature. Knob moves print nothing (a sweep
 * would bury the prompt); a value refused says so in one line.
 *
 * The prompt's `learn`, `map`, `unmap` and `saveMap` are the session's commands over this.
 *
 * @example
 * const mapper = await MidiMapper.open(session, { file: 'set.json', input: 'nanoKONTROL2' });
 * mapper.learn(['density']);        // 'density: move a knob or fader …'; the next CC becomes density's
 * mapper.list();                    // one entry a line
 * await mapper.save('/abs/set.json');
 */
import { readFile } from 'node:fs/promises';
import type { PortEvent } from 'webmidi';
import { writeAtomic } from '../io/atomic-file.js';
import { enableMidi } from '../io/midi-ports.js';
import type { MidiInputLike, MidiMessageLike } from '../io/native-midi.js';
import { checkUserFile } from '../io/user-file.js';
import { control, type ControlName } from '../music/controls.js';
import { MAPPABLE, MidiMap, entryText, isKnob, mapFile, parseMap, type ControlCall, type MapEntry } from '../music/midi-map.js';
import { openClockInput } from './port-choice.js';
import { CommandError, errorText, fileArg, show } from './prompt-commands.js';

/** What the mapper steers: the session's commands by name, where it prints, and the generator's toggles. */
export interface MapTarget {
  printer: (text: string) => void;
  lastError: string | null;
  readonly generator: { readonly settings: { readonly paused: boolean; readonly muted: boolean } };
  readonly done: Promise<void>;
}

export interface MapperOptions {
  /** A mapping file to start from. */
  file?: string;
  /** Listen on this input only (a unique part of its name will do; the system's through @julusian/midi where WEBMIDI.js has none); every WEBMIDI.js input when left out. */
  input?: string;
}

/** A mapping file is a few kilobytes; this is far more than any controller's. */
const MAX_MAP_BYTES = 4 * 1024 * 1024;

export class MidiMapper {
  readonly map: MidiMap;
  private readonly inputs = new Set<MidiInputLike>();
  private offConnected = () => {};
  private closeInput = () => {};
  private closed = false;
  private lastRefusal = '';

  constructor(
    private readonly session: MapTarget,
    entries: readonly MapEntry[] = [],
    private readonly only?: string,
  ) {
    this.map = new MidiMap(entries);
    void session.done.then(() => this.close());
  }

  /** A mapper on the machine's inputs (or the one named), from a file when one is given. */
  static async open(session: MapTarget, o: MapperOptions = {}): Promise<MidiMapper> {
    const entries = o.file ? await readMap(o.file) : [];
    if (o.input) {
      const named = await openClockInput(o.input);
      const mapper = new MidiMapper(session, entries, named.input.name);
      mapper.closeInput = named.close;
      mapper.listen(named.input);
      return mapper;
    }
    const wm = await enableMidi();
    const mapper = new MidiMapper(session, entries);
    for (const input of wm.inputs) mapper.listen(input);
    // a controller plugged in mid-set is heard too
    const onConnected = (e: PortEvent) => {
      if (e.port.type === 'input') mapper.listen(e.port as MidiInputLike);
    };
    wm.addListener('connected', onConnected);
    mapper.offConnected = () => wm.removeListener('connected', onConnected);
    return mapper;
  }

  /** Where it listens, in words. */
  get where(): string {
    if (this.only) return `input ${JSON.stringify(this.only)}`;
    return this.inputs.size ? `${this.inputs.size} input(s): ${[...this.inputs].map((i) => JSON.stringify(i.name)).join(', ')}` : 'no MIDI input (none is connected)';
  }

  listen(input: MidiInputLike): void {
    if (this.closed || this.inputs.has(input)) return;
    this.inputs.add(input);
    input.addListener('midimessage', this.onMessage);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offConnected();
    for (const input of this.inputs) input.removeListener('midimessage', this.onMessage);
    this.inputs.clear();
    this.closeInput();
  }

  private readonly onMessage = (e: MidiMessageLike): void => {
    this.receive(e.port.name, e.message.rawData);
  };

  /** One MIDI message from the input named: learned, or run as the commands it maps to. */
  receive(input: string, data: ArrayLike<number>): void {
    if (this.closed) return;
    const learning = this.map.learning;
    const calls = this.map.handle({ input, data }, this.toggled);
    if (learning && !this.map.learning) this.session.printer(learnedText(this.map.learned));
    else if (learning && this.map.learned && 'error' in this.map.learned) this.session.printer(`learn: ${this.map.learned.error}`);
    for (const call of calls) this.apply(call);
  }

  /** Run a call as the command of its name; only a refusal is printed. */
  apply(call: ControlCall): void {
    const s = this.session as unknown as Record<string, unknown> & MapTarget;
    const print = s.printer;
    const run = s[call.name];
    if (typeof run !== 'function') return print(`MIDI map: ${call.name} is not a command of this session`);
    s.printer = () => {};
    try {
      // an async command (prime, record) reports its own outcome when it ends
      void run.apply(s, call.args);
    } catch (e) {
      s.lastError = `${call.name}: ${errorText(e)}`;
    } finally {
      s.printer = print;
    }
    // a knob swept against a refusal says it once, not once a CC
    const said = s.lastError ? `MIDI map: ${s.lastError}` : '';
    if (said && said !== this.lastRefusal) print(said);
    this.lastRefusal = said;
  }

  private readonly toggled = (name: ControlName): boolean => {
    const { paused, muted } = this.session.generator.settings;
    return { pause: paused, resume: !paused, mute: muted, unmute: !muted }[name as 'pause'] ?? false;
  };

  /** Arm a control (with its args); the next CC or note becomes its entry. No control: stop learning. */
  learn(args: readonly unknown[]): string {
    const [name, ...rest] = args;
    if (name === undefined) {
      const was = this.map.learning;
      this.map.disarm();
      return was ? `no longer learning ${was}` : `name a control to learn, e.g. learn('temperature'); controls a controller can reach: ${MAPPABLE.map((c) => c.name).join(', ')}`;
    }
    if (typeof name !== 'string') throw new CommandError(`${show(name)} is not a control's name, e.g. learn('temperature')`);
    const given = rest.map((a) => {
      if (typeof a !== 'string' && typeof a !== 'number') throw new CommandError(`${show(a)}: a map gives a control a voice, a head or a number, e.g. learn('velocityScale', 'kick')`);
      return a;
    });
    try {
      this.map.arm(name, given);
    } catch (e) {
      throw new CommandError((e as Error).message);
    }
    const what = isKnob(control(name)) ? 'move a knob or fader' : 'press a pad or key (or a button sending a CC)';
    // with nothing to listen to yet, say so plainly: a controller plugged in now is still heard
    if (!this.only && this.inputs.size === 0) return `${name}: no MIDI input is connected yet; plug a controller in and ${what} (pulse-rnn ports lists the inputs); learn() cancels`;
    return `${name}: ${what} on ${this.where}; learn() cancels`;
  }

  /** The mapping, one entry a line. */
  list(): string {
    const entries = this.map.entries;
    const learning = this.map.learning ? `\nlearning ${this.map.learning}: waiting for a knob or pad` : '';
    if (!entries.length) return `no MIDI mapping yet (listening on ${this.where}); learn('temperature') maps one${learning}`;
    return `MIDI map (listening on ${this.where}):\n${entries.map((e) => `  ${entryText(e)}`).join('\n')}${learning}`;
  }

  /** Remove a control's entries (only those with these args when given). */
  unmap(args: readonly unknown[]): string {
    const [name, ...rest] = args;
    if (typeof name !== 'string') throw new CommandError(`name the control to unmap, e.g. unmap('temperature')`);
    const c = control(name);
    const gone = this.map.remove(c.name, rest.length ? (rest as (string | number)[]) : undefined);
    if (!gone.length) throw new CommandError(`${name} is not mapped; map() lists what is`);
    return `unmapped ${gone.map(entryText).join('; ')}`;
  }

  /** Write the mapping as a file `--map` reads (whole or not at all). */
  async save(path: string, name: string): Promise<string> {
    await writeAtomic(path, `${JSON.stringify(mapFile(this.map.entries), null, 2)}\n`);
    return `wrote ${name}: ${this.map.entries.length} entr${this.map.entries.length === 1 ? 'y' : 'ies'}; --map ${name} plays with it`;
  }
}

/** A mapping file's entries, checked; errors name the file, the entry and the field. */
export async function readMap(path: string): Promise<MapEntry[]> {
  checkUserFile(path, MAX_MAP_BYTES, 'a MIDI mapping file (JSON)');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the MIDI mapping (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseMap(text, path);
}

function learnedText(l: MidiMap['learned']): string {
  if (!l || 'error' in l) return `learn: ${l?.error ?? 'nothing learned'}`;
  const replaced = l.replaced.length ? ` (instead of ${l.replaced.map(entryText).join('; ')})` : '';
  return `learned ${entryText(l.entry)}${replaced}`;
}

/**
 * The prompt's mapping commands over a session: `learn`, `map`, `unmap`, `saveMap`. The mapper
 * opens on first use (every input, unless `--map-input` named one), or with `--map FILE`. Each
 * reports as the session's commands do: one line, and `lastError` when it failed.
 *
 * @example
 * const midi = new MappingCommands(session, () => process.cwd());
 * await midi.open({ file: 'set.json' });
 * await midi.learn(['temperature']);   // prints "temperature: move a knob or fader on …"
 */
export class MappingCommands {
  private opening: Promise<MidiMapper> | null = null;

  constructor(
    private readonly session: MapTarget,
    private readonly cwd: () => string,
  ) {}

  /** The mapper, opened once: with these options the first time. A failed open is tried again next time. */
  open(o: MapperOptions = {}): Promise<MidiMapper> {
    this.opening ??= MidiMapper.open(this.session, o).catch((e: unknown) => {
      this.opening = null;
      throw e;
    });
    return this.opening;
  }

  learn(args: unknown[]): Promise<void> {
    return this.run('learn', (m) => m.learn(args));
  }

  map(args: unknown[]): Promise<void> {
    return this.run('map', (m) => {
      if (args.length) throw new CommandError(`map() takes nothing; learn('temperature') maps a control, unmap('temperature') removes it`);
      return m.list();
    });
  }

  unmap(args: unknown[]): Promise<void> {
    return this.run('unmap', (m) => m.unmap(args));
  }

  saveMap(args: unknown[]): Promise<void> {
    return this.run('saveMap', (m) => {
      const [file, ...extra] = args;
      if (extra.length) throw new CommandError(`too many arguments; usage: saveMap('set.json')`);
      return m.save(fileArg(file, this.cwd(), "name a file to save the mapping to, e.g. saveMap('set.json')"), String(file));
    });
  }

  private async run(name: string, fn: (m: MidiMapper) => string | Promise<string>): Promise<void> {
    const s = this.session;
    try {
      const said = await fn(await this.open());
      s.lastError = null;
      s.printer(said);
    } catch (e) {
      const text = `${name}: ${errorText(e).replace(new RegExp(`^${name}: `), '')}`;
      s.lastError = text;
      s.printer(text);
    }
  }
}
