/**
 * Read the tfjs LayersModel format (`model.json` + binary weight shards) into a `ModelSpec`,
 * without tfjs. Handles Sequential and functional models built from InputLayer, Embedding,
 * LSTM, GRU, Dense (plain or in TimeDistributed), Concatenate, Activation/Softmax, and layers
 * that do nothing at inference (Dropout and kin). Weights may be float32, float16, or tfjs's
 * uint8/uint16 quantization.
 *
 * A head may be conditioned on an earlier head's token: its first Dense reads
 * Concatenate([top recurrent layer, a one-hot model input such as `hits_now`]), and the
 * metadata's `heads` entry names the condition head and that input:
 * `pulseRnn.heads: [{ name: 'velocity_out', condition: 'hits_out', conditionInput: 'hits_now', groups: 9 }]`.
 * `groups` splits a head's linear logits into that many softmaxes. Keras and tfjs run such a
 * graph as it is, fed the true (or sampled) token's one-hot at `hits_now`.
 *
 * Every problem is an Error naming the file and the layer or tensor, raised here, at load
 * time: a model that loads never produces a NaN because of its file. Before anything is
 * walked or read: nesting depth, the layer graph (no loops, no missing or duplicate names),
 * each shard path (relative, inside the model's folder) and the bytes declared (the reader is
 * told how many a shard may hold). After: shapes, the pulse-rnn metadata and a probe step
 * (`model-checks.ts`).
 *
 * @example
 * const spec = await parseLayersModel(parseModelJson(text, 'drums/model.json'), (p, max) => fetchCapped(base + p, max), 'drums/model.json');
 * const net = new Network(spec);
 */
import { activationName, type ActivationName } from './activations.js';
import type { DenseSpec, HeadSpec, InputSpec, KeyOrderSpec, ModelSpec, PulseMeta, RnnLayerSpec } from './model.js';
import { bytesPerElement, decodeTensor, type Quantization } from './tensor-decode.js';
import { checkLayerGraph } from './layer-graph.js';
import { checkModel } from './model-checks.js';
import { checkDepth, show } from './model-json.js';
import { shardPathProblem } from './shard-path.js';

/**
 * Reads a weights shard named in the manifest (a path relative to model.json, already checked
 * to stay inside the model's folder). A reader should refuse a shard longer than `maxBytes`
 * without reading it all; the loader refuses it in any case.
 */
export type ReadShard = (path: string, maxBytes: number) => Promise<Uint8Array>;

/** Largest tensor accepted (elements), so a bogus shape fails before any allocation. */
const MAX_ELEMENTS = 1 << 28;

/** Longest layer, class or tensor name accepted (they appear in every message). */
const MAX_NAME = 256;

/** Characters no name may hold: messages print names, and a terminal obeys the escapes among these. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Most bytes all of a model's shards may hold together (a 2×1024 LSTM takes about 140 MB). */
export const MAX_WEIGHT_BYTES = 1 << 30;

interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  readonly file: string;
}

