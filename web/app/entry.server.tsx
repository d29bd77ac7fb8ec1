import type { EntryContext, HandleDataRequestFunction } from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
import { renderToString } from 'react-dom/server';
import { CspNonceProvider } from '~/lib/csp-nonce';
import { env } from '~/lib/env.server';
import { dashboardOrigin } from '~/lib/origin.server';
import { applySecurityHeaders, createCspNonce } from '~/lib/security-headers.server';

/**
 * Remix's default Node entry plus security headers: every page gets a Content-Security-Policy with a fresh nonce,
 * which reaches Remix's inline scripts through CspNonceProvider and the loader data's scripts below.
 */
export const streamTimeout = 5_000;

/**
 * The document is rendered with `renderToString`, in one synchronous pass, and sent in one piece: no page defers data
 * (every loader's data is ready before rendering starts), so streaming bought nothing. The only suspending component
 * was Remix's StreamTransfer, which writes the loader data (turbo-stream) into the page chunk by chunk; here that data
 * is read whole first and written as the same two scripts after the document. A render error throws, and Remix logs it
 * and renders the error boundary with status 500, as a shell error did.
 */
export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  const nonce = createCspNonce();
  applySecurityHeaders(responseHeaders, {
    https: dashboardOrigin(request).startsWith('https:'),
    policy: { nonce, development: env.nodeEnv === 'development' },
  });

  const handoff = remixContext.serverHandoffStream ? await readAll(remixContext.serverHandoffStream) : null;
  const markup = renderToString(
    <CspNonceProvider value={nonce}>
      <RemixServer context={{ ...remixContext, serverHandoffStream: undefined }} url={request.url} nonce={nonce} />
    </CspNonceProvider>,
  );
  // Remix's StreamTransfer writes nothing unless <Scripts> rendered (an error page may have none).
  const data = handoff !== null && remixContext.renderMeta?.didRenderScripts ? loaderDataScripts(handoff, nonce) : '';
  const body = Buffer.from(`<!DOCTYPE html>${markup}${data}`);
  responseHeaders.set('Content-Type', 'text/html');
  // With its length known, Node sends the page with its headers in one write, not as chunks and a closing chunk.
  responseHeaders.set('Content-Length', String(body.byteLength));
  return new Response(body, { headers: responseHeaders, status: responseStatusCode });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** What Remix's StreamTransfer writes after the document: the turbo-stream text for the browser's decoder, then its end. */
function loaderDataScripts(text: string, nonce: string): string {
  const enqueue = text ? `<script nonce="${nonce}">window.__remixContext.streamController.enqueue(${escapeScript(JSON.stringify(text))});</script>` : '';
  return `${enqueue}<script nonce="${nonce}">window.__remixContext.streamController.close();</script>`;
}

/** Remix's escapeHtml for inline scripts: nothing in the data can close the script element or break the line. */
const SCRIPT_ESCAPES: Record<string, string> = { '&': '\\u0026', '>': '\\u003e', '<': '\\u003c', '\u2028': '\\u2028', '\u2029': '\\u2029' };
function escapeScript(json: string): string {
  return json.replace(/[&><\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]);
}

export const handleDataRequest: HandleDataRequestFunction = (response, { request }) => {
  applySecurityHeaders(response.headers, { https: dashboardOrigin(request).startsWith('https:') });
  return response;
};
