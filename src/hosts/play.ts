/**
 * The terminal host's commands: `play` (a model live, steered from a prompt), `ports` (the MIDI
 * ports there are) and `replay` (a recorded performance again, to a file or a port). The
 * command line only parses options; the work is here, so tests run it in-process too.
 *
 * @example
 * await runPlay({ model: 'weights/drums-gmd', bpm: 120, clock: 'internal', out: 'IAC', seed: 7, temperature: 0.9, repl: true });
 * await runPorts((line) => console.log(line));
 * await runReplay('set.mid.log.json', { midi: 'again.mid' }, (line) => console.log(line));
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { checkUserFile } from '../io/user-file.js';
import { resolve } from 'node:path';
import { WebMidi } from 'webmidi';
import { openOutput } from '../io/midi-ports.js';
import { loadModelSpec } from '../io/model-files.js';
import type { NoteSink } from '../io/sink.js';
import { codecFor } from '../music/codecs.js';
import { InternalClock } from '../time/internal-clock.js';
import { MidiClockFollower } from '../time/midi-clock-follower.js';
import { writeAtomic } from '../io/atomic-file.js';
import { LiveSession } from './live-session.js';
import type { LiveSocket } from './live-socket.js';
import type { MidiMapper } from './midi-mapper.js';
import { pulsesPerStep, replayToMidi, replayToPort } from './replay.js';
import { startRepl } from './repl.js';
import { parseSessionLog } from './session-log.js';
import { allPorts, openClockInput, openPlayOutput, partVirtualPort, VIRTUAL_PORT, type PlayOutput } from './port-choice.js';
import { checkPartOuts, type PartFlag, type PartOutFlag } from './part-flags.js';
import { defaultPartName } from '../music/parts.js';
import type { PartOptions } from './part.js';

export interface PlayOptions {
  /** Model folder, model.json or URL. */
  model: string;
  bpm: number;
  /** The internal clock's swing (0 when left out; an external clock places its own steps). */
  swing?: number;
  /** 'internal', or 'midi:PORT' to follow the MIDI clock arriving on input PORT. */
  clock: string;
  /** MIDI output to play to (`pulse-rnn`: the virtual output); without it the virtual output where the system allows one, else silence. */
  out?: string;
  seed: number;
  temperature: number;
  topP?: number;
  density?: number;
  dynamics?: number;
  timing?: number;
  /** Open the live-coding prompt (default true). */
  repl?: boolean;
  /** Stop after this many steps. */
  steps?: number;
  /** Print the step grid (default true). */
  grid?: boolean;
  /** `start`: pages join the performance; without `out` the page's kit is the sound and no port is opened. */
  page?: PageJoin;
  /** A MIDI mapping file (JSON) for the controller's knobs and pads. */
  map?: string;
  /** The MIDI input the mapping listens on (every input when left out). */
  mapInput?: string;
  /** The first part's name (default: drums for a drum model, else keys) and MIDI channel (1–16; default the model's own). */
  name?: string;
  channel?: number | null;
  /** More parts on the same clock and output, each on its channel (`--part keys=MODEL@2`). */
  parts?: readonly PartFlag[];
  /** Parts with an output of their own (`--part-out keys=PORT`, the first part's name included); the others play to `out`. */
  partOuts?: readonly PartOutFlag[];
  /** Every part without a `partOuts` entry its own virtual output, `pulse-rnn-NAME`, instead of the shared one. */
  virtualParts?: boolean;
}

/** `start`'s pages: they join the performance (`live-socket.ts`), and make the sound unless `out` names a port. */
export interface PageJoin {
  /** The page's address, as the terminal prints it. */
  url: string;
  attach(session: LiveSession, sound: string, pageSounds: boolean): LiveSocket;
}

export interface HostIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  /** Stop cleanly on SIGINT and SIGTERM (default true). */
  signals?: boolean;
}

const defaultIO = (): HostIO => ({ stdin: process.stdin, stdout: process.stdout });

