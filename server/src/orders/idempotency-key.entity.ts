import { Entity, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { BaseEntity, BrandScoped } from '../shared/entity-base';

/**
 * A client-chosen key for a mutation, stored in the same transaction as the mutation's effect. The unique index makes a
 * concurrent retry wait for the first attempt and then see its result.
 */
@Entity({ tableName: 'idempotency_keys' })
@BrandScoped()
@Unique({ properties: ['brand', 'operation', 'key'] })
export class IdempotencyKey extends BaseEntity {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  @Property({ type: 'text' })
  operation!: string;

  @Property({ type: 'text' })
  key!: string;

  /** SHA-256 of the canonical input: the same key with other input is a conflict, not a replay. */
  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'uuid' })
  resultId!: string;
}
