import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { useLoaderData, useRevalidator, type ShouldRevalidateFunction } from '@remix-run/react';
import { useMemo, useState, type FormEvent } from 'react';
import { Card, EmptyState, PageHeader, ProblemNotice, ProblemText, UpdatingStatus } from '~/components/ui';
import {
  SettingsDocument,
  StripeEventsDocument,
  useCreateDiscountCodeMutation,
  useSetDiscountCodeActiveMutation,
  useStripeEventsQuery,
  useUpdateBrandSettingsMutation,
  type BrandSettingsFragment,
  type DiscountCodeRowFragment,
  type SettingsQuery,
  type SettingsQueryVariables,
  type StripeEventRowFragment,
  type StripeEventsQuery,
  type StripeEventsQueryVariables,
  type WebhookEventOutcome,
} from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { startOfDayInZone, addDays } from '~/lib/dates';
import { problemFrom, type Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { discountCodeStatus } from '~/lib/labels';
import { minorToDecimalString, parseMoneyInput } from '~/lib/money';
import { canAdmin } from '~/lib/roles';
import {
  OUTCOME_PARAM,
  WEBHOOK_OUTCOMES,
  explainEvent,
  outcomeView,
  parseOutcomeParam,
  stripeEventsVariables,
  subscriptionView,
} from '~/lib/stripe';
import { usePendingSearch } from '~/lib/use-pending-search';
import { useSeededQuery } from '~/lib/use-seeded-query';
import { variablesKey } from '~/lib/variables-key';

export const meta: MetaFunction = () => [{ title: 'Settings · Luneo Orders' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const api = await requireApi(request);
  const eventsVariables = stripeEventsVariables(parseOutcomeParam(new URL(request.url).searchParams.get(OUTCOME_PARAM)));
  // Both in parallel; the role decides first, so a VIEWER sees our 403 rather than the events query's.
  const [settings, events] = await Promise.allSettled([
    api.query<SettingsQuery, SettingsQueryVariables>(SettingsDocument, {}),
    api.query<StripeEventsQuery, StripeEventsQueryVariables>(StripeEventsDocument, eventsVariables),
  ]);
  if (settings.status === 'rejected') throw settings.reason;
  if (!canAdmin(settings.value.viewer.role)) throw data({ message: 'Only owners and admins can change the brand’s settings.' }, { status: 403 });
  if (events.status === 'rejected') throw events.reason;
  return { ...settings.value, stripeEvents: { variables: eventsVariables, data: events.value } };
}

/** The Stripe events filter lives in the query string and is served by the urql hook; the loader paints the first view. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) => {
  if (!formMethod && currentUrl.pathname === nextUrl.pathname && currentUrl.search !== nextUrl.search) return false;
  return defaultShouldRevalidate;
};

export default function SettingsPage() {
  const { viewer, discountCodes, stripeEvents } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  return (
    <>
      <PageHeader title="Settings" subtitle={viewer.brand.name} />
      <div className="grid-2 grid-2--cards">
        <BrandForm brand={viewer.brand} onSaved={() => revalidator.revalidate()} />
        <SubscriptionCard brand={viewer.brand} />
      </div>
      <DiscountCodes codes={discountCodes} currency={viewer.brand.currency} onChanged={() => revalidator.revalidate()} />
      <StripeEvents seed={stripeEvents} />
    </>
  );
}

/** "20" or "20.5" percent → basis points (2000, 2050); null when not a valid rate. */
export function percentToBps(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(t)) return null;
  const bps = Math.round(Number(t) * 100);
  return bps <= 10_000 ? bps : null;
}

function BrandForm({ brand, onSaved }: { brand: BrandSettingsFragment; onSaved: () => void }) {
  const [state, save] = useUpdateBrandSettingsMutation();
  const currency = brand.currency;
  const [name, setName] = useState(brand.name);
  const [prefix, setPrefix] = useState(brand.orderNumberPrefix);
  const [tax, setTax] = useState(String(brand.taxRateBps / 100));
  const [inclusive, setInclusive] = useState(brand.taxInclusive);
  const [shipping, setShipping] = useState(minorToDecimalString(brand.shippingFlatRate.amount, currency));
  const [threshold, setThreshold] = useState(brand.freeShippingThreshold ? minorToDecimalString(brand.freeShippingThreshold.amount, currency) : '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    setProblem(null);
    const found: Record<string, string> = {};
    const bps = percentToBps(tax);
    if (bps === null) found.taxRateBps = 'Enter a rate between 0 and 100, e.g. 20 or 7.7.';
    const ship = parseMoneyInput(shipping, currency);
    if (!ship.ok) found.shippingFlatRate = ship.error;
    const free = threshold.trim() ? parseMoneyInput(threshold, currency) : null;
    if (free && !free.ok) found.freeShippingThreshold = free.error;
    if (!name.trim()) found.name = 'Enter the brand name.';
    if (!/^[A-Za-z0-9]{1,8}$/.test(prefix.trim())) found.orderNumberPrefix = 'Use 1–8 letters or digits, e.g. LL.';
    setErrors(found);
    if (Object.keys(found).length || bps === null || !ship.ok || (free && !free.ok)) return;
    const result = await save({
      input: {
        name: name.trim(),
        orderNumberPrefix: prefix.trim().toUpperCase(),
        taxRateBps: bps,
        taxInclusive: inclusive,
        shippingFlatRate: ship.amount,
        freeShippingThreshold: free ? free.amount : null,
      },
    });
    if (result.error) {
      const p = problemFrom(result.error);
      if (p?.field) setErrors({ [p.field.split('.').pop()!]: p.message });
      setProblem(p);
      return;
    }
    setSaved(true);
    onSaved();
  }

  const describe = (key: string) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `brand-${key}-error` : undefined,
  });
  const err = (key: string) =>
    errors[key] ? (
      <p className="field__error" id={`brand-${key}-error`}>
        {errors[key]}
      </p>
    ) : null;

  return (
    <Card title="Brand, tax and shipping">
      <form onSubmit={submit} noValidate className="form">
        <div className="grid-2">
          <div className="field">
            <label htmlFor="brand-name" className="field__label">
              Brand name
            </label>
            <input id="brand-name" className="input" value={name} onChange={(e) => setName(e.target.value)} {...describe('name')} />
            {err('name')}
          </div>
          <div className="field">
            <label htmlFor="brand-prefix" className="field__label">
              Order number prefix
            </label>
            <input id="brand-prefix" className="input input--short" value={prefix} onChange={(e) => setPrefix(e.target.value.toUpperCase())} {...describe('orderNumberPrefix')} />
            {err('orderNumberPrefix')}
          </div>
          <div className="field">
            <label htmlFor="brand-tax" className="field__label">
              Tax rate (%)
            </label>
            <input id="brand-tax" className="input input--short" inputMode="decimal" value={tax} onChange={(e) => setTax(e.target.value)} {...describe('taxRateBps')} />
            {err('taxRateBps')}
          </div>
          <div className="field field--center">
            <label className="checkbox">
              <input type="checkbox" checked={inclusive} onChange={(e) => setInclusive(e.target.checked)} />
              <span>Catalog prices include tax</span>
            </label>
          </div>
          <div className="field">
            <label htmlFor="brand-shipping" className="field__label">
              Flat shipping rate ({currency})
            </label>
            <input id="brand-shipping" className="input" inputMode="decimal" value={shipping} onChange={(e) => setShipping(e.target.value)} {...describe('shippingFlatRate')} />
            {err('shippingFlatRate')}
          </div>
          <div className="field">
            <label htmlFor="brand-free" className="field__label">
              Free shipping from ({currency}) <span className="muted">(optional)</span>
            </label>
            <input id="brand-free" className="input" inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} {...describe('freeShippingThreshold')} />
            {err('freeShippingThreshold')}
          </div>
        </div>
        <ProblemText problem={problem && !problem.field ? problem : null} />
        {saved ? (
          <p className="field__ok" role="status">
            Saved. New orders use these rules.
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="btn btn--primary" disabled={state.fetching}>
            {state.fetching ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </form>
    </Card>
  );
}

function SubscriptionCard({ brand }: { brand: BrandSettingsFragment }) {
  const fmt = useFormatters();
  const sub = brand.subscription ? subscriptionView(brand.subscription, fmt.date) : null;
  return (
    <Card title="Subscription">
      {sub ? (
        <>
          {sub.notice ? (
            <p className={`notice notice--${sub.notice.tone}`} data-testid="subscription-notice">
              {sub.notice.text}
            </p>
          ) : null}
          <dl className="facts" data-testid="subscription">
            <div>
              <dt>Status</dt>
              <dd>
                <span className={`badge badge--${sub.tone}`}>{sub.statusLabel}</span>
              </dd>
            </div>
            <div>
              <dt>Plan</dt>
              <dd>{sub.plan ?? <span className="muted">—</span>}</dd>
            </div>
            {sub.dates.map((d) => (
              <div key={d.label}>
                <dt>{d.label}</dt>
                <dd>
                  <time dateTime={d.at}>{fmt.date(d.at)}</time>
                </dd>
              </div>
            ))}
          </dl>
        </>
      ) : (
        <p className="muted subscription__empty" data-testid="subscription-empty">
          No Luneo subscription is linked to this brand yet. It appears here once Stripe sends its first
          <span className="mono"> customer.subscription.*</span> event for this brand.
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Currency</dt>
          <dd>{brand.currency}</dd>
        </div>
        <div>
          <dt>Slug</dt>
          <dd className="mono">{brand.slug}</dd>
        </div>
      </dl>
    </Card>
  );
}

function DiscountCodes({ codes, currency, onChanged }: { codes: DiscountCodeRowFragment[]; currency: string; onChanged: () => void }) {
  const fmt = useFormatters();
  const [toggleState, setActive] = useSetDiscountCodeActiveMutation();
  const [rowProblem, setRowProblem] = useState<{ id: string; problem: Problem | null } | null>(null);
  const [creating, setCreating] = useState(false);

  async function toggle(code: DiscountCodeRowFragment) {
    setRowProblem(null);
    const result = await setActive({ id: code.id, active: !code.active });
    if (result.error) setRowProblem({ id: code.id, problem: problemFrom(result.error) });
    else onChanged();
  }

  return (
    <Card
      title="Discount codes"
      actions={
        <button type="button" className="btn btn--secondary btn--small" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          {creating ? 'Close' : 'New code'}
        </button>
      }
    >
      {creating ? (
        <DiscountForm
          currency={currency}
          onCreated={() => {
            setCreating(false);
            onChanged();
          }}
        />
      ) : null}
      {codes.length === 0 ? (
        <p className="muted">No discount codes yet.</p>
      ) : (
        <div className="table-wrap table-wrap--flush">
          <table className="table table--compact" data-testid="discount-codes">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Discount</th>
                <th scope="col">Minimum</th>
                <th scope="col">Valid</th>
                <th scope="col" className="num">
                  Used
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {codes.map((code) => (
                <tr key={code.id}>
                  <td data-label="Code" className="mono">
                    {code.code}
                  </td>
                  <td data-label="Discount">{code.percentOff != null ? `${code.percentOff}%` : (code.amountOff?.formatted ?? '—')}</td>
                  <td data-label="Minimum">{code.minimumSubtotal?.formatted ?? '—'}</td>
                  <td data-label="Valid">
                    {code.validFrom || code.validUntil
                      ? `${code.validFrom ? fmt.date(code.validFrom) : '…'} – ${code.validUntil ? fmt.date(code.validUntil) : '…'}`
                      : 'Always'}
                  </td>
                  <td data-label="Used" className="num">
                    {code.timesUsed}
                    {code.usageLimit != null ? ` / ${code.usageLimit}` : ''}
                  </td>
                  <td data-label="Status">
                    {(() => {
                      const status = discountCodeStatus(code);
                      return <span className={`badge badge--${status.tone}`}>{status.label}</span>;
                    })()}
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn--ghost btn--small" onClick={() => toggle(code)} disabled={toggleState.fetching}>
                      {code.active ? 'Deactivate' : 'Activate'}
                    </button>
                    {rowProblem?.id === code.id ? <ProblemText problem={rowProblem.problem} /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function DiscountForm({ currency, onCreated }: { currency: string; onCreated: () => void }) {
  const { timeZone } = useFormatters();
  const [state, create] = useCreateDiscountCodeMutation();
  const [code, setCode] = useState('');
  const [kind, setKind] = useState<'percent' | 'amount'>('percent');
  const [value, setValue] = useState('');
  const [minimum, setMinimum] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [limit, setLimit] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const found: Record<string, string> = {};
    if (!/^[A-Z0-9_-]{3,32}$/.test(code.trim())) found.code = 'Use 3–32 letters, digits, - or _.';
    let percentOff: number | undefined;
    let amountOff: number | undefined;
    if (kind === 'percent') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 100) found.value = 'Enter a whole percentage from 1 to 100.';
      else percentOff = n;
    } else {
      const parsed = parseMoneyInput(value, currency);
      if (!parsed.ok || parsed.amount <= 0) found.value = parsed.ok ? 'Enter an amount above 0.' : parsed.error;
      else amountOff = parsed.amount;
    }
    const min = minimum.trim() ? parseMoneyInput(minimum, currency) : null;
    if (min && !min.ok) found.minimumSubtotal = min.error;
    const usage = limit.trim() ? Number(limit) : undefined;
    if (usage !== undefined && (!Number.isInteger(usage) || usage < 1)) found.usageLimit = 'Enter a whole number of 1 or more.';
    if (from && until && from > until) found.validUntil = 'The end date must be after the start date.';
    setErrors(found);
    if (Object.keys(found).length) return;
    const result = await create({
      input: {
        code: code.trim(),
        percentOff,
        amountOff,
        minimumSubtotal: min && min.ok ? min.amount : undefined,
        validFrom: from ? startOfDayInZone(from, timeZone) : undefined,
        validUntil: until ? startOfDayInZone(addDays(until, 1), timeZone) : undefined,
        usageLimit: usage,
      },
    });
    if (result.error) {
      const p = problemFrom(result.error);
      if (p?.field) setErrors({ [p.field.split('.').pop()!]: p.message });
      setProblem(p);
      return;
    }
    onCreated();
  }

  const describe = (key: string) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `discount-${key}-error` : undefined,
  });
  const err = (key: string) =>
    errors[key] ? (
      <p className="field__error" id={`discount-${key}-error`}>
        {errors[key]}
      </p>
    ) : null;

  return (
    <form className="subpanel" onSubmit={submit} noValidate aria-label="New discount code">
      <div className="grid-3">
        <div className="field">
          <label htmlFor="discount-code" className="field__label">
            Code
          </label>
          <input id="discount-code" className="input mono" value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} autoFocus {...describe('code')} />
          {err('code')}
        </div>
        <div className="field">
          <label htmlFor="discount-kind" className="field__label">
            Type
          </label>
          <select id="discount-kind" className="input" value={kind} onChange={(e) => setKind(e.target.value as 'percent' | 'amount')}>
            <option value="percent">Percentage</option>
            <option value="amount">Fixed amount ({currency})</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="discount-value" className="field__label">
            {kind === 'percent' ? 'Percent off' : `Amount off (${currency})`}
          </label>
          <input id="discount-value" className="input" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} {...describe('value')} />
          {err('value')}
        </div>
        <div className="field">
          <label htmlFor="discount-min" className="field__label">
            Minimum subtotal <span className="muted">(optional)</span>
          </label>
          <input id="discount-min" className="input" inputMode="decimal" value={minimum} onChange={(e) => setMinimum(e.target.value)} {...describe('minimumSubtotal')} />
          {err('minimumSubtotal')}
        </div>
        <div className="field">
          <label htmlFor="discount-from" className="field__label">
            Valid from <span className="muted">(optional)</span>
          </label>
          <input id="discount-from" type="date" className="input" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="discount-until" className="field__label">
            Valid until <span className="muted">(optional)</span>
          </label>
          <input id="discount-until" type="date" className="input" value={until} onChange={(e) => setUntil(e.target.value)} {...describe('validUntil')} />
          {err('validUntil')}
        </div>
        <div className="field">
          <label htmlFor="discount-limit" className="field__label">
            Usage limit <span className="muted">(optional)</span>
          </label>
          <input id="discount-limit" type="number" min={1} className="input" value={limit} onChange={(e) => setLimit(e.target.value)} {...describe('usageLimit')} />
          {err('usageLimit')}
        </div>
      </div>
      <ProblemText problem={problem && !problem.field ? problem : null} />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={state.fetching}>
          {state.fetching ? 'Creating…' : 'Create code'}
        </button>
      </div>
    </form>
  );
}

type StripeEventsSeed = { variables: StripeEventsQueryVariables; data: StripeEventsQuery };

/**
 * Received Stripe events, newest first. The loader paints the first page; the outcome filter (in the URL) and
 * "Load more" go through the generated hook: pages already shown stay in `earlier`, the newest one is `after`'s.
 */
function StripeEvents({ seed }: { seed: StripeEventsSeed }) {
  const fmt = useFormatters();
  const [search, setParams] = usePendingSearch();
  const outcome = useMemo(() => parseOutcomeParam(new URLSearchParams(search).get(OUTCOME_PARAM)), [search]);
  const variables = useMemo(() => stripeEventsVariables(outcome), [outcome]);
  const key = variablesKey(variables);
  const first = useSeededQuery(useStripeEventsQuery, seed, variables);

  const [more, setMore] = useState<{ key: string; earlier: StripeEventRowFragment[]; after: string | null }>({ key, earlier: [], after: null });
  // Another filter starts again from its first page (adjusting state while rendering, as React recommends).
  if (more.key !== key) setMore({ key, earlier: [], after: null });
  const extra = more.key === key ? more : { key, earlier: [], after: null };
  const [tail, reloadTail] = useStripeEventsQuery({ variables: { ...variables, after: extra.after }, pause: !extra.after });
  // urql keeps the previous page's data while the next one loads: only the answer for this cursor counts.
  const tailPage = extra.after && tail.operation?.variables.after === extra.after && !tail.fetching ? tail.data?.webhookEvents : undefined;
  const loadingMore = Boolean(extra.after) && !tailPage && !tail.error;

  const rows = useMemo(() => {
    const seen = new Set<string>();
    return [...first.data.webhookEvents.nodes, ...extra.earlier, ...(tailPage?.nodes ?? [])].filter((row) => !seen.has(row.id) && seen.add(row.id));
  }, [first.data, extra.earlier, tailPage]);
  const pageInfo = extra.after ? tailPage?.pageInfo : first.data.webhookEvents.pageInfo;
  const problem = problemFrom(first.error) ?? (extra.after ? problemFrom(tail.error) : null);

  function loadMore() {
    if (!pageInfo?.endCursor) return;
    setMore({ key, earlier: extra.after ? [...extra.earlier, ...(tailPage?.nodes ?? [])] : [], after: pageInfo.endCursor });
  }
  function refresh() {
    setMore({ key, earlier: [], after: null });
    first.refresh();
  }
  function filter(next: WebhookEventOutcome | null) {
    const params = new URLSearchParams(search);
    if (next) params.set(OUTCOME_PARAM, next.toLowerCase());
    else params.delete(OUTCOME_PARAM);
    setParams(params, { replace: true, preventScrollReset: true });
  }

  return (
    <Card
      title="Stripe events"
      className="stripe-events"
      actions={
        <div className="card__actions">
          <UpdatingStatus fetching={first.fetching} what="Stripe events" className="card__status" />
          <label htmlFor="stripe-outcome" className="field__label field__label--inline">
            Outcome
          </label>
          <select id="stripe-outcome" className="input input--small" value={outcome ?? ''} onChange={(e) => filter(parseOutcomeParam(e.target.value))}>
            <option value="">All outcomes</option>
            {WEBHOOK_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {outcomeView(o).label}
              </option>
            ))}
          </select>
          <button type="button" className="btn btn--secondary btn--small" onClick={refresh} disabled={first.fetching}>
            Refresh
          </button>
        </div>
      }
    >
      <ProblemNotice problem={problem} onRetry={() => (first.error ? refresh() : reloadTail({ requestPolicy: 'network-only' }))} />
      {rows.length === 0 ? (
        outcome ? (
          <EmptyState
            title={`No ${outcomeView(outcome).label.toLowerCase()} Stripe events`}
            action={
              <button type="button" className="btn btn--secondary" onClick={() => filter(null)}>
                Show all events
              </button>
            }
          >
            None of the received events is {outcomeView(outcome).label.toLowerCase()}.
          </EmptyState>
        ) : (
          <EmptyState title="No Stripe events received yet">
            Point Stripe at <span className="mono">/webhooks/stripe</span> on the Luneo API and set{' '}
            <span className="mono">STRIPE_WEBHOOK_SECRET</span> (see the README’s Stripe section). Each event then shows up
            here with what it did.
          </EmptyState>
        )
      ) : (
        <div className={`table-wrap table-wrap--flush ${first.fetching ? 'is-busy' : ''}`} aria-busy={first.fetching}>
          <table className="table table--compact table--stack" data-testid="stripe-events">
            <caption className="sr-only">Received Stripe events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Type</th>
                <th scope="col">Outcome</th>
                <th scope="col">What happened</th>
                <th scope="col">Event id</th>
                <th scope="col" className="num">
                  Attempts
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((event) => (
                <StripeEventRow key={event.id} event={event} dateTime={fmt.dateTime} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > 0 && (pageInfo?.hasNextPage || loadingMore) ? (
        <div className="actions actions--center">
          <button type="button" className="btn btn--secondary" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </Card>
  );
}

function StripeEventRow({ event, dateTime }: { event: StripeEventRowFragment; dateTime: (iso: string) => string }) {
  const view = outcomeView(event.outcome);
  const why = explainEvent(event);
  return (
    <tr data-event-id={event.eventId}>
      <td data-label="Received">
        <time dateTime={event.receivedAt}>{dateTime(event.receivedAt)}</time>
        {event.lastReceivedAt !== event.receivedAt ? (
          <span className="cell-secondary">
            last <time dateTime={event.lastReceivedAt}>{dateTime(event.lastReceivedAt)}</time>
          </span>
        ) : null}
      </td>
      <td data-label="Type">
        <span className="mono">{event.type}</span>
        {event.livemode ? null : <span className="cell-secondary">test mode</span>}
      </td>
      <td data-label="Outcome">
        <span className={`badge badge--${view.tone}`} data-outcome={event.outcome ?? 'PENDING'} title={view.meaning}>
          {view.label}
        </span>
      </td>
      <td data-label="What happened" className="stripe-events__why">
        <span className="cell-primary" title={why.detail ?? undefined}>
          {why.summary}
        </span>
        {why.next ? <span className="cell-secondary">{why.next}</span> : null}
      </td>
      <td data-label="Event id" className="mono">
        {event.eventId}
      </td>
      <td data-label="Attempts" className="num">
        {event.attempts}
      </td>
    </tr>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
