import { Writable } from 'node:stream';
import type { EntryContext, HandleDataRequestFunction } from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
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

/**
 * The whole document is rendered before it is sent, in one piece: no page defers data (every loader's data is ready
 * before rendering starts), so streaming the shell first bought nothing, while the stream's many small chunks —
 * through a PassThrough, a web ReadableStream and back to the socket — cost about a fifth of the dashboard's CPU per page.
 */
export default function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  const nonce = createCspNonce();
  applySecurityHeaders(responseHeaders, {
    https: dashboardOrigin(request).startsWith('https:'),
    policy: { nonce, development: env.nodeEnv === 'development' },
  });

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const chunks: Buffer[] = [];
    const document = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        clearTimeout(timeout);
        responseHeaders.set('Content-Type', 'text/html');
        resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: responseStatusCode }));
        done();
      },
    });
    const { pipe, abort } = renderToPipeableStream(
      <CspNonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </CspNonceProvider>,
      {
        nonce,
        onShellReady: () => {
          shellRendered = true;
        },
        onAllReady: () => pipe(document),
        onShellError: reject,
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell reject and are logged by Remix; later ones would be lost without this.
          if (shellRendered) console.error(error);
        },
      },
    );
    // Past the timeout, what is still pending renders as its fallback (or as an error), and the document is sent.
    const timeout = setTimeout(abort, streamTimeout + 1_000);
  });
}

export const handleDataRequest: HandleDataRequestFunction = (response, { request }) => {
  applySecurityHeaders(response.headers, { https: dashboardOrigin(request).startsWith('https:') });
  return response;
};
