import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Requirement } from '../graphql/auth-checker';
import type { GraphQLContext } from '../graphql/context';
import { JSONScalar } from '../graphql/scalars';
import { eraseCustomerData, exportCustomerData } from './customer-data';
import { CustomerErasure } from './customer-data.types';

/** GDPR requests of one customer (by email) in the brand: ADMINs in the dashboard only; no API key. */
@Resolver()
export class CustomerDataResolver {
  @Authorized<Requirement>('ADMIN')
  @Query(() => JSONScalar, {
    description: "Every order (with items and timeline) and deleted order of the customer with this email, as JSON.",
  })
  exportCustomerData(@Ctx() { ctx }: GraphQLContext, @Arg('email') email: string) {
    return exportCustomerData(ctx, email);
  }

  @Authorized<Requirement>('ADMIN')
  @Mutation(() => CustomerErasure, {
    description:
      "Replaces the customer's personal data (email, name, phone, address; notes and item customizations naming them; " +
      'stored Stripe events about them) with a stable pseudonym; amounts, items, statuses and stats stay. Audited.',
  })
  eraseCustomerData(@Ctx() { ctx }: GraphQLContext, @Arg('email') email: string) {
    return eraseCustomerData(ctx, email);
  }
}
