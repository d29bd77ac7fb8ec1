import { Card } from '~/components/ui';
import type { OrderDetailFragment } from '~/gql/graphql';
import { useFormatters } from '~/lib/locale';
import { taxIsIncluded } from '~/lib/money';

export function OrderItemsCard({ order }: { order: OrderDetailFragment }) {
  const fmt = useFormatters();
  return (
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
                    {fmt.amount(item.unitPrice)}
                  </td>
                  <td data-label="Qty" className="num">
                    {fmt.number(item.quantity)}
                  </td>
                  <td data-label="Discount" className="num money">
                    {item.discount.amount ? `−${fmt.amount(item.discount)}` : '—'}
                  </td>
                  <td data-label="Tax" className="num money">
                    {fmt.amount(item.tax)}
                  </td>
                  <td data-label="Total" className="num money">
                    {fmt.amount(item.total)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <dl className="totals" aria-label="Money breakdown">
          <div>
            <dt>Subtotal</dt>
            <dd>{fmt.amount(order.subtotal)}</dd>
          </div>
          {order.discountTotal.amount ? (
            <div>
              <dt>Discount{order.discountCode ? ` (${order.discountCode})` : ''}</dt>
              <dd>−{fmt.amount(order.discountTotal)}</dd>
            </div>
          ) : null}
          <div>
            <dt>Shipping</dt>
            <dd>{order.shippingTotal.amount ? fmt.amount(order.shippingTotal) : 'Free'}</dd>
          </div>
          <div>
            <dt>{taxIsIncluded(order) ? 'Tax (included)' : 'Tax'}</dt>
            <dd>{fmt.amount(order.taxTotal)}</dd>
          </div>
          <div className="totals__grand">
            <dt>Total</dt>
            <dd data-testid="order-total">{fmt.amount(order.total)}</dd>
          </div>
          {order.refundedTotal.amount ? (
            <div className="totals__refund">
              <dt>Refunded</dt>
              <dd>−{fmt.amount(order.refundedTotal)}</dd>
            </div>
          ) : null}
        </dl>
      </Card>
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
