import { BigIntType, Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity, BrandScoped } from '../shared/entity-base';
import { Brand } from './brand.entity';

/**
 * A brand's Luneo (SaaS) subscription, mirrored from Stripe's `customer.subscription.*` events. Each row remembers the
 * `created` time of the last event applied to it; an older event arriving late is not applied.
 */
@Entity({ tableName: 'brand_subscriptions' })
@BrandScoped()
@Index({ properties: ['brand', 'lastEventCreated'] })
export class BrandSubscription extends BaseEntity<
  'plan' | 'currentPeriodEnd' | 'cancelAtPeriodEnd' | 'canceledAt' | 'endedAt' | 'stripeCustomerId'
> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  @Property({ type: 'text', unique: true })
  stripeSubscriptionId!: string;

  @Property({ type: 'text', nullable: true })
  stripeCustomerId: string | null = null;

  /** Stripe's status: trialing, active, past_due, canceled, unpaid, incomplete, incomplete_expired, paused. */
  @Property({ type: 'text' })
  status!: string;

  /** The price's lookup key of the first item, e.g. `pro_monthly`. */
  @Property({ type: 'text', nullable: true })
  plan: string | null = null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  currentPeriodEnd: Date | null = null;

  @Property({ type: 'boolean' })
  cancelAtPeriodEnd: boolean = false;

  @Property({ type: 'datetime', length: 3, nullable: true })
  canceledAt: Date | null = null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  endedAt: Date | null = null;

  /** Unix seconds of the last applied event's `created`. */
  @Property({ type: new BigIntType('number') })
  lastEventCreated!: number;

  @Property({ type: 'text' })
  lastEventId!: string;
}
