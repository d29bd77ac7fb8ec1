/**
 * The text an order is found by: its number, the customer's email and name, and every line's SKU and name. Lines are
 * frozen snapshots, so this changes only when the customer does. One trigram index over it serves rare and common
 * search terms alike (the planner can estimate one column; a search across two tables it cannot).
 */
export function orderSearchText(order: {
  number: string;
  customerEmail: string;
  customerName: string | null;
  lines: { sku: string; name: string }[];
}): string {
  return [order.number, order.customerEmail, order.customerName ?? '', ...order.lines.flatMap((l) => [l.sku, l.name])]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
}
