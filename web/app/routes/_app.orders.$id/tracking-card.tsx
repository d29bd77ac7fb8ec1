import { useState, type FormEvent } from 'react';
import { Card, ProblemText } from '~/components/ui';
import { useUpdateOrderMutation } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import type { OrderSectionProps } from './order-section';

export function TrackingCard({ order, onChange, canWrite }: OrderSectionProps & { canWrite: boolean }) {
  const [state, update] = useUpdateOrderMutation();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(order.trackingNumber ?? '');
  const [problem, setProblem] = useState<Problem | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const result = await update({ id: order.id, input: { trackingNumber: value.trim() } });
    if (result.data) {
      onChange(result.data.updateOrder);
      setEditing(false);
    } else setProblem(problemFrom(result.error));
  }

  return (
    <Card title="Tracking">
      {editing ? (
        <form onSubmit={submit} className="tracking-form">
          <label htmlFor="tracking-input" className="field__label">
            Tracking number
          </label>
          <input id="tracking-input" className="input" value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
          <div className="actions">
            <button type="submit" className="btn btn--secondary btn--small" disabled={state.fetching}>
              Save
            </button>
            <button type="button" className="btn btn--ghost btn--small" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
          <ProblemText problem={problem} />
        </form>
      ) : (
        <div className="tracking">
          <p className={order.trackingNumber ? 'mono' : 'muted'} data-testid="tracking-number">
            {order.trackingNumber ?? 'No tracking number yet.'}
          </p>
          {canWrite && order.status !== 'CANCELLED' ? (
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={() => {
                setValue(order.trackingNumber ?? '');
                setEditing(true);
              }}
            >
              {order.trackingNumber ? 'Edit' : 'Add tracking number'}
            </button>
          ) : null}
        </div>
      )}
    </Card>
  );
}
