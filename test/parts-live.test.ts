// Parts brought in and taken out while the music plays: typed at the prompt (addPart, removePart)
// and sent by a page (its Keys button's control), over real sockets. A LiveSession of drums on the
// internal clock, its socket on the page's own server, `ws` clients in the role of two pages.
// The shipped chord model comes in at the next bar line; every page hears the parts change; a
// take under way records the part from the bar it joined and replays note for note. Every check
// waits for a message, a line or a state, never for a fixed time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { PartsMessage, ServerMessage, StepMessage } from '../src/hosts/live-protocol.js';
import { parseControl } from '../src/hosts/live-protocol.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { attachLive, type LiveSocket } from '../src/hosts/live-socket.js';
import { replayToMidi } from '../src/hosts/replay.js';
import { serve, type RunningServer } from '../src/hosts/serve.js';
import { parseSessionLog } from '../src/hosts/session-log.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { readMidi } from '../src/io/midi-read.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { steps } from './helpers/clock-steps.js';
import { everyOnHasItsOff, isOn, openTestPorts, type Got } from './helpers/midi-notes.js';
import { WebMidi } from 'webmidi';
import { WebMidiSink } from '../src/io/webmidi-sink.js';
import { drumGridSpec } from './helpers/models.js';
import { typedPrompt } from './helpers/typed-prompt.js';

interface Client {
  got: ServerMessage[];
  until<T extends ServerMessage>(test: (m: ServerMessage) => m is T, from?: number): Promise<T>;
  until(test: (m: ServerMessage) => boolean, from?: number): Promise<ServerMessage>;
  send(m: unknown): void;
  ws: WebSocket;
}

let server: RunningServer;
let session: LiveSession;
let clock: InternalClock;
let live: LiveSocket;
let type: (line: string) => Promise<string>;
const web = mkdtempSync(join(tmpdir(), 'pulse-parts-live-'));
const clients: Client[] = [];

function client(): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/live`, { origin: `http://127.0.0.1:${server.port}` });
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
    until: ((test: (m: ServerMessage) => boolean, from = 0) =>
      new Promise<ServerMessage>((done) => {
        const had = got.slice(from).find(test);
        if (had) done(had);
        else waiters.push({ test, done });
      })) as Client['until'],
    send: (m) => ws.send(JSON.stringify(m)),
  };
  clients.push(c);
  return new Promise((ok, fail) => (ws.once('open', () => ok(c)), ws.once('error', fail)));
}

const partsWith = (names: string[]) => (m: ServerMessage): m is PartsMessage => m.type === 'parts' && m.parts.map((p) => p.name).join() === names.join();
const keysStep = (m: ServerMessage): m is StepMessage => m.type === 'step' && m.part === 'keys' && m.step >= 0;

beforeAll(async () => {
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>page</title>');
  server = await serve({ port: 0, webDir: web });
  clock = new InternalClock({ bpm: 480 });
  session = new LiveSession({ spec: drumGridSpec(3), clock, sinks: [], seed: 7, grid: false, lookahead: 16, sound: 'the page', cwd: web, print: () => {} });
  live = attachLive({ session, server, model: { path: null, name: 'test' }, sound: 'the page', pageSounds: true, print: () => {}, quietMs: 50 });
  ({ type } = typedPrompt(session));
  session.start();
});

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await session?.quit();
  await live?.close();
  await server?.close();
  rmSync(web, { recursive: true, force: true });
});

