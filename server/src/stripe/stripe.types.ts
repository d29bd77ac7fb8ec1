import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node, PageInfo } from '../graphql/common.types';
import { asEnum } from '../graphql/enums';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars';
import { WEBHOOK_EVENT_OUTCOMES, type WebhookEventOutcome } from './stripe-event.entity';

export const WebhookEventOutcomeEnum = asEnum(WEBHOOK_EVENT_OUTCOMES);
registerEnumType(WebhookEventOutcomeEnum, {
  name: 'WebhookEventOutcome',
  description:
    'PROCESSED: effects committed. IGNORED: acknowledged, nothing to do. REJECTED: acknowledged, refused by our rules ' +
    '(replay after fixing). FAILED: our side failed; Stripe retries.',
});

@ObjectType({ implements: Node, description: 'A Stripe event received on /webhooks/stripe (signature verified).' })
export class WebhookEvent extends Node {
  @Field({ description: "Stripe's event id (evt_…)." })
  eventId!: string;

  @Field()
  type!: string;

  @Field(() => WebhookEventOutcomeEnum, { nullable: true, description: 'Null while the first attempt is in flight.' })
  outcome!: WebhookEventOutcome | null;

  @Field(() => String, { nullable: true, description: 'What it did, or why it was ignored.' })
  reason!: string | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Int, { description: 'Deliveries received, replays, and the retries of an event left unprocessed.' })
  attempts!: number;

  @Field()
  livemode!: boolean;

  @Field(() => DateTimeScalar, { description: "The event's `created` on Stripe's clock." })
  stripeCreatedAt!: Date;

  @Field(() => DateTimeScalar)
  receivedAt!: Date;

  @Field(() => DateTimeScalar)
  lastReceivedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  processedAt!: Date | null;

  @Field(() => JSONScalar, { description: 'The event as Stripe sent it.' })
  payload!: unknown;
}

@ObjectType()
export class WebhookEventEdge {
  @Field()
  cursor!: string;

  @Field(() => WebhookEvent)
  node!: WebhookEvent;
}

@ObjectType()
export class WebhookEventConnection {
  @Field(() => [WebhookEvent])
  nodes!: WebhookEvent[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class WebhookEventFilter {
  @Field(() => [String], { nullable: true, description: 'Event types, e.g. checkout.session.completed.' })
  type?: string[] | null;

  @Field(() => [WebhookEventOutcomeEnum], { nullable: true })
  outcome?: WebhookEventOutcome[] | null;
}

@InputType()
export class CheckoutItemInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int)
  quantity!: number;
}

@InputType({ description: 'A Stripe Checkout Session for a cart of our catalog.' })
export class CreateCheckoutSessionInput {
  @Field(() => [CheckoutItemInput])
  items!: CheckoutItemInput[];

  @Field({ description: 'Where Stripe sends the customer after paying.' })
  successUrl!: string;

  @Field({ description: 'Where Stripe sends the customer who gives up.' })
  cancelUrl!: string;

  @Field(() => String, { nullable: true })
  customerEmail?: string | null;

  @Field(() => String, { nullable: true, description: 'Our user id of the customer (metadata.customer_ref).' })
  customerRef?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The order reference to use (unique per brand); generated when omitted. Becomes Order.checkoutRef.',
  })
  orderRef?: string | null;

  @Field(() => [String], { nullable: true, description: 'Collect a shipping address in these countries (ISO codes).' })
  shippingCountries?: string[] | null;
}

@ObjectType()
export class CheckoutSession {
  @Field({ description: 'The Checkout Session id (cs_…).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Redirect the customer here.' })
  url!: string | null;

  @Field({ description: 'The order reference (metadata.order_ref); the order appears with this checkoutRef.' })
  orderRef!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;
}
