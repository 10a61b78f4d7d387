import esbuild, { minify } from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import type { RollupOptions } from 'rollup';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> };

const deps = [...Object.keys(pkg.dependencies ?? {})];
// dependencies and node: built-ins stay imports; everything of ours is bundled
const external = (id: string) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));
const ts = (target: string) => esbuild({ target, tsconfig: 'tsconfig.json' });

// A clone runs `npx pulse-rnn` straight from dist/cli.js, which npm only marks
// executable when it links an installed package; a fresh build must do it itself.
const executable = (file: string) => ({
  name: 'executable',
  writeBundle() {
    chmodSync(file, 0o755);
  },
});

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
    plugins: [ts('node20'), executable('dist/cli.js')],
  },
  {
    // engine + music in one CommonJS file with no imports, for Max's [v8] `require`
    input: 'src/core.ts',
    output: { file: 'dist/pulse-rnn-core.cjs', format: 'cjs', exports: 'named' },
    plugins: [nodeResolve(), ts('es2020')],
  },
  {
    // the Max [v8] script: one plain script, no imports. Max calls a handler by its global name
    // and reads the top-level inlets/outlets, so the footer declares every export of the entry
    // at the top level; the rest stays inside the bundle's function.
    input: 'src/hosts/max.ts',
    output: {
      file: 'patches/max/pulse-rnn.js',
      format: 'iife',
      name: 'pulseRnn',
      banner: '// pulse-rnn for Max [v8]. Built from src/hosts/max.ts by `npm run build`: edit that, not this.',
      footer: (chunk) => {
        const counts = ['inlets', 'outlets'].filter((n) => chunk.exports.includes(n));
        const handlers = chunk.exports.filter((n) => !counts.includes(n));
        return [...counts.map((n) => `${n} = pulseRnn.${n};`), ...handlers.map((n) => `function ${n}() { return pulseRnn.${n}.apply(this, arguments); }`)].join('\n');
      },
    },
    // commonjs: the MIDI file parser that `prime` reads with is a CommonJS package
    plugins: [nodeResolve(), commonjs(), ts('es2020')],
  },
  {
    // the performer's web page: Tone.js, WEBMIDI.js and @rnbo/js bundled in (the last two in
    // chunks loaded on demand), plus its html and css; serve dist/web with weights/ at /weights/
    input: 'src/hosts/web/app.ts',
    output: { dir: 'dist/web', format: 'es', entryFileNames: 'app.js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true, plugins: [minify({ target: 'es2020' })] },
    // the model loader's Node branch; a browser never reaches it
    external: (id) => id.startsWith('node:'),
    plugins: [
      nodeResolve({ browser: true, preferBuiltins: false, extensions: ['.ts', '.js'] }),
      commonjs(),
      ts('es2020'),
      {
        name: 'copy-page-files',
        buildStart() {
          for (const f of ['index.html', 'style.css']) this.addWatchFile(`src/hosts/web/${f}`);
        },
        generateBundle() {
          for (const f of ['index.html', 'style.css']) this.emitFile({ type: 'asset', fileName: f, source: readFileSync(`src/hosts/web/${f}`) });
        },
        // hashed chunks of earlier builds would pile up in a folder that is served and shipped
        writeBundle(options, bundle) {
          const dir = join(options.dir ?? 'dist/web', 'chunks');
          if (!existsSync(dir)) return;
          for (const f of readdirSync(dir)) if (!(`chunks/${f}` in bundle)) rmSync(join(dir, f));
        },
      },
    ],
    onwarn(w, warn) {
      // Tone.js's ESM build has circular imports; @rnbo/js's UMD wrapper has a top-level `this`
      // and evaluates the exported patch code by design
      if (w.code === 'CIRCULAR_DEPENDENCY' || w.code === 'THIS_IS_UNDEFINED' || w.code === 'EVAL') return;
      warn(w);
    },
  },
];
export default config;
