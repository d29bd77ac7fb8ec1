import { badInput } from '../errors';
import { parseId } from '../shared/ids';
import { cursorDate, decodeCursor, encodeCursor, pageRequest, toPage, type PageInfo } from '../shared/pagination';
import type { RequestContext } from '../shared/request-context';
import { pgArray, scopedSql } from '../shared/sql';
import type { WebhookEventOutcome } from './stripe-event.entity';

/** The operator's view of received Stripe events: the brand's own, newest first, keyset-paginated. */
export interface WebhookEventRecord {
  id: string;
  eventId: string;
  type: string;
  outcome: WebhookEventOutcome | null;
  reason: string | null;
  error: string | null;
  attempts: number;
  livemode: boolean;
  stripeCreatedAt: Date;
  receivedAt: Date;
  lastReceivedAt: Date;
  processedAt: Date | null;
  payload: unknown;
}

export interface WebhookEventFilter {
  type?: string[] | null;
  outcome?: WebhookEventOutcome[] | null;
}

export interface WebhookEventPage {
  nodes: WebhookEventRecord[];
  cursors: string[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

export async function listWebhookEvents(
  ctx: RequestContext,
  args: { first?: number | null; after?: string | null; filter?: WebhookEventFilter | null },
): Promise<WebhookEventPage> {
  const request = pageRequest({ first: args.first, after: args.after });
  const where: string[] = [];
  const params: unknown[] = [];
  const types = args.filter?.type ?? [];
  if (types.length > 50) throw badInput('filter.type', 'must list at most 50 types');
  const longType = types.findIndex((type) => type.length > 100);
  if (longType >= 0) throw badInput(`filter.type.${longType}`, 'must be at most 100 characters');
  if (args.filter?.type?.length) {
    where.push('e.type = any(?::text[])');
    params.push(pgArray(args.filter.type));
  }
  if (args.filter?.outcome?.length) {
    where.push('e.outcome = any(?::text[])');
    params.push(pgArray(args.filter.outcome));
  }
  const filterSql = where.map((w) => ` and ${w}`).join('');
  const filterParams = [...params];
  if (request.cursor) {
    const [at, id] = decodeCursor(request.cursor, 'after');
    const receivedAt = cursorDate(at);
    if (!receivedAt || typeof id !== 'string') {
      throw badInput('after', 'is not a valid cursor');
    }
    where.push('(e.received_at, e.id) < (?, ?)');
    params.push(receivedAt, parseId(id, 'after'));
  }
  const rows = await scopedSql(
    ctx,
    `select e.id, e.event_id, e.type, e.outcome, e.reason, e.error, e.attempts, e.livemode, e.stripe_created_at,
            e.received_at, e.last_received_at, e.processed_at, e.payload
       from stripe_events e
      where e.brand_id = ?${where.map((w) => ` and ${w}`).join('')}
      order by e.received_at desc, e.id desc
      limit ?`,
    [...params, request.size + 1],
  );
  const records: WebhookEventRecord[] = rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    type: r.type,
    outcome: r.outcome,
    reason: r.reason,
    error: r.error,
    attempts: Number(r.attempts),
    livemode: r.livemode,
    stripeCreatedAt: new Date(r.stripe_created_at),
    receivedAt: new Date(r.received_at),
    lastReceivedAt: new Date(r.last_received_at),
    processedAt: r.processed_at ? new Date(r.processed_at) : null,
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
  }));
  const page = toPage(records, request, (r) => encodeCursor([r.receivedAt.toISOString(), r.id]));
  let count: Promise<number> | null = null;
  return {
    ...page,
    totalCount: () =>
      (count ??= scopedSql<{ count: string }>(
        ctx,
        `select count(*) as count from stripe_events e where e.brand_id = ?${filterSql}`,
        filterParams,
      ).then((r) => Number(r[0].count))),
  };
}
