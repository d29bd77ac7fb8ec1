import { ArrayType, Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import type { ActorType } from '../shared/actor';
import { BaseEntity, BrandScoped } from '../shared/entity-base';
import type { ApiKeyScope } from './api-key-scopes';

/**
 * A partner's credential for one brand. Only a SHA-256 of the secret is stored (the secret is shown once, at creation);
 * `prefix` is its public beginning, so people can tell keys apart. A revoked key stays listed and never works again.
 */
@Entity({ tableName: 'api_keys' })
@BrandScoped()
@Index({ properties: ['brand', 'createdAt'] })
export class ApiKey extends BaseEntity<'createdById' | 'lastUsedAt' | 'revokedAt'> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  prefix!: string;

  @Property({ type: 'text', hidden: true })
  @Unique()
  secretHash!: string;

  @Property({ type: ArrayType, columnType: 'text[]' })
  scopes!: ApiKeyScope[];

  @Property({ type: 'text' })
  createdByType!: ActorType;

  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  @Property({ type: 'text' })
  createdByLabel!: string;

  @Property({ type: 'datetime', length: 3, nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  revokedAt: Date | null = null;
}
