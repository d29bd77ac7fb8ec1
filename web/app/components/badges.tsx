import type { OrderStatus, PaymentStatus, Role } from '~/gql/graphql';
import { PAYMENT_LABEL, ROLE_LABEL, STATUS_LABEL } from '~/lib/labels';

const STATUS_TONE: Record<OrderStatus, string> = {
  PENDING: 'amber',
  PROCESSING: 'blue',
  SHIPPED: 'violet',
  DELIVERED: 'green',
  CANCELLED: 'grey',
};

const PAYMENT_TONE: Record<PaymentStatus, string> = {
  AWAITING_PAYMENT: 'amber',
  PAID: 'green',
  PAYMENT_FAILED: 'red',
  PARTIALLY_REFUNDED: 'violet',
  REFUNDED: 'grey',
};

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span className={`badge badge--${STATUS_TONE[status]}`} data-status={status}>
      {STATUS_LABEL[status]}
    </span>
  );
}

export function PaymentBadge({ status }: { status: PaymentStatus }) {
  return (
    <span className={`badge badge--outline badge--${PAYMENT_TONE[status]}`} data-payment-status={status}>
      {PAYMENT_LABEL[status]}
    </span>
  );
}

export function RoleBadge({ role }: { role: Role | null | undefined }) {
  if (!role) return null;
  return <span className="badge badge--outline badge--grey">{ROLE_LABEL[role]}</span>;
}
