import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ANY_API_KEY } from '../graphql/auth-checker';
import { Money } from '../graphql/common.types';
import { displayLocale, type MoneyValue } from '../shared/money';
import type { GraphQLContext } from '../graphql/context';
import type { BrandRecord } from '../shared/request-context';
import { getBrand, getBrandSubscription, updateBrandSettings, type SubscriptionRecord } from './brand.service';
import { Brand, BrandSettingsInput, Subscription, Viewer } from './brand.types';

@Resolver(() => Brand)
export class BrandResolver {
  @Authorized('VIEWER', ANY_API_KEY)
  @Query(() => Viewer, { description: 'Who is asking: the actor, its brand, role and scopes.' })
  async viewer(@Ctx() { ctx }: GraphQLContext) {
    const principal = ctx.principal!;
    // Read with the credential when the gate saw the operation ask for it (limits.ts), else now.
    return { actor: principal.actor, brand: principal.brand ?? (await getBrand(ctx)), role: principal.role, scopes: principal.scopes };
  }

  @Authorized('ADMIN')
  @Mutation(() => Brand)
  updateBrandSettings(@Ctx() { ctx }: GraphQLContext, @Arg('input', () => BrandSettingsInput) input: BrandSettingsInput) {
    return updateBrandSettings(ctx, input);
  }

  @FieldResolver(() => String, {
    description: 'The BCP 47 locale of the brand\'s amounts (as in every `Money.formatted`), e.g. "fr-FR".',
  })
  locale(@Root() brand: BrandRecord): string {
    return displayLocale(brand.currency);
  }

  @FieldResolver(() => Money)
  shippingFlatRate(@Root() brand: BrandRecord): MoneyValue {
    return { amount: brand.shippingFlatRate, currency: brand.currency };
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Shipping is free from this discounted subtotal on.' })
  freeShippingThreshold(@Root() brand: BrandRecord): MoneyValue | null {
    return brand.freeShippingThreshold == null ? null : { amount: brand.freeShippingThreshold, currency: brand.currency };
  }

  @FieldResolver(() => Subscription, { nullable: true, description: "The brand's Luneo plan, kept in sync from Stripe." })
  subscription(@Root() brand: BrandRecord, @Ctx() { ctx }: GraphQLContext): Promise<SubscriptionRecord | null> {
    // A brand is only ever read as the viewer's own, so the request's brand is this one.
    return brand.id === ctx.brandId ? getBrandSubscription(ctx) : Promise.resolve(null);
  }
}
