import { useEffect, useRef, useState } from 'react';
import { Card, ProblemText } from '~/components/ui';
import { useUpdateOrderStatusMutation, type OrderDetailFragment, type OrderStatus } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { closeOnEscape } from '~/lib/keyboard';
import { STATUS_ACTION, STATUS_LABEL } from '~/lib/labels';
import { canAdmin } from '~/lib/roles';
import { useViewer } from '../_app/route';
import { CancelOrderPanel } from './cancel-order-panel';
import { MarkPaidPanel } from './mark-paid-panel';
import type { OrderSectionProps } from './order-section';

const UNPAID = new Set(['AWAITING_PAYMENT', 'PAYMENT_FAILED']);

/** Moves that cannot be taken back: each asks for a confirmation first. */
const IRREVERSIBLE: Partial<Record<OrderStatus, string>> = {
  SHIPPED: 'A shipped order can then only be marked delivered; it can no longer be cancelled.',
  DELIVERED: 'This is the last step: a delivered order cannot change any more.',
};

type Open = { kind: 'confirm'; to: OrderStatus } | { kind: 'pay' } | { kind: 'cancel' } | null;

/**
 * Status and payment actions. Irreversible moves ask first; every result is announced in a live region, and focus
 * stays in this card (on the announcement) when the button that was pressed goes away.
 */
export function OrderActionsCard({ order, onChange }: OrderSectionProps) {
  const viewer = useViewer();
  const [status, updateStatus] = useUpdateOrderStatusMutation();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [announcement, setAnnouncement] = useState('');
  const announcementRef = useRef<HTMLParagraphElement>(null);
  const openerRef = useRef<HTMLButtonElement | null>(null);
  const [focusAnnouncement, setFocusAnnouncement] = useState(0);

  useEffect(() => {
    if (focusAnnouncement) announcementRef.current?.focus();
  }, [focusAnnouncement]);

  const moves: OrderStatus[] = order.nextStatuses.filter((s) => s !== 'CANCELLED');
  const canCancel = order.nextStatuses.includes('CANCELLED');
  // Stripe reports its own orders' payments; marking one paid by hand is an ADMIN's call (the API refuses STAFF).
  const canMarkPaid =
    UNPAID.has(order.paymentStatus) && order.status !== 'CANCELLED' && (order.source !== 'STRIPE_CHECKOUT' || canAdmin(viewer.role));
  const hasActions = moves.length > 0 || canCancel || canMarkPaid;

  function done(next: OrderDetailFragment, message: string) {
    setOpen(null);
    onChange(next);
    setAnnouncement(message);
    setFocusAnnouncement((n) => n + 1);
  }

  function openPanel(next: Open, opener: HTMLButtonElement) {
    setProblem(null);
    openerRef.current = opener;
    setOpen(next);
  }

  function closePanel() {
    setOpen(null);
    openerRef.current?.focus();
  }

  async function move(to: OrderStatus) {
    setProblem(null);
    const result = await updateStatus({ id: order.id, status: to });
    if (result.data) done(result.data.updateOrderStatus, `Order ${order.number} is now ${STATUS_LABEL[to].toLowerCase()}.`);
    else setProblem(problemFrom(result.error));
  }

  if (!hasActions && !announcement) return null;

  return (
    <Card title="Actions" className="card--actions">
      <p className={announcement ? 'notice notice--success actions__result' : 'sr-only'} role="status" tabIndex={-1} ref={announcementRef}>
        {announcement}
      </p>
      {hasActions ? (
        <div className="actions" role="group" aria-label="Order actions">
          {canMarkPaid ? (
            <button
              type="button"
              className="btn btn--primary"
              aria-expanded={open?.kind === 'pay'}
              aria-controls="mark-paid-panel"
              onClick={(e) => (open?.kind === 'pay' ? closePanel() : openPanel({ kind: 'pay' }, e.currentTarget))}
              disabled={status.fetching}
            >
              Mark paid…
            </button>
          ) : null}
          {moves.map((to) => {
            const confirm = IRREVERSIBLE[to];
            return (
              <button
                key={to}
                type="button"
                className="btn btn--primary"
                onClick={(e) => (confirm ? openPanel({ kind: 'confirm', to }, e.currentTarget) : move(to))}
                disabled={status.fetching}
                data-next-status={to}
                aria-expanded={confirm ? open?.kind === 'confirm' && open.to === to : undefined}
                aria-controls={confirm ? 'confirm-move-panel' : undefined}
              >
                {STATUS_ACTION[to]}
                {confirm ? '…' : ''}
              </button>
            );
          })}
          {canCancel ? (
            <button
              type="button"
              className="btn btn--danger-outline"
              aria-expanded={open?.kind === 'cancel'}
              aria-controls="cancel-panel"
              onClick={(e) => (open?.kind === 'cancel' ? closePanel() : openPanel({ kind: 'cancel' }, e.currentTarget))}
              disabled={status.fetching}
            >
              Cancel order…
            </button>
          ) : null}
        </div>
      ) : (
        <p className="muted">Nothing more to do: this order is {STATUS_LABEL[order.status].toLowerCase()}.</p>
      )}
      <ProblemText problem={problem} />
      {open?.kind === 'confirm' && moves.includes(open.to) ? (
        <ConfirmMove order={order} to={open.to} busy={status.fetching} onConfirm={() => move(open.to)} onClose={closePanel} />
      ) : null}
      {open?.kind === 'pay' && canMarkPaid ? (
        <MarkPaidPanel order={order} onChange={(next) => done(next, `Order ${order.number} is marked paid.`)} onClose={closePanel} />
      ) : null}
      {open?.kind === 'cancel' && canCancel ? (
        <CancelOrderPanel order={order} onChange={(next) => done(next, `Order ${order.number} is cancelled.`)} onClose={closePanel} />
      ) : null}
    </Card>
  );
}

function ConfirmMove({
  order,
  to,
  busy,
  onConfirm,
  onClose,
}: {
  order: OrderDetailFragment;
  to: OrderStatus;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const tracking = [order.trackingCarrier, order.trackingNumber].filter(Boolean).join(' ');
  return (
    <div id="confirm-move-panel" className="subpanel" role="group" aria-labelledby="confirm-move-title" onKeyDown={closeOnEscape(onClose)}>
      <p id="confirm-move-title" className="cell-primary">
        {STATUS_ACTION[to]}: order {order.number}?
      </p>
      <p>{IRREVERSIBLE[to]}</p>
      {to === 'SHIPPED' ? (
        <p className="muted" data-testid="confirm-tracking">
          {tracking ? `Tracking: ${tracking}.` : 'No tracking yet: add it in the Tracking card first if the parcel has one.'}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="btn btn--primary" onClick={onConfirm} disabled={busy} autoFocus>
          {busy ? 'Saving…' : `Yes, ${STATUS_ACTION[to].toLowerCase()}`}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          Go back
        </button>
      </div>
    </div>
  );
}
