import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { ApiError } from '@ptp/graph-core';

export interface GuardOptions {
  /** The address the server listens on. */
  bindHost: string;
  /** Required from every API request and socket when set; mandatory beyond loopback. */
  token?: string | undefined;
  /** Extra names clients may use in Host (a reverse proxy's name, this machine's DNS name). */
  allowHosts?: readonly string[];
  /** Extra origins allowed to call the API from a browser (e.g. a Vite dev server). */
  allowOrigins?: readonly string[];
}

export type GuardVerdict = { ok: true } | { ok: false; status: number; error: ApiError; retryAfterS?: number };

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** `name`, `name:port`, `[v6]` or `[v6]:port` -> the lower-cased name (v6 without brackets). */
function hostnameOf(hostHeader: string): string | undefined {
  const h = hostHeader.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return v6[1];
  const m = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m?.[1];
}

const deny = (status: number, code: string, message: string): GuardVerdict => ({
  ok: false,
  status,
  error: { code, message },
});

/** Shortest token accepted when the server is reachable from other machines. */
export const MIN_REMOTE_TOKEN_LENGTH = 16;
export const TOKEN_HINT = `generate one with: node -e "console.log(require('node:crypto').randomBytes(24).toString('base64url'))"`;

/** Why a token cannot protect a server bound to `bindHost`, or undefined when it can. */
export function tokenProblem(token: string | undefined, bindHost: string): string | undefined {
  if (token === undefined)
    return isLoopbackHost(bindHost)
      ? undefined
      : `binding to ${bindHost} exposes the studio beyond this machine; a token is required (${TOKEN_HINT})`;
  if (token.trim() === '') return `the token is empty or only whitespace; ${TOKEN_HINT}`;
  if (token.length > 512) return 'the token is longer than 512 characters';
  if (!isLoopbackHost(bindHost) && token.length < MIN_REMOTE_TOKEN_LENGTH)
    return `beyond loopback the token must have at least ${MIN_REMOTE_TOKEN_LENGTH} characters; ${TOKEN_HINT}`;
  return undefined;
}

/**
 * Wrong tokens per client address: past `maxFailures` in a window the address is refused (429)
 * until the window ends, so a token cannot be guessed at request speed. Bounded in entries.
 */
export class TokenThrottle {
  readonly #failures = new Map<string, { count: number; until: number }>();
  constructor(
    readonly maxFailures = 10,
    readonly windowMs = 60_000,
    readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#failures.size;
  }

