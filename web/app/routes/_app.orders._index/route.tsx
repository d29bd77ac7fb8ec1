import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import type { ShouldRevalidateFunction } from '@remix-run/react';
import { Link, useLoaderData, useNavigate } from '@remix-run/react';
import { usePendingSearch } from '~/lib/use-pending-search';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { DateField } from '~/components/date-field';
import { PaymentBadge, StatusBadge } from '~/components/badges';
import { AppLink } from '~/components/app-link';
import { Pager } from '~/components/pager';
import { EmptyState, PageHeader, ProblemNotice, UpdatingStatus } from '~/components/ui';
import {
  OrdersDocument,
  useOrdersQuery,
  type OrderSort,
  type OrdersQuery,
  type OrdersQueryVariables,
} from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { problemFrom } from '~/lib/errors';
import { toJsonText, useJsonText } from '~/lib/json-text';
import { PAYMENT_LABEL, SORT_LABEL, STATUS_LABEL } from '~/lib/labels';
import { useFormatters, useLocaleInfo } from '~/lib/locale';
import {
  ORDER_SORTS,
  ORDER_STATUSES,
  PAGE_SIZES,
  PAYMENT_STATUSES,
  DEFAULT_ORDER_LIST_STATE,
  hasActiveFilters,
  nextPage,
  orderListSearch,
  ordersVariables,
  parseOrderListParams,
  previousPage,
  withFilters,
  type OrderListState,
} from '~/lib/order-filters';
import { pageRange } from '~/lib/paging';
import { requestLocale } from '~/lib/request-locale.server';
import { useDebounced } from '~/lib/use-debounced';
import { useSeededQuery } from '~/lib/use-seeded-query';
import { useCanWrite } from '../_app/route';

