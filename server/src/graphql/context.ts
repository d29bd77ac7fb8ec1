import DataLoader from 'dataloader';
import {
  loadOrderHistory,
  loadOrderItems,
  type OrderItemRecord,
  type OrderStatusChangeRecord,
} from '../orders/order.queries';
import type { RequestContext } from '../shared/request-context';
import type { Stripe } from '../stripe/stripe-client';

/**
 * Per-request GraphQL context: the domain's request context plus loaders that batch child rows of a page of parents
 * into one statement each (a page of orders costs one query for all items, one for all history entries).
 */
export class GraphQLContext {
  private itemsLoader?: DataLoader<string, OrderItemRecord[]>;
  private historyLoader?: DataLoader<string, OrderStatusChangeRecord[]>;

  constructor(
    readonly ctx: RequestContext,
    readonly sessionTtlHours: number,
    /** The Stripe SDK client for outgoing calls; null when STRIPE_SECRET_KEY is unset. */
    readonly stripe: Stripe | null = null,
  ) {}

  get orderItems(): DataLoader<string, OrderItemRecord[]> {
    return (this.itemsLoader ??= new DataLoader((ids) => loadOrderItems(this.ctx, ids)));
  }

  get orderHistory(): DataLoader<string, OrderStatusChangeRecord[]> {
    return (this.historyLoader ??= new DataLoader((ids) => loadOrderHistory(this.ctx, ids)));
  }
}
