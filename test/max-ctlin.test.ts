// The Max patch's controller section: each [ctlin] is followed through the patch's own boxes
// ([scale], [round], [> 63], [change], [sel], [counter], message boxes) as Max runs them, for a
// knob swept from 0 to 127 and for pads pressed, and what reaches the script's inlet is sent to
// the built script in the fake [v8]: only messages it knows, with values the control table
// allows, landing on each control's range ends and steps. The README documents each CC.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxControl, parseAtoms } from '../src/hosts/max-messages.js';
import { isNumberArg, valueArg, type ControlName } from '../src/music/controls.js';
import { MaxHost, type Atom } from './helpers/max-fake.js';
import { ROOT } from './helpers/shared.js';

const PATCH = join(ROOT, 'patches/max/pulse-rnn.maxpat');
const SCRIPT = join(ROOT, 'patches/max/pulse-rnn.js');

interface Box {
  id: string;
  maxclass: string;
  text?: string;
}
interface Line {
  source: [string, number];
  destination: [string, number];
}
const patch = JSON.parse(readFileSync(PATCH, 'utf8')) as { patcher: { boxes: { box: Box }[]; lines: { patchline: Line }[] } };
const boxes = new Map(patch.patcher.boxes.map(({ box }) => [box.id, box]));
const lines = patch.patcher.lines.map((l) => l.patchline);
const v8 = [...boxes.values()].find((b) => /^v8\s/.test(b.text ?? ''))!;
const ctlins = [...boxes.values()].filter((b) => /^ctlin\s/.test(b.text ?? ''));

/**
 * The boxes below a [ctlin], run as Max runs them: a value in, the messages that reach the
 * script's left inlet out. Each box keeps its own state ([change]'s last value, [counter]'s
 * count) from one value to the next, as in Max.
 */
class Chain {
  readonly state = new Map<string, number>();
  readonly reached: Atom[][] = [];

  send(id: string, outlet: number, msg: Atom[]): void {
    for (const l of lines.filter((x) => x.source[0] === id && x.source[1] === outlet)) this.into(l.destination[0], l.destination[1], msg);
  }

  private into(id: string, inlet: number, msg: Atom[]): void {
    const box = boxes.get(id)!;
    if (box === v8) return void (inlet === 0 && this.reached.push(msg));
    if (box.maxclass === 'message') return this.send(id, 0, (box.text ?? '').split(/\s+/).map((a) => (a === '$1' ? msg[0] : a)));
    const [name, ...args] = (box.text ?? '').split(/\s+/);
    const v = Number(msg[0]);
    const a = args.map(Number);
    if (inlet !== 0) throw new Error(`${box.text}: only the left inlet is used here`);
    switch (name) {
      case 'scale':
        return this.send(id, 0, [a[2] + ((v - a[0]) * (a[3] - a[2])) / (a[1] - a[0])]);
      case 'round':
        return this.send(id, 0, [Math.round(v / a[0]) * a[0]]);
      case '>':
        return this.send(id, 0, [v > a[0] ? 1 : 0]);
      case 'change':
        if (this.state.get(id) === v) return;
        this.state.set(id, v);
        return this.send(id, 0, [v]);
      case 'sel':
      case 'select': {
        const i = a.indexOf(v);
        return this.send(id, i >= 0 ? i : a.length, i >= 0 ? ['bang'] : [v]);
      }
      case 'counter': {
        const last = this.state.get(id);
        const next = last === undefined || last >= a[1] ? a[0] : last + 1;
        this.state.set(id, next);
        return this.send(id, 0, [next]);
      }
      default:
        throw new Error(`[${box.text}] is not an object this test runs`);
    }
  }
}

/** A CC value arriving at a [ctlin]: the messages the script gets. */
function turn(chain: Chain, ctlin: Box, value: number): Atom[][] {
  const before = chain.reached.length;
  chain.send(ctlin.id, 0, [value]);
  return chain.reached.slice(before);
}

