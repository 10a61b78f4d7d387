/**
 * A deep copy of plain data: numbers, strings, booleans, null and undefined as they are;
 * typed arrays, arrays, Maps and plain objects copied all the way down. Anything else (a class
 * instance, a function, a Set, a Date) throws and names itself and where it was found, so a
 * record that must be copyable by rule (the Generator's state) cannot quietly hold something
 * a copy would share.
 *
 * @example
 * const a = { slots: [new Float32Array(4)], edits: new Map([[3, ['kick']]]) };
 * const b = deepCopy(a);                  // b.slots[0] !== a.slots[0]
 * deepCopy({ rng: new Rng(1) });          // throws "deepCopy: rng is a Rng, not plain data"
 */
export function deepCopy<T>(value: T, path = 'value'): T {
  return copy(value, path) as T;
}

function copy(v: unknown, path: string): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new Error(`deepCopy: ${path} is a ${typeof v}, not plain data`);
    return v;
  }
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) throw new Error(`deepCopy: ${path} is a DataView, not plain data`);
    return (v as unknown as { slice(): unknown }).slice();
  }
  if (Array.isArray(v)) return v.map((x, i) => copy(x, `${path}[${i}]`));
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v) out.set(copy(k, `${path} key`), copy(x, `${path}.get(${String(k)})`));
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw new Error(`deepCopy: ${path} is a ${proto?.constructor?.name ?? 'class instance'}, not plain data`);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k], `${path}.${k}`);
  return out;
}
