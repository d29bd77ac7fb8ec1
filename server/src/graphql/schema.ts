import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { ApiKeyResolver } from '../api-keys/api-key.resolver';
import { AuditLogResolver } from '../audit/audit.resolver';
import { AuthResolver } from '../auth/auth.resolver';
import { CustomerDataResolver } from '../customers/customer-data.resolver';
import { BrandResolver } from '../brands/brand.resolver';
import { DiscountCodeResolver } from '../discounts/discount.resolver';
import { OrderConnectionResolver, OrderResolver, resolveOrderFields } from '../orders/order.resolver';
import { DeletedOrderResolver } from '../orders/deleted-order.resolver';
import { ProductConnectionResolver, ProductResolver } from '../products/product.resolver';
import { StockMovementResolver } from '../products/stock-movement.resolver';
import { StatsResolver } from '../stats/stats.resolver';
import { StripeResolver, WebhookEventConnectionResolver } from '../stripe/stripe.resolver';
import { AuthChecker } from './auth-checker';
import { checkArgumentStrings } from './input-strings';
import { resolveMoneyFormatted } from './money.resolver';
import './enums';

let schema: Promise<GraphQLSchema> | null = null;

/** The code-first schema; built once per process. */
export function getSchema(): Promise<GraphQLSchema> {
  return (schema ??= buildSchema({
    resolvers: [
      OrderResolver,
      OrderConnectionResolver,
      DeletedOrderResolver,
      ProductResolver,
      ProductConnectionResolver,
      StockMovementResolver,
      BrandResolver,
      AuthResolver,
      ApiKeyResolver,
      AuditLogResolver,
      CustomerDataResolver,
      DiscountCodeResolver,
      StatsResolver,
      StripeResolver,
      WebhookEventConnectionResolver,
    ],
    authChecker: AuthChecker,
    // Input rules live in the domain (zod) so that every way in shares them; class-validator is not used.
    validate: false,
    emitSchemaFile: false,
  })
    .then(resolveMoneyFormatted)
    .then(resolveOrderFields)
    .then(checkArgumentStrings));
}

/** The SDL committed at schema/schema.graphql (a test fails when it drifts). */
export async function printSchemaSdl(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await getSchema())).trim()}\n`;
}
