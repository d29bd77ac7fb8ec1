import { Card } from '~/components/ui';
import type { OrderDetailFragment } from '~/gql/graphql';
import { taxIsIncluded } from '~/lib/money';

export function OrderItemsCard({ order }: { order: OrderDetailFragment }) {
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
