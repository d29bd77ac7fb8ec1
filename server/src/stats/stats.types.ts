import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Money } from '../graphql/common.types';
import { CurrencyCodeEnum, OrderStatusEnum, PaymentStatusEnum, StatsIntervalEnum } from '../graphql/enums';
import { DateTimeScalar } from '../graphql/scalars';

@InputType('StatsRange')
export class StatsRangeInput {
  @Field(() => DateTimeScalar, { description: 'Inclusive.' })
  from!: Date;

  @Field(() => DateTimeScalar, { description: 'Exclusive.' })
  to!: Date;

  @Field(() => StatsIntervalEnum, { nullable: true, defaultValue: 'DAY' })
  interval?: 'DAY' | 'WEEK' | 'MONTH' | null;

  @Field(() => String, { nullable: true, defaultValue: 'UTC', description: 'IANA zone for series buckets.' })
  timeZone?: string | null;
}

@ObjectType('StatsRangeEcho')
export class StatsRangeEcho {
  @Field(() => DateTimeScalar)
  from!: Date;

  @Field(() => DateTimeScalar)
  to!: Date;

  @Field(() => StatsIntervalEnum)
  interval!: string;

  @Field()
  timeZone!: string;
}

@ObjectType()
export class CurrencyStats {
  @Field(() => CurrencyCodeEnum)
  currency!: string;

  @Field(() => Int)
  orderCount!: number;

  @Field(() => Int)
  paidOrderCount!: number;

  @Field(() => Money, { description: 'Paid orders\' totals.' })
  grossRevenue!: Money;

  @Field(() => Money)
  refunded!: Money;

  @Field(() => Money, { description: 'grossRevenue − refunded.' })
  netRevenue!: Money;

  @Field(() => Money, { description: 'grossRevenue / paidOrderCount, rounded half up.' })
  averageOrderValue!: Money;
}

@ObjectType()
export class StatusCount {
  @Field(() => OrderStatusEnum)
  status!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class PaymentStatusCount {
  @Field(() => PaymentStatusEnum)
  paymentStatus!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class StatsPoint {
  @Field(() => DateTimeScalar)
  periodStart!: Date;

  @Field(() => CurrencyCodeEnum)
  currency!: string;

  @Field(() => Int)
  orderCount!: number;

  @Field(() => Money)
  netRevenue!: Money;
}

@ObjectType()
export class ProductSales {
  @Field(() => ID, { nullable: true, description: 'Null once the product is deleted.' })
  productId!: string | null;

  @Field()
  sku!: string;

  @Field()
  name!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => Money)
  revenue!: Money;
}

@ObjectType({ description: 'Order statistics. Money is never summed across currencies.' })
export class OrderStats {
  @Field(() => StatsRangeEcho)
  range!: StatsRangeEcho;

  @Field(() => [CurrencyStats])
  byCurrency!: CurrencyStats[];

  @Field(() => [StatusCount])
  byStatus!: StatusCount[];

  @Field(() => [PaymentStatusCount])
  byPaymentStatus!: PaymentStatusCount[];

  @Field(() => [StatsPoint])
  series!: StatsPoint[];
}
