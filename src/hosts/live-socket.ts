/**
 * The performance's WebSocket (`/live` on the page's own server): every page that connects
 * watches the one LiveSession the terminal steers, and steers it too. Each step goes to every
 * page as the clock hands it out, ahead of its time; every control that works, from the prompt
 * or a page, goes to every page at once; a page's control goes through the session's own command
 * (checked and logged as if typed), its refusal back to that page alone, and a short line to
 * the prompt once the page has stopped moving that control. The messages: `live-protocol.ts`.
 *
 * Loopback only, as the page is: an upgrade is refused for the Host header as `serve.ts`
 * refuses a request, and a connection from any origin but the page's own is closed at once
 * with the reason (a page on another site can open a socket to 127.0.0.1; it cannot choose its
 * Origin header).
 *
 * @example
 * const server = await serve({ port: 0 });
 * const session = new LiveSession({ spec, clock, sinks: [] });
 * const live = attachLive({ session, server, model: { path: 'weights/drums-gmd/', name: 'drums-gmd' }, sound: 'the page', pageSounds: true });
 * session.start();
 * // pages at server.url + '?live=1' play along; at the end:
 * await live.close();
 * await server.close();
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Generator, StepResult } from '../music/generator.js';
import type { EditedStep } from '../music/pending-edits.js';
import type { StepEvent } from '../time/clock.js';
import { InternalClock } from '../time/internal-clock.js';
import { LIVE_PATH, PROTOCOL_VERSION, parseControl, type HelloMessage, type LiveModel, type LiveSettings, type PartHello, type ServerMessage, type StepMessage } from './live-protocol.js';
import type { Part } from './part.js';
import type { LiveSession } from './live-session.js';
import { errorText } from './prompt-commands.js';
import { hostRefusal, type RunningServer } from './serve.js';
import { lockedVoices } from './session-status.js';

export interface LiveSocketOptions {
  session: LiveSession;
  server: Pick<RunningServer, 'server' | 'hosts' | 'port'>;
  /** Where a page can load the model for itself, and its short name; `parts`: where it can load the other parts' (by name, null: it cannot). */
  model: { path: string | null; name: string; parts?: Readonly<Record<string, string | null>> };
  /** Where the sound is, in words. */
  sound: string;
  /** Whether pages play the notes (false: a MIDI output does). */
  pageSounds: boolean;
  /** Where a page's changes are told (default: the session's printer, as it is at the time). */
  print?: (line: string) => void;
  /** Milliseconds a page's control must rest before the prompt hears of it (default 400). */
  quietMs?: number;
}

export interface LiveSocket {
  /** Pages connected now. */
  readonly pages: number;
  /** Closes every page's socket ('the performance has stopped') and stops listening. */
  close(): Promise<void>;
}

/** The Player's gate: a note sounds this fraction of its length, on the page as at the outputs. */
const GATE = 0.9;
/** A page whose socket holds this much unsent is stalled (a background tab): it misses steps until it catches up. */
const STALLED_BYTES = 1 << 20;

/** Why a socket from `origin` is refused: only the page's own origin (a loopback name and this port) may steer; null when it may. */
export function originRefusal(origin: string | undefined, hosts: readonly string[], port: number): string | null {
  if (!origin) return 'no Origin: only the page served here may connect';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `Origin ${JSON.stringify(origin.slice(0, 60))} is not a URL`;
  }
  const own = url.protocol === 'http:' && hosts.includes(url.hostname.toLowerCase()) && Number(url.port || 80) === port;
  return own ? null : `Origin ${origin.slice(0, 60)} is not this page's: open the page at its printed address`;
}

/** A part's model's grid, as a page draws it. */
function liveModel(gen: Generator, where: LiveSocketOptions['model']): LiveModel {
  const codec = gen.codec;
  const layers = gen.net.spec.layers.map((l) => `${l.cell.toUpperCase()} ${l.units}`);
  const voices = codec.voices.length > 0;
  return {
    path: where.path,
    name: where.name,
    summary: [codec.name, layers.length ? `${layers[0].split(' ')[0]} ${layers.length}×${layers[0].split(' ')[1]}` : ''].filter(Boolean).join(' · '),
    encoding: codec.name,
    rows: voices ? codec.voices : ['notes'],
    editable: voices,
    stepsPerBar: codec.stepsPerBar,
    stepsPerBeat: Math.max(1, Math.round(codec.ticksPerQuarter / codec.ticksPerStep)),
  };
}

