import { BigIntType, Entity, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { BaseEntity, BrandScoped } from '../shared/entity-base';

/**
 * A discount code: either a percentage or a fixed amount off the subtotal. `code` is stored upper-cased, so the
 * unique (brand, code) index makes codes case-insensitive.
 */
@Entity({ tableName: 'discount_codes' })
@BrandScoped()
@Unique({ properties: ['brand', 'code'] })
export class DiscountCode extends BaseEntity<
  'percentOff' | 'amountOff' | 'minimumSubtotal' | 'validFrom' | 'validUntil' | 'usageLimit' | 'timesUsed' | 'active'
> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  @Property({ type: 'text' })
  code!: string;

  @Property({ type: 'integer', nullable: true })
  percentOff: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  amountOff: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  minimumSubtotal: number | null = null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  validFrom: Date | null = null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  validUntil: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  usageLimit: number | null = null;

  @Property({ type: 'integer' })
  timesUsed: number = 0;

  @Property({ type: 'boolean' })
  active: boolean = true;
}
