import { BigIntType, Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { BaseEntity } from '../shared/entity-base';

export type PendingPaymentResult = 'SUCCEEDED' | 'FAILED';

/**
 * A payment result or refund that arrived before its order (Stripe delivers out of order): kept per PaymentIntent and
 * applied, then deleted, when `checkout.session.completed` creates the order. A success is final (a later-arriving
 * failure of an earlier attempt never overrides it); refunds keep the maximum cumulative amount seen.
 */
@Entity({ tableName: 'stripe_pending_payments' })
export class StripePendingPayment extends BaseEntity<'brand' | 'orderRef' | 'result' | 'refundedAmount' | 'amount' | 'currency'> {
  @Property({ type: 'text', unique: true })
  paymentIntentId!: string;

  @ManyToOne(() => Brand, { nullable: true, deleteRule: 'cascade' })
  brand: Brand | null = null;

  @Property({ type: 'text', nullable: true })
  orderRef: string | null = null;

  @Property({ type: 'text', nullable: true })
  result: PendingPaymentResult | null = null;

  @Property({ type: new BigIntType('number') })
  refundedAmount: number = 0;

  /** What Stripe said was paid (minor units, ISO code), checked against the order's total once it exists. */
  @Property({ type: new BigIntType('number'), nullable: true })
  amount: number | null = null;

  @Property({ type: 'text', nullable: true })
  currency: string | null = null;

  @Property({ type: 'text' })
  lastEventId!: string;
}
