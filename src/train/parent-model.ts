/**
 * The model a fine-tuning run starts from (`train --from <folder>`): read as the engine reads
 * it, its encoding and shape turned into the run's settings, its encoding's parameters (melody
 * range, note-event tables, frames per quarter, key order) into what the task is built with,
 * so the task's vocabulary and inputs are the parent's, and its weights into the training
 * model's variables, every one of them.
 *
 * A model the trainer could not have made (an RNN-Drummer pair, embeddings, deeper heads, a
 * GRU with the reset gate after its product, layers of unequal width) is refused by name.
 *
 * @example
 * const parent = await readParent('weights/drums-gmd');
 * parent.record.settings; // { encoding: 'drum-grid', cell: 'lstm', units: 256, layers: 2, dropout: 0.3 }
 * await model.setState({ weights: parentWeights(parent, model.shape), optimizer: [], lr: 5e-4 });
 */
import { realOrResolved } from '../io/real-path.js';
import type { DenseSpec, ModelSpec } from '../engine/model.js';
import { loadModelSpec } from '../io/model-files.js';
import { ROLES, type EventTables } from './events-dataset.js';
import { NADE_UNITS, type KeyOrderName } from './piano-roll-data.js';
import { headKey, variableNames, type RnnShape } from './rnn-model.js';

/** The encodings the trainer has; a parent of another cannot be fine-tuned. */
const TRAINABLE = ['drum-grid', 'drum-expressive', 'melody-grid', 'note-events', 'piano-roll'] as const;
export type TrainableEncoding = (typeof TRAINABLE)[number];

/** What a fine-tuning run records of its parent: in the checkpoint (so `--resume` builds the same task) and, but for `path` and `build`, in the model's metadata. */
export interface ParentRecord {
  /** The folder as the command named it. */
  model: string;
  /** Its real path: the same parent by any spelling. */
  path: string;
  encoding: TrainableEncoding;
  /** The parent's own validation NLL, as its metadata records it. */
  validationNll: number | null;
  /** The command that trained the parent, as its metadata records it. */
  command: string | null;
  /** The run's settings the parent fixes, and the dropout its own run used (else 0.3). */
  settings: { encoding: TrainableEncoding; cell: 'lstm' | 'gru'; units: number; layers: number; dropout: number; stepsPerQuarter?: number; keyOrder?: KeyOrderName };
  /** What the task is built with, so its vocabulary equals the parent's. */
  build: { stepsPerQuarter?: number; minPitch?: number; maxPitch?: number; tables?: EventTables };
}

export interface Parent {
  record: ParentRecord;
  spec: ModelSpec;
}

type Obj = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Read the model in `folder` for fine-tuning; every way it cannot be is an Error naming the folder or file. */
export async function readParent(folder: string): Promise<Parent> {
  let spec: ModelSpec;
  try {
    spec = await loadModelSpec(folder);
  } catch (e) {
    throw new Error(`--from ${folder}: cannot fine-tune from it: ${(e as Error).message}`);
  }
  const refuse = (why: string): never => {
    throw new Error(`--from ${folder}: cannot fine-tune from it: ${why}`);
  };
  const meta = spec.meta as Obj;
  const encoding = meta.encoding;
  if (encoding === 'drummer-events') refuse('it is an RNN-Drummer model (Wx.bin + Wy.bin), and the trainer has no drummer-events encoding to train one; fine-tune a drum-grid or drum-expressive model instead (e.g. --from weights/drums-gmd)');
  if (!(TRAINABLE as readonly unknown[]).includes(encoding)) refuse(`its model.json metadata 'encoding' is ${JSON.stringify(encoding) ?? 'missing'}; the trainer fine-tunes ${TRAINABLE.join(', ')} models`);
  const settings = { encoding: encoding as TrainableEncoding, ...shapeOf(spec, refuse), dropout: dropoutOf(meta) };
  const build: ParentRecord['build'] = {};
  const spq = num(meta.stepsPerQuarter);
  if (encoding === 'drum-grid' || encoding === 'melody-grid') build.stepsPerQuarter = spq ?? 4;
  if (encoding === 'melody-grid') Object.assign(build, { minPitch: num(meta.minPitch) ?? 48, maxPitch: num(meta.maxPitch) ?? 84 });
  if (encoding === 'note-events') build.tables = tablesOf(meta, refuse);
  const piano = encoding === 'piano-roll' ? { stepsPerQuarter: spq ?? 4, keyOrder: keyOrderOf(spec, refuse) } : {};
  const training = (meta.training ?? {}) as Obj;
  const record: ParentRecord = {
    model: folder,
    path: realOrResolved(folder),
    encoding: encoding as TrainableEncoding,
    validationNll: num(meta.validationNll) ?? null,
    command: typeof training.command === 'string' ? training.command : null,
    settings: { ...settings, ...piano },
    build,
  };
  return { record, spec };
}

