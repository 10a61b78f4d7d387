/**
 * `pulse-rnn …` run at a terminal, as a performer runs it: `script` gives it one, so the prompt
 * opens. `said(re, from)` waits for the output (from index `from`) to match, and fails naming the
 * tail of the output if the command ends first.
 *
 * @example
 * const run = atTerminal(['start', '--port', '0']);
 * const url = (await run.said(/the web page: (\S+)/))[1];
 * run.child.stdin.write('quit()\n');
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const haveScript = existsSync('/usr/bin/script');

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TerminalRun {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far. */
  out(): string;
  said(re: RegExp, from?: number): Promise<RegExpExecArray>;
  /** The exit code, or the signal that ended it. */
  exit: Promise<number | string | null>;
}

/** The command line `args` (after `pulse-rnn`) at a terminal. */
export function atTerminal(args: readonly string[]): TerminalRun {
  const line = [process.execPath, '--import', 'tsx', resolve('src/hosts/cli.ts'), ...args];
  const child = spawn('script', ['-qfec', line.map(quote).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'dumb' } });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  const exit = new Promise<number | string | null>((ok) => child.on('exit', (code, signal) => ok(code ?? signal)));
  const said = (re: RegExp, from = 0) =>
    new Promise<RegExpExecArray>((ok, fail) => {
      const look = () => {
        const m = re.exec(out.slice(from));
        if (m) ok(m);
        return m;
      };
      if (!look()) child.stdout.on('data', look);
      void exit.then((c) => fail(new Error(`pulse-rnn ${args[0]} ended (${c}) before printing ${re}: ${out.slice(-600)}`)));
    });
  return { child, out: () => out, said, exit };
}
