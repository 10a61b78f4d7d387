// The command line reads the control table: `pulse-rnn controls [--json]` lists it, and the
// starting-value flags of generate, play and start take their names, ranges and defaults from it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { program } from '../src/hosts/cli.js';
import { CONTROLS, flagName, isNumberArg, maxName, rangeText, valueArg, type ControlName } from '../src/music/controls.js';
import { runCli } from './helpers/cli.js';
import { ROOT } from './helpers/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'pulse-cli-controls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const START: ControlName[] = ['seed', 'temperature', 'topP', 'density', 'dynamics', 'timing', 'bpm', 'swing'];

describe('pulse-rnn controls', () => {
  it('--json prints the table: every control with its arguments, range, default, moment, log, Max message, flag and keys', async () => {
    const r = await runCli('controls', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.format).toBe('pulse-rnn-controls');
    expect(j.version).toBe(1);
    expect(j.controls.map((c: { name: string }) => c.name)).toEqual(CONTROLS.map((c) => c.name));
    for (const [i, c] of CONTROLS.entries()) {
      const got = j.controls[i];
      expect(Object.keys(got).sort()).toEqual(['applies', 'args', 'description', 'example', 'flag', 'keys', 'kind', 'label', 'logged', 'max', 'name', 'owner', 'pair'].sort());
      expect(got).toMatchObject({ label: c.label, kind: c.kind, description: c.description, example: c.example, applies: c.applies, logged: c.logged, owner: c.owner, pair: c.pair ?? null, max: maxName(c) });
      expect(got.flag).toBe(START.includes(c.name) ? flagName(c) : null);
      expect(got.keys).toEqual((c.keys ?? []).map(([key, action]) => ({ key, action })));
      c.args.forEach((a, k) => {
        expect(got.args[k]).toMatchObject({ name: a.name, type: a.type, description: a.description, optional: a.optional ?? false });
        if (isNumberArg(a)) expect(got.args[k]).toMatchObject({ min: a.min, max: a.max, step: a.step, range: rangeText(a), ...(a.default === undefined ? {} : { default: a.default }), ...(a.unit ? { unit: a.unit } : {}) });
      });
    }
    expect(j.controls.find((c: { name: string }) => c.name === 'topP')).toMatchObject({ max: 'topp', flag: '--top-p' });
  });

  it('runs as its own process, as an installed pulse-rnn does: --json is the whole of stdout', () => {
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(ROOT, 'src/hosts/cli.ts'), 'controls', '--json'], { encoding: 'utf8', cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).controls).toHaveLength(CONTROLS.length);
  }, 30_000);

  it('without --json prints a block a control, with its range and default', async () => {
    const r = await runCli('controls');
    expect(r.code).toBe(0);
    for (const c of CONTROLS) {
      expect(r.out).toContain(`${c.example}  ${c.description}`);
      for (const a of c.args) if (isNumberArg(a)) expect(r.out).toContain(rangeText(a) + (a.default === undefined ? '' : `, default ${a.default}`));
    }
    expect(r.out).toContain('Max: topp · flag: --top-p');
  });
});

describe('the starting-value flags of generate, play and start', () => {
  it('are named, checked and defaulted from the table, alike in each command', () => {
    for (const command of ['generate', 'play', 'start']) {
      const cmd = program().commands.find((c) => c.name() === command)!;
      for (const name of START) {
        const a = valueArg(name);
        const flag = flagName(CONTROLS.find((c) => c.name === name)!);
        const option = cmd.options.find((o) => o.long === flag);
        expect(option, `${command} ${flag}`).toBeDefined();
        expect(option!.description).toContain(rangeText(a));
        if (!(command === 'start' && name === 'seed')) expect(option!.defaultValue, `${command} ${flag}`).toBe(a.default);
        const parse = (text: string) => option!.parseArg!(text, undefined);
        expect(parse(String(a.max))).toBe(a.max);
        expect(() => parse(String(a.max + a.step))).toThrow(`${flag} must be ${rangeText(a)}, got '${a.max + a.step}'`);
        expect(() => parse(String(a.minExclusive ? a.min : a.min - a.step))).toThrow(rangeText(a));
      }
    }
  });

  it('refuse a value outside the table by name and range, and exit non-zero', async () => {
    const r = await runCli('play', '--bpm', '10', '--no-repl', '--steps', '1');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--bpm must be a number from 20 to 999 BPM, got '10'/);
    const t = await runCli('generate', '--temperature', '2.5');
    expect(t.err).toMatch(/--temperature must be a number from 0 \(always the likeliest\) to 2 \(wildest\), got '2\.5'/);
    const d = await runCli('start', '--density', '-5', '--no-repl');
    expect(d.err).toMatch(/--density must be a number from -4 \(fewer notes\) to 4 \(more notes\), got '-5'/);
  });

  it('generate --density plays more notes (or fewer); --density 0 is the same file as none', async () => {
    // the shipped drum model: a grid of drum classes, whose notes density weighs
    const hits = async (...extra: string[]) => {
      const r = await runCli('generate', '--steps', '64', '--seed', '4', '--json', ...extra);
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out).notes.length as number;
    };
    const none = await hits();
    expect(await hits('--density', '0')).toBe(none);
    expect(await hits('--density', '3')).toBeGreaterThan(none * 2);
    expect(await hits('--density', '-3')).toBeLessThan(none);
    const a = join(tmp, 'a.mid');
    const b = join(tmp, 'b.mid');
    await runCli('generate', '--steps', '32', '--out', a);
    await runCli('generate', '--steps', '32', '--out', b, '--density', '0');
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });
});
