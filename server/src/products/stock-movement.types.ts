import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Actor, PageInfo } from '../graphql/common.types';
import { StockMovementReasonEnum } from '../graphql/enums';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ description: 'One change of a product\'s stock, with its reason; the log is append-only.' })
export class StockMovement {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Units added (positive) or taken (negative).' })
  delta!: number;

  @Field(() => Int)
  stockAfter!: number;

  @Field(() => StockMovementReasonEnum)
  reason!: string;

  @Field(() => String, { nullable: true, description: 'Why, for adjustments (and cancellations).' })
  note!: string | null;

  @Field(() => ID, { nullable: true })
  orderId!: string | null;

  @Field(() => String, { nullable: true, description: 'Null when there is no order, or it was deleted since.' })
  orderNumber!: string | null;

  @Field(() => Actor)
  actor!: Actor;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType()
export class StockMovementConnection {
  @Field(() => [StockMovement])
  nodes!: StockMovement[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