const ccOf = (b: Box) => Number((b.text ?? '').split(/\s+/)[1]);

let code = '';
beforeAll(() => {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run npm run build`);
  code = readFileSync(SCRIPT, 'utf8');
});

describe('the Max patch: a MIDI controller through [ctlin]', () => {
  it('has knobs for the value controls and pads, each reaching the script', () => {
    expect(ctlins.length).toBeGreaterThanOrEqual(6);
    for (const c of ctlins) expect(c.text, c.id).toMatch(/^ctlin \d+ \d+$/);
    expect(new Set(ctlins.map(ccOf)).size).toBe(ctlins.length);
  });

  it("a knob swept 0 → 127 sends its control from one end of the table's range to the other, on its steps; the script takes every value", async () => {
    const knobs = ctlins.filter((c) => turn(new Chain(), c, 64).some((m) => typeof m[1] === 'number'));
    expect(knobs.map((k) => turn(new Chain(), k, 0)[0][0]).sort()).toEqual(['density', 'dynamics', 'temperature', 'timing']);
    const host = new MaxHost(code);
    await host.load(join(ROOT, 'weights/drums-gmd'));
    for (const knob of knobs) {
      const chain = new Chain();
      const sent = Array.from({ length: 128 }, (_, v) => turn(chain, knob, v)).flat();
      const name = String(sent[0][0]) as ControlName;
      const a = valueArg(name);
      expect(sent, name).toHaveLength(128);
      const values = sent.map((m) => m[1] as number);
      expect([values[0], values[127]], name).toEqual([a.min, a.max]);
      for (const v of values) expect(Math.abs(v / a.step - Math.round(v / a.step)), `${name} ${v}`).toBeLessThan(1e-9);
      // a bang after the first value and after the last: the script reports each as it applies
      sent.forEach((m, i) => {
        expect(() => parseAtoms(maxControl(String(m[0]))!, m.slice(1)), `${m.join(' ')}`).not.toThrow();
        host.send(String(m[0]), ...m.slice(1));
        if (i === 0 || i === 127) host.bang();
      });
      expect(host.errors, name).toEqual([]);
      expect(host.state.filter((s) => s[0] === name.toLowerCase()), name).toEqual([[name.toLowerCase(), a.min], [name.toLowerCase(), a.max]]);
    }
  }, 60_000);

  it('a pad sends its message once a press (a CC rising above 63): reseed, and mute then unmute', async () => {
    const pads = ctlins.filter((c) => turn(new Chain(), c, 127).every((m) => m.length === 1));
    expect(pads.length).toBe(2);
    const presses = (pad: Box) => {
      const chain = new Chain();
      return [127, 127, 0, 100, 50, 0, 64].map((v) => turn(chain, pad, v).map((m) => m.join(' ')));
    };
    const all = pads.map(presses);
    expect(all).toContainEqual([['reseed'], [], [], ['reseed'], [], [], ['reseed']]);
    expect(all).toContainEqual([['mute'], [], [], ['unmute'], [], [], ['mute']]);
    const host = new MaxHost(code);
    await host.load(join(ROOT, 'weights/drums-gmd'));
    for (const m of all.flat(2)) {
      expect(maxControl(m), m).toBeDefined();
      expect(maxControl(m)!.args.every((x) => x.optional || !isNumberArg(x))).toBe(true);
      host.send(m);
      host.bang();
    }
    expect(host.errors).toEqual([]);
    expect(host.state.filter((s) => s[0] === 'muted').map((s) => s[1])).toEqual([1, 0, 1]);
  }, 60_000);

  it("the README names every [ctlin]'s CC and what it drives", () => {
    const readme = readFileSync(join(ROOT, 'patches/max/README.md'), 'utf8');
    for (const c of ctlins) {
      const what = turn(new Chain(), c, 127)[0][0];
      expect(readme, `${c.text}`).toMatch(new RegExp(`\\|\\s*${ccOf(c)}\\s*\\|[^\\n]*\`${what}`));
    }
  });
});
