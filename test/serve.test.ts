// The static server against what a browser on another site, or a symlink in a served folder,
// could make it read: real HTTP requests with forged Host headers, real symlinks on disk.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed, openInBrowser, serve, type RunningServer } from '../src/hosts/serve.js';

/**
 * A GET written byte for byte on a socket, so the Host header is exactly `host` (node:http would
 * put its own in place of an empty one); `Connection: close` ends the response with the socket.
 */
function get(server: RunningServer, path: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (c) => (raw += c));
    socket.on('error', fail);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      ok({ status, body: raw.slice(raw.indexOf('\r\n\r\n') + 4) });
    });
  });
}

describe('serve.ts: only what really lies inside its folders', () => {
  let dir: string;
  let server: RunningServer;
  const SECRET = 'a secret outside the served folders';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-serve-'));
    const web = join(dir, 'web');
    const weights = join(dir, 'weights');
    const outside = join(dir, 'outside');
    for (const d of [web, weights, join(weights, 'm'), outside, join(outside, 'sub')]) mkdirSync(d);
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(join(web, 'app.js'), 'export {};');
    writeFileSync(join(weights, 'm', 'model.json'), '{"ok":true}');
    writeFileSync(join(outside, 'secret.txt'), SECRET);
    writeFileSync(join(outside, 'sub', 'index.html'), SECRET);
    writeFileSync(join(outside, 'sub', 'model.json'), SECRET);
    // links out of the folders: to a file, to a folder, relative, through a chain, and to /etc/passwd
    symlinkSync(join(outside, 'secret.txt'), join(web, 'secret.txt'));
    symlinkSync(join(outside, 'sub'), join(web, 'sub'));
    symlinkSync('../outside/secret.txt', join(web, 'relative.txt'));
    symlinkSync(join(web, 'secret.txt'), join(web, 'chain.txt'));
    symlinkSync('/etc/passwd', join(web, 'passwd'));
    symlinkSync(join(outside, 'sub'), join(weights, 'evil'));
    symlinkSync(join(outside, 'secret.txt'), join(weights, 'm', 'group1-shard1of1.bin'));
    // links that stay inside are fine
    symlinkSync(join(web, 'app.js'), join(web, 'alias.js'));
    symlinkSync('model.json', join(weights, 'm', 'latest.json'));
    // the served folder itself reached through a symlink still serves
    symlinkSync(web, join(dir, 'web-link'));
    server = await serve({ port: 0, webDir: join(dir, 'web-link'), weightsDir: weights });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every symlink that leads out of the page or weights folder', async () => {
    for (const path of ['/secret.txt', '/sub/index.html', '/sub/', '/relative.txt', '/chain.txt', '/passwd', '/weights/evil/model.json', '/weights/m/group1-shard1of1.bin']) {
      const r = await get(server, path);
      expect(r.status, path).toBe(403);
      expect(r.body, path).toMatch(/leads out of the served folder/);
      expect(r.body, path).not.toContain(SECRET);
      expect(r.body, path).not.toContain('root:');
    }
  });

  it('serves files and symlinks that stay inside', async () => {
    expect((await get(server, '/')).body).toContain('<title>page</title>');
    expect((await get(server, '/alias.js')).body).toBe('export {};');
    expect((await get(server, '/weights/m/model.json')).body).toBe('{"ok":true}');
    expect((await get(server, '/weights/m/latest.json')).body).toBe('{"ok":true}');
  });
});

