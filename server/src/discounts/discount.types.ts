import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Money, Node } from '../graphql/common.types';
import { DateTimeScalar, SafeIntScalar } from '../graphql/scalars';

@ObjectType({ implements: Node })
export class DiscountCode extends Node {
  @Field()
  code!: string;

  @Field(() => Int, { nullable: true })
  percentOff!: number | null;

  @Field(() => DateTimeScalar, { nullable: true })
  validFrom!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  validUntil!: Date | null;

  @Field(() => Int, { nullable: true })
  usageLimit!: number | null;

  @Field(() => Int)
  timesUsed!: number;

  @Field()
  active!: boolean;
}

@InputType()
export class CreateDiscountCodeInput {
  @Field()
  code!: string;

  @Field(() => Int, { nullable: true })
  percentOff?: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  amountOff?: number | null;

  @Field(() => SafeIntScalar, { nullable: true })
  minimumSubtotal?: number | null;

  @Field(() => DateTimeScalar, { nullable: true })
  validFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  validUntil?: Date | null;

  @Field(() => Int, { nullable: true })
  usageLimit?: number | null;
}

export { Money };
