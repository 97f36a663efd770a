import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './repoRoot.js';
import { paramProblem, parseSetArg } from './workflowParams.js';

const registry = createNodeRegistry();
const loaded = loadDocument(readFileSync(path.join(REPO_ROOT, 'examples/word-swap.json'), 'utf8'), { registry });
if (!loaded.ok) throw new Error('examples/word-swap.json does not load');
const doc = loaded.value;
const problemOf = (assignment: string) => {
  const parsed = parseSetArg(assignment);
  if (!parsed.ok) return parsed.message;
  return paramProblem(doc, registry, parsed.nodeId, parsed.param, parsed.value);
};

describe('--set values', () => {
  it('says what is wrong with a value, as the value was read', () => {
    expect(problemOf('capture.steps=12')).toBeUndefined();
    expect(problemOf('capture.steps=abc')).toMatch(
      /^capture.steps = "abc": must be a number \(got a string\) \(the value is read as JSON/,
    );
    // 1e400 reads as Infinity: named so, not as JSON's null, and without the JSON hint.
    expect(problemOf('capture.steps=1e400')).toBe('capture.steps = Infinity: must be a number (got Infinity)');
    expect(problemOf('capture.bogus=1')).toMatch(/^node "capture" \(ptp.captureSource\) has no param "bogus"/);
  });
});
