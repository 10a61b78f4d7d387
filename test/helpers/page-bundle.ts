/**
 * A test's own entry module, bundled with the project's sources into one IIFE script for a
 * Chromium page, as rollup.config.ts bundles the page.
 *
 * @example
 * const code = await pageBundle(`import { GridView } from './src/hosts/web/grid-view.ts'; window.GridView = GridView;`);
 * await page.addScriptTag({ content: code });
 */
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup, type RollupLog } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';

/** `quiet`: warning codes to leave unsaid (a dependency's harmless ones). */
export async function pageBundle(entry: string, quiet: readonly string[] = []): Promise<string> {
  const b = await rollup({
    input: 'entry',
    plugins: [
      { name: 'entry', resolveId: (id) => (id === 'entry' ? id : null), load: (id) => (id === 'entry' ? entry : null) },
      nodeResolve({ extensions: ['.ts', '.js'] }),
      esbuild({ target: 'es2020', tsconfig: 'tsconfig.json' }),
    ],
    onwarn: (w: RollupLog, warn: (w: RollupLog) => void) => {
      if (!quiet.includes(w.code ?? '')) warn(w);
    },
  });
  return (await b.generate({ format: 'iife' })).output[0].code;
}
