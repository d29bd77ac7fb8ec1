import type { EntityManager } from '@mikro-orm/postgresql';
import { scopedSql } from '../shared/sql';

/**
 * Per-brand order numbers: `<PREFIX>-000123`. The sequence is a counter on the brand row, incremented inside the
 * order's insert transaction. The row lock this takes serializes concurrent creates of one brand only for the rest of
 * that transaction, so numbers are unique and gap-free (a rolled-back order gives its number back); the unique index on
 * (brand, number) is the last line of defence. The same statement counts the order in `brands.order_count`
 * (deleteOrder gives it back), which answers the unfiltered list's total without scanning.
 */
export async function nextOrderNumber(scope: { em: EntityManager; brandId: string }): Promise<{ seq: number; number: string }> {
  const rows = await scopedSql<{ last_order_seq: number; order_number_prefix: string }>(
    scope,
    `update brands set last_order_seq = last_order_seq + 1, order_count = order_count + 1
      where id = ? returning last_order_seq, order_number_prefix`,
  );
  if (rows.length !== 1) throw new Error(`Brand ${scope.brandId} not found while numbering an order`);
  const seq = Number(rows[0].last_order_seq);
  return { seq, number: formatOrderNumber(rows[0].order_number_prefix, seq) };
}

export function formatOrderNumber(prefix: string, seq: number): string {
  return `${prefix}-${String(seq).padStart(6, '0')}`;
}
