/**
 * MIDI files that try to break the readers: real files (the Drummer's examples and Groove MIDI
 * Dataset performances when ../shared is here, plus files written here) mutated by truncation,
 * bit flips, huge lengths, bogus chunk sizes, running status without a status byte, a missing
 * end-of-track, SMPTE division, 0 ticks per quarter, unknown formats and events far out in
 * time. Every reader must either read the file or throw an Error that names the file and the
 * problem; the dataset tools go on with the other files and count what they skipped.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/prng.js';
import { readMidi } from '../src/io/midi-read.js';
import { writeMidi, type NoteOut } from '../src/io/midi-write.js';
import { buildDrumDataset } from '../src/train/dataset.js';
import { buildEventsDataset } from '../src/train/events-dataset.js';
import { buildMelodyDataset } from '../src/train/melody-dataset.js';
import { haveShared, sharedPath } from './helpers/shared.js';
import { grooveFiles } from './helpers/corpora.js';

const root = mkdtempSync(join(tmpdir(), 'pulse-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function written(i: number): Uint8Array {
  const notes: NoteOut[] = [];
  for (let s = 0; s < 32; s++) {
    if (s % 4 === 0) notes.push({ tick: s * 24, note: 36, velocity: 100, channel: 9, durationTicks: 12 });
    if (s % 2 === 0) notes.push({ tick: s * 24 + i, note: 42, velocity: 70, channel: 9, durationTicks: 12 });
    notes.push({ tick: s * 48, note: 60 + (s % 12), velocity: 80, channel: 0, durationTicks: 40 });
  }
  return writeMidi({ ticksPerQuarter: 96 + i, notes, trackName: 'Drums' });
}

function seeds(): { name: string; bytes: Uint8Array }[] {
  const out = [0, 1, 2].map((i) => ({ name: `written${i}.mid`, bytes: written(i) }));
  if (haveShared('fixtures/rnn-drummer')) {
    for (const f of ['demo.mid', 'pattern1.mid', 'pattern2.mid', 'random.mid']) out.push({ name: f, bytes: new Uint8Array(readFileSync(sharedPath('fixtures/rnn-drummer', f))) });
  }
  if (haveShared('data/groove')) {
    // a spread of performers and styles: every 120th file of the listing
    const all = grooveFiles();
    for (let i = 0; i < all.length; i += 120) out.push({ name: `gmd${i}.mid`, bytes: new Uint8Array(readFileSync(all[i])) });
  }
  return out;
}

/** Offsets of the MTrk chunks. */
function tracks(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 8 + ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]); o + 8 <= b.length; ) {
    out.push(o);
    o += 8 + (((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0);
  }
  return out;
}

const setU32 = (b: Uint8Array, o: number, v: number) => {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
};
const splice = (b: Uint8Array, at: number, remove: number, insert: number[]) => Uint8Array.from([...b.subarray(0, at), ...insert, ...b.subarray(at + remove)]);

/** Mutations, each a function of the file and a random stream; names say what they did. */
const MUTATIONS: Record<string, (b: Uint8Array, r: Rng) => Uint8Array> = {
  truncate: (b, r) => b.slice(0, r.int(b.length)),
  bitflips: (b, r) => {
    const c = b.slice();
    for (let k = 1 + r.int(8); k > 0; k--) c[r.int(c.length)] ^= 1 << r.int(8);
    return c;
  },
  hugeTrackLength: (b, r) => {
    const c = b.slice();
    const t = tracks(c);
    if (t.length) setU32(c, t[r.int(t.length)] + 4, [0x7fffffff, 0xffffffff, c.length * 2][r.int(3)]);
    return c;
  },
  shortTrackLength: (b, r) => {
    const c = b.slice();
    const t = tracks(c);
    if (t.length) setU32(c, t[r.int(t.length)] + 4, r.int(12));
    return c;
  },
  bogusHeaderLength: (b, r) => {
    const c = b.slice();
    setU32(c, 4, [0, 5, 7, 1000, 0xffffffff][r.int(5)]);
    return c;
  },
  runningStatusWithoutStatus: (b, r) => {
    // data bytes (delta 0, then 0x3c 0x40) where the track's first event should have its status
    const t = tracks(b);
    if (!t.length) return b;
    const at = t[r.int(t.length)];
    const c = splice(b, at + 8, 0, [0x00, 0x3c, 0x40]);
    setU32(c, at + 4, ((b[at + 4] << 24) | (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7]) + 3);
    return c;
  },
  noEndOfTrack: (b) => {
    let c = b;
    for (const at of tracks(b).reverse()) {
      const len = (b[at + 4] << 24) | (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7];
      const end = at + 8 + len;
      if (len >= 3 && b[end - 3] === 0xff && b[end - 2] === 0x2f && b[end - 1] === 0x00) {
        c = splice(c, end - 3, 3, []);
        setU32(c, at + 4, len - 3);
      }
    }
    return c;
  },
  hugeVariableLength: (b, r) => {
    // a delta time and a meta event whose length never ends / is enormous
    const t = tracks(b);
    if (!t.length) return b;
    const at = t[r.int(t.length)];
    const junk = r.int(2) ? [0xff, 0xff, 0xff, 0xff, 0x7f, 0x90, 0x3c, 0x40] : [0x00, 0xff, 0x01, 0xff, 0xff, 0xff, 0x7f, 0x41];
    const c = splice(b, at + 8, 0, junk);
    setU32(c, at + 4, ((b[at + 4] << 24) | (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7]) + junk.length);
    return c;
  },
  smpte: (b) => {
    const c = b.slice();
    c[12] = 0xe7; // -25 fps
    c[13] = 40;
    return c;
  },
  format2: (b) => {
    const c = b.slice();
    c[9] = 2;
    return c;
  },
  moreTracksPromised: (b) => {
    const c = b.slice();
    c[11] = (c[11] + 3) & 255;
    return c;
  },
  zeroTicksPerQuarter: (b) => {
    const c = b.slice();
    c[12] = 0;
    c[13] = 0;
    return c;
  },
  unknownFormat: (b, r) => {
    const c = b.slice();
    c[8] = r.int(2) ? 0 : 1 + r.int(255);
    c[9] = 3 + r.int(250);
    return c;
  },
  farEvent: (b, r) => {
    // an empty text event a quarter of a billion ticks in: a few bytes that span years
    const t = tracks(b);
    if (!t.length) return b;
    const at = t[r.int(t.length)];
    const far = [0xff, 0xff, 0xff, 0x7f, 0xff, 0x01, 0x00];
    const c = splice(b, at + 8, 0, far);
    setU32(c, at + 4, ((b[at + 4] << 24) | (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7]) + far.length);
    return c;
  },
  notMidi: (b, r) => Uint8Array.from({ length: r.int(64) }, () => r.int(256)),
};

/** Read `bytes` as `name`: the song, or the Error (anything else thrown fails the test). */
function attempt(bytes: Uint8Array, name: string): { ok: true; notes: number } | { ok: false; message: string } {
  try {
    const s = readMidi(bytes, name);
    for (const n of s.notes) if (!(n.note >= 0 && n.note < 128 && n.durationTicks >= 0 && Number.isFinite(n.tick))) throw new Error(`${name}: bad note ${JSON.stringify(n)}`);
    return { ok: true, notes: s.notes.length };
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`${name}: reader threw a non-Error: ${String(e)}`);
    return { ok: false, message: e.message };
  }
}

