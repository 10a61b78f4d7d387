/**
 * The live-coding prompt: a node:repl whose context holds the LiveSession's commands, so
 * `temperature(1.2)` or `lock('kick')` typed while the music plays steers it, and Tab completes
 * the command names: the control table's controls and the session's own few commands
 * (prompt-commands.ts), nothing else. Commands that read or write files are awaited before the next prompt.
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
import { runInContext, type Context } from 'node:vm';
import type { LiveSession } from './live-session.js';
import { commandNames, usageOf } from './prompt-commands.js';
import { partObject } from './part-commands.js';

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
  const commands = defineCommands(server, session);

  let evaluating = false;
  const held = new HeldLines();
  const done = () => {
    evaluating = false;
    const text = held.take();
    if (text) o.output.write(text);
  };
  /** One line instead of what the line would have printed: a slip's hint. */
  const answer = (text: string, cb: (err: Error | null) => void) => (done(), o.output.write(`${text}\n`), cb(null));
  const evalDefault = server.eval as unknown as Eval;
  (server as unknown as { eval: Eval }).eval = (cmd, context, file, cb) => {
    evaluating = true;
    // a call of a name that means nothing here: the prompt would only say "is not defined"
    const unknown = undefinedCall(cmd, context);
    if (unknown !== null) return answer(unknownHint(unknown), cb);
    evalDefault.call(server, cmd, context, file, (err, result) => {
      const hint = slipHint(cmd, err, typeof result === 'function' ? commands.nameOf.get(result) : undefined);
      if (hint !== null) return answer(hint, cb);
      if (result instanceof Promise && commands.ours.has(result)) {
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
    if (!terminal || evaluating) return void o.output.write(`${text}\n`);
    // above the prompt, then the prompt again with what the performer had typed
    clearLine(o.output, 0);
    cursorTo(o.output, 0);
    o.output.write(`${text}\n`);
    if (!session.stopping) server.displayPrompt(true);
  };
  closeWithSession(server, session, o.output);
  return server;
}

/**
 * Put the session's commands into the prompt's context (again after `.clear`, which makes a
 * fresh one). `ours` holds the promises our commands return, awaited before the next prompt
 * (never the performer's own); `nameOf` the command each function runs, to tell `status`
 * typed without () what to do.
 */
function defineCommands(server: REPLServer, session: LiveSession): { ours: WeakSet<Promise<unknown>>; nameOf: WeakMap<object, string> } {
  const ours = new WeakSet<Promise<unknown>>();
  const nameOf = new WeakMap<object, string>();
  /** A command as the prompt calls it: its promise (a file read or written) awaited before the next prompt. */
  const tracked = (name: string, call: (...a: unknown[]) => unknown) => {
    const fn = (...args: unknown[]) => {
      const result = call(...args);
      if (!(result instanceof Promise)) return undefined;
      ours.add(result);
      return result;
    };
    nameOf.set(fn, name);
    return fn;
  };
  const define = (context: Record<string, unknown>) => {
    for (const name of NAMES) {
      const method = (session as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
      Object.defineProperty(context, name, { value: tracked(name, (...a) => method.apply(session, a)), enumerable: true, configurable: true, writable: false });
    }
    defineParts(context);
  };
  /**
   * One object a part, named for it: keys.temperature(1.2), Tab after keys. lists its commands;
   * a part added later gets its own, and a part taken out keeps it to say plainly that it is out.
   */
  const defineParts = (context: Record<string, unknown>) => {
    if (session.parts.length < 2) return;
    for (const part of session.parts) {
      const commands = partObject(session, part.name);
      const wrapped: Record<string, unknown> = {};
      // the performance's own commands are there to be refused plainly, not offered by Tab
      for (const name of Object.getOwnPropertyNames(commands)) Object.defineProperty(wrapped, name, { value: tracked(`${part.name}.${name}`, commands[name]), enumerable: Object.getOwnPropertyDescriptor(commands, name)?.enumerable ?? false });
      Object.defineProperty(context, part.name, { value: Object.freeze(wrapped), enumerable: true, configurable: true, writable: false });
    }
  };
  define(server.context);
  server.on('reset', define);
  const offParts = session.onParts(() => defineParts(server.context));
  void session.done.then(offParts);
  return { ours, nameOf };
}

/** Ctrl-C, Ctrl-D, `.exit` and the input's end quit the session; the prompt closes with it. */
function closeWithSession(server: REPLServer, session: LiveSession, output: NodeJS.WritableStream): void {
  // Ctrl-C is the performer's stop button, not "clear the line"
  server.removeAllListeners('SIGINT');
  server.on('SIGINT', () => {
    output.write('\n');
    void session.quit();
  });
  server.on('exit', () => void session.quit());
  let closed = false;
  server.on('close', () => (closed = true));
  void session.done.then(() => {
    if (!closed) server.close();
  });
}

/** The prompt's names: the control table's controls and the session's own commands. */
const NAMES = commandNames();
/** What performers type for a command under another name (any case; `topp` is `topP` in another case). */
const ALIASES: Record<string, string> = { tempo: 'bpm', exit: 'quit', play: 'resume', unpause: 'resume', rec: 'record', temp: 'temperature', top_p: 'topP', nucleus: 'topP', clear: 'clearEdit', clearedit: 'clearEdit', clear_edit: 'clearEdit', primerandom: 'primeRandom', random: 'primeRandom', position: 'locate' };

/**
 * What to say instead of a JavaScript error when a line is a command mistyped: a name without
 * its parentheses (`status`, `bpm 90`), another spelling (`Status()`, `tempo(90)`), or a word
 * that is no command. Null when the line is something else.
 */
function slipHint(cmd: string, err: Error | null, command: string | undefined): string | null {
  const usage = usageOf;
  if (command !== undefined) return `${command} is a command: type ${command}() to run it${usage(command) === `${command}()` ? '' : ` (e.g. ${usage(command)})`}`;
  if (!err) return null;
  const line = cmd.trim();
  // an unfinished line (an open bracket): the prompt waits for the rest
  if ((err as { err?: unknown }).err !== undefined || err.constructor?.name === 'Recoverable') return null;
  if (err.name === 'SyntaxError') {
    // `bpm 90`, `lock kick`: a command and its argument without the parentheses
    const m = /^([A-Za-z_]\w*)\s+(.+?);?$/.exec(line);
    const name = m ? closest(m[1]) : null;
    if (!m || !name) return null;
    const arg = /^-?[\d.]+$|^(true|false)$|^['"[{+]/.test(m[2]) ? m[2] : `'${m[2]}'`;
    return `a command takes its arguments in parentheses: type ${name}(${arg}) (help() lists the commands)`;
  }
  return null;
}

/** The name a line calls (or names alone), when nothing of that name is defined at the prompt. */
function undefinedCall(cmd: string, context: object): string | null {
  const m = /^\s*([A-Za-z_$][\w$]*)\s*(\(.*\))?\s*;?\s*$/s.exec(cmd);
  if (!m) return null;
  try {
    // typeof sees the prompt's own let and const too, and never throws for a missing name
    return runInContext(`typeof ${m[1]}`, context as Context) === 'undefined' ? m[1] : null;
  } catch {
    return null;
  }
}

function unknownHint(word: string): string {
  const near = closest(word);
  const usage = near ? usageOf(near) : undefined;
  return `${word} is neither a command nor a name set here${usage ? `; did you mean ${usage}?` : ''} (help() lists the commands)`;
}

/** The command a word most likely meant: itself in another case, an alias, a prefix, or one or two letters off. */
function closest(word: string): string | null {
  const w = word.toLowerCase();
  const exact = NAMES.find((n) => n.toLowerCase() === w) ?? ALIASES[w];
  if (exact) return exact;
  if (w.length >= 3) {
    const prefixed = NAMES.filter((n) => n.toLowerCase().startsWith(w));
    if (prefixed.length === 1) return prefixed[0];
  }
  let best: string | null = null;
  let bestDistance = w.length > 4 ? 3 : 2;
  for (const n of NAMES) {
    const d = distance(w, n.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best;
}

/** Edit distance (insert, delete, replace one letter). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
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
