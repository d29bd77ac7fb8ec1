import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { BaseEntity } from '../shared/entity-base';

/**
 * PROCESSED: its effects are committed. IGNORED: acknowledged, nothing to do (another app's object, a type we do not
 * handle, a stale subscription update). REJECTED: acknowledged but our rules refused it (bad metadata…); an operator
 * may fix the cause and replay it. FAILED: our side failed (database down…); answered 5xx so Stripe retries.
 */
export const WEBHOOK_EVENT_OUTCOMES = ['PROCESSED', 'IGNORED', 'REJECTED', 'FAILED'] as const;
export type WebhookEventOutcome = (typeof WEBHOOK_EVENT_OUTCOMES)[number];

/**
 * Every Stripe event that passed signature verification, kept for operators (list, replay). The unique `event_id` is
 * claimed in the same transaction as the event's effects, so concurrent or repeated deliveries produce one effect:
 * `processed_at` is set by that transaction, and a delivery that finds it set is a duplicate.
 * Not brand-scoped by the ORM filter (the brand is unknown until the payload is read, and may be absent); reads go
 * through `scopedSql`.
 */
@Entity({ tableName: 'stripe_events' })
@Index({ properties: ['brand', 'receivedAt', 'id'] })
export class StripeEvent extends BaseEntity<
  'brand' | 'apiVersion' | 'processedAt' | 'outcome' | 'reason' | 'error' | 'attempts' | 'receivedAt' | 'lastReceivedAt'
> {
  @Property({ type: 'text', unique: true })
  eventId!: string;

  @Property({ type: 'text' })
  type!: string;

  @ManyToOne(() => Brand, { nullable: true, deleteRule: 'set null' })
  brand: Brand | null = null;

  @Property({ type: 'text', nullable: true })
  apiVersion: string | null = null;

  @Property({ type: 'boolean' })
  livemode!: boolean;

  /** The event's `created` (Stripe's clock). */
  @Property({ type: 'datetime', length: 3 })
  stripeCreatedAt!: Date;

  @Property({ type: 'json' })
  payload!: unknown;

  @Property({ type: 'datetime', length: 3 })
  receivedAt: Date = new Date();

  @Property({ type: 'datetime', length: 3 })
  lastReceivedAt: Date = new Date();

  /** Deliveries received, replays, and the inbox's retries of an event left unprocessed (event-inbox.ts). */
  @Property({ type: 'integer' })
  attempts: number = 1;

  @Property({ type: 'datetime', length: 3, nullable: true })
  processedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  outcome: WebhookEventOutcome | null = null;

  /** Why an event was ignored or rejected, or what it did. */
  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;
}
