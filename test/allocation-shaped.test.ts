/**
 * A tick at non-default dynamics, timing and velocity scales allocates nothing, watched by V8's
 * sampling heap profiler. Whether V8 inlines a small helper differs from run to run, and a
 * fraction handed to one it did not inline is boxed (an allocation per event): the tick reads
 * its shaping values where it uses them, and this check runs in a process of its own.
 */
import { Session } from 'node:inspector/promises';
import { describe, expect, it } from 'vitest';
import { Generator } from '../src/music/generator.js';
import { drumGridSpec } from './helpers/models.js';

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
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
    for (let i = 0; i < 20000; i++) g.tick();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    let total = 0;
    const where = new Map<string, number>();
    const walk = (n: { callFrame: { url: string; functionName: string; lineNumber: number }; selfSize: number; children: unknown[] }) => {
      if (n.selfSize > 0 && /\/src\//.test(n.callFrame.url)) {
        total += n.selfSize;
        const at = `${n.callFrame.functionName} ${n.callFrame.url.replace(/^.*\/src\//, 'src/').replace(/\?.*$/, '')}:${n.callFrame.lineNumber + 1}`;
        where.set(at, (where.get(at) ?? 0) + n.selfSize);
      }
      for (const c of n.children) walk(c as typeof n);
    };
    walk(profile.head as never);
    expect(total, [...where].map(([at, b]) => `${b} bytes at ${at}`).join('\n')).toBeLessThan(20000);
  });
});
