import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Money, Node, PageInfo } from '../graphql/common.types';
import { DateTimeScalar, SafeIntScalar } from '../graphql/scalars';

@ObjectType({ implements: Node })
export class Product extends Node {
  @Field()
  sku!: string;

  @Field()
  name!: string;

  @Field(() => Money)
  price!: Money;

  @Field(() => Int)
  stock!: number;

  @Field()
  active!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;
}

@ObjectType()
export class ProductEdge {
  @Field()
  cursor!: string;

  @Field(() => Product)
  node!: Product;
}

@ObjectType()
export class ProductConnection {
  @Field(() => [ProductEdge])
  edges!: ProductEdge[];

  @Field(() => [Product])
  nodes!: Product[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class CreateProductInput {
  @Field()
  sku!: string;

  @Field()
  name!: string;

  @Field(() => SafeIntScalar, { description: 'Minor units of the brand\'s currency.' })
  price!: number;

  @Field(() => Int)
  stock!: number;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  active?: boolean | null;
}

@InputType()
export class UpdateProductInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => SafeIntScalar, { nullable: true })
  price?: number | null;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;
}
