import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CatalogueSchema, CURRENT_SCHEMA_VERSION } from '@ptp/graph-core';
import { PTP_MANIFEST_VERSION } from '@ptp/nodes/diffusion';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot } from './testCli.js';
import { COMMAND_USAGE } from './main.js';
import { CATALOG_OPTIONS } from './commands/catalogCommand.js';
import { EXTRACT_OPTIONS } from './commands/extractCommand.js';
import { MODELS_IMPORT_OPTIONS, MODELS_LIST_OPTIONS } from './commands/modelsCommand.js';
import { PARITY_OPTIONS } from './commands/parityCommand.js';
import { QUALITY_OPTIONS } from './commands/qualityCommand.js';
import { QUEUE_OPTIONS } from './commands/queueCommand.js';
import { RUN_OPTIONS } from './commands/runCommand.js';
import { SERVE_OPTIONS } from './commands/serveCommand.js';
import { SWEEP_OPTIONS } from './commands/sweepCommand.js';
import { TUNE_OPTIONS } from './commands/tuneCommand.js';
import { VALIDATE_OPTIONS } from './commands/validateCommand.js';
import { WORKER_OPTIONS } from './commands/workerCommand.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ptp-cli-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('ptp CLI', () => {
  it('validate: exit 0 for a valid document', async () => {
    const r = await cli('validate', path.join(repoRoot, 'examples/schedule-preview.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok /);
  });

  it('validate: exit 1 with every problem, as JSON with --json', async () => {
    const file = write(
      'bad.json',
      JSON.stringify({
        schemaVersion: 3,
        nodes: [
          { id: 'p', type: 'ptp.prompt', typeVersion: 1, params: { text: 42 } },
          { id: 'x', type: 'vendor.unknown', typeVersion: 1 },
          { id: 's', type: 'ptp.injectionSchedule', typeVersion: 1, params: { self: 7 } },
          { id: 'o', type: 'ptp.showValue', typeVersion: 1 },
        ],
        edges: [
          { from: { node: 'p', output: 'prompt' }, to: { node: 's', input: 'source' } },
          { from: { node: 's', output: 'schedule' }, to: { node: 'o', input: 'value' } },
        ],
      }),
    );
    const r = await cli('validate', file, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.ok).toBe(false);
    const found = report.errors
      .map(
        (e: { code: string; nodeId?: string; input?: string; param?: string }) =>
          `${e.code}:${e.nodeId}:${e.input ?? e.param ?? ''}`,
      )
      .sort();
    expect(found).toEqual([
      'INVALID_PARAM:p:text',
      'INVALID_PARAM:s:self',
      'MISSING_INPUT:s:target',
      'UNKNOWN_NODE_TYPE:x:',
    ]);
    const human = await cli('validate', file);
    expect(human.code).toBe(1);
    expect(human.out).toContain('4 problems');
    expect(human.out).toContain('UNKNOWN_NODE_TYPE [node x (vendor.unknown)]');
  });

  it('validate: a stray node (feeding no output) is a warning, as `ptp run` skips it', async () => {
    const doc = JSON.parse(readFileSync(path.join(repoRoot, 'examples/word-swap.json'), 'utf8'));
    doc.nodes.push({ id: 'stray', type: 'ptp.decode', typeVersion: 1 });
    const r = await cli('validate', write('stray.json', JSON.stringify(doc)));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok .*\(2 warnings\)/);
    expect(r.out).toContain(
      'warning MISSING_INPUT [node stray (ptp.decode), input latent]: required input "latent" (LATENT) is not connected (this node feeds no output, so runs skip it)',
    );
    // The same problem in a node an output needs stops the run: an error.
    doc.edges = doc.edges.filter(
      (e: { to: { node: string; input: string } }) => e.to.node !== 'decode' || e.to.input !== 'latent',
    );
    const json = await cli('validate', write('stray.json', JSON.stringify(doc)), '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out);
    expect(report.errors.map((e: { nodeId: string; input: string }) => `${e.nodeId}.${e.input}`)).toEqual([
      'decode.latent',
    ]);
    expect(report.warnings.map((e: { nodeId: string; input: string }) => `${e.nodeId}.${e.input}`)).toEqual([
      'stray.model',
      'stray.latent',
    ]);
  });

  it('validate: a model pack that run would not find is an error on Load model; --packs adds folders', async () => {
    const doc = JSON.parse(readFileSync(path.join(repoRoot, 'examples/word-swap.json'), 'utf8'));
    doc.nodes.find((n: { type: string }) => n.type === 'ptp.loadModel').params.pack = 'my-scenes';
    const file = write('my-pack.json', JSON.stringify(doc));
    const r = await cli('validate', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /UNKNOWN_PACK \[node model \(ptp.loadModel\), param pack\]: there is no model pack “my-scenes” here; the packs are: .*tiny-scenes/,
    );
    const packs = path.join(dir, 'packs');
    mkdirSync(path.join(packs, 'my-scenes'), { recursive: true });
    writeFileSync(path.join(packs, 'my-scenes', 'ptp-manifest.json'), '{}');
    expect((await cli('validate', file, '--packs', packs)).code).toBe(0);
  });

  it('validate: several files at once (a shell glob), each told; an upload run would not find is an error', async () => {
    const real = JSON.parse(readFileSync(path.join(repoRoot, 'examples/edit-real-image.json'), 'utf8'));
    const image = real.nodes.find((n: { type: string }) => n.type === 'ptp.loadImage');
    image.params.upload = 'f'.repeat(64);
    const lost = write('lost-upload.json', JSON.stringify(real));
    const good = path.join(repoRoot, 'examples/word-swap.json');
    const both = await cli('validate', good, lost, '--uploads', dir);
    expect(both.code).toBe(1);
    expect(both.out).toContain(`ok ${good}`);
    expect(both.out).toMatch(
      new RegExp(
        `invalid .*lost-upload.json: 1 problem\\n  error   UPLOAD_NOT_FOUND \\[node ${image.id} \\(ptp.loadImage\\), param upload\\]`,
      ),
    );
    const json = JSON.parse((await cli('validate', good, good, '--json')).out) as { ok: boolean }[];
    expect(json.map((r) => r.ok)).toEqual([true, true]);
    // The bundled example's own upload is found (it ships in examples/uploads).
    expect((await cli('validate', path.join(repoRoot, 'examples/edit-real-image.json'), '--uploads', dir)).code).toBe(
      0,
    );
  });

  it('validate: malformed JSON is a structured failure (1); usage mistakes are 2', async () => {
    const r = await cli('validate', write('broken.json', '{"schemaVersion": 3, "nodes": ['), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).errors[0].code).toBe('INVALID_JSON');
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('validate', 'a.json', 'b.json')).code).toBe(2); // neither file is there
    expect((await cli('validate', path.join(dir, 'missing.json'))).code).toBe(2);
    expect((await cli('validate', 'x.json', '--nope')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('says a missing file or a folder in words, without the usage after it', async () => {
    const noExport = await cli('models', 'import', path.join(dir, 'no-export'), path.join(dir, 'pack'));
    expect([noExport.code, noExport.err]).toEqual([
      2,
      `ptp models: ${path.join(dir, 'no-export')}: no such folder; <export-dir> is the folder of an ONNX export (unet/, text_encoder/, vae_decoder/...)\n`,
    ]);
    const readme = path.join(repoRoot, 'README.md');
    expect((await cli('models', 'list', '--packs', readme)).err).toContain(
      `--packs ${readme}: is a file, not a folder`,
    );
    const missing = await cli('validate', path.join(dir, 'nofile.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`ptp validate: cannot read ${path.join(dir, 'nofile.json')}: no such file\n`);
    const folder = await cli('run', dir, '--out', path.join(dir, 'out'));
    expect(folder.err).toBe(`ptp run: cannot read ${dir}: is a folder, not a file\n`);
  });

  it('says what a mistyped command or option likely meant, in one line, not the whole usage', async () => {
    const typo = await cli('rnu', 'x.json');
    expect(typo.code).toBe(2);
    expect(typo.err).toBe('unknown command "rnu"; did you mean "run"?\n(pnpm ptp --help lists the commands)\n');
    expect((await cli('frobnicate')).err).toMatch(/^unknown command "frobnicate"\n/);
    const option = await cli('run', 'x.json', '--ot', 'out');
    expect(option.code).toBe(2);
    expect(option.err).toMatch(/^ptp run: unknown option --ot; did you mean --out\?\n/);
    expect((await cli('quality', '--sample', '4')).err).toMatch(
      /^ptp quality: unknown option --sample; did you mean --samples\?/,
    );
    // A param given as an option points at --set; another subcommand's option is not "did you mean" itself.
    expect((await cli('run', 'x.json', '--steps', '5')).err).toMatch(
      /^ptp run: unknown option --steps; a node's params are set with --set NODE.steps=VALUE/,
    );
    const parity = await cli('parity', '--case', 'nope');
    expect([parity.code, parity.err]).toEqual([
      2,
      expect.stringMatching(/^ptp parity: no case "nope" under .*; its cases: .*replace/),
    ]);
    expect((await cli('models', 'list', '--json')).err).toMatch(
      /^ptp models: --json is not an option of this models subcommand \(see ptp models --help\)/,
    );
  });

  it('catalog prints the catalogue as JSON', async () => {
    const r = await cli('catalog');
    expect(r.code).toBe(0);
    const parsed = CatalogueSchema.parse(JSON.parse(r.out));
    expect(parsed.nodes.map((n) => n.type)).toContain('ptp.injectionSchedule');
  });

  it('runs through `pnpm ptp` with the right exit codes and no stack traces', () => {
    const bad = write('garbage.json', '\u0000\u0001 not json at all');
    const r = spawnSync('pnpm', ['ptp', 'validate', bad], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('INVALID_JSON');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at /);
    const usage = spawnSync('pnpm', ['ptp', 'validate'], { cwd: repoRoot, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: pnpm ptp');
  });

  it('every command prints its own usage with --help or -h (exit 0, nothing else runs)', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    const names = [...new Set([...top.out.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!))];
    expect(names).toEqual([
      'validate',
      'catalog',
      'run',
      'extract',
      'models',
      'parity',
      'quality',
      'sweep',
      'tune',
      'serve',
      'queue',
      'worker',
    ]);
    for (const name of names) {
      for (const args of [['--help'], ['-h'], ['x.json', '--out', dir, '--help']]) {
        const r = await cli(name, ...args);
        expect(r.code, `ptp ${name} ${args.join(' ')}`).toBe(0);
        expect(r.out).toContain(`usage: pnpm ptp ${name} `);
        expect(r.out).toMatch(new RegExp(`^ {2}${name} `, 'm'));
        expect(r.out).not.toMatch(new RegExp(`^ {2}(?!${name} )[a-z]+ `, 'm'));
        expect(r.err).toBe('');
      }
    }
    expect(await cli('help', 'serve')).toMatchObject({
      code: 0,
      out: expect.stringContaining('usage: pnpm ptp serve '),
    });
    expect((await cli('help', 'frobnicate')).code).toBe(2);
    // After `--` a "--help" is an argument, not a request for help.
    expect((await cli('validate', '--', '--help')).code).toBe(2);
  });

  it('--version names the studio and the saved formats it reads (what a bug report needs)', async () => {
    const own = JSON.parse(readFileSync(path.join(repoRoot, 'packages/runner/package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V', '-v', 'version']) {
      const r = await cli(flag);
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(r.out).toBe(
        `ptp-studio ${own.version} (workflow schema ${CURRENT_SCHEMA_VERSION}, pack manifest ${PTP_MANIFEST_VERSION}, Node ${process.version})\n`,
      );
    }
  });

  it('hints a mistyped models subcommand, and refuses --token without --server (as --front)', async () => {
    const lst = await cli('models', 'lst');
    expect(lst.code).toBe(2);
    expect(lst.err).toContain('unknown models subcommand "lst"; did you mean "list"?');
    const token = await cli('run', path.join(repoRoot, 'examples/tiny-word-swap.json'), '--out', dir, '--token', 'x');
    expect(token.code).toBe(2);
    expect(token.err).toContain('--token is for --server runs');
  });

  it('the built CLI (packages/runner/dist/ptp.mjs, plain node) finds the bundled packs and prints usages', () => {
    const build = spawnSync('node', ['scripts/build-cli.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const bin = path.join(repoRoot, 'packages/runner/dist/ptp.mjs');
    const packs = spawnSync('node', [bin, 'models', 'list'], { cwd: tmpdir(), encoding: 'utf8' });
    expect(packs.status, packs.stderr).toBe(0);
    expect(JSON.parse(packs.stdout).map((p: { id: string }) => p.id)).toContain('tiny-shapes');
    const help = spawnSync('node', [bin, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: pnpm ptp serve ');
  });
});

describe("each command's usage names exactly the flags it accepts", () => {
  // What each parser accepts, by the usage entry that documents it (models has one per subcommand).
  const declared: Record<string, object> = {
    validate: VALIDATE_OPTIONS,
    catalog: CATALOG_OPTIONS,
    run: RUN_OPTIONS,
    extract: EXTRACT_OPTIONS,
    'models import': MODELS_IMPORT_OPTIONS,
    'models list': MODELS_LIST_OPTIONS,
    parity: PARITY_OPTIONS,
    quality: QUALITY_OPTIONS,
    sweep: SWEEP_OPTIONS,
    tune: TUNE_OPTIONS,
    serve: SERVE_OPTIONS,
    queue: QUEUE_OPTIONS,
    worker: WORKER_OPTIONS,
  };
  /** A usage entry's text: the command's, or of a subcommand the lines from `  models import` to the next `  models`. */
  const usageOf = (entry: string): string => {
    const [name, sub] = entry.split(' ') as [string, string | undefined];
    const usage = COMMAND_USAGE[name] ?? '';
    return sub
      ? (usage.split(new RegExp(`^(?=  ${name} )`, 'm')).find((u) => u.startsWith(`  ${entry} `)) ?? '')
      : usage;
  };
  const flagsIn = (text: string) => new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));

  it('has a declaration for every command (and subcommand) of the usage, and the reverse', () => {
    // A subcommand is a usage line `  <command> <word> `, as `  models list `.
    const entries = Object.entries(COMMAND_USAGE).flatMap(([name, usage]) => {
      const subs = [...usage.matchAll(new RegExp(`^ {2}${name} ([a-z]+) `, 'gm'))].map((m) => `${name} ${m[1]}`);
      return subs.length ? subs : [name];
    });
    expect(entries.sort()).toEqual(Object.keys(declared).sort());
  });

  it.each(Object.entries(declared))('%s', (entry, options) => {
    const inUsage = flagsIn(usageOf(entry));
    const accepted = new Set(Object.keys(options));
    expect({
      notInUsage: [...accepted].filter((f) => !inUsage.has(f)),
      notAccepted: [...inUsage].filter((f) => !accepted.has(f)),
    }).toEqual({
      notInUsage: [],
      notAccepted: [],
    });
  });
});
