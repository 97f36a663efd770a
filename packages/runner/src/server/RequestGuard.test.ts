import { describe, expect, it } from 'vitest';
import { RequestGuard } from './RequestGuard.js';

const verdict = (g: RequestGuard, headers: Record<string, string>) => {
  const v = g.checkHeaders(headers);
  return v.ok ? 'ok' : v.error.code;
};

describe('RequestGuard', () => {
  const loopback = new RequestGuard({ bindHost: '127.0.0.1', allowOrigins: ['http://localhost:5173'] });

  it('on loopback accepts only loopback names (and configured ones) in Host', () => {
    for (const host of ['127.0.0.1:8188', 'localhost:8188', 'LOCALHOST', '[::1]:8188', '127.0.0.2']) expect([host, verdict(loopback, { host })]).toEqual([host, 'ok']);
    for (const host of ['evil.example', 'localhost.evil.example:8188', '10.0.0.5:8188', '', 'a b', '127.0.0.1@evil']) expect([host, verdict(loopback, { host })]).toEqual([host, 'FORBIDDEN_HOST']);
    expect(verdict(loopback, {})).toBe('FORBIDDEN_HOST');
    expect(verdict(new RequestGuard({ bindHost: '127.0.0.1', allowHosts: ['studio.lan'] }), { host: 'studio.lan:80' })).toBe('ok');
  });

  it('compares Origin with Host; refuses null, other ports, other schemes and cross-site fetch metadata', () => {
    const host = '127.0.0.1:8188';
    expect(verdict(loopback, { host, origin: 'http://127.0.0.1:8188' })).toBe('ok');
    expect(verdict(loopback, { host, origin: 'http://localhost:5173' })).toBe('ok'); // configured dev server
    for (const origin of ['null', 'http://127.0.0.1:9999', 'http://evil.example', 'file://', 'chrome-extension://abc', 'not a url', 'ftp://127.0.0.1:8188']) {
      expect([origin, verdict(loopback, { host, origin })]).toEqual([origin, 'FORBIDDEN_ORIGIN']);
    }
    expect(verdict(loopback, { host, 'sec-fetch-site': 'cross-site' })).toBe('FORBIDDEN_ORIGIN');
    expect(verdict(loopback, { host, 'sec-fetch-site': 'same-origin' })).toBe('ok');
  });

  it('beyond loopback demands a token, accepts IP literals in Host, and checks tokens exactly', () => {
    expect(() => new RequestGuard({ bindHost: '0.0.0.0' })).toThrow(/token is required/);
    const open = new RequestGuard({ bindHost: '0.0.0.0', token: 'tok' });
    expect(open.requiresToken).toBe(true);
    expect(verdict(open, { host: '192.168.1.20:8188' })).toBe('ok');
    expect(verdict(open, { host: 'rebind.attacker.test' })).toBe('FORBIDDEN_HOST');
    expect(open.checkToken('tok')).toBe(true);
    for (const t of [undefined, '', 'to', 'tok ', 'TOK', 42, 'x'.repeat(600)]) expect(open.checkToken(t)).toBe(false);
    expect(loopback.checkToken(undefined)).toBe(true);
    expect(RequestGuard.tokenOf({ authorization: 'Bearer abc' }, 'POST', '/api/runs')).toBe('abc');
    expect(RequestGuard.tokenOf({}, 'GET', '/api/runs/x/outputs/y?token=abc')).toBe('abc');
    expect(RequestGuard.tokenOf({}, 'POST', '/api/runs?token=abc')).toBeUndefined(); // query tokens only for plain downloads
  });
});
