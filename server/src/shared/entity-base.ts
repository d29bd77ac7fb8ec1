import { v7 as uuidv7 } from 'uuid';
import { Filter, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The tenancy wall for everything read or written through the ORM: a default filter whose argument is the request's
 * brand. MikroORM throws when a default filter's argument is missing, so a query issued without a brand fails instead
 * of reading every tenant's rows.
 */
export const BRAND_FILTER = 'brand';

export interface BrandFilterArgs {
  brandId: string;
}

export const BrandScoped = () =>
  Filter({
    name: BRAND_FILTER,
    default: true,
    cond: (args: BrandFilterArgs) => {
      if (!args?.brandId) throw new Error('Tenant scope missing: this query has no brand');
      return { brand: args.brandId };
    },
  });

export abstract class BaseEntity<Optional extends string = never> {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | Optional;

  @PrimaryKey({ type: 'uuid' })
  // UUIDv7: time-ordered, so ids break timestamp ties in insertion order and index pages stay compact.
  id: string = uuidv7();

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
