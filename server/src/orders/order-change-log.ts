import { ReferenceKind, type EntityManager, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { AuditEntry } from '../audit/audit-entry.entity';
import type { RequestContext } from '../shared/request-context';
import { scopedStatement, type ScopedStatement } from '../shared/sql';
import { Order } from './order.entity';
import { OrderStatusChange } from './order-status-change.entity';

/**
 * A lighter unit of work for one order, for a hot path of short transactions (a Stripe delivery, event-delivery.ts):
 * the payment rules (order-payments.ts) change the order and write its timeline and audit entries exactly as they do
 * everywhere — through recordChange and audit — but the order is a plain object read from its row, and those entries
 * are kept here as plain rows, instead of entities of MikroORM's unit of work. Mapping the order, creating two or three
 * entities and computing their change sets cost ≈ 0.5 ms of CPU per delivery, more than a tenth of the API's whole
 * share. pendingOrderChangesSql then writes the order's changed columns and the new rows in ONE statement.
 *
 * A transaction that opens a log must write it (pendingOrderChangesSql) in its last statement, as the delivery's
 * outcome does. One order per log: another order loaded meanwhile is an entity of the unit of work as usual, flushed at
 * commit (its timeline entries with it), and audit entries of the transaction all join the log.
 *
 * A log opened with `placesOrders` may also hold a new order not inserted yet (`place`): its insert, which takes the
 * brand's numbering row, is then sent in that last statement's message, so that the row is held by one message up to its
 * COMMIT rather than across a round trip to the API, which other orders of the brand would wait out (docs/performance.md,
 * Write path). Until then the order's number is ORDER_NUMBER_MARK.
 */
export class OrderChangeLog {
  order: Order | null = null;
  /** The insert of `order` and its check (`order_placed`), when the order is still to be inserted. */
  private placing: ScopedStatement[] | null = null;
  /** The order's scalar properties as read, to find what the rules changed. */
  private original = new Map<string, unknown>();
  private readonly inserts = new Map<EntityMetadata, Record<string, unknown>[]>();

  constructor(
    private readonly em: EntityManager,
    readonly placesOrders = false,
  ) {}

  /**
   * Keeps the insert (orderInsert) of the order this log tracks from its planned row (plannedOrderRow, loadOrder) for the
   * last statement, followed by the check that fails the message when the insert placed nothing.
   */
  place(orderId: string, insert: ScopedStatement, scope: { brandId: string }): void {
    const order = this.order as unknown as { id: string } | null;
    if (!this.placesOrders || order?.id !== orderId || this.placing) throw new Error('OrderChangeLog: this log does not hold that order, or does not place orders');
    this.placing = [insert, scopedStatement(scope, 'select * from order_placed(brand_id => ?, order_id => ?)', [orderId])];
  }

  holds(order: object): boolean {
    return this.order === order;
  }

  /** The order of `row` (every column, as read) as a plain Order the rules may change. */
  track(row: Record<string, any>): Order {
    const meta = this.em.getMetadata().get<Order>(Order.name);
    const platform = this.em.getPlatform();
    const order: Record<string, unknown> = { brand: { id: row.brand_id } };
    for (const prop of scalarProps(meta)) {
      let value = row[prop.fieldNames[0]];
      if (value === undefined) continue;
      if (value !== null && prop.customType) value = prop.customType.convertToJSValue(value, platform);
      order[prop.name] = value;
    }
    this.order = order as unknown as Order;
    this.snapshot();
    return this.order;
  }

  private snapshot() {
    const order = this.order as unknown as Record<string, unknown>;
    this.original = new Map(scalarProps(this.em.getMetadata().get(Order.name)).filter((prop) => prop.name in order).map((prop) => [prop.name, comparable(order[prop.name])]));
  }

  /** Keeps a new entry (entity properties; references as entities or their ids) and returns it as the entity would be. */
  insert<T extends object>(entity: 'OrderStatusChange' | 'AuditEntry', values: Record<string, unknown>): T {
    const meta = this.em.getMetadata().get(entity === 'AuditEntry' ? AuditEntry.name : OrderStatusChange.name);
    const now = new Date();
    const row = { id: uuidv7(), createdAt: now, ...(meta.properties.updatedAt ? { updatedAt: now } : {}), ...values };
    this.inserts.set(meta, [...(this.inserts.get(meta) ?? []), row]);
    return row as T;
  }

  private changedProps(): EntityProperty[] {
    const order = this.order as unknown as Record<string, unknown>;
    return scalarProps(this.em.getMetadata().get(Order.name)).filter(
      (prop) => this.original.has(prop.name) && comparable(order[prop.name]) !== this.original.get(prop.name),
    );
  }

  /** See pendingOrderChangesSql. */
  sql(): PendingOrderChanges | null {
    const order = this.order as unknown as Record<string, any> | null;
    if (!order) return null;
    const changed = this.changedProps();
    if (changed.length === 0 && this.inserts.size === 0 && !this.placing) return null;
    const ctes = ['target as (select o.id, o.brand_id, o.number from orders o where o.brand_id = ? and o.id = ?)'];
    const params: unknown[] = [order.id];
    if (changed.length) {
      const meta = this.em.getMetadata().get(Order.name);
      order.updatedAt = new Date();
      const values = columnsOf([...new Set([...changed, meta.properties.updatedAt])], order);
      const columns = Object.keys(values);
      ctes.push(
        `updated as (update orders o set (${columns.join(', ')}) = (select ${columns.map((c) => `r.${c}`).join(', ')}
           from json_populate_record(null::orders, ?::json) r) from target where o.id = target.id returning o.id)`,
      );
      params.push(JSON.stringify(values));
    }
    for (const [meta, entities] of this.inserts) {
      const rows = entities.map((entity) => columnsOf(meta.props, entity));
      const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].join(', ');
      ctes.push(
        `inserted_${meta.tableName} as (insert into ${meta.tableName} (${columns}) select ${columns}
           from json_populate_recordset(null::${meta.tableName}, ?::json) where brand_id = (select brand_id from target) returning id)`,
      );
      params.push(JSON.stringify(rows));
    }
    return {
      before: this.placing ?? [],
      ctes: ctes.join(',\n'),
      params,
      written: () => {
        this.placing = null;
        this.inserts.clear();
        this.snapshot();
      },
    };
  }
}

