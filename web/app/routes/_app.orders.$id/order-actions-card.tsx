import { useId, useState } from 'react';
import { Card, ProblemText } from '~/components/ui';
import { useMarkOrderPaidMutation, useUpdateOrderStatusMutation, type OrderStatus } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { STATUS_ACTION } from '~/lib/labels';
import { CancelOrderPanel } from './cancel-order-panel';
import type { OrderSectionProps } from './order-section';

const UNPAID = new Set(['AWAITING_PAYMENT', 'PAYMENT_FAILED']);

export function OrderActionsCard({ order, onChange }: OrderSectionProps) {
  const [status, updateStatus] = useUpdateOrderStatusMutation();
  const [paid, markPaid] = useMarkOrderPaidMutation();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [tracking, setTracking] = useState(order.trackingNumber ?? '');
  const [cancelOpen, setCancelOpen] = useState(false);
  const trackingId = useId();

  const moves = order.nextStatuses.filter((s) => s !== 'CANCELLED');
  const canCancel = order.nextStatuses.includes('CANCELLED');
  const canMarkPaid = UNPAID.has(order.paymentStatus) && order.status !== 'CANCELLED';
  const busy = status.fetching || paid.fetching;

  async function move(to: OrderStatus) {
    setProblem(null);
    const result = await updateStatus({
      id: order.id,
      status: to,
      trackingNumber: to === 'SHIPPED' && tracking.trim() ? tracking.trim() : undefined,
    });
    if (result.data) onChange(result.data.updateOrderStatus);
    else setProblem(problemFrom(result.error));
  }

  async function pay() {
    setProblem(null);
    const result = await markPaid({ id: order.id });
    if (result.data) onChange(result.data.markOrderPaid);
    else setProblem(problemFrom(result.error));
  }

  if (!moves.length && !canCancel && !canMarkPaid) return null;

  return (
    <Card title="Actions" className="card--actions">
      {moves.includes('SHIPPED') ? (
        <div className="field field--inline">
          <label htmlFor={trackingId} className="field__label">
            Tracking number <span className="muted">(optional)</span>
          </label>
          <input id={trackingId} className="input" value={tracking} onChange={(e) => setTracking(e.target.value)} />
        </div>
      ) : null}
      <div className="actions" role="group" aria-label="Order actions">
        {canMarkPaid ? (
          <button type="button" className="btn btn--primary" onClick={pay} disabled={busy}>
            {paid.fetching ? 'Marking paid…' : 'Mark paid'}
          </button>
        ) : null}
        {moves.map((to) => (
          <button
            key={to}
            type="button"
            className="btn btn--primary"
            onClick={() => move(to)}
            disabled={busy}
            data-next-status={to}
          >
            {STATUS_ACTION[to]}
          </button>
        ))}
        {canCancel ? (
          <button
            type="button"
            className="btn btn--danger-outline"
            aria-expanded={cancelOpen}
            aria-controls="cancel-panel"
            onClick={() => setCancelOpen((open) => !open)}
            disabled={busy}
          >
            Cancel order…
          </button>
        ) : null}
      </div>
      <ProblemText problem={problem} />
      {canCancel && cancelOpen ? (
        <CancelOrderPanel
          order={order}
          onChange={(o) => {
            setCancelOpen(false);
            onChange(o);
          }}
          onClose={() => setCancelOpen(false)}
        />
      ) : null}
    </Card>
  );
}
