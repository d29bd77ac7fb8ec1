import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { Pool } from 'pg';
import { allowedStatuses, type OrderStatus, type PaymentStatus } from '../src/orders/order-lifecycle';
import { formatMoney } from '../src/shared/money';

/**
 * The ceilings: what this stack (Express 5, Apollo Server 5, graphql-js, pg) can do at best on this machine, measured in
 * the same run as the API so that the API's figures are read as ratios, which carry over between machines.
 *
 * `node -r @swc-node/register bench/ceiling.ts` with DATABASE_URL, BRAND_ID and PORT serves, on its own port, a bare
 * Apollo Server whose `orders` answers the API's list document with ONE hand-written statement (LIST_PAGE_SQL: items
 * and history as lateral json_agg, the total from the brand's counter) and nothing else: no authentication, no
 * limits, no ORM, no per-field resolvers beyond graphql-js's defaults. `{ __typename }` on it is the trivial ceiling.
 */

/** The API's first page of 20 orders, items and history included, as one statement; $2/$3 page after a cursor. */
export const LIST_PAGE_SQL = `
  select o.id, o.number, o.status, o.payment_status, o.created_at, o.total, o.currency, o.customer_email,
         o.customer_name, b.order_count, i.items, h.history
    from orders o
    join brands b on b.id = o.brand_id
    cross join lateral (
      select coalesce(json_agg(json_build_object('sku', it.sku, 'quantity', it.quantity, 'total', it.total)
                               order by it.position), '[]') as items
        from order_items it where it.order_id = o.id) i
    cross join lateral (
      select coalesce(json_agg(json_build_object('kind', c.kind, 'to', c.to_value, 'actorLabel', c.actor_label,
                                                 'createdAt', c.created_at) order by c.created_at, c.id), '[]') as history
        from order_status_changes c where c.order_id = o.id) h
   where o.brand_id = $1 and ($2::timestamptz is null or (o.created_at, o.id) < ($2::timestamptz, $3::uuid))
   order by o.created_at desc, o.id desc
   limit 21`;

const typeDefs = `#graphql
  enum OrderStatus { PENDING PROCESSING SHIPPED DELIVERED CANCELLED }
  enum PaymentStatus { AWAITING_PAYMENT PAID PAYMENT_FAILED PARTIALLY_REFUNDED REFUNDED }
  scalar DateTime
  type Money { amount: Float! currency: String! formatted: String! }
  type Customer { email: String! name: String }
  type OrderItem { sku: String! quantity: Int! total: Money! }
  type Actor { label: String! }
  type OrderStatusChange { kind: String! to: String actor: Actor! createdAt: DateTime! }
  type Order {
    id: ID! number: String! status: OrderStatus! paymentStatus: PaymentStatus! nextStatuses: [OrderStatus!]!
    createdAt: DateTime! total: Money! customer: Customer! items: [OrderItem!]! statusHistory: [OrderStatusChange!]!
  }
  type PageInfo { endCursor: String hasNextPage: Boolean! }
  type OrderConnection { totalCount: Int! pageInfo: PageInfo! nodes: [Order!]! }
  type Query { orders(first: Int, after: String): OrderConnection! }
`;

interface ListRow {
  id: string;
  number: string;
  status: OrderStatus;
  payment_status: PaymentStatus;
  created_at: Date;
  total: string;
  currency: any;
  customer_email: string;
  customer_name: string | null;
  order_count: number;
  items: { sku: string; quantity: number; total: number }[];
  history: { kind: string; to: string | null; actorLabel: string; createdAt: string }[];
}

function money(amount: number, currency: any) {
  return { amount, currency, formatted: formatMoney(amount, currency) };
}

export function ordersPage(rows: ListRow[], first: number) {
  const nodes = rows.slice(0, first).map((r) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    paymentStatus: r.payment_status,
    nextStatuses: allowedStatuses({ status: r.status, paymentStatus: r.payment_status }),
    createdAt: r.created_at.toISOString(),
    total: money(Number(r.total), r.currency),
    customer: { email: r.customer_email, name: r.customer_name },
    items: r.items.map((i) => ({ sku: i.sku, quantity: i.quantity, total: money(i.total, r.currency) })),
    statusHistory: r.history.map((h) => ({ kind: h.kind, to: h.to, actor: { label: h.actorLabel }, createdAt: new Date(h.createdAt).toISOString() })),
  }));
  const last = rows[Math.min(first, rows.length) - 1];
  return {
    totalCount: rows[0]?.order_count ?? 0,
    pageInfo: {
      endCursor: last ? Buffer.from(`${last.created_at.toISOString()}|${last.id}`).toString('base64url') : null,
      hasNextPage: rows.length > first,
    },
    nodes,
  };
}

async function main() {
  const brandId = process.env.BRAND_ID!;
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const resolvers = {
    Query: {
      async orders(_: unknown, args: { first?: number; after?: string }) {
        const first = Math.min(args.first ?? 20, 20);
        const [at, id] = args.after ? Buffer.from(args.after, 'base64url').toString().split('|') : [null, null];
        const { rows } = await pool.query<ListRow>(LIST_PAGE_SQL, [brandId, at, id]);
        return ordersPage(rows, first);
      },
    },
  };
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer({ typeDefs, resolvers, plugins: [ApolloServerPluginCacheControlDisabled()] });
  await apollo.start();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  await new Promise<void>((resolve) => httpServer.listen(Number(process.env.PORT), '127.0.0.1', resolve));
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    httpServer.close();
    Promise.all([apollo.stop(), pool.end()]).finally(() => process.exit(0));
  });
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
