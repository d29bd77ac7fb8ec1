import { Link } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { ProblemNotice, Spinner } from '~/components/ui';
import { useStockMovementsQuery, type ProductRowFragment, type StockMovementsQuery } from '~/gql/graphql';
import { problemFrom } from '~/lib/errors';
import { ACTOR_LABEL, STOCK_REASON_LABEL } from '~/lib/labels';
import { useFormatters } from '~/lib/locale';

const PAGE_SIZE = 50;

type Movement = StockMovementsQuery['stockMovements']['nodes'][number];

/**
 * A product's stock movements, newest first: what changed, why, by whom, and the stock after each. Pages of 50 follow
 * one another by cursor ("Load more"); focus moves to the first movement of the page that arrived.
 */
export function StockHistory({ product }: { product: ProductRowFragment }) {
  const fmt = useFormatters();
  const [after, setAfter] = useState<string | null>(null);
  const [earlier, setEarlier] = useState<Movement[]>([]);
  const [{ data, fetching, error, operation }, reload] = useStockMovementsQuery({
    variables: { productId: product.id, first: PAGE_SIZE, after },
  });
  // Only the page asked for counts: while the next one loads, the previous answer is already among `earlier`.
  const page = (operation?.variables.after ?? null) === after ? data?.stockMovements : undefined;
  const movements = page ? [...earlier, ...page.nodes] : earlier;
  const problem = problemFrom(error);
  // Another page exists (or the one asked for is on its way).
  const more = page ? page.pageInfo.hasNextPage : fetching && after !== null;
  const firstOfPage = useRef<HTMLLIElement>(null);
  const loadedMore = useRef(false);

  useEffect(() => {
    if (page && loadedMore.current) {
      loadedMore.current = false;
      firstOfPage.current?.focus();
    }
  }, [page]);

  function loadMore() {
    if (!page?.pageInfo.endCursor) return;
    loadedMore.current = true;
    setEarlier(movements);
    setAfter(page.pageInfo.endCursor);
  }

  return (
    <div data-testid="stock-history">
      <p className="muted">
        In stock now: <strong>{fmt.number(product.stock)}</strong>
      </p>
      <ProblemNotice problem={problem} onRetry={() => reload({ requestPolicy: 'network-only' })} />
      {fetching && movements.length === 0 ? (
        <p className="muted">
          <Spinner label="Loading the stock history" /> Loading…
        </p>
      ) : movements.length === 0 && !problem ? (
        <p className="muted">No stock movements recorded yet.</p>
      ) : (
        <ol className="stock-history" aria-label={`Stock history of ${product.name}`}>
          {movements.map((m, index) => (
            <li
              key={m.id}
              className="stock-history__item"
              ref={index === earlier.length && after ? firstOfPage : undefined}
              tabIndex={index === earlier.length && after ? -1 : undefined}
            >
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
      {movements.length > 0 ? (
        <div className="actions">
          {more ? (
            <button type="button" className="btn btn--secondary btn--small" onClick={loadMore} disabled={!page}>
              {page ? 'Load more' : 'Loading…'}
            </button>
          ) : null}
          <span className="fineprint" role="status">
            {more ? `The latest ${fmt.number(movements.length)} movements are shown.` : `All ${fmt.number(movements.length)} movements are shown.`}
          </span>
        </div>
      ) : null}
    </div>
  );
}
