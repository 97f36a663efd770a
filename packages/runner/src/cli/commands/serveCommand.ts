import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROVIDERS, slowProviderNotice, type Provider } from '../../backends/providers.js';
import { checkRedisUrl } from '../../queue/bull/redisConnection.js';
import { isLoopbackHost, TOKEN_HINT, tokenProblem } from '../../server/RequestGuard.js';
import { DEFAULT_UI_DIR } from '../../server/serveEditor.js';
import { createStudioServer, type StudioServer } from '../../server/createStudioServer.js';
import { DataDirInUseError } from '../../server/DataDirLock.js';
import { defaultDataDir } from '../../uploads/DirectoryUploadStore.js';
import { nodePackageDirs } from '../../nodePackages/loadNodePackages.js';
import { checkOutDir, EXIT, resolveUserPath, UsageError, type Command, type Io } from '../cliSupport.js';
import { givenPackDirs } from '../packDirs.js';
import { NODE_PACKAGES_OPTION } from '../nodePackageOption.js';

/** What `ptp serve` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const SERVE_OPTIONS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8188' },
  token: { type: 'string' },
  data: { type: 'string' },
  packs: { type: 'string', multiple: true },
  provider: { type: 'string', default: 'cpu' },
  'allow-host': { type: 'string', multiple: true },
  'allow-origin': { type: 'string', multiple: true },
  ui: { type: 'string' },
  // Scale-out: runs go to `ptp worker` processes through BullMQ on this Redis.
  redis: { type: 'string' },
  'redis-prefix': { type: 'string' },
  // Per-run budgets (defaults: API_LIMITS).
  'max-run-seconds': { type: 'string' },
  'max-run-memory-gb': { type: 'string' },
  'cache-mb': { type: 'string' },
  // Retention: finished runs (with outputs) kept in the history.
  'keep-runs': { type: 'string' },
  // Node packages: folders of third-party node types (and $PTP_NODE_PACKAGES).
  ...NODE_PACKAGES_OPTION,
  // Model manager: folders whose exports may be imported from the editor (default <data>/exports).
  'import-root': { type: 'string', multiple: true },
} as const;

function parseServeArgs(args: string[]) {
  return parseArgs({
    args,
    options: SERVE_OPTIONS,
    strict: true,
  }).values;
}

type ServeArgs = ReturnType<typeof parseServeArgs>;

/** A positive number option scaled to its unit (seconds, bytes), or undefined when not given. */
function positive(name: string, raw: string | undefined, scale: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${raw}"`);
  return Math.round(n * scale);
}

/** Validates the options (a UsageError for the first bad one) and resolves the paths. */
async function checkServeArgs(values: ServeArgs) {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be an integer 0..65535, got "${values.port}"`);
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  const token = values.token ?? process.env.PTP_TOKEN;
  // Anything beyond loopback is reachable by others: refuse to expose it without a strong token.
  if (!isLoopbackHost(values.host) && token === undefined)
    throw new UsageError(
      `binding to ${values.host} exposes the studio beyond this machine; pass --token (${TOKEN_HINT})`,
    );
  const weak = tokenProblem(token, values.host);
  if (weak) throw new UsageError(weak);
  const maxRunSeconds = positive('max-run-seconds', values['max-run-seconds'], 1);
  const maxRunMemoryBytes = positive('max-run-memory-gb', values['max-run-memory-gb'], 1024 ** 3);
  const cacheBytes = positive('cache-mb', values['cache-mb'], 1024 ** 2);
  const keepRuns = positive('keep-runs', values['keep-runs'], 1);
  if (values.redis) {
    try {
      checkRedisUrl(values.redis);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const dataDir = values.data ? resolveUserPath(values.data) : defaultDataDir();
  await checkOutDir(dataDir, '--data');
  const uiDir = values.ui ? resolveUserPath(values.ui) : DEFAULT_UI_DIR;
  return { port, token, maxRunSeconds, maxRunMemoryBytes, cacheBytes, keepRuns, dataDir, uiDir };
}

/** Where the server listens, its queue and data, what it recovered, and whether it serves the editor. */
function announce(
  io: Io,
  server: StudioServer,
  o: { values: ServeArgs; token: string | undefined; dataDir: string; uiDir: string },
): void {
  const { values, token, dataDir, uiDir } = o;
  io.out(`PtP Studio server listening on ${server.url}${token ? '/?token=<your token>' : ''}`);
  if (values.redis)
    io.out(
      `  queue: BullMQ on ${values.redis.replace(/\/\/[^@/]*@/, '//***@')} — runs execute on \`ptp worker --redis\` processes`,
    );
  const slow = slowProviderNotice(values.provider as Provider);
  if (slow) io.out(`  ${slow}`);
  io.out(`  data: ${dataDir} (library and queue in studio.db, uploads/, runs/, imported packs in packs/)`);
  if (server.recovered.interrupted.length)
    io.out(
      `  ${server.recovered.interrupted.length} run(s) were executing when the server last stopped: marked interrupted (resubmit them to run again)`,
    );
  if (server.recovered.queued) io.out(`  ${server.recovered.queued} queued run(s) resume now`);
  for (const p of server.nodePackages) io.out(`  node package ${p.name}@${p.version}: ${p.types.join(', ')}`);
  io.out(
    existsSync(path.join(uiDir, 'index.html'))
      ? `  editor: ${uiDir}`
      : '  editor: not built (pnpm --filter @ptp/ui build); serving the API only',
  );
}