describe('mutated MIDI files', () => {
  const base = seeds();
  const rng = new Rng(2026);
  const cases: { name: string; bytes: Uint8Array }[] = [];
  for (const s of base) {
    for (const [m, f] of Object.entries(MUTATIONS)) {
      const reps = m === 'bitflips' || m === 'truncate' ? 60 : 3;
      for (let k = 0; k < reps; k++) cases.push({ name: `${s.name.replace('.mid', '')}-${m}-${k}.mid`, bytes: f(s.bytes, rng) });
    }
  }

  it('are read or refused with an error that names the file and the problem', () => {
    let refused = 0;
    let worstMs = 0;
    const reasons = new Map<string, number>();
    for (const c of cases) {
      const t0 = performance.now();
      const r = attempt(c.bytes, c.name);
      worstMs = Math.max(worstMs, performance.now() - t0);
      if (!r.ok) {
        refused++;
        expect(r.message.startsWith(`${c.name}: `), r.message).toBe(true);
        // a reason of its own after the name, not an internal error's text
        expect(r.message.length).toBeGreaterThan(c.name.length + 12);
        expect(r.message).not.toMatch(/undefined|NaN|\[object/);
        const kind = r.message.slice(c.name.length + 2).replace(/\d+/g, 'N').slice(0, 60);
        reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
      }
    }
    // the mutations must really break files, or this test proves nothing
    expect(refused).toBeGreaterThan(cases.length / 3);
    expect(refused).toBeLessThan(cases.length);
    console.log(`fuzz: ${cases.length} mutated files from ${base.length} real ones; ${refused} refused, ${cases.length - refused} read; slowest ${worstMs.toFixed(1)} ms; kinds of refusal: ${reasons.size}`);
    if (process.env.FUZZ_REASONS) console.log([...reasons].map(([k, n]) => `${n} × ${k}`).join("\n"));
  });

  it('every one of SMPTE, 0 ticks per quarter, format 2 or unknown, missing tracks, a far-out event and non-MIDI is refused with its own reason', () => {
    const b = base[0].bytes;
    expect(attempt(MUTATIONS.smpte(b, rng), 's.mid')).toEqual({ ok: false, message: expect.stringMatching(/^s\.mid: SMPTE time division/) });
    expect(attempt(MUTATIONS.format2(b, rng), 'f.mid')).toEqual({ ok: false, message: expect.stringMatching(/^f\.mid: format 2/) });
    expect(attempt(MUTATIONS.moreTracksPromised(b, rng), 't.mid')).toEqual({ ok: false, message: expect.stringMatching(/^t\.mid: .*promises \d+ track/) });
    expect(attempt(MUTATIONS.zeroTicksPerQuarter(b, rng), 'z.mid')).toEqual({ ok: false, message: expect.stringMatching(/^z\.mid: the header says 0 ticks per quarter note/) });
    expect(attempt(MUTATIONS.unknownFormat(b, rng), 'u.mid')).toEqual({ ok: false, message: expect.stringMatching(/^u\.mid: the header's format is \d+; Standard MIDI Files are format 0, 1 or 2/) });
    expect(attempt(MUTATIONS.farEvent(b, rng), 'l.mid')).toEqual({ ok: false, message: expect.stringMatching(/^l\.mid: [\d,]+ steps long .* more than the 1,000,000 steps a song may span/) });
    expect(attempt(Uint8Array.from([1, 2, 3]), 'n.mid')).toEqual({ ok: false, message: expect.stringMatching(/^n\.mid: .*too short/) });
    expect(attempt(MUTATIONS.hugeTrackLength(b, new Rng(1)), 'h.mid')).toEqual({ ok: false, message: expect.stringMatching(/^h\.mid: .*declares \d+ bytes/) });
  });

  it('the dataset tools go on with the other files and count what they skipped', () => {
    const dir = join(root, 'mixed');
    mkdirSync(dir, { recursive: true });
    const good = [0, 1, 2, 3, 4, 5].map((i) => ({ name: `good${i}.mid`, bytes: written(i) }));
    const bad = cases.filter((c) => !attempt(c.bytes, c.name).ok).slice(0, 150);
    for (const f of [...good, ...bad]) writeFileSync(join(dir, f.name), f.bytes);
    const drums = buildDrumDataset({ dir, seed: 1 });
    const skippedAsUnreadable = drums.summary.skipped.filter((s) => bad.some((b) => b.name === s.file));
    expect(skippedAsUnreadable).toHaveLength(bad.length);
    for (const s of skippedAsUnreadable) expect(s.reason.length).toBeGreaterThan(10);
    expect(drums.summary.used.train + drums.summary.used.validation + drums.summary.used.test).toBe(good.length);
    const melody = buildMelodyDataset({ dir, seed: 1 });
    expect(melody.skipped.filter((s) => bad.some((b) => b.name === s.file))).toHaveLength(bad.length);
    const events = buildEventsDataset({ dir, seed: 1 });
    expect(events.summary.skipped.filter((s) => bad.some((b) => b.name === s.file))).toHaveLength(bad.length);
    console.log(`fuzz: the dataset tools skipped ${bad.length} unreadable files among ${good.length} good ones, each with a reason`);
  });
});
