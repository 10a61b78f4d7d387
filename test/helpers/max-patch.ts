/**
 * The objects of `patches/max/pulse-rnn.maxpat` run as Max runs them, on a clock of our own,
 * with the built script in the fake `[v8]` (max-fake.ts): messages follow the patchlines, an
 * outlet feeding several inlets serves the rightmost box first, `unpack` sends right to left,
 * `[pipe]`'s left inlet is hot (the others store, the last is the delay in ms) and `clear`
 * forgets what it holds, `[makenote]` passes its note on. What reaches `[noteout]` is logged with
 * its time. Objects the tests do not drive (metro, transport, counter's carry) do nothing.
 *
 * @example
 * const patch = new PatchRun(json, host);
 * patch.rtin(250); patch.rtin(248);  // MIDI start, a clock: step 0 plays into the pipe
 * patch.advance(200);                 // the pipe lets its notes out
 * patch.played;                       // [{ note: 36, velocity: 100, time: 62.5 }, …]
 * patch.rtin(252);                    // stop: the pipe forgets what it holds
 */
import type { Atom, MaxHost } from './max-fake.js';

interface Box {
  id: string;
  maxclass: string;
  text?: string;
  patching_rect: number[];
}
interface Line {
  source: [string, number];
  destination: [string, number];
}
type Message = Atom[]; // a selector ('bang', 'clear', …) or numbers; lists are numbers

export class PatchRun {
  /** Note-ons (velocity > 0) that reached [noteout], with the time they did. */
  readonly played: { note: number; velocity: number; time: number }[] = [];
  /** Milliseconds on the patch's clock. */
  now = 0;
  private readonly boxes = new Map<string, Box>();
  private readonly lines: Line[];
  private readonly state = new Map<string, Atom[]>();
  private pending: { at: number; box: string; values: Atom[] }[] = [];

  constructor(
    patch: { patcher: { boxes: { box: Box }[]; lines: { patchline: Line }[] } },
    private readonly host: MaxHost,
  ) {
    for (const { box } of patch.patcher.boxes) this.boxes.set(box.id, box);
    this.lines = patch.patcher.lines.map((l) => l.patchline);
  }

  /** A realtime byte arriving at [rtin] (248 clock, 250 start, 251 continue, 252 stop). */
  rtin(byte: number): void {
    this.out(this.find('rtin'), 0, [byte]);
  }

  /** Click the toggle to `value` (1 on, 0 off). */
  toggle(value: number): void {
    this.out(this.boxesOf('toggle')[0], 0, [value]);
  }

  /** A bang into the script, as the metro sends one every 16th. */
  metroBang(): void {
    this.in(this.boxesOf('newobj').find((id) => /^v8\s/.test(this.boxes.get(id)!.text ?? ''))!, 0, ['bang']);
  }

  /** Notes waiting in the pipe. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Let `ms` pass: the pipe lets out what is due, in time order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.pending.splice(this.pending.indexOf(due), 1);
      this.now = due.at;
      // the pipe's outlets fire right to left
      for (let i = due.values.length - 1; i >= 0; i--) this.out(due.box, i, [due.values[i]]);
    }
    this.now = end;
  }

  private find(text: string): string {
    const b = [...this.boxes.values()].find((x) => x.text === text);
    if (!b) throw new Error(`no [${text}] in the patch`);
    return b.id;
  }

  private boxesOf(maxclass: string): string[] {
    return [...this.boxes.values()].filter((b) => b.maxclass === maxclass).map((b) => b.id);
  }

  /** Send `msg` out of `id`'s `outlet`: to each inlet it is patched to, rightmost box first. */
  private out(id: string, outlet: number, msg: Message): void {
    const to = this.lines.filter((l) => l.source[0] === id && l.source[1] === outlet).sort((a, b) => this.boxes.get(b.destination[0])!.patching_rect[0] - this.boxes.get(a.destination[0])!.patching_rect[0]);
    for (const l of to) this.in(l.destination[0], l.destination[1], msg);
  }

