import { BigIntType, Entity, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../shared/entity-base';
import type { CurrencyCode } from '../shared/money';

/** A tenant: a brand selling on Luneo. Every other row belongs to exactly one brand. */
@Entity({ tableName: 'brands' })
export class Brand extends BaseEntity<'taxRateBps' | 'taxInclusive' | 'shippingFlatRate' | 'freeShippingThreshold' | 'lastOrderSeq' | 'orderCount'> {
  @Property({ type: 'text' })
  @Unique()
  slug!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  currency!: CurrencyCode;

  @Property({ type: 'text' })
  orderNumberPrefix!: string;

  /** Basis points: 2000 = 20%. */
  @Property({ type: 'integer' })
  taxRateBps: number = 0;

  /** When true, catalog prices already contain the tax and orders show its portion. */
  @Property({ type: 'boolean' })
  taxInclusive: boolean = false;

  @Property({ type: new BigIntType('number') })
  shippingFlatRate: number = 0;

  @Property({ type: new BigIntType('number'), nullable: true })
  freeShippingThreshold: number | null = null;

  /** The last order sequence number handed out; incremented by the order's insert (the function insert_order). */
  @Property({ type: 'integer' })
  lastOrderSeq: number = 0;

  /** How many orders the brand has now (created minus deleted): the unfiltered list's total, without a count(*). */
  @Property({ type: 'integer' })
  orderCount: number = 0;
}