interface LayerNode {
  readonly name: string;
  readonly className: string;
  readonly config: Record<string, unknown>;
  readonly inbound: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const IDENTITY = new Set([
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
]);

/** Parse `model.json` (already JSON-parsed) and its shards. `source` names model.json in messages. */
export async function parseLayersModel(json: unknown, readShard: ReadShard, source = 'model.json'): Promise<ModelSpec> {
  try {
    return await parse(json, readShard, source);
  } catch (e) {
    // whatever went wrong, the message names the file (errors from here already do)
    const msg = e instanceof Error ? e.message : String(e);
    const folder = folderOf(source);
    if (msg.includes(source) || (folder && msg.includes(folder))) throw e;
    throw new Error(`${source}: ${msg}`, { cause: e });
  }
}

async function parse(json: unknown, readShard: ReadShard, source: string): Promise<ModelSpec> {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  checkDepth(json, source);
  if (!isObj(json)) return fail('is not a JSON object');
  if (!isObj(json.modelTopology)) return fail("has no 'modelTopology' object (is this a tfjs LayersModel model.json?)");
  if (json.format !== undefined && json.format !== 'layers-model') {
    return fail(`format is ${show(json.format)}; only 'layers-model' is supported (graph models cannot be stepped)`);
  }
  if (!Array.isArray(json.weightsManifest)) return fail("has no 'weightsManifest' array");
  const meta = readMeta(json.userDefinedMetadata, fail);
  const nodes = readTopology(json.modelTopology, fail);
  checkLayerGraph(nodes.layers, nodes.inputs, nodes.outputs, fail);
  const tensors = await readWeights(json.weightsManifest, readShard, source);
  const spec = buildSpec(nodes, tensors, meta, source);
  checkModel(spec);
  return spec;
}

function readMeta(v: unknown, fail: (m: string) => never): PulseMeta {
  if (v === undefined) return {};
  if (!isObj(v)) return fail(`'userDefinedMetadata' is ${show(v)}; it must be an object (holding the pulseRnn metadata), or be left out`);
  const m = v.pulseRnn;
  if (m === undefined) return {};
  if (!isObj(m)) return fail(`'userDefinedMetadata.pulseRnn' is ${show(m)}; it must be an object (encoding, stepsPerQuarter, …), or be left out`);
  return m as PulseMeta;
}

// ---- topology -------------------------------------------------------------------------

interface Topology {
  readonly layers: Map<string, LayerNode>;
  readonly inputs: string[];
  readonly outputs: string[];
}

function readTopology(topology: Obj, fail: (m: string) => never): Topology {
  const model = isObj(topology.model_config) ? topology.model_config : topology;
  const cls = model.class_name;
  const config = model.config;
  const layers = new Map<string, LayerNode>();
  const entryName = (l: unknown, i: number): LayerNode => {
    if (!isObj(l) || typeof l.class_name !== 'string') return fail(`modelTopology layer ${i} has no class_name`);
    const cfg = isObj(l.config) ? l.config : {};
    const name = typeof l.name === 'string' ? l.name : typeof cfg.name === 'string' ? cfg.name : `${l.class_name}_${i}`;
    if (name.length > MAX_NAME || l.class_name.length > MAX_NAME) fail(`modelTopology layer ${i} has a name or class_name of ${Math.max(name.length, l.class_name.length)} characters; at most ${MAX_NAME} are accepted`);
    if (CONTROL.test(name) || CONTROL.test(l.class_name)) fail(`modelTopology layer ${i} has a name or class_name holding a control character (${show(CONTROL.test(name) ? name : l.class_name)}); names are plain text`);
    return { name, className: l.class_name, config: cfg, inbound: [] };
  };
  // a second layer of the same name would take the first one's place in every link
  const unique = (node: LayerNode) => {
    if (layers.has(node.name)) fail(`two layers are named '${node.name}'; layer names must be unique`);
    layers.set(node.name, node);
  };
  if (cls === 'Sequential') {
    const list = Array.isArray(config) ? config : isObj(config) && Array.isArray(config.layers) ? config.layers : fail('Sequential model has no layers list');
    if (list.length === 0) return fail('Sequential model has no layers');
    let prev = '__input__';
    const first = entryName(list[0], 0);
    if (first.className !== 'InputLayer') {
      layers.set(prev, { name: prev, className: 'InputLayer', config: { batch_input_shape: first.config.batch_input_shape ?? first.config.batchInputShape, dtype: first.config.dtype, name: 'input' }, inbound: [] });
    }
    list.forEach((l: unknown, i: number) => {
      const node = entryName(l, i);
      if (i > 0 || node.className !== 'InputLayer') node.inbound.push(prev);
      unique(node);
      prev = node.name;
    });
    return { layers, inputs: [first.className === 'InputLayer' ? first.name : '__input__'], outputs: [prev] };
  }
  if (cls === 'Model' || cls === 'Functional') {
    if (!isObj(config) || !Array.isArray(config.layers)) return fail(`${cls} model has no layers list`);
    config.layers.forEach((l: unknown, i: number) => {
      const node = entryName(l, i);
      const inbound = isObj(l) ? l.inbound_nodes : undefined;
      if (Array.isArray(inbound) && inbound.some((n) => isObj(n) && ('args' in n || 'kwargs' in n))) {
        fail(`layer '${node.name}' lists its inputs in Keras 3's form ({ args, kwargs }), which tfjs model.json does not use; convert the model from Keras 2 (tf_keras) with tensorflowjs_converter`);
      }
      if (Array.isArray(inbound) && inbound.length > 1) fail(`layer '${node.name}' is used ${inbound.length} times; shared layers are not supported`);
      if (Array.isArray(inbound) && inbound.length === 1 && Array.isArray(inbound[0])) {
        for (const ref of inbound[0]) if (Array.isArray(ref) && typeof ref[0] === 'string') node.inbound.push(ref[0]);
      }
      unique(node);
    });
    const names = (v: unknown, what: string): string[] =>
      Array.isArray(v) ? v.map((r) => (Array.isArray(r) && typeof r[0] === 'string' ? r[0] : fail(`bad ${what} entry ${show(r)}`))) : fail(`${cls} model has no ${what}`);
    return { layers, inputs: names(config.input_layers, 'input_layers'), outputs: names(config.output_layers, 'output_layers') };
  }
  return fail(`model class ${show(cls)} is not supported (Sequential, Model or Functional)`);
}

// ---- weights ----------------------------------------------------------------------------

async function readWeights(manifest: unknown[], readShard: ReadShard, source: string): Promise<Map<string, Tensor>> {
  const tensors = new Map<string, Tensor>();
  const folder = folderOf(source);
  // every declaration and every path first, so a bogus one fails before any shard is read
  let declared = 0;
  const groups = manifest.map((group, g) => {
    const at = `${source}: weightsManifest[${g}]`;
    if (!isObj(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new Error(`${at} needs 'paths' and 'weights' arrays`);
    const entries = group.weights.map((w: unknown, i: number) => {
      if (!isObj(w) || typeof w.name !== 'string' || !Array.isArray(w.shape)) throw new Error(`${at}.weights[${i}] needs a name and a shape`);
      if (w.name.length > MAX_NAME) throw new Error(`${at}.weights[${i}] has a name of ${w.name.length} characters; at most ${MAX_NAME} are accepted`);
      if (CONTROL.test(w.name)) throw new Error(`${at}.weights[${i}] has a name holding a control character (${show(w.name)}); names are plain text`);
      const shape = w.shape as unknown[];
      if (!shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) throw new Error(`${at}: tensor '${w.name}' has a bad shape ${show(shape)}`);
      const count = (shape as number[]).reduce((a, b) => a * b, 1);
      if (count > MAX_ELEMENTS) throw new Error(`${at}: tensor '${w.name}' declares ${count} elements (shape ${show(shape)}), more than the ${MAX_ELEMENTS} allowed`);
      const dtype = typeof w.dtype === 'string' ? w.dtype : 'float32';
      const quantization = isObj(w.quantization) ? (w.quantization as unknown as Quantization) : undefined;
      let per: number;
      try {
        per = bytesPerElement(dtype, quantization);
      } catch (e) {
        throw new Error(`${at}: tensor '${w.name}': ${(e as Error).message}`);
      }
      return { name: w.name, shape: shape as number[], dtype, quantization, count, bytes: count * per };
    });
    const needed = entries.reduce((a, e) => a + e.bytes, 0);
    declared += needed;
    if (declared > MAX_WEIGHT_BYTES) throw new Error(`${at}: the tensors declared so far need ${declared} bytes, more than the ${MAX_WEIGHT_BYTES} (1 GiB) a model may hold`);
    const paths = (group.paths as unknown[]).map((p) => {
      if (typeof p !== 'string') throw new Error(`${at}: shard path ${show(p)} is not a string`);
      const problem = shardPathProblem(p);
      if (problem) throw new Error(`${at}: shard path ${show(p, 120)} ${problem}; shards are files inside the model's folder, named relative to model.json (like group1-shard1of1.bin)`);
      return p;
    });
    if (paths.length === 0 && needed > 0) throw new Error(`${at} declares ${needed} bytes of tensors but names no shard`);
    return { at, entries, needed, paths };
  });
  for (let g = 0; g < groups.length; g++) {
    const { entries, needed, paths } = groups[g];
    const fileNames = paths.map((f) => `${folder}${f}`).join(', ');
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const p of paths) {
      // a group's shards hold its tensors and nothing more: no shard may pass what is left
      const room = needed - total;
      let bytes: Uint8Array;
      try {
        bytes = await readShard(p, room);
      } catch (e) {
        throw new Error(`${folder}${p}: cannot read weights shard named in ${source} (${(e as Error).message})`);
      }
      const page = webPage(bytes);
      if (page) {
        const remedy = /^https?:/i.test(source) ? 'the server has no file at that address (check that the shard was uploaded beside model.json)' : 'save the shard itself there, not a web page';
        throw new Error(`${folder}${p}: ${bytes.length} bytes that begin ${show(page, 40)}; it is a web page (HTML), not weights: ${remedy}`);
      }
      if (bytes.length > room) {
        throw new Error(`${folder}${p}: ${total + bytes.length} bytes in the shards of ${source} weightsManifest[${g}] so far, more than the ${needed} its tensors declare (a shard of another model, or a damaged manifest?)`);
      }
      total += bytes.length;
      parts.push(bytes);
    }
    if (total < needed) {
      throw new Error(`${fileNames}: ${total} bytes, but the tensors of ${source} weightsManifest[${g}] need ${needed} (truncated shard?)`);
    }
    const all = parts.length === 1 ? parts[0] : concat(parts, total);
    let offset = 0;
    for (const e of entries) {
      const data = decodeTensor(all, offset, e.count, e.dtype, e.quantization);
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i])) throw new Error(`${fileNames}: tensor '${e.name}' element ${i} is ${data[i]}`);
      }
      tensors.set(e.name, { data, shape: e.shape, file: fileNames });
      offset += e.bytes;
    }
  }
  return tensors;
}

