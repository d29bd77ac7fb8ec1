import type { OrderDetailFragment } from '~/gql/graphql';

/** What each editing part of the order page gets: the order shown, and a way to replace it with a mutation's answer. */
export interface OrderSectionProps {
  order: OrderDetailFragment;
  onChange: (order: OrderDetailFragment) => void;
}
