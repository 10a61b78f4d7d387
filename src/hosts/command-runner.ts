/**
 * How a live session's commands run: each checks its arguments and either prints the line it
 * returns or reports its problem as one line `name: problem` (kept in `lastError`); nothing is
 * thrown past it, so a typo never stops the music. A command that worked is told to every
 * watcher (a page watching the performance, `live-socket.ts`); a watcher that throws is
 * reported and the music goes on. LiveSession is one.
 *
 * @example
 * class Session extends CommandRunner {
 *   hello = (...extra: unknown[]): void => this.command('hello', extra, () => 'hello');
 * }
 * new Session().hello(1);   // prints 'hello: too many arguments (1); usage: hello()'
 */
import type { StepResult } from '../music/generator.js';
import type { StepEvent } from '../time/clock.js';
import { CommandError, errorText, show, usageOf } from './prompt-commands.js';

/** What a remote view hears of a session (`watch`). */
export interface SessionWatcher {
  /** A step was handed out and its notes sent; `r` is reused by the next step: copy what you keep. `part`: whose step (the first part's when left out). */
  step?(r: StepResult, e: StepEvent, part?: string): void;
  /** A command worked (`name`: the control's or the session's command; `part`: the part it steered, null for the first part or the whole performance). */
  change?(name: string, part?: string | null): void;
}

/** Whose command runs: its lines start with `prefix` (a part's name), and watchers hear which part it steered. */
export interface CommandScope {
  readonly prefix: string;
  readonly part: string | null;
}

export class CommandRunner {
  /** Where messages go; a REPL replaces it to keep its prompt intact. */
  printer: (text: string) => void = (text) => console.log(text);
  /** The last problem a command reported (null when the last command worked). */
  lastError: string | null = null;

  protected readonly watchers = new Set<SessionWatcher>();
  /** The part the command running now steers (`keys.temperature(1.2)`). */
  protected scope: CommandScope = { prefix: '', part: null };

  /**
   * Hear every step handed out and every command that worked, as a page watching the
   * performance does (`live-socket.ts`); returns the function that stops it. A watcher that
   * throws is reported and the music goes on.
   */
  watch(w: SessionWatcher): () => void {
    this.watchers.add(w);
    return () => void this.watchers.delete(w);
  }

  protected command(name: string, extra: unknown[], run: () => string): void {
    try {
      if (extra.length) throw new CommandError(`too many arguments (${extra.map(show).join(', ')}); usage: ${usageOf(name)}`);
      this.worked(name, run());
    } catch (e) {
      this.report(name, errorText(e));
    }
  }

  protected async commandAsync(name: string, extra: unknown[], run: () => Promise<string>): Promise<void> {
    // the part is the one the command was typed for, whatever runs while it waits
    const scope = this.scope;
    try {
      if (extra.length) throw new CommandError(`too many arguments (${extra.map(show).join(', ')}); usage: ${usageOf(name)}`);
      const said = await run();
      this.worked(name, said, scope);
    } catch (e) {
      this.report(name, errorText(e), scope);
    }
  }

  protected report(name: string, message: string, scope = this.scope): void {
    // the generator's own messages often start with the control's name already
    const text = `${scope.prefix}${name}: ${message.replace(new RegExp(`^${name}: `, 'i'), '')}`;
    this.lastError = text;
    this.printer(text);
  }

  private worked(name: string, said: string, scope = this.scope): void {
    this.lastError = null;
    this.printer(`${scope.prefix}${said}`);
    for (const w of this.watchers) safely(() => w.change?.(name, scope.part), this.printer);
  }
}

/** Runs `run`, printing what it throws as an output's problem. */
export function safely(run: () => void, print: (text: string) => void): void {
  try {
    run();
  } catch (e) {
    print(`output: ${errorText(e)}`);
  }
}