/**
 * The start of `bytes` when they are an HTML page (a server's "not found" page, or a web app
 * that answers every path with itself); weights never begin with a tag.
 */
function webPage(bytes: Uint8Array): string | null {
  const head = String.fromCharCode(...bytes.subarray(0, 64)).replace(/^\uFEFF|^\u00ef\u00bb\u00bf/, '');
  return /^\s*<(!doctype html|html|head|body)\b/i.test(head) ? head.trim().split('\n')[0] : null;
}

/** The folder part of `source` (with its slash): shards are named relative to model.json, and messages name them as the user would find them. */
const folderOf = (source: string): string => (source.includes('/') ? source.slice(0, source.lastIndexOf('/') + 1) : '');

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

// ---- building the spec ---------------------------------------------------------------------

function buildSpec(topo: Topology, tensors: Map<string, Tensor>, meta: PulseMeta, source: string): ModelSpec {
  const g = new Graph(topo, tensors, source);
  const { top, headChains } = findHeads(g);
  const { trunk, branches } = findTrunk(g, top);
  for (const b of branches) {
    const h = headChains.find((c) => c.conditionInput?.name === b.name);
    if (h) g.fail(`input '${b.name}' feeds both the recurrent layers and head '${h.name}'; a condition input feeds heads only`);
  }
  const inputs = readInputs(g, branches, meta);
  const width = inputs.reduce((a, s) => a + (s.kind === 'vector' ? s.size : s.embedding ? (s.embeddingDim as number) : s.vocab), 0);
  const layers = readRecurrent(g, trunk, width);
  const heads = readHeads(g, headChains, layers[layers.length - 1].units, headMeta(g, meta, headChains));
  return { inputs, layers, heads, meta, source };
}

