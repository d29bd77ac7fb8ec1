import DataLoader from 'dataloader';
import type { RequestContext } from '../shared/request-context';
import { loadOrderHistory, loadOrderItems, type OrderItemRecord, type OrderStatusChangeRecord } from './order.queries';

/**
 * Per-request loaders that batch the child rows of a page of orders into one statement each (a page of orders costs
 * one query for all items and one for all history entries), created on first use.
 */
export class OrderLoaders {
  private itemsLoader?: DataLoader<string, OrderItemRecord[]>;
  private historyLoader?: DataLoader<string, OrderStatusChangeRecord[]>;

  constructor(private readonly ctx: RequestContext) {}

  get items(): DataLoader<string, OrderItemRecord[]> {
    return (this.itemsLoader ??= new DataLoader((ids) => loadOrderItems(this.ctx, ids)));
  }

  get history(): DataLoader<string, OrderStatusChangeRecord[]> {
    return (this.historyLoader ??= new DataLoader((ids) => loadOrderHistory(this.ctx, ids)));
  }
}
