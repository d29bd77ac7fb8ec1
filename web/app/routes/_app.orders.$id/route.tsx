import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData, useLocation } from '@remix-run/react';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { PaymentBadge, StatusBadge } from '~/components/badges';
import { Card, ProblemText } from '~/components/ui';
import {
  OrderDocument,
  useAddOrderNoteMutation,
  useCancelOrderMutation,
  useMarkOrderPaidMutation,
  useUpdateOrderMutation,
  useUpdateOrderStatusMutation,
  type OrderDetailFragment,
  type OrderQuery,
  type OrderQueryVariables,
  type OrderStatus,
} from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { problemFrom, type Problem } from '~/lib/errors';
import { newIdempotencyKey } from '~/lib/id';
import { ACTOR_LABEL, STATUS_ACTION, anyStatusLabel } from '~/lib/labels';
import { useFormatters } from '~/lib/locale';
import { taxIsIncluded } from '~/lib/money';
import { useCanWrite } from '../_app/route';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.order ? `${data.order.number} · Luneo Orders` : 'Order · Luneo Orders' },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const api = await requireApi(request);
  const { order } = await api.query<OrderQuery, OrderQueryVariables>(OrderDocument, { id: params.id! });
  if (!order) throw data({ message: 'This order does not exist, or it belongs to another brand.' }, { status: 404 });
  return { order };
}

type Order = OrderDetailFragment;

const UNPAID = new Set(['AWAITING_PAYMENT', 'PAYMENT_FAILED']);

