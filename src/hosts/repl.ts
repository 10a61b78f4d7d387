/**
 * The live-coding prompt: a node:repl whose context holds the LiveSession's commands, so
 * `temperature(1.2)` or `lock('kick')` typed while the music plays steers it, and Tab completes
 * the command names. Commands that read or write files are awaited before the next prompt.
 * In a terminal, lines printed while the performer types (the step grid, a recording written)
 * go above the prompt and leave the half-typed line as it was. Ctrl-C, Ctrl-D, `.exit` and the
 * end of the input all quit the session cleanly.
 *
 * What a line prints while it runs is written in one go when it is done, and a line that
 * prints more than a screenful (a loop of ten thousand commands) shows its first and last
 * messages and how many were left out: a terminal that takes a write per message would hold
 * up the music.
 *
 * @example
 * const session = new LiveSession({ spec, clock, sinks });
 * const server = startRepl(session, { input: process.stdin, output: process.stdout });
 * session.start();
 * await session.done;   // the prompt closes with the session
 */
import { clearLine, cursorTo } from 'node:readline';
import repl, { type REPLServer } from 'node:repl';
import { COMMANDS, type LiveSession } from './live-session.js';

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Treat the streams as a terminal (default: whether the output is a TTY). */
  terminal?: boolean;
  prompt?: string;
}

type Eval = (cmd: string, context: object, file: string, cb: (err: Error | null, result?: unknown) => void) => void;

export function startRepl(session: LiveSession, o: ReplOptions): REPLServer {
  const terminal = o.terminal ?? Boolean((o.output as { isTTY?: boolean }).isTTY);
  const server = repl.start({ prompt: o.prompt ?? 'pulse> ', input: o.input, output: o.output, terminal, useColors: terminal, ignoreUndefined: true, preview: false });
  // promises our commands return, awaited before the next prompt (never the performer's own)
  const ours = new WeakSet<Promise<unknown>>();
  const define = (context: Record<string, unknown>) => {
    for (const [name] of COMMANDS) {
      const method = (session as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
      const fn = (...args: unknown[]) => {
        const result = method.apply(session, args);
        if (result instanceof Promise) {
          ours.add(result);
          return result;
        }
        return undefined;
      };
      Object.defineProperty(context, name, { value: fn, enumerable: true, configurable: true, writable: false });
    }
  };
  define(server.context);
  server.on('reset', define); // `.clear` makes a fresh context

  let evaluating = false;
  const held = new HeldLines();
  const done = () => {
    evaluating = false;
    const text = held.take();
    if (text) o.output.write(text);
  };
  const evalDefault = server.eval as unknown as Eval;
  (server as unknown as { eval: Eval }).eval = (cmd, context, file, cb) => {
    evaluating = true;
    evalDefault.call(server, cmd, context, file, (err, result) => {
      if (result instanceof Promise && ours.has(result)) {
        result.then(
          () => (done(), cb(null, undefined)),
          (e: Error) => (done(), cb(e)),
        );
        return;
      }
      done();
      cb(err, result);
    });
  };

  session.printer = (text) => {
    // quitting: the prompt may close before the line's end, so nothing waits for it
    if (evaluating && !session.stopping) return held.add(text);
    const before = held.take();
    if (before) o.output.write(before);
    if (!terminal || evaluating) {
      o.output.write(`${text}\n`);
      return;
    }
    // above the prompt, then the prompt again with what the performer had typed
    clearLine(o.output, 0);
    cursorTo(o.output, 0);
    o.output.write(`${text}\n`);
    if (!session.stopping) server.displayPrompt(true);
  };

  // Ctrl-C is the performer's stop button, not "clear the line"
  server.removeAllListeners('SIGINT');
  server.on('SIGINT', () => {
    o.output.write('\n');
    void session.quit();
  });
  server.on('exit', () => void session.quit());
  let closed = false;
  server.on('close', () => (closed = true));
  void session.done.then(() => {
    if (!closed) server.close();
  });
  return server;
}

/** Lines printed while a line of input runs: the first and last few, and a count of the rest. */
class HeldLines {
  static readonly KEEP = 10;
  private readonly head: string[] = [];
  private tail: string[] = [];
  private skipped = 0;

  add(text: string): void {
    if (this.head.length < HeldLines.KEEP) {
      this.head.push(text);
      return;
    }
    this.tail.push(text);
    // trimmed in batches, so ten thousand lines cost ten thousand pushes, not shifts
    if (this.tail.length >= 4 * HeldLines.KEEP) {
      this.skipped += this.tail.length - HeldLines.KEEP;
      this.tail = this.tail.slice(-HeldLines.KEEP);
    }
  }

  /** All of it as one text, and empty again. */
  take(): string {
    if (this.tail.length > HeldLines.KEEP) {
      this.skipped += this.tail.length - HeldLines.KEEP;
      this.tail = this.tail.slice(-HeldLines.KEEP);
    }
    const lines = [...this.head, ...(this.skipped ? [`… ${this.skipped} more messages …`] : []), ...this.tail];
    this.head.length = 0;
    this.tail = [];
    this.skipped = 0;
    return lines.length ? `${lines.join('\n')}\n` : '';
  }
}
