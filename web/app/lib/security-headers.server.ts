import { randomBytes } from 'node:crypto';

/** A fresh nonce for one response's inline scripts: 128 random bits, as CSP asks. */
export function createCspNonce(): string {
  return randomBytes(16).toString('base64');
}

interface PolicyOptions {
  nonce: string;
  /** Vite's dev server: HMR talks over a WebSocket and injects CSS as <style> elements. */
  development: boolean;
}

/**
 * The dashboard's Content-Security-Policy. Scripts come only from our own origin or carry this response's nonce (Remix
 * inlines its hydration data and route imports), so injected markup cannot run script. Style attributes stay allowed:
 * React and Recharts set them, and without a script they can only change how a page looks.
 */
export function contentSecurityPolicy({ nonce, development }: PolicyOptions): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", `'nonce-${nonce}'`],
    'style-src': development ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': development ? ["'self'", 'ws:', 'wss:'] : ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/**
 * Headers for every dashboard page and data response; the CSP only where there is a document to protect.
 * `https`: people reach the dashboard over HTTPS, so browsers may be told never to try plain HTTP.
 */
export function applySecurityHeaders(headers: Headers, options: { https: boolean; policy?: PolicyOptions }): void {
  if (options.policy) headers.set('Content-Security-Policy', contentSecurityPolicy(options.policy));
  if (options.https) headers.set('Strict-Transport-Security', 'max-age=31536000');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('X-Frame-Options', 'DENY');
  // Dashboard URLs carry customer searches (emails, names): other sites get no part of them.
  headers.set('Referrer-Policy', 'same-origin');
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
}
