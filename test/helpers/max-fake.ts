/**
 * A fake of what Max's `[v8]` offers a script (inlets, outlets, outlet, post, error,
 * messagename, jsarguments, inlet, arrayfromargs, assist setters, Task, File, max, and the
 * script object's `patcher`), running the built `patches/max/pulse-rnn.js` in a `vm` context
 * with nothing of Node's. Messages are sent as Max dispatches them: to the global function of
 * that name, else to `anything`. Its File reads the real disk, as Max's does.
 *
 * @example
 * const host = new MaxHost(code, { patchFile: PATCH });
 * await host.load('../../weights/drums-gmd');
 * host.send('seed', 7); host.bang(); // [[36, 100, 125], …]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import vm from 'node:vm';

export type Atom = number | string;

/** Max's File, read-only, over the real disk. Like Max, it opens in the constructor and says so in `isopen`. */
export class MaxFile {
  isopen = false;
  eof = 0;
  position = 0;
  filename = '';
  foldername = '';
  private bytes: Buffer | null = null;

  constructor(name: string, access = 'read') {
    // no Max search path here: only absolute paths open, so the script must resolve its own
    if (access !== 'read' || !isAbsolute(name) || !existsSync(name)) return;
    try {
      this.bytes = readFileSync(name);
    } catch {
      return; // a folder, or unreadable
    }
    this.isopen = true;
    this.eof = this.bytes.length;
    this.filename = name.slice(name.lastIndexOf('/') + 1);
    this.foldername = dirname(name);
  }

  /** A plain array of numbers, as Max returns, at most `count` long. */
  readbytes(count: number): number[] | null {
    if (!this.bytes) throw new Error('File.readbytes on a closed file');
    if (this.position >= this.eof) return null;
    const end = Math.min(this.eof, this.position + count);
    const out: number[] = new Array(end - this.position);
    for (let i = 0; i < out.length; i++) out[i] = this.bytes[this.position + i];
    this.position = end;
    return out;
  }

  readstring(count: number): string | null {
    if (!this.bytes) throw new Error('File.readstring on a closed file');
    if (this.position >= this.eof) return null;
    const end = Math.min(this.eof, this.position + count);
    const out = this.bytes.toString('utf8', this.position, end);
    this.position = end;
    return out;
  }

  close(): void {
    this.isopen = false;
    this.bytes = null;
  }
}

interface Scheduled {
  delay: number;
  run: () => void;
}

/** The script running in a context that has Max's globals and nothing of Node's. */
export class MaxHost {
  readonly ctx: Record<string, any>;
  /** Every outlet call, flattened one level as Max does with arrays. */
  readonly out: { outlet: number; atoms: Atom[] }[] = [];
  readonly posts: string[] = [];
  readonly errors: string[] = [];
  readonly assist: string[] = [];
  readonly tasks: Scheduled[] = [];

  constructor(code: string, opts: { patchFile?: string } = {}) {
    const host = this;
    class Task {
      constructor(private readonly fn: (...a: unknown[]) => void, private readonly owner?: unknown, private readonly args: unknown[] = []) {}
      schedule(delay = 0): void {
        host.tasks.push({ delay, run: () => this.fn.apply(this.owner, this.args) });
      }
    }
    this.ctx = vm.createContext({
      inlets: 1,
      outlets: 1,
      inlet: 0,
      messagename: '',
      jsarguments: ['pulse-rnn.js'],
      outlet: (n: number, ...atoms: unknown[]) => host.out.push({ outlet: n, atoms: atoms.flatMap((a) => (Array.isArray(a) ? [...a] : [a])) as Atom[] }),
      post: (...a: unknown[]) => host.posts.push(a.join(' ')),
      error: (...a: unknown[]) => host.errors.push(a.join(' ')),
      arrayfromargs: (args: ArrayLike<unknown>) => Array.prototype.slice.call(args),
      setinletassist: (i: number, text: string) => host.assist.push(`in ${i}: ${text}`),
      setoutletassist: (i: number, text: string) => host.assist.push(`out ${i}: ${text}`),
      Task,
      File: MaxFile,
      max: { time: 0 },
      ...(opts.patchFile ? { patcher: { filepath: opts.patchFile } } : {}),
    });
    vm.runInContext(code, this.ctx, { filename: 'pulse-rnn.js' });
  }

  /** Send a message to inlet 0 as Max dispatches it. */
  send(name: string, ...args: Atom[]): void {
    this.ctx.inlet = 0;
    this.ctx.messagename = name;
    const fn = this.ctx[name];
    if (typeof fn === 'function') fn(...args);
    else this.ctx.anything(...args);
  }

  /** Send a bang and return the note lists it played. */
  bang(): Atom[][] {
    const from = this.out.length;
    this.send('bang');
    return this.out.slice(from).filter((o) => o.outlet === 0).map((o) => o.atoms);
  }

  get state(): Atom[][] {
    return this.out.filter((o) => o.outlet === 1).map((o) => o.atoms);
  }

  /** Wait until a load reports back (loaded or error); returns what it said. */
  async settle(): Promise<Atom[]> {
    const from = this.state.length;
    for (let i = 0; i < 2000; i++) {
      const said = this.state.slice(from).find((s) => s[0] === 'loaded' || s[0] === 'error');
      if (said) return said;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error('the script never reported on its load');
  }

  async load(path = '../../weights/drums-gmd'): Promise<void> {
    this.send('load', path);
    const said = await this.settle();
    if (said[0] !== 'loaded') throw new Error(`load failed: ${said.join(' ')}`);
  }
}