/** Cell, units and layers, when the trainer could have made these layers and heads. */
function shapeOf(spec: ModelSpec, refuse: (why: string) => never): { cell: 'lstm' | 'gru'; units: number; layers: number } {
  const first = spec.layers[0];
  for (const l of spec.layers) {
    if (l.cell !== first.cell || l.units !== first.units) refuse(`its layers differ (${spec.layers.map((x) => `${x.cell} ${x.units}`).join(', ')}); the trainer stacks layers of one cell and width`);
    if (l.cell === 'gru' && l.resetAfter) refuse(`layer '${l.name}' is a GRU with the reset gate after its recurrent product (Keras 2's reset_after), which the trainer does not train`);
    if (l.activation !== 'tanh' || l.recurrentActivation !== 'sigmoid') refuse(`layer '${l.name}' uses ${l.activation}/${l.recurrentActivation}; the trainer's cells use tanh/sigmoid`);
  }
  for (const x of spec.inputs) if (x.kind === 'token' && x.embedding) refuse(`input '${x.name}' has an embedding; the trainer reads inputs one-hot`);
  for (const h of spec.heads) if (h.layers.length !== 1) refuse(`head '${h.name}' has ${h.layers.length} dense layers; the trainer's heads have one`);
  return { cell: first.cell, units: first.units, layers: spec.layers.length };
}

/** The dropout the parent's run used, if its metadata records it; else 0.3. */
function dropoutOf(meta: Obj): number {
  const d = num(((meta.training ?? {}) as Obj).dropout);
  return d !== undefined && d >= 0 && d < 1 ? d : 0.3;
}

/** A note-event parent's tables, in the trainer's head order. */
function tablesOf(meta: Obj, refuse: (why: string) => never): EventTables {
  const t = meta.tables as Obj;
  const roles = (meta.headRoles as string[] | undefined) ?? ROLES;
  if (roles.length !== ROLES.length || roles.some((r, i) => r !== ROLES[i]) || ROLES.some((r) => !Array.isArray(t[r]))) {
    refuse(`its heads are ${roles.join(', ')}; the trainer's note-event models have ${ROLES.join(', ')}, in that order`);
  }
  return Object.fromEntries(ROLES.map((r) => [r, (t[r] as number[]).slice()])) as unknown as EventTables;
}

/** A piano roll's key order, as `--key-order` names it. */
function keyOrderOf(spec: ModelSpec, refuse: (why: string) => never): KeyOrderName {
  const o = spec.heads[0].keyOrder;
  if (!o) return 'independent';
  if (!o.nade) return 'direct';
  if (o.nade.hidden !== NADE_UNITS) refuse(`its key order's NADE has ${o.nade.hidden} units; the trainer's has ${NADE_UNITS}`);
  return o.direct ? 'nade+direct' : 'nade';
}

/**
 * The parent's weights as the training model's variables of `shape` (checked against it:
 * the same inputs, heads and sizes), for `RnnModel.setState`.
 */
