import { BigIntType, Entity, Index, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { Product } from '../products/product.entity';
import { BaseEntity, BrandScoped } from '../shared/entity-base';
import { Order } from './order.entity';

/** A frozen snapshot of a bought line: catalog changes never touch it; deleting the product only nulls `product`. */
@Entity({ tableName: 'order_items' })
@BrandScoped()
@Index({ properties: ['order', 'position'] })
@Index({ properties: ['product'] })
export class OrderItem extends BaseEntity<'customization' | 'product'> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  @ManyToOne(() => Order, { deleteRule: 'cascade' })
  order!: Rel<Order>;

  @ManyToOne(() => Product, { nullable: true, deleteRule: 'set null' })
  product: Product | null = null;

  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'text' })
  sku!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: new BigIntType('number') })
  unitPrice!: number;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: new BigIntType('number') })
  discount!: number;

  @Property({ type: new BigIntType('number') })
  tax!: number;

  @Property({ type: new BigIntType('number') })
  total!: number;

  @Property({ type: 'json', nullable: true })
  customization: unknown = null;
}
