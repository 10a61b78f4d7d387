/**
 * The page's end of the performance's WebSocket (`live-protocol.ts`): opens `/live` on the
 * page's own server, hands every message it reads to `onMessage`, and sends controls by the
 * table's names. A page served by `pulse-rnn start` carries `?live=1`; a page without it (or
 * `pulse-rnn serve`, or any static host) plays on its own and never opens a socket.
 *
 * @example
 * if (liveRequested()) {
 *   const link = openLink({ onMessage: (m) => console.log(m.type), onClose: (why) => console.log(why) });
 *   link.control('temperature', [1.3]);
 * }
 */
import { LIVE_PATH, parseServerMessage, type ServerMessage } from '../live-protocol.js';

export interface LinkHooks {
  onMessage(m: ServerMessage): void;
  /** The socket closed or could not open: why, in words. */
  onClose(why: string): void;
}

export interface Link {
  /** Send one control of the table (checked by the performance; a refusal comes back as a `message`). */
  control(name: string, args: readonly unknown[]): void;
  readonly open: boolean;
  close(): void;
}

/** Whether this page is to join the terminal's performance rather than play its own (`?live=1`). */
export function liveRequested(search = location.search): boolean {
  const v = new URLSearchParams(search).get('live');
  return v !== null && v !== '0' && v !== 'false';
}

export function openLink(hooks: LinkHooks): Link {
  const url = new URL(LIVE_PATH, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  let closed = false;
  ws.addEventListener('message', (e) => {
    let m: ServerMessage;
    try {
      m = parseServerMessage(String(e.data));
    } catch (err) {
      hooks.onMessage({ type: 'message', level: 'error', text: err instanceof Error ? err.message : String(err) });
      return;
    }
    hooks.onMessage(m);
  });
  ws.addEventListener('close', (e) => {
    if (closed) return;
    closed = true;
    hooks.onClose(e.reason || (e.code === 1006 ? `cannot reach the performance at ${url.href}: is pulse-rnn start still running?` : `the performance closed the connection (${e.code})`));
  });
  return {
    control(name, args) {
      if (ws.readyState !== WebSocket.OPEN) throw new Error(`${name}: not connected to the performance in the terminal`);
      ws.send(JSON.stringify({ type: 'control', name, args }));
    },
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    close() {
      closed = true;
      ws.close();
    },
  };
}
