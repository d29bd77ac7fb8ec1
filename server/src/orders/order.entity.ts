import { BigIntType, Collection, Entity, Index, ManyToOne, OneToMany, Property, Unique } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { BaseEntity, BrandScoped } from '../shared/entity-base';
import type { CurrencyCode } from '../shared/money';
import type { OrderStatus, PaymentStatus } from './order-lifecycle';
import { OrderItem } from './order-item.entity';
import { OrderStatusChange } from './order-status-change.entity';

export const ORDER_SOURCES = ['DASHBOARD', 'API', 'STRIPE_CHECKOUT'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

/** How the money of an order marked paid by a person came in (a provider's payment needs no such record). */
export const PAYMENT_METHODS = ['BANK_TRANSFER', 'CARD', 'CASH', 'CHEQUE', 'OTHER'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface AddressData {
  name?: string | null;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
  country: string;
}

/**
 * An order. Status and payment status change only through order-lifecycle.ts (which writes the history row); totals
 * are set once by pricing.ts and, for refunds, by the payment rules.
 */
@Entity({ tableName: 'orders' })
@BrandScoped()
@Unique({ properties: ['brand', 'number'] })
@Unique({ properties: ['brand', 'checkoutRef'] })
@Index({ properties: ['brand', 'createdAt', 'id'] })
@Index({ properties: ['brand', 'total', 'id'] })
@Index({ properties: ['brand', 'seq'] })
@Index({ properties: ['brand', 'customerEmail'] })
export class Order extends BaseEntity<
  | 'discountCode'
  | 'customerName'
  | 'customerPhone'
  | 'shippingAddress'
  | 'trackingNumber'
  | 'trackingCarrier'
  | 'trackingUrl'
  | 'paymentMethod'
  | 'paymentReference'
  | 'attention'
  | 'checkoutRef'
  | 'stripeCheckoutSessionId'
  | 'stripePaymentIntentId'
  | 'paidAt'
  | 'providerPaidAt'
  | 'cancelledAt'
  | 'refundedTotal'
> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  brand!: Brand;

  /** Per-brand sequence (1, 2, 3…) from which `number` is formatted. */
  @Property({ type: 'integer' })
  seq!: number;

  @Property({ type: 'text' })
  number!: string;

  @Property({ type: 'text' })
  status!: OrderStatus;

  @Property({ type: 'text' })
  paymentStatus!: PaymentStatus;

  @Property({ type: 'text' })
  currency!: CurrencyCode;

  @Property({ type: new BigIntType('number') })
  subtotal!: number;

  @Property({ type: new BigIntType('number') })
  discountTotal!: number;

  @Property({ type: new BigIntType('number') })
  shippingTotal!: number;

  @Property({ type: new BigIntType('number') })
  taxTotal!: number;

  @Property({ type: new BigIntType('number') })
  total!: number;

  @Property({ type: new BigIntType('number') })
  refundedTotal: number = 0;

  @Property({ type: 'text', nullable: true })
  discountCode: string | null = null;

  @Property({ type: 'text' })
  customerEmail!: string;

  @Property({ type: 'text', nullable: true })
  customerName: string | null = null;

  @Property({ type: 'text', nullable: true })
  customerPhone: string | null = null;

  @Property({ type: 'json', nullable: true })
  shippingAddress: AddressData | null = null;

  @Property({ type: 'text', nullable: true })
  trackingNumber: string | null = null;

  @Property({ type: 'text', nullable: true })
  trackingCarrier: string | null = null;

  /** Where the customer (and staff) follow the parcel; http(s) only. */
  @Property({ type: 'text', nullable: true })
  trackingUrl: string | null = null;

  @Property({ type: 'text', nullable: true })
  paymentMethod: PaymentMethod | null = null;

  /** The bank transfer's or receipt's reference given when a person marked the order paid. */
  @Property({ type: 'text', nullable: true })
  paymentReference: string | null = null;

  @Property({ type: 'text', nullable: true })
  attention: string | null = null;

  @Property({ type: 'text' })
  source!: OrderSource;

  @Property({ type: 'text', nullable: true })
  checkoutRef: string | null = null;

  @Property({ type: 'text', nullable: true })
  stripeCheckoutSessionId: string | null = null;

  @Property({ type: 'text', nullable: true })
  @Index()
  stripePaymentIntentId: string | null = null;

  /** See order-search.ts; indexed with pg_trgm for `filter.search`. */
  @Property({ type: 'text', hidden: true })
  searchText!: string;

  @Property({ type: 'datetime', length: 3, nullable: true })
  paidAt: Date | null = null;

  /** When the payment provider itself reported the money in; null on a PAID order means a person marked it paid. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  providerPaidAt: Date | null = null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  cancelledAt: Date | null = null;

  @OneToMany(() => OrderItem, (item) => item.order, { orderBy: { position: 'asc' } })
  items = new Collection<OrderItem>(this);

  @OneToMany(() => OrderStatusChange, (change) => change.order, { orderBy: { createdAt: 'asc', id: 'asc' } })
  statusHistory = new Collection<OrderStatusChange>(this);
}
