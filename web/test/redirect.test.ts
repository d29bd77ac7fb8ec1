import { describe, expect, it } from 'vitest';
import { safeRedirect } from '~/lib/origin.server';

const ORIGIN = 'http://dash.test';

describe('safeRedirect: where sign-in may send someone', () => {
  it('keeps paths and queries on the dashboard', () => {
    expect(safeRedirect('/orders/1', ORIGIN)).toBe('/orders/1');
    expect(safeRedirect('/orders?status=PENDING&q=a%20b', ORIGIN)).toBe('/orders?status=PENDING&q=a%20b');
    expect(safeRedirect(`${ORIGIN}/stats`, ORIGIN)).toBe('/stats');
  });

  it('refuses every spelling of another origin, as a browser would resolve it', () => {
    // `/%09/evil.example` arrives decoded, with a tab the URL parser (and the browser) strips: `//evil.example`.
    for (const target of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '\t//evil.example',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'https://evil.example',
      'https://dash.test.evil.example/orders',
      'https://dash.test/orders',
      'javascript:alert(1)',
    ]) {
      expect(safeRedirect(target, ORIGIN), JSON.stringify(target)).toBe('/orders');
    }
  });

  it('never sends someone back to sign-in or sign-out, however the path is written', () => {
    expect(safeRedirect('/login', ORIGIN)).toBe('/orders');
    expect(safeRedirect('/orders/../logout', ORIGIN)).toBe('/orders');
    expect(safeRedirect('/%6Cogin', ORIGIN)).toBe('/%6Cogin');
  });

  it('falls back without a target', () => {
    expect(safeRedirect(null, ORIGIN)).toBe('/orders');
    expect(safeRedirect('', ORIGIN)).toBe('/orders');
    expect(safeRedirect(undefined, ORIGIN, '/stats')).toBe('/stats');
  });
});
