import { describe, expect, it } from 'vitest';
import { RequestGuard, tokenProblem, TokenThrottle } from './RequestGuard.js';

const verdict = (g: RequestGuard, headers: Record<string, string>) => {
  const v = g.checkHeaders(headers);
  return v.ok ? 'ok' : v.error.code;
};

describe('RequestGuard', () => {
  const loopback = new RequestGuard({ bindHost: '127.0.0.1', allowOrigins: ['http://localhost:5173'] });

  it('on loopback accepts only loopback names (and configured ones) in Host', () => {
    for (const host of ['127.0.0.1:8188', 'localhost:8188', 'LOCALHOST', '[::1]:8188', '127.0.0.2'])
      expect([host, verdict(loopback, { host })]).toEqual([host, 'ok']);
    for (const host of ['evil.example', 'localhost.evil.example:8188', '10.0.0.5:8188', '', 'a b', '127.0.0.1@evil'])
      expect([host, verdict(loopback, { host })]).toEqual([host, 'FORBIDDEN_HOST']);
    expect(verdict(loopback, {})).toBe('FORBIDDEN_HOST');
    expect(
      verdict(new RequestGuard({ bindHost: '127.0.0.1', allowHosts: ['studio.lan'] }), { host: 'studio.lan:80' }),
    ).toBe('ok');
  });

  it('compares Origin with Host; refuses null, other ports, other schemes and cross-site fetch metadata', () => {
    const host = '127.0.0.1:8188';
    expect(verdict(loopback, { host, origin: 'http://127.0.0.1:8188' })).toBe('ok');
    expect(verdict(loopback, { host, origin: 'http://localhost:5173' })).toBe('ok'); // configured dev server
    for (const origin of [
      'null',
      'http://127.0.0.1:9999',
      'http://evil.example',
      'file://',
      'chrome-extension://abc',
      'not a url',
      'ftp://127.0.0.1:8188',
    ]) {
      expect([origin, verdict(loopback, { host, origin })]).toEqual([origin, 'FORBIDDEN_ORIGIN']);
    }
    expect(verdict(loopback, { host, 'sec-fetch-site': 'cross-site' })).toBe('FORBIDDEN_ORIGIN');
    expect(verdict(loopback, { host, 'sec-fetch-site': 'same-origin' })).toBe('ok');
  });

  it('beyond loopback demands a token, accepts IP literals in Host, and checks tokens exactly', () => {
    expect(() => new RequestGuard({ bindHost: '0.0.0.0' })).toThrow(/token is required/);
    const TOK = 'tok-0123456789abcdef';
    const open = new RequestGuard({ bindHost: '0.0.0.0', token: TOK });
    expect(open.requiresToken).toBe(true);
    expect(verdict(open, { host: '192.168.1.20:8188' })).toBe('ok');
    expect(verdict(open, { host: 'rebind.attacker.test' })).toBe('FORBIDDEN_HOST');
    expect(open.checkToken(TOK)).toBe(true);
    for (const t of [undefined, '', 'tok-0123456789abcde', `${TOK} `, TOK.toUpperCase(), 42, 'x'.repeat(600)])
      expect(open.checkToken(t)).toBe(false);
    expect(loopback.checkToken(undefined)).toBe(true);
    expect(RequestGuard.tokenOf({ authorization: 'Bearer abc' }, 'POST', '/api/runs')).toBe('abc');
    expect(RequestGuard.tokenOf({ authorization: 'bearer abc' }, 'POST', '/api/runs')).toBe('abc');
    expect(RequestGuard.tokenOf({}, 'GET', '/api/runs/x/outputs/y?token=abc')).toBe('abc');
    expect(RequestGuard.tokenOf({}, 'POST', '/api/runs?token=abc')).toBeUndefined(); // query tokens only for plain downloads
    expect(RequestGuard.tokenOf({}, 'POST', '/socket.io/?EIO=4&sid=x&token=abc', true)).toBe('abc'); // and for sockets
  });

  it('refuses empty, whitespace and (beyond loopback) short tokens, saying how to make one', () => {
    for (const bindHost of ['127.0.0.1', '0.0.0.0']) {
      for (const token of ['', ' ', '\t \n'])
        expect(() => new RequestGuard({ bindHost, token })).toThrow(/empty or only whitespace; generate one/);
    }
    expect(() => new RequestGuard({ bindHost: '0.0.0.0', token: 'short-token' })).toThrow(
      /at least 16 characters; generate one with/,
    );
    expect(tokenProblem('short-token', '127.0.0.1')).toBeUndefined();
    expect(tokenProblem('0123456789abcdef', '::')).toBeUndefined();
  });

  it('throttles wrong tokens (not missing ones) per address: 429 after ten failures, until the window ends; other addresses unaffected', () => {
    let now = 0;
    const guard = new RequestGuard({ bindHost: '0.0.0.0', token: 'right-token-0123456789' });
    Object.defineProperty(guard, 'throttle', { value: new TokenThrottle(10, 60_000, 10_000, () => now) });
    const answer = (token: string | undefined, address: string) => {
      const v = guard.authorize(token, address);
      return v.ok ? 200 : v.status;
    };
    // Requests with no token at all (a page before the token is entered) are refused, not counted.
    for (let i = 0; i < 30; i++) expect(answer(undefined, '10.0.0.1')).toBe(401);
    expect(answer('right-token-0123456789', '10.0.0.1')).toBe(200);
    for (let i = 0; i < 10; i++) expect(answer('guess', '10.0.0.1')).toBe(401);
    expect(answer('right-token-0123456789', '10.0.0.1')).toBe(429); // even the right token, while blocked
    expect(answer('right-token-0123456789', '10.0.0.2')).toBe(200);
    now += 60_001;
    expect(answer('right-token-0123456789', '10.0.0.1')).toBe(200);
    // The table stays bounded whatever the number of addresses.
    const small = new TokenThrottle(2, 60_000, 100, () => now);
    for (let i = 0; i < 5000; i++) small.fail(`10.1.${i >> 8}.${i & 255}`);
    expect(small.size).toBeLessThanOrEqual(100);
    small.fail('10.1.19.135');
    expect(small.blockedFor('10.1.19.135')).toBeGreaterThan(0); // the newest address is kept
  });
});
