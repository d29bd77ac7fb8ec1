import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { orderStats, type OrderStats as OrderStatsResult } from './stats.service';
import { OrderStats, ProductSales, StatsRangeInput } from './stats.types';

@Resolver(() => OrderStats)
export class StatsResolver {
  @Authorized('VIEWER', 'stats:read')
  @Query(() => OrderStats)
  orderStats(@Ctx() { ctx }: GraphQLContext, @Arg('range', () => StatsRangeInput) range: StatsRangeInput) {
    return orderStats(ctx, { from: range.from, to: range.to, interval: range.interval, timeZone: range.timeZone });
  }

  @FieldResolver(() => [ProductSales], { description: 'Best sellers among paid orders, by units, per currency.' })
  topProducts(
    @Root() stats: OrderStatsResult,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 5 }) limit: number,
  ) {
    return stats.topProducts(limit);
  }
}