describe('serve.ts: the Host header names this machine', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-serve-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>');
    server = await serve({ port: 0, webDir: dir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers to the loopback names, with or without the port', async () => {
    for (const host of ['127.0.0.1', `127.0.0.1:${server.port}`, 'localhost', `localhost:${server.port}`, 'LocalHost', '[::1]', `[::1]:${server.port}`]) {
      const r = await get(server, '/', host);
      expect(r.status, host).toBe(200);
      expect(r.body, host).toContain('<title>page</title>');
    }
  });

  it('refuses any other Host with 421 and says where to open the page', async () => {
    const forged = ['evil.example', `evil.example:${server.port}`, 'rebind.attacker.test:80', '127.0.0.1.evil.example', 'localhost.evil.example', 'localhost.', '10.0.0.7', '[::2]', '', ' ', 'localhost:notaport', 'localhost:80:80', '127.0.0.1@evil.example', 'xn--lcalhost-abc'];
    for (const host of forged) {
      for (const path of ['/', '/index.html', '/weights/drums-gmd/model.json']) {
        const r = await get(server, path, host);
        expect(r.status, `${JSON.stringify(host)} ${path}`).toBe(421);
        expect(r.body).toMatch(/answers only to 127\.0\.0\.1, localhost, \[::1\] as Host/);
        expect(r.body).not.toContain('<title>');
      }
    }
  });

  it('refuses a forged Host sent through node:http too', async () => {
    const status = await new Promise<number>((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: `rebound.example:${server.port}` } }, (res) => (res.resume(), ok(res.statusCode ?? 0)));
      req.on('error', fail);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('refuses a request naming two hosts, whichever comes first', async () => {
    for (const hosts of [[`127.0.0.1:${server.port}`, 'evil.example'], ['evil.example', `127.0.0.1:${server.port}`], ['localhost', 'localhost']]) {
      const r = await new Promise<{ status: number; body: string }>((ok, fail) => {
        const socket = connect(server.port, '127.0.0.1', () => socket.write(`GET / HTTP/1.1\r\n${hosts.map((h) => `Host: ${h}\r\n`).join('')}Connection: close\r\n\r\n`));
        let raw = '';
        socket.setEncoding('utf8');
        socket.on('data', (c) => (raw += c));
        socket.on('error', fail);
        socket.on('close', () => ok({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0), body: raw }));
      });
      expect(r.status, hosts.join(' + ')).toBe(400);
      expect(r.body).toMatch(/names one Host; this one names several/);
      expect(r.body).not.toContain('<title>');
    }
  });

  it('also answers to the host it was told to listen on', async () => {
    const other = await serve({ port: 0, webDir: dir, host: '127.0.0.2' }).catch((e: NodeJS.ErrnoException) => (e.code === 'EADDRNOTAVAIL' ? null : Promise.reject(e)));
    if (other === null) return console.warn('skipping: 127.0.0.2 cannot be bound here');
    try {
      expect(other.url).toBe(`http://127.0.0.2:${other.port}/`);
      const r = await new Promise<number>((ok, fail) => {
        const req = request({ host: '127.0.0.2', port: other.port, path: '/' }, (res) => (res.resume(), ok(res.statusCode ?? 0)));
        req.on('error', fail);
        req.end();
      });
      expect(r).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('hostAllowed reads a header the way a browser writes it', () => {
    const names = ['127.0.0.1', 'localhost', '[::1]'];
    expect(hostAllowed(undefined, names)).toBe(false);
    expect(hostAllowed('localhost:8317', names)).toBe(true);
    expect(hostAllowed('[::1]:8317', names)).toBe(true);
    expect(hostAllowed('::1', names)).toBe(false);
    expect(hostAllowed('evil.example:8317', names)).toBe(false);
  });
});

describe('serve.ts: --open on a machine with no browser', () => {
  // xdg-open's own rules: with no desktop session it tries only $BROWSER, here a program that does not exist
  it.skipIf(process.platform !== 'linux')('says it could not open one, so the user opens the printed address', async () => {
    const saved = { ...process.env };
    for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'XDG_CURRENT_DESKTOP', 'DESKTOP_SESSION', 'KDE_FULL_SESSION', 'GNOME_DESKTOP_SESSION_ID', 'XDG_SESSION_DESKTOP']) delete process.env[k];
    process.env.BROWSER = join(tmpdir(), 'pulse-rnn-no-such-browser');
    try {
      const why = await new Promise<string>((ok) => openInBrowser('http://127.0.0.1:1/', ok));
      expect(why).toMatch(/xdg-open/);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