  private in(id: string, inlet: number, msg: Message): void {
    const box = this.boxes.get(id)!;
    if (box.maxclass === 'message') return this.message(id, box.text ?? '', msg);
    if (box.maxclass === 'toggle') return this.out(id, 0, [msg[0] === 'bang' ? 1 : msg[0]]);
    const [name, ...args] = (box.text ?? '').split(/\s+/);
    switch (name) {
      case 'select':
      case 'sel': {
        const i = args.findIndex((a) => Number(a) === msg[0]);
        return i >= 0 ? this.out(id, i, ['bang']) : this.out(id, args.length, msg);
      }
      case 'counter':
        if (inlet === 0) this.counter(id, args);
        else this.state.set(id, [Number(msg[0]) - 1]);
        return;
      case 'v8':
        this.host.send(String(msg[0]), ...msg.slice(1));
        for (const o of this.host.out.splice(0)) this.out(id, o.outlet, o.atoms);
        return;
      case 'unpack':
        for (let i = Math.min(msg.length, args.length) - 1; i >= 0; i--) this.out(id, i, [msg[i]]);
        return;
      case 'pipe':
        return this.pipe(id, inlet, msg, args.length);
      case 'makenote':
        // velocity and duration arrive first (right to left); the pitch plays the note
        if (inlet > 0) {
          this.state.set(`${id}:${inlet}`, msg);
          return;
        }
        this.out(id, 1, this.state.get(`${id}:1`) ?? [Number(args[0])]);
        return this.out(id, 0, msg);
      case 'noteout':
        if (inlet === 1) this.state.set(`${id}:velocity`, msg);
        else if (inlet === 0) {
          const velocity = Number((this.state.get(`${id}:velocity`) ?? [0])[0]);
          if (velocity > 0) this.played.push({ note: Number(msg[0]), velocity, time: this.now });
        }
        return;
      default:
        return; // metro, transport, loadbang: not driven here
    }
  }

  /** A message box: its text, each comma-separated part a message (bang just sends it). */
  private message(id: string, text: string, msg: Message): void {
    for (const atoms of messagesOf(text, msg[0])) this.out(id, 0, atoms);
  }

  /** counter 0 5: counts 0..5 round and round, from the count its third inlet set. */
  private counter(id: string, args: string[]): void {
    const next = nextCount(this.state.get(id)?.[0] as number | undefined, args);
    this.state.set(id, [next]);
    this.out(id, 0, [next]);
  }

  /** The pipe: cold inlets store, the last one is the delay; the hot one schedules them all. */
  private pipe(id: string, inlet: number, msg: Message, nargs: number): void {
    if (msg[0] === 'clear') {
      this.pending = this.pending.filter((p) => p.box !== id);
      return;
    }
    const stored = pipeStore(this.state, id, inlet, msg[0], nargs);
    if (inlet === 0) this.pending.push({ at: this.now + Number(stored[nargs - 1]), box: id, values: stored.slice(0, nargs - 1) });
  }
}

/** An atom as a message box holds it: numbers as numbers, a quoted symbol ("+4") without its quotes. */
const atomOf = (a: string): Atom => (/^".*"$/.test(a) ? a.slice(1, -1) : Number.isNaN(Number(a)) ? a : Number(a));

/** The messages a message box's text sends: each comma-separated part, `$1` the value that came in. */
export function messagesOf(text: string, value: Atom | undefined): Atom[][] {
  return text
    .split(',')
    .map((part) => part.trim().split(/\s+/).filter(Boolean).map((a) => (a === '$1' ? (value as Atom) : atomOf(a))))
    .filter((atoms) => atoms.length > 0);
}

/** What [counter min max] counts after `last` (none yet: min): min..max round and round. */
export function nextCount(last: number | undefined, args: readonly string[]): number {
  const [min, max] = args.map(Number);
  return last === undefined || last >= max ? min : last + 1;
}

/** [pipe]'s values (kept in `state` under its id) once `value` reaches `inlet`: cold inlets store, the last one is the delay. */
export function pipeStore(state: Map<string, Atom[]>, id: string, inlet: number, value: Atom, nargs: number): Atom[] {
  const stored = state.get(id) ?? new Array<Atom>(nargs).fill(0);
  stored[inlet] = value;
  state.set(id, stored);
  return stored;
}
