import { badInput } from '../errors';
import { parseId } from '../shared/ids';
import { likePattern, pgArray } from '../shared/sql';
import { MAX_SEARCH_LENGTH } from '../shared/validation';
import type { OrderStatus, PaymentStatus } from './order-lifecycle';

/** What the `orders` query and the CSV export filter orders by. */
export interface OrderFilter {
  status?: OrderStatus[] | null;
  paymentStatus?: PaymentStatus[] | null;
  search?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  productId?: string | null;
}

/** WHERE clauses (after the brand) and their parameters for a filter; the `orders` query and the CSV export share them. */
export function filterClauses(filter: OrderFilter | null | undefined): { clauses: string[]; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (!filter) return { clauses, params };
  if (filter.status?.length) {
    clauses.push('o.status = any(?::text[])');
    params.push(pgArray(filter.status));
  }
  if (filter.paymentStatus?.length) {
    clauses.push('o.payment_status = any(?::text[])');
    params.push(pgArray(filter.paymentStatus));
  }
  if (filter.createdAfter) {
    clauses.push('o.created_at >= ?');
    params.push(filter.createdAfter);
  }
  if (filter.createdBefore) {
    clauses.push('o.created_at < ?');
    params.push(filter.createdBefore);
  }
  if (filter.productId) {
    clauses.push('exists (select 1 from order_items pi where pi.order_id = o.id and pi.product_id = ?)');
    params.push(parseId(filter.productId, 'filter.productId'));
  }
  const search = filter.search?.trim();
  if (search) {
    if (search.length > MAX_SEARCH_LENGTH) {
      throw badInput('filter.search', `must be at most ${MAX_SEARCH_LENGTH} characters`);
    }
    clauses.push('o.search_text ilike ?');
    params.push(likePattern(search.toLowerCase()));
  }
  return { clauses, params };
}

