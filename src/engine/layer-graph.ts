/**
 * The shape of a model.json's layer graph, checked before anything walks it: every layer a
 * layer reads from exists, names are unique, inputs and outputs are listed once, and no layer
 * reads (through any chain) from itself. A loader follows inbound links from the outputs back
 * to the inputs; with these checks every such walk ends.
 *
 * @example
 * checkLayerGraph(layers, ['input'], ['out'], fail); // throws "layers connect in a loop: …"
 */

export interface GraphNode {
  readonly name: string;
  readonly className: string;
  /** Names of the layers this one reads from. */
  readonly inbound: readonly string[];
}

/** Throws (through `fail`) at the first problem; returns when the graph can be walked safely. */
export function checkLayerGraph(layers: ReadonlyMap<string, GraphNode>, inputs: readonly string[], outputs: readonly string[], fail: (m: string) => never): void {
  const once = (list: readonly string[], what: string) => {
    const seen = new Set<string>();
    for (const n of list) {
      if (seen.has(n)) fail(`${what} names layer '${n}' twice`);
      seen.add(n);
      if (!layers.has(n)) fail(`${what} names layer '${n}', which is not among the model's layers`);
    }
  };
  once(inputs, 'input_layers');
  once(outputs, 'output_layers');
  for (const node of layers.values()) {
    for (const from of node.inbound) {
      if (!layers.has(from)) fail(`layer '${node.name}' (${node.className}) reads from '${from}', which is not among the model's layers`);
    }
  }
  // depth-first search with an explicit stack (a long chain must not overflow the call stack);
  // a link back to a layer still on the stack closes a loop
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  for (const start of layers.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const next: number[] = [0];
    state.set(start, 1);
    while (path.length > 0) {
      const top = path.length - 1;
      const node = layers.get(path[top]) as GraphNode;
      if (next[top] >= node.inbound.length) {
        state.set(node.name, 2);
        path.pop();
        next.pop();
        continue;
      }
      const from = node.inbound[next[top]++];
      const s = state.get(from);
      if (s === 1) {
        // data flows from `from` along the path back to it
        const loop = path.slice(path.indexOf(from)).reverse();
        fail(`layers connect in a loop: ${[...loop, loop[0]].map((n) => `'${n}'`).join(' → ')}; a model's layers must lead from its inputs to its outputs without returning`);
      }
      if (s === undefined) {
        state.set(from, 1);
        path.push(from);
        next.push(0);
      }
    }
  }
}
