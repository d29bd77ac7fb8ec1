import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the production server, without types.
import { stopGracefully } from '../stop-gracefully.mjs';

const agent = new http.Agent({ keepAlive: true });
afterEach(() => agent.destroy());

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, path, agent }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('stopGracefully', () => {
  it('answers the request in flight, then closes its keep-alive connection without waiting for the client', async () => {
    let release: () => void = () => {};
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') release = () => res.end('slow done');
      else res.end('quick');
    });
    // A client's keep-alive connection may stay open this long: the stop must not wait for it.
    server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    expect(await get(port, '/quick')).toEqual({ status: 200, body: 'quick' });
    const slow = get(port, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 50));

    const closed = new Promise<void>((resolve) => stopGracefully(server, () => resolve()));
    release();
    expect(await slow).toEqual({ status: 200, body: 'slow done' });
    await closed;
    expect(server.listening).toBe(false);
  });
});
