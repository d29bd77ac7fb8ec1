import { createContext, useContext } from 'react';

/**
 * The Content-Security-Policy nonce of the response being rendered, provided by entry.server.tsx to the inline
 * scripts (`<Scripts nonce>`, `<ScrollRestoration nonce>`, the root's own). In the browser it is empty, which is also
 * what the browser shows of a nonce after parsing, so hydration sees the same value on both sides.
 */
const CspNonceContext = createContext('');

export const CspNonceProvider = CspNonceContext.Provider;

export function useCspNonce(): string {
  return useContext(CspNonceContext);
}
