// The page's end of the performance's socket (src/hosts/web/live-link.ts) in Node, with `ws` as
// the browser's WebSocket: it sends the page's Origin as a browser does, and a page at a name
// that resolves to loopback (a rebinding attack) reaches 127.0.0.1 with that name as its Host.
// A performance that stops and comes back on the same port is found again; a socket the server
// refused (Origin, Host, another protocol version) is never opened again. Every check waits
// for a hook's call or a state, never for a fixed time.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WS, { WebSocketServer } from 'ws';
import { PROTOCOL_VERSION, type ServerMessage } from '../src/hosts/live-protocol.js';
import { LiveSession } from '../src/hosts/live-session.js';
import { attachLive, type LiveSocket } from '../src/hosts/live-socket.js';
import { serve, type RunningServer } from '../src/hosts/serve.js';
import { openLink, type Link } from '../src/hosts/web/live-link.js';
import { InternalClock } from '../src/time/internal-clock.js';
import { drumGridSpec } from './helpers/models.js';

const g = globalThis as Record<string, unknown>;
const saved = { location: g.location, WebSocket: g.WebSocket, fetch: g.fetch };

/** The page's address; its name is looked up as 127.0.0.1 (the browser's WebSocket and fetch, in Node). */
function pageAt(href: string): void {
  const page = new URL(href);
  g.location = page;
  g.WebSocket = class PageSocket extends WS {
    constructor(url: string | URL) {
      const u = new URL(url);
      super(`ws://127.0.0.1:${u.port}${u.pathname}`, { origin: page.origin, headers: { host: u.host } });
    }
  };
  g.fetch = (url: string | URL, init?: { method?: string }) => new Promise((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: '127.0.0.1', port: u.port, path: u.pathname + u.search, method: init?.method ?? 'GET', headers: { host: u.host } }, (res) => (res.resume(), ok({ status: res.statusCode })));
    req.on('error', fail);
    req.end();
  });
}

/** A link and what its hooks heard, with a wait for a state. */
function link() {
  const messages: ServerMessage[] = [];
  const closes: { why: string; retrying: boolean }[] = [];
  const l: Link = openLink({ onMessage: (m) => messages.push(m), onClose: (why, retrying) => closes.push({ why, retrying }) });
  const until = (test: () => boolean) => new Promise<void>((ok) => {
    const look = () => (test() ? ok() : setTimeout(look, 20));
    look();
  });
  return { link: l, messages, closes, until };
}

/** A performance of `name` served on `port` (0: any). */
async function performance(name: string, port = 0): Promise<{ server: RunningServer; session: LiveSession; live: LiveSocket; stop(): Promise<void> }> {
  const server = await serve({ port });
  const session = new LiveSession({ spec: drumGridSpec(2), clock: new InternalClock({ bpm: 480 }), sinks: [], seed: 5, grid: false, print: () => {} });
  const live = attachLive({ session, server, model: { path: null, name }, sound: 'the page', pageSounds: true, print: () => {} });
  session.start();
  return { server, session, live, stop: async () => (await session.quit(), await live.close(), await server.close()) };
}

const open: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const end of open.splice(0)) await end();
  Object.assign(g, saved);
});

describe('live-link: the page finds its performance again', () => {
  it('opens the socket again after the performance stops, and hears the new one on the same port', async () => {
    const first = await performance('first');
    pageAt(`${first.server.url}?live=1`);
    const l = link();
    open.push(() => l.link.close());
    await l.until(() => l.messages.some((m) => m.type === 'hello'));
    const port = first.server.port;
    await first.stop();
    await l.until(() => l.closes.length > 0);
    expect(l.closes).toEqual([{ why: expect.stringMatching(/the performance has stopped: trying again every 1–5 s/), retrying: true }]);
    expect(l.link.open).toBe(false);
    const second = await performance('second', port);
    open.push(() => second.stop());
    await l.until(() => l.messages.some((m) => m.type === 'hello' && m.model.name === 'second'));
    await l.until(() => l.link.open);
    l.link.control('temperature', [0.6]);
    await l.until(() => second.session.generator.settings.temperature === 0.6);
    // the failed tries in between were said once, not once a try
    expect(l.closes.filter((c) => c.retrying)).toHaveLength(1);
  }, 30_000);
});

describe('live-link: a refused page stays closed', () => {
  it('is refused for a foreign Origin and does not try again', async () => {
    const p = await performance('p');
    open.push(() => p.stop());
    // the page's own address, but a browser on another site sends that site's Origin
    pageAt(`${p.server.url}?live=1`);
    g.WebSocket = class ForeignPage extends WS {
      constructor(url: string | URL) {
        super(url, { origin: 'http://evil.example' });
      }
    };
    const l = link();
    await l.until(() => l.closes.length > 0);
    expect(l.closes).toEqual([{ why: expect.stringMatching(/Origin http:\/\/evil\.example/), retrying: false }]);
    expect(l.messages).toEqual([]);
  });

  it('is refused for a Host that is not a loopback name (the page reached through a rebound name) and does not try again', async () => {
    const p = await performance('p');
    open.push(() => p.stop());
    pageAt(`http://rebound.example:${p.server.port}/?live=1`);
    const l = link();
    await l.until(() => l.closes.length > 0);
    expect(l.closes).toEqual([{ why: expect.stringMatching(/refuses this page \(HTTP 421\)/), retrying: false }]);
  });

  it('is refused by a performance speaking another version of the protocol, and does not try again', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    open.push(() => new Promise<void>((done) => wss.close(() => done())));
    await new Promise((ok) => wss.once('listening', ok));
    const port = (wss.address() as { port: number }).port;
    wss.on('connection', (ws) => ws.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION + 1 })));
    pageAt(`http://127.0.0.1:${port}/?live=1`);
    const l = link();
    await l.until(() => l.closes.length > 0);
    expect(l.closes).toEqual([{ why: expect.stringMatching(new RegExp(`version ${PROTOCOL_VERSION + 1}.*reload the page`)), retrying: false }]);
    expect(l.messages).toEqual([]);
  });
});
