import { Field, ID, InterfaceType, ObjectType } from 'type-graphql';
import { ActorTypeEnum, CurrencyCodeEnum } from './enums';
import { SafeIntScalar } from './scalars';
import type { ActorType } from '../shared/actor';
import type { CurrencyCode } from '../shared/money';

@InterfaceType({ description: 'An object with a stable, globally unique id.' })
export abstract class Node {
  @Field(() => ID)
  id!: string;
}

// simpleResolvers: plain fields are read by graphql-js's default resolver, without a wrapper per field and value.
@ObjectType({ description: 'Exact money. `amount` is in the currency\'s minor unit (cents for USD/EUR, yen for JPY).', simpleResolvers: true })
export class Money {
  @Field(() => SafeIntScalar)
  amount!: number;

  @Field(() => CurrencyCodeEnum)
  currency!: CurrencyCode;

  @Field({ description: 'Human string, e.g. "$117.45" / "117,45 €"; for display only.' })
  formatted!: string;
}

@ObjectType({ description: 'Who did something.', simpleResolvers: true })
export class Actor {
  @Field(() => ActorTypeEnum)
  type!: ActorType;

  @Field(() => ID, { nullable: true })
  id!: string | null;

  @Field()
  label!: string;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
