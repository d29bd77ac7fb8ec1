/**
 * What a partner API key may do. A key holds a list of these; sessions have roles instead. `:write` includes the
 * `:read` of the same resource, so a key that creates orders can read back what it created.
 */
export const API_KEY_SCOPES = ['orders:read', 'orders:write', 'products:read', 'products:write', 'stats:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** True when `granted` covers `required` (directly, or as the `:write` of the same resource). */
export function scopeGranted(granted: readonly string[], required: ApiKeyScope): boolean {
  if (granted.includes(required)) return true;
  return required.endsWith(':read') && granted.includes(required.replace(/:read$/, ':write'));
}
