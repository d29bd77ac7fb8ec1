import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { BaseEntity, BrandScoped } from '../shared/entity-base';
import type { ActorType } from '../shared/actor';
import { Product } from './product.entity';

export const STOCK_MOVEMENT_REASONS = ['SALE', 'CANCELLATION', 'ADJUSTMENT', 'INITIAL'] as const;
export type StockMovementReason = (typeof STOCK_MOVEMENT_REASONS)[number];

/** Append-only log of every stock change; the product's `stock` column is its running sum. */
@Entity({ tableName: 'stock_movements' })
@BrandScoped()
@Index({ properties: ['product', 'createdAt'] })
export class StockMovement extends BaseEntity<'orderId' | 'note'> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  @ManyToOne(() => Product, { deleteRule: 'cascade' })
  product!: Product;

  @Property({ type: 'uuid', nullable: true })
  orderId: string | null = null;

  @Property({ type: 'integer' })
  delta!: number;

  @Property({ type: 'integer' })
  stockAfter!: number;

  @Property({ type: 'text' })
  reason!: StockMovementReason;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Property({ type: 'text' })
  actorType!: ActorType;

  @Property({ type: 'text', nullable: true })
  actorId!: string | null;

  @Property({ type: 'text' })
  actorLabel!: string;
}
