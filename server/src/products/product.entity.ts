import { BigIntType, Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { BaseEntity, BrandScoped } from '../shared/entity-base';

@Entity({ tableName: 'products' })
@BrandScoped()
@Unique({ properties: ['brand', 'sku'] })
@Index({ properties: ['brand', 'createdAt', 'id'] })
export class Product extends BaseEntity<'active'> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  @Property({ type: 'text' })
  sku!: string;

  @Property({ type: 'text' })
  name!: string;

  /** Minor units of the brand's currency. */
  @Property({ type: new BigIntType('number') })
  price!: number;

  /** Never negative through ordering: reservations are conditional updates (see stock.service.ts). */
  @Property({ type: 'integer' })
  stock!: number;

  @Property({ type: 'boolean' })
  active: boolean = true;
}