/**
 * `ptp serve`: the studio server (editor, API, socket.io, queue, inference worker). Loopback by
 * default; any other address needs --token (or PTP_TOKEN).
 */
export const serveCommand: Command = async (args, io) => {
  const values = parseServeArgs(args);
  const { port, token, maxRunSeconds, maxRunMemoryBytes, cacheBytes, keepRuns, dataDir, uiDir } =
    await checkServeArgs(values);
  let server: StudioServer;
  try {
    server = await createStudioServer({
      dataDir,
      host: values.host,
      port,
      token,
      packDirs: givenPackDirs(values.packs),
      nodePackageDirs: nodePackageDirs((values['node-packages'] ?? []).map(resolveUserPath)),
      provider: values.provider as Provider,
      allowHosts: values['allow-host'] ?? [],
      allowOrigins: values['allow-origin'] ?? [],
      uiDir,
      warmWorker: true,
      limits: { ...(maxRunSeconds ? { maxRunSeconds } : {}), ...(maxRunMemoryBytes ? { maxRunMemoryBytes } : {}) },
      ...(cacheBytes ? { cacheBytes } : {}),
      ...(keepRuns ? { keepRuns } : {}),
      ...(values['import-root'] ? { importRoots: values['import-root'].map(resolveUserPath) } : {}),
      ...(values.redis ? { redis: { url: values.redis, prefix: values['redis-prefix'] } } : {}),
    });
  } catch (err) {
    if (err instanceof DataDirInUseError) {
      io.err(`ptp serve: ${err.message}`);
      return EXIT.failed;
    }
    const { code, syscall } = err as NodeJS.ErrnoException;
    if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN') {
      io.err(
        `ptp serve: --host ${values.host} is not an address of this machine (${code}); use one it has, e.g. 127.0.0.1 or 0.0.0.0`,
      );
      return EXIT.failed;
    }
    if (syscall !== 'listen' || (code !== 'EADDRINUSE' && code !== 'EACCES')) throw err;
    const where = `port ${port} on ${values.host}`;
    io.err(
      code === 'EADDRINUSE'
        ? `ptp serve: ${where} is in use (another ptp serve?): stop it, or start this one with --port N`
        : `ptp serve: ${where} needs more rights than this user has; use a port above 1023 (--port N)`,
    );
    return EXIT.failed;
  }
  announce(io, server, { values, token, dataDir, uiDir });
  await stopOnSignalOrOrphan(() => {
    io.err('shutting down...');
    return server.close();
  });
  return EXIT.ok;
};

/**
 * Resolves after `close` once SIGINT or SIGTERM arrives (a user's Ctrl+C, systemd, Docker, a
 * process manager), or once the process that started this one is gone (a wrapper such as pnpm
 * killed without passing the signal on): the server and its worker never outlive whoever ran them.
 */
export function stopOnSignalOrOrphan(close: () => Promise<void>, pollMs = 1000): Promise<void> {
  return new Promise<void>((resolve) => {
    const parent = process.ppid;
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const watch = setInterval(() => {
      if (process.ppid !== parent) stop();
    }, pollMs);
    watch.unref();
  });
}
