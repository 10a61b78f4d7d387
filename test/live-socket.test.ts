// The performance's WebSocket with real sockets: a LiveSession on the internal clock, served at
// /live on the page's own server, and `ws` clients in the role of pages (and of a page on another
// site). Every check waits for a message or a state, never for a fixed time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage, SettingsMessage, StepMessage } from '../src/hosts/live-protocol.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { lockedVoices } from '../src/hosts/session-status.js';
import { attachLive, originRefusal, type LiveSocket } from '../src/hosts/live-socket.js';
import { serve, type RunningServer } from '../src/hosts/serve.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { drumGridSpec } from './helpers/models.js';

/** A page's end: every message it got, and a way to wait for one. */
interface Client {
  ws: WebSocket;
  got: ServerMessage[];
  until<T extends ServerMessage>(test: (m: ServerMessage) => m is T): Promise<T>;
  until(test: (m: ServerMessage) => boolean): Promise<ServerMessage>;
  send(m: unknown): void;
}

let server: RunningServer;
let session: LiveSession;
let live: LiveSocket;
let web: string;
const told: string[] = [];
const said: string[] = [];
const clients: Client[] = [];

function connect(port: number, o: { origin?: string | null; host?: string; path?: string } = {}): WebSocket {
  const origin = o.origin === undefined ? `http://127.0.0.1:${port}` : o.origin;
  return new WebSocket(`ws://127.0.0.1:${port}${o.path ?? '/live'}`, { ...(origin === null ? {} : { origin }), ...(o.host ? { headers: { host: o.host } } : {}) });
}

function client(): Promise<Client> {
  const ws = connect(server.port);
  const got: ServerMessage[] = [];
  const waiters: { test: (m: ServerMessage) => boolean; done: (m: ServerMessage) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as ServerMessage;
    got.push(m);
    for (const w of [...waiters]) if (w.test(m)) (waiters.splice(waiters.indexOf(w), 1), w.done(m));
  });
  const c: Client = {
    ws,
    got,
    // a message already there counts (a hello arrives with the socket's opening)
    until: ((test: (m: ServerMessage) => boolean) => new Promise<ServerMessage>((done) => {
      const had = got.find(test);
      if (had) done(had);
      else waiters.push({ test, done });
    })) as Client['until'],
    send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
  };
  clients.push(c);
  return new Promise((ok, fail) => {
    ws.once('open', () => ok(c));
    ws.once('error', fail);
  });
}

/** How a refused connection ends: the HTTP status of a refused upgrade, or the close code and reason. */
function refusal(ws: WebSocket): Promise<{ status?: number; code?: number; reason?: string }> {
  return new Promise((ok) => {
    ws.on('unexpected-response', (_req, res) => ok({ status: res.statusCode }));
    ws.on('close', (code, reason) => ok({ code, reason: String(reason) }));
    ws.on('error', () => {});
  });
}

const isStep = (m: ServerMessage): m is StepMessage => m.type === 'step';
const isSettings = (m: ServerMessage): m is SettingsMessage => m.type === 'settings';
const stepsOf = (c: Client) => c.got.filter(isStep).filter((s) => s.step >= 0);

beforeAll(async () => {
  web = mkdtempSync(join(tmpdir(), 'pulse-live-socket-'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>page</title>');
  server = await serve({ port: 0, webDir: web });
  const clock = new InternalClock({ bpm: 480 });
  session = new LiveSession({ spec: drumGridSpec(3), clock, sinks: [], seed: 7, grid: false, lookahead: 16, sound: 'the page', print: (t) => said.push(t) });
  live = attachLive({ session, server, model: { path: 'weights/test/', name: 'test' }, sound: 'the page', pageSounds: true, print: (t) => told.push(t), quietMs: 100 });
  session.start();
});

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await session?.quit();
  await live?.close();
  await server?.close();
  rmSync(web, { recursive: true, force: true });
});

describe('live-socket: who may connect', () => {
  it('refuses a Host that is not a loopback name, as the page itself is refused', async () => {
    expect(await refusal(connect(server.port, { host: `rebound.example:${server.port}` }))).toEqual({ status: 421 });
    expect(await refusal(connect(server.port, { path: '/elsewhere' }))).toEqual({ status: 404 });
  });

  it("closes a socket from any origin but the page's own, saying why", async () => {
    for (const origin of ['http://evil.example', `http://evil.example:${server.port}`, 'http://127.0.0.1:1', `https://127.0.0.1:${server.port}`, 'null', null]) {
      const r = await refusal(connect(server.port, { origin }));
      expect(r.code, String(origin)).toBe(1008);
      expect(r.reason, String(origin)).toMatch(/Origin/);
    }
    expect(originRefusal(`http://localhost:${server.port}`, server.hosts, server.port)).toBeNull();
    expect(originRefusal(`http://127.0.0.1:${server.port}`, server.hosts, server.port)).toBeNull();
  });
});

