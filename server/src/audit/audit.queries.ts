import { badInput } from '../errors';
import type { Actor, ActorType } from '../shared/actor';
import { cursorDate, decodeCursor, encodeCursor, pageRequest, toPage, type PageInfo } from '../shared/pagination';
import type { RequestContext } from '../shared/request-context';
import { scopedSql } from '../shared/sql';
import type { AuditChanges } from './audit-entry.entity';

/** Reads of the audit log, newest first, always within the request's brand (scopedSql). */
export interface AuditEntryRecord {
  id: string;
  action: string;
  actor: Actor;
  targetType: string;
  targetId: string | null;
  changes: AuditChanges;
  requestId: string | null;
  clientAddress: string | null;
  createdAt: Date;
}

export interface AuditLogFilter {
  actorType?: ActorType | null;
  action?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Where a walk through the log stands: the last entry read (entries are ordered by time, then id). */
export interface AuditPosition {
  createdAt: Date;
  id: string;
}

const MAX_FILTER_TEXT = 200;

function filterClauses(filter: AuditLogFilter | null | undefined): { clauses: string[]; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const text = (value: string | null | undefined, field: string) => {
    const trimmed = value?.trim();
    if (trimmed && trimmed.length > MAX_FILTER_TEXT) throw badInput(`filter.${field}`, `must be at most ${MAX_FILTER_TEXT} characters`);
    return trimmed || null;
  };
  if (filter?.actorType) {
    clauses.push('a.actor_type = ?');
    params.push(filter.actorType);
  }
  const action = text(filter?.action, 'action');
  if (action) {
    // `order` matches every order action; `order.cancel` only that one.
    clauses.push(action.includes('.') ? 'a.action = ?' : "a.action like ? || '.%'");
    params.push(action);
  }
  const targetType = text(filter?.targetType, 'targetType');
  if (targetType) {
    clauses.push('a.target_type = ?');
    params.push(targetType);
  }
  const targetId = text(filter?.targetId, 'targetId');
  if (targetId) {
    clauses.push('a.target_id = ?');
    params.push(targetId);
  }
  if (filter?.from) {
    clauses.push('a.created_at >= ?');
    params.push(filter.from);
  }
  if (filter?.to) {
    clauses.push('a.created_at < ?');
    params.push(filter.to);
  }
  return { clauses, params };
}

function toRecord(r: Record<string, any>): AuditEntryRecord {
  return {
    id: r.id,
    action: r.action,
    actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
    targetType: r.target_type,
    targetId: r.target_id,
    changes: typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes,
    requestId: r.request_id,
    clientAddress: r.client_address,
    createdAt: new Date(r.created_at),
  };
}

/** Up to `size` entries after `position` (newest first); shared by the connection and the CSV export. */
export async function readAuditLog(
  ctx: RequestContext,
  filter: AuditLogFilter | null | undefined,
  position: AuditPosition | null,
  size: number,
): Promise<AuditEntryRecord[]> {
  const { clauses, params } = filterClauses(filter);
  if (position) {
    clauses.push('(a.created_at, a.id) < (?, ?)');
    params.push(position.createdAt, position.id);
  }
  const rows = await scopedSql(
    ctx,
    `select a.id, a.action, a.actor_type, a.actor_id, a.actor_label, a.target_type, a.target_id, a.changes,
            a.request_id, a.client_address, a.created_at
       from audit_log a
      where a.brand_id = ?${clauses.map((c) => ` and ${c}`).join('')}
      order by a.created_at desc, a.id desc
      limit ?`,
    [...params, size],
  );
  return rows.map(toRecord);
}

export interface AuditLogPage {
  nodes: AuditEntryRecord[];
  cursors: string[];
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
}

export async function listAuditLog(
  ctx: RequestContext,
  args: { first?: number | null; after?: string | null; filter?: AuditLogFilter | null },
): Promise<AuditLogPage> {
  const request = pageRequest({ first: args.first, after: args.after });
  let position: AuditPosition | null = null;
  if (request.cursor) {
    const [at, id] = decodeCursor(request.cursor, 'after');
    const createdAt = cursorDate(at);
    if (!createdAt || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw badInput('after', 'is not a valid cursor');
    position = { createdAt, id };
  }
  const rows = await readAuditLog(ctx, args.filter, position, request.size + 1);
  const page = toPage(rows, request, (r) => encodeCursor([r.createdAt.toISOString(), r.id]));
  let count: Promise<number> | null = null;
  return {
    ...page,
    totalCount: () => {
      const { clauses, params } = filterClauses(args.filter);
      return (count ??= scopedSql<{ count: string }>(
        ctx,
        `select count(*) as count from audit_log a where a.brand_id = ?${clauses.map((c) => ` and ${c}`).join('')}`,
        params,
      ).then((r) => Number(r[0].count)));
    },
  };
}
