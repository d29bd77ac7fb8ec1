import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Actor, Money, Node } from '../graphql/common.types';
import { CurrencyCodeEnum, RoleEnum } from '../graphql/enums';
import { DateTimeScalar, SafeIntScalar } from '../graphql/scalars';

@ObjectType({ description: 'The brand\'s Luneo (SaaS) subscription, kept in sync from Stripe.' })
export class Subscription {
  @Field()
  status!: string;

  @Field(() => String, { nullable: true })
  plan!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  currentPeriodEnd!: Date | null;

  @Field()
  cancelAtPeriodEnd!: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  canceledAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  endedAt!: Date | null;
}

@ObjectType({ implements: Node })
export class Brand extends Node {
  @Field()
  slug!: string;

  @Field()
  name!: string;

  @Field(() => CurrencyCodeEnum)
  currency!: string;

  @Field()
  orderNumberPrefix!: string;

  @Field(() => Int, { description: 'Tax rate in basis points (2000 = 20%).' })
  taxRateBps!: number;

  @Field({ description: 'True when catalog prices already contain the tax.' })
  taxInclusive!: boolean;
}

@ObjectType()
export class Viewer {
  @Field(() => Actor)
  actor!: Actor;

  @Field(() => Brand)
  brand!: Brand;

  @Field(() => RoleEnum, { nullable: true })
  role!: string | null;

  @Field(() => [String])
  scopes!: string[];
}

@ObjectType({ description: 'A dashboard sign-in; send the token as `Authorization: Bearer <token>`.' })
export class Session {
  @Field()
  token!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => Viewer)
  viewer!: Viewer;
}

@InputType()
export class BrandSettingsInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  orderNumberPrefix?: string | null;

  @Field(() => Int, { nullable: true })
  taxRateBps?: number | null;

  @Field(() => Boolean, { nullable: true })
  taxInclusive?: boolean | null;

  @Field(() => SafeIntScalar, { nullable: true })
  shippingFlatRate?: number | null;

  @Field(() => SafeIntScalar, { nullable: true, description: 'Null removes free shipping.' })
  freeShippingThreshold?: number | null;
}

export { Money };
