import { describe, expect, it } from 'vitest';
import { applySecurityHeaders, contentSecurityPolicy, createCspNonce } from '~/lib/security-headers.server';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
}

describe('security headers', () => {
  it('lets only our own scripts and this response’s nonce run, and no site frame the dashboard', () => {
    const nonce = createCspNonce();
    const csp = directives(contentSecurityPolicy({ nonce, development: false }));
    expect(csp.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(createCspNonce()).not.toBe(nonce);
  });

  it('lets Vite’s dev server talk HMR over a WebSocket and inject CSS', () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'n', development: true }));
    expect(csp.get('connect-src')).toContain('ws:');
    expect(csp.get('style-src')).toContain("'unsafe-inline'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('sets the other headers, and HSTS only for an HTTPS dashboard', () => {
    const plain = new Headers();
    applySecurityHeaders(plain, { https: false, policy: { nonce: 'n', development: false } });
    expect(plain.get('x-content-type-options')).toBe('nosniff');
    expect(plain.get('x-frame-options')).toBe('DENY');
    expect(plain.get('referrer-policy')).toBe('same-origin');
    expect(plain.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(plain.get('strict-transport-security')).toBeNull();
    const secure = new Headers();
    applySecurityHeaders(secure, { https: true });
    expect(secure.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(secure.get('content-security-policy')).toBeNull();
  });
});