export default function OrderPage() {
  const loaded = useLoaderData<typeof loader>().order;
  const [order, setOrder] = useState<Order>(loaded);
  useEffect(() => setOrder(loaded), [loaded]);
  const location = useLocation();
  const created = (location.state as { created?: string } | null)?.created;
  const canWrite = useCanWrite();
  const fmt = useFormatters();

  const itemCount = order.items.reduce((sum, item) => sum + item.quantity, 0);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/orders">Orders</Link> <span aria-hidden="true">/</span> <span aria-current="page">{order.number}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 className="page-header__title" data-testid="order-number">
            {order.number}
          </h1>
          <p className="page-header__subtitle">
            Placed <time dateTime={order.createdAt}>{fmt.dateTime(order.createdAt)}</time> · {itemCount}{' '}
            {itemCount === 1 ? 'item' : 'items'} · {order.total.formatted}
          </p>
        </div>
        <div className="page-header__badges">
          <StatusBadge status={order.status} />
          <PaymentBadge status={order.paymentStatus} />
        </div>
      </header>

      {created ? (
        <p className="notice notice--success" role="status">
          Order {created} was created.
        </p>
      ) : null}

      {order.attention ? (
        <div className="notice notice--warning" role="alert" data-testid="attention">
          <strong>Needs attention.</strong> {order.attention}
        </div>
      ) : null}

      <div className="detail-grid">
        <div className="detail-grid__main">
          {canWrite ? <OrderActions order={order} onChange={setOrder} /> : null}

          <Card title="Items">
            <div className="table-wrap table-wrap--flush">
              <table className="table table--items">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col" className="num">
                      Unit price
                    </th>
                    <th scope="col" className="num">
                      Qty
                    </th>
                    <th scope="col" className="num">
                      Discount
                    </th>
                    <th scope="col" className="num">
                      Tax
                    </th>
                    <th scope="col" className="num">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {order.items.map((item) => (
                    <tr key={item.id}>
                      <td data-label="Product">
                        <span className="cell-primary">{item.name}</span>
                        <span className="cell-secondary">
                          {item.sku}
                          {item.productId ? null : ' · removed from catalog'}
                        </span>
                        {item.customization ? <Customization value={item.customization} /> : null}
                      </td>
                      <td data-label="Unit price" className="num money">
                        {item.unitPrice.formatted}
                      </td>
                      <td data-label="Qty" className="num">
                        {item.quantity}
                      </td>
                      <td data-label="Discount" className="num money">
                        {item.discount.amount ? `−${item.discount.formatted}` : '—'}
                      </td>
                      <td data-label="Tax" className="num money">
                        {item.tax.formatted}
                      </td>
                      <td data-label="Total" className="num money">
                        {item.total.formatted}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <dl className="totals" aria-label="Money breakdown">
              <div>
                <dt>Subtotal</dt>
                <dd>{order.subtotal.formatted}</dd>
              </div>
              {order.discountTotal.amount ? (
                <div>
                  <dt>Discount{order.discountCode ? ` (${order.discountCode})` : ''}</dt>
                  <dd>−{order.discountTotal.formatted}</dd>
                </div>
              ) : null}
              <div>
                <dt>Shipping</dt>
                <dd>{order.shippingTotal.amount ? order.shippingTotal.formatted : 'Free'}</dd>
              </div>
              <div>
                <dt>{taxIsIncluded(order) ? 'Tax (included)' : 'Tax'}</dt>
                <dd>{order.taxTotal.formatted}</dd>
              </div>
              <div className="totals__grand">
                <dt>Total</dt>
                <dd data-testid="order-total">{order.total.formatted}</dd>
              </div>
              {order.refundedTotal.amount ? (
                <div className="totals__refund">
                  <dt>Refunded</dt>
                  <dd>−{order.refundedTotal.formatted}</dd>
                </div>
              ) : null}
            </dl>
          </Card>

          <Card title="Timeline">
            <ol className="timeline" data-testid="timeline">
              {order.statusHistory.map((change) => (
                <li key={change.id} className={`timeline__item timeline__item--${change.kind.toLowerCase()}`}>
                  <span className="timeline__dot" aria-hidden="true" />
                  <div className="timeline__body">
                    <p className="timeline__what">
                      {change.kind === 'NOTE' ? (
                        'Note'
                      ) : (
                        <>
                          {change.kind === 'PAYMENT' ? 'Payment: ' : ''}
                          {change.from ? `${anyStatusLabel(change.from)} → ` : ''}
                          {anyStatusLabel(change.to)}
                        </>
                      )}
                    </p>
                    {change.note ? <p className="timeline__note">{change.note}</p> : null}
                    <p className="timeline__meta">
                      {change.actor.label} · {ACTOR_LABEL[change.actor.type]} ·{' '}
                      <time dateTime={change.createdAt}>{fmt.dateTime(change.createdAt)}</time>
                    </p>
                  </div>
                </li>
              ))}
            </ol>
            {canWrite ? <AddNote order={order} onChange={setOrder} /> : null}
          </Card>
        </div>

        <aside className="detail-grid__side">
          <Card title="Customer">
            <p className="cell-primary">{order.customer.name ?? '—'}</p>
            <p>
              <a href={`mailto:${order.customer.email}`}>{order.customer.email}</a>
            </p>
            {order.customer.phone ? <p>{order.customer.phone}</p> : null}
          </Card>
          <Card title="Shipping address">
            {order.shippingAddress ? (
              <address className="address">
                {order.shippingAddress.name ? <span>{order.shippingAddress.name}</span> : null}
                <span>{order.shippingAddress.line1}</span>
                {order.shippingAddress.line2 ? <span>{order.shippingAddress.line2}</span> : null}
                <span>
                  {order.shippingAddress.postalCode} {order.shippingAddress.city}
                </span>
                {order.shippingAddress.region ? <span>{order.shippingAddress.region}</span> : null}
                <span>{order.shippingAddress.country}</span>
              </address>
            ) : (
              <p className="muted">No shipping address.</p>
            )}
          </Card>
          <Card title="Tracking">
            <Tracking order={order} onChange={setOrder} canWrite={canWrite} />
          </Card>
          <Card title="Details">
            <dl className="facts">
              <div>
                <dt>Source</dt>
                <dd>{{ DASHBOARD: 'Dashboard', API: 'API', STRIPE_CHECKOUT: 'Stripe Checkout' }[order.source]}</dd>
              </div>
              {order.paidAt ? (
                <div>
                  <dt>Paid</dt>
                  <dd>{fmt.dateTime(order.paidAt)}</dd>
                </div>
              ) : null}
              {order.cancelledAt ? (
                <div>
                  <dt>Cancelled</dt>
                  <dd>{fmt.dateTime(order.cancelledAt)}</dd>
                </div>
              ) : null}
              {order.checkoutRef ? (
                <div>
                  <dt>Checkout ref</dt>
                  <dd className="mono">{order.checkoutRef}</dd>
                </div>
              ) : null}
              <div>
                <dt>Updated</dt>
                <dd>{fmt.dateTime(order.updatedAt)}</dd>
              </div>
            </dl>
          </Card>
        </aside>
      </div>
    </>
  );
}

function Customization({ value }: { value: unknown }) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return (
      <dl className="customization">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <code className="customization">{JSON.stringify(value)}</code>;
}

interface SectionProps {
  order: Order;
  onChange: (order: Order) => void;
}

function OrderActions({ order, onChange }: SectionProps) {
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
        <CancelPanel
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

function CancelPanel({ order, onChange, onClose }: SectionProps & { onClose: () => void }) {
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
    <form id="cancel-panel" className="subpanel" onSubmit={submit} aria-label="Cancel order" noValidate>
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

function AddNote({ order, onChange }: SectionProps) {
  const [state, addNote] = useAddOrderNoteMutation();
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!note.trim()) return;
    setProblem(null);
    const result = await addNote({ id: order.id, note: note.trim() });
    if (result.data) {
      onChange(result.data.addOrderNote);
      setNote('');
    } else setProblem(problemFrom(result.error));
  }

  return (
    <form className="note-form" onSubmit={submit}>
      <label htmlFor="order-note" className="field__label">
        Add a note
      </label>
      <textarea
        id="order-note"
        className="input"
        rows={2}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        placeholder="Visible to your team only"
      />
      <div className="actions">
        <button type="submit" className="btn btn--secondary" disabled={state.fetching || !note.trim()}>
          {state.fetching ? 'Saving…' : 'Add note'}
        </button>
      </div>
      <ProblemText problem={problem} />
    </form>
  );
}

function Tracking({ order, onChange, canWrite }: SectionProps & { canWrite: boolean }) {
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

  if (!editing) {
    return (
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
    );
  }
  return (
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
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
