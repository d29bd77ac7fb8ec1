import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { listStockMovements } from './stock-movement.queries';
import { StockMovement, StockMovementConnection } from './stock-movement.types';

@Resolver(() => StockMovement)
export class StockMovementResolver {
  @Authorized('VIEWER', 'products:read')
  @Query(() => StockMovementConnection, { description: 'A product\'s stock history, newest first; `first` at most 100.' })
  stockMovements(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('productId', () => ID) productId: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return listStockMovements(ctx, productId, { first, after });
  }
}