/** The layer graph with its weights, and the checks every reading step shares; errors name the file. */
class Graph {
  constructor(
    private readonly topo: Topology,
    private readonly tensors: Map<string, Tensor>,
    private readonly source: string,
  ) {}

  readonly fail = (msg: string): never => {
    throw new Error(`${this.source}: ${msg}`);
  };

  get outputs(): readonly string[] {
    return this.topo.outputs;
  }

  layer(name: string): LayerNode {
    return this.topo.layers.get(name) ?? this.fail(`layer '${name}' is referenced but not defined`);
  }

  /** The one layer feeding `n`. */
  single(n: LayerNode): LayerNode {
    if (n.inbound.length !== 1) this.fail(`layer '${n.name}' (${n.className}) should have one input, has ${n.inbound.length}`);
    return this.layer(n.inbound[0]);
  }

  /** `n`, or the first layer below it that computes something (Dropout and the like are identities here). */
  skip(n: LayerNode): LayerNode {
    while (IDENTITY.has(n.className)) n = this.single(n);
    return n;
  }

  weight(n: LayerNode, suffix: string, shape: number[] | null): Float32Array | null {
    for (const [name, t] of this.tensors) {
      const clean = name.replace(/:0$/, '');
      if (clean.startsWith(`${n.name}/`) && clean.split('/').pop() === suffix) {
        if (shape && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
          this.fail(`tensor '${name}' in ${t.file} has shape [${t.shape}], but ${n.className} '${n.name}' needs [${shape}]`);
        }
        return t.data;
      }
    }
    return null;
  }

