import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import type { ActorType } from '../shared/actor';

/**
 * One change in the audit log (table `audit_log`, append-only by trigger). Written only through `audit()` in audit.ts,
 * inside the transaction of the change, and read only through audit.queries.ts. It has no relation to the rows it
 * describes (no foreign key, no brand filter): its entries outlive deleted orders, keys and codes.
 */
@Entity({ tableName: 'audit_log' })
export class AuditEntry {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'uuid' })
  brandId!: string;

  @Property({ type: 'text' })
  actorType!: ActorType;

  @Property({ type: 'text', nullable: true })
  actorId!: string | null;

  @Property({ type: 'text' })
  actorLabel!: string;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text' })
  targetType!: string;

  @Property({ type: 'text', nullable: true })
  targetId!: string | null;

  @Property({ type: 'json' })
  changes!: AuditChanges;

  @Property({ type: 'text', nullable: true })
  requestId!: string | null;

  @Property({ type: 'text', nullable: true })
  clientAddress!: string | null;
}

/** What changed: only the fields whose values differ, before and after (null for a creation or a deletion). */
export interface AuditChanges {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
