import { ACTOR_TYPES, type ActorType } from '../shared/actor';
import { badInput } from '../errors';
import { readAuditLog, type AuditLogFilter, type AuditPosition } from '../audit/audit.queries';
import type { RequestContext } from '../shared/request-context';
import { csvRow } from './csv';
import { EXPORT_BATCH_SIZE } from './orders-export';

/** The audit log as CSV, newest first, with the filters of the `auditLog` query; streamed in keyset batches too. */
const AUDIT_HEADER = [
  'created_at', 'action', 'actor_type', 'actor_id', 'actor_label', 'target_type', 'target_id', 'changes', 'request_id',
  'client_address',
];

type Query = Record<string, unknown>;

function text(query: Query, name: string): string | null {
  const raw = query[name];
  if (raw === undefined) return null;
  if (typeof raw !== 'string') throw badInput(name, 'must be given once');
  return raw.trim() || null;
}

function date(query: Query, name: string): Date | null {
  const raw = text(query, name);
  if (raw === null) return null;
  const parsed = new Date(raw);
  if (Number.isNaN(parsed.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) throw badInput(name, 'must be an ISO-8601 date-time');
  return parsed;
}

export function parseAuditExportQuery(query: Query): AuditLogFilter {
  const actorType = text(query, 'actorType');
  if (actorType !== null && !(ACTOR_TYPES as readonly string[]).includes(actorType)) {
    throw badInput('actorType', `must be one of ${ACTOR_TYPES.join(', ')}`);
  }
  return {
    actorType: actorType as ActorType | null,
    action: text(query, 'action'),
    targetType: text(query, 'targetType'),
    targetId: text(query, 'targetId'),
    from: date(query, 'from'),
    to: date(query, 'to'),
  };
}

export function auditHeader(): string {
  return csvRow(AUDIT_HEADER);
}

export async function* auditCsvBatches(ctx: RequestContext, filter: AuditLogFilter): AsyncGenerator<string> {
  let position: AuditPosition | null = null;
  for (;;) {
    const entries = await readAuditLog(ctx, filter, position, EXPORT_BATCH_SIZE);
    if (entries.length === 0) return;
    yield entries
      .map((e) =>
        csvRow([
          e.createdAt, e.action, e.actor.type, e.actor.id, e.actor.label, e.targetType, e.targetId,
          JSON.stringify(e.changes), e.requestId, e.clientAddress,
        ]),
      )
      .join('');
    const last = entries[entries.length - 1];
    position = { createdAt: last.createdAt, id: last.id };
    if (entries.length < EXPORT_BATCH_SIZE) return;
  }
}