  required(n: LayerNode, suffix: string, shape: number[]): Float32Array {
    return this.weight(n, suffix, shape) ?? this.fail(`no weight '${n.name}/${suffix}' for ${n.className} '${n.name}' in the weights manifest`);
  }

  act(n: LayerNode, key: string, dflt: string): ActivationName {
    const v = n.config[key] ?? dflt;
    return activationName(v) ?? this.fail(`${n.className} '${n.name}': activation ${show(v)} is not supported`);
  }

  int(n: LayerNode, key: string): number {
    const v = n.config[key];
    return Number.isInteger(v) && (v as number) > 0 ? (v as number) : this.fail(`${n.className} '${n.name}': '${key}' is ${show(v)}, expected a positive integer`);
  }
}

/** An output's layers back to the top recurrent layer; a conditioned head's first Dense reads a Concatenate of that layer and `conditionInput`. */
type HeadChain = { name: string; chain: LayerNode[]; conditionInput?: LayerNode };

/** From each output back to the top recurrent layer, which all outputs must share. */
function findHeads(g: Graph): { top: LayerNode; headChains: HeadChain[] } {
  let top: LayerNode | null = null;
  const headChains: HeadChain[] = [];
  for (const out of g.outputs) {
    const chain: LayerNode[] = [];
    let n = g.skip(g.layer(out));
    let conditionInput: LayerNode | undefined;
    while (['Dense', 'TimeDistributed', 'Activation', 'Softmax'].includes(n.className)) {
      chain.unshift(n);
      n = g.skip(g.single(n));
      if (n.className === 'Concatenate' && chain.length > 0) {
        const [h, x] = conditionBranches(g, n, out);
        conditionInput = x;
        n = h;
        break;
      }
    }
    if (conditionInput) headChains.push({ name: out, chain, conditionInput });
    else headChains.push({ name: out, chain });
    if (n.className !== 'LSTM' && n.className !== 'GRU') g.fail(`output '${out}' does not come from an LSTM or GRU layer through Dense layers (found ${n.className} '${n.name}')`);
    if (top && top !== n) g.fail(`outputs come from different recurrent layers ('${top.name}' and '${n.name}')`);
    top = n;
  }
  if (!top) return g.fail('model has no outputs');
  return { top, headChains };
}

