import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import path from 'node:path';
import { disableIdleAsyncStorages } from './idle-async-storages';
import { Brand } from '../brands/brand.entity';
import { User } from '../users/user.entity';
import { Session } from '../auth/session.entity';
import { Product } from '../products/product.entity';
import { StockMovement } from '../products/stock-movement.entity';
import { DiscountCode } from '../discounts/discount-code.entity';
import { Order } from '../orders/order.entity';
import { OrderItem } from '../orders/order-item.entity';
import { OrderStatusChange } from '../orders/order-status-change.entity';
import { IdempotencyKey } from '../orders/idempotency-key.entity';
import { BrandSubscription } from '../brands/brand-subscription.entity';
import { StripeEvent } from '../stripe/stripe-event.entity';
import { StripePendingPayment } from '../stripe/pending-payment.entity';
import { ApiKey } from '../api-keys/api-key.entity';
import { AuditEntry } from '../audit/audit-entry.entity';

export const ENTITIES = [
  Brand,
  User,
  Session,
  Product,
  StockMovement,
  DiscountCode,
  Order,
  OrderItem,
  OrderStatusChange,
  IdempotencyKey,
  BrandSubscription,
  StripeEvent,
  StripePendingPayment,
  ApiKey,
  AuditEntry,
];

/**
 * Every statement on the pool's connections is cancelled after this long (a request's, the CLI's, a migration's). A
 * migration that builds an index over a large table sets `set local statement_timeout = 0` first.
 */
export const STATEMENT_TIMEOUT_MS = 10_000;

/** How long a pooled connection above the pool's minimum may stay idle before it is closed. */
export const POOL_IDLE_TIMEOUT_MS = 10 * 60_000;

/** The one migration history lives in the top-level `migrations/` workspace package, as plain JS. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../../migrations');

export function ormConfig(
  clientUrl: string,
  overrides: Partial<Options> = {},
  { statementTimeoutMs = STATEMENT_TIMEOUT_MS }: { statementTimeoutMs?: number } = {},
): Options {
  // Every ORM of the process (the API's, the CLI's, the tests') is configured here, before its first flush.
  disableIdleAsyncStorages();
  return defineConfig({
    clientUrl,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      path: MIGRATIONS_DIR,
      glob: '!(*.d).js',
      emit: 'js',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      tableName: 'mikro_orm_migrations',
    },
    // A new server connection plans every statement again and warms its catalog caches: a 30-day orderStats took 49 ms
    // on one against 11 ms on a warm one, an orders page 23 against 8 ms (docs/performance.md, Connections kept warm).
    // The pool's default closed connections idle for 30 s, so a person reading a page a minute met a cold one each time:
    // two stay open whatever the idle time, the others 10 minutes.
    pool: { min: 2, max: 10, idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS },
    // Fail fast while the database is down or unreachable instead of letting requests hang: a connection attempt
    // gives up after 5 s, and a query waits at most 10 s for a free connection (knex's default is 60 s).
    driverOptions: {
      acquireConnectionTimeout: 10_000,
      // No statement holds a connection for long, whoever sent it: PostgreSQL cancels it after this.
      // The named prepared statements (shared/unscoped-sql.ts) keep one generic plan per connection from their first
      // call, instead of PostgreSQL's five custom plans before it may switch. Only statements with parameters have a
      // choice: MikroORM formats every value into the text, so its statements are planned with their values as before;
      // the PL/pgSQL triggers' statements (the stats rollup's) take generic plans too, checked no slower.
      connection: {
        connectionTimeoutMillis: 5_000,
        keepAlive: true,
        statement_timeout: statementTimeoutMs,
        options: '-c plan_cache_mode=force_generic_plan',
      },
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    ...overrides,
  });
}
