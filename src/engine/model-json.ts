/**
 * model.json as text and as parsed JSON: the checks every loader shares before it looks at a
 * single field, so a damaged or hostile file fails with its name instead of a stack overflow.
 *
 * @example
 * const json = parseModelJson(text, 'weights/drums/model.json'); // BOM accepted, depth checked
 * checkDepth(someObject, 'model.json');                        // for JSON parsed elsewhere
 */

/** Deepest nesting accepted; a real model.json nests about 10 levels (Keras's inbound_nodes). */
export const MAX_JSON_DEPTH = 100;

/** Largest model.json a loader reads; a real one is a few kilobytes. */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/** Parse model.json text (a UTF-8 byte-order mark is allowed); errors name `source`. */
export function parseModelJson(text: string, source: string): unknown {
  // the mark decoded, or its three bytes read one character each (readers without a UTF-8 decoder)
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text.startsWith('\u00ef\u00bb\u00bf') ? text.slice(3) : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const start = body.trimStart().slice(0, 15);
    const hint = start.startsWith('<') ? ' (it looks like HTML, not model.json)' : '';
    throw new Error(`${source}: not valid JSON${hint}: ${escapeControl((e as Error).message)}`);
  }
  checkDepth(json, source);
  return json;
}

/**
 * Refuse JSON nested deeper than `MAX_JSON_DEPTH`, naming where: anything deeper would only
 * overflow the stack of whatever walks it later (JSON.stringify in a message, a codec).
 * Walks with its own stack, so it cannot overflow itself.
 */
export function checkDepth(value: unknown, source: string, max = MAX_JSON_DEPTH): void {
  const stack: { v: unknown; depth: number; parent: number; key: string }[] = [{ v: value, depth: 0, parent: -1, key: '' }];
  const seen: { parent: number; key: string }[] = [];
  while (stack.length > 0) {
    const { v, depth, parent, key } = stack.pop() as (typeof stack)[number];
    if (typeof v !== 'object' || v === null) continue;
    const me = seen.push({ parent, key }) - 1;
    if (depth >= max) throw new Error(`${source}: nested more than ${max} levels deep at ${pathOf(seen, me)}; no model.json is this deep (the file is damaged or not a model)`);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, parent: me, key: `[${i}]` });
    } else {
      for (const k of Object.keys(v)) stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1, parent: me, key: /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]` });
    }
  }
}

function pathOf(seen: readonly { parent: number; key: string }[], at: number): string {
  const keys: string[] = [];
  for (let i = at; i >= 0; i = seen[i].parent) keys.push(seen[i].key);
  keys.reverse();
  const path = keys.join('').replace(/^\./, '') || '(top level)';
  // 100 levels of "[0]" tell nothing more than the first few
  return path.length > 120 ? `${path.slice(0, 120)}…` : path;
}

/** A value for a message, never longer than `max` characters (and safe on any JSON value). */
export function show(v: unknown, max = 60): string {
  let s: string;
  try {
    s = typeof v === 'string' ? `'${escapeControl(v.length > max ? v.slice(0, max) : v)}'` : JSON.stringify(v) ?? String(v);
  } catch {
    s = Array.isArray(v) ? `[array of ${v.length}]` : String(v);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * `text` with its control characters written as \u escapes: messages quote what a file holds,
 * and a terminal would obey the escapes in it (clear the screen, retitle the window).
 */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
