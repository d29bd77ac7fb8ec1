import { registerEnumType } from 'type-graphql';
import { ACTOR_TYPES } from '../shared/actor';
import { CURRENCIES } from '../shared/money';
import { ORDER_STATUSES, PAYMENT_STATUSES } from '../orders/order-lifecycle';
import { ORDER_SOURCES, PAYMENT_METHODS } from '../orders/order.entity';
import { ORDER_SORTS } from '../orders/order.queries';
import { STOCK_MOVEMENT_REASONS } from '../products/stock-movement.entity';
import { STATS_INTERVALS } from '../stats/stats.service';
import { ROLES } from '../users/user.entity';

/** The domain's string unions, exposed as GraphQL enums (the domain keeps the lists; this only names them). */
export const asEnum = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const OrderStatusEnum = asEnum(ORDER_STATUSES);
export const PaymentStatusEnum = asEnum(PAYMENT_STATUSES);
export const ActorTypeEnum = asEnum(ACTOR_TYPES);
export const RoleEnum = asEnum(ROLES);
export const CurrencyCodeEnum = asEnum(CURRENCIES);
export const OrderSourceEnum = asEnum(ORDER_SOURCES);
export const PaymentMethodEnum = asEnum(PAYMENT_METHODS);
export const StockMovementReasonEnum = asEnum(STOCK_MOVEMENT_REASONS);
export const OrderSortEnum = asEnum(ORDER_SORTS);
export const StatsIntervalEnum = asEnum(STATS_INTERVALS);

registerEnumType(OrderStatusEnum, { name: 'OrderStatus' });
registerEnumType(PaymentStatusEnum, { name: 'PaymentStatus' });
registerEnumType(ActorTypeEnum, { name: 'ActorType' });
registerEnumType(RoleEnum, { name: 'Role', description: 'VIEWER < STAFF < ADMIN < OWNER' });
registerEnumType(CurrencyCodeEnum, { name: 'CurrencyCode', description: 'ISO-4217' });
registerEnumType(OrderSourceEnum, { name: 'OrderSource' });
registerEnumType(StockMovementReasonEnum, { name: 'StockMovementReason' });
registerEnumType(PaymentMethodEnum, { name: 'PaymentMethod', description: 'How the money of an order marked paid by a person came in.' });
registerEnumType(OrderSortEnum, { name: 'OrderSort', description: 'Every sort breaks ties by id.' });
registerEnumType(StatsIntervalEnum, { name: 'StatsInterval' });