export const meta: MetaFunction = () => [{ title: 'Orders · Luneo Orders' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const api = await requireApi(request, context);
  const { timeZone } = requestLocale(request);
  const state = parseOrderListParams(new URL(request.url).searchParams);
  const variables = ordersVariables(state, timeZone);
  const data = await api.query<OrdersQuery, OrdersQueryVariables>(OrdersDocument, variables);
  return { seed: toJsonText<OrdersSeed>({ variables, data }) };
}

type OrdersSeed = { variables: OrdersQueryVariables; data: OrdersQuery };

/** Filter, search and page changes are served by the urql hook; the loader paints the first view. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) => {
  if (!formMethod && currentUrl.pathname === nextUrl.pathname && currentUrl.search !== nextUrl.search) return false;
  return defaultShouldRevalidate;
};

function toggle<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

export default function OrdersPage() {
  const seed = useJsonText(useLoaderData<typeof loader>().seed);
  const [search, setParams] = usePendingSearch();
  const navigate = useNavigate();
  const { timeZone } = useLocaleInfo();
  const fmt = useFormatters();
  const canWrite = useCanWrite();
  const state = useMemo(() => parseOrderListParams(new URLSearchParams(search)), [search]);
  const variables = useMemo(() => ordersVariables(state, timeZone), [state, timeZone]);
  const { data, fetching, error, refresh } = useSeededQuery(useOrdersQuery, seed, variables);
  const problem = problemFrom(error);

  const apply = (next: OrderListState, replace = false) =>
    setParams(new URLSearchParams(orderListSearch(next)), { replace, preventScrollReset: true });
  // Paging from the buttons under the table brings the table's top into view, where the new page starts.
  const tableTop = useRef<HTMLDivElement>(null);
  const goToPage = (next: OrderListState) => {
    apply(next);
    tableTop.current?.scrollIntoView({ block: 'start' });
  };

  // Search as you type: the input is local, the URL follows once typing pauses.
  const [qInput, setQInput] = useState(state.q);
  const debouncedQ = useDebounced(qInput, 250);
  useEffect(() => {
    if (debouncedQ.trim() !== state.q.trim()) apply(withFilters(state, { q: debouncedQ }), true);
  }, [debouncedQ]);
  useEffect(() => {
    setQInput((current) => (current.trim() === state.q.trim() ? current : state.q));
  }, [state.q]);

  const activeCount = state.status.length + state.payment.length + (state.from ? 1 : 0) + (state.to ? 1 : 0);
  // Open when the page opens with filters in use, so they show; closed otherwise.
  const [filtersOpen, setFiltersOpen] = useState(activeCount > 0);
  // The dates and chips render once the panel has been opened (then stay, keeping what was typed): a page that opens
  // with them hidden does not build them (≈ 3 % of its render, docs/performance.md, Dashboard render, round 7).
  const [filtersBuilt, setFiltersBuilt] = useState(filtersOpen);

  const { nodes, pageInfo, totalCount } = data.orders;
  const canGoBack = pageInfo.hasPreviousPage || Boolean(state.after);
  const canGoForward = pageInfo.hasNextPage || Boolean(state.before);
  const filtered = hasActiveFilters(state);

  return (
    <>
      <PageHeader
        title="Orders"
        subtitle={
          <span aria-live="polite">
            {fmt.number(totalCount)} {totalCount === 1 ? 'order' : 'orders'}
            {filtered ? ' match these filters' : ''}
          </span>
        }
        actions={
          <>
            <button type="button" className="btn btn--secondary" onClick={refresh} disabled={fetching}>
              Refresh
            </button>
            <a className="btn btn--secondary" href={`/exports/orders.csv?${orderListSearch(state)}`} download title="The orders matching these filters, as CSV">
              Export CSV
            </a>
            {canWrite ? (
              <Link to="/orders/new" className="btn btn--primary">
                New order
              </Link>
            ) : null}
          </>
        }
      />

      <section className={`filters ${filtersOpen ? 'filters--open' : ''}`} aria-label="Filters">
        <div className="filters__row">
          <div className="field field--grow">
            <label htmlFor="order-search" className="field__label">
              Search
            </label>
            <input
              id="order-search"
              type="search"
              className="input"
              placeholder="Order number, customer, email, SKU…"
              value={qInput}
              onChange={(e) => setQInput(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') apply(withFilters(state, { q: qInput }), true);
              }}
              autoComplete="off"
            />
          </div>
          {/* Dates and chips sit behind one button, so that one Tab passes them on the way to the orders. */}
          <button
            type="button"
            className="btn btn--secondary filters__toggle"
            aria-expanded={filtersOpen}
            aria-controls="order-filters-more"
            onClick={() => {
              setFiltersOpen((open) => !open);
              setFiltersBuilt(true);
            }}
          >
            Filters{activeCount ? ` (${activeCount})` : ''}
          </button>
          <div className="field">
            <label htmlFor="order-sort" className="field__label">
              Sort
            </label>
            <select
              id="order-sort"
              className="input"
              value={state.sort}
              onChange={(e) => apply(withFilters(state, { sort: e.target.value as OrderSort }))}
            >
              {ORDER_SORTS.map((sort) => (
                <option key={sort} value={sort}>
                  {SORT_LABEL[sort]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="filters__more" id="order-filters-more" hidden={!filtersOpen}>
          {filtersBuilt ? (
            <>
              <div className="filters__row">
                <DateField
                  id="order-from"
                  label="From"
                  value={state.from ?? null}
                  max={state.to ?? undefined}
                  onChange={(from) => apply(withFilters(state, { from }))}
                />
                <DateField id="order-to" label="To" value={state.to ?? null} min={state.from ?? undefined} onChange={(to) => apply(withFilters(state, { to }))} />
              </div>
              <div className="filters__row filters__row--chips">
                <ChipGroup
                  legend="Status"
                  options={ORDER_STATUSES}
                  labels={STATUS_LABEL}
                  selected={state.status}
                  onToggle={(status) => apply(withFilters(state, { status: toggle(state.status, status) }))}
                />
                <ChipGroup
                  legend="Payment"
                  options={PAYMENT_STATUSES}
                  labels={PAYMENT_LABEL}
                  selected={state.payment}
                  onToggle={(status) => apply(withFilters(state, { payment: toggle(state.payment, status) }))}
                />
                {filtered ? (
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    onClick={() => {
                      setQInput('');
                      apply({ ...DEFAULT_ORDER_LIST_STATE, sort: state.sort, size: state.size });
                    }}
                  >
                    Clear filters
                  </button>
                ) : null}
              </div>
            </>
          ) : null}
        </div>
        <UpdatingStatus fetching={fetching} what="orders" />
      </section>

      <ProblemNotice problem={problem} onRetry={refresh} />

      {nodes.length === 0 ? (
        filtered ? (
          <EmptyState
            title="No orders match these filters"
            action={
              <button
                type="button"
                className="btn btn--secondary"
                onClick={() => {
                  setQInput('');
                  apply(DEFAULT_ORDER_LIST_STATE);
                }}
              >
                Clear filters
              </button>
            }
          >
            Try another search or a wider date range.
          </EmptyState>
        ) : (
          <EmptyState
            title="No orders yet"
            action={
              canWrite ? (
                <Link to="/orders/new" className="btn btn--primary">
                  Create the first order
                </Link>
              ) : undefined
            }
          >
            Orders from your shop, the API and Stripe Checkout will appear here.
          </EmptyState>
        )
      ) : (
        <div className={`table-wrap table-wrap--anchor ${fetching ? 'is-busy' : ''}`} aria-busy={fetching} ref={tableTop}>
          <table className="table table--orders" data-testid="orders-table">
            <caption className="sr-only">Orders</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Date</th>
                <th scope="col">Customer</th>
                <th scope="col" className="num">
                  Items
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col">Status</th>
                <th scope="col">Payment</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((order) => {
                const items = order.items.reduce((sum, item) => sum + item.quantity, 0);
                return (
                  <tr
                    key={order.id}
                    className="table__row--link"
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest('a,button')) return;
                      navigate(`/orders/${order.id}`);
                    }}
                  >
                    <td data-label="Order">
                      <AppLink to={`/orders/${order.id}`} className="order-link">
                        {order.number}
                      </AppLink>
                      {order.attention ? (
                        <span className="attention-dot" title={order.attention}>
                          <span className="sr-only">Needs attention: {order.attention}</span>
                        </span>
                      ) : null}
                    </td>
                    <td data-label="Date">
                      <time dateTime={order.createdAt}>{fmt.dateTime(order.createdAt)}</time>
                    </td>
                    <td data-label="Customer">
                      <span className="cell-primary">{order.customer.name ?? order.customer.email}</span>
                      {order.customer.name ? <span className="cell-secondary">{order.customer.email}</span> : null}
                    </td>
                    <td data-label="Items" className="num">
                      {fmt.number(items)}
                    </td>
                    <td data-label="Total" className="num money">
                      {fmt.amount(order.total)}
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={order.status} />
                    </td>
                    <td data-label="Payment">
                      <PaymentBadge status={order.paymentStatus} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <Pager
        sizeId="page-size"
        size={state.size}
        sizes={PAGE_SIZES}
        onSize={(size) => apply(withFilters(state, { size }))}
        range={fetching ? '' : pageRange(state, nodes.length, totalCount, fmt.number)}
        onFirst={state.after || state.before ? () => goToPage(withFilters(state, {})) : undefined}
        onPrevious={canGoBack && pageInfo.startCursor ? () => goToPage(previousPage(state, pageInfo.startCursor!)) : undefined}
        onNext={canGoForward && pageInfo.endCursor ? () => goToPage(nextPage(state, pageInfo.endCursor!)) : undefined}
      />
    </>
  );
}

/**
 * A set of filter chips with one Tab stop: arrow keys move between the chips (roving tabindex), Space toggles one.
 */
function ChipGroup<T extends string>({
  legend,
  options,
  labels,
  selected,
  onToggle,
}: {
  legend: string;
  options: readonly T[];
  labels: Record<T, string>;
  selected: T[];
  onToggle: (value: T) => void;
}) {
  const [active, setActive] = useState<T>(() => selected[0] ?? options[0]);
  const refs = useRef(new Map<T, HTMLInputElement>());
  function move(event: KeyboardEvent<HTMLInputElement>, from: T) {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    const edge = { Home: 0, End: options.length - 1 }[event.key];
    if (step === undefined && edge === undefined) return;
    event.preventDefault();
    const index = edge ?? (options.indexOf(from) + step! + options.length) % options.length;
    const next = options[index];
    setActive(next);
    refs.current.get(next)?.focus();
  }
  return (
    <fieldset className="chips">
      <legend className="chips__legend">{legend}</legend>
      {options.map((option) => (
        <label key={option} className="chip">
          <input
            type="checkbox"
            ref={(el) => {
              if (el) refs.current.set(option, el);
              else refs.current.delete(option);
            }}
            tabIndex={option === active ? 0 : -1}
            checked={selected.includes(option)}
            onChange={() => onToggle(option)}
            onFocus={() => setActive(option)}
            onKeyDown={(e) => move(e, option)}
          />
          <span>{labels[option]}</span>
        </label>
      ))}
    </fieldset>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
