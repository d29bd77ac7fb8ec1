import { useState, type FormEvent } from 'react';
import { Card, ProblemText } from '~/components/ui';
import { useUpdateOrderMutation } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { closeOnEscape } from '~/lib/keyboard';
import type { OrderSectionProps } from './order-section';

/** A link a person can open: the API accepts http(s) only; said here before sending. */
function isWebAddress(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The one place where an order's tracking (carrier, number, link) is seen and edited. */
export function TrackingCard({ order, onChange, canWrite }: OrderSectionProps & { canWrite: boolean }) {
  const [state, update] = useUpdateOrderMutation();
  const [editing, setEditing] = useState(false);
  const [carrier, setCarrier] = useState('');
  const [number, setNumber] = useState('');
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const hasTracking = Boolean(order.trackingNumber || order.trackingCarrier || order.trackingUrl);

  function startEditing() {
    setCarrier(order.trackingCarrier ?? '');
    setNumber(order.trackingNumber ?? '');
    setUrl(order.trackingUrl ?? '');
    setUrlError(null);
    setProblem(null);
    setEditing(true);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (url.trim() && !isWebAddress(url.trim())) {
      setUrlError('Use a web address starting with https:// (or http://).');
      document.getElementById('tracking-url')?.focus();
      return;
    }
    setUrlError(null);
    setProblem(null);
    const result = await update({
      id: order.id,
      input: { trackingCarrier: carrier.trim() || null, trackingNumber: number.trim() || null, trackingUrl: url.trim() || null },
    });
    if (result.data) {
      onChange(result.data.updateOrder);
      setEditing(false);
    } else setProblem(problemFrom(result.error));
  }

  return (
    <Card title="Tracking">
      {editing ? (
        <form onSubmit={submit} className="tracking-form" aria-label="Tracking" noValidate onKeyDown={closeOnEscape(() => setEditing(false))}>
          <div className="field">
            <label htmlFor="tracking-carrier" className="field__label">
              Carrier
            </label>
            <input id="tracking-carrier" className="input" value={carrier} maxLength={100} onChange={(e) => setCarrier(e.target.value)} autoFocus />
          </div>
          <div className="field">
            <label htmlFor="tracking-number" className="field__label">
              Tracking number
            </label>
            <input id="tracking-number" className="input" value={number} maxLength={100} onChange={(e) => setNumber(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="tracking-url" className="field__label">
              Tracking link <span className="muted">(optional)</span>
            </label>
            <input
              id="tracking-url"
              className="input"
              type="url"
              inputMode="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              aria-invalid={urlError ? true : undefined}
              aria-describedby={urlError ? 'tracking-url-error' : undefined}
            />
            {urlError ? (
              <p className="field__error" id="tracking-url-error">
                {urlError}
              </p>
            ) : null}
          </div>
          <div className="actions">
            <button type="submit" className="btn btn--secondary btn--small" disabled={state.fetching}>
              {state.fetching ? 'Saving…' : 'Save tracking'}
            </button>
            <button type="button" className="btn btn--ghost btn--small" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
          <ProblemText problem={problem} />
        </form>
      ) : (
        <div className="tracking">
          {hasTracking ? (
            <dl className="facts">
              {order.trackingCarrier ? (
                <div>
                  <dt>Carrier</dt>
                  <dd data-testid="tracking-carrier">{order.trackingCarrier}</dd>
                </div>
              ) : null}
              {order.trackingNumber ? (
                <div>
                  <dt>Number</dt>
                  <dd className="mono" data-testid="tracking-number">
                    {order.trackingNumber}
                  </dd>
                </div>
              ) : null}
              {order.trackingUrl ? (
                <div>
                  <dt>Link</dt>
                  <dd>
                    <a href={order.trackingUrl} target="_blank" rel="noopener noreferrer">
                      Follow the parcel<span className="sr-only"> (opens in a new tab)</span>
                    </a>
                  </dd>
                </div>
              ) : null}
            </dl>
          ) : (
            <p className="muted" data-testid="tracking-empty">
              No tracking yet.
            </p>
          )}
          {canWrite && order.status !== 'CANCELLED' ? (
            <button type="button" className="btn btn--ghost btn--small" onClick={startEditing}>
              {hasTracking ? 'Edit tracking' : 'Add tracking'}
            </button>
          ) : null}
        </div>
      )}
    </Card>
  );
}
