/**
 * A small static server for the performer's page: the built page (`dist/web/`) at `/` and the
 * package's `weights/` at `/weights/` (and, when asked, one more model folder at `/models/<name>/`),
 * nothing else from disk. It binds to 127.0.0.1 by default:
 * a page from 127.0.0.1 is a secure context, which AudioWorklet (RNBO devices) and Web MIDI need.
 *
 * A file is served only when its real path (symlinks resolved) lies inside the real path of its
 * folder, and a request only when its `Host` header names a loopback name (127.0.0.1, localhost,
 * [::1]) or the host the server listens on: a page on another site whose DNS name is rebound to
 * 127.0.0.1 sends its own name as the Host, and is refused with 421.
 *
 * @example
 * import { serve } from './serve.js';
 * const server = await serve({ port: 0 });   // 0: any free port
 * console.log(server.url);                   // http://127.0.0.1:40123/
 * await server.close();
 *
 * From the command line: `pulse-rnn serve --port 8317 --open` (after `npm run build`).
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { packageRoot } from '../io/package-root.js';

export interface ServeOptions {
  /** TCP port; 0 (default) picks any free one. */
  port?: number;
  /** Address to listen on (default 127.0.0.1); requests naming it in their Host header are served too. */
  host?: string;
  /** The package folder holding dist/web and weights (default: found from this file). */
  root?: string;
  /** The built page (default: `<root>/dist/web`). */
  webDir?: string;
  /** Model folders served at /weights/ (default: `<root>/weights`). */
  weightsDir?: string;
  /** One more model folder, served at /models/<its name>/ (`start --model DIR`: the page plays what the terminal plays). */
  model?: string;
}

export interface RunningServer {
  /** The page's address, ending in '/'. */
  readonly url: string;
  readonly port: number;
  /** Where the page finds `model`, relative to `url` (e.g. 'models/my-drums/'); null without one. */
  readonly modelPath: string | null;
  /** The names this server answers to in a Host header (a WebSocket on it checks the same: `hostRefusal`). */
  readonly hosts: readonly string[];
  readonly server: Server;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.md': 'text/markdown; charset=utf-8',
  '.mid': 'audio/midi',
};


/**
 * The file a URL path names inside `base`, or null when it would leave `base` (`..`, encoded
 * slashes or backslashes, NUL) or cannot be decoded.
 */
export function safeJoin(base: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  const root = resolve(base);
  const full = resolve(root, ...parts);
  return full === root || full.startsWith(root + sep) ? full : null;
}

/** Names a browser on this machine uses for the server; anything else in a Host header is another site. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Whether a request's `Host` header names one of `names` (lower case, IPv6 in brackets), with or
 * without a port. A missing or malformed header is refused.
 */
export function hostAllowed(header: string | undefined, names: readonly string[]): boolean {
  if (header === undefined) return false;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return false;
  return names.includes(m[1].toLowerCase());
}

/** How many Host headers a request carries (`rawHeaders` alternates names and values). */
function hostCount(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'host') n++;
  return n;
}

/** `host` as a URL or a Host header spells it: an IPv6 address in brackets. */
const bracketed = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** The Host names a server listening on `host` answers to. */
function allowedHosts(host: string): string[] {
  const own = bracketed(host.toLowerCase());
  return LOOPBACK_NAMES.includes(own) ? LOOPBACK_NAMES : [...LOOPBACK_NAMES, own];
}

/** Why a request (or a WebSocket's upgrade) is refused for its Host header: a status and a line; null when it may be served. */
export function hostRefusal(req: IncomingMessage, hosts: readonly string[]): { status: number; text: string } | null {
  // node keeps the first of several Host headers; a request naming two hosts is refused whole
  if (hostCount(req.rawHeaders) > 1) return { status: 400, text: 'a request names one Host; this one names several' };
  if (!hostAllowed(req.headers.host, hosts)) return { status: 421, text: `this server answers only to ${hosts.join(', ')} as Host, got ${JSON.stringify(req.headers.host ?? '(none)')}: open the page at its printed address` };
  return null;
}

