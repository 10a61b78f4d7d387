/**
 * A live session's prompt driven line by line, as a performer types: `type` writes a line and
 * answers what the prompt printed before it asked again (or waited for the rest of a line).
 *
 * @example
 * const { type } = typedPrompt(session);
 * session.start();
 * expect(await type('topp(0.9)')).toMatch(/did you mean topP/);
 */
import { PassThrough } from 'node:stream';
import type { REPLServer } from 'node:repl';
import type { LiveSession } from '../../src/hosts/live-session.js';
import { startRepl } from '../../src/hosts/repl.js';

export function typedPrompt(s: LiveSession): { type(line: string): Promise<string>; server: REPLServer } {
  const input = new PassThrough();
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += String(d)));
  const server = startRepl(s, { input, output: out, terminal: false, prompt: '> ' });
  const type = async (line: string): Promise<string> => {
    const from = text.length;
    input.write(`${line}\n`);
    // the prompt again, or the one that waits for the rest of an unfinished line
    while (!/(^|\n)(> |\.\.\. )$/.test(text.slice(from))) await new Promise((r) => setTimeout(r, 5));
    return text.slice(from).replace(/(> |\.\.\. )$/, '').trim();
  };
  return { type, server };
}
