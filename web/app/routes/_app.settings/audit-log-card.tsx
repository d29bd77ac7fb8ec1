import { useState } from 'react';
import { DateField } from '~/components/date-field';
import { Card, ProblemNotice, UpdatingStatus } from '~/components/ui';
import { useAuditLogQuery, type ActorType, type AuditLogFilterInput, type AuditLogRowFragment } from '~/gql/graphql';
import { problemFrom } from '~/lib/errors';
import { addDays, startOfDayInZone } from '~/lib/dates';
import { useFormatters, useLocaleInfo } from '~/lib/locale';

const ACTOR_TYPES: { value: ActorType | ''; label: string }[] = [
  { value: '', label: 'Anyone' },
  { value: 'USER', label: 'People' },
  { value: 'API_KEY', label: 'API keys' },
  { value: 'STRIPE', label: 'Stripe' },
  { value: 'SYSTEM', label: 'System and CLI' },
];

const PAGE_SIZE = 25;

/** `{ before: { status: "PENDING" }, after: { status: "PROCESSING" } }` → "status: PENDING → PROCESSING". */
export function describeChanges(changes: unknown): string {
  const { before, after } = (changes ?? {}) as { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null };
  const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  if (!before && after) return keys.map((k) => `${k}: ${show(after[k])}`).join(' · ');
  if (before && !after) return `deleted (${keys.map((k) => `${k}: ${show(before[k])}`).join(' · ')})`;
  return keys.map((k) => `${k}: ${show(before?.[k])} → ${show(after?.[k])}`).join(' · ');
}

/** The audit log's rows, with a “Load more” that follows the cursor; shared by Settings and each order (key it by its filter). */
export function AuditEntries({ filter, emptyText }: { filter: AuditLogFilterInput; emptyText: string }) {
  const fmt = useFormatters();
  const [after, setAfter] = useState<string | null>(null);
  const [result] = useAuditLogQuery({ variables: { first: PAGE_SIZE, after, filter }, requestPolicy: 'cache-and-network' });
  const [earlier, setEarlier] = useState<AuditLogRowFragment[]>([]);
  // Only the page asked for counts: while the next one loads, the previous answer is already among `earlier`.
  const page = (result.operation?.variables.after ?? null) === after ? result.data?.auditLog : undefined;
  const rows = [...earlier, ...(page?.nodes ?? [])];
  if (result.error) return <ProblemNotice problem={problemFrom(result.error)} />;
  return (
    <>
      <UpdatingStatus fetching={result.fetching} what="audit log" />
      {rows.length === 0 && !result.fetching ? <p className="muted">{emptyText}</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="audit-log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Target</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.id}>
                  <td>{fmt.dateTime(entry.createdAt)}</td>
                  <td>
                    {entry.actor.label} <span className="muted">({entry.actor.type})</span>
                  </td>
                  <td className="mono">{entry.action}</td>
                  <td className="mono" title={entry.requestId ? `request ${entry.requestId}` : undefined}>
                    {entry.targetType} {entry.targetId ?? ''}
                  </td>
                  <td>{describeChanges(entry.changes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page?.pageInfo.hasNextPage ? (
        <button
          type="button"
          className="btn btn--secondary btn--small"
          onClick={() => {
            setEarlier(rows);
            setAfter(page.pageInfo.endCursor ?? null);
          }}
        >
          Load more
        </button>
      ) : null}
    </>
  );
}

/** Settings → Audit log: every change in the brand by anyone (people, API keys, Stripe, the system), filterable. */
export function AuditLogCard() {
  const { timeZone } = useLocaleInfo();
  const [actorType, setActorType] = useState<ActorType | ''>('');
  const [action, setAction] = useState('');
  const [targetId, setTargetId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const filter: AuditLogFilterInput = {
    ...(actorType ? { actorType } : {}),
    ...(action.trim() ? { action: action.trim() } : {}),
    ...(targetId.trim() ? { targetId: targetId.trim() } : {}),
    // Whole days in the person's time zone (as the orders filters), not the browser's.
    ...(from ? { from: startOfDayInZone(from, timeZone) } : {}),
    ...(to ? { to: startOfDayInZone(addDays(to, 1), timeZone) } : {}),
  };
  const csv = new URLSearchParams(Object.entries(filter).map(([k, v]) => [k, String(v)]));
  return (
    <Card
      title="Audit log"
      actions={
        <a className="btn btn--secondary btn--small" href={`/exports/audit.csv?${csv}`} download>
          Download CSV
        </a>
      }
    >
      <p className="muted">Every change, by whom and from where. Entries cannot be edited or deleted; personal data shows as “[personal data]”.</p>
      <div className="filters__row" role="group" aria-label="Audit log filters">
        <label className="field">
          <span className="field__label">Who</span>
          <select className="input" value={actorType} onChange={(e) => setActorType(e.target.value as ActorType | '')}>
            {ACTOR_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Action</span>
          <input className="input" value={action} placeholder="order, order.cancel…" onChange={(e) => setAction(e.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">Target id</span>
          <input className="input" value={targetId} onChange={(e) => setTargetId(e.target.value)} />
        </label>
        <DateField id="audit-from" label="From" value={from || null} max={to || undefined} onChange={(value) => setFrom(value ?? '')} />
        <DateField id="audit-to" label="To" value={to || null} min={from || undefined} onChange={(value) => setTo(value ?? '')} />
      </div>
      <AuditEntries key={JSON.stringify(filter)} filter={filter} emptyText="No entries match these filters." />
    </Card>
  );
}
