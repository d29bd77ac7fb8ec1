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
          No Luneo subscription is linked to this brand yet. Your plan shows here as soon as it starts.
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Currency</dt>
          <dd>{brand.currency}</dd>
        </div>
      </dl>
      <details className="tech-details">
        <summary>Technical details</summary>
        <dl className="facts">
          <div>
            <dt>Brand identifier</dt>
            <dd className="mono">{brand.slug}</dd>
          </div>
        </dl>
        <p>
          The subscription is kept in sync from Stripe’s <span className="mono">customer.subscription.*</span> events for this
          brand.
        </p>
      </details>
    </Card>
  );
}
