import { useMemo, useState } from 'react';
import { Card, EmptyState, ProblemNotice, UpdatingStatus } from '~/components/ui';
import {
  useStripeEventsQuery,
  type StripeEventRowFragment,
  type StripeEventsQuery,
  type StripeEventsQueryVariables,
  type WebhookEventOutcome,
} from '~/gql/graphql';
import { problemFrom } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { OUTCOME_PARAM, WEBHOOK_OUTCOMES, explainEvent, outcomeView, parseOutcomeParam, stripeEventsVariables } from '~/lib/stripe';
import { usePendingSearch } from '~/lib/use-pending-search';
import { useSeededQuery } from '~/lib/use-seeded-query';
import { variablesKey } from '~/lib/variables-key';

type StripeEventsSeed = { variables: StripeEventsQueryVariables; data: StripeEventsQuery };

/**
 * Received Stripe events, newest first. The loader paints the first page; the outcome filter (in the URL) and
 * "Load more" go through the generated hook: pages already shown stay in `earlier`, the newest one is `after`'s.
 */
export function StripeEventsCard({ seed }: { seed: StripeEventsSeed }) {
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
          <EmptyState
            title="No Stripe events received yet"
            action={
              <details className="tech-details">
                <summary>Details for your developer</summary>
                <p>
                  Point Stripe at <span className="mono">/webhooks/stripe</span> on the Luneo API and set{' '}
                  <span className="mono">STRIPE_WEBHOOK_SECRET</span> (see the README’s Stripe section).
                </p>
              </details>
            }
          >
            Once your Stripe account is connected to Luneo, every payment, refund and subscription change Stripe reports
            shows up here, with what it did to your orders.
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
