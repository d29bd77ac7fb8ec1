import type { ActorType, OrderStatus, PaymentMethod, PaymentStatus, Role, StockMovementReason } from '~/gql/graphql';

export const STATUS_LABEL: Record<OrderStatus, string> = {
  PENDING: 'Pending',
  PROCESSING: 'Processing',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
};

/** The verb on the button that moves an order to a status. */
export const STATUS_ACTION: Record<OrderStatus, string> = {
  PENDING: 'Move back to pending',
  PROCESSING: 'Start processing',
  SHIPPED: 'Mark shipped',
  DELIVERED: 'Mark delivered',
  CANCELLED: 'Cancel order',
};

export const PAYMENT_LABEL: Record<PaymentStatus, string> = {
  AWAITING_PAYMENT: 'Awaiting payment',
  PAID: 'Paid',
  PAYMENT_FAILED: 'Payment failed',
  PARTIALLY_REFUNDED: 'Partially refunded',
  REFUNDED: 'Refunded',
};

export const PAYMENT_METHOD_LABEL: Record<PaymentMethod, string> = {
  BANK_TRANSFER: 'Bank transfer',
  CARD: 'Card',
  CASH: 'Cash',
  CHEQUE: 'Cheque',
  OTHER: 'Other',
};

export const STOCK_REASON_LABEL: Record<StockMovementReason, string> = {
  INITIAL: 'Initial stock',
  SALE: 'Sold',
  CANCELLATION: 'Order cancelled',
  ADJUSTMENT: 'Adjustment',
};

export const ACTOR_LABEL: Record<ActorType, string> = {
  USER: 'Team member',
  API_KEY: 'API key',
  STRIPE: 'Stripe',
  SYSTEM: 'System',
};

export const ROLE_LABEL: Record<Role, string> = {
  OWNER: 'Owner',
  ADMIN: 'Admin',
  STAFF: 'Staff',
  VIEWER: 'Viewer',
};

export const SORT_LABEL = {
  CREATED_AT_DESC: 'Newest first',
  CREATED_AT_ASC: 'Oldest first',
  TOTAL_DESC: 'Highest total',
  TOTAL_ASC: 'Lowest total',
  NUMBER_DESC: 'Order number',
} as const;

/** A label for any status-like string in the timeline (STATUS or PAYMENT changes). */
export function anyStatusLabel(value: string | null | undefined): string {
  if (!value) return '—';
  return (STATUS_LABEL as Record<string, string>)[value] ?? (PAYMENT_LABEL as Record<string, string>)[value] ?? value;
}

export interface DiscountCodeState {
  active: boolean;
  validFrom?: string | null;
  validUntil?: string | null;
  usageLimit?: number | null;
  timesUsed: number;
}

/** What a discount code means at a checkout right now: the switch alone does not say it (a code can expire). */
export function discountCodeStatus(code: DiscountCodeState, now = new Date()): { label: string; tone: 'green' | 'grey' | 'blue' } {
  if (!code.active) return { label: 'Inactive', tone: 'grey' };
  if (code.validUntil && now >= new Date(code.validUntil)) return { label: 'Expired', tone: 'grey' };
  if (code.validFrom && now < new Date(code.validFrom)) return { label: 'Scheduled', tone: 'blue' };
  if (code.usageLimit != null && code.timesUsed >= code.usageLimit) return { label: 'Used up', tone: 'grey' };
  return { label: 'Active', tone: 'green' };
}

/**
 * When a code can be used, in words that do not read as a range when one end is open: "Until 2 Nov 2026",
 * "From 1 Dec 2026", "1 Dec 2026 to 31 Dec 2026", "Ended 2 Nov 2026", "Always". The end is exclusive, so the last day
 * shown is the one before it.
 */
export function discountValidity(code: DiscountCodeState, formatDate: (iso: string) => string, now = new Date()): string {
  const until = code.validUntil ? formatDate(new Date(Date.parse(code.validUntil) - 1).toISOString()) : null;
  const from = code.validFrom ? formatDate(code.validFrom) : null;
  if (code.validUntil && now >= new Date(code.validUntil)) return `Ended ${until}`;
  if (from && until) return `${from} to ${until}`;
  if (until) return `Until ${until}`;
  if (from) return `From ${from}`;
  return 'Always';
}
