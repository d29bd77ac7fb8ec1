import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import type { ShouldRevalidateFunction } from '@remix-run/react';
import { useLoaderData } from '@remix-run/react';
import { usePendingSearch } from '~/lib/use-pending-search';
import { useMemo, useState } from 'react';
import { DateField } from '~/components/date-field';
import { EmptyState, PageHeader, ProblemNotice, UpdatingStatus } from '~/components/ui';
import {
  OrderStatsDocument,
  useOrderStatsQuery,
  type CurrencyCode,
  type OrderStatsQuery,
  type OrderStatsQueryVariables,
  type StatsInterval,
} from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { problemFrom } from '~/lib/errors';
import { PAYMENT_LABEL, STATUS_LABEL } from '~/lib/labels';
import { useFormatters, useLocaleInfo } from '~/lib/locale';
import { requestLocale } from '~/lib/request-locale.server';
import { todayInZone } from '~/lib/dates';
import {
  INTERVALS,
  PRESETS,
  matchingPreset,
  parseStatsParams,
  presetState,
  rangeProblem,
  statsRange,
  statsSearch,
  type StatsViewState,
} from '~/lib/stats-range';
import { useSeededQuery } from '~/lib/use-seeded-query';
import { RevenueChart } from './revenue-chart';

export const meta: MetaFunction = () => [{ title: 'Stats · Luneo Orders' }];

const TOP_LIMIT = 5;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const api = await requireApi(request, context);
  const { timeZone } = requestLocale(request);
  const state = parseStatsParams(new URL(request.url).searchParams, timeZone);
  const variables: OrderStatsQueryVariables = { range: statsRange(state, timeZone), topLimit: TOP_LIMIT };
  const data = await api.query<OrderStatsQuery, OrderStatsQueryVariables>(OrderStatsDocument, variables);
  return { variables, data, state };
}

export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) => {
  if (!formMethod && currentUrl.pathname === nextUrl.pathname && currentUrl.search !== nextUrl.search) return false;
  return defaultShouldRevalidate;
};

const INTERVAL_LABEL: Record<StatsInterval, string> = { DAY: 'Daily', WEEK: 'Weekly', MONTH: 'Monthly' };
const INTERVAL_NOUN: Record<StatsInterval, string> = { DAY: 'day', WEEK: 'week', MONTH: 'month' };