/** What `pendingOrderChangesSql` hands its caller: CTEs to put first in its statement, and the statement's parameters. */
export interface PendingOrderChanges {
  /** Statements to send first, in the same message: a placed order's insert and its check (see `place`). */
  before: ScopedStatement[];
  /** `target as (…), …`: begins with the brand's filter, so a statement that starts with them is scoped. `target.number` is the order's number. */
  ctes: string;
  params: unknown[];
  /** Call once the statement ran: the log forgets what it wrote. */
  written(): void;
}

const logs = new WeakMap<EntityManager, OrderChangeLog>();

/** Stands for a placed order's number until its insert gives it one (`place`); replaced by the statement that writes the log. */
export const ORDER_NUMBER_MARK = '{order number}';

/** The SQLSTATE of `order_placed` (migration 20261210100000) when the insert before it placed no order. */
export const ORDER_NOT_PLACED = 'LU001';

/**
 * Opens the log of `tx`'s transaction: the orders it loads (loadOrder) and their entries are kept in it from now on.
 * `placesOrders`: a new order may be held for the last statement too (`place`).
 */
export function openOrderChangeLog(tx: RequestContext, placesOrders = false): OrderChangeLog {
  const log = new OrderChangeLog(tx.em, placesOrders);
  logs.set(tx.em, log);
  return log;
}

export function orderChangeLogOf(em: EntityManager): OrderChangeLog | undefined {
  return logs.get(em);
}

/** An order read with all its columns, for the rules to change: the transaction's log's, else the unit of work's. */
export function loadOrder(tx: RequestContext, row: Record<string, any>): Order {
  const log = logs.get(tx.em);
  return log && !log.order ? log.track(row) : tx.em.map(Order, row);
}

/**
 * The log of `tx`'s transaction — the order's changed columns, its new timeline entries, its audit entries — as CTEs of
 * ONE statement, which the caller ends with its own write (the Stripe delivery records its outcome), instead of the
 * statements of a flush. Null when there is nothing to write, or no log.
 */
export function pendingOrderChangesSql(tx: RequestContext): PendingOrderChanges | null {
  return logs.get(tx.em)?.sql() ?? null;
}

const scalarPropsOf = new WeakMap<EntityMetadata, EntityProperty[]>();

function scalarProps(meta: EntityMetadata): EntityProperty[] {
  let props = scalarPropsOf.get(meta);
  if (!props) {
    props = meta.props.filter((prop) => prop.kind === ReferenceKind.SCALAR && prop.persist !== false && prop.fieldNames?.length);
    scalarPropsOf.set(meta, props);
  }
  return props;
}

/** A value as compared for a change: dates by time, JSON by its text. */
function comparable(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** An entity (or plain object shaped like one) as its table's columns (scalars and many-to-one ids), as JSON. */
function columnsOf(props: EntityProperty[], entity: Record<string, any>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const prop of props) {
    if (prop.persist === false || !prop.fieldNames?.length) continue;
    if (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.MANY_TO_ONE) continue;
    const value = entity[prop.name];
    if (value === undefined) continue;
    row[prop.fieldNames[0]] = prop.kind === ReferenceKind.MANY_TO_ONE ? (value === null || typeof value !== 'object' ? value : value.id) : value;
  }
  return row;
}