/** Start serving; resolves once the port is bound. */
export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const port = options.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError(`port must be a whole number from 0 to 65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';
  const root = options.root ?? packageRoot();
  const webDir = resolve(options.webDir ?? join(root, 'dist', 'web'));
  const weightsDir = resolve(options.weightsDir ?? join(root, 'weights'));
  if (!existsSync(join(webDir, 'index.html'))) throw new Error(`${join(webDir, 'index.html')} not found: build the page first (npm run build)`);
  // the folders' own real paths, so a checkout that is itself reached through a symlink still serves
  const folders = { web: await realpath(webDir), weights: await realpath(weightsDir).catch(() => weightsDir) };
  const hosts = allowedHosts(host);
  const modelDir = options.model === undefined ? null : await realpath(resolve(options.model));
  const modelPath = modelDir === null ? null : `models/${encodeURIComponent(basename(modelDir) || 'model')}/`;
  const mount = modelDir === null ? null : { prefix: `/${modelPath!.slice(0, -1)}`, dir: modelDir };

  const server = createServer((req, res) => {
    const refused = hostRefusal(req, hosts);
    if (refused) return send(res, refused.status, refused.text);
    handle(req, res, folders.web, folders.weights, mount).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `server error: ${e instanceof Error ? e.message : String(e)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    // the system's code stays on the error, so a caller can tell a taken port from other failures
    server.once('error', (e: NodeJS.ErrnoException) => fail(Object.assign(new Error(e.code === 'EADDRINUSE' ? `port ${port} is already in use; pick another with --port, or 0 for any free port` : `cannot listen on ${host}:${port}: ${e.message}`), { code: e.code })));
    server.listen(port, host, () => ok());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${bracketed(host)}:${bound}/`,
    port: bound,
    modelPath,
    hosts,
    server,
    close: () => new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, webDir: string, weightsDir: string, mount: { prefix: string; dir: string } | null): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'only GET and HEAD');
  }
  const path = (req.url ?? '/').split('?')[0].split('#')[0];
  const [base, rest] = path === '/weights' || path.startsWith('/weights/') ? [weightsDir, path.slice('/weights'.length)] : mount && path.startsWith(`${mount.prefix}/`) ? [mount.dir, path.slice(mount.prefix.length)] : [webDir, path];
  const file = safeJoin(base, rest);
  if (file === null) return send(res, 403, 'forbidden path');
  let target = file;
  let info = await stat(target).catch(() => null);
  // only the page has an index; model folders are never listed
  if (info?.isDirectory() && base === webDir) {
    target = join(target, 'index.html');
    info = await stat(target).catch(() => null);
  }
  if (!info || !info.isFile()) return send(res, 404, `not found: ${path}`);
  // a symlink inside the folder may point anywhere on the disk: only what really lies inside is served
  const real = await realpath(target).catch(() => null);
  if (real === null || !real.startsWith(base + sep)) return send(res, 403, `forbidden path: ${path} leads out of the served folder`);
  res.writeHead(200, {
    'content-type': TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    // a performer reloading after a rebuild gets the new page, not a cached mix of old and new
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') return void res.end();
  await new Promise<void>((ok, fail) => {
    const stream = createReadStream(real);
    stream.on('error', fail);
    res.on('close', () => {
      stream.destroy();
      ok();
    });
    stream.pipe(res);
  });
}

/** Open `url` in the system's default browser; `onFail` hears why when that cannot be done. */
export function openInBrowser(url: string, onFail: (why: string) => void): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (e) => onFail(`${cmd}: ${e.message}`));
    // xdg-open on a machine with no browser (a server, an SSH session) says so only by its exit code
    child.on('exit', (code) => {
      if (code !== null && code !== 0) onFail(`${cmd} exited with code ${code}`);
    });
    child.unref();
  } catch (e) {
    onFail(`${cmd}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }).end(`${text}\n`);
}
