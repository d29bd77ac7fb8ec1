import { useState, type FormEvent } from 'react';
import { Card, ProblemNotice, ProblemText } from '~/components/ui';
import { useApiKeysQuery, useCreateApiKeyMutation, useRevokeApiKeyMutation, type ApiKeyRowFragment } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';

/** The scopes a key may hold, in the order the API lists them, with what each lets a partner do. */
const SCOPES = [
  { scope: 'orders:read', label: 'Read orders', hint: 'orders, customers and timelines' },
  { scope: 'orders:write', label: 'Write orders', hint: 'create, update, cancel; includes reading them' },
  { scope: 'products:read', label: 'Read products', hint: 'catalog and stock' },
  { scope: 'products:write', label: 'Write products', hint: 'create, edit, adjust stock; includes reading them' },
  { scope: 'stats:read', label: 'Read statistics', hint: 'totals only, no customer data' },
] as const;

/**
 * Settings → API keys: partners' credentials for this brand. A new key's secret is shown once, here, and never again
 * (the API keeps only its hash); revoking stops it at once.
 */
export function ApiKeysCard() {
  const fmt = useFormatters();
  const [keys, reload] = useApiKeysQuery({ requestPolicy: 'cache-and-network' });
  const [createState, create] = useCreateApiKeyMutation();
  const [revokeState, revoke] = useRevokeApiKeyMutation();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [errors, setErrors] = useState<{ name?: string; scopes?: string }>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [rowProblem, setRowProblem] = useState<{ id: string; problem: Problem | null } | null>(null);

  function toggleScope(scope: string, on: boolean) {
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const found: typeof errors = {};
    if (!name.trim()) found.name = 'Name the key after what uses it, e.g. “ERP sync”.';
    if (scopes.length === 0) found.scopes = 'Choose at least one permission.';
    setErrors(found);
    if (found.name || found.scopes) return;
    const result = await create({ input: { name: name.trim(), scopes } });
    if (result.error || !result.data) {
      const p = problemFrom(result.error);
      if (p?.field?.startsWith('input.name')) setErrors({ name: p.message });
      else if (p?.field?.startsWith('input.scopes')) setErrors({ scopes: p.message });
      else setProblem(p);
      return;
    }
    setSecret({ name: result.data.createApiKey.apiKey.name, value: result.data.createApiKey.secret });
    setCopied(false);
    setCreating(false);
    setName('');
    setScopes([]);
    reload({ requestPolicy: 'network-only' });
  }

  async function revokeKey(key: ApiKeyRowFragment) {
    if (!window.confirm(`Revoke “${key.name}”? Anything using it stops working immediately.`)) return;
    setRowProblem(null);
    const result = await revoke({ id: key.id });
    if (result.error) setRowProblem({ id: key.id, problem: problemFrom(result.error) });
    else reload({ requestPolicy: 'network-only' });
  }

  async function copySecret() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret.value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  const rows = keys.data?.apiKeys ?? [];
  return (
    <Card
      title="API keys"
      actions={
        <button type="button" className="btn btn--secondary btn--small" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          {creating ? 'Close' : 'New key'}
        </button>
      }
    >
      <p className="muted">Partners send a key as <span className="mono">Authorization: Bearer lno_…</span>. See the partner guide for costs and limits.</p>
      {secret ? (
        <div className="notice notice--success" role="status" data-testid="api-key-secret">
          <p>
            The secret of <strong>{secret.name}</strong> — copy it now: it will not be shown again.
          </p>
          <p className="mono" style={{ wordBreak: 'break-all' }}>
            {secret.value}
          </p>
          <div className="actions">
            <button type="button" className="btn btn--secondary btn--small" onClick={copySecret}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="btn btn--ghost btn--small" onClick={() => setSecret(null)}>
              I have stored it
            </button>
          </div>
        </div>
      ) : null}
      {creating ? (
        <form className="subpanel" onSubmit={submit} noValidate aria-label="New API key">
          <div className="field">
            <label htmlFor="api-key-name" className="field__label">
              Name
            </label>
            <input
              id="api-key-name"
              className="input"
              value={name}
              maxLength={100}
              onChange={(e) => setName(e.target.value)}
              autoFocus
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={errors.name ? 'api-key-name-error' : undefined}
            />
            {errors.name ? (
              <p className="field__error" id="api-key-name-error">
                {errors.name}
              </p>
            ) : null}
          </div>
          <fieldset className="field" aria-describedby={errors.scopes ? 'api-key-scopes-error' : undefined}>
            <legend className="field__label">Permissions</legend>
            {SCOPES.map(({ scope, label, hint }) => (
              <label className="checkbox" key={scope}>
                <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggleScope(scope, e.target.checked)} />
                {label} <span className="muted">({hint})</span>
              </label>
            ))}
            {errors.scopes ? (
              <p className="field__error" id="api-key-scopes-error">
                {errors.scopes}
              </p>
            ) : null}
          </fieldset>
          <ProblemText problem={problem} />
          <div className="actions">
            <button type="submit" className="btn btn--primary" disabled={createState.fetching}>
              {createState.fetching ? 'Creating…' : 'Create key'}
            </button>
          </div>
        </form>
      ) : null}
      <ProblemNotice problem={problemFrom(keys.error)} onRetry={() => reload({ requestPolicy: 'network-only' })} />
      {keys.fetching && !keys.data ? (
        <p className="muted">Loading keys…</p>
      ) : rows.length === 0 ? (
        <p className="muted">No API keys yet.</p>
      ) : (
        <div className="table-wrap table-wrap--flush">
          <table className="table table--compact" data-testid="api-keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Permissions</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((key) => (
                <tr key={key.id}>
                  <td data-label="Name">{key.name}</td>
                  <td data-label="Key" className="mono">
                    {key.prefix}…
                  </td>
                  <td data-label="Permissions">{key.scopes.join(', ')}</td>
                  <td data-label="Created">
                    {fmt.dateTime(key.createdAt)} <span className="muted">by {key.createdBy.label}</span>
                  </td>
                  <td data-label="Last used">{key.lastUsedAt ? fmt.dateTime(key.lastUsedAt) : 'Never'}</td>
                  <td data-label="Status">
                    {key.revokedAt ? <span className="badge badge--grey">Revoked {fmt.date(key.revokedAt)}</span> : <span className="badge badge--green">Active</span>}
                  </td>
                  <td className="row-actions">
                    {key.revokedAt ? null : (
                      <button type="button" className="btn btn--ghost btn--small" onClick={() => revokeKey(key)} disabled={revokeState.fetching}>
                        Revoke
                      </button>
                    )}
                    {rowProblem?.id === key.id ? <ProblemText problem={rowProblem.problem} /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
