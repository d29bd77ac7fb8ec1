import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Actor, Money, Node, PageInfo } from '../graphql/common.types';
import { CurrencyCodeEnum, OrderSourceEnum, OrderStatusEnum, PaymentMethodEnum, PaymentStatusEnum } from '../graphql/enums';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars';

// The read path's hot types: `simpleResolvers` lets graphql-js's default resolver read their plain fields, without
// type-graphql's wrapper per field and row (fields with a resolver of their own keep it).

@ObjectType({ simpleResolvers: true })
export class Customer {
  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  phone!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class Address {
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field()
  line1!: string;

  @Field(() => String, { nullable: true })
  line2!: string | null;

  @Field()
  city!: string;

  @Field()
  postalCode!: string;

  @Field(() => String, { nullable: true })
  region!: string | null;

  @Field({ description: 'ISO 3166-1 alpha-2' })
  country!: string;
}

@ObjectType({ description: 'A frozen snapshot of what was bought: it never changes when the catalog does.', simpleResolvers: true })
export class OrderItem {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'Null once the product is deleted; the snapshot stays.' })
  productId!: string | null;

  @Field()
  sku!: string;

  @Field()
  name!: string;

  @Field(() => Money)
  unitPrice!: Money;

  @Field(() => Int)
  quantity!: number;

  @Field(() => Money, { description: 'This line\'s share of the order discount.' })
  discount!: Money;

  @Field(() => Money, { description: 'This line\'s share of the order tax.' })
  tax!: Money;

  @Field(() => Money, { description: 'unitPrice × quantity − discount (+ tax when the brand\'s tax is exclusive).' })
  total!: Money;

  @Field(() => JSONScalar, { nullable: true })
  customization!: unknown;
}

@ObjectType({ description: 'A parcel\'s tracking: each part may be missing.', simpleResolvers: true })
export class Tracking {
  @Field(() => String, { nullable: true })
  number!: string | null;

  @Field(() => String, { nullable: true })
  carrier!: string | null;

  @Field(() => String, { nullable: true, description: 'http(s) only.' })
  url!: string | null;
}

@ObjectType({ description: 'One entry of an order\'s append-only timeline.', simpleResolvers: true })
export class OrderStatusChange {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'STATUS, PAYMENT or NOTE' })
  kind!: string;

  @Field(() => String, { nullable: true })
  from!: string | null;

  @Field(() => String, { nullable: true })
  to!: string | null;

  @Field(() => String, { nullable: true })
  note!: string | null;

  @Field(() => Tracking, { nullable: true, description: 'The tracking this entry set (shipping with tracking, a tracking update).' })
  tracking!: Tracking | null;

  @Field(() => Actor)
  actor!: Actor;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType({ implements: Node, simpleResolvers: true })
export class Order extends Node {
  @Field({ description: 'Per-brand sequential, human-friendly, unique within the brand, e.g. "LL-001042".' })
  number!: string;

  @Field(() => OrderStatusEnum)
  status!: string;

  @Field(() => PaymentStatusEnum)
  paymentStatus!: string;

  @Field(() => CurrencyCodeEnum)
  currency!: string;

  @Field(() => Money)
  subtotal!: Money;

  @Field(() => Money)
  discountTotal!: Money;

  @Field(() => Money)
  shippingTotal!: Money;

  @Field(() => Money, { description: 'With tax-inclusive pricing, the tax contained in the total.' })
  taxTotal!: Money;

  @Field(() => Money)
  total!: Money;

  @Field(() => Money)
  refundedTotal!: Money;

  @Field(() => String, { nullable: true })
  discountCode!: string | null;

  @Field(() => Customer)
  customer!: Customer;

  @Field(() => Address, { nullable: true })
  shippingAddress!: Address | null;

  @Field(() => String, { nullable: true })
  trackingNumber!: string | null;

  @Field(() => String, { nullable: true })
  trackingCarrier!: string | null;

  @Field(() => String, { nullable: true, description: 'http(s) only.' })
  trackingUrl!: string | null;

  @Field(() => PaymentMethodEnum, { nullable: true, description: 'Set when a person marked the order paid.' })
  paymentMethod!: string | null;

  @Field(() => String, { nullable: true })
  paymentReference!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Set when something needs a human: e.g. a paid Stripe order that oversold stock.',
  })
  attention!: string | null;

  @Field(() => OrderSourceEnum)
  source!: string;

  @Field(() => String, { nullable: true, description: 'The checkout\'s order_ref (Stripe metadata); unique per brand.' })
  checkoutRef!: string | null;

  @Field(() => String, { nullable: true })
  stripeCheckoutSessionId!: string | null;

  @Field(() => String, { nullable: true })
  stripePaymentIntentId!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  paidAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  cancelledAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class OrderEdge {
  @Field()
  cursor!: string;

  @Field(() => Order)
  node!: Order;
}

@ObjectType({ simpleResolvers: true })
export class OrderConnection {
  @Field(() => [OrderEdge])
  edges!: OrderEdge[];

  @Field(() => [Order])
  nodes!: Order[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class OrderQuote {
  @Field(() => CurrencyCodeEnum)
  currency!: string;

  @Field(() => Money)
  subtotal!: Money;

  @Field(() => Money)
  discountTotal!: Money;

  @Field(() => Money)
  shippingTotal!: Money;

  @Field(() => Money)
  taxTotal!: Money;

  @Field(() => Money)
  total!: Money;
}
