import { PassThrough } from 'node:stream';
import type { EntryContext, HandleDataRequestFunction } from '@remix-run/node';
import { createReadableStreamFromReadable } from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToPipeableStream } from 'react-dom/server';
import { CspNonceProvider } from '~/lib/csp-nonce';
import { env } from '~/lib/env.server';
import { dashboardOrigin } from '~/lib/origin.server';
import { applySecurityHeaders, createCspNonce } from '~/lib/security-headers.server';

/**
 * Remix's default Node entry plus security headers: every page gets a Content-Security-Policy with a fresh nonce,
 * which reaches Remix's inline scripts through CspNonceProvider and the streamed data through <RemixServer nonce>.
 */
export const streamTimeout = 5_000;

export default function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  const nonce = createCspNonce();
  applySecurityHeaders(responseHeaders, {
    https: dashboardOrigin(request).startsWith('https:'),
    policy: { nonce, development: env.nodeEnv === 'development' },
  });
  // Crawlers and SPA mode get the whole document at once; browsers get the shell as soon as it is ready.
  const waitForAll = isbot(request.headers.get('user-agent') ?? '') || remixContext.isSpaMode;

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set('Content-Type', 'text/html');
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <CspNonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </CspNonceProvider>,
      {
        nonce,
        onShellReady: waitForAll ? undefined : ready,
        onAllReady: waitForAll ? ready : undefined,
        onShellError: reject,
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell reject and are logged by Remix; later ones would be lost without this.
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1_000);
  });
}

export const handleDataRequest: HandleDataRequestFunction = (response, { request }) => {
  applySecurityHeaders(response.headers, { https: dashboardOrigin(request).startsWith('https:') });
  return response;
};
