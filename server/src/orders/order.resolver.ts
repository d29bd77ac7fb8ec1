import { assertObjectType, type FieldNode, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { OrderSortEnum, OrderStatusEnum, PaymentMethodEnum } from '../graphql/enums';
import { selectedFields } from '../graphql/selection';
import { nextStatusesFor, type OrderStatus } from './order-lifecycle';
import {
  findOrderById,
  findOrderByNumber,
  listOrders,
  type OrderItemRecord,
  type OrderPage,
  type OrderParts,
  type OrderRecord,
  type OrderSort,
  type OrderStatusChangeRecord,
} from './order.queries';
import * as orders from './order.service';
import type { PaymentMethod } from './order.entity';
import { CreateOrderInput, OrderFilter, UpdateOrderInput } from './order.inputs';
import { Order, OrderConnection, OrderEdge, OrderItem, OrderQuote, OrderStatusChange } from './order.types';

/**
 * What an order's own statement reads: the children and the fields the client selected on it, `paths` leading from the
 * resolving field to the order. Kept per field of a (cached, parsed) document: the selection does not change with the
 * variables.
 */
const partsByField = new WeakMap<FieldNode, OrderParts & { totalCount: boolean }>();
function partsSelected(info: GraphQLResolveInfo, ...paths: string[][]): OrderParts & { totalCount: boolean } {
  let parts = partsByField.get(info.fieldNodes[0]);
  if (!parts) {
    const order = selectedFields(info, ...paths);
    parts = {
      items: order.has('items'),
      history: order.has('statusHistory'),
      fields: {
        order,
        items: selectedFields(info, ...paths.map((path) => [...path, 'items'])),
        history: selectedFields(info, ...paths.map((path) => [...path, 'statusHistory'])),
      },
      totalCount: selectedFields(info, []).has('totalCount'),
    };
    partsByField.set(info.fieldNodes[0], parts);
  }
  return parts;
}

@Resolver(() => Order)
export class OrderResolver {
  @Authorized('VIEWER', 'orders:read')
  @Query(() => OrderConnection, { description: 'Keyset-paginated; `first`/`last` at most 100.' })
  orders(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, description: '20 unless `last` is given.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('last', () => Int, { nullable: true }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
    @Arg('filter', () => OrderFilter, { nullable: true }) filter: OrderFilter | null,
    @Arg('sort', () => OrderSortEnum, { nullable: true, defaultValue: 'CREATED_AT_DESC' }) sort: OrderSort,
    @Info() info: GraphQLResolveInfo,
  ): Promise<OrderPage> {
    return listOrders(ctx, { first, after, last, before, filter, sort }, partsSelected(info, ['nodes'], ['edges', 'node']));
  }

  @Authorized('VIEWER', 'orders:read')
  @Query(() => Order, { nullable: true })
  order(@Ctx() { ctx }: GraphQLContext, @Arg('id', () => ID) id: string, @Info() info: GraphQLResolveInfo): Promise<OrderRecord | null> {
    return findOrderById(ctx, id, partsSelected(info, []));
  }

  @Authorized('VIEWER', 'orders:read')
  @Query(() => Order, { nullable: true })
  orderByNumber(@Ctx() { ctx }: GraphQLContext, @Arg('number') number: string, @Info() info: GraphQLResolveInfo): Promise<OrderRecord | null> {
    return findOrderByNumber(ctx, number, partsSelected(info, []));
  }

  @Authorized('VIEWER', 'orders:write')
  @Query(() => OrderQuote, { description: 'Price a prospective order without writing anything.' })
  async quoteOrder(@Ctx() { ctx }: GraphQLContext, @Arg('input', () => CreateOrderInput) input: CreateOrderInput) {
    const { priced, brand } = await orders.quoteCart(ctx, input);
    const money = (amount: number) => ({ amount, currency: brand.currency });
    return {
      currency: brand.currency,
      subtotal: money(priced.subtotal),
      discountTotal: money(priced.discountTotal),
      shippingTotal: money(priced.shippingTotal),
      taxTotal: money(priced.taxTotal),
      total: money(priced.total),
    };
  }

  @Authorized('STAFF', 'orders:write')
  @Mutation(() => Order, { description: 'Domain errors come back with extensions.code.' })
  createOrder(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('input', () => CreateOrderInput) input: CreateOrderInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
  ) {
    return orders.createOrder(ctx, input, idempotencyKey);
  }

  @Authorized('STAFF', 'orders:write')
  @Mutation(() => Order)
  updateOrder(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateOrderInput) input: UpdateOrderInput,
  ) {
    return orders.updateOrder(ctx, id, input);
  }

  @Authorized('STAFF', 'orders:write')
  @Mutation(() => Order)
  updateOrderStatus(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('status', () => OrderStatusEnum) status: OrderStatus,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Arg('trackingNumber', () => String, { nullable: true }) trackingNumber: string | null,
    @Arg('trackingCarrier', () => String, { nullable: true }) trackingCarrier: string | null,
    @Arg('trackingUrl', () => String, { nullable: true }) trackingUrl: string | null,
  ) {
    return orders.updateOrderStatus(ctx, id, status, note, trackingNumber, trackingCarrier, trackingUrl);
  }

  @Authorized('STAFF', 'orders:write')
  @Mutation(() => Order)
  markOrderPaid(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Arg('paymentMethod', () => PaymentMethodEnum, { nullable: true }) paymentMethod: PaymentMethod | null,
    @Arg('paymentReference', () => String, { nullable: true }) paymentReference: string | null,
  ) {
    return orders.markOrderPaid(ctx, id, note, paymentMethod, paymentReference);
  }

  @Authorized('STAFF', 'orders:write')
  @Mutation(() => Order)
  cancelOrder(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('reason') reason: string,
    @Arg('restock', () => Boolean, { nullable: true, defaultValue: true }) restock: boolean,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
  ) {
    return orders.cancelOrder(ctx, id, reason, restock ?? true, idempotencyKey);
  }

  @Authorized('STAFF', 'orders:write')
  @Mutation(() => Order)
  addOrderNote(@Ctx() { ctx }: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('note') note: string) {
    return orders.addOrderNote(ctx, id, note);
  }

  @Authorized('STAFF', 'orders:write')
  @Mutation(() => ID, { description: 'Only for orders that were never paid; anything else is cancelled, not deleted.' })
  deleteOrder(@Ctx() { ctx }: GraphQLContext, @Arg('id', () => ID) id: string) {
    return orders.deleteOrder(ctx, id);
  }

  // The three below declare the fields; resolveOrderFields sets the same functions on the built schema.

  @FieldResolver(() => [OrderItem])
  items(@Root() order: OrderRecord, @Ctx() context: GraphQLContext): OrderItemRecord[] | Promise<OrderItemRecord[]> {
    return orderItems(order, {}, context);
  }

  @FieldResolver(() => [OrderStatusChange], { description: 'Append-only timeline: oldest first.' })
  statusHistory(@Root() order: OrderRecord, @Ctx() context: GraphQLContext): OrderStatusChangeRecord[] | Promise<OrderStatusChangeRecord[]> {
    return orderHistory(order, {}, context);
  }

  @FieldResolver(() => [OrderStatusEnum], { description: 'Transitions the viewer may apply now.' })
  nextStatuses(@Root() order: OrderRecord, @Ctx() context: GraphQLContext): OrderStatus[] {
    return orderNextStatuses(order, {}, context);
  }
}

