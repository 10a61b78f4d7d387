/**
 * Fetch a model's file over HTTP(S) with the limits a stage needs: a deadline for the whole
 * answer (a server that accepts and never answers, or trickles bytes, fails by name in bounded
 * time), a cap on its size checked as the bytes arrive, and optionally the origin the answer
 * must come from, after redirects. Works with the fetch of browsers and of Node.
 *
 * @example
 * const { bytes } = await fetchBytes('https://example.org/m/shard.bin', { maxBytes: 4e6, timeoutMs: 30_000, origin: 'https://example.org' });
 */

export interface FetchLimits {
  /** Refuse an answer longer than this. */
  readonly maxBytes: number;
  /** The cap in words, for the message (e.g. "the 64 MB a model.json may hold"). */
  readonly limit?: string;
  /** The whole answer, headers and body, must arrive within this many milliseconds. */
  readonly timeoutMs: number;
  /** When set, the final URL (after redirects) must have this origin. */
  readonly origin?: string;
  /** Cancels the fetch when aborted (e.g. a later load replaced this one). */
  readonly signal?: AbortSignal;
}

/** The body of `url` and the URL it finally came from; every error names the URL and says what went wrong. */
export async function fetchBytes(url: string, o: FetchLimits): Promise<{ bytes: Uint8Array; url: string }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, o.timeoutMs);
  const onAbort = () => controller.abort();
  o.signal?.addEventListener('abort', onAbort);
  let received = 0;
  const seconds = `${+(o.timeoutMs / 1000).toFixed(3)} s`;
  const why = (e: unknown): Error => {
    if (timedOut) {
      const got = received > 0 ? `only ${received} bytes arrived` : 'no complete answer arrived';
      return new Error(`${url}: ${got} within ${seconds}; the server is not answering or too slow (check it, or allow more time with the timeout option)`);
    }
    if (o.signal?.aborted) return new Error(`${url}: loading was cancelled`);
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return new Error(`${url}: cannot fetch (${(e as Error).message}${cause ? `: ${cause}` : ''}); check the URL and that the server is up, then load again`);
  };
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (e) {
      throw why(e);
    }
    if (o.origin !== undefined && res.url && new URL(res.url).origin !== o.origin) {
      void res.body?.cancel().catch(() => undefined);
      throw new Error(`${url}: redirected to ${res.url}, on another origin; a model's files must all come from ${o.origin}, where its model.json is`);
    }
    if (!res.ok) {
      void res.body?.cancel().catch(() => undefined);
      throw new Error(`${url}: HTTP ${res.status} ${res.statusText}: ${statusAdvice(res.status)}`);
    }
    const tooBig = (n: number) => new Error(`${url}: ${n} bytes${n === received ? ' and more' : ''}, more than ${o.limit ?? `the ${o.maxBytes} allowed`}`);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > o.maxBytes) {
      void res.body?.cancel().catch(() => undefined);
      throw tooBig(declared);
    }
    if (!res.body) {
      let all: Uint8Array;
      try {
        all = new Uint8Array(await res.arrayBuffer());
      } catch (e) {
        throw why(e);
      }
      if (all.length > o.maxBytes) throw tooBig(all.length);
      return { bytes: all, url: res.url || url };
    }
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw why(e);
      }
      if (r.done) break;
      received += r.value.length;
      if (received > o.maxBytes) {
        void reader.cancel().catch(() => undefined);
        throw tooBig(received);
      }
      chunks.push(r.value);
    }
    const out = chunks.length === 1 ? chunks[0] : new Uint8Array(received);
    let at = 0;
    if (chunks.length > 1) for (const c of chunks) (out.set(c, at), (at += c.length));
    return { bytes: out, url: res.url || url };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** What an error status means for a file a loader asked for, and what to do. */
function statusAdvice(status: number): string {
  if (status === 404 || status === 410) return 'no file there; check the URL (a model is a folder holding model.json and its weight shards)';
  if (status === 401 || status === 403) return 'the server will not give it; check that the file may be read without logging in';
  if (status >= 500) return "the server failed; try again, or look at the server's log";
  if (status >= 300 && status < 400) return `the server sent no file (a ${status} with no place to go, or "not modified" to a request that holds no cached copy); check the server, or a proxy between`;
  return 'check the URL and the server';
}