/** A conditioned head's Concatenate: the top recurrent layer first, then one model input. */
function conditionBranches(g: Graph, cat: LayerNode, out: string): [LayerNode, LayerNode] {
  const parts = cat.inbound.map((b) => g.skip(g.layer(b)));
  const [h, x] = parts;
  if (parts.length !== 2 || !h || !x || (h.className !== 'LSTM' && h.className !== 'GRU') || x.className !== 'InputLayer') {
    g.fail(`output '${out}' reads Concatenate '${cat.name}' of ${parts.map((p) => `${p.className} '${p.name}'`).join(', ')}; a conditioned head joins the top recurrent layer, then one input (the condition's one-hot)`);
  }
  if (cat.config.axis !== undefined && cat.config.axis !== -1 && cat.config.axis !== 2) {
    g.fail(`Concatenate '${cat.name}' joins along axis ${show(cat.config.axis)}; only the feature axis (-1) is supported`);
  }
  return [h, x];
}

/** What the metadata says of one head: the head whose token it reads, through which input, and its groups. */
interface HeadMeta {
  readonly condition?: string;
  readonly conditionInput?: string;
  readonly groups?: number;
}

/** `pulseRnn.heads`, by head name, checked against the graph: every conditioned head's condition is named, and its input is the one the graph joins. */
function headMeta(g: Graph, meta: PulseMeta, chains: readonly HeadChain[]): Map<string, HeadMeta> {
  const byName = new Map<string, HeadMeta>();
  const list = meta.heads;
  if (list !== undefined) {
    if (!Array.isArray(list)) g.fail(`metadata 'heads' is ${show(list)}; it must list { name, condition, conditionInput, groups } entries`);
    (list as unknown[]).forEach((e, i) => {
      const ok = isObj(e) && typeof e.name === 'string' && (e.condition === undefined || typeof e.condition === 'string') && (e.conditionInput === undefined || typeof e.conditionInput === 'string') && (e.groups === undefined || typeof e.groups === 'number');
      if (!ok) g.fail(`metadata 'heads[${i}]' is ${show(e)}; each entry is { name, condition?, conditionInput?, groups? } (strings, groups a number)`);
      const m = e as Obj;
      if (!chains.some((c) => c.name === m.name)) g.fail(`metadata 'heads[${i}]' names head '${m.name as string}', which is not an output of the model (${chains.map((c) => `'${c.name}'`).join(', ')})`);
      if (byName.has(m.name as string)) g.fail(`metadata 'heads' describes head '${m.name as string}' twice`);
      byName.set(m.name as string, m as HeadMeta);
    });
  }
  for (const c of chains) {
    const m = byName.get(c.name) ?? {};
    const x = c.conditionInput?.name;
    if (x !== undefined && m.condition === undefined) g.fail(`head '${c.name}' reads input '${x}' beside the recurrent layer, but metadata 'heads' names no condition head for it (its entry needs condition and conditionInput: '${x}')`);
    if (x === undefined && m.condition !== undefined) g.fail(`metadata 'heads' conditions head '${c.name}' on '${m.condition}', but its first Dense reads only the recurrent layer (no Concatenate with an input)`);
    if (x !== undefined && m.conditionInput !== x) g.fail(`metadata 'heads' says head '${c.name}' reads its condition at input ${show(m.conditionInput)}, but the graph joins input '${x}'`);
  }
  return byName;
}

/** The recurrent trunk, bottom first, and the branches feeding it (one, or a Concatenate's). */
function findTrunk(g: Graph, top: LayerNode): { trunk: LayerNode[]; branches: LayerNode[] } {
  const trunk: LayerNode[] = [];
  let n: LayerNode = top;
  while (n.className === 'LSTM' || n.className === 'GRU') {
    trunk.unshift(n);
    n = g.skip(g.single(n));
  }
  const branches = n.className === 'Concatenate' ? n.inbound.map((b) => g.skip(g.layer(b))) : [n];
  if (n.className === 'Concatenate' && n.config.axis !== undefined && n.config.axis !== -1 && n.config.axis !== 2) {
    g.fail(`Concatenate '${n.name}' joins along axis ${show(n.config.axis)}; only the feature axis (-1) is supported`);
  }
  return { trunk, branches };
}

