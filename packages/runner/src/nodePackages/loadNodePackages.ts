import { describeZodIssue } from '@ptp/graph-core';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyNodeDefinition, NodePackageProblem, NodePackageSummary } from '@ptp/graph-core';
import { NodePackageCollector } from '@ptp/nodes';
import { z } from 'zod';
import { resolveInside } from '../server/serveEditor.js';

/** The environment variable listing node-package folders (path-delimited), like repeated --node-packages. */
export const NODE_PACKAGES_ENV = 'PTP_NODE_PACKAGES';

/** URL path prefix under which the server lets the browser runtime import package modules. */
export const NODE_PACKAGES_URL = '/node-packages';

/** npm's package name rules (lowercase, optional scope); the name is also a URL segment. */
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

const PackageJsonSchema = z.object({
  name: z.string().max(214).regex(PACKAGE_NAME, 'a lowercase npm package name'),
  version: z.string().min(1).max(64),
  ptpNodes: z
    .string()
    .min(1)
    .max(300)
    .regex(/\.m?js$/, 'a .js or .mjs file inside the package'),
});

/** A package found on disk: where it lies and the module the browser runtime may fetch. */
export interface NodePackageFolder {
  readonly name: string;
  readonly version: string;
  /** Real path of the package folder; only files inside it are ever served. */
  readonly dir: string;
  /** Real path of its `ptpNodes` module. */
  readonly file: string;
}

export interface LoadedNodePackages {
  /** The checked definitions (each with its origin), for `createNodeRegistry`. */
  readonly nodes: AnyNodeDefinition[];
  readonly packages: NodePackageSummary[];
  readonly problems: NodePackageProblem[];
  /** The loaded packages' folders by name (what the server serves and the worker loads). */
  readonly folders: ReadonlyMap<string, NodePackageFolder>;
}

/** The configured folders: the command's flags first, then $PTP_NODE_PACKAGES; resolved, without repeats. */
export function nodePackageDirs(flags: readonly string[] = [], env = process.env[NODE_PACKAGES_ENV]): string[] {
  const fromEnv = (env ?? '').split(path.delimiter).filter(Boolean);
  return [...new Set([...flags, ...fromEnv].map((d) => path.resolve(d)))];
}

/** The package folders of one configured folder: the folder itself when it is a package, else its children (and `@scope/*`). */
async function packageFoldersIn(dir: string): Promise<string[]> {
  if (await isFile(path.join(dir, 'package.json'))) return [dir];
  const found: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || !entry.isDirectory()) continue;
    const child = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) found.push(...(await packageFoldersIn(child)).filter((d) => d !== child));
    else found.push(child);
  }
  return found;
}

const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** Reads and checks a package's package.json and finds its module inside the folder (never outside it). */
async function readPackage(dir: string): Promise<NodePackageFolder | NodePackageProblem> {
  const label = path.basename(dir);
  const problem = (code: NodePackageProblem['code'], message: string, pkg = label): NodePackageProblem => ({
    code,
    message: `${message} (${dir})`,
    package: pkg,
  });
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  } catch (err) {
    return problem(
      'PACKAGE_UNREADABLE',
      `package.json: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const parsed = PackageJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return problem('PACKAGE_INVALID', `package.json ${issue.path.join('.') || ''}: ${describeZodIssue(issue)}`.trim());
  }
  const { name, version, ptpNodes } = parsed.data;
  const realDir = await realpath(dir);
  const file = await resolveInside(realDir, ptpNodes);
  if (!file || !/\.m?js$/.test(file))
    return problem('PACKAGE_INVALID', `ptpNodes "${ptpNodes}" is not a file inside the package`, `${name}@${version}`);
  return { name, version, dir: realDir, file };
}

/** The URL path the browser runtime imports a package's module from (see nodePackageRoutes). */
export function nodePackageModuleUrl(folder: NodePackageFolder): string {
  const rel = path.relative(folder.dir, folder.file).split(path.sep).map(encodeURIComponent).join('/');
  return `${NODE_PACKAGES_URL}/${encodeURIComponent(folder.name)}/${rel}`;
}

/**
 * Finds and loads the node packages in the configured folders (server configuration, never a
 * path a client sent). Each package is a folder with a package.json whose `ptpNodes` names an
 * ES module exporting `register({ defineNode, z, NodeRunError })`. A broken package, or one node
 * type of it, is reported in `problems` and skipped; nothing here throws for a package's fault.
 */
export async function loadNodePackages(dirs: readonly string[]): Promise<LoadedNodePackages> {
  const collector = new NodePackageCollector();
  const folders = new Map<string, NodePackageFolder>();
  for (const dir of dirs) {
    let candidates: string[];
    try {
      candidates = await packageFoldersIn(dir);
    } catch (err) {
      collector.report({
        code: 'PACKAGE_UNREADABLE',
        message: `node-package folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        package: path.basename(dir),
      });
      continue;
    }
    for (const candidate of candidates) {
      const found = await readPackage(candidate);
      if ('code' in found) {
        collector.report(found);
        continue;
      }
      const types = await collector.add(
        { ...found, module: nodePackageModuleUrl(found) },
        () => import(pathToFileURL(found.file).href),
      );
      if (types.length) folders.set(found.name, found);
    }
  }
  return { nodes: collector.nodes, packages: collector.packages, problems: collector.problems, folders };
}

/** One line per problem, for logs and stderr. */
export function describePackageProblem(p: NodePackageProblem): string {
  return `node package ${p.package}${p.nodeType ? ` (${p.nodeType})` : ''}: ${p.message} [${p.code}]; skipped`;
}
