#!/usr/bin/env node
// Lists every function, method and arrow function longer than N lines (default 80) in
// packages/*/src, test files excluded. Longest first.
//
//   node scripts/longFunctions.mjs [N]
//
// A function's length is its span in the file, first line to last line inclusive; a nested
// function is counted both on its own and inside the function that holds it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const limit = Number(process.argv[2] ?? 80);
if (!Number.isInteger(limit) || limit < 1) {
  console.error('usage: node scripts/longFunctions.mjs [N]  (N: a positive whole number of lines)');
  process.exit(2);
}

const isSource = (name) => /\.(ts|tsx|mts|cts)$/.test(name) && !/\.d\.ts$/.test(name);
const isTest = (name) => /\.(test|spec)\.(ts|tsx|mts|cts)$/.test(name);

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (isSource(entry) && !isTest(entry)) yield path;
  }
}

function nameOf(node) {
  const named = (n) =>
    n && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n)) ? n.text : undefined;
  const className = (n) => {
    const cls = n.parent;
    return cls && (ts.isClassDeclaration(cls) || ts.isClassExpression(cls))
      ? (named(cls.name) ?? '<class>')
      : undefined;
  };
  if (ts.isConstructorDeclaration(node)) return `${className(node) ?? '<class>'}.constructor`;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) {
    const owner = className(node);
    const method = named(node.name) ?? '<computed>';
    return owner ? `${owner}.${method}` : method;
  }
  const own = node.name ? named(node.name) : undefined;
  if (own) return own;
  // An arrow function or function expression: name it after what it is assigned to.
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return named(parent.name) ?? '<anonymous>';
  if (parent && ts.isPropertyAssignment(parent)) return named(parent.name) ?? '<anonymous>';
  if (parent && ts.isPropertyDeclaration(parent))
    return `${className(parent) ?? '<class>'}.${named(parent.name) ?? '<computed>'}`;
  if (parent && ts.isCallExpression(parent)) {
    const callee = parent.expression.getText().slice(0, 40);
    return `<callback of ${callee}>`;
  }
  return '<anonymous>';
}

const isFunctionLike = (node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessor(node) ||
  ts.isSetAccessor(node);

const found = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  try {
    if (!statSync(src).isDirectory()) continue;
  } catch {
    continue;
  }
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    const kind = file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
    const visit = (node) => {
      if (isFunctionLike(node) && node.body) {
        const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
        const lines = last - first + 1;
        if (lines > limit) found.push({ lines, name: nameOf(node), where: `${relative(root, file)}:${first}` });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
}

found.sort((a, b) => b.lines - a.lines || a.where.localeCompare(b.where));
console.log(`Functions over ${limit} lines in packages/*/src (tests excluded): ${found.length}`);
for (const f of found) console.log(`${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