/** 'internal', or 'midi:Port name' (quotes around the name allowed) → the port's name. */
export function parseClockOption(value: string): { kind: 'internal' } | { kind: 'midi'; port: string } {
  const v = value.trim();
  if (v === 'internal') return { kind: 'internal' };
  const m = /^midi:\s*(.+)$/i.exec(v);
  const port = m?.[1].trim().replace(/^(["'])(.*)\1$/, '$2').trim();
  if (!port) throw new Error(`--clock must be internal or midi:"Port name", got '${value}'`);
  return { kind: 'midi', port };
}

/** Play a model live until `--steps` are done, quit() is typed, or a signal arrives. */
export async function runPlay(o: PlayOptions, io: HostIO = defaultIO()): Promise<void> {
  const print = (text: string) => void io.stdout.write(`${text}\n`);
  const clockChoice = parseClockOption(o.clock);
  const spec = await loadModelSpec(o.model);
  const codec = codecFor(spec);
  const pps = pulsesPerStep(codec);
  // every part's model before anything opens: a missing one stops here
  const partSpecs = await Promise.all((o.parts ?? []).map(async (p) => {
    try {
      return await loadModelSpec(p.model);
    } catch (e) {
      throw new Error(`part ${p.name}: ${(e as Error).message}`);
    }
  }));
  const closers: (() => void)[] = [];
  let offSignals = () => {};
  let live: LiveSocket | null = null;
  try {
    // the clock first: a wrong input name fails before anything is opened for output
    let clock: InternalClock | MidiClockFollower;
    let clockName: string;
    // a step that fails is reported in one line where the performer looks; the next one plays
    let report: (text: string) => void = print;
    const onError = (e: unknown) => report(`step: ${e instanceof Error ? e.message : String(e)}`);
    if (clockChoice.kind === 'internal') {
      clock = new InternalClock({ bpm: o.bpm, pulsesPerStep: pps, swing: o.swing ?? 0, onError });
      clockName = 'internal clock';
    } else {
      const opened = await openClockInput(clockChoice.port);
      closers.push(opened.close);
      clock = new MidiClockFollower(opened.input, { bpm: o.bpm, pulsesPerStep: pps, onError });
      clockName = `MIDI clock from ${JSON.stringify(opened.input.name)}`;
    }
    const { to, toMidi, sound, own, outOf } = await openOutputs(o, [o.name ?? defaultPartName(codec.voices), ...(o.parts ?? []).map((p) => p.name)], print, closers);
    // each part its own seed, the next after the first's
    const parts: PartOptions[] = (o.parts ?? []).map((p, i) => ({ name: p.name, spec: partSpecs[i], model: modelLocation(p.model), channel: p.channel, ...outOf(i + 1), seed: (o.seed + i + 1) >>> 0, temperature: o.temperature }));
    // a part added while the music plays (addPart) plays to the output the parts share, on its channel
    const session = new LiveSession({ spec, model: modelLocation(o.model), name: o.name, channel: o.channel, parts, clock, clockName, ...outOf(0), partOutput: outOf(own.length), seed: o.seed, temperature: o.temperature, topP: o.topP, density: o.density, dynamics: o.dynamics, timing: o.timing, steps: o.steps, grid: o.grid ?? true, print, ...(sound ? { sound, lookahead: codec.stepsPerBar } : {}) });
    report = (text) => session.printer(text);
    if (o.page) live = o.page.attach(session, sound as string, !toMidi);
    // a broken mapping file stops here, before anything plays
    if (o.map || o.mapInput) print(mapSaid(await session.midi.open({ file: o.map, input: o.mapInput }), o.map));
    const repl = o.repl ?? true;
    if (parts.length) print(`parts: ${session.parts.map((p, i) => `${p.name} (${p.generator.codec.name}${p.channel === null ? '' : `, channel ${p.channel}`}${own[i] === undefined ? '' : `, to ${outOf(i).output}`})`).join(', ')}; keys.temperature(1.2) steers one, help() says how`.replace('keys.', `${session.parts[1].name}.`));
    print(`playing ${o.model} (${codec.name}) ${to} on the ${clockName}${clockChoice.kind === 'internal' ? ` at ${o.bpm} BPM` : ''}, seed ${o.seed}, temperature ${o.temperature}${o.steps ? `, for ${o.steps} steps` : ''}; ${repl ? 'help() lists the commands, quit() or Ctrl-C stops' : 'Ctrl-C stops'}`);
    if (sound) print(`sound: ${sound}`);
    if (repl) startRepl(session, { input: io.stdin, output: io.stdout });
    if (io.signals ?? true) offSignals = onSignals(() => void session.quit());
    session.start();
    await session.done;
  } finally {
    offSignals();
    await live?.close();
    for (const close of closers) close();
    if (WebMidi.enabled) await WebMidi.disable();
  }
}

/**
 * Where every part plays: its own output first (a name found nowhere stops here, `openPartOutputs`),
 * then the shared one (`--out`, else the virtual `pulse-rnn`, else the page or silence) if a part
 * plays to it. `to`: where the first part plays, in words; `outOf(i)`: part i's sinks and words.
 */
async function openOutputs(o: PlayOptions, names: readonly string[], print: (text: string) => void, closers: (() => void)[]) {
  // each part's own output first (a name found nowhere stops here), then the shared one if a part plays to it
  const own = await openPartOutputs(o, names, print, closers);
  const sinks: NoteSink[] = [];
  let to: string;
  // a virtual output the system cannot make is said in one line, and the music goes on
  const opened = own.some((x) => x === undefined) && (o.out || !o.page) ? await openPlayOutput(o.out ?? VIRTUAL_PORT) : null;
  const midiOut = opened?.output ?? null;
  if (midiOut) {
    sinks.push(midiOut.sink);
    closers.push(midiOut.close);
    to = `to ${midiOut.said}`;
  } else {
    to = o.page ? 'to the page' : 'silently';
    if (opened && !o.out) print(`no --out given and no virtual MIDI output here (${opened.reason}): playing silently; name an output with --out (pulse-rnn ports lists them)`);
    else if (opened) print(`no virtual MIDI output ${JSON.stringify(VIRTUAL_PORT)} here (${opened.reason}): playing ${o.page ? 'through the page' : 'silently'}`);
  }
  // start: the terminal says where the sound is, and so does status()
  const toMidi = midiOut !== null || own.some((x) => x);
  const sound = o.page ? (midiOut ? `MIDI output ${to.slice('to '.length)}` : toMidi ? "each part's own MIDI output (status() names it)" : `the page at ${o.page.url} (press Start there)`) : null;
  // a part with its own output plays only to it; the others share one, each on its channel
  const shared = to.replace(/^to /, '');
  const outOf = (i: number) => (own[i] === undefined ? { sinks, output: shared } : { sinks: own[i]?.sink ? [own[i]!.sink] : [], output: own[i]?.said ?? 'no output (silent)' });
  if (own[0] !== undefined) to = own[0] ? `to ${own[0].said}` : 'silently';
  return { to, toMidi, sound, own, outOf };
}

/**
 * Each part's own output, by the order of `names` (the first part's first): `--part-out`'s port,
 * or with `virtualParts` its virtual `pulse-rnn-NAME`; undefined for a part that plays to the
 * shared output, null for one whose virtual port the system cannot make (it plays silently,
 * said in one line). A port several parts name is opened once.
 */
async function openPartOutputs(o: PlayOptions, names: readonly string[], print: (text: string) => void, closers: (() => void)[]): Promise<(PlayOutput | null | undefined)[]> {
  checkPartOuts(o.partOuts ?? [], names);
  const opened = new Map<string, PlayOutput | null>();
  const out: (PlayOutput | null | undefined)[] = [];
  for (const name of names) {
    const port = o.partOuts?.find((x) => x.name === name)?.port ?? (o.virtualParts ? partVirtualPort(name) : null);
    if (port === null) {
      out.push(undefined);
      continue;
    }
    const key = port.toLowerCase();
    if (!opened.has(key)) {
      const r = await openPlayOutput(port);
      if (r.output) closers.push(r.output.close);
      else print(`${name}: no virtual MIDI output ${JSON.stringify(port)} here (${r.reason}): ${name} plays silently`);
      opened.set(key, r.output);
    }
    out.push(opened.get(key) ?? null);
  }
  return out;
}

function mapSaid(m: MidiMapper, file: string | undefined): string {
  const n = m.map.entries.length;
  return `${file ? `MIDI map ${file}: ${n} control${n === 1 ? '' : 's'}` : 'MIDI map'} on ${m.where}; map() lists it, learn('temperature') adds one`;
}

/**
 * Print the MIDI inputs and outputs, one a line, or that there are none (WEBMIDI.js's and the
 * system's through @julusian/midi); `note` says what is missing and whether `pulse-rnn` can be made.
 */
export async function runPorts(print: (line: string) => void, note: (line: string) => void = print): Promise<{ inputs: string[]; outputs: string[] }> {
  try {
    const ports = await allPorts();
    if (ports.inputs.length === 0 && ports.outputs.length === 0) print('no MIDI inputs or outputs found');
    else {
      if (ports.inputs.length === 0) print('no MIDI inputs found');
      for (const name of ports.inputs) print(`input   ${name}`);
      if (ports.outputs.length === 0) print('no MIDI outputs found');
      for (const name of ports.outputs) print(`output  ${name}`);
    }
    for (const line of ports.notes) note(line);
    return ports;
  } finally {
    if (WebMidi.enabled) await WebMidi.disable();
  }
}

export interface ReplayCommandOptions {
  /** MIDI output to play the performance to, in time. */
  out?: string;
  /** MIDI file to write (the default when there is no --out: beside the log, `NAME.replay.mid`). */
  midi?: string;
  /** The model, when the log names none or it has moved. */
  model?: string;
  /** Tempo for a log without session information. */
  bpm?: number;
}

/** Replay a performance log to a MIDI file and/or a port. */
export async function runReplay(logPath: string, o: ReplayCommandOptions, print: (line: string) => void, io: Pick<HostIO, 'signals'> = {}): Promise<void> {
  let text = await readLog(logPath);
  if (text.startsWith('MThd')) {
    // the take rather than its log: the log beside it says how it was played
    const beside = `${logPath}.log.json`;
    if (!existsSync(beside)) throw new Error(`${logPath} is a MIDI file, not a performance log; name the log record() wrote beside its take (TAKE.mid.log.json)`);
    print(`${logPath} is a MIDI file: replaying its log, ${beside}`);
    logPath = beside;
    text = await readLog(logPath);
  }
  const log = parseSessionLog(text, logPath);
  const model = o.model ?? log.session?.model;
  if (!model) throw new Error(`${logPath} does not say which model played; name it with --model DIR`);
  const spec = await loadModelSpec(model);
  // every other part's model, where the log says it was
  const parts = await Promise.all((log.parts?.others ?? []).map((l) => loadModelSpec(l.model)));
  if (parts.length) print(`${logPath}: ${parts.length + 1} parts, ${[log.parts?.first.name, ...(log.parts?.others ?? []).map((l) => l.name)].join(', ')}`);
  if (o.midi || !o.out) {
    const file = o.midi ?? defaultReplayFile(logPath);
    const r = replayToMidi(spec, log, { bpm: o.bpm, file: logPath, parts });
    await writeAtomic(file, r.bytes);
    print(`wrote ${file}: ${r.notes} notes over ${r.steps} steps`);
  }
  if (o.out) {
    try {
      const output = await openOutput(o.out);
      const abort = new AbortController();
      const off = io.signals ?? true ? onSignals(() => abort.abort()) : () => {};
      print(`replaying ${logPath} to ${JSON.stringify(output.name)}; Ctrl-C stops`);
      try {
        const r = await replayToPort(spec, log, output, { bpm: o.bpm, file: logPath, print, signal: abort.signal, parts });
        print(`played ${r.steps} steps`);
      } finally {
        off();
      }
    } finally {
      if (WebMidi.enabled) await WebMidi.disable();
    }
  }
}

/** Far more than the log of a night's set with every control it took. */
const MAX_LOG_BYTES = 256 * 1024 * 1024;

async function readLog(logPath: string): Promise<string> {
  checkUserFile(logPath, MAX_LOG_BYTES, 'a performance log (set.mid.log.json)');
  try {
    return await readFile(logPath, 'utf8');
  } catch (e) {
    throw new Error(`${logPath}: cannot read the log (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** set.mid.log.json → set.replay.mid, beside it. */
export function defaultReplayFile(logPath: string): string {
  return `${logPath.replace(/\.log\.json$|\.json$/i, '').replace(/\.midi?$/i, '')}.replay.mid`;
}

/** Folders are written into logs as absolute paths, so a replay from elsewhere finds them. */
function modelLocation(model: string): string {
  return /^(https?|blob|data):/i.test(model) ? model : resolve(model);
}

function onSignals(stop: () => void): () => void {
  const handler = () => stop();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
