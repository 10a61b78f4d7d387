/**
 * The page's end of the performance's WebSocket (`live-protocol.ts`): opens `/live` on the
 * page's own server, hands every message it reads to `onMessage`, and sends controls by the
 * table's names. A page served by `pulse-rnn start` carries `?live=1`; a page without it (or
 * `pulse-rnn serve`, or any static host) plays on its own and never opens a socket.
 *
 * When the terminal's performance stops or restarts, the link opens the socket again by itself,
 * a second after the close and then less often (at most every `RETRY_MS.at(-1)` ms), and the
 * new performance's hello follows. A socket the server refused (its Origin or Host check, or
 * another version of the protocol) is never opened again: the same page would be refused again.
 *
 * @example
 * if (liveRequested()) {
 *   const link = openLink({ onMessage: (m) => console.log(m.type), onClose: (why, retrying) => console.log(why, retrying) });
 *   link.control('temperature', [1.3]);
 * }
 */
import { LIVE_PATH, ProtocolVersionError, parseServerMessage, type ServerMessage } from '../live-protocol.js';

export interface LinkHooks {
  onMessage(m: ServerMessage): void;
  /** The socket closed or could not open: why, in words, and whether the link is trying again (false: it was refused, and stays closed). */
  onClose(why: string, retrying: boolean): void;
}

export interface Link {
  /** Send one control of the table (checked by the performance; a refusal comes back as a `message`), to `part` by name (left out: the first part). */
  control(name: string, args: readonly unknown[], part?: string): void;
  readonly open: boolean;
  close(): void;
}

/** Milliseconds before each try to open the socket again after a close; the last repeats. */
export const RETRY_MS: readonly number[] = [1000, 2000, 3000, 5000];
/** The close code of a socket refused for its Origin (`live-socket.ts`). */
const POLICY = 1008;
/** The HTTP statuses of a request refused for its Host (`serve.ts`): the upgrade got the same. */
const HOST_REFUSED = [400, 421];

/** Whether this page is to join the terminal's performance rather than play its own (`?live=1`). */
export function liveRequested(search = location.search): boolean {
  const v = new URLSearchParams(search).get('live');
  return v !== null && v !== '0' && v !== 'false';
}

/** Why the page's own server refuses it (its Host check), or null: it answers, or cannot be reached. */
async function hostRefused(): Promise<string | null> {
  try {
    const res = await fetch(location.href, { method: 'HEAD', cache: 'no-store' });
    return HOST_REFUSED.includes(res.status) ? `the server refuses this page (HTTP ${res.status}): open the page at the address pulse-rnn start printed` : null;
  } catch {
    return null;
  }
}

export function openLink(hooks: LinkHooks): Link {
  const url = new URL(LIVE_PATH, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let ws: WebSocket;
  let closed = false;
  let tries = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const end = (why: string) => {
    closed = true;
    hooks.onClose(why, false);
  };
  const retry = (why: string) => {
    if (closed) return;
    const wait = RETRY_MS[Math.min(tries, RETRY_MS.length - 1)];
    // said once a close: the tries that follow fail the same way until one opens
    if (tries === 0) hooks.onClose(`${why}: trying again every ${RETRY_MS[0] / 1000}–${RETRY_MS.at(-1)! / 1000} s`, true);
    tries++;
    timer = setTimeout(() => ((timer = null), connect()), wait);
  };
  const read = (text: string) => {
    let m: ServerMessage;
    try {
      m = parseServerMessage(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      // another version of the protocol is a refusal: its messages are not this page's to read
      if (err instanceof ProtocolVersionError) {
        end(why);
        ws.close();
        return;
      }
      hooks.onMessage({ type: 'message', level: 'error', text: why });
      return;
    }
    if (m.type === 'hello') tries = 0;
    hooks.onMessage(m);
  };
  const connect = () => {
    const socket = (ws = new WebSocket(url));
    let opened = false;
    socket.addEventListener('open', () => (opened = true));
    // the close that follows an error says what happened
    socket.addEventListener('error', () => {});
    socket.addEventListener('message', (e) => read(String(e.data)));
    socket.addEventListener('close', (e) => {
      if (closed || socket !== ws) return;
      if (e.code === POLICY) return end(e.reason || `the performance refused this page (${e.code})`);
      const why = e.reason || (e.code === 1006 ? `cannot reach the performance at ${url.href}: is pulse-rnn start still running?` : `the performance closed the connection (${e.code})`);
      // an upgrade refused for its Host reads as a socket that never opened: the page's own request tells
      if (opened) return retry(why);
      void hostRefused().then((refused) => (refused ? end(refused) : retry(why)));
    });
  };
  connect();

  return {
    control(name, args, part) {
      if (ws.readyState !== WebSocket.OPEN) throw new Error(`${name}: not connected to the performance in the terminal`);
      ws.send(JSON.stringify({ type: 'control', name, args, ...(part === undefined ? {} : { part }) }));
    },
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      ws.close();
    },
  };
}