export default function StatsPage() {
  const seed = useLoaderData<typeof loader>();
  const [search, setParams] = usePendingSearch();
  const { timeZone } = useLocaleInfo();
  const fmt = useFormatters();
  // The loader decided "today" for the default range; reuse its state until the URL says otherwise.
  const state = useMemo(() => (search ? parseStatsParams(new URLSearchParams(search), timeZone) : seed.state), [search, timeZone, seed.state]);
  const variables = useMemo<OrderStatsQueryVariables>(() => ({ range: statsRange(state, timeZone), topLimit: TOP_LIMIT }), [state, timeZone]);
  const { data, fetching, error, refresh } = useSeededQuery(useOrderStatsQuery, seed, variables);
  const problem = problemFrom(error);
  const stats = data.orderStats;

  const currencies = stats.byCurrency.map((c) => c.currency);
  const [chosen, setChosen] = useState<CurrencyCode | null>(null);
  const currency = chosen && currencies.includes(chosen) ? chosen : (currencies[0] ?? null);

  const apply = (next: StatsViewState) => setParams(new URLSearchParams(statsSearch(next)), { preventScrollReset: true });
  // Dates typed into From/To are checked before they reach the URL: a wrong one is said next to its field.
  const today = todayInZone(timeZone);
  const [draft, setDraft] = useState<{ from: string; to: string } | null>(null);
  const shownFrom = draft?.from ?? state.from;
  const shownTo = draft?.to ?? state.to;
  const draftProblem = draft ? rangeProblem(draft.from, draft.to, today) : null;
  function changeDate(field: 'from' | 'to', value: string) {
    if (!value) return;
    const next = { from: shownFrom, to: shownTo, [field]: value };
    if (rangeProblem(next.from, next.to, today)) setDraft(next);
    else {
      setDraft(null);
      apply({ ...state, ...next });
    }
  }
  const preset = matchingPreset(state, timeZone);
  const totalByStatus = stats.byStatus.reduce((sum, s) => sum + s.count, 0);
  const totalByPayment = stats.byPaymentStatus.reduce((sum, s) => sum + s.count, 0);

  return (
    <>
      <PageHeader
        title="Stats"
        subtitle={`${fmt.date(variables.range.from)} – ${fmt.date(new Date(Date.parse(variables.range.to) - 1).toISOString())} · ${timeZone}`}
        actions={
          <button type="button" className="btn btn--secondary" onClick={refresh} disabled={fetching}>
            Refresh
          </button>
        }
      />

      <section className="filters" aria-label="Range">
        <div className="filters__row">
          <div className="segmented" role="group" aria-label="Quick ranges">
            {PRESETS.map((p) => (
              <button
                key={p.id}
                type="button"
                className="segmented__btn"
                aria-pressed={preset?.id === p.id}
                onClick={() => {
                  setDraft(null);
                  apply(presetState(p.days, p.interval, timeZone));
                }}
              >
                {p.label}
              </button>
            ))}
          </div>
          <DateField
            id="stats-from"
            label="From"
            value={shownFrom}
            max={shownTo < today ? shownTo : today}
            onChange={(value) => changeDate('from', value ?? '')}
            invalid={draftProblem?.field === 'from'}
            describedBy={draftProblem?.field === 'from' ? 'stats-range-error' : undefined}
          />
          <DateField
            id="stats-to"
            label="To"
            value={shownTo}
            min={shownFrom}
            max={today}
            onChange={(value) => changeDate('to', value ?? '')}
            invalid={draftProblem?.field === 'to'}
            describedBy={draftProblem?.field === 'to' ? 'stats-range-error' : undefined}
          />
          <div className="field">
            <label htmlFor="stats-interval" className="field__label">
              Interval
            </label>
            <select
              id="stats-interval"
              className="input"
              value={state.interval}
              onChange={(e) => apply({ ...state, interval: e.target.value as StatsInterval })}
            >
              {INTERVALS.map((i) => (
                <option key={i} value={i}>
                  {INTERVAL_LABEL[i]}
                </option>
              ))}
            </select>
          </div>
          <UpdatingStatus fetching={fetching} what="stats" />
        </div>
        {draftProblem ? (
          <p className="field__error" id="stats-range-error" role="alert">
            {draftProblem.message} The figures below are still for {fmt.date(variables.range.from)} to{' '}
            {fmt.date(new Date(Date.parse(variables.range.to) - 1).toISOString())}.
          </p>
        ) : null}
      </section>
      {state.issue ? (
        <p className="notice notice--info" role="status">
          {state.issue}
        </p>
      ) : null}

      <ProblemNotice problem={problem} />

      <div className={fetching ? 'is-busy' : ''} aria-busy={fetching}>
        {stats.byCurrency.length === 0 ? (
          <EmptyState title="No orders in this range">Pick a wider range to see revenue and orders.</EmptyState>
        ) : (
          <>
            {stats.byCurrency.map((c) => (
              <section key={c.currency} className="kpis" aria-label={`Key figures in ${c.currency}`} data-testid={`kpis-${c.currency}`}>
                {stats.byCurrency.length > 1 ? <h2 className="kpis__currency">{c.currency}</h2> : null}
                <div className="kpis__grid">
                  <Kpi label="Orders" value={fmt.number(c.orderCount)} />
                  <Kpi label="Paid orders" value={fmt.number(c.paidOrderCount)} />
                  <Kpi label="Net revenue" value={fmt.amount(c.netRevenue)} emphasis />
                  <Kpi label="Average order" value={fmt.amount(c.averageOrderValue)} />
                  <Kpi label="Refunds" value={fmt.amount(c.refunded)} hint={`Gross ${fmt.amount(c.grossRevenue)}`} />
                </div>
              </section>
            ))}

            <section className="card" aria-labelledby="chart-title">
              <header className="card__header">
                <div>
                  <h2 className="card__title" id="chart-title">
                    Revenue and orders · {INTERVAL_LABEL[state.interval].toLowerCase()}
                  </h2>
                  <p className="card__hint" data-testid="chart-explainer">
                    Bars: orders placed in each {INTERVAL_NOUN[state.interval]}, whatever their status. Line: net revenue of those
                    orders — what was paid, minus refunds.
                  </p>
                </div>
                {currencies.length > 1 ? (
                  <div className="segmented" role="group" aria-label="Currency">
                    {currencies.map((code) => (
                      <button key={code} type="button" className="segmented__btn" aria-pressed={code === currency} onClick={() => setChosen(code)}>
                        {code}
                      </button>
                    ))}
                  </div>
                ) : null}
              </header>
              {currency ? <RevenueChart series={stats.series.filter((p) => p.currency === currency)} currency={currency} interval={state.interval} /> : null}
            </section>
          </>
        )}

        <div className="grid-2 grid-2--cards">
          <section className="card" aria-labelledby="status-title">
            <header className="card__header">
              <h2 className="card__title" id="status-title">
                Orders by status
              </h2>
            </header>
            <ul className="bars">
              {stats.byStatus.map((s) => (
                <Bar key={s.status} label={STATUS_LABEL[s.status]} count={s.count} total={totalByStatus} tone={s.status.toLowerCase()} format={fmt.number} />
              ))}
            </ul>
            <h3 className="card__subtitle">By payment</h3>
            <ul className="bars">
              {stats.byPaymentStatus.map((s) => (
                <Bar
                  key={s.paymentStatus}
                  label={PAYMENT_LABEL[s.paymentStatus]}
                  count={s.count}
                  total={totalByPayment}
                  tone={s.paymentStatus.toLowerCase()}
                  format={fmt.number}
                />
              ))}
            </ul>
          </section>

          <section className="card" aria-labelledby="top-title">
            <header className="card__header">
              <h2 className="card__title" id="top-title">
                Top products
              </h2>
            </header>
            {stats.topProducts.length === 0 ? (
              <p className="muted">No sales in this range.</p>
            ) : (
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col" className="num">
                      Sold
                    </th>
                    <th scope="col" className="num">
                      Revenue
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {stats.topProducts.map((p) => (
                    <tr key={`${p.sku}-${p.revenue.currency}`}>
                      <td>
                        <span className="cell-primary">{p.name}</span>
                        <span className="cell-secondary">{p.sku}</span>
                      </td>
                      <td className="num">{fmt.number(p.quantity)}</td>
                      <td className="num money">{fmt.amount(p.revenue)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      </div>
    </>
  );
}

function Kpi({ label, value, hint, emphasis }: { label: string; value: string; hint?: string; emphasis?: boolean }) {
  return (
    <div className={`kpi ${emphasis ? 'kpi--emphasis' : ''}`}>
      <p className="kpi__label">{label}</p>
      <p className="kpi__value">{value}</p>
      {hint ? <p className="kpi__hint">{hint}</p> : null}
    </div>
  );
}

function Bar({ label, count, total, tone, format }: { label: string; count: number; total: number; tone: string; format: (n: number) => string }) {
  const pct = total ? Math.round((count / total) * 100) : 0;
  return (
    <li className="bars__item">
      <span className="bars__label">{label}</span>
      <span className="bars__track" aria-hidden="true">
        <span className={`bars__fill bars__fill--${tone}`} style={{ width: `${pct}%` }} />
      </span>
      <span className="bars__value">
        {format(count)} <span className="muted">({pct}%)</span>
      </span>
    </li>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
