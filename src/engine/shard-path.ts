/**
 * Which weight-shard paths a model.json may name: plain relative paths that stay inside the
 * model's folder, the same on a disk, behind a web server and in Max. A path is checked as
 * text here, before any reader sees it; readers that can (Node) also check where a path
 * really leads (symbolic links).
 *
 * @example
 * shardPathProblem('group1-shard1of1.bin'); // null: fine
 * shardPathProblem('../../dev/zero');       // 'climbs out of the model's folder with ".."'
 */

/** Why `p` is not an acceptable shard path, or null when it is. */
export function shardPathProblem(p: string): string | null {
  if (p.length === 0) return 'is empty';
  if (p.length > 1024) return `is ${p.length} characters long`;
  // decode %xx as a web server would (repeatedly: %252e%252e is %2e%2e is ..)
  let decoded = p;
  for (let i = 0; i < 4 && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      return 'has a malformed %-escape';
    }
  }
  if (/%[0-9a-f]{2}/i.test(decoded)) return 'is %-encoded over and over';
  if (/[\0-\x1f\x7f]/.test(decoded)) return 'holds a control character (NUL or another byte below 0x20)';
  if (decoded.includes('\\')) return 'holds a backslash; write folders with "/"';
  if (decoded.startsWith('/')) return 'is absolute; it must be relative to model.json';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(decoded)) return 'names a scheme or drive (like http:, file:, data: or C:); it must be a path relative to model.json';
  if (/[?#]/.test(p)) return 'holds "?" or "#"; it must be a plain file path';
  const segments = decoded.split('/');
  if (segments.includes('..')) {
    // "sub/../w.bin" stays inside, but a reader that follows "sub" through a link would not:
    // refused all the same, with the name to use instead
    const inside: string[] = [];
    for (const seg of segments) {
      if (seg !== '..') inside.push(seg);
      else if (inside.pop() === undefined) return 'climbs out of the model\'s folder with ".."';
    }
    return `goes through ".."; name the shard without it (${JSON.stringify(inside.filter((x) => x !== '.').join('/'))})`;
  }
  if (segments.some((s) => s === '')) return 'has an empty folder name ("//")';
  if (segments[segments.length - 1] === '.') return 'names a folder, not a file';
  return null;
}
