import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A private redis-server (Debian's `redis-server`) on a free loopback port with its data in a
 * temporary folder, for tests and benchmarks: never the system service. Persistence is on (AOF,
 * fsync on every write) so `restart()` behaves like a production Redis coming back.
 */
export class RedisServer {
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly binary: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Whether a redis-server binary is installed (scripts/bootstrap.sh --redis installs it). */
  static available(binary = process.env.PTP_REDIS_SERVER ?? 'redis-server'): boolean {
    return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
  }

  static async start(options: { binary?: string } = {}): Promise<RedisServer> {
    const binary = options.binary ?? process.env.PTP_REDIS_SERVER ?? 'redis-server';
    if (!RedisServer.available(binary))
      throw new Error(
        `${binary} is not installed: run "bash scripts/bootstrap.sh --redis" (Debian package redis-server)`,
      );
    const server = new RedisServer(await freePort(), mkdtempSync(path.join(os.tmpdir(), 'ptp-redis-')), binary);
    await server.#launch();
    return server;
  }

  async #launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--daemonize',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--loglevel',
      'warning',
    ];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await pings(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Shuts Redis down (it writes its data first), waits `downMs`, starts it again on the same port and data. */
  async restart(downMs = 500): Promise<void> {
    await this.#terminate();
    await new Promise((r) => setTimeout(r, downMs));
    await this.#launch();
  }

  async stop(): Promise<void> {
    await this.#terminate();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #terminate(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket (no client library, no reconnect logic). */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
