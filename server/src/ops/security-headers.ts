import type http from 'node:http';
import type express from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers as one middleware. helmet runs a chain of a dozen middlewares per request that recompute the same
 * static values; here its chain runs once, at boot, against a recording response, and each request gets the recorded
 * headers. The headers stay helmet's own (same options, same values); only static options are allowed (no per-request
 * nonce functions), which is all this API uses. X-Powered-By, which helmet removes, is never set: the app disables it.
 */
export function securityHeaders(options: HelmetOptions): express.RequestHandler {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string) {
      headers.push([name, value]);
    },
    removeHeader() {},
  } as unknown as http.ServerResponse;
  let finished = false;
  let failure: unknown;
  helmet(options)({} as http.IncomingMessage, recorder, (error?: unknown) => {
    finished = true;
    failure = error;
  });
  // helmet's chain is synchronous for static options; anything else would need it per request.
  if (failure || !finished) throw failure ?? new Error('helmet did not finish synchronously: its options must be static');
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
