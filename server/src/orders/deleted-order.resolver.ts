import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Actor } from '../graphql/common.types';
import type { GraphQLContext } from '../graphql/context';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars';
import { listDeletedOrders, type DeletedOrderRecord } from './deleted-orders';
import type { OrderStatusChangeRecord } from './order.queries';
import { OrderStatusChange } from './order.types';

@ObjectType({ description: 'An order that was deleted, kept with its timeline so that its history is never lost.' })
export class DeletedOrder {
  @Field(() => ID, { description: 'The archive entry; `after` of the next page.' })
  id!: string;

  @Field(() => ID, { description: 'The id the order had.' })
  orderId!: string;

  @Field()
  number!: string;

  @Field(() => DateTimeScalar)
  deletedAt!: Date;

  @Field(() => Actor)
  deletedBy!: Actor;

  @Field(() => JSONScalar, { description: 'The order and its items as the API showed them just before deletion.' })
  order!: unknown;
}

@Resolver(() => DeletedOrder)
export class DeletedOrderResolver {
  @Authorized('ADMIN')
  @Query(() => [DeletedOrder], { description: 'Deleted orders, most recently deleted first; `first` at most 100.' })
  deletedOrders(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => ID, { nullable: true }) after: string | null,
  ): Promise<DeletedOrderRecord[]> {
    return listDeletedOrders(ctx, first, after);
  }

  @FieldResolver(() => [OrderStatusChange], { description: 'The order\'s timeline, oldest first, ending with its deletion.' })
  statusHistory(@Root() deleted: DeletedOrderRecord, @Ctx() context: GraphQLContext): Promise<OrderStatusChangeRecord[]> {
    return context.orders.history.load(deleted.orderId);
  }
}
