// The command as users get it: packed with `npm pack`, installed globally into a prefix and as a
// project's dependency, then run through npm's links (a symlinked bin, `npx`), never through a path
// to the script. The entry point once compared process.argv[1] with its own path, so every linked
// run printed nothing and exited 0.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/io/midi-read.js';

const run = promisify(execFile);
const ROOT = resolve('.');
const tmp = mkdtempSync(join(tmpdir(), 'pulse-installed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// npm's own progress and notices are not what is tested; keep them out of the way
const npmEnv = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env: npmEnv, maxBuffer: 64 << 20 });

let tarball = '';

describe('the installed pulse-rnn command', () => {
  beforeAll(async () => {
    // the tarball holds dist/ as built; build it first when a checkout has not been built
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) await npm(['run', 'build'], ROOT);
    await npm(['pack', '--ignore-scripts', '--pack-destination', tmp], ROOT);
    tarball = join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);
  }, 300_000);

  it('a global install links `pulse-rnn`, which prints its help and plays a pattern into a MIDI file', async () => {
    const prefix = join(tmp, 'global');
    await npm(['install', '-g', '--prefix', prefix, '--prefer-offline', tarball], tmp);
    const bin = join(prefix, 'bin', 'pulse-rnn');
    const help = await run(bin, ['--help'], { cwd: tmp });
    expect(help.stdout).toMatch(/Usage: pulse-rnn/);
    for (const command of ['play', 'train', 'start', 'generate']) expect(help.stdout).toContain(command);

    // a real command, with the model the package ships
    const out = join(tmp, 'beat.mid');
    const gen = await run(bin, ['generate', '--steps', '32', '--seed', '4', '--out', out], { cwd: tmp });
    expect(gen.stderr + gen.stdout).toMatch(/wrote \d+ notes over 32 steps/);
    const song = readMidi(new Uint8Array(readFileSync(out)), out);
    expect(song.notes.length).toBeGreaterThan(0);
    expect(song.notes.every((n) => n.channel === 9)).toBe(true);

    // a failing command still speaks, and exits non-zero
    const bad = await run(bin, ['generate', '--steps', 'lots'], { cwd: tmp }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in bad && bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--steps must be .* got 'lots'/);
  }, 300_000);

  it('a project that depends on the package runs it with `npx pulse-rnn`', async () => {
    const project = join(tmp, 'project');
    rmSync(project, { recursive: true, force: true });
    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-set', version: '1.0.0', private: true, type: 'module' }));
    await npm(['install', '--prefer-offline', tarball], project);
    const help = await run('npx', ['--no-install', 'pulse-rnn', '--help'], { cwd: project, env: npmEnv });
    expect(help.stdout).toMatch(/Usage: pulse-rnn/);
    const controls = await run('npx', ['--no-install', 'pulse-rnn', 'generate', '--steps', '8', '--seed', '1', '--json'], { cwd: project, env: npmEnv });
    expect(JSON.parse(controls.stdout).events).toHaveLength(8);
  }, 300_000);

  it('`npx pulse-rnn` works in a clone of the repository', async () => {
    const help = await run('npx', ['--no-install', 'pulse-rnn', '--help'], { cwd: ROOT, env: npmEnv });
    expect(help.stdout).toMatch(/Usage: pulse-rnn/);
  }, 120_000);
});
