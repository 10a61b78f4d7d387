/**
 * For the tests of a Max set of several parts: small melodic models written to disk as the
 * trainer writes them (a melody grid, a piano roll of quarter-note chords), and the objects of
 * a patch with one `[v8 pulse-rnn.js]` per part run as Max runs them, each script in its own
 * fake `[v8]` (max-fake.ts), every note that reaches a `[noteout]` logged with its channel.
 *
 * @example
 * const dir = await melodyModel(dirs);             // a folder the script loads
 * const run = new BandRun(patchJson, { 'obj-40': drums, 'obj-70': keys });
 * run.rtin(250); run.rtin(248); run.advance(200);  // start, a clock: every part plays its step
 * run.open();                                      // the notes sounding now, by channel
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { exportLayersModel } from '../../src/train/export.js';
import { PIANO_ROLL_META, pianoRollShape } from '../../src/train/piano-roll.js';
import { RnnModel } from '../../src/train/rnn-model.js';
import type { Atom, MaxHost } from './max-fake.js';
import { messagesOf, nextCount, pipeStore } from './max-patch.js';
import { TempDirs, useCpuBackend } from './tfjs-models.js';

/**
 * What the tests of melodic parts start from, made before they run and removed after: the built
 * script, a melody model and a chord model (read its fields inside the tests).
 */
export function melodicParts(script: string): { code: string; melody: string; chords: string } {
  const dirs = new TempDirs();
  const got = { code: '', melody: '', chords: '' };
  beforeAll(async () => {
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
    Object.assign(got, { code: readFileSync(script, 'utf8'), melody: await melodyModel(dirs), chords: await chordModel(dirs) });
  }, 60000);
  afterAll(() => dirs.cleanup());
  return got;
}

/** A melody-grid model over 60..71 (a step a 16th) whose notes often hold for several steps. */
export async function melodyModel(dirs: TempDirs, seed = 3): Promise<string> {
  await useCpuBackend();
  const vocab = 14;
  const m = new RnnModel({ inputs: [{ name: 'token', vocab, key: 'tok' }, { name: 'position', vocab: 16, key: 'pos' }], heads: [{ name: 'token', vocab, key: '' }], units: 8, layers: 1 }, seed);
  // hold more often than anything else, rest seldom: notes held across steps
  m.setOutputBias(Float32Array.from({ length: vocab }, (_, t) => (t === 1 ? 2.5 : t === 0 ? -2 : 0)));
  const dir = await dirs.make();
  await exportLayersModel(m, { encoding: 'melody-grid', minPitch: 60, maxPitch: 71, stepsPerQuarter: 4, stepsPerBar: 16 }, dir);
  m.dispose();
  return dir;
}

/** A piano-roll model of one frame a quarter (as the JSB chorales are): a few keys around middle C on in most frames. */
export async function chordModel(dirs: TempDirs, seed = 5): Promise<string> {
  await useCpuBackend();
  const m = new RnnModel(pianoRollShape(8, 1), seed);
  const likely = new Set([48, 55, 60, 64, 67]);
  m.setOutputBias(Float32Array.from({ length: 88 }, (_, k) => (likely.has(21 + k) ? 1 : -6)));
  const dir = await dirs.make();
  await exportLayersModel(m, { ...PIANO_ROLL_META, stepsPerQuarter: 1, stepsPerBar: 4 }, dir);
  m.dispose();
  return dir;
}

export interface Box {
  id: string;
  maxclass: string;
  text?: string;
  patching_rect: number[];
  numinlets: number;
  numoutlets: number;
  outlettype?: string[];
}
export interface Line {
  source: [string, number];
  destination: [string, number];
}
export interface BandPatch {
  patcher: { boxes: { box: Box }[]; lines: { patchline: Line }[] };
}
/** A note message that reached a `[noteout]`: velocity 0 is a note-off. */
export interface Sounded {
  note: number;
  velocity: number;
  channel: number;
  time: number;
}

