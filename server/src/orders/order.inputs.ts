import { Field, ID, InputType, Int } from 'type-graphql';
import { OrderStatusEnum, PaymentStatusEnum } from '../graphql/enums';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars';
import type { OrderStatus, PaymentStatus } from './order-lifecycle';

// Shapes only: the rules for these inputs live in order.validation.ts, shared by every way into the domain.

@InputType()
export class OrderItemInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => JSONScalar, { nullable: true })
  customization?: unknown;
}

@InputType()
export class CustomerInput {
  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;
}

@InputType()
export class AddressInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field()
  line1!: string;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field()
  city!: string;

  @Field()
  postalCode!: string;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field()
  country!: string;
}

@InputType()
export class CreateOrderInput {
  @Field(() => [OrderItemInput])
  items!: OrderItemInput[];

  @Field(() => CustomerInput)
  customer!: CustomerInput;

  @Field(() => AddressInput, { nullable: true })
  shippingAddress?: AddressInput | null;

  @Field(() => String, { nullable: true })
  discountCode?: string | null;

  @Field(() => String, { nullable: true })
  note?: string | null;
}

@InputType()
export class UpdateOrderInput {
  @Field(() => CustomerInput, { nullable: true })
  customer?: CustomerInput | null;

  @Field(() => AddressInput, { nullable: true })
  shippingAddress?: AddressInput | null;

  @Field(() => String, { nullable: true, description: 'Left out: unchanged; null or "": removed.' })
  trackingNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'e.g. "Colissimo", "DHL Express". Left out: unchanged; null or "": removed.' })
  trackingCarrier?: string | null;

  @Field(() => String, { nullable: true, description: 'Where the parcel can be followed; http(s) only. Left out: unchanged; null or "": removed.' })
  trackingUrl?: string | null;
}

@InputType()
export class OrderFilter {
  @Field(() => [OrderStatusEnum], { nullable: true })
  status?: OrderStatus[] | null;

  @Field(() => [PaymentStatusEnum], { nullable: true })
  paymentStatus?: PaymentStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Matches order number, customer email or name, item SKU or name.' })
  search?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAfter?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdBefore?: Date | null;

  @Field(() => ID, { nullable: true })
  productId?: string | null;
}
