import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { selectedArguments, selectedFields } from '../graphql/selection';
import { orderStats, type OrderStats as OrderStatsResult, type StatsParts } from './stats.service';
import { OrderStats, ProductSales, StatsRangeInput } from './stats.types';

@Resolver(() => OrderStats)
export class StatsResolver {
  @Authorized('VIEWER', 'stats:read')
  @Query(() => OrderStats)
  orderStats(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('range', () => StatsRangeInput) range: StatsRangeInput,
    @Info() info: GraphQLResolveInfo,
  ) {
    const { from, to, interval, timeZone } = range;
    return orderStats(ctx, { from, to, interval, timeZone }, partsSelected(info));
  }

  @FieldResolver(() => [ProductSales], { description: 'Best sellers among paid orders, by units, per currency.' })
  topProducts(
    @Root() stats: OrderStatsResult,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 5 }) limit: number,
  ) {
    return stats.topProducts(limit);
  }
}

/**
 * The parts of the statistics the client selected, read in the query's one statement; the best sellers too when every
 * `topProducts` selection asks for the same limit (aliases with different limits read theirs on their own).
 */
function partsSelected(info: GraphQLResolveInfo): StatsParts {
  const fields = selectedFields(info, []);
  const limits = new Set(selectedArguments(info, 'topProducts').map((args) => args.limit as number));
  return {
    breakdowns: fields.has('byCurrency') || fields.has('byStatus') || fields.has('byPaymentStatus'),
    series: fields.has('series'),
    topProductsLimit: limits.size === 1 ? [...limits][0] : null,
  };
}