export class BandRun {
  /** Every note-on and note-off that reached a [noteout], in order. */
  readonly sounded: Sounded[] = [];
  /** What each script said on its state outlet, by its box id. */
  readonly states = new Map<string, Atom[][]>();
  now = 0;
  private readonly boxes = new Map<string, Box>();
  private readonly lines: Line[];
  private readonly state = new Map<string, Atom[]>();
  private pending: { at: number; seq: number; run: () => void; box?: string }[] = [];
  private seq = 0;

  constructor(
    patch: BandPatch,
    private readonly hosts: Record<string, MaxHost>,
  ) {
    for (const { box } of patch.patcher.boxes) this.boxes.set(box.id, box);
    this.lines = patch.patcher.lines.map((l) => l.patchline);
    for (const id of Object.keys(hosts)) this.states.set(id, []);
  }

  /** A realtime byte arriving at [rtin] (248 clock, 250 start, 251 continue, 252 stop). */
  rtin(byte: number): void {
    this.out(this.only('rtin'), 0, [byte]);
  }

  /** Click the toggle to `value` (1 on, 0 off). */
  toggle(value: number): void {
    this.out(this.ofClass('toggle')[0], 0, [value]);
  }

  /** The patch opens: [loadbang] bangs. */
  loadbang(): void {
    this.out(this.only('loadbang'), 0, ['bang']);
  }

  /** A bang of the metro, as it sends one every 16th while the transport runs. */
  metroBang(): void {
    this.out(this.only('metro 16n @quantize 16n'), 0, ['bang']);
  }

  /** Send `atoms` to a box's inlet, as a message box or a cord would. */
  send(id: string, inlet: number, atoms: Atom[]): void {
    this.in(id, inlet, atoms);
  }

  /** Send down the cords what the scripts said on their own since their last message (a load that finished). */
  deliver(): void {
    for (const id of Object.keys(this.hosts)) this.said(id);
  }

  /** Let `ms` pass: pipes and makenotes let out what is due, in time order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.pending.splice(this.pending.indexOf(due), 1);
      this.now = due.at;
      due.run();
    }
    this.now = end;
  }

  /** The notes sounding now, as `channel:note`: every note-on not yet followed by its note-off. */
  open(): string[] {
    const on = new Map<string, number>();
    for (const s of this.sounded) {
      const k = `${s.channel}:${s.note}`;
      on.set(k, s.velocity > 0 ? (on.get(k) ?? 0) + 1 : 0);
    }
    return [...on].filter(([, n]) => n > 0).map(([k]) => k);
  }

  /** The box whose text is exactly `text`. */
  only(text: string): string {
    const b = [...this.boxes.values()].filter((x) => x.text === text);
    if (b.length !== 1) throw new Error(`${b.length} boxes [${text}] in the patch, not one`);
    return b[0].id;
  }

  private ofClass(maxclass: string): string[] {
    return [...this.boxes.values()].filter((b) => b.maxclass === maxclass).map((b) => b.id);
  }

  private later(ms: number, run: () => void): void {
    this.pending.push({ at: this.now + ms, seq: this.seq++, run });
  }

  /** Send `msg` out of `id`'s `outlet`: to each inlet patched to it, the rightmost box first, as Max orders a fan-out. */
  private out(id: string, outlet: number, msg: Atom[]): void {
    const to = this.lines.filter((l) => l.source[0] === id && l.source[1] === outlet).sort((a, b) => this.boxes.get(b.destination[0])!.patching_rect[0] - this.boxes.get(a.destination[0])!.patching_rect[0]);
    for (const l of to) this.in(l.destination[0], l.destination[1], msg);
  }

