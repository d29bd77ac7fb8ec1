import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Brand } from '../brands/brand.entity';
import { Money } from '../graphql/common.types';
import type { MoneyValue } from '../shared/money';
import type { GraphQLContext } from '../graphql/context';
import type { DiscountCode as DiscountCodeEntity } from './discount-code.entity';
import {
  createDiscountCode,
  deleteDiscountCode,
  listDiscountCodes,
  setDiscountCodeActive,
  updateDiscountCode,
} from './discount.service';
import { CreateDiscountCodeInput, DiscountCode } from './discount.types';

/** Discount amounts are in the brand's currency; the brand row is in the request's identity map after the first read. */
async function brandMoney(context: GraphQLContext, amount: number | null): Promise<MoneyValue | null> {
  if (amount == null) return null;
  const brand = await context.ctx.em.findOneOrFail(Brand, context.ctx.brandId);
  return { amount, currency: brand.currency };
}

@Resolver(() => DiscountCode)
export class DiscountCodeResolver {
  @Authorized('VIEWER')
  @Query(() => [DiscountCode], { description: 'Newest first.' })
  discountCodes(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return listDiscountCodes(ctx, first, after);
  }

  @Authorized('ADMIN')
  @Mutation(() => DiscountCode)
  createDiscountCode(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('input', () => CreateDiscountCodeInput) input: CreateDiscountCodeInput,
  ) {
    return createDiscountCode(ctx, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => DiscountCode, { description: 'Only while the code is unused (INVALID_TRANSITION otherwise); replaces every field.' })
  updateDiscountCode(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => CreateDiscountCodeInput) input: CreateDiscountCodeInput,
  ) {
    return updateDiscountCode(ctx, id, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => ID, { description: 'Only while the code is unused (INVALID_TRANSITION otherwise): a used code is deactivated.' })
  deleteDiscountCode(@Ctx() { ctx }: GraphQLContext, @Arg('id', () => ID) id: string) {
    return deleteDiscountCode(ctx, id);
  }

  @Authorized('ADMIN')
  @Mutation(() => DiscountCode)
  setDiscountCodeActive(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('active') active: boolean,
  ) {
    return setDiscountCodeActive(ctx, id, active);
  }

  @FieldResolver(() => Money, { nullable: true })
  amountOff(@Root() discount: DiscountCodeEntity, @Ctx() context: GraphQLContext) {
    return brandMoney(context, discount.amountOff);
  }

  @FieldResolver(() => Money, { nullable: true })
  minimumSubtotal(@Root() discount: DiscountCodeEntity, @Ctx() context: GraphQLContext) {
    return brandMoney(context, discount.minimumSubtotal);
  }
}
