import { describe, expect, it } from 'vitest';
import { NodePackageCollector, NODE_PACKAGE_API, type NodePackageApi } from './registerNodePackage.js';

const id = { name: 'demo', version: '1.0.0' };
const node = ({ defineNode, z }: NodePackageApi, type: string, extra: Record<string, unknown> = {}) =>
  defineNode({
    type,
    version: 1,
    title: 'Demo',
    category: 'demo',
    description: 'returns its number doubled',
    inputs: { value: { type: 'NUMBER' } },
    outputs: { value: { type: 'NUMBER' } },
    params: z.object({ factor: z.number().default(2) }),
    run: ({ value }, { factor }) => ({ value: (value as number) * factor }),
    ...extra,
  });
const moduleOf = (register: (api: NodePackageApi) => unknown) => async () => ({ register });

describe('NodePackageCollector', () => {
  it('registers the definitions register() returns, each with its origin', async () => {
    const collector = new NodePackageCollector();
    const types = await collector.add(
      { ...id, module: '/node-packages/demo/nodes.js' },
      moduleOf((api) => [node(api, 'demo.double')]),
    );
    expect(types).toEqual(['demo.double']);
    expect(collector.nodes[0]!.origin).toEqual({ package: 'demo@1.0.0' });
    expect(collector.packages).toEqual([
      { name: 'demo', version: '1.0.0', module: '/node-packages/demo/nodes.js', types: ['demo.double'] },
    ]);
    expect(collector.problems).toEqual([]);
  });

  it('reports and skips a package that throws, exports no register, or returns no array', async () => {
    const collector = new NodePackageCollector();
    await collector.add({ name: 'a', version: '1' }, () => Promise.reject(new SyntaxError('Unexpected token')));
    await collector.add({ name: 'b', version: '1' }, async () => ({ nodes: [] }));
    await collector.add(
      { name: 'c', version: '1' },
      moduleOf(() => {
        throw new Error('boom');
      }),
    );
    await collector.add(
      { name: 'd', version: '1' },
      moduleOf(() => 'nope'),
    );
    expect(collector.problems.map((p) => [p.package, p.code])).toEqual([
      ['a@1', 'PACKAGE_LOAD_FAILED'],
      ['b@1', 'PACKAGE_INVALID'],
      ['c@1', 'PACKAGE_LOAD_FAILED'],
      ['d@1', 'PACKAGE_INVALID'],
    ]);
    expect(collector.problems[0]!.message).toContain('Unexpected token');
    expect(collector.nodes).toEqual([]);
    expect(collector.packages).toEqual([]);
  });

  it('refuses bad definitions and taken types one by one, keeping the good ones', async () => {
    const collector = new NodePackageCollector();
    await collector.add(
      id,
      moduleOf((api) => [
        node(api, 'demo.ok'),
        node(api, 'ptp.saveImage'),
        node(api, 'nodots'),
        node(api, 'demo.badSocket', { inputs: { x: { type: 'NOPE' } } }),
        node(api, 'demo.noRun', { run: 'no' }),
        node(api, 'demo.plainParams', { params: { factor: 2 } }),
        null,
      ]),
    );
    await collector.add(
      { name: 'other', version: '2.0.0' },
      moduleOf((api) => [node(api, 'demo.ok')]),
    );
    expect(collector.nodes.map((n) => n.type)).toEqual(['demo.ok']);
    expect(collector.problems.map((p) => [p.code, p.nodeType])).toEqual([
      ['NODE_INVALID', 'ptp.saveImage'],
      ['NODE_INVALID', 'nodots'],
      ['NODE_INVALID', 'demo.badSocket'],
      ['NODE_INVALID', 'demo.noRun'],
      ['NODE_INVALID', 'demo.plainParams'],
      ['NODE_INVALID', undefined],
      ['NODE_TYPE_TAKEN', 'demo.ok'],
    ]);
    expect(collector.problems.at(-1)!.message).toContain('demo@1.0.0');
    expect(collector.packages.map((p) => p.name)).toEqual(['demo']);
  });

  it('refuses a second package of the same name', async () => {
    const collector = new NodePackageCollector();
    await collector.add(
      id,
      moduleOf((api) => [node(api, 'demo.a')]),
    );
    await collector.add(
      { ...id, version: '2.0.0' },
      moduleOf((api) => [node(api, 'demo.b')]),
    );
    expect(collector.problems.map((p) => p.code)).toEqual(['PACKAGE_DUPLICATE']);
  });

  it('hands packages the project API, frozen', () => {
    expect(Object.isFrozen(NODE_PACKAGE_API)).toBe(true);
    expect(NODE_PACKAGE_API.apiVersion).toBe(1);
  });
});