describe('parts in and out while the music plays', () => {
  it("addPart('keys') at the prompt brings the shipped chord model in at the next bar line, on channel 1; every page hears it; keys.… works at once", async () => {
    const [a, b] = await Promise.all([client(), client()]);
    await a.until((m) => m.type === 'hello');
    const drums = new Map<number, number>();
    session.watch({ step: (r, e, part) => void (part === 'drums' && drums.set(e.time, r.step)) });
    await steps(clock, 5);
    expect(await type("addPart('keys')")).toMatch(/^keys: chords-jsb \(piano-roll\) comes in at the next bar line \(bar \d+ of the clock\) on MIDI channel 1; keys\.temperature\(1\.2\) steers it/);
    for (const c of [a, b]) {
      const m = await c.until(partsWith(['drums', 'keys']));
      expect(m.parts[1]).toMatchObject({ name: 'keys', channel: 1, every: 4, model: { encoding: 'piano-roll' } });
      // its next step is the first it plays, at the bar line it comes in at
      expect(m.parts[1].step * 4).toBe(session.parts[1].clock.from);
    }
    expect(await type('keys.temperature(1.3)')).toMatch(/^keys: temperature 1\.3 from step \d+/);
    expect(session.parts[1].generator.settings.temperature).toBe(1.3);
    // the keys' steps reach every page, each on a drum step at the bar line or a beat of it
    const first = await b.until(keysStep);
    await b.until((m): m is StepMessage => keysStep(m) && m.notes.length > 0);
    const from = session.parts[1].clock.from;
    expect(from % 16).toBe(0);
    expect(first.step * 4).toBe(from);
    expect(drums.get(first.time)).toBe(from);
    expect(await type('help()')).toMatch(/addPart\('keys'\)[^]*removePart\('keys'\)[^]*Parts: drums, keys/);
  }, 60_000);

  it('refuses a bad name, model or channel in one line naming it, and the first part\'s removal; the music goes on', async () => {
    expect(await type("addPart('keys')")).toMatch(/^addPart: part name 'keys' is taken by another part$/);
    expect(await type("addPart('2bass')")).toMatch(/^addPart: part name "2bass" must be a letter/);
    expect(await type("addPart('bass', 'nowhere/at/all')")).toMatch(/^addPart: bass: no model loads from 'nowhere\/at\/all': /);
    expect(await type("addPart('bass', undefined, 17)")).toMatch(/^addPart: channel 17 is not a MIDI channel; give 1 to 16$/);
    expect(await type("removePart('drums')")).toMatch(/^removePart: drums is the first part, which the clock steps by; quit\(\) ends the performance$/);
    expect(await type("removePart('bass')")).toMatch(/^removePart: no part named 'bass'; parts are drums, keys$/);
    expect(await type('removePart(3)')).toMatch(/^removePart: 3 is not a part's name; parts are drums, keys$/);
    expect(session.parts.map((p) => p.name)).toEqual(['drums', 'keys']);
    const at = session.generator.step;
    await steps(clock, 2);
    expect(session.generator.step).toBeGreaterThan(at);
  }, 60_000);

  it("removePart('keys') ends its notes and every page drops it; a page's Keys control brings it back and a second page sees it", async () => {
    const [a, b] = clients;
    expect(await type("removePart('keys')")).toMatch(/^keys is out: every note it started has ended; drums plays on$/);
    for (const c of [a, b]) await c.until(partsWith(['drums']));
    expect(await type('keys.temperature(1)')).toMatch(/^keys: no part named 'keys'; parts are drums$/);
    const after = b.got.length;
    await steps(clock, 8);
    expect(b.got.slice(after).filter(keysStep)).toEqual([]);
    // a page's Keys: the performance's addPart with the part's name alone
    const sent = a.got.length;
    a.send({ type: 'control', name: 'addPart', args: ['keys'] });
    await b.until(partsWith(['drums', 'keys']), after);
    await b.until((m): m is StepMessage => keysStep(m) && m.notes.length > 0, after);
    expect(session.parts[1]).toMatchObject({ name: 'keys', channel: 1 });
    // pressed again: out
    a.send({ type: 'control', name: 'removePart', args: ['keys'] });
    await b.until(partsWith(['drums']), after + 1);
    await vi.waitFor(() => expect(session.parts.map((p) => p.name)).toEqual(['drums']), { timeout: 10_000, interval: 20 });
    // a model's folder is the prompt's to name; a refusal reaches the page that sent it
    a.send({ type: 'control', name: 'addPart', args: ['bass', '/etc'] });
    await a.until((m) => m.type === 'message', sent);
    expect(a.got.slice(sent).filter((m) => m.type === 'message').map((m) => (m as { text: string }).text)).toEqual([expect.stringMatching(/addPart from a page takes the part's name alone/)]);
    a.send({ type: 'control', name: 'removePart', args: ['drums'] });
    await a.until((m) => m.type === 'message' && /drums is the first part/.test(m.text), sent);
    expect(() => parseControl('{"type":"control","name":"addPart","args":["keys",3]}')).toThrow(/the part's name alone/);
  }, 60_000);

  it("a take of the drums alone records the keys from the bar they joined, and replays note for note", async () => {
    expect(await type("record('joined.mid')")).toMatch(/recording to joined\.mid/);
    await steps(clock, 6);
    expect(await type("addPart('keys')")).toMatch(/^keys: chords-jsb .* MIDI channel 1/);
    await vi.waitFor(() => expect(session.parts[1]?.generator.ticks ?? 0).toBeGreaterThan(6), { timeout: 30_000, interval: 20 });
    session.partCommand('keys', 'temperature', [1.4]);
    await steps(clock, 12);
    expect(await type('stop()')).toMatch(/wrote joined\.mid/);
    const text = readFileSync(join(web, 'joined.mid.log.json'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ version: 2, parts: { first: { name: 'drums' }, others: [{ name: 'keys', channel: 1, every: 4 }] } });
    const song = readMidi(new Uint8Array(readFileSync(join(web, 'joined.mid'))), 'joined.mid');
    const keys = song.notes.filter((n) => n.channel === 0);
    expect(keys.length).toBeGreaterThan(0);
    const again = readMidi(replayToMidi(drumGridSpec(3), parseSessionLog(text, 'joined.mid.log.json'), { parts: [await loadModelSpec('weights/chords-jsb')] }).bytes, 'again.mid');
    expect(again.notes).toEqual(song.notes);
  }, 60_000);

  it("keys added to drums playing alone to a MIDI port: the drums' mute and pause end the drums' notes only, never the keys'; nothing is left sounding", async () => {
    const got: Got[] = [];
    const { output } = await openTestPorts('pulse-rnn parts-live out', 'pulse-rnn parts-live clock', got);
    const alone = new InternalClock({ bpm: 480 });
    const s = new LiveSession({ spec: drumGridSpec(3), clock: alone, sinks: [new WebMidiSink(output)], seed: 5, grid: false, print: () => {} });
    try {
      s.start();
      await steps(alone, 3);
      await s.addPart('keys');
      await vi.waitFor(() => expect(s.parts[1]?.generator.ticks ?? 0).toBeGreaterThan(3), { timeout: 30_000, interval: 20 });
      const from = got.length;
      s.mute();
      await steps(alone, 4);
      s.unmute();
      s.pause();
      await steps(alone, 4);
      s.resume();
      await steps(alone, 4);
      const cc123 = got.slice(from).filter((m) => (m.bytes[0] & 0xf0) === 0xb0 && m.bytes[1] === 123).map((m) => (m.bytes[0] & 15) + 1);
      expect(cc123).not.toContain(1);
      await s.quit();
      expect(new Set(got.filter((m) => isOn(m.bytes)).map((m) => (m.bytes[0] & 15) + 1))).toEqual(new Set([1, 10]));
      expect(everyOnHasItsOff(got)).toBe(true);
    } finally {
      await s.quit();
      await WebMidi.disable();
    }
  }, 60_000);
});
