import { ancestorsOf, Engine, loadDocument, topologicalOrder, validateGraph } from '@ptp/graph-core';
import { createTestRegistry, generateGraph } from '@ptp/graph-core/testing';
import { fmt, measure } from './lib/measure.js';
import { printTable } from './lib/table.js';

/** Issue 2's figures: parse + validate + plan of a 1,000-node graph, and cached re-run overhead. */
export async function benchGraphCore(): Promise<void> {
  const NODES = 1000;
  const EDGES = 2000;
  const { registry, runs } = createTestRegistry();
  const doc = generateGraph(NODES, EDGES, 7);
  const text = JSON.stringify(doc);

  const jsonOnly = await measure(() => JSON.parse(text));
  const full = await measure(
    () => {
      const loaded = loadDocument(text, { registry });
      if (!loaded.ok) throw new Error('bench graph failed to load');
      const report = validateGraph(loaded.value, registry);
      if (!report.ok) throw new Error(`bench graph invalid: ${report.errors[0]?.message}`);
      return topologicalOrder(report.index, ancestorsOf(report.index, report.outputNodes));
    },
    { minRuns: 60, minMs: 1500 },
  );
  printTable(
    `parse + validate + plan: ${doc.nodes.length} nodes, ${doc.edges.length} edges (${(text.length / 1024).toFixed(0)} KiB JSON)`,
    ['what', 'median ms', 'p90 ms', 'runs', 'vs baseline', 'goal'],
    [
      ['baseline: JSON.parse only', fmt(jsonOnly.median), fmt(jsonOnly.p90), jsonOnly.runs, '1.0x', ''],
      [
        'parse + migrate + validate + plan',
        fmt(full.median),
        fmt(full.p90),
        full.runs,
        `${(full.median / jsonOnly.median).toFixed(1)}x`,
        `< 20 ms: ${full.median < 20 ? 'met' : 'MISSED'}`,
      ],
    ],
  );

  // Cached re-run: every node's outputs come from the cache; what remains is the engine itself.
  const loaded = loadDocument(text, { registry });
  if (!loaded.ok) throw new Error('bench graph failed to load');
  const order = topologicalOrder(
    validateGraph(loaded.value, registry).index,
    new Set(loaded.value.nodes.map((n) => n.id)),
  )!;
  const direct = await measure(() => {
    // Baseline: calling every node's run in order with plain objects, no engine at all.
    const values = new Map<string, Record<string, unknown>>();
    const byId = new Map(loaded.value.nodes.map((n) => [n.id, n]));
    const incoming = new Map<string, { from: string; out: string }[]>();
    for (const e of loaded.value.edges)
      (incoming.get(e.to.node) ?? incoming.set(e.to.node, []).get(e.to.node)!).push({
        from: e.from.node,
        out: e.from.output,
      });
    for (const id of order) {
      const node = byId.get(id)!;
      const ins = (incoming.get(id) ?? []).map((l) => values.get(l.from)![l.out] as number);
      const out =
        node.type === 'test.number'
          ? { value: node.params.value }
          : node.type === 'test.sum'
            ? { total: ins.reduce((a, b) => a + b, 0) }
            : { value: ins[0] };
      values.set(id, out);
    }
  });
  const uncached = await measure(
    async () => {
      const engine = new Engine(registry);
      await engine.run(loaded.value);
    },
    { minRuns: 10 },
  );
  const engine = new Engine(registry);
  await engine.run(loaded.value);
  runs.clear();
  const cached = await measure(() => engine.run(loaded.value));
  if (runs.size !== 0) throw new Error('cached re-run executed nodes');
  const perNode = (ms: number) => ms / NODES;
  printTable(
    `engine run of the same graph (${NODES} nodes): per-node overhead`,
    ['what', 'median ms (run)', 'ms per node', 'vs baseline', 'goal'],
    [
      ['baseline: direct calls in order, no engine', fmt(direct.median), fmt(perNode(direct.median), 5), '1.0x', ''],
      [
        'engine, cold cache (validate + execute all)',
        fmt(uncached.median),
        fmt(perNode(uncached.median), 5),
        `${(uncached.median / direct.median).toFixed(1)}x`,
        '',
      ],
      [
        'engine, fully cached re-run',
        fmt(cached.median),
        fmt(perNode(cached.median), 5),
        `${(cached.median / direct.median).toFixed(1)}x`,
        `< 0.05 ms/node: ${perNode(cached.median) < 0.05 ? 'met' : 'MISSED'}`,
      ],
    ],
  );
}
