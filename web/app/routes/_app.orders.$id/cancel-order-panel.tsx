import { useState, type FormEvent } from 'react';
import { ProblemText } from '~/components/ui';
import { useCancelOrderMutation } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { closeOnEscape } from '~/lib/keyboard';
import { newIdempotencyKey } from '~/lib/id';
import type { OrderSectionProps } from './order-section';

export function CancelOrderPanel({ order, onChange, onClose }: OrderSectionProps & { onClose: () => void }) {
  const [state, cancel] = useCancelOrderMutation();
  const [reason, setReason] = useState('');
  const [restock, setRestock] = useState(true);
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  // One key per opened panel: a double submit cancels (and restocks) once.
  const [key] = useState(newIdempotencyKey);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) {
      setReasonError('Say why the order is cancelled; the customer service team will see it.');
      return;
    }
    setReasonError(null);
    setProblem(null);
    const result = await cancel({ id: order.id, reason: reason.trim(), restock, idempotencyKey: key });
    if (result.data) onChange(result.data.cancelOrder);
    else setProblem(problemFrom(result.error));
  }

  return (
    <form id="cancel-panel" className="subpanel" onSubmit={submit} aria-label="Cancel order" noValidate onKeyDown={closeOnEscape(onClose)}>
      <div className="field">
        <label htmlFor="cancel-reason" className="field__label">
          Reason
        </label>
        <textarea
          id="cancel-reason"
          className="input"
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? 'cancel-reason-error' : undefined}
          autoFocus
          required
        />
        {reasonError ? (
          <p className="field__error" id="cancel-reason-error">
            {reasonError}
          </p>
        ) : null}
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={restock} onChange={(e) => setRestock(e.target.checked)} />
        <span>Put the items back in stock</span>
      </label>
      <div className="actions">
        <button type="submit" className="btn btn--danger" disabled={state.fetching}>
          {state.fetching ? 'Cancelling…' : 'Confirm cancellation'}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          Keep order
        </button>
      </div>
      <ProblemText problem={problem} />
    </form>
  );
}
