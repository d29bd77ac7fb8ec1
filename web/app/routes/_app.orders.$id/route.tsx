import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData, useLocation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { PaymentBadge, StatusBadge } from '~/components/badges';
import { Card } from '~/components/ui';
import { OrderDocument, type OrderDetailFragment, type OrderQuery, type OrderQueryVariables } from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { PAYMENT_METHOD_LABEL } from '~/lib/labels';
import { useFormatters } from '~/lib/locale';
import { useCanWrite } from '../_app/route';
import { AuditEntriesCard } from './audit-entries-card';
import { OrderActionsCard } from './order-actions-card';
import { OrderItemsCard } from './order-items-card';
import { TimelineCard } from './timeline-card';
import { TrackingCard } from './tracking-card';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.order ? `${data.order.number} · Luneo Orders` : 'Order · Luneo Orders' },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const api = await requireApi(request, context);
  const { order } = await api.query<OrderQuery, OrderQueryVariables>(OrderDocument, { id: params.id! });
  if (!order) throw data({ message: 'This order does not exist, or it belongs to another brand.' }, { status: 404 });
  return { order };
}

export default function OrderPage() {
  const loaded = useLoaderData<typeof loader>().order;
  const [order, setOrder] = useState<OrderDetailFragment>(loaded);
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
            {itemCount === 1 ? 'item' : 'items'} · {fmt.amount(order.total)}
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
          {canWrite ? <OrderActionsCard order={order} onChange={setOrder} /> : null}

          <OrderItemsCard order={order} />

          <TimelineCard order={order} onChange={setOrder} canWrite={canWrite} />
          <AuditEntriesCard orderId={order.id} />
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
          <TrackingCard order={order} onChange={setOrder} canWrite={canWrite} />
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
              {order.paymentMethod ? (
                <div>
                  <dt>Paid by</dt>
                  <dd data-testid="payment-method">
                    {PAYMENT_METHOD_LABEL[order.paymentMethod]}
                    {order.paymentReference ? <span className="mono"> · {order.paymentReference}</span> : null}
                  </dd>
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

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