  private in(id: string, inlet: number, msg: Atom[]): void {
    const box = this.boxes.get(id)!;
    if (box.maxclass === 'message') return inlet === 0 ? this.message(id, box.text ?? '', msg) : undefined;
    if (box.maxclass === 'toggle') return this.out(id, 0, [msg[0] === 'bang' ? 1 : msg[0]]);
    if (box.maxclass !== 'newobj') return;
    const [name, ...args] = (box.text ?? '').split(/\s+/);
    const cold = (i: number, d: number) => Number((this.state.get(`${id}:${i}`) ?? [args[i - 1] ?? d])[0]);
    switch (name) {
      case 'select':
      case 'sel': {
        if (inlet !== 0) return;
        const i = args.findIndex((a) => Number(a) === msg[0]);
        return i >= 0 ? this.out(id, i, ['bang']) : this.out(id, args.length, msg);
      }
      case 'counter':
        if (inlet === 0) return this.counter(id, args);
        if (inlet === 2) this.state.set(id, [Number(msg[0]) - 1]);
        return;
      case 't':
      case 'trigger':
        for (let i = args.length - 1; i >= 0; i--) this.out(id, i, args[i] === 'b' ? ['bang'] : [msg[0]]);
        return;
      case 'v8':
        return this.v8(id, msg);
      case 'unpack':
        for (let i = Math.min(msg.length, args.length) - 1; i >= 0; i--) this.out(id, i, [msg[i]]);
        return;
      case 'pipe':
        return this.pipe(id, inlet, msg, args.length);
      case '!=':
      case '+':
        if (inlet === 1) return void this.state.set(`${id}:1`, msg);
        return this.out(id, 0, [name === '+' ? Number(msg[0]) + cold(1, 0) : Number(Number(msg[0]) !== cold(1, 0))]);
      case 'gate':
        if (inlet === 0) return void this.state.set(`${id}:0`, msg);
        {
          const open = Number((this.state.get(`${id}:0`) ?? [0])[0]);
          if (open > 0) this.out(id, open - 1, msg);
        }
        return;
      case 'makenote':
        return this.makenote(id, inlet, msg, cold);
      case 'noteout':
        if (inlet === 1) return void this.state.set(`${id}:1`, msg);
        if (inlet === 0) this.sounded.push({ note: Number(msg[0]), velocity: cold(1, 0), channel: Number(args[0] ?? 1), time: this.now });
        return;
      default:
        return; // metro, transport, loadbang: not driven here
    }
  }

  /** The script of a [v8] box: the message, then what it said, out of its outlets. */
  private v8(id: string, msg: Atom[]): void {
    const host = this.hosts[id];
    if (!host) throw new Error(`no script given for [${this.boxes.get(id)!.text}] (${id})`);
    host.send(String(msg[0]), ...msg.slice(1));
    this.said(id);
  }

  /** What the script of box `id` has said, out of its outlets. */
  private said(id: string): void {
    for (const o of this.hosts[id].out.splice(0)) {
      if (o.outlet === 1) this.states.get(id)!.push(o.atoms);
      this.out(id, o.outlet, o.atoms);
    }
  }

  /** [makenote]: velocity and duration stored; a pitch sends the note, and its note-off after the duration. */
  private makenote(id: string, inlet: number, msg: Atom[], cold: (i: number, d: number) => number): void {
    if (inlet > 0) return void this.state.set(`${id}:${inlet}`, msg);
    const pitch = msg[0];
    const velocity = cold(1, 100);
    this.out(id, 1, [velocity]);
    this.out(id, 0, [pitch]);
    if (velocity > 0)
      this.later(cold(2, 100), () => {
        this.out(id, 1, [0]);
        this.out(id, 0, [pitch]);
      });
  }

  /** A message box: each comma-separated part a message, `$1` the value that came in. */
  private message(id: string, text: string, msg: Atom[]): void {
    for (const atoms of messagesOf(text, msg[0])) this.out(id, 0, atoms);
  }

  private counter(id: string, args: string[]): void {
    const next = nextCount(this.state.get(id)?.[0] as number | undefined, args);
    this.state.set(id, [next]);
    this.out(id, 0, [next]);
  }

  /** The pipe: cold inlets store, the last one is the delay; the hot one schedules them all, `clear` forgets them. */
  private pipe(id: string, inlet: number, msg: Atom[], nargs: number): void {
    if (msg[0] === 'clear') {
      this.pending = this.pending.filter((p) => p.box !== id);
      return;
    }
    const stored = pipeStore(this.state, id, inlet, msg[0], nargs);
    if (inlet !== 0) return;
    const values = stored.slice(0, nargs - 1);
    const entry = { at: this.now + Number(stored[nargs - 1]), seq: this.seq++, box: id, run: () => values.map((v, i) => [v, i] as const).reverse().forEach(([v, i]) => this.out(id, i, [v])) };
    this.pending.push(entry);
  }
}