/** Each branch as an input: an Embedding is a token, an Input a vector unless the metadata says one-hot. */
function readInputs(g: Graph, branches: LayerNode[], meta: PulseMeta): InputSpec[] {
  const metaInputs = Array.isArray(meta.inputs) ? (meta.inputs as Obj[]) : [];
  const lastDim = inputWidthOf;
  return branches.map((b, i): InputSpec => {
    if (b.className === 'Embedding') {
      if (b.config.mask_zero === true) g.fail(`Embedding '${b.name}' has mask_zero: true, which skips token-0 steps; a clocked engine plays every step (re-train without it)`);
      const inp = g.skip(g.single(b));
      if (inp.className !== 'InputLayer') g.fail(`Embedding '${b.name}' must read an input directly, reads ${inp.className} '${inp.name}'`);
      const vocab = g.int(b, 'input_dim');
      const dim = g.int(b, 'output_dim');
      return { kind: 'token', name: inp.config.name === 'input' ? 'input' : inp.name, vocab, embedding: g.required(b, 'embeddings', [vocab, dim]), embeddingDim: dim };
    }
    if (b.className !== 'InputLayer') g.fail(`layer '${b.name}' (${b.className}) cannot feed the recurrent layers; expected an Input, Embedding or Concatenate`);
    const size = lastDim(b) ?? g.fail(`input '${b.name}' has no feature size in its batch_input_shape`);
    const name = b.name === '__input__' ? 'input' : b.name;
    // a named entry describes the input of that name only; an unnamed entry, or any entry for a
    // Sequential model's implicit input (whose name the writer cannot know), applies by position
    const m = metaInputs.find((x) => x.name === name) ?? (b.name === '__input__' || metaInputs[i]?.name === undefined ? metaInputs[i] : undefined);
    return m && m.onehot === true ? { kind: 'token', name, vocab: size } : { kind: 'vector', name, size };
  });
}

/** The LSTM and GRU layers, bottom first, the first reading `width` input features. */
function readRecurrent(g: Graph, trunk: LayerNode[], width: number): RnnLayerSpec[] {
  return trunk.map((l) => {
    const units = g.int(l, 'units');
    const cell = l.className === 'LSTM' ? 'lstm' : 'gru';
    if (l.config.go_backwards === true) g.fail(`${l.className} '${l.name}' runs backwards; a real-time engine cannot`);
    const gates = (cell === 'lstm' ? 4 : 3) * units;
    const resetAfter = cell === 'gru' && l.config.reset_after === true;
    const useBias = l.config.use_bias !== false;
    const spec: RnnLayerSpec = {
      cell,
      name: l.name,
      units,
      inputSize: width,
      kernel: g.required(l, 'kernel', [width, gates]),
      recurrentKernel: g.required(l, 'recurrent_kernel', [units, gates]),
      bias: useBias ? g.required(l, 'bias', resetAfter ? [2, gates] : [gates]) : null,
      activation: g.act(l, 'activation', 'tanh'),
      recurrentActivation: g.act(l, 'recurrent_activation', 'hard_sigmoid'),
      resetAfter,
    };
    width = units;
    return spec;
  });
}

