import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { DRUMMER_NOTES, drummerSpec } from '../src/engine/drummer-format.js';
import { Network } from '../src/engine/network.js';
import { Rng } from '../src/engine/prng.js';
import { drummerCodec } from '../src/music/drummer-events.js';
import { sampleEvents } from '../src/music/sample-events.js';
import { haveShared, sharedPath } from './helpers/shared.js';

// The same build as rollup.config.ts's Max bundle, made in memory.
let code = '';
const circular: string[] = [];
beforeAll(async () => {
  const bundle = await rollup({
    input: 'src/core.ts',
    plugins: [nodeResolve(), esbuild({ target: 'es2020', tsconfig: 'tsconfig.json' })],
    onwarn(w) {
      if (w.code === 'CIRCULAR_DEPENDENCY') circular.push((w.ids ?? []).join(' -> '));
    },
  });
  const { output } = await bundle.generate({ format: 'cjs', exports: 'named' });
  code = output[0].code;
}, 60000);

/** Load the bundle as Max's [v8] `require` would: CommonJS, no Node globals. */
function loadCore(withWasm: boolean): Record<string, any> {
  const sandbox: Record<string, unknown> = { exports: {}, Math, JSON, Float32Array, Float64Array, Uint8Array, Uint32Array, Int32Array, Int8Array, DataView, ArrayBuffer, Array, Object, Error, Map, Set, Number, String };
  // every V8 context has WebAssembly built in; hide it to play a host without it
  if (!withWasm) sandbox.WebAssembly = undefined;
  sandbox.module = { exports: sandbox.exports };
  vm.runInNewContext(code, sandbox, { filename: 'pulse-rnn-core.cjs' });
  return (sandbox.module as { exports: Record<string, any> }).exports;
}

describe('the core bundle for Max', () => {
  it('is one CommonJS file with no require of anything', () => {
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toMatch(/\bimport\(/);
    expect(code).toMatch(/exports\.Network\s*=/);
  });

  it('has no import cycle, which would leave a module reading another before it is defined', () => {
    expect(circular).toEqual([]);
  });

  it.skipIf(!haveShared('fixtures/rnn-drummer'))('runs the Drummer with and without WebAssembly, giving the Node API’s notes', () => {
    const wx = new Uint8Array(readFileSync(sharedPath('fixtures/rnn-drummer/Wx.bin')));
    const wy = new Uint8Array(readFileSync(sharedPath('fixtures/rnn-drummer/Wy.bin')));
    const spec = drummerSpec(wx, wy, 'drummer');
    const expected = sampleEvents(new Network(spec), drummerCodec(), 64, new Rng(11), { temperature: 1 });
    for (const withWasm of [true, false]) {
      const core = loadCore(withWasm);
      const net = new core.Network(core.drummerSpec(wx, wy, 'drummer'));
      expect(net.kernel.name).toBe(withWasm ? 'wasm-simd' : 'js');
      const got = core.sampleEvents(net, core.codecFor(net.spec), 64, new core.Rng(11), { temperature: 1 });
      expect(got).toEqual(expected);
    }
    expect(DRUMMER_NOTES).toHaveLength(17);
  });
});