function liveSettings(session: LiveSession, by: LiveSettings['by'], gen = session.generator): LiveSettings {
  return { settings: gen.settings, applied: gen.applied, locked: lockedVoices(gen), bpm: session.clock.bpm, bpmSettable: session.clock instanceof InternalClock, swing: session.clock instanceof InternalClock ? session.clock.swing : 0, slots: gen.slots, edits: gen.edits, by };
}

/** Whether two lists of edits say the same. */
function sameEdits(a: readonly EditedStep[], b: readonly EditedStep[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

/** Every part as the hello lists it; the first part's model is the one a page can load (`where`). */
function partsHello(session: LiveSession, where: LiveSocketOptions['model']): PartHello[] {
  return session.parts.map((p, i) => {
    const { settings, applied, locked, slots, edits } = liveSettings(session, null, p.generator);
    const model = liveModel(p.generator, i === 0 ? where : { path: where.parts?.[p.name] ?? null, name: p.modelName });
    // a part just added plays its first step at the bar line it comes in at
    const step = Math.max(p.generator.step, Math.floor(p.clock.from / p.clock.every));
    return { name: p.name, channel: p.channel, model, step, every: p.clock.every, settings, applied, locked, slots, edits };
  });
}

function stepMessage(session: LiveSession, r: StepResult, e: StepEvent, part: Part): StepMessage {
  const dur = e.stepDuration;
  const notes = r.notes.slice(0, r.count).map((n) => ({ note: n.note, velocity: n.velocity, channel: n.channel, at: n.offset * dur, duration: Number.isFinite(n.length) ? n.length * dur * GATE : null }));
  const releases = r.releases.slice(0, r.releaseCount).map((x) => ({ note: x.note, channel: x.channel, at: x.offset * dur }));
  const gen = part.generator;
  return { type: 'step', part: part.name, step: r.step, tick: r.tick, in: e.time - session.clock.now(), time: e.time, stepDuration: dur, notes, releases, paused: r.paused, muted: r.muted, upcoming: gen.upcoming(), applied: gen.applied, slots: gen.slots };
}

/** Serve the session's performance to pages at `/live` on `server`. */
export function attachLive(o: LiveSocketOptions): LiveSocket {
  const { session } = o;
  const http = o.server.server;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const model = liveModel(session.generator, o.model);
  const told = new PageLines(() => o.print ?? session.printer, o.quietMs ?? 400);
  let fromPage = false;
  /** The edits of each part as the pages last heard them: a step sends them again only when they changed other than by steps passing. */
  const sentEdits = new Map<string, readonly EditedStep[]>();
  const partOf = (name: string | null | undefined): Part => session.parts.find((p) => p.name === name) ?? session.parts[0];

  const send = (ws: WebSocket, m: ServerMessage) => {
    if (ws.readyState === ws.OPEN && ws.bufferedAmount < STALLED_BYTES) ws.send(JSON.stringify(m));
  };
  const broadcast = (m: ServerMessage) => {
    if (wss.clients.size === 0) return;
    const text = JSON.stringify(m);
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN && ws.bufferedAmount < STALLED_BYTES) ws.send(text);
  };
  /** The edits when a step changed them (a recall brought its own), else null. */
  const editsChanged = (part: Part): readonly EditedStep[] | null => {
    const gen = part.generator;
    const now = gen.edits;
    if (sameEdits(now, (sentEdits.get(part.name) ?? []).filter((x) => x.step >= gen.step))) return null;
    sentEdits.set(part.name, now);
    return now;
  };
  /** The locks each part's pages were last told, as one string. */
  const sentLocks = new Map<string, string>();
  const settingsOf = (part: Part) => {
    const m = liveSettings(session, fromPage ? 'page' : 'prompt', part.generator);
    sentEdits.set(part.name, m.edits);
    sentLocks.set(part.name, m.locked.join());
    broadcast({ type: 'settings', part: part.name, ...m });
  };
  /** A lock or unlock waits for the part's next step: when that step has applied it, pages hear it then. */
  const locksChanged = (part: Part): boolean => lockedVoices(part.generator).join() !== (sentLocks.get(part.name) ?? '');
  const stopWatching = session.watch({
    step: (r, e, name) => {
      if (wss.clients.size === 0) return;
      const part = partOf(name);
      const edits = editsChanged(part);
      broadcast(edits ? { ...stepMessage(session, r, e, part), edits } : stepMessage(session, r, e, part));
      if (locksChanged(part)) settingsOf(part);
    },
    // a command of the whole performance (bpm, a recall of every part) may have changed every part
    change: (_name, part) => (part ? settingsOf(partOf(part)) : session.parts.forEach(settingsOf)),
  });
  // a part in or out: every page shows or drops its lane at once
  const stopParts = session.onParts(() => {
    for (const name of sentEdits.keys()) if (!session.parts.some((p) => p.name === name)) sentEdits.delete(name);
    broadcast({ type: 'parts', parts: partsHello(session, o.model) });
  });

  /** A page's control, through the session's command: its line to the prompt (once the control rests), its refusal to the page. */
  const apply = (ws: WebSocket, text: string) => {
    let said: string[] = [];
    try {
      const { name, args, part } = parseControl(typeof text === 'string' ? text : String(text));
      const own = (session as unknown as Record<string, unknown>)[name];
      if (typeof own !== 'function') throw new Error(`${name}: the performance in the terminal has no such command`);
      // a part's control goes through the part's command, as `keys.temperature(1.2)` at the prompt
      const command = part === undefined || part === session.parts[0].name ? own : (...a: unknown[]) => session.partCommand(part, name, a);
      const printer = session.printer;
      session.printer = (line) => said.push(line);
      session.lastError = null;
      fromPage = true;
      let result: unknown;
      try {
        result = (command as (...a: unknown[]) => unknown).apply(session, args as unknown[]);
      } finally {
        fromPage = false;
        session.printer = printer;
      }
      // a part's model is read while the music plays: its line reaches the prompt when it is in, a refusal this page too
      if (result instanceof Promise) return void result.then(() => session.lastError !== null && send(ws, { type: 'message', level: 'error', text: session.lastError }));
      if (session.lastError !== null) throw new Error(session.lastError);
      told.later(name, said.join('\n'));
    } catch (e) {
      said = [errorText(e)];
      send(ws, { type: 'message', level: 'error', text: said[0] });
      told.now(`page: ${said[0]}`);
    }
  };

  const join = (ws: WebSocket) => {
    const gen = session.generator;
    const hello: HelloMessage = { type: 'hello', version: PROTOCOL_VERSION, model, step: gen.step, running: session.clock.running, sound: o.sound, pageSounds: o.pageSounds, ...liveSettings(session, null), parts: partsHello(session, o.model) };
    send(ws, hello);
    ws.on('message', (data, isBinary) => (isBinary ? send(ws, { type: 'message', level: 'error', text: 'the performance reads text frames of JSON only' }) : apply(ws, data.toString())));
    ws.on('error', () => ws.terminate());
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== LIVE_PATH) return refuse(socket, 404, `no WebSocket at ${req.url}: the performance is at ${LIVE_PATH}`);
    const host = hostRefusal(req, o.server.hosts);
    if (host) return refuse(socket, host.status, host.text);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const why = originRefusal(req.headers.origin, o.server.hosts, o.server.port);
      if (why) return ws.close(1008, why.slice(0, 120));
      join(ws);
    });
  };
  http.on('upgrade', onUpgrade);

  return {
    get pages() {
      return wss.clients.size;
    },
    async close() {
      stopWatching();
      stopParts();
      told.flush();
      http.off('upgrade', onUpgrade);
      const open = [...wss.clients];
      await Promise.all(open.map((ws) => new Promise<void>((done) => {
        ws.once('close', () => done());
        ws.close(1001, 'the performance has stopped');
        // a page that does not answer the close is cut off
        setTimeout(() => (ws.terminate(), done()), 500).unref();
      })));
      wss.close();
    },
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 421 ? 'Misdirected Request' : 'Bad Request'}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n\r\n${text}\n`);
}

/**
 * The prompt's lines for a page's controls: a slider dragged sends a value a frame, and the
 * prompt hears only the last, once the control has rested `quietMs`.
 */
class PageLines {
  private readonly waiting = new Map<string, { line: string; timer: NodeJS.Timeout }>();

  constructor(private readonly printer: () => (line: string) => void, private readonly quietMs: number) {}

  later(name: string, line: string): void {
    const had = this.waiting.get(name);
    if (had) clearTimeout(had.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(name);
      this.now(`page: ${line}`);
    }, this.quietMs);
    timer.unref();
    this.waiting.set(name, { line, timer });
  }

  now(line: string): void {
    this.printer()(line);
  }

  flush(): void {
    for (const [name, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(name);
      this.now(`page: ${w.line}`);
    }
  }
}