/** Each output's Dense layers over the top layer's `topWidth` units (and a condition input's); an Activation or Softmax layer folds into the Dense before it. */
function readHeads(g: Graph, headChains: HeadChain[], topWidth: number, metas: Map<string, HeadMeta>): HeadSpec[] {
  return headChains.map(({ name, chain, conditionInput }): HeadSpec => {
    const dense: DenseSpec[] = [];
    const extra = conditionInput ? inputWidthOf(conditionInput) ?? g.fail(`input '${conditionInput.name}' has no feature size in its batch_input_shape`) : 0;
    let w = topWidth + extra;
    for (const c of chain) {
      if (c.className === 'Activation' || c.className === 'Softmax') {
        const a = c.className === 'Softmax' ? 'softmax' : (c.config.activation as string);
        const prev = dense[dense.length - 1];
        if (!prev || prev.activation !== 'linear') g.fail(`${c.className} '${c.name}' must follow a Dense layer with a linear activation`);
        const resolved = a === 'softmax' ? 'softmax' : activationName(a) ?? g.fail(`Activation '${c.name}': '${a}' is not supported`);
        dense[dense.length - 1] = { ...prev, activation: resolved };
        continue;
      }
      const d = c.className === 'TimeDistributed' ? timeDistributedInner(c, g.fail) : c;
      const units = g.int(d, 'units');
      const a = d.config.activation === 'softmax' ? 'softmax' : g.act(d, 'activation', 'linear');
      dense.push({
        name: c.name,
        inputSize: w,
        units,
        kernel: g.required(c, 'kernel', [w, units]),
        bias: d.config.use_bias === false ? null : g.required(c, 'bias', [units]),
        activation: a,
      });
      w = units;
    }
    if (dense.length === 0) g.fail(`output '${name}' has no Dense layer`);
    const last = dense[dense.length - 1];
    // a sigmoid output is a row of independent Bernoulli units (a piano roll's keys)
    const bernoulli = last.activation === 'sigmoid';
    if (last.activation !== 'softmax' && last.activation !== 'linear' && !bernoulli) g.fail(`output '${name}' ends in '${last.activation}'; a head ends in softmax or linear logits, or sigmoid units`);
    const m = metas.get(name);
    const keyOrder = bernoulli ? readKeyOrder(g, chain.filter((c) => c.className === 'Dense' || c.className === 'TimeDistributed').pop() as LayerNode, w, topWidth) : undefined;
    return { name, layers: dense, size: w, ...(m?.condition !== undefined ? { condition: m.condition } : {}), ...(m?.groups !== undefined ? { groups: m.groups } : {}), ...(bernoulli ? { bernoulli } : {}), ...(keyOrder ? { keyOrder } : {}) };
  });
}

/**
 * A Bernoulli head's order over its keys (nade.ts), from the tensors the trainer writes beside
 * its last Dense: `<dense>/key_direct` [keys, keys]; `key_context_kernel` [top, hidden],
 * `key_context_bias` [hidden], `key_w` and `key_v` [keys, hidden]. A file without them (every
 * file before key orders) has independent keys.
 */
function readKeyOrder(g: Graph, last: LayerNode, keys: number, top: number): KeyOrderSpec | undefined {
  const direct = g.weight(last, 'key_direct', [keys, keys]);
  const ck = g.weight(last, 'key_context_kernel', null);
  if (!direct && !ck) return undefined;
  if (!ck) return { direct: direct as Float32Array };
  const hidden = ck.length / top;
  if (!(Number.isInteger(hidden) && hidden > 0)) g.fail(`tensor '${last.name}/key_context_kernel' holds ${ck.length} values, not a whole number of rows of the top layer's ${top} units`);
  const context: DenseSpec = { name: `${last.name}/key_context`, inputSize: top, units: hidden, kernel: g.required(last, 'key_context_kernel', [top, hidden]), bias: g.required(last, 'key_context_bias', [hidden]), activation: 'linear' };
  const nade = { hidden, context, W: g.required(last, 'key_w', [keys, hidden]), V: g.required(last, 'key_v', [keys, hidden]) };
  return direct ? { direct, nade } : { nade };
}

/** The feature size of an Input layer of shape [batch, time, features]. */
function inputWidthOf(inp: LayerNode): number | null {
  const shape = (inp.config.batch_input_shape ?? inp.config.batchInputShape ?? inp.config.batch_shape) as unknown;
  return Array.isArray(shape) && shape.length >= 3 && Number.isInteger(shape[shape.length - 1]) ? (shape[shape.length - 1] as number) : null;
}

function timeDistributedInner(c: LayerNode, fail: (m: string) => never): LayerNode {
  const inner = c.config.layer;
  if (!isObj(inner) || inner.class_name !== 'Dense' || !isObj(inner.config)) return fail(`TimeDistributed '${c.name}' must wrap a Dense layer`);
  return { name: c.name, className: 'Dense', config: inner.config, inbound: c.inbound };
}
