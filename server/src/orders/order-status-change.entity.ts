import { Entity, Index, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import type { ActorType } from '../shared/actor';
import { BaseEntity, BrandScoped } from '../shared/entity-base';
import { Order } from './order.entity';

export type StatusChangeKind = 'STATUS' | 'PAYMENT' | 'NOTE';

/**
 * One entry of an order's append-only timeline (a database trigger refuses updates). The timeline outlives its order:
 * `order_id` has no foreign key, so a deleted order's history stays readable beside its archive (`deleted_orders`).
 */
@Entity({ tableName: 'order_status_changes' })
@BrandScoped()
@Index({ properties: ['order', 'createdAt', 'id'] })
export class OrderStatusChange extends BaseEntity<
  'fromValue' | 'toValue' | 'note' | 'actorId' | 'trackingNumber' | 'trackingCarrier' | 'trackingUrl'
> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  @ManyToOne(() => Order, { createForeignKeyConstraint: false })
  order!: Rel<Order>;

  @Property({ type: 'text' })
  kind!: StatusChangeKind;

  @Property({ type: 'text', nullable: true })
  fromValue: string | null = null;

  @Property({ type: 'text', nullable: true })
  toValue: string | null = null;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  /** The order's tracking as this entry set it (shipping with tracking, or a tracking update). */
  @Property({ type: 'text', nullable: true })
  trackingNumber: string | null = null;

  @Property({ type: 'text', nullable: true })
  trackingCarrier: string | null = null;

  @Property({ type: 'text', nullable: true })
  trackingUrl: string | null = null;

  @Property({ type: 'text' })
  actorType!: ActorType;

  @Property({ type: 'text', nullable: true })
  actorId: string | null = null;

  @Property({ type: 'text' })
  actorLabel!: string;
}
