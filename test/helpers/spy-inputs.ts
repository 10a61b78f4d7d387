import type { Generator } from '../../src/music/generator.js';

/** Every input the Generator's network steps with from now on, in order. */
export function spyInputs(g: Generator): number[][] {
  const seen: number[][] = [];
  const step = g.net.step.bind(g.net);
  g.net.step = (tokens: ArrayLike<number>) => {
    seen.push(Array.from(tokens));
    step(tokens);
  };
  return seen;
}
