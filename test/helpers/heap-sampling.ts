/**
 * V8's sampling heap profiler run around a piece of code, and the allocating stacks it saw that
 * pass through the engine or the music room: for tests that a hot path allocates nothing. A
 * collection during a performance is a pause the performer hears; these name the line that
 * allocates.
 *
 * @example
 * const head = await sampledWhile(() => ticks(20000));
 * ourAllocations(head); // [{ stack: 'distributionAt src/engine/sampling.ts:24 ← …', bytes: 13792 }]
 */
import { Session } from 'node:inspector/promises';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
export interface ProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: ProfileNode[];
}

/** Bytes between samples: small enough that one 16-byte allocation per call is sampled many times. */
export const SAMPLING_INTERVAL = 64;
const OURS = /\/src\/(engine|music)\//;

// line numbers are those of the module as vitest transformed it; the function names are exact
const frameName = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/src\//, 'src/').replace(/\?.*$/, '')}:${f.lineNumber + 1}`;

/** Every allocating stack (innermost frame first) that passes through the engine or the music room. */
export function ourAllocations(root: ProfileNode): { stack: string; bytes: number }[] {
  const found = new Map<string, number>();
  const walk = (node: ProfileNode, path: CallFrame[]): void => {
    const here = [...path, node.callFrame];
    if (node.selfSize > 0 && here.some((f) => OURS.test(f.url))) {
      const stack = here
        .slice()
        .reverse()
        .filter((f) => f.url === '' || OURS.test(f.url))
        .slice(0, 6)
        .map(frameName)
        .join(' ← ');
      found.set(stack, (found.get(stack) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(root, []);
  return [...found].map(([stack, bytes]) => ({ stack, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export async function sampledWhile(run: () => void): Promise<ProfileNode> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    // short-lived garbage counts too: it is what a collection pause is made of
    await session.post('HeapProfiler.startSampling', { samplingInterval: SAMPLING_INTERVAL, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
    run();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
    return profile.head;
  } finally {
    session.disconnect();
  }
}

/**
 * What the engine and music rooms allocate while `run(watched)` runs, after warming `run` up in
 * rounds with turns of the event loop between them: on a busy machine the optimizing compiler
 * finishes in the background, and code still running unoptimized allocates where the optimized
 * code does not.
 *
 * @example
 * const { bytes, report } = await warmAllocations((n) => { for (let i = 0; i < n; i++) g.tick(); }, 20000);
 * expect(bytes, report).toBeLessThan(20000);
 */
export async function warmAllocations(run: (n: number) => void, watched: number, rounds = 8, perRound = 2500): Promise<{ bytes: number; report: string }> {
  for (let round = 0; round < rounds; round++) {
    run(perRound);
    await new Promise((r) => setTimeout(r, 20));
  }
  const allocations = ourAllocations(await sampledWhile(() => run(watched)));
  return { bytes: allocations.reduce((a, x) => a + x.bytes, 0), report: allocations.map((a) => `  ${a.bytes} sampled bytes at ${a.stack}`).join('\n') };
}
