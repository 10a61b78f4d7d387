/**
 * A tick at non-default dynamics, timing and velocity scales allocates nothing, watched by V8's
 * sampling heap profiler. Whether V8 inlines a small helper differs from run to run, and a
 * fraction handed to one it did not inline is boxed (an allocation per event): the tick reads
 * its shaping values where it uses them, and this check runs in a process of its own.
 */
import { describe, expect, it } from 'vitest';
import { Generator } from '../src/music/generator.js';
import { drumGridSpec } from './helpers/models.js';
import { sampledWhile, type ProfileNode } from './helpers/heap-sampling.js';

describe('the shaping controls on the tick path', () => {
  it('a tick at other values allocates nothing', async () => {
    const g = new Generator(drumGridSpec(3), { seed: 1, lookahead: 8, dynamics: 1.7, timing: 0.4, accent: true });
    g.setVelocityScale('kick', 0);
    g.setVelocityScale('snare', 0.6);
    // warm up in rounds with turns of the event loop between them: on a busy machine the
    // optimizing compiler finishes in the background, and code still running unoptimized
    // boxes its floats (allocations that are the compiler's, not the tick's)
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 5000; i++) g.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    const head = await sampledWhile(() => {
      for (let i = 0; i < 20000; i++) g.tick();
    });
    let total = 0;
    const where = new Map<string, number>();
    const walk = (n: ProfileNode) => {
      if (n.selfSize > 0 && /\/src\//.test(n.callFrame.url)) {
        total += n.selfSize;
        const at = `${n.callFrame.functionName} ${n.callFrame.url.replace(/^.*\/src\//, 'src/').replace(/\?.*$/, '')}:${n.callFrame.lineNumber + 1}`;
        where.set(at, (where.get(at) ?? 0) + n.selfSize);
      }
      for (const c of n.children) walk(c);
    };
    walk(head);
    expect(total, [...where].map(([at, b]) => `${b} bytes at ${at}`).join('\n')).toBeLessThan(20000);
  });
});
