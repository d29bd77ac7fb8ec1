/**
 * Per-brand order numbers: `<PREFIX>-000123`. The sequence is a counter on the brand row, incremented by the statement
 * that inserts the order (order-writes.ts), as its last step before the commit. The row lock this takes serializes
 * concurrent creates of one brand only for that statement and the commit, so numbers are unique and gap-free (a
 * rolled-back order gives its number back) without making every other statement of the transaction wait; the unique
 * index on (brand, number) is the last line of defence. The same statement counts the order in `brands.order_count`
 * (deleteOrder gives it back), which answers the unfiltered list's total without scanning.
 *
 * `sql` is a CTE body yielding `(seq, number)` for the brand bound in `params`, numbering only when `condition` (SQL
 * that binds nothing) holds: the order's stock was taken.
 */
export function numberingSql(brandId: string, condition: string): { sql: string; params: unknown[] } {
  return {
    sql: `update brands set last_order_seq = last_order_seq + 1, order_count = order_count + 1
           where id = ? and ${condition}
       returning last_order_seq as seq,
                 order_number_prefix || '-' || lpad(last_order_seq::text, greatest(6, length(last_order_seq::text)), '0') as number`,
    params: [brandId],
  };
}
