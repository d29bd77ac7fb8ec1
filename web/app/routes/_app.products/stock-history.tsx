import { Link } from '@remix-run/react';
import { ProblemNotice, Spinner } from '~/components/ui';
import { useStockMovementsQuery, type ProductRowFragment } from '~/gql/graphql';
import { problemFrom } from '~/lib/errors';
import { ACTOR_LABEL, STOCK_REASON_LABEL } from '~/lib/labels';
import { useFormatters } from '~/lib/locale';

const SHOWN = 50;

/** A product's stock movements, newest first: what changed, why, by whom, and the stock after each. */
export function StockHistory({ product }: { product: ProductRowFragment }) {
  const fmt = useFormatters();
  const [{ data, fetching, error }, reload] = useStockMovementsQuery({ variables: { productId: product.id, first: SHOWN } });
  const movements = data?.stockMovements.nodes ?? [];
  const problem = problemFrom(error);

  return (
    <div data-testid="stock-history">
      <p className="muted">
        In stock now: <strong>{fmt.number(product.stock)}</strong>
      </p>
      <ProblemNotice problem={problem} onRetry={() => reload({ requestPolicy: 'network-only' })} />
      {fetching && !data ? (
        <p className="muted">
          <Spinner label="Loading the stock history" /> Loading…
        </p>
      ) : movements.length === 0 && !problem ? (
        <p className="muted">No stock movements recorded yet.</p>
      ) : (
        <ol className="stock-history" aria-label={`Stock history of ${product.name}`}>
          {movements.map((m) => (
            <li key={m.id} className="stock-history__item">
              <span className={`stock-history__delta ${m.delta > 0 ? 'stock-history__delta--in' : 'stock-history__delta--out'}`}>
                {m.delta > 0 ? '+' : '−'}
                {fmt.number(Math.abs(m.delta))}
              </span>
              <span>
                <span className="cell-primary">
                  {STOCK_REASON_LABEL[m.reason]}
                  {m.orderNumber && m.orderId ? (
                    <>
                      {' · '}
                      <Link to={`/orders/${m.orderId}`}>{m.orderNumber}</Link>
                    </>
                  ) : null}
                </span>
                {m.note ? <span className="cell-secondary">{m.note}</span> : null}
                <span className="cell-secondary">
                  {m.actor.label} · {ACTOR_LABEL[m.actor.type]} · <time dateTime={m.createdAt}>{fmt.dateTime(m.createdAt)}</time>
                </span>
              </span>
              <span className="muted">then {fmt.number(m.stockAfter)}</span>
            </li>
          ))}
        </ol>
      )}
      {data?.stockMovements.pageInfo.hasNextPage ? <p className="fineprint">The latest {fmt.number(SHOWN)} movements are shown.</p> : null}
    </div>
  );
}
