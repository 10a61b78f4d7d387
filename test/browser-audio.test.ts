// The RNBO and Tone.js sinks in headless Chromium, rendered in OfflineAudioContexts at 48 kHz:
// notes must start on their sample (first sample above 1e-3 after silence, ±3 ms), held notes
// must end at allNotesOff, and notes called off before they start must not sound.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedPlan, KitCalls, Onset, PlannedNote, Render, RnboPlan, TonePlan } from './helpers/audio-page.js';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { ROOT, haveShared, sharedPath } from './helpers/shared.js';
import { loadModelSpec } from '../src/io/model-files.js';
import { Generator } from '../src/music/generator.js';
import { Player } from '../src/time/player.js';
import type { Clock, StepEvent } from '../src/time/clock.js';
import { GM_KIT, ToneKit } from '../src/io/tone-kit.js';
import { pageBundle } from './helpers/page-bundle.js';

const PAFFER = 'fixtures/rnbo/paffer/paffer.rnbopat.export.json';
const RNBO_JS = createRequire(import.meta.url).resolve('@rnbo/js'); // dist/rnbo.webaudio.js: UMD, defines the global RNBO
const TOLERANCE_MS = 3;

const ENTRY = `
import { renderRnbo, renderTone, tryLoad, renderGenerated, scheduleTone } from './test/helpers/audio-page.ts';
globalThis.pulseAudio = { renderRnbo, renderTone, tryLoad, renderGenerated, scheduleTone };
`;

const haveBrowser = haveChromium();
const haveFixture = haveShared(PAFFER);

let browser: Browser;
let server: Server;
let base = '';
let bundle = '';
const consoleLines: string[] = [];

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()} ${m.location().url}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  // served from 127.0.0.1: a secure context, which AudioWorklet needs
  await page.goto(`${base}/`);
  await page.addScriptTag({ content: bundle });
  return page;
}

type PageApi = {
  renderRnbo(p: RnboPlan): Promise<Render>;
  renderTone(p: TonePlan): Promise<Render & { kit: KitCalls }>;
  tryLoad(url: string): Promise<{ error?: string; warnings?: string[] }>;
  renderGenerated(p: GeneratedPlan): Promise<Render & { scheduled: PlannedNote[] }>;
  scheduleTone(p: TonePlan): Promise<{ kit: KitCalls; clockMs: number }>;
};
const call = <K extends keyof PageApi>(page: Page, name: K, arg: Parameters<PageApi[K]>[0]) =>
  page.evaluate(([n, a]) => ((globalThis as unknown as { pulseAudio: Record<string, (x: unknown) => unknown> }).pulseAudio[n as string](a)), [name, arg] as const) as ReturnType<PageApi[K]>;

function report(label: string, onsets: readonly Onset[]): void {
  const errs = onsets.map((o) => `${o.note}@${o.time}s: ${o.errorMs.toFixed(3)} ms`);
  console.info(`${label} onset errors: ${errs.join(', ')}`);
}

function expectOnTime(onsets: readonly Onset[]): void {
  for (const o of onsets) {
    expect(o.peakBefore, `silence before note ${o.note} at ${o.time}s`).toBeLessThan(1e-3);
    expect(Math.abs(o.errorMs), `onset of note ${o.note} at ${o.time}s`).toBeLessThanOrEqual(TOLERANCE_MS);
  }
}

const note = (n: number, velocity: number, channel: number, time: number, duration: number): PlannedNote => ({ note: n, velocity, channel, time, duration });

/** What the shipped drum model plays through the Player for `seconds` (in Node: the same notes the page's generator sends its sinks). */
async function shippedDrums(o: { temperature: number; density: number; seed: number; bpm: number; seconds: number }): Promise<PlannedNote[]> {
  const spec = await loadModelSpec(`${ROOT}/weights/drums-gmd`);
  const gen = new Generator(spec, { seed: o.seed, temperature: o.temperature, density: o.density });
  const listeners: ((e: StepEvent) => void)[] = [];
  const clock: Clock = { running: true, now: () => 0, onStep: (cb: (e: StepEvent) => void) => (listeners.push(cb), () => {}), onTransport: () => () => {} } as unknown as Clock;
  const notes: PlannedNote[] = [];
  new Player(clock, gen, [{ noteOn: (n, velocity, channel, time, duration) => void notes.push({ note: n, velocity, channel, time, duration }), noteOff: () => {}, allNotesOff: () => {} }]);
  const stepDuration = 60 / o.bpm / 4;
  for (let step = 0; 0.2 + step * stepDuration < o.seconds; step++) for (const cb of listeners) cb({ step, time: 0.2 + step * stepDuration, stepDuration, bpm: o.bpm });
  return notes;
}