const orderItems = (order: OrderRecord, _args: unknown, context: GraphQLContext) => order.items ?? context.orders.items.load(order.id);
const orderHistory = (order: OrderRecord, _args: unknown, context: GraphQLContext) =>
  order.statusHistory ?? context.orders.history.load(order.id);
const orderNextStatuses = (order: OrderRecord, _args: unknown, context: GraphQLContext) => nextStatusesFor(order, context.ctx.role);

/**
 * An order's `items`, `statusHistory` and `nextStatuses` as plain functions on the built schema, as `Money.formatted`
 * (money.resolver.ts): a page resolves them 60 times, and they need none of type-graphql's wrapper (no arguments, no
 * authorization of their own, no middleware).
 */
export function resolveOrderFields(schema: GraphQLSchema): GraphQLSchema {
  const fields = assertObjectType(schema.getType('Order')).getFields();
  fields.items.resolve = orderItems;
  fields.statusHistory.resolve = orderHistory;
  fields.nextStatuses.resolve = orderNextStatuses;
  return schema;
}

@Resolver(() => OrderConnection)
export class OrderConnectionResolver {
  @FieldResolver(() => [OrderEdge])
  edges(@Root() page: OrderPage) {
    return page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] }));
  }

  @FieldResolver(() => Int, { description: 'Counted only when asked for.' })
  totalCount(@Root() page: OrderPage): Promise<number> {
    return page.totalCount();
  }
}
