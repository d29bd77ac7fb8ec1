import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: "What an erasure changed. Amounts, items, statuses and stats are untouched." })
export class CustomerErasure {
  @Field({ description: 'What the email became on every order, e.g. erased-…@erased.invalid; the same email always gives the same one.' })
  pseudonym!: string;

  @Field(() => Int)
  orderCount!: number;

  @Field(() => Int, { description: 'Timeline entries whose note named the customer.' })
  timelineEntryCount!: number;

  @Field(() => Int, { description: "Archived copies of deleted orders." })
  deletedOrderCount!: number;

  @Field(() => Int, { description: 'Order items whose customization named the customer.' })
  itemCount!: number;

  @Field(() => Int, { description: 'Stored Stripe events about the customer whose payload was pseudonymised.' })
  stripeEventCount!: number;
}