describe.skipIf(!haveBrowser)('audio sinks in Chromium', () => {
  beforeAll(async () => {
    // Tone's ESM build has circular imports and top-level `this` rewrites; both harmless
    bundle = await pageBundle(ENTRY, ['CIRCULAR_DEPENDENCY', 'THIS_IS_UNDEFINED']);
    const paffer = haveFixture ? readFileSync(sharedPath(PAFFER), 'utf8') : '{}';
    const claimsOther = (() => {
      if (!haveFixture) return '{}';
      const j = JSON.parse(paffer);
      j.desc.meta.rnboversion = '1.3.4';
      return JSON.stringify(j);
    })();
    const files: Record<string, [string, string]> = {
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>pulse-rnn audio</title>'],
      '/paffer.export.json': ['application/json', paffer],
      '/claims-1.3.4.export.json': ['application/json', claimsOther],
      '/model.json': ['application/json', JSON.stringify({ modelTopology: {}, weightsManifest: [] })],
      '/broken.json': ['application/json', '{"desc": '],
      '/rnbo.webaudio.js': ['text/javascript', readFileSync(RNBO_JS, 'utf8')],
    };
    server = createServer((req, res) => {
      const f = files[new URL(req.url ?? '/', 'http://x').pathname];
      if (!f) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': f[0] }).end(f[1]);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120000);
  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise((r) => server.close(r));
  });

  describe.skipIf(!haveFixture)('RnboSink into the paffer export', () => {
    let page: Page;
    beforeAll(async () => {
      page = await newPage();
      await page.addScriptTag({ url: '/rnbo.webaudio.js' });
    }, 60000);
    afterAll(async () => page?.close());

    it('notes start on their scheduled times; allNotesOff ends held notes and calls off later ones', async () => {
      const r = await call(page, 'renderRnbo', {
        url: '/paffer.export.json',
        seconds: 4.6,
        notes: [note(60, 100, 0, 0.25, 0.2), note(64, 100, 1, 1.15, 0.2), note(67, 64, 15, 2.05, 0.2)],
        held: [note(72, 100, 0, 2.95, Infinity)],
        allNotesOffAt: 3.2,
        // handed to the device before the all-notes-off, due after it: must stay silent
        cancelled: [note(76, 100, 0, 4.0, 0.2)],
        windows: [
          [3.0, 3.2], // the held note sounds until the all-notes-off…
          [3.75, 4.6], // …then its 500 ms release, then silence (the cancelled note included)
        ],
      });
      report('RnboSink (paffer, 48 kHz offline)', r.onsets);
      console.info(`RnboSink windows: ${r.windows.map((w) => `${w.from}-${w.to}s peak ${w.peak.toExponential(2)}`).join(', ')}`);
      expect(r.deviceType).toBe('worklet');
      expect(r.warnings).toEqual([]);
      expectOnTime(r.onsets);
      expect(r.windows[0].peak).toBeGreaterThan(0.1);
      expect(r.windows[1].peak).toBeLessThan(1e-3);
    }, 60000);

    it('a JSON file that is not an RNBO export gets a clear error', async () => {
      const r = await call(page, 'tryLoad', '/model.json');
      expect(r.error).toMatch(/\/model\.json is not an RNBO export: no "desc" or "src" \(expected the patch\.export\.json written by RNBO's "Web Export" target; it has "modelTopology", "weightsManifest"\)/);
      expect((await call(page, 'tryLoad', '/broken.json')).error).toMatch(/\/broken\.json is not an RNBO export: not JSON/);
      expect((await call(page, 'tryLoad', '/missing.json')).error).toMatch(/cannot fetch the RNBO export \/missing\.json: HTTP 404/);
    }, 60000);

    it('an export claiming another RNBO version loads, and the caller gets the warning', async () => {
      consoleLines.length = 0;
      const r = await call(page, 'tryLoad', '/claims-1.3.4.export.json');
      expect(r.error).toBeUndefined();
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings![0]).toMatch(/exported with RNBO 1\.3\.4 but the runtime is @rnbo\/js 1\.4\.1/);
      expect(r.warnings![0]).toContain('"@rnbo/js": "1.3.4"');
      // @rnbo/js itself only says so on the console
      expect(consoleLines.some((l) => l.startsWith('error:') && l.includes('does not match the version of @rnbo/js'))).toBe(true);
    }, 60000);
  });

  describe('ToneSink with the built-in kit (Tone.Offline)', () => {
    let page: Page;
    beforeAll(async () => {
      page = await newPage();
    }, 60000);
    afterAll(async () => page?.close());

    it('every kit voice and the synth start on their scheduled times', async () => {
      // times off the 128-frame grid (2.667 ms at 48 kHz): a sound that waits for the next render quantum shows
      const notes = [
        note(36, 110, 9, 0.2013, 0.1), // kick
        note(38, 100, 9, 1.0031, 0.1), // snare
        note(42, 90, 9, 1.8007, 0.1), // closed hat
        note(39, 100, 9, 2.6019, 0.1), // clap
        note(41, 100, 9, 3.4011, 0.1), // low tom
        note(48, 100, 9, 4.3, 0.1), // high tom
        note(37, 100, 9, 5.1023, 0.1), // rim
        note(46, 90, 9, 5.9, 0.1), // open hat
        note(60, 100, 0, 6.9017, 0.2), // C4 on the synth
        note(56, 100, 9, 7.7041, 0.1), // cowbell: not in the kit, plays on 'perc'
        note(51, 100, 9, 8.5003, 0.1), // ride
        note(49, 110, 9, 11.0029, 0.1), // crash
      ];
      expect(notes.filter((n) => Number.isInteger((n.time * 48000) / 128)).length).toBe(0);
      const r = await call(page, 'renderTone', { notes, seconds: 14 });
      report('ToneSink (kit + MelodicSynth, 48 kHz offline)', r.onsets);
      expectOnTime(r.onsets);
    }, 60000);

    it('every voice of the kit plays a ghost note at velocity 30 at least 16 dB under a hit at 100 (the curve: 20.9), and still audible', async () => {
      // one note per voice of the kit's own table, and one the table does not hold ('perc')
      const byVoice = new Map<string, number>();
      for (const [n, v] of Object.entries(GM_KIT)) if (!byVoice.has(v)) byVoice.set(v, Number(n));
      byVoice.set(ToneKit.voiceOf(56), 56);
      expect(byVoice.size).toBe(12);
      // 3 s apart, so the longest cymbal has died away before the next hit
      const hits = [...byVoice].flatMap(([voice, n], i) => [100, 30].map((velocity, j) => ({ voice, velocity, n: note(n, velocity, 9, 0.2 + (2 * i + j) * 3, 0.1) })));
      const r = await call(page, 'renderTone', { notes: hits.map((h) => h.n), windows: hits.map((h) => [h.n.time - 0.001, h.n.time + 0.4] as [number, number]), seconds: 0.2 + hits.length * 3 });
      const db = (x: number) => 20 * Math.log10(x);
      const rows = [...byVoice.keys()].map((voice) => {
        const [loud, ghost] = hits.flatMap((h, i) => (h.voice === voice ? [r.windows[i]] : []));
        return { voice, peakDb: db(ghost.peak / loud.peak), rmsDb: db(ghost.rms / loud.rms), ghostPeak: ghost.peak };
      });
      console.info(`velocity 30 against 100, per voice (peak dB / RMS dB over 400 ms): ${rows.map((x) => `${x.voice} ${x.peakDb.toFixed(1)}/${x.rmsDb.toFixed(1)}`).join(', ')}`);
      for (const x of rows) {
        expect(x.peakDb, `${x.voice}: peak`).toBeLessThanOrEqual(-16);
        expect(x.rmsDb, `${x.voice}: RMS`).toBeLessThanOrEqual(-16);
        // -60 dBFS: a ghost note is soft, not gone
        expect(x.ghostPeak, `${x.voice}: ghost note's peak`).toBeGreaterThan(1e-3);
      }
      expect(r.kit.errors).toEqual([]);
    }, 120000);

    it('allNotesOff ends held notes and calls off notes and hits scheduled after it', async () => {
      const r = await call(page, 'renderTone', {
        notes: [note(36, 110, 9, 0.2, 0.1)],
        held: [note(64, 100, 0, 1.0007, Infinity), note(67, 100, 3, 1.0007, Infinity)],
        allNotesOffAt: 1.5,
        cancelled: [note(72, 100, 0, 2.0, 0.5), note(38, 100, 9, 2.2, 0.1), note(49, 100, 9, 2.4, 0.1)],
        windows: [
          [1.3, 1.5],
          [2.0, 4.0], // 0.3 s release after 1.5 s, then nothing: the called-off notes included
        ],
        seconds: 4,
      });
      report('ToneSink held notes', r.onsets);
      console.info(`ToneSink windows: ${r.windows.map((w) => `${w.from}-${w.to}s peak ${w.peak.toExponential(2)}`).join(', ')}`);
      expectOnTime(r.onsets);
      expect(r.windows[0].peak).toBeGreaterThan(0.01);
      expect(r.windows[1].peak).toBeLessThan(1e-3);
    }, 60000);

    it('noteOff ends a held note; a repeated pitch gets its own voice; close calls off what has not started', async () => {
      const r = await call(page, 'renderTone', {
        notes: [note(62, 100, 0, 1.2003, 0.3)],
        held: [note(62, 100, 0, 0.5003, Infinity)],
        noteOffs: [{ note: 62, channel: 0, time: 2.6 }],
        windows: [
          [2.4, 2.6], // the second 62 ended at 1.5 and has rung out; the held one still sounds
          [3.3, 4.0], // released at 2.6 (0.3 s) and gone
        ],
        seconds: 4,
      });
      report('ToneSink noteOff', r.onsets.filter((o) => o.time < 1));
      expectOnTime(r.onsets.filter((o) => o.time < 1)); // the second 62 starts over the first: no silence before it
      expect(r.windows[0].peak).toBeGreaterThan(0.01);
      expect(r.windows[1].peak).toBeLessThan(1e-3);
      const closed = await call(page, 'renderTone', { notes: [note(36, 100, 9, 0.5, 0.1), note(60, 100, 0, 0.7, 0.2)], held: [note(64, 100, 0, 0.9, Infinity)], close: true, windows: [[0, 2]], seconds: 2 });
      expect(closed.windows[0].peak).toBe(0);
    }, 60000);

    it('60 s of the shipped drum model at temperature 1.5 and density 2: every hit reaches the kit and none throws', async () => {
      const notes = await shippedDrums({ temperature: 1.5, density: 2, seed: 1, bpm: 120, seconds: 60 });
      const drums = notes.filter((n) => n.channel === 9);
      // the model's nine classes are nine voices of the kit: never two at one instant
      const classes = new Set(drums.map((n) => n.note));
      expect(new Set(drums.map((n) => ToneKit.voiceOf(n.note))).size).toBe(classes.size);
      expect(drums.length).toBeGreaterThan(60 * 16);
      const r = await call(page, 'scheduleTone', { notes, seconds: 61, sampleRate: 24000 });
      console.info(`60 s at temperature 1.5, density 2: ${drums.length} hits, ${r.kit.sounded} sounded, ${r.kit.merged} merged, ${r.kit.errors.length} errors (clock run in ${r.clockMs.toFixed(0)} ms)`);
      expect(r.kit.errors).toEqual([]);
      expect(r.kit.merged).toBe(0);
      expect(r.kit.sounded).toBe(drums.length);
    }, 120_000);

    it('two notes of one drum at one instant strike it once; late hits on one voice all sound, in order', async () => {
      const r = await call(page, 'renderTone', {
        notes: [note(35, 100, 9, 0.5, 0.1), note(36, 110, 9, 0.5, 0.1), note(42, 80, 9, 0.5, 0.1), note(44, 80, 9, 0.5, 0.1), note(48, 100, 9, 0.75, 0.1), note(50, 100, 9, 0.75, 0.1), note(41, 90, 9, 0.75, 0.1), note(45, 90, 9, 0.75, 0.1)],
        // a stalled main thread hands over three kick hits and two claps after their times
        late: { at: 1.5, notes: [note(36, 100, 9, 1.2, 0.1), note(36, 100, 9, 1.3, 0.1), note(35, 100, 9, 1.4, 0.1), note(39, 100, 9, 1.35, 0.1), note(39, 100, 9, 1.45, 0.1)] },
        seconds: 2.5,
      });
      expect(r.kit.errors).toEqual([]);
      expect(r.kit.merged).toBe(3); // 36 on 35, 44 on 42, 45 on 41 (both low toms)
      expect(r.kit.sounded).toBe(5 + 5);
      for (const [voice, times] of Object.entries(r.kit.times)) {
        for (let i = 1; i < times.length; i++) expect(times[i], `${voice} hit ${i}`).toBeGreaterThan(times[i - 1]);
      }
      const kicks = r.kit.times.kick;
      expect(kicks).toHaveLength(4);
      expect(kicks[0]).toBe(0.5);
      // late: at the hand-over time (one render quantum after the asked time at most), each after the last
      for (const t of kicks.slice(1)) expect(t).toBeGreaterThanOrEqual(1.5);
    }, 60000);

    it('a chord wider than the synth\'s sixteen voices, and late notes, start without an error', async () => {
      // twenty notes at one instant: the first sixteen sound, the rest find no voice to take
      const chord = Array.from({ length: 20 }, (_, i) => note(48 + i, 90, 0, 0.5, 0.4));
      const r = await call(page, 'renderTone', {
        notes: chord,
        late: { at: 1.5, notes: [note(60, 90, 1, 1.2, 0.2), note(64, 90, 1, 1.3, 0.2), ...Array.from({ length: 18 }, (_, i) => note(40 + i, 90, 2, 1.4, 0.2))] },
        windows: [[0.5, 0.9], [1.5, 1.8]],
        seconds: 2.5,
      });
      expect(r.windows[0].peak).toBeGreaterThan(0.01);
      expect(r.windows[1].peak).toBeGreaterThan(0.01);
    }, 60000);

    it('the page logged no errors', () => {
      expect(consoleLines.filter((l) => l.startsWith('pageerror') || (l.startsWith('error:') && !l.includes('does not match the version of @rnbo/js')))).toEqual([]);
    });
  });

  describe('the Generator playing through the Player (sparse drums, 120 BPM, 64 steps)', () => {
    let page: Page;
    beforeAll(async () => {
      page = await newPage();
      await page.addScriptTag({ url: '/rnbo.webaudio.js' });
    }, 60000);
    afterAll(async () => page?.close());

    // notes after at least 1 s of silence can be told apart from the tails before them
    const isolated = (r: Render & { scheduled: PlannedNote[] }) =>
      r.onsets.filter((o) => !r.scheduled.some((n) => n.time < o.time && n.time > o.time - 1.0));

    for (const target of ['rnbo', 'tone'] as const) {
      it.skipIf(target === 'rnbo' && !haveFixture)(`${target}: onsets land on the steps the generator scheduled`, async () => {
        const r = await call(page, 'renderGenerated', { target, url: '/paffer.export.json', steps: 64, bpm: 120, density: -4, seed: 5, seconds: 9 });
        expect(r.scheduled.length).toBeGreaterThan(3);
        for (const n of r.scheduled) expect(Math.abs(((n.time - 0.2) / 0.125) % 1)).toBeLessThan(1e-9); // on the 16th grid
        const checked = isolated(r);
        report(`generator → ${target}`, checked);
        expect(checked.length).toBeGreaterThanOrEqual(2);
        expectOnTime(checked);
      }, 60000);
    }
  });
});