export function parentWeights(parent: Parent, shape: RnnShape): Record<string, Float32Array> {
  const { spec, record } = parent;
  const fail = (why: string): never => {
    throw new Error(`--from ${record.model}: its network does not fit the ${record.encoding} task built for this folder: ${why}`);
  };
  const widths = shape.inputs.map((f) => f.vocab);
  const theirs = spec.inputs.map((x) => (x.kind === 'token' ? x.vocab : x.size));
  if (widths.join() !== theirs.join()) fail(`its inputs are ${spec.inputs.map((x, i) => `'${x.name}' ${theirs[i]}`).join(', ')}; the task's are ${shape.inputs.map((f) => `'${f.name}' ${f.vocab}`).join(', ')}`);
  const sizes = shape.heads.map((f) => f.vocab);
  if (sizes.join() !== spec.heads.map((h) => h.size).join()) fail(`its heads are ${spec.heads.map((h) => `'${h.name}' ${h.size}`).join(', ')}; the task's are ${shape.heads.map((f) => `'${f.name}' ${f.vocab}`).join(', ')}`);
  const u = shape.units;
  const w: Record<string, Float32Array> = {};
  spec.layers.forEach((l, i) => {
    const g = l.kernel.length / l.inputSize;
    if (i === 0) {
      let row = 0;
      shape.inputs.forEach((f) => {
        w[`l0_${f.key}`] = l.kernel.slice(row * g, (row + f.vocab) * g);
        row += f.vocab;
      });
    } else w[`l${i}_in`] = l.kernel.slice();
    if (shape.cell === 'gru') {
      // Keras lays z|r|h side by side in each row; the trainer keeps z|r and h apart
      const zr = new Float32Array(u * 2 * u);
      const hh = new Float32Array(u * u);
      for (let r = 0; r < u; r++) {
        zr.set(l.recurrentKernel.subarray(r * 3 * u, r * 3 * u + 2 * u), r * 2 * u);
        hh.set(l.recurrentKernel.subarray(r * 3 * u + 2 * u, (r + 1) * 3 * u), r * u);
      }
      w[`l${i}_rec_zr`] = zr;
      w[`l${i}_rec_h`] = hh;
    } else w[`l${i}_rec`] = l.recurrentKernel.slice();
    w[`l${i}_bias`] = l.bias ? l.bias.slice() : new Float32Array(g);
  });
  shape.heads.forEach((f, h) => headWeights(w, shape, h, spec.heads[h].layers[0], spec.heads[h].keyOrder));
  for (const n of variableNames(shape)) if (!w[n]) fail(`it has nothing for the task's weight '${n}'`);
  return w;
}

/** Head `h`'s kernel (the top layer's rows), its condition's rows, bias and key order. */
function headWeights(w: Record<string, Float32Array>, shape: RnnShape, h: number, dense: DenseSpec, order: ModelSpec['heads'][number]['keyOrder']): void {
  const f = shape.heads[h];
  const top = shape.units * f.vocab;
  w[headKey(shape, h, 'kernel')] = dense.kernel.slice(0, top);
  if (f.condition !== undefined && dense.kernel.length > top) w[headKey(shape, h, 'cond')] = dense.kernel.slice(top);
  w[headKey(shape, h, 'bias')] = dense.bias ? dense.bias.slice() : new Float32Array(f.vocab);
  if (order?.direct) w[headKey(shape, h, 'direct')] = order.direct.slice();
  if (order?.nade) {
    const c = order.nade.context;
    w[headKey(shape, h, 'nade_ck')] = c.kernel.slice();
    w[headKey(shape, h, 'nade_cb')] = c.bias ? c.bias.slice() : new Float32Array(order.nade.hidden);
    w[headKey(shape, h, 'nade_w')] = order.nade.W.slice();
    w[headKey(shape, h, 'nade_v')] = order.nade.V.slice();
  }
}

/** Flags given against what the parent fixes, as "--flag given (the parent's: value)". */
export function parentConflicts(given: { encoding?: string; cell?: string; units?: number; layers?: number; stepsPerQuarter?: number; keyOrder?: string }, parent: ParentRecord): string[] {
  const s = parent.settings;
  const pairs: [string, unknown, unknown][] = [
    ['--encoding', given.encoding, s.encoding],
    ['--cell', given.cell, s.cell],
    ['--units', given.units, s.units],
    ['--layers', given.layers, s.layers],
    ['--steps-per-quarter', given.stepsPerQuarter, s.stepsPerQuarter ?? parent.build.stepsPerQuarter],
    ['--key-order', given.keyOrder, s.keyOrder],
  ];
  return pairs.filter(([, g, p]) => g !== undefined && g !== p).map(([flag, g, p]) => `${flag} ${String(g)} (the parent's: ${p === undefined ? `none, a ${s.encoding} model has no such setting` : String(p)})`);
}
