/**
 * Lines of src/ per room, the largest files, and every function over 60 lines (measured on the
 * TypeScript syntax tree, from its first line to its last), as JSON: the figures that say
 * whether a reader can still hold each file and function.
 *
 *   node scripts/code-size.mjs [repository folder, default .]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const LONG = 60;
const root = process.argv[2] ?? '.';

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

function nameOf(node) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText();
  if (ts.isVariableDeclaration(node.parent)) return node.parent.name.getText();
  return '(anonymous)';
}

const isFunction = (n) => ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n);

/** Each function of the file longer than LONG lines, as [file:line name, lines]. */
function longFunctions(file, text) {
  const found = [];
  const tree = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos) => tree.getLineAndCharacterOfPosition(pos).line;
  const visit = (node) => {
    if (isFunction(node)) {
      const first = lineOf(node.getStart());
      const lines = lineOf(node.getEnd()) - first + 1;
      if (lines > LONG) found.push([`${file}:${first + 1} ${nameOf(node)}`, lines]);
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

const rooms = {};
const sizes = [];
const functions = [];
for (const path of sources(join(root, 'src'))) {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  const file = relative(root, path);
  const room = file.split('/').slice(0, 2).join('/');
  rooms[room] = (rooms[room] ?? 0) + lines;
  sizes.push([file, lines]);
  functions.push(...longFunctions(file, text));
}
sizes.sort((a, b) => b[1] - a[1]);
functions.sort((a, b) => b[1] - a[1]);
console.log(
  JSON.stringify(
    {
      rooms,
      total: sizes.reduce((s, [, n]) => s + n, 0),
      files: sizes.length,
      largestFiles: sizes.slice(0, 12),
      over600: sizes.filter(([, n]) => n > 600),
      functionsOver60: functions,
      over80: functions.filter(([, n]) => n > 80).length,
    },
    null,
    1,
  ),
);
