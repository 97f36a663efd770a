import { Redis, type RedisOptions } from 'ioredis';

/** Where the studio's scale-out state lives: one Redis and a key prefix (several studios can share a Redis). */
export interface RedisTarget {
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  url: string;
  /** Key prefix for the studio's own keys and BullMQ's (default "ptp"). */
  prefix?: string | undefined;
}

export const DEFAULT_PREFIX = 'ptp';

/**
 * A connection for the scale-out parts. `maxRetriesPerRequest: null` makes commands wait through
 * a Redis restart instead of failing (BullMQ requires it for workers, and a sweep or a server
 * should ride out a restart the same way); reconnects back off up to 2 s. With `log`, its outages
 * are said (reportOutages).
 */
export function openRedis(url: string, log?: (m: string) => void, extra: RedisOptions = {}): Redis {
  checkRedisUrl(url);
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    // A restarted Redis may answer LOADING while it reads its AOF: retry rather than fail.
    reconnectOnError: (err) => err.message.startsWith('LOADING') || err.message.startsWith('READONLY'),
    lazyConnect: false,
    ...extra,
  });
  if (log) reportOutages(redis, { url, label: 'redis', log });
  return redis;
}

/** A Redis URL as logs may show it (no password). */
export function redactRedisUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * Reports a connection's outages in words, once each: the reconnect loop retries every 2 s and
 * would otherwise log the same refusal forever. The first error of an outage says what happens
 * next (given the URL: the main connection); a different error is said again; `ready` after an
 * outage says it is back.
 */
export function reportOutages(redis: Redis, o: { url?: string; label: string; log: (m: string) => void }): void {
  let outage: string | undefined;
  redis.on('error', (err: Error) => {
    if (err.message === outage) return;
    const first = outage === undefined;
    outage = err.message;
    o.log(
      first && o.url
        ? `${o.label}: ${err.message}; waiting for Redis at ${redactRedisUrl(o.url)} (retrying every 2 s; is it running, is --redis right?)`
        : `${o.label}: ${err.message}`,
    );
  });
  redis.on('ready', () => {
    if (outage !== undefined) o.log(`${o.label}: connected to Redis again`);
    outage = undefined;
  });
}

/** A log that says a repeated message once per `windowMs` with how often it came (BullMQ's own connections). */
export function quietRepeats(log: (m: string) => void, windowMs = 60_000): (message: string) => void {
  let last: string | undefined;
  let since = 0;
  let repeats = 0;
  return (message) => {
    const now = Date.now();
    if (message !== last) log(message);
    else if (now - since < windowMs) {
      repeats++;
      return;
    } else log(repeats ? `${message} (and ${repeats} more like it)` : message);
    last = message;
    since = now;
    repeats = 0;
  };
}

/** A usage mistake in --redis is reported before anything connects. */
export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--redis must be a URL such as redis://127.0.0.1:6379, got "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new Error(`--redis must start with redis:// or rediss://, got "${url}"`);
}

/** Every key the studio writes besides BullMQ's; one place so tests and tools agree. */
export class RedisKeys {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(prefix))
      throw new Error(`redis prefix "${prefix}" must be 1-40 of A-Z a-z 0-9 _ . -`);
  }
  /** BullMQ's own prefix: its keys are `<prefix>:bull:<queue>:...`. */
  get bull(): string {
    return `${this.prefix}:bull`;
  }
  run(id: string): string {
    return `${this.prefix}:run:${id}`;
  }
  events(id: string): string {
    return `${this.prefix}:events:${id}`;
  }
  attempts(id: string): string {
    return `${this.prefix}:attempts:${id}`;
  }
  output(id: string, name: string): string {
    return `${this.prefix}:out:${id}:${name}`;
  }
  metrics(id: string): string {
    return `${this.prefix}:metrics:${id}`;
  }
  request(clientRequestId: string): string {
    return `${this.prefix}:req:${clientRequestId}`;
  }
  upload(id: string): string {
    return `${this.prefix}:upload:${id}`;
  }
  /** All runs (score = submission order), and one set per status. */
  runs(status?: string): string {
    return status ? `${this.prefix}:runs:${status}` : `${this.prefix}:runs`;
  }
  get runSeq(): string {
    return `${this.prefix}:runseq`;
  }
  /** Routes jobs were ever queued on (workers attach to the ones they can serve). */
  get routes(): string {
    return `${this.prefix}:routes`;
  }
  get workers(): string {
    return `${this.prefix}:workers`;
  }
  worker(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }
  /** Set while the queue is paused: workers start no waiting run. */
  get paused(): string {
    return `${this.prefix}:paused`;
  }
  /** Pub/sub channel every server, sweep and worker listens to. */
  get notices(): string {
    return `${this.prefix}:notices`;
  }
}