describe('live-socket: one performance for every page', () => {
  it('says hello with the model, the settings and where the sound is', async () => {
    const c = await client();
    const hello = await c.until((m) => m.type === 'hello');
    expect(hello).toMatchObject({ type: 'hello', version: 2, parts: [{ name: 'drums', channel: null, every: 1, model: { path: 'weights/test/', name: 'test' } }], model: { path: 'weights/test/', name: 'test', editable: true, stepsPerBar: 16 }, sound: 'the page', pageSounds: true, bpm: 480, bpmSettable: true });
    expect(hello.type === 'hello' && hello.model.rows).toEqual(session.generator.codec.voices);
    expect(hello.type === 'hello' && hello.settings.seed).toBe(7);
    // and status() at the prompt says where the sound is too
    expect(session.statusLine()).toContain(' · sound: the page · ');
  });

  it('shows two pages the same steps with the same notes, those the session played', async () => {
    const [a, b] = [await client(), await client()];
    await Promise.all([a, b].map((c) => c.until((m) => isStep(m) && stepsOf(c).length >= 24)));
    const byStep = (c: Client) => new Map(stepsOf(c).map((s) => [s.step, s.notes.map((n) => [n.note, n.velocity, n.at])]));
    const [sa, sb] = [byStep(a), byStep(b)];
    const both = [...sa.keys()].filter((s) => sb.has(s));
    expect(both.length).toBeGreaterThanOrEqual(16);
    for (const s of both) expect(sb.get(s), `step ${s}`).toEqual(sa.get(s));
    // what the generator itself played at those steps
    const played = new Map(session.generator.played().map((p) => [p.step, p.notes.map((n) => n.note)]));
    for (const s of both.filter((x) => played.has(x))) expect(sa.get(s)?.map((n) => n[0]), `step ${s}`).toEqual(played.get(s));
    // each step handed out ahead of its time, with the steps the grid shows ahead
    const last = stepsOf(a).at(-1) as StepMessage;
    expect(last.in).toBeGreaterThan(0);
    expect(last.upcoming.length).toBeGreaterThan(0);
    expect(last.upcoming[0].step).toBe(last.step + 1);
  });

  it("applies a page's control through the session: every page sees it, the log keeps it, the prompt hears once", async () => {
    const [a, b] = [await client(), await client()];
    const seen = b.until((m) => isSettings(m) && m.settings.temperature === 1.3);
    // a slider dragged: a value a frame, the last one counts
    for (const v of [1.1, 1.2, 1.3]) a.send({ type: 'control', name: 'temperature', args: [v] });
    const s = await seen;
    expect(s.type === 'settings' && s.by).toBe('page');
    expect(session.generator.settings.temperature).toBe(1.3);
    await b.until((m) => isStep(m) && m.applied.temperature === 1.3);
    // the log keeps what applied (values queued within one step: the last)
    expect(session.generator.log.entries.filter((e) => e.control.type === 'temperature').map((e) => (e.control as { value: number }).value).at(-1)).toBe(1.3);
    await new Promise<void>((ok) => {
      const wait = () => (told.some((l) => l.startsWith('page: temperature 1.3')) ? ok() : setTimeout(wait, 20));
      wait();
    });
    expect(told.filter((l) => l.startsWith('page: temperature'))).toEqual([expect.stringMatching(/^page: temperature 1\.3 from step \d+$/)]);
    // and a page's grid click: an edit of a step ahead, in the log as one typed
    const at = session.generator.step + 6;
    a.send({ type: 'control', name: 'edit', args: [at, ['kick', 'snare']] });
    await b.until((m) => isStep(m) && m.step === at);
    const step = stepsOf(b).find((m) => m.step === at) as StepMessage;
    expect(new Set(step.notes.map((n) => n.note))).toEqual(new Set(session.generator.played().find((p) => p.step === at)?.notes.map((n) => n.note)));
    expect(session.generator.log.entries.some((e) => e.control.type === 'edit')).toBe(true);
    // and the swing slider: the terminal's clock swings
    const swung = b.until((m) => isSettings(m) && m.swing === 0.25);
    a.send({ type: 'control', name: 'swing', args: [0.25] });
    await swung;
    expect((session.clock as InternalClock).swing).toBe(0.25);
  });

  it('tells the prompt side: a control typed there reaches every page at once', async () => {
    const a = await client();
    await a.until((m) => m.type === 'hello');
    const seen = a.until((m) => isSettings(m) && m.settings.density === -1);
    session.density(-1);
    expect(await seen).toMatchObject({ by: 'prompt', settings: { density: -1 } });
  });

  it('tells every page a lock once the step it waited for has applied it, and an unlock too', async () => {
    const a = await client();
    await a.until((m) => m.type === 'hello');
    // the settings sent as the command is taken still show no lock: it applies at the next step
    const locked = a.until((m) => isSettings(m) && m.locked.includes('kick'));
    session.lock('kick');
    expect(await locked).toMatchObject({ type: 'settings', locked: ['kick'] });
    const from = a.got.length;
    const free = a.until((m) => isSettings(m) && !m.locked.includes('kick') && a.got.indexOf(m) >= from);
    session.unlock('kick');
    await free;
    expect(lockedVoices(session.generator)).toEqual([]);
  });

  it('refuses a bad control to the page that sent it, and nothing changes', async () => {
    const [a, b] = [await client(), await client()];
    // a step since they joined: whatever an earlier test queued has applied (and is in the log)
    await Promise.all([a, b].map((c) => c.until(isStep)));
    const before = { settings: session.generator.settings, entries: session.generator.log.entries.length };
    const bad: [unknown, RegExp][] = [
      [{ type: 'control', name: 'temperature', args: [7] }, /temperature.*7/],
      [{ type: 'control', name: 'temperature', args: ['hot'] }, /temperature/],
      [{ type: 'control', name: 'topP', args: [0.5, 'extra'] }, /too many arguments/],
      [{ type: 'control', name: 'prime', args: ['/etc/passwd'] }, /prime.*prompt/],
      [{ type: 'control', name: 'quit', args: [] }, /no control "quit"/],
      [{ type: 'control', name: 'lock', args: ['cowbell'] }, /cowbell/],
      [{ type: 'control', name: 'edit', args: [0, ['kick']] }, /edit/],
      [{ type: 'volume', name: 'temperature' }, /type must be "control"/],
      ['{ not json', /not JSON/],
    ];
    for (const [m, why] of bad) {
      const answer = a.until((x) => x.type === 'message');
      a.send(m);
      const got = await answer;
      expect(got.type === 'message' && got.level).toBe('error');
      expect(got.type === 'message' && got.text, JSON.stringify(m)).toMatch(why);
      a.got.length = 0;
    }
    expect(session.generator.settings).toEqual(before.settings);
    expect(session.generator.log.entries.length).toBe(before.entries);
    expect(b.got.some((m) => m.type === 'message')).toBe(false);
    // the performance goes on
    const n = stepsOf(b).length;
    await b.until(() => stepsOf(b).length > n + 2);
  });

  it('shows every page the edits at once as edits, from the prompt or a page, and a cleared edit goes', async () => {
    const [a, b] = [await client(), await client()];
    await Promise.all([a, b].map((c) => c.until((m) => m.type === 'hello')));
    const at = session.generator.step + 48;
    const has = (m: ServerMessage, step: number, notes?: unknown[]) => isSettings(m) && m.edits.some((e) => e.step === step && (!notes || JSON.stringify(e.notes) === JSON.stringify(notes)));
    // typed at the prompt: both pages see it as an edit before the generator has applied it
    const fromPrompt = b.until((m) => has(m, at, ['kick']));
    session.edit(at, ['kick']);
    expect(await fromPrompt).toMatchObject({ by: 'prompt' });
    // a page's edit: the other page sees it, the prompt's still there
    const fromPage = b.until((m) => has(m, at + 1, ['snare']) && has(m, at, ['kick']));
    a.send({ type: 'control', name: 'edit', args: [at + 1, ['snare']] });
    expect(await fromPage).toMatchObject({ by: 'page' });
    // a page joining later hears them in its hello
    const c = await client();
    const hello = await c.until((m) => m.type === 'hello');
    expect(hello.type === 'hello' && hello.edits.filter((e) => e.step >= at)).toEqual([{ step: at, notes: ['kick'] }, { step: at + 1, notes: ['snare'] }]);
    // cleared at the prompt: gone from every page
    const cleared = a.until((m) => isSettings(m) && !has(m, at) && has(m, at + 1));
    session.clearEdit(at);
    await cleared;
  });

  it("shows every page the edits a recalled slot brings, at the step the recall takes over", async () => {
    const a = await client();
    await a.until((m) => m.type === 'hello');
    const at = session.generator.step + 40;
    session.edit(at, ['kick', 'snare']);
    session.store(3);
    await a.until((m) => isStep(m) && m.slots.filled.includes(3));
    session.clearEdit(at);
    await a.until((m) => isSettings(m) && !m.edits.some((e) => e.step === at));
    session.recall(3, 'now');
    // the slot's edit, as far ahead of the recall as it was of the store (the earlier test's edits come back too)
    const back = await a.until((m) => isStep(m) && (m.edits ?? []).some((e) => e.notes.join() === 'kick,snare'));
    const edit = back.type === 'step' ? back.edits?.find((e) => e.notes.join() === 'kick,snare') : undefined;
    expect(edit?.step).toBeGreaterThan(back.type === 'step' ? back.step : Infinity);
    expect(session.generator.edits).toContainEqual(edit);
  });

  it('closes every page with the reason when the performance stops', async () => {
    const a = await client();
    await a.until((m) => m.type === 'hello');
    const closed = new Promise<{ code: number; reason: string }>((ok) => a.ws.on('close', (code, reason) => ok({ code, reason: String(reason) })));
    await live.close();
    expect(await closed).toEqual({ code: 1001, reason: 'the performance has stopped' });
  });
});
