import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { useLoaderData, useRevalidator, type ShouldRevalidateFunction } from '@remix-run/react';
import { PageHeader } from '~/components/ui';
import {
  SettingsDocument,
  StripeEventsDocument,
  type SettingsQuery,
  type SettingsQueryVariables,
  type StripeEventsQuery,
  type StripeEventsQueryVariables,
} from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { canAdmin } from '~/lib/roles';
import { OUTCOME_PARAM, parseOutcomeParam, stripeEventsVariables } from '~/lib/stripe';
import { ApiKeysCard } from './api-keys-card';
import { AuditLogCard } from './audit-log-card';
import { BrandSettingsCard } from './brand-settings-card';
import { CustomerDataCard } from './customer-data-card';
import { DiscountCodesCard } from './discount-codes-card';
import { StripeEventsCard } from './stripe-events-card';
import { SubscriptionCard } from './subscription-card';

export const meta: MetaFunction = () => [{ title: 'Settings · Luneo Orders' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const api = await requireApi(request, context);
  const eventsVariables = stripeEventsVariables(parseOutcomeParam(new URL(request.url).searchParams.get(OUTCOME_PARAM)));
  // Both in parallel; the role decides first, so a VIEWER sees our 403 rather than the events query's.
  const [settings, events] = await Promise.allSettled([
    api.query<SettingsQuery, SettingsQueryVariables>(SettingsDocument, {}),
    api.query<StripeEventsQuery, StripeEventsQueryVariables>(StripeEventsDocument, eventsVariables),
  ]);
  if (settings.status === 'rejected') throw settings.reason;
  if (!canAdmin(settings.value.viewer.role)) throw data({ message: 'Only owners and admins can change the brand’s settings.' }, { status: 403 });
  if (events.status === 'rejected') throw events.reason;
  return { ...settings.value, stripeEvents: { variables: eventsVariables, data: events.value } };
}

/** The Stripe events filter lives in the query string and is served by the urql hook; the loader paints the first view. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) => {
  if (!formMethod && currentUrl.pathname === nextUrl.pathname && currentUrl.search !== nextUrl.search) return false;
  return defaultShouldRevalidate;
};

export default function SettingsPage() {
  const { viewer, discountCodes, stripeEvents } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  return (
    <>
      <PageHeader title="Settings" subtitle={viewer.brand.name} />
      <div className="grid-2 grid-2--cards">
        <BrandSettingsCard brand={viewer.brand} onSaved={() => revalidator.revalidate()} />
        <SubscriptionCard brand={viewer.brand} />
      </div>
      <DiscountCodesCard codes={discountCodes} currency={viewer.brand.currency} onChanged={() => revalidator.revalidate()} />
      <StripeEventsCard seed={stripeEvents} />
      <ApiKeysCard />
      <CustomerDataCard />
      <AuditLogCard />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
