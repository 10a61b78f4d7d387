import esbuild from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import type { RollupOptions } from 'rollup';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> };

const deps = [...Object.keys(pkg.dependencies ?? {})];
// dependencies and node: built-ins stay imports; everything of ours is bundled
const external = (id: string) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));
const ts = (target: string) => esbuild({ target, tsconfig: 'tsconfig.json' });

const config: RollupOptions[] = [
  {
    // the library, for browsers and Node
    input: 'src/index.ts',
    output: { file: 'dist/pulse-rnn.js', format: 'es', sourcemap: true },
    external,
    plugins: [ts('es2020')],
  },
  {
    // the command line
    input: 'src/hosts/cli.ts',
    output: { file: 'dist/cli.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    external,
    plugins: [ts('node20')],
  },
  {
    // engine + music in one CommonJS file with no imports, for Max's [v8] `require`
    input: 'src/core.ts',
    output: { file: 'dist/pulse-rnn-core.cjs', format: 'cjs', exports: 'named' },
    plugins: [nodeResolve(), ts('es2020')],
  },
];
export default config;
