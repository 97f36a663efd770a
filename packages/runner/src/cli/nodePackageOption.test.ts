import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CatalogueSchema } from '@ptp/graph-core';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './testCli.js';
import { REPO_ROOT } from '../repoRoot.js';

const EXAMPLES = path.join(REPO_ROOT, 'examples/node-packages');
const dir = mkdtempSync(path.join(tmpdir(), 'ptp-cli-node-packages-'));

/** A folder holding one package whose register() throws. */
function brokenPackages(): string {
  const root = path.join(dir, 'broken-packages');
  mkdirSync(path.join(root, 'bad'), { recursive: true });
  writeFileSync(
    path.join(root, 'bad/package.json'),
    JSON.stringify({ name: 'bad', version: '1.0.0', ptpNodes: 'x.js' }),
  );
  writeFileSync(path.join(root, 'bad/x.js'), 'export function register() { throw new Error("nope"); }');
  return root;
}

const saved = process.env.PTP_NODE_PACKAGES;
afterEach(() => {
  if (saved === undefined) delete process.env.PTP_NODE_PACKAGES;
  else process.env.PTP_NODE_PACKAGES = saved;
});

describe('ptp with node packages', () => {
  it('catalog: lists the package types with their origin; a broken package from $PTP_NODE_PACKAGES goes to stderr', async () => {
    process.env.PTP_NODE_PACKAGES = brokenPackages();
    const r = await cli('catalog', '--node-packages', EXAMPLES);
    expect(r.code).toBe(0);
    const catalogue = CatalogueSchema.parse(JSON.parse(r.out));
    expect(catalogue.nodes.find((n) => n.type === 'example.invertColors')?.origin).toEqual({
      package: 'ptp-example-invert@1.0.0',
    });
    expect(catalogue.nodePackages).toEqual([
      { name: 'ptp-example-invert', version: '1.0.0', types: ['example.invertColors'] },
    ]);
    expect(catalogue.packageProblems?.map((p) => p.code)).toEqual(['PACKAGE_LOAD_FAILED']);
    expect(r.err).toMatch(/node package bad@1\.0\.0: loading failed: nope \[PACKAGE_LOAD_FAILED\]; skipped/);
  });

  it('run: executes a graph with the example node; without the package the type is unknown', async () => {
    const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples/tiny-generate.json'), 'utf8'));
    doc.nodes.find((n: { id: string }) => n.id === 'sample').params.steps = 2;
    doc.nodes.push({ id: 'invert', type: 'example.invertColors', typeVersion: 1, params: {} });
    doc.edges = doc.edges.filter((e: { to: { node: string } }) => e.to.node !== 'save');
    doc.edges.push(
      { id: 'a', from: { node: 'decode', output: 'image' }, to: { node: 'invert', input: 'image' } },
      { id: 'b', from: { node: 'invert', output: 'image' }, to: { node: 'save', input: 'image' } },
    );
    const file = path.join(dir, 'inverted.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = path.join(dir, 'out');
    const r = await cli('run', file, '--out', out, '--node-packages', EXAMPLES);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(1);

    const without = await cli('validate', file);
    expect(without.code).toBe(1);
    expect(without.out).toMatch(/UNKNOWN_NODE_TYPE.*example\.invertColors/);
  });
});
