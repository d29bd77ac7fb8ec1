import { Card } from '~/components/ui';
import type { BrandSettingsFragment } from '~/gql/graphql';
import { useFormatters } from '~/lib/locale';
import { subscriptionView } from '~/lib/stripe';

export function SubscriptionCard({ brand }: { brand: BrandSettingsFragment }) {
  const fmt = useFormatters();
  const sub = brand.subscription ? subscriptionView(brand.subscription, fmt.date) : null;
  return (
    <Card title="Subscription">
      {sub ? (
        <>
          {sub.notice ? (
            <p className={`notice notice--${sub.notice.tone}`} data-testid="subscription-notice">
              {sub.notice.text}
            </p>
          ) : null}
          <dl className="facts" data-testid="subscription">
            <div>
              <dt>Status</dt>
              <dd>
                <span className={`badge badge--${sub.tone}`}>{sub.statusLabel}</span>
              </dd>
            </div>
            <div>
              <dt>Plan</dt>
              <dd>{sub.plan ?? <span className="muted">—</span>}</dd>
            </div>
            {sub.dates.map((d) => (
              <div key={d.label}>
                <dt>{d.label}</dt>
                <dd>
                  <time dateTime={d.at}>{fmt.date(d.at)}</time>
                </dd>
              </div>
            ))}
          </dl>
        </>
      ) : (
        <p className="muted subscription__empty" data-testid="subscription-empty">
          No Luneo subscription is linked to this brand yet. It appears here once Stripe sends its first
          <span className="mono"> customer.subscription.*</span> event for this brand.
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Currency</dt>
          <dd>{brand.currency}</dd>
        </div>
        <div>
          <dt>Slug</dt>
          <dd className="mono">{brand.slug}</dd>
        </div>
      </dl>
    </Card>
  );
}