  /** Seconds until the address may try again, or 0 when it may now. */
  blockedFor(address: string): number {
    const entry = this.#failures.get(address);
    if (!entry) return 0;
    const left = entry.until - this.now();
    if (left <= 0) {
      this.#failures.delete(address);
      return 0;
    }
    return entry.count >= this.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  fail(address: string): void {
    const t = this.now();
    let entry = this.#failures.get(address);
    if (!entry || entry.until <= t) {
      if (this.#failures.size >= this.maxEntries) this.#prune(t);
      entry = { count: 0, until: t + this.windowMs };
      this.#failures.set(address, entry);
    }
    entry.count++;
  }

  #prune(t: number): void {
    for (const [a, e] of this.#failures) if (e.until <= t) this.#failures.delete(a);
    // Still full of live entries: drop the oldest rather than grow.
    for (const a of this.#failures.keys()) {
      if (this.#failures.size < this.maxEntries) break;
      this.#failures.delete(a);
    }
  }
}

/**
 * The server's front door (docs/architecture.md section 6, Jupyter's checks): every HTTP request and socket
 * handshake must name this server in `Host` (so a DNS-rebinding page cannot reach it under a name
 * it controls), must not come from another site (`Origin` compared with `Host`; `Origin: null`
 * refused; `Sec-Fetch-Site: cross-site` refused), and must carry the token when one is set.
 * CORS headers are never sent, but they are not what protects the server.
 */
export class RequestGuard {
  readonly #bindHost: string;
  readonly #tokenDigest: Buffer | undefined;
  readonly #hosts: Set<string>;
  readonly #origins: Set<string>;
  readonly #beyondLoopback: boolean;

  constructor(options: GuardOptions) {
    this.#bindHost = options.bindHost;
    this.#beyondLoopback = !isLoopbackHost(options.bindHost);
    const problem = tokenProblem(options.token, options.bindHost);
    if (problem) throw new Error(problem);
    this.#tokenDigest = options.token ? digest(options.token) : undefined;
    this.#hosts = new Set([...LOOPBACK_NAMES, ...(options.allowHosts ?? []).map((h) => h.toLowerCase())]);
    const bound = options.bindHost.toLowerCase().replace(/^\[|\]$/g, '');
    if (bound !== '0.0.0.0' && bound !== '::') this.#hosts.add(bound);
    if (this.#beyondLoopback) this.#hosts.add(hostname().toLowerCase());
    this.#origins = new Set((options.allowOrigins ?? []).map((o) => o.toLowerCase().replace(/\/$/, '')));
  }

  get requiresToken(): boolean {
    return this.#tokenDigest !== undefined;
  }

  get bindHost(): string {
    return this.#bindHost;
  }

  /** Host, Origin and fetch-metadata checks for one request or handshake. */
  checkHeaders(headers: IncomingHttpHeaders): GuardVerdict {
    const hostHeader = headers.host;
    const name = hostHeader ? hostnameOf(hostHeader) : undefined;
    if (!name) return deny(400, 'FORBIDDEN_HOST', 'missing or malformed Host header');
    // Beyond loopback, IP literals are fine: a rebinding attack needs a name the attacker controls.
    const hostOk = this.#hosts.has(name) || isLoopbackHost(name) || (this.#beyondLoopback && isIP(name) !== 0);
    if (!hostOk)
      return deny(
        403,
        'FORBIDDEN_HOST',
        `Host "${hostHeader}" is not a name of this server (start it with --allow-host ${name} if it is)`,
      );

    const origin = headers.origin;
    if (origin !== undefined) {
      if (origin === 'null')
        return deny(403, 'FORBIDDEN_ORIGIN', 'requests from opaque origins (Origin: null) are refused');
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        return deny(403, 'FORBIDDEN_ORIGIN', 'malformed Origin header');
      }
      const sameOrigin =
        (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
        parsed.host.toLowerCase() === hostHeader!.trim().toLowerCase();
      if (!sameOrigin && !this.#origins.has(parsed.origin.toLowerCase()))
        return deny(403, 'FORBIDDEN_ORIGIN', `cross-site request from ${parsed.origin} refused`);
    } else if (headers['sec-fetch-site'] === 'cross-site') {
      return deny(403, 'FORBIDDEN_ORIGIN', 'cross-site request refused');
    }
    return { ok: true };
  }

  readonly throttle = new TokenThrottle();

  /**
   * The token check with throttling per client address: ok, or the answer to send (401 for a
   * wrong or missing token, 429 while the address has failed too often).
   */
  authorize(provided: unknown, address: string | undefined): GuardVerdict {
    if (!this.#tokenDigest) return { ok: true };
    const who = address ?? 'unknown';
    const wait = this.throttle.blockedFor(who);
    if (wait > 0)
      return {
        ...deny(429, 'TOO_MANY_ATTEMPTS', `too many wrong tokens from this address; try again in ${wait} s`),
        retryAfterS: wait,
      } as GuardVerdict;
    if (this.checkToken(provided)) return { ok: true };
    // Only a wrong token is a guess: a page or tool that sends none (the editor before the token
    // is entered, a health probe) gets 401 without locking the address out.
    if (typeof provided === 'string' && provided.length > 0) this.throttle.fail(who);
    return deny(
      401,
      'UNAUTHORIZED',
      'this server needs a token: send "Authorization: Bearer <token>" (or ?token= on downloads and sockets)',
    );
  }

  /** True when no token is configured or `provided` equals it (compared in constant time). */
  checkToken(provided: unknown): boolean {
    if (!this.#tokenDigest) return true;
    if (typeof provided !== 'string' || provided.length === 0 || provided.length > 512) return false;
    return timingSafeEqual(digest(provided), this.#tokenDigest);
  }

  /**
   * The token an HTTP request carries: `Authorization: Bearer T`, or `?token=T` on GET/HEAD (plain
   * links to outputs) and on every socket.io request (`anyMethod`: a browser cannot set headers on
   * a WebSocket).
   */
  static tokenOf(
    headers: IncomingHttpHeaders,
    method: string | undefined,
    url: string | undefined,
    anyMethod = false,
  ): string | undefined {
    const auth = headers.authorization;
    if (auth && /^bearer /i.test(auth)) return auth.slice(7).trim(); // the scheme is case-insensitive (RFC 9110)
    if ((anyMethod || method === 'GET' || method === 'HEAD') && url?.includes('token=')) {
      return new URL(url, 'http://x').searchParams.get('token') ?? undefined;
    }
    return undefined;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
